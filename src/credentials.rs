//! The Keycloak admin credentials, wherever a deployment keeps them.
//!
//! CSM keeps the master admin in `services/keycloak-master-admin-auth`
//! (keys `user`, `password`, `client-id`); the Keycloak Operator in
//! `<name>-initial-admin` (`username`, `password`); the Bitnami chart in a
//! Secret with `admin-password` and the user name in the pod spec. A
//! service-account admin's Secret holds `client-id` and `client-secret`.
//! Workloads name their admin in container environment variables, literal
//! or taken from Secret keys (see `discovery`).

use std::collections::BTreeMap;

use crate::cluster::{Cluster, KeyRef, ObjectRef};
use crate::error::{Error, Kind, Result};
use crate::secret::Secret;

/// Used for the password grant when the Secret has no `client-id` key.
pub const DEFAULT_ADMIN_CLIENT: &str = "admin-cli";

/// Keys a Secret may use for the user name and the password, in order.
const USER_KEYS: [&str; 2] = ["user", "username"];
const PASSWORD_KEYS: [&str; 2] = ["password", "admin-password"];

#[derive(Debug)]
pub enum AdminCredentials {
    /// Password grant as a user (the documented `get_master_token`).
    Password { client_id: String, user: String, password: Secret },
    /// client_credentials grant as a service-account client. `realm`: the
    /// realm the client lives in, when its Secret says (`admin-account
    /// create --in-realm` writes a `realm` key).
    ClientCredentials { client_id: String, secret: Secret, realm: Option<String> },
}

/// `--admin-user`, `--admin-user-key`, `--admin-password-key`: for Secrets
/// whose keys are not among the well-known names.
#[derive(Debug, Default, Clone)]
pub struct KeyNames {
    pub user: Option<String>,
    pub user_key: Option<String>,
    pub password_key: Option<String>,
}

/// One value of the credentials: written in a pod spec, or a key of a
/// Secret or ConfigMap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValueFrom {
    Literal(String),
    SecretKey(KeyRef),
    ConfigMapKey(KeyRef),
    /// The first of these whose object holds the key (`envFrom` names whole
    /// Secrets and ConfigMaps, which may or may not hold a variable); a
    /// trailing literal is the default.
    FirstOf(Vec<ValueFrom>),
    /// A file the container reads (`KC_BOOTSTRAP_ADMIN_PASSWORD_FILE`), at
    /// `path`, projected from a Secret or ConfigMap key.
    File {
        path: String,
        source: Box<ValueFrom>,
    },
}

impl std::fmt::Display for ValueFrom {
    /// Where the value is, never the value of a secret: literals shown here
    /// are user names and client ids only (see [`AdminSource::describe`]).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ValueFrom::Literal(value) => write!(f, "{value:?}"),
            ValueFrom::SecretKey(key) => write!(f, "Secret {key}"),
            ValueFrom::ConfigMapKey(key) => write!(f, "ConfigMap {key}"),
            ValueFrom::FirstOf(fields) => {
                let each: Vec<String> = fields.iter().map(ValueFrom::to_string).collect();
                write!(f, "{}", each.join(" or "))
            }
            ValueFrom::File { path, source } => write!(f, "{source} (file {path})"),
        }
    }
}

impl ValueFrom {
    /// Readable by anyone who may read the workload (a pod spec or a ConfigMap).
    fn is_readable_in_clear(&self) -> bool {
        match self {
            ValueFrom::Literal(_) | ValueFrom::ConfigMapKey(_) => true,
            ValueFrom::SecretKey(_) => false,
            ValueFrom::FirstOf(fields) => fields.iter().any(ValueFrom::is_readable_in_clear),
            ValueFrom::File { source, .. } => source.is_readable_in_clear(),
        }
    }
}

/// Where the admin credentials come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AdminSource {
    /// A Secret whose keys name themselves (see [`USER_KEYS`], [`PASSWORD_KEYS`],
    /// `client-id`, `client-secret`).
    Secret(ObjectRef),
    /// A user and password, e.g. from a workload's environment.
    Password { user: ValueFrom, password: ValueFrom },
    /// A service-account client, e.g. Keycloak 26's bootstrap admin client.
    ServiceAccount { client_id: ValueFrom, secret: ValueFrom },
}

