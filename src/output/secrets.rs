//! Secrets on stdout: the formats of `-o`, the variable each value is
//! assigned to, and the refusals where a format cannot hold a value safely.

use serde_json::{Map, Value};

use super::fields::ClientFields;
use super::quote::{fish_quote, posix_quote, powershell_quote};
use crate::error::{Error, Kind, Result};
use crate::secret::Secret;

/// How to print secrets.
#[derive(Debug, Clone, PartialEq, clap::ValueEnum)]
pub enum Format {
    /// `export NAME='…'` for sh, bash, zsh, dash, ksh: `eval "$(…)"`
    #[value(alias = "sh", alias = "bash", alias = "zsh", alias = "posix")]
    Shell,
    /// `set -gx NAME '…'` for fish: `… | source`
    Fish,
    /// `$env:NAME = '…'` for PowerShell: `… | Invoke-Expression`
    #[value(alias = "pwsh")]
    Powershell,
    /// `NAME='…'` lines for .env files
    #[value(alias = "env")]
    Dotenv,
    /// JSON: an object, or an array of objects for several values
    Json,
    /// YAML: the same records as JSON
    Yaml,
    /// The bare value followed by a newline
    Raw,
    /// A v1 Secret manifest (YAML, stringData): `… | kubectl apply -f -`, kubeseal, SOPS
    Secret,
    #[value(skip)]
    JsonPath(super::Template),
}

impl super::OutputFormat for Format {
    fn jsonpath(template: super::Template) -> Self {
        Format::JsonPath(template)
    }
}

impl Format {
    /// Formats made of variable assignments, where `#` comment lines are
    /// skipped by every reader.
    pub fn is_assignment(&self) -> bool {
        matches!(self, Format::Shell | Format::Fish | Format::Powershell | Format::Dotenv)
    }
}

/// One value to print: the variable it is assigned to, its JSON record and
/// what it is, for error messages.
#[derive(Debug)]
pub struct Printed {
    pub variable: String,
    pub value: Secret,
    /// JSON: the value goes in under `value_key`, beside `fields`.
    pub value_key: &'static str,
    pub fields: Map<String, Value>,
    /// E.g. `the secret of client "x"`.
    pub what: String,
    /// The client the value is the secret of: what `--keys` and `-o secret`
    /// write beside it. `None` for tokens.
    pub client: Option<ClientFields>,
}

impl Printed {
    /// A token: JSON `{"token", …fields}`.
    pub fn token(variable: String, token: Secret, fields: Map<String, Value>, what: String) -> Self {
        Printed { variable, value: token, value_key: "token", fields, what, client: None }
    }

    /// A client's secret: JSON `{"clientId", "realm", "secret", "issuer",
    /// "tokenUrl", "keycloakUrl"}`, and `"authenticator"` when Keycloak named it.
    pub fn client_secret(client: ClientFields, variable: String, secret: Secret) -> Self {
        let mut fields = Map::new();
        fields.insert("clientId".into(), client.client_id.as_str().into());
        fields.insert("realm".into(), client.realm.as_str().into());
        fields.insert("issuer".into(), client.issuer().into());
        fields.insert("tokenUrl".into(), client.token_url().into());
        fields.insert("keycloakUrl".into(), client.keycloak_url.as_str().into());
        if let Some(authenticator) = &client.authenticator {
            fields.insert("authenticator".into(), authenticator.as_str().into());
        }
        let what = format!("the secret of client {:?}", client.client_id);
        Printed { variable, value: secret, value_key: "secret", fields, what, client: Some(client) }
    }

    fn record(&self) -> Value {
        let mut record = self.fields.clone();
        record.insert(self.value_key.into(), self.value.expose().into());
        Value::Object(record)
    }
}

/// A JSONPath template that fails on records of the shape the command will
/// print fails now, before any request: after `--regenerate` it would
/// otherwise fail with Keycloak already changed and nothing printed.
pub fn check_template(format: &Format, client_ids: &[String], asked: Asked) -> Result<()> {
    if !matches!(format, Format::JsonPath(_)) {
        return Ok(());
    }
    let sample = |client_id: &str| {
        let client = ClientFields::new(client_id, "realm", "https://keycloak.invalid").authenticator(Some("client-secret"));
        Printed::client_secret(client, String::new(), Secret::new("secret"))
    };
    let items: Vec<Printed> = match client_ids {
        [] => vec![sample("client")],
        named => named.iter().map(|client_id| sample(client_id)).collect(),
    };
    render(format, &items, asked).map(drop)
}

