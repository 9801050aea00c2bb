//! What can be written about a client besides its secret, and `--keys`: which
//! of these fields a Kubernetes Secret (or a manifest) holds, under which keys.

use crate::error::{Error, Result};
use crate::keycloak::encode;
use crate::secret::Secret;

/// Where a client lives: enough to name its issuer and token endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientFields {
    pub client_id: String,
    pub realm: String,
    /// Keycloak's base URL, without a trailing `/`.
    pub keycloak_url: String,
    /// The client's `clientAuthenticatorType`, when known.
    pub authenticator: Option<String>,
}

impl ClientFields {
    pub fn new(client_id: &str, realm: &str, keycloak_url: &str) -> Self {
        ClientFields {
            client_id: client_id.to_string(),
            realm: realm.to_string(),
            keycloak_url: keycloak_url.trim_end_matches('/').to_string(),
            authenticator: None,
        }
    }

    pub fn authenticator(mut self, authenticator: Option<&str>) -> Self {
        self.authenticator = authenticator.map(str::to_string);
        self
    }

    /// The realm's issuer, as Keycloak writes it into `iss`.
    pub fn issuer(&self) -> String {
        format!("{}/realms/{}", self.keycloak_url, encode(&self.realm))
    }

    pub fn token_url(&self) -> String {
        format!("{}/protocol/openid-connect/token", self.issuer())
    }
}

/// One field of a client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    ClientId,
    ClientSecret,
    Realm,
    Issuer,
    TokenUrl,
    KeycloakUrl,
}

const FIELDS: [(&str, Field); 6] = [
    ("client-id", Field::ClientId),
    ("client-secret", Field::ClientSecret),
    ("realm", Field::Realm),
    ("issuer", Field::Issuer),
    ("token-url", Field::TokenUrl),
    ("keycloak-url", Field::KeycloakUrl),
];

impl Field {
    fn parse(name: &str) -> Result<Self> {
        FIELDS.iter().find(|(known, _)| *known == name).map(|(_, field)| *field).ok_or_else(|| {
            let names: Vec<&str> = FIELDS.iter().map(|(name, _)| *name).collect();
            Error::usage(format!("--keys: unknown field {name:?}; the fields are {}", names.join(", ")))
        })
    }

    /// The value, in the type secrets travel in (only one field is secret,
    /// but a Secret's data is handled alike).
    fn value(self, client: &ClientFields, secret: &Secret) -> Secret {
        match self {
            Field::ClientId => Secret::new(&client.client_id),
            Field::ClientSecret => secret.clone(),
            Field::Realm => Secret::new(&client.realm),
            Field::Issuer => Secret::new(client.issuer()),
            Field::TokenUrl => Secret::new(client.token_url()),
            Field::KeycloakUrl => Secret::new(&client.keycloak_url),
        }
    }
}

/// The keys of a Secret and the field each holds, in the order given, and
/// the `--keys` text they were given as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keys {
    keys: Vec<(String, Field)>,
    spec: String,
}

impl std::str::FromStr for Keys {
    type Err = String;

    /// `--keys` as clap parses it.
    fn from_str(spec: &str) -> std::result::Result<Self, String> {
        Keys::parse(spec).map_err(|err| err.to_string())
    }
}

impl std::fmt::Display for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.spec)
    }
}

impl Keys {
    /// Only the secret, under `key` (today's layout: `client-secret`).
    pub fn secret_only(key: &str) -> Result<Self> {
        validate_key(key)?;
        Ok(Keys { keys: vec![(key.to_string(), Field::ClientSecret)], spec: key.to_string() })
    }

    /// `FIELD` or `KEY=FIELD`, comma-separated:
    /// `clientID=client-id,clientSecret=client-secret,issuer`.
    pub fn parse(spec: &str) -> Result<Self> {
        let mut keys: Vec<(String, Field)> = Vec::new();
        for item in spec.split(',') {
            let (key, field) = match item.split_once('=') {
                Some((key, field)) => (key, Field::parse(field)?),
                None => (item, Field::parse(item)?),
            };
            validate_key(key)?;
            if keys.iter().any(|(other, _)| other == key) {
                return Err(Error::usage(format!("--keys names key {key:?} twice")));
            }
            keys.push((key.to_string(), field));
        }
        Ok(Keys { keys, spec: spec.to_string() })
    }

