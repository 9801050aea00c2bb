//! The admin a Keycloak container names in its environment.
//!
//! | Keycloak | user | service account |
//! |---|---|---|
//! | 26+ | `KC_BOOTSTRAP_ADMIN_USERNAME` / `_PASSWORD` | `KC_BOOTSTRAP_ADMIN_CLIENT_ID` / `_CLIENT_SECRET` |
//! | 17–25 | `KEYCLOAK_ADMIN` / `KEYCLOAK_ADMIN_PASSWORD` (Bitnami: `KEYCLOAK_ADMIN_USER`) | — |
//! | ≤16 | `KEYCLOAK_USER` / `KEYCLOAK_PASSWORD` | — |
//!
//! An omitted user name or client id is Keycloak's default: `temp-admin`
//! from 26 on, `admin` before.

use k8s_openapi::api::core::v1::Container;

use crate::admin::{AdminSource, Field};
use crate::cluster::{KeyRef, ObjectRef};

/// One way to name the admin: the variable holding the secret part, the
/// variables that may hold the name (first set wins), and the default name.
struct Rule {
    secret: &'static str,
    names: &'static [&'static str],
    default_name: &'static str,
    service_account: bool,
}

/// In order of preference: the newest convention first.
const RULES: [Rule; 4] = [
    Rule {
        secret: "KC_BOOTSTRAP_ADMIN_PASSWORD",
        names: &["KC_BOOTSTRAP_ADMIN_USERNAME"],
        default_name: "temp-admin",
        service_account: false,
    },
    Rule {
        secret: "KC_BOOTSTRAP_ADMIN_CLIENT_SECRET",
        names: &["KC_BOOTSTRAP_ADMIN_CLIENT_ID"],
        default_name: "temp-admin",
        service_account: true,
    },
    Rule {
        secret: "KEYCLOAK_ADMIN_PASSWORD",
        names: &["KEYCLOAK_ADMIN", "KEYCLOAK_ADMIN_USER"],
        default_name: "admin",
        service_account: false,
    },
    Rule { secret: "KEYCLOAK_PASSWORD", names: &["KEYCLOAK_USER"], default_name: "admin", service_account: false },
];

/// Variables that set Keycloak's relative path (Quarkus, Bitnami).
const RELATIVE_PATH: [&str; 2] = ["KC_HTTP_RELATIVE_PATH", "KEYCLOAK_HTTP_RELATIVE_PATH"];

/// The admin this container's environment names, if any. `namespace` is
/// the workload's, where its Secrets live.
///
/// Explicit `env` entries are certain; a Secret named by `envFrom` may or
/// may not hold a variable, so it is only consulted when `env` names no
/// admin at all.
pub fn admin(container: &Container, namespace: &str) -> Option<AdminSource> {
    admin_from(|name| explicit(container, namespace, name))
        .or_else(|| admin_from(|name| from_env_from(container, namespace, name)))
}

fn admin_from(variable: impl Fn(&str) -> Option<Field>) -> Option<AdminSource> {
    RULES.iter().find_map(|rule| {
        let secret = variable(rule.secret)?;
        let name =
            rule.names.iter().find_map(|name| variable(name)).unwrap_or_else(|| Field::Literal(rule.default_name.to_string()));
        Some(if rule.service_account {
            AdminSource::ServiceAccount { client_id: name, secret }
        } else {
            AdminSource::Password { user: name, password: secret }
        })
    })
}

/// Keycloak's relative path (`/auth`, `/keycloak`), when the environment
/// sets one as a literal.
pub fn relative_path(container: &Container) -> Option<String> {
    RELATIVE_PATH.iter().find_map(|name| match explicit(container, "", name)? {
        Field::Literal(path) => Some(path),
        Field::SecretKey(_) => None,
    })
}

/// An `env` entry's value: a literal `value` or a `valueFrom.secretKeyRef`
/// (the last entry of a name wins, as in Kubernetes).
fn explicit(container: &Container, namespace: &str, name: &str) -> Option<Field> {
    let var = container.env.iter().flatten().rev().find(|var| var.name == name)?;
    if let Some(value) = var.value.as_ref().filter(|v| !v.is_empty()) {
        return Some(Field::Literal(value.clone()));
    }
    let key = var.value_from.as_ref()?.secret_key_ref.as_ref()?;
    Some(Field::SecretKey(KeyRef {
        object: ObjectRef { namespace: namespace.to_string(), name: key.name.clone() },
        key: key.key.clone(),
    }))
}

/// The key of a Secret that `envFrom` turns into this variable.
fn from_env_from(container: &Container, namespace: &str, name: &str) -> Option<Field> {
    container.env_from.iter().flatten().rev().find_map(|source| {
        let secret = source.secret_ref.as_ref()?;
        let key = name.strip_prefix(source.prefix.as_deref().unwrap_or(""))?;
        Some(Field::SecretKey(KeyRef {
            object: ObjectRef { namespace: namespace.to_string(), name: secret.name.clone() },
            key: key.to_string(),
        }))
    })
}

#[cfg(test)]
mod tests {
    use k8s_openapi::api::core::v1::{EnvFromSource, EnvVar, EnvVarSource, SecretEnvSource, SecretKeySelector};

