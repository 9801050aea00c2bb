//! The client representation, as far as this program reads it.

use serde_json::Value;

use crate::error::{Error, Kind, Result};
use crate::secret::Secret;

/// The fields of a client representation this program uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientInfo {
    pub id: String,
    pub client_id: String,
    pub public_client: bool,
    pub bearer_only: bool,
    pub service_accounts_enabled: bool,
    /// `clientAuthenticatorType`: how the client proves itself
    /// (`client-secret`, `client-secret-jwt`, `client-jwt`, `client-x509`, …).
    pub authenticator: Option<String>,
    /// The secret as the representation carries it (Keycloak 21 to 26
    /// include it in listings), unless absent, empty or masked (`****`).
    pub secret: Option<Secret>,
    /// When the secret was made (attribute `client.secret.creation.time`,
    /// epoch seconds; Keycloak 18+ sets it on REST creation and on
    /// regeneration, an imported secret has none).
    pub secret_created: Option<i64>,
    /// When a client policy's secret rotation lets it expire (attribute
    /// `client.secret.expiration.time`, epoch seconds).
    pub secret_expires: Option<i64>,
}

impl ClientInfo {
    pub fn from_json(value: &Value) -> Option<Self> {
        let flag = |name: &str| value.get(name).and_then(Value::as_bool).unwrap_or(false);
        Some(ClientInfo {
            id: value.get("id")?.as_str()?.to_string(),
            client_id: value.get("clientId")?.as_str()?.to_string(),
            public_client: flag("publicClient"),
            bearer_only: flag("bearerOnly"),
            service_accounts_enabled: flag("serviceAccountsEnabled"),
            authenticator: value.get("clientAuthenticatorType").and_then(Value::as_str).map(str::to_string),
            secret: value
                .get("secret")
                .and_then(Value::as_str)
                .filter(|secret| !secret.is_empty() && !secret.chars().all(|c| c == '*'))
                .map(Secret::new),
            secret_created: epoch_attribute(value, "client.secret.creation.time"),
            secret_expires: epoch_attribute(value, "client.secret.expiration.time"),
        })
    }

    /// A confidential client whose authenticator ignores the stored secret:
    /// only `client-secret` and `client-secret-jwt` (an HMAC keyed with the
    /// secret) use it.
    pub fn ignores_its_secret(&self) -> Option<&str> {
        match self.authenticator.as_deref() {
            None | Some("client-secret" | "client-secret-jwt") => None,
            Some(other) if !self.public_client => Some(other),
            Some(_) => None,
        }
    }

    /// Public clients have no secret to read or regenerate.
    pub fn require_confidential(&self, realm: &str) -> Result<()> {
        if self.public_client { Err(self.no_secret(realm)) } else { Ok(()) }
    }

    /// The "has no secret" error, naming why: public and bearer-only
    /// clients never have one; a confidential client may not have one yet
    /// (Keycloak 16 creates none over REST unless asked, and a client made
    /// confidential later starts without one).
    pub fn no_secret(&self, realm: &str) -> Error {
        let client_id = &self.client_id;
        match self.kind() {
            "confidential" => {
                Error::new(Kind::NoSecret, format!("confidential client {client_id:?} in realm {realm:?} has no secret yet"))
                    .hint(format!("generate one with: kubectl keycloak client-secret {client_id} --realm {realm} --regenerate"))
            }
            kind => Error::new(
                Kind::NoSecret,
                format!("client {client_id:?} in realm {realm:?} has no secret: it is a {kind} client"),
            )
            .hint("only confidential clients have secrets"),
        }
    }

    /// Seconds since the secret was made, when Keycloak recorded it.
    pub fn secret_age(&self, now: i64) -> Option<i64> {
        self.secret_created.map(|created| (now - created).max(0))
    }

    pub fn kind(&self) -> &'static str {
        match (self.public_client, self.bearer_only) {
            (true, _) => "public",
            (_, true) => "bearer-only",
            _ => "confidential",
        }
    }
}

/// Keycloak keeps attributes as strings, or as one-element lists of them
/// in some representations.
fn epoch_attribute(value: &Value, name: &str) -> Option<i64> {
    let attribute = value.get("attributes")?.get(name)?;
    let text = attribute.as_str().or_else(|| attribute.get(0)?.as_str())?;
    text.trim().parse().ok().filter(|seconds: &i64| *seconds > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_kinds_come_from_the_representation() {
        let client = |json: &str| ClientInfo::from_json(&serde_json::from_str(json).unwrap()).unwrap();
        assert_eq!(client(r#"{"id":"u","clientId":"c"}"#).kind(), "confidential");
        assert_eq!(client(r#"{"id":"u","clientId":"c","publicClient":true}"#).kind(), "public");
        assert_eq!(client(r#"{"id":"u","clientId":"c","bearerOnly":true}"#).kind(), "bearer-only");
        assert!(ClientInfo::from_json(&serde_json::json!({"clientId": "no id"})).is_none());
        assert_eq!(
            client(r#"{"id":"u","clientId":"c","clientAuthenticatorType":"client-jwt"}"#).ignores_its_secret(),
            Some("client-jwt")
        );
        assert_eq!(client(r#"{"id":"u","clientId":"c","secret":"s3"}"#).secret, Some(Secret::new("s3")));
        for hidden in [r#""""#, r#""**********""#, "null"] {
            assert_eq!(client(&format!(r#"{{"id":"u","clientId":"c","secret":{hidden}}}"#)).secret, None, "{hidden}");
        }
        let dated = client(r#"{"id":"u","clientId":"c","attributes":{"client.secret.creation.time":"1700000000"}}"#);
        assert_eq!((dated.secret_created, dated.secret_age(1_700_000_090)), (Some(1_700_000_000), Some(90)));
        assert_eq!(client(r#"{"id":"u","clientId":"c","attributes":{"client.secret.creation.time":"x"}}"#).secret_created, None);
        for uses in ["client-secret", "client-secret-jwt"] {
            let json = format!(r#"{{"id":"u","clientId":"c","clientAuthenticatorType":"{uses}"}}"#);
            assert_eq!(client(&json).ignores_its_secret(), None);
        }
    }
}
