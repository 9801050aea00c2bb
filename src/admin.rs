//! The Keycloak admin credentials stored in a Kubernetes Secret
//! (CSM: `services/keycloak-master-admin-auth`, keys `user`, `password`,
//! `client-id`).

use std::collections::BTreeMap;
use std::fmt;

use crate::cluster::ObjectRef;
use crate::error::{Error, Kind, Result};

/// Used when the Secret has no `client-id` key.
pub const DEFAULT_ADMIN_CLIENT: &str = "admin-cli";

pub struct AdminCredentials {
    pub client_id: String,
    pub user: String,
    pub password: String,
}

/// Never print the password, even in `{:?}`.
impl fmt::Debug for AdminCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AdminCredentials")
            .field("client_id", &self.client_id)
            .field("user", &self.user)
            .field("password", &"<redacted>")
            .finish()
    }
}

impl AdminCredentials {
    pub fn from_secret_data(secret: &ObjectRef, mut data: BTreeMap<String, Vec<u8>>) -> Result<Self> {
        let mut take = |key: &str| data.remove(key).map(|bytes| text(secret, key, bytes)).transpose();
        let user = take("user")?;
        let password = take("password")?;
        let client_id = take("client-id")?.filter(|id| !id.is_empty());
        match (user, password) {
            (Some(user), Some(password)) if !user.is_empty() && !password.is_empty() => Ok(AdminCredentials {
                client_id: client_id.unwrap_or_else(|| DEFAULT_ADMIN_CLIENT.to_string()),
                user,
                password,
            }),
            (user, _) => {
                let missing = if user.as_deref().is_none_or(str::is_empty) { "user" } else { "password" };
                Err(Error::new(Kind::AdminSecret, format!("Secret {secret} has no (or an empty) {missing:?} key"))
                    .hint("it needs keys user and password (and optionally client-id); point --admin-secret at the right Secret"))
            }
        }
    }
}

fn text(secret: &ObjectRef, key: &str, bytes: Vec<u8>) -> Result<String> {
    let value = String::from_utf8(bytes)
        .map_err(|_| Error::new(Kind::AdminSecret, format!("key {key:?} of Secret {secret} is not UTF-8 text")))?;
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

    fn data(pairs: &[(&str, &[u8])]) -> BTreeMap<String, Vec<u8>> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_vec())).collect()
    }

    #[test]
    fn reads_csm_keys_and_defaults_the_client() {
        let creds = AdminCredentials::from_secret_data(&secret(), data(&[("user", b"admin"), ("password", b"pw\n")])).unwrap();
        assert_eq!((creds.client_id.as_str(), creds.user.as_str(), creds.password.as_str()), ("admin-cli", "admin", "pw"));
        let creds = AdminCredentials::from_secret_data(
            &secret(),
            data(&[("user", b"admin"), ("password", b"pw"), ("client-id", b"other-cli"), ("internal_token_url", b"x")]),
        )
        .unwrap();
        assert_eq!(creds.client_id, "other-cli");
    }

    #[test]
    fn missing_keys_are_named_and_never_the_password() {
        let err = AdminCredentials::from_secret_data(&secret(), data(&[("user", b"admin")])).unwrap_err();
        assert_eq!(err.kind, Kind::AdminSecret);
        assert!(err.to_string().contains("\"password\""), "{err}");
        let err = AdminCredentials::from_secret_data(&secret(), data(&[("password", b"hunter2")])).unwrap_err();
        assert!(err.to_string().contains("\"user\""));
        assert!(!err.to_string().contains("hunter2"));
    }

    #[test]
    fn debug_redacts_the_password() {
        let creds = AdminCredentials::from_secret_data(&secret(), data(&[("user", b"a"), ("password", b"hunter2")])).unwrap();
        assert!(!format!("{creds:?}").contains("hunter2"));
    }
}