    use super::*;

    fn literal(name: &str, value: &str) -> EnvVar {
        EnvVar { name: name.into(), value: Some(value.into()), ..Default::default() }
    }

    fn from_secret(name: &str, secret: &str, key: &str) -> EnvVar {
        EnvVar {
            name: name.into(),
            value_from: Some(EnvVarSource {
                secret_key_ref: Some(SecretKeySelector { name: secret.into(), key: key.into(), ..Default::default() }),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    fn container(env: Vec<EnvVar>) -> Container {
        Container { name: "keycloak".into(), env: Some(env), ..Default::default() }
    }

    fn key(secret: &str, key: &str) -> Field {
        Field::SecretKey(KeyRef { object: ObjectRef { namespace: "ns".into(), name: secret.into() }, key: key.into() })
    }

    #[test]
    fn keycloak_26_bootstrap_admin_from_a_secret() {
        let c = container(vec![
            from_secret("KC_BOOTSTRAP_ADMIN_USERNAME", "kc-admin", "adminUser"),
            from_secret("KC_BOOTSTRAP_ADMIN_PASSWORD", "kc-admin", "adminPass"),
        ]);
        assert_eq!(
            admin(&c, "ns"),
            Some(AdminSource::Password { user: key("kc-admin", "adminUser"), password: key("kc-admin", "adminPass") })
        );
    }

    #[test]
    fn bitnami_names_the_user_literally_and_the_password_in_a_secret() {
        let c = container(vec![
            literal("KEYCLOAK_ADMIN_USER", "user"),
            from_secret("KEYCLOAK_ADMIN_PASSWORD", "keycloak", "admin-password"),
        ]);
        assert_eq!(
            admin(&c, "ns"),
            Some(AdminSource::Password { user: Field::Literal("user".into()), password: key("keycloak", "admin-password") })
        );
    }

    #[test]
    fn omitted_user_names_are_keycloaks_defaults() {
        let c = container(vec![literal("KC_BOOTSTRAP_ADMIN_PASSWORD", "pw")]);
        assert_eq!(
            admin(&c, "ns"),
            Some(AdminSource::Password { user: Field::Literal("temp-admin".into()), password: Field::Literal("pw".into()) })
        );
        let c = container(vec![literal("KEYCLOAK_PASSWORD", "pw")]);
        assert!(matches!(admin(&c, "ns"), Some(AdminSource::Password { user: Field::Literal(u), .. }) if u == "admin"));
    }

    #[test]
    fn the_bootstrap_service_account_is_a_client_credentials_admin() {
        let c = container(vec![
            literal("KC_BOOTSTRAP_ADMIN_CLIENT_ID", "boot"),
            from_secret("KC_BOOTSTRAP_ADMIN_CLIENT_SECRET", "s", "client-secret"),
        ]);
        assert_eq!(
            admin(&c, "ns"),
            Some(AdminSource::ServiceAccount { client_id: Field::Literal("boot".into()), secret: key("s", "client-secret") })
        );
    }

    #[test]
    fn newer_conventions_win_and_env_entries_win_over_env_from() {
        let both = container(vec![
            literal("KEYCLOAK_ADMIN", "old"),
            literal("KEYCLOAK_ADMIN_PASSWORD", "old-pw"),
            literal("KC_BOOTSTRAP_ADMIN_USERNAME", "new"),
            literal("KC_BOOTSTRAP_ADMIN_PASSWORD", "new-pw"),
        ]);
        assert!(matches!(admin(&both, "ns"), Some(AdminSource::Password { user: Field::Literal(u), .. }) if u == "new"));
        let env_from = vec![EnvFromSource {
            secret_ref: Some(SecretEnvSource { name: "bootstrap".into(), ..Default::default() }),
            ..Default::default()
        }];
        let mut explicit = container(vec![literal("KEYCLOAK_ADMIN", "old"), literal("KEYCLOAK_ADMIN_PASSWORD", "old-pw")]);
        explicit.env_from = Some(env_from.clone());
        assert!(matches!(admin(&explicit, "ns"), Some(AdminSource::Password { user: Field::Literal(u), .. }) if u == "old"));
        let mut only_env_from = container(vec![]);
        only_env_from.env_from = Some(env_from);
        assert_eq!(
            admin(&only_env_from, "ns"),
            Some(AdminSource::Password {
                user: key("bootstrap", "KC_BOOTSTRAP_ADMIN_USERNAME"),
                password: key("bootstrap", "KC_BOOTSTRAP_ADMIN_PASSWORD")
            })
        );
        assert_eq!(admin(&container(vec![literal("JAVA_OPTS", "-Xmx1g")]), "ns"), None);
    }

    #[test]
    fn relative_paths_come_from_either_variable() {
        assert_eq!(relative_path(&container(vec![literal("KC_HTTP_RELATIVE_PATH", "/auth")])).as_deref(), Some("/auth"));
        assert_eq!(relative_path(&container(vec![literal("KEYCLOAK_HTTP_RELATIVE_PATH", "/kc")])).as_deref(), Some("/kc"));
        assert_eq!(relative_path(&container(vec![])), None);
    }
}