/// `-o secret` holds client secrets only.
pub fn refuse_manifest(format: &Format, what: &str) -> Result<()> {
    if *format == Format::Secret {
        return Err(Error::usage(format!("-o secret writes a client's secret into a Secret manifest, not {what}")));
    }
    Ok(())
}

/// The variable used when one client is asked for and `--var` is not given.
pub const DEFAULT_VARIABLE: &str = "CLIENT_SECRET";

/// Name the variables: `--var` values in order, else `CLIENT_SECRET` for one
/// client, else one derived from each clientId (see [`variable_for_client`]).
pub fn variable_names(client_ids: &[String], vars: &[String]) -> Result<Vec<String>> {
    for var in vars {
        validate_variable(var)?;
    }
    let names: Vec<String> = match (client_ids.len(), vars.len()) {
        (1, 0) => vec![DEFAULT_VARIABLE.to_string()],
        (_, 0) => client_ids.iter().map(|id| variable_for_client(id)).collect(),
        (n, m) if n == m => vars.to_vec(),
        (n, m) => {
            return Err(Error::usage(format!("{m} --var given for {n} clients; give one --var per client, in the same order")));
        }
    };
    if let Some((first, second)) = first_repeat(&names) {
        return Err(Error::usage(format!(
            "clients {:?} and {:?} would both set {}; name them with one --var per client",
            client_ids[first], client_ids[second], names[second]
        )));
    }
    Ok(names)
}

/// The positions of the first value that comes again, and of its repeat:
/// two secrets set into one variable would leave only the last.
pub fn first_repeat<T: PartialEq>(values: &[T]) -> Option<(usize, usize)> {
    values.iter().enumerate().find_map(|(i, value)| Some((values[..i].iter().position(|other| other == value)?, i)))
}

/// `my-test-client` → `MY_TEST_CLIENT_SECRET`: ASCII letters and digits
/// upper-cased, everything else `_`, a leading digit prefixed with `_`.
pub fn variable_for_client(client_id: &str) -> String {
    let mut name: String =
        client_id.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_uppercase() } else { '_' }).collect();
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, '_');
    }
    name.push_str("_SECRET");
    name
}

/// A variable name every supported shell accepts without quoting.
pub fn validate_variable(name: &str) -> Result<()> {
    let mut chars = name.chars();
    let valid = matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    if valid {
        Ok(())
    } else {
        Err(Error::usage(format!("invalid variable name {name:?}: use letters, digits and _, not starting with a digit")))
    }
}

/// What `-o json` prints (and `-o yaml`, and what `-o jsonpath` reads): one
/// object for one value asked for by name; an array for several names,
/// `--search` and `--all`, however many were found (so a script's
/// `jq '.[]'` does not break on the day one client matches).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Asked {
    #[default]
    One,
    List,
}

/// The whole output for these values, or an error naming the first value
/// the format cannot hold.
pub fn render(format: &Format, items: &[Printed], asked: Asked) -> Result<String> {
    let document = || match (asked, items) {
        (Asked::One, [one]) => one.record(),
        (_, many) => Value::Array(many.iter().map(Printed::record).collect()),
    };
    match format {
        Format::Json => return Ok(super::json(&document())),
        Format::Yaml => return Ok(super::yaml(&document())),
        Format::JsonPath(template) => return super::apply(template, &document()),
        _ => {}
    }
    let mut out = String::new();
    for item in items {
        out.push_str(&line(format, item)?);
        out.push('\n');
    }
    Ok(out)
}

