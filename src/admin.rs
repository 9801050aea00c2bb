//! The Keycloak admin credentials stored in a Kubernetes Secret.
//!
//! CSM keeps the master admin in `services/keycloak-master-admin-auth`
//! (keys `user`, `password`, `client-id`). Sites that lock the master admin
//! away can point `--admin-secret` at a service-account client's Secret
//! instead (keys `client-id`, `client-secret`), e.g. CSM's `admin-client-auth`.

use std::collections::BTreeMap;

use crate::cluster::ObjectRef;
use crate::error::{Error, Kind, Result};
use crate::secret::Secret;

/// Used for the password grant when the Secret has no `client-id` key.
pub const DEFAULT_ADMIN_CLIENT: &str = "admin-cli";

#[derive(Debug)]
pub enum AdminCredentials {
    /// Password grant as a user (the documented `get_master_token`).
    Password { client_id: String, user: String, password: Secret },
    /// client_credentials grant as a service-account client.
    ClientCredentials { client_id: String, secret: Secret },
}

impl AdminCredentials {
    pub fn from_secret_data(secret: &ObjectRef, mut data: BTreeMap<String, Vec<u8>>) -> Result<Self> {
        let mut take = |key: &str| -> Result<Option<String>> {
            Ok(data.remove(key).map(|bytes| text(secret, key, bytes)).transpose()?.filter(|v| !v.is_empty()))
        };
        let (user, password) = (take("user")?, take("password")?);
        let (client_id, client_secret) = (take("client-id")?, take("client-secret")?);
        let missing = |keys: &str| {
            Error::new(Kind::NotFound, format!("Secret {secret} has no (or an empty) {keys} key"))
                .hint("it needs keys user and password (client-id optional), or client-id and client-secret; point --admin-secret at the right Secret")
        };
        match (user, password, client_id, client_secret) {
            (Some(user), Some(password), client_id, _) => Ok(AdminCredentials::Password {
                client_id: client_id.unwrap_or_else(|| DEFAULT_ADMIN_CLIENT.to_string()),
                user,
                password: Secret::new(password),
            }),
            (None, None, Some(client_id), Some(secret)) => {
                Ok(AdminCredentials::ClientCredentials { client_id, secret: Secret::new(secret) })
            }
            (Some(_), None, ..) => Err(missing("\"password\"")),
            (None, Some(_), ..) => Err(missing("\"user\"")),
            (None, None, None, Some(_)) => Err(missing("\"client-id\"")),
            (None, None, ..) => Err(missing("\"user\"/\"password\" or \"client-id\"/\"client-secret\"")),
        }
    }

    /// Who logs in, for messages.
    pub fn describe(&self) -> String {
        match self {
            AdminCredentials::Password { user, .. } => format!("user {user:?}"),
            AdminCredentials::ClientCredentials { client_id, .. } => format!("service-account client {client_id:?}"),
        }
    }
}

fn text(secret: &ObjectRef, key: &str, bytes: Vec<u8>) -> Result<String> {
    let value = String::from_utf8(bytes)
        .map_err(|_| Error::new(Kind::NotFound, format!("key {key:?} of Secret {secret} is not UTF-8 text")))?;
    // `kubectl create secret --from-file` keeps a trailing newline that was
    // never part of the password.
    Ok(value.trim_end_matches(['\r', '\n']).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret() -> ObjectRef {
        ObjectRef { namespace: "services".into(), name: "keycloak-master-admin-auth".into() }
    }

    fn parse(pairs: &[(&str, &[u8])]) -> Result<AdminCredentials> {
        AdminCredentials::from_secret_data(&secret(), pairs.iter().map(|(k, v)| (k.to_string(), v.to_vec())).collect())
    }

    #[test]
    fn reads_csm_keys_and_defaults_the_client() {
        let Ok(AdminCredentials::Password { client_id, user, password }) = parse(&[("user", b"admin"), ("password", b"pw\n")])
        else {
            panic!("password grant expected")
        };
        assert_eq!((client_id.as_str(), user.as_str(), password.expose()), ("admin-cli", "admin", "pw"));
        let Ok(AdminCredentials::Password { client_id, .. }) =
            parse(&[("user", b"admin"), ("password", b"pw"), ("client-id", b"other-cli"), ("internal_token_url", b"x")])
        else {
            panic!("password grant expected")
        };
        assert_eq!(client_id, "other-cli");
    }

    #[test]
    fn a_service_account_secret_means_client_credentials() {
        let Ok(AdminCredentials::ClientCredentials { client_id, secret }) =
            parse(&[("client-id", b"admin-client"), ("client-secret", b"s")])
        else {
            panic!("client credentials expected")
        };
        assert_eq!((client_id.as_str(), secret.expose()), ("admin-client", "s"));
    }

    #[test]
    fn missing_keys_are_named_and_never_the_values() {
        let err = parse(&[("user", b"admin")]).unwrap_err();
        assert_eq!(err.kind, Kind::NotFound);
        assert!(err.to_string().contains("\"password\""), "{err}");
        let err = parse(&[("password", b"hunter2")]).unwrap_err();
        assert!(err.to_string().contains("\"user\""));
        assert!(!err.to_string().contains("hunter2"));
        assert!(parse(&[("client-secret", b"hunter2")]).unwrap_err().to_string().contains("\"client-id\""));
        assert!(parse(&[]).is_err());
    }

    #[test]
    fn debug_redacts_the_password_and_secret() {
        let creds = parse(&[("user", b"a"), ("password", b"hunter2")]).unwrap();
        assert!(!format!("{creds:?}").contains("hunter2"));
        let creds = parse(&[("client-id", b"a"), ("client-secret", b"hunter2")]).unwrap();
        assert!(!format!("{creds:?}").contains("hunter2"));
    }
}