    /// The keys and their values for this client.
    pub fn data(&self, client: &ClientFields, secret: &Secret) -> Vec<(String, Secret)> {
        self.keys.iter().map(|(key, field)| (key.clone(), field.value(client, secret))).collect()
    }

    pub fn names(&self) -> Vec<&str> {
        self.keys.iter().map(|(key, _)| key.as_str()).collect()
    }
}

/// A key Kubernetes accepts in a Secret's data: letters, digits, `-`, `_`,
/// `.`, at most 253 characters, and neither `.` nor `..`.
fn validate_key(key: &str) -> Result<()> {
    let valid = !key.is_empty()
        && key.len() <= 253
        && key != "."
        && key != ".."
        && key.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if valid {
        Ok(())
    } else {
        Err(Error::usage(format!("{key:?} cannot be a key of a Secret: use letters, digits, '-', '_' and '.' (at most 253)")))
    }
}

/// A name Kubernetes accepts for a Secret (or a namespace-less object): a
/// DNS-1123 subdomain, lower-case letters, digits, `-` and `.`, starting and
/// ending with a letter or digit, at most 253 characters.
pub fn validate_secret_name(name: &str, what: &str) -> Result<()> {
    let alnum = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit();
    let valid = !name.is_empty()
        && name.len() <= 253
        && name.starts_with(alnum)
        && name.ends_with(alnum)
        && name.chars().all(|c| alnum(c) || c == '-' || c == '.')
        && name.split('.').all(|label| !label.is_empty() && label.starts_with(alnum) && label.ends_with(alnum));
    if valid {
        Ok(())
    } else {
        Err(Error::usage(format!(
            "{name:?} cannot name a Secret ({what}): use lower-case letters, digits, '-' and '.', \
             starting and ending with a letter or digit (a DNS-1123 subdomain, at most 253 characters)"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client() -> ClientFields {
        ClientFields::new("my-app", "shasta", "https://sso.example.com/keycloak/")
    }

    #[test]
    fn derived_urls_follow_keycloak() {
        assert_eq!(client().issuer(), "https://sso.example.com/keycloak/realms/shasta");
        assert_eq!(client().token_url(), "https://sso.example.com/keycloak/realms/shasta/protocol/openid-connect/token");
    }

    #[test]
    fn keys_select_and_rename_fields_in_order() {
        let keys = Keys::parse("clientID=client-id,clientSecret=client-secret,issuer").unwrap();
        let data = keys.data(&client(), &Secret::new("s3cr3t"));
        let data: Vec<(&str, &str)> = data.iter().map(|(k, v)| (k.as_str(), v.expose())).collect();
        assert_eq!(
            data,
            [("clientID", "my-app"), ("clientSecret", "s3cr3t"), ("issuer", "https://sso.example.com/keycloak/realms/shasta")]
        );
        let all = Keys::parse("client-id,client-secret,realm,issuer,token-url,keycloak-url").unwrap();
        assert_eq!(all.names().len(), 6);
        assert_eq!(Keys::secret_only("client-secret").unwrap(), Keys::parse("client-secret").unwrap());
    }

    #[test]
    fn bad_keys_are_refused() {
        for bad in ["", "secret", "a=", "=client-id", "a b=client-id", "a/b=client-id", "..=realm", "x=realm,x=issuer", "a,"] {
            assert!(Keys::parse(bad).is_err(), "{bad:?} accepted");
        }
        assert_eq!(
            Keys::parse("x=password").unwrap_err().to_string(),
            "--keys: unknown field \"password\"; the fields are client-id, client-secret, realm, issuer, token-url, keycloak-url"
        );
    }

    #[test]
    fn secret_names_are_dns_subdomains() {
        for good in ["a", "my-app-auth", "a.b-c.d", "0x"] {
            validate_secret_name(good, "test").unwrap();
        }
        for bad in ["", "A", "-a", "a-", "a b", "a/b", "a..b", "a'b", "é", ".a", &"a".repeat(254)] {
            assert!(validate_secret_name(bad, "test").is_err(), "{bad:?} accepted");
        }
    }
}
