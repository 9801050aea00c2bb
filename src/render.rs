//! Output formats and shell quoting.
//!
//! The output of `client-secret` is meant to be evaluated by a shell, so each
//! quoting function must make the shell set exactly the given value and run
//! nothing else, for every string Keycloak can store. The whole output is
//! built here in memory and written once by the caller.

use crate::error::{Error, Kind, Result};

/// How to print secrets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
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
    /// JSON: an object, or an array of objects for several clients
    Json,
    /// The bare value followed by a newline
    Raw,
}

/// One secret to print, with the variable it goes into.
#[derive(Debug, Clone)]
pub struct Entry {
    pub client_id: String,
    pub realm: String,
    pub variable: String,
    pub secret: String,
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
        (_, 0) if client_ids.len() == 1 => vec![DEFAULT_VARIABLE.to_string()],
        (_, 0) => client_ids.iter().map(|id| variable_for_client(id)).collect(),
        (n, m) if n == m => vars.to_vec(),
        (n, m) => {
            return Err(Error::usage(format!(
                "{m} --var given for {n} clients; give one --var per client, in the same order"
            )));
        }
    };
    for (i, name) in names.iter().enumerate() {
        if let Some(j) = names[..i].iter().position(|other| other == name) {
            return Err(Error::usage(format!(
                "clients {:?} and {:?} would both set {name}; name them with one --var per client",
                client_ids[j], client_ids[i]
            )));
        }
    }
    Ok(names)
}

/// `my-test-client` → `MY_TEST_CLIENT_SECRET`: ASCII letters and digits
/// upper-cased, everything else `_`, a leading digit prefixed with `_`.
pub fn variable_for_client(client_id: &str) -> String {
    let mut name: String = client_id
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_uppercase() } else { '_' })
        .collect();
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
        Err(Error::usage(format!(
            "invalid variable name {name:?}: use letters, digits and _, not starting with a digit"
        )))
    }
}

pub fn render(format: Format, entries: &[Entry]) -> Result<String> {
    if format == Format::Json {
        return Ok(render_json(entries));
    }
    let mut out = String::new();
    for entry in entries {
        let value = &entry.secret;
        if format != Format::Raw && value.contains('\0') {
            return Err(unrenderable(entry, "it contains a NUL byte, which no shell variable can hold"));
        }
        let line = match format {
            Format::Shell => format!("export {}={}", entry.variable, posix_quote(value)),
            Format::Fish => format!("set -gx {} {}", entry.variable, fish_quote(value)),
            Format::Powershell => format!("$env:{} = {}", entry.variable, powershell_quote(value)),
            Format::Dotenv => format!("{}={}", entry.variable, dotenv_quote(entry)?),
            Format::Raw => raw_value(entry)?.to_string(),
            Format::Json => unreachable!("handled above"),
        };
        out.push_str(&line);
        out.push('\n');
    }
    Ok(out)
}

fn unrenderable(entry: &Entry, why: &str) -> Error {
    Error::new(Kind::Render, format!("the secret of client {:?} cannot be printed in this format: {why}", entry.client_id))
        .hint("use -o json")
}

fn render_json(entries: &[Entry]) -> String {
    let object = |e: &Entry| {
        serde_json::json!({ "clientId": e.client_id, "realm": e.realm, "secret": e.secret })
    };
    let value = match entries {
        [one] => object(one),
        many => serde_json::Value::Array(many.iter().map(object).collect()),
    };
    let mut text = serde_json::to_string_pretty(&value).expect("JSON values always serialize");
    text.push('\n');
    text
}

/// Single quotes make every byte literal in POSIX shells; a `'` is written as
/// `'\''` (close, escaped quote, reopen).
pub fn posix_quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('\'');
    for c in value.chars() {
        if c == '\'' {
            out.push_str("'\\''");
        } else {
            out.push(c);
        }
    }
    out.push('\'');
    out
}

/// In fish single quotes only `\'` and `\\` are escapes; everything else,
/// newlines included, is literal.
pub fn fish_quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('\'');
    for c in value.chars() {
        if c == '\'' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('\'');
    out
}

/// PowerShell single-quoted strings treat U+0027 and the curly quotes
/// U+2018–U+201B alike; each is escaped by doubling. Control characters and
/// line separators are emitted as `[char]0xNN` terms joined with `+`, so the
/// whole assignment stays on one line (a piped `Invoke-Expression` receives
/// each line separately).
pub fn powershell_quote(value: &str) -> String {
    let mut out = String::from("'");
    let mut open = true;
    for c in value.chars() {
        if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') {
            if open {
                out.push('\'');
                open = false;
            }
            out.push_str(&format!(" + [char]0x{:04X}", c as u32));
            continue;
        }
        if !open {
            out.push_str(" + '");
            open = true;
        }
        if matches!(c, '\'' | '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}') {
            out.push(c);
        }
        out.push(c);
    }
    if open {
        out.push('\'');
    }
    out
}