impl AdminSource {
    /// For `discover`, `config` and `-v`: Secret and key names, or "literal
    /// in pod spec" — never a password or secret.
    pub fn describe(&self) -> String {
        let secret_field = |field: &ValueFrom| match field {
            ValueFrom::Literal(_) => "literal in pod spec".to_string(),
            other => other.to_string(),
        };
        match self {
            AdminSource::Secret(secret) => format!("Secret {secret}"),
            AdminSource::Password { user, password } => format!("user {user}, password {}", secret_field(password)),
            AdminSource::ServiceAccount { client_id, secret } => {
                format!("client {client_id}, secret {}", secret_field(secret))
            }
        }
    }

    /// Where the admin's password (or client secret) comes from, in one
    /// word, for a narrow table: `Secret` (a Secret of its own), `env` (the
    /// workload's environment, from a Secret or ConfigMap), `file` (a file
    /// mounted from a Secret, named by a `*_FILE` variable), `literal` (written
    /// into the workload's spec, readable by anyone who may read it).
    pub fn short(&self) -> &'static str {
        match self {
            AdminSource::Secret(_) => "Secret",
            _ if self.has_literal_secret() => "literal",
            AdminSource::Password { password: ValueFrom::File { .. }, .. }
            | AdminSource::ServiceAccount { secret: ValueFrom::File { .. }, .. } => "file",
            AdminSource::Password { .. } | AdminSource::ServiceAccount { .. } => "env",
        }
    }

    /// A password written into a workload's spec: readable by anyone who may
    /// read the workload.
    pub fn has_literal_secret(&self) -> bool {
        match self {
            AdminSource::Secret(_) => false,
            AdminSource::Password { password: secret, .. } | AdminSource::ServiceAccount { secret, .. } => {
                secret.is_readable_in_clear()
            }
        }
    }
}

impl AdminCredentials {
    /// Read the credentials from the cluster.
    /// `prefetched`: the data of the admin Secret when it was already read.
    pub fn read(
        cluster: &Cluster,
        source: &AdminSource,
        names: &KeyNames,
        prefetched: Option<BTreeMap<String, Vec<u8>>>,
    ) -> Result<Self> {
        let mut secrets = SecretCache { cluster, read: BTreeMap::new(), configmaps: BTreeMap::new() };
        if let (AdminSource::Secret(secret), Some(data)) = (source, prefetched) {
            secrets.read.insert(secret.to_string(), data);
        }
        match source {
            AdminSource::Secret(secret) => Self::from_secret_data(secret, secrets.data(secret)?.clone(), names),
            AdminSource::Password { user, password } => Ok(AdminCredentials::Password {
                client_id: DEFAULT_ADMIN_CLIENT.to_string(),
                user: secrets.field(user)?,
                password: Secret::new(secrets.field(password)?),
            }),
            AdminSource::ServiceAccount { client_id, secret } => Ok(AdminCredentials::ClientCredentials {
                client_id: secrets.field(client_id)?,
                secret: Secret::new(secrets.field(secret)?),
                realm: None,
            }),
        }
    }