fn line(format: &Format, item: &Printed) -> Result<String> {
    let (variable, value) = (&item.variable, item.value.expose());
    if *format == Format::Secret {
        // The manifest needs a Secret's name and keys: `deliver` writes it.
        return Err(Error::usage(format!("-o secret cannot hold {}", item.what)));
    }
    if *format != Format::Raw && value.contains('\0') {
        return Err(unrenderable(item, "it contains a NUL byte, which no shell variable can hold"));
    }
    Ok(match format {
        Format::Shell => format!("export {variable}={}", posix_quote(value)),
        Format::Fish => format!("set -gx {variable} {}", fish_quote(value)),
        Format::Powershell => format!("$env:{variable} = {}", powershell_quote(value)),
        // .env readers disagree on escapes and expansion, even inside single
        // quotes (python-dotenv expands ${X} and reads \\ as \ there):
        // refuse every character some reader would rewrite.
        Format::Dotenv if value.contains(['\'', '$', '\\', '\n', '\r']) => {
            return Err(unrenderable(
                item,
                "it contains a quote, $, backslash or line break that .env files cannot hold portably",
            ));
        }
        Format::Dotenv => format!("{variable}='{value}'"),
        Format::Raw if value.contains(['\n', '\r']) => {
            return Err(unrenderable(item, "it contains a line break, which raw output cannot delimit"));
        }
        Format::Raw | Format::Json | Format::Yaml | Format::Secret | Format::JsonPath(_) => value.to_string(),
    })
}