/// .env dialects disagree on escapes inside double quotes, but all read
/// single-quoted values literally. Values that need an escape are refused
/// rather than written in a form some reader would misread.
fn dotenv_quote(entry: &Entry) -> Result<String> {
    let value = &entry.secret;
    if value.contains(['\'', '\n', '\r']) {
        return Err(unrenderable(entry, "it contains a quote or line break that .env files cannot hold portably"));
    }
    Ok(format!("'{value}'"))
}

fn raw_value(entry: &Entry) -> Result<&str> {
    if entry.secret.contains(['\n', '\r']) {
        return Err(unrenderable(entry, "it contains a line break, which raw output cannot delimit"));
    }
    Ok(&entry.secret)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(secret: &str) -> Entry {
        Entry {
            client_id: "my-test-client".into(),
            realm: "shasta".into(),
            variable: DEFAULT_VARIABLE.into(),
            secret: secret.into(),
        }
    }

    fn one(format: Format, secret: &str) -> Result<String> {
        render(format, &[entry(secret)])
    }

    #[test]
    fn shell_is_the_documented_export_line() {
        assert_eq!(one(Format::Shell, "abc").unwrap(), "export CLIENT_SECRET='abc'\n");
    }

    #[test]
    fn posix_quote_escapes_single_quotes_only() {
        assert_eq!(posix_quote("it's $(x) `y` \\ \"z\""), r#"'it'\''s $(x) `y` \ "z"'"#);
        assert_eq!(posix_quote(""), "''");
        assert_eq!(posix_quote("a\nb"), "'a\nb'");
    }

    #[test]
    fn fish_quote_escapes_quote_and_backslash() {
        assert_eq!(fish_quote(r"a'b\c$d"), r"'a\'b\\c$d'");
        assert_eq!(one(Format::Fish, "x").unwrap(), "set -gx CLIENT_SECRET 'x'\n");
    }

    #[test]
    fn powershell_doubles_every_kind_of_single_quote() {
        assert_eq!(powershell_quote("a'b"), "'a''b'");
        for q in ['\u{2018}', '\u{2019}', '\u{201A}', '\u{201B}'] {
            assert_eq!(powershell_quote(&format!("x{q}y")), format!("'x{q}{q}y'"));
        }
        // Double quotes, `$` and backticks are literal in single quotes.
        assert_eq!(powershell_quote("\"$x`"), "'\"$x`'");
    }

    #[test]
    fn powershell_keeps_line_breaks_out_of_the_line() {
        assert_eq!(powershell_quote("a\nb"), "'a' + [char]0x000A + 'b'");
        assert_eq!(powershell_quote("\r"), "'' + [char]0x000D");
        assert_eq!(powershell_quote("x\u{2028}"), "'x' + [char]0x2028");
        assert!(!one(Format::Powershell, "a\r\nb").unwrap().trim_end().contains('\n'));
    }

    #[test]
    fn nul_is_refused_in_shell_formats_never_truncated() {
        for format in [Format::Shell, Format::Fish, Format::Powershell, Format::Dotenv] {
            let err = one(format, "ab\0cd").unwrap_err();
            assert_eq!(err.kind, Kind::Render);
            assert!(err.to_string().contains("NUL"));
        }
        assert!(one(Format::Json, "ab\0cd").unwrap().contains("ab\\u0000cd"));
    }

    #[test]
    fn dotenv_refuses_what_it_cannot_hold() {
        assert_eq!(one(Format::Dotenv, "a$b").unwrap(), "CLIENT_SECRET='a$b'\n");
        assert_eq!(one(Format::Dotenv, "a'b").unwrap_err().kind, Kind::Render);
        assert_eq!(one(Format::Dotenv, "a\nb").unwrap_err().kind, Kind::Render);
    }

    #[test]
    fn raw_is_the_value_and_a_newline() {
        assert_eq!(one(Format::Raw, "s3cr3t").unwrap(), "s3cr3t\n");
        assert_eq!(one(Format::Raw, "a\nb").unwrap_err().kind, Kind::Render);
    }

    #[test]
    fn json_is_an_object_for_one_and_an_array_for_several() {
        let single: serde_json::Value = serde_json::from_str(&one(Format::Json, "v\"'\n").unwrap()).unwrap();
        assert_eq!(single["secret"], "v\"'\n");
        assert_eq!(single["clientId"], "my-test-client");
        let two = render(Format::Json, &[entry("a"), entry("b")]).unwrap();
        let parsed: serde_json::Value = serde_json::from_str(&two).unwrap();
        assert_eq!(parsed.as_array().unwrap().len(), 2);
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