    pub fn from_secret_data(secret: &ObjectRef, mut data: BTreeMap<String, Vec<u8>>, names: &KeyNames) -> Result<Self> {
        let mut take = |keys: &[&str]| -> Result<Option<String>> {
            for key in keys {
                if let Some(value) =
                    data.remove(*key).map(|bytes| text(secret, key, bytes)).transpose()?.filter(|v| !v.is_empty())
                {
                    return Ok(Some(value));
                }
            }
            Ok(None)
        };
        let user = match (&names.user, &names.user_key) {
            (Some(user), _) => Some(user.clone()),
            (None, Some(key)) => take(&[key])?,
            (None, None) => take(&USER_KEYS)?,
        };
        let password = match &names.password_key {
            Some(key) => take(&[key])?,
            None => take(&PASSWORD_KEYS)?,
        };
        let (client_id, client_secret, realm) = (take(&["client-id"])?, take(&["client-secret"])?, take(&["realm"])?);
        let missing = |keys: &str| {
            Error::new(Kind::NotFound, format!("Secret {secret} has no (or an empty) {keys} key")).hint(
                "it needs keys user (or username) and password (or admin-password), or client-id and client-secret; \
                 name other keys with --admin-user-key and --admin-password-key, a literal user with --admin-user",
            )
        };
        let user_keys = names.user_key.as_ref().map_or_else(|| "\"user\"".to_string(), |key| format!("{key:?}"));
        let password_keys = names.password_key.as_ref().map_or_else(|| "\"password\"".to_string(), |key| format!("{key:?}"));
        match (user, password, client_id, client_secret) {
            (Some(user), Some(password), client_id, _) => Ok(AdminCredentials::Password {
                client_id: client_id.unwrap_or_else(|| DEFAULT_ADMIN_CLIENT.to_string()),
                user,
                password: Secret::new(password),
            }),
            (None, None, Some(client_id), Some(secret)) => {
                Ok(AdminCredentials::ClientCredentials { client_id, secret: Secret::new(secret), realm })
            }
            (Some(_), None, ..) => Err(missing(&password_keys)),
            (None, Some(_), ..) => Err(missing(&user_keys)),
            (None, None, None, Some(_)) => Err(missing("\"client-id\"")),
            (None, None, ..) => Err(missing(&format!("{user_keys}/{password_keys} or \"client-id\"/\"client-secret\""))),
        }
    }

    /// The OAuth client the login uses.
    pub fn client_id(&self) -> &str {
        match self {
            AdminCredentials::Password { client_id, .. } | AdminCredentials::ClientCredentials { client_id, .. } => client_id,
        }
    }