fn unrenderable(item: &Printed, why: &str) -> Error {
    Error::new(Kind::Render, format!("{} cannot be printed in this format: {why}", item.what)).hint("use -o json")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(format: Format, secret: &str) -> Result<String> {
        render(
            &format,
            &[Printed::client_secret(client("my-test-client"), DEFAULT_VARIABLE.into(), Secret::new(secret))],
            Asked::One,
        )
    }

    fn client(id: &str) -> ClientFields {
        ClientFields::new(id, "shasta", "https://sso.example.com/keycloak")
    }

    #[test]
    fn shell_is_the_documented_export_line() {
        assert_eq!(one(Format::Shell, "abc").unwrap(), "export CLIENT_SECRET='abc'\n");
        assert_eq!(one(Format::Fish, "x").unwrap(), "set -gx CLIENT_SECRET 'x'\n");
        assert_eq!(one(Format::Powershell, "x").unwrap(), "$env:CLIENT_SECRET = 'x'\n");
        assert!(!one(Format::Powershell, "a\r\nb").unwrap().trim_end().contains('\n'));
    }

    #[test]
    fn nul_is_refused_in_shell_formats_never_truncated() {
        for format in [Format::Shell, Format::Fish, Format::Powershell, Format::Dotenv] {
            let err = one(format, "ab\0cd").unwrap_err();
            assert_eq!(err.kind, Kind::Render);
            assert_eq!(
                err.to_string(),
                "the secret of client \"my-test-client\" cannot be printed in this format: it contains a NUL byte, \
                 which no shell variable can hold; use -o json"
            );
        }
        assert!(one(Format::Json, "ab\0cd").unwrap().contains("ab\\u0000cd"));
    }

    #[test]
    fn dotenv_refuses_what_it_cannot_hold() {
        assert_eq!(one(Format::Dotenv, "a#b \"c").unwrap(), "CLIENT_SECRET='a#b \"c'\n");
        for refused in ["a'b", "a$b", "${HOME}", "a\\b"] {
            assert_eq!(one(Format::Dotenv, refused).unwrap_err().kind, Kind::Render, "{refused:?}");
        }
        assert_eq!(one(Format::Dotenv, "a\nb").unwrap_err().kind, Kind::Render);
    }

    #[test]
    fn raw_is_the_value_and_a_newline() {
        assert_eq!(one(Format::Raw, "s3cr3t").unwrap(), "s3cr3t\n");
        assert_eq!(one(Format::Raw, "a\nb").unwrap_err().kind, Kind::Render);
    }

    #[test]
    fn json_is_an_object_for_one_and_an_array_for_several() {
        let single: Value = serde_json::from_str(&one(Format::Json, "v\"'\n").unwrap()).unwrap();
        assert_eq!(
            single,
            serde_json::json!({
                "clientId": "my-test-client", "realm": "shasta", "secret": "v\"'\n",
                "issuer": "https://sso.example.com/keycloak/realms/shasta",
                "tokenUrl": "https://sso.example.com/keycloak/realms/shasta/protocol/openid-connect/token",
                "keycloakUrl": "https://sso.example.com/keycloak",
            })
        );
        let item = |id: &str| Printed::client_secret(client(id), variable_for_client(id), Secret::new("s"));
        let two: Value = serde_json::from_str(&render(&Format::Json, &[item("a"), item("b")], Asked::List).unwrap()).unwrap();
        assert_eq!(two.as_array().unwrap().len(), 2);
    }

    #[test]
    fn a_template_that_fails_on_the_records_shape_fails_before_any_request() {
        let template = |text: &str| Format::JsonPath(crate::output::Template::parse(text, false).unwrap());
        let names = ["my-test-client".to_string()];
        assert!(check_template(&template("{.secret}"), &names, Asked::One).is_ok());
        let err = check_template(&template("{.secrett}"), &names, Asked::One).unwrap_err();
        assert_eq!(err.kind, Kind::Render);
        assert!(check_template(&template("{.items[*].secret}"), &[], Asked::List).is_ok());
        assert!(check_template(&template("{.secret}"), &[], Asked::List).is_err(), "a list has no .secret");
        assert!(check_template(&Format::Shell, &names, Asked::One).is_ok());
    }

    #[test]
    fn yaml_and_jsonpath_read_the_records_json_prints() {
        let item = |id: &str| Printed::client_secret(client(id), variable_for_client(id), Secret::new("s3cr3t"));
        let template = |text: &str| Format::JsonPath(crate::output::Template::parse(text, false).unwrap());
        assert_eq!(render(&template("{.clientId}={.secret}"), &[item("a")], Asked::One).unwrap(), "a=s3cr3t");
        // --search and --all: an array, even of one, which .items also names.
        let each = template(r#"{range .items[*]}{.clientId} {.secret}{"\n"}{end}"#);
        assert_eq!(render(&each, &[item("a")], Asked::List).unwrap(), "a s3cr3t\n");
        assert_eq!(render(&template("{[*].clientId}"), &[item("a"), item("b")], Asked::List).unwrap(), "a b");
        let yaml = render(&Format::Yaml, &[item("a")], Asked::List).unwrap();
        assert!(yaml.starts_with("- ") && yaml.contains("clientId: a"), "{yaml}");
        assert!(render(&Format::Yaml, &[item("a")], Asked::One).unwrap().starts_with("clientId: a"));
        // A template that does not fit names itself, never the secret.
        for text in ["{.secret[0]}", "{.secret.x}", "{.nope}", "{.items[*].secret}"] {
            let err = render(&template(text), &[item("a")], Asked::One).unwrap_err();
            assert_eq!(err.kind, Kind::Render, "{text}");
            assert!(err.to_string().contains(text) && !err.to_string().contains("s3cr3t"), "{text}: {err}");
        }
    }

    #[test]
    fn variable_names_follow_the_documented_rule() {
        let ids = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(variable_names(&ids(&["a"]), &[]).unwrap(), ["CLIENT_SECRET"]);
        assert_eq!(
            variable_names(&ids(&["my-test-client", "9lives", "é"]), &[]).unwrap(),
            ["MY_TEST_CLIENT_SECRET", "_9LIVES_SECRET", "__SECRET"]
        );
        assert_eq!(variable_names(&ids(&["a", "b"]), &ids(&["X", "Y"])).unwrap(), ["X", "Y"]);
        assert_eq!(variable_names(&ids(&["a", "b"]), &ids(&["X"])).unwrap_err().kind, Kind::Usage);
        assert_eq!(variable_names(&ids(&["a-b", "a_b"]), &[]).unwrap_err().kind, Kind::Usage);
    }

    #[test]
    fn hostile_variable_names_are_rejected() {
        for bad in ["", "1A", "A-B", "A B", "A;rm -rf /", "$(x)", "A=B", "É", "a\n"] {
            assert!(validate_variable(bad).is_err(), "{bad:?} accepted");
        }
        for good in ["A", "_", "client_secret", "X1"] {
            validate_variable(good).unwrap();
        }
    }
}