    /// The realm a service account's Secret says it lives in.
    pub fn realm(&self) -> Option<&str> {
        match self {
            AdminCredentials::ClientCredentials { realm, .. } => realm.as_deref(),
            AdminCredentials::Password { .. } => None,
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

/// Each Secret and ConfigMap read once, however many fields it holds.
struct SecretCache<'a> {
    cluster: &'a Cluster,
    read: BTreeMap<String, BTreeMap<String, Vec<u8>>>,
    configmaps: BTreeMap<String, BTreeMap<String, String>>,
}

impl SecretCache<'_> {
    fn data(&mut self, secret: &ObjectRef) -> Result<&BTreeMap<String, Vec<u8>>> {
        let name = secret.to_string();
        if !self.read.contains_key(&name) {
            let data = self.cluster.secret_data(secret).map_err(|err| {
                err.hint_for(Kind::NotFound, "check the namespace and name (--admin-secret NAMESPACE/NAME), and the --context")
            })?;
            self.read.insert(name.clone(), data);
        }
        Ok(&self.read[&name])
    }

    fn configmap(&mut self, configmap: &ObjectRef) -> Result<&BTreeMap<String, String>> {
        let name = configmap.to_string();
        if !self.configmaps.contains_key(&name) {
            let data = self.cluster.configmap_data(configmap)?;
            self.configmaps.insert(name.clone(), data);
        }
        Ok(&self.configmaps[&name])
    }

    /// The field's value; `None` when its object lacks the key.
    fn lookup(&mut self, field: &ValueFrom) -> Result<Option<String>> {
        match field {
            ValueFrom::Literal(value) => Ok(Some(value.clone())),
            ValueFrom::SecretKey(key) => match self.data(&key.object)?.get(&key.key).cloned() {
                Some(bytes) => text(&key.object, &key.key, bytes).map(Some),
                None => Ok(None),
            },
            ValueFrom::ConfigMapKey(key) => Ok(self.configmap(&key.object)?.get(&key.key).cloned()),
            ValueFrom::FirstOf(fields) => {
                for field in fields {
                    if let Some(value) = self.lookup(field)? {
                        return Ok(Some(value));
                    }
                }
                Ok(None)
            }
            ValueFrom::File { source, .. } => self.lookup(source),
        }
    }

    fn field(&mut self, field: &ValueFrom) -> Result<String> {
        self.lookup(field)?.ok_or_else(|| {
            Error::new(Kind::NotFound, format!("{field} does not exist"))
                .hint("the workload's environment names it; check that object")
        })
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

    fn parse_with(pairs: &[(&str, &[u8])], names: &KeyNames) -> Result<AdminCredentials> {
        AdminCredentials::from_secret_data(&secret(), pairs.iter().map(|(k, v)| (k.to_string(), v.to_vec())).collect(), names)
    }

    fn parse(pairs: &[(&str, &[u8])]) -> Result<AdminCredentials> {
        parse_with(pairs, &KeyNames::default())
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
        let Ok(AdminCredentials::ClientCredentials { client_id, secret, realm }) =
            parse(&[("client-id", b"admin-client"), ("client-secret", b"s")])
        else {
            panic!("client credentials expected")
        };
        assert_eq!((client_id.as_str(), secret.expose(), realm), ("admin-client", "s", None));
    }

    #[test]
    fn a_service_account_secret_may_name_its_realm() {
        let account = parse(&[("client-id", b"a"), ("client-secret", b"s"), ("realm", b"shasta")]).unwrap();
        assert_eq!(account.realm(), Some("shasta"));
        let password = parse(&[("user", b"admin"), ("password", b"p"), ("realm", b"shasta")]).unwrap();
        assert_eq!(password.realm(), None);
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
    fn operator_and_bitnami_key_names_are_read() {
        let Ok(AdminCredentials::Password { user, password, .. }) = parse(&[("username", b"temp-admin"), ("password", b"pw")])
        else {
            panic!("password grant expected")
        };
        assert_eq!((user.as_str(), password.expose()), ("temp-admin", "pw"));
        let names = KeyNames { user: Some("user".into()), ..KeyNames::default() };
        let Ok(AdminCredentials::Password { user, password, .. }) = parse_with(&[("admin-password", b"bp")], &names) else {
            panic!("password grant expected")
        };
        assert_eq!((user.as_str(), password.expose()), ("user", "bp"));
        let err = parse(&[("admin-password", b"bp")]).unwrap_err();
        assert!(err.to_string().contains("--admin-user"), "{err}");
    }

    #[test]
    fn custom_key_names_replace_the_well_known_ones() {
        let names =
            KeyNames { user_key: Some("adminUser".into()), password_key: Some("adminPass".into()), ..KeyNames::default() };
        let Ok(AdminCredentials::Password { user, password, .. }) =
            parse_with(&[("adminUser", b"kx"), ("adminPass", b"kp"), ("password", b"other")], &names)
        else {
            panic!("password grant expected")
        };
        assert_eq!((user.as_str(), password.expose()), ("kx", "kp"));
        let err = parse_with(&[("adminUser", b"kx")], &names).unwrap_err();
        assert!(err.to_string().contains("no (or an empty) \"adminPass\" key"), "{err}");
    }

    #[test]
    fn sources_are_described_without_secret_values() {
        let key = |k: &str| ValueFrom::SecretKey(KeyRef { object: secret(), key: k.into() });
        let literal =
            AdminSource::Password { user: ValueFrom::Literal("admin".into()), password: ValueFrom::Literal("hunter2".into()) };
        assert_eq!(literal.describe(), "user \"admin\", password literal in pod spec");
        assert!(literal.has_literal_secret());
        let from_secret = AdminSource::Password { user: key("u"), password: key("p") };
        assert_eq!(
            from_secret.describe(),
            "user Secret services/keycloak-master-admin-auth:u, password Secret services/keycloak-master-admin-auth:p"
        );
        assert!(!from_secret.has_literal_secret());
    }

    #[test]
    fn debug_redacts_the_password_and_secret() {
        let creds = parse(&[("user", b"a"), ("password", b"hunter2")]).unwrap();
        assert!(!format!("{creds:?}").contains("hunter2"));
        let creds = parse(&[("client-id", b"a"), ("client-secret", b"hunter2")]).unwrap();
        assert!(!format!("{creds:?}").contains("hunter2"));
    }
}
