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

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::Container;

use crate::cluster::{KeyRef, ObjectRef};
use crate::credentials::{AdminSource, ValueFrom};

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

/// ConfigMaps' data by `namespace/name`, for variables `envFrom` takes
/// from them.
pub type ConfigMaps = BTreeMap<String, BTreeMap<String, String>>;

/// The admin this container's environment names, if any. `namespace` is
/// the workload's, where its Secrets and ConfigMaps live.
///
/// Explicit `env` entries are certain; a Secret or ConfigMap named by
/// `envFrom` may or may not hold a variable, so for the secret part it is
/// only consulted when `env` names no admin at all, and a name taken from
/// it falls back to Keycloak's default.
pub fn admin(container: &Container, namespace: &str) -> Option<AdminSource> {
    let explicit = |name: &str| explicit(container, namespace, name);
    let env_from = |name: &str| env_from(container, namespace, name);
    admin_from(explicit, container, namespace).or_else(|| admin_from(env_from, container, namespace))
}

fn admin_from(
    secret_variable: impl Fn(&str) -> Option<ValueFrom>,
    container: &Container,
    namespace: &str,
) -> Option<AdminSource> {
    RULES.iter().find_map(|rule| {
        let secret = secret_variable(rule.secret)?;
        let default = ValueFrom::Literal(rule.default_name.to_string());
        let name = rule
            .names
            .iter()
            .find_map(|name| explicit(container, namespace, name))
            .or_else(|| {
                let from = rule.names.iter().find_map(|name| env_from(container, namespace, name))?;
                Some(ValueFrom::FirstOf(vec![from, default.clone()]))
            })
            .unwrap_or(default);
        Some(if rule.service_account {
            AdminSource::ServiceAccount { client_id: name, secret }
        } else {
            AdminSource::Password { user: name, password: secret }
        })
    })
}

/// Keycloak's relative path (`/auth`, `/keycloak`) when the environment
/// sets one: literally, or from a ConfigMap in `configmaps`.
pub fn relative_path(container: &Container, namespace: &str, configmaps: &ConfigMaps) -> Option<String> {
    let value = |field: ValueFrom| match field {
        ValueFrom::Literal(path) => Some(path),
        ValueFrom::ConfigMapKey(key) => configmaps.get(&key.object.to_string())?.get(&key.key).cloned(),
        ValueFrom::FirstOf(fields) => fields.into_iter().find_map(|field| match field {
            ValueFrom::ConfigMapKey(key) => configmaps.get(&key.object.to_string())?.get(&key.key).cloned(),
            _ => None,
        }),
        ValueFrom::SecretKey(_) => None,
    };
    RELATIVE_PATH.iter().find_map(|name| {
        explicit(container, namespace, name).and_then(value).or_else(|| env_from(container, namespace, name).and_then(value))
    })
}

/// ConfigMaps whose variables `envFrom` takes, as `namespace/name`.
pub fn env_from_configmaps(container: &Container, namespace: &str) -> Vec<ObjectRef> {
    container
        .env_from
        .iter()
        .flatten()
        .filter_map(|source| {
            Some(ObjectRef { namespace: namespace.to_string(), name: source.config_map_ref.as_ref()?.name.clone() })
        })
        .collect()
}

/// An `env` entry's value: a literal `value`, a `valueFrom.secretKeyRef` or
/// `configMapKeyRef` (the last entry of a name wins, as in Kubernetes).
fn explicit(container: &Container, namespace: &str, name: &str) -> Option<ValueFrom> {
    let var = container.env.iter().flatten().rev().find(|var| var.name == name)?;
    if let Some(value) = var.value.as_ref().filter(|v| !v.is_empty()) {
        return Some(ValueFrom::Literal(value.clone()));
    }
    let from = var.value_from.as_ref()?;
    let key = |name: &str, key: &str| KeyRef {
        object: ObjectRef { namespace: namespace.to_string(), name: name.to_string() },
        key: key.to_string(),
    };
    if let Some(secret) = &from.secret_key_ref {
        return Some(ValueFrom::SecretKey(key(&secret.name, &secret.key)));
    }
    let configmap = from.config_map_key_ref.as_ref()?;
    Some(ValueFrom::ConfigMapKey(key(&configmap.name, &configmap.key)))
}

/// The keys of the Secrets and ConfigMaps that `envFrom` may turn into this
/// variable, the one that wins first (later entries win, as in Kubernetes).
fn env_from(container: &Container, namespace: &str, name: &str) -> Option<ValueFrom> {
    let fields: Vec<ValueFrom> = container
        .env_from
        .iter()
        .flatten()
        .rev()
        .filter_map(|source| {
            let key = name.strip_prefix(source.prefix.as_deref().unwrap_or(""))?.to_string();
            let in_namespace = |object: &str| ObjectRef { namespace: namespace.to_string(), name: object.to_string() };
            match (&source.secret_ref, &source.config_map_ref) {
                (Some(secret), _) => Some(ValueFrom::SecretKey(KeyRef { object: in_namespace(&secret.name), key })),
                (None, Some(configmap)) => Some(ValueFrom::ConfigMapKey(KeyRef { object: in_namespace(&configmap.name), key })),
                (None, None) => None,
            }
        })
        .collect();
    match fields.len() {
        0 => None,
        1 => fields.into_iter().next(),
        _ => Some(ValueFrom::FirstOf(fields)),
    }
}

#[cfg(test)]
mod tests {
    use k8s_openapi::api::core::v1::{
        ConfigMapEnvSource, EnvFromSource, EnvVar, EnvVarSource, SecretEnvSource, SecretKeySelector,
    };

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

    fn key(secret: &str, key: &str) -> ValueFrom {
        ValueFrom::SecretKey(KeyRef { object: ObjectRef { namespace: "ns".into(), name: secret.into() }, key: key.into() })
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
            Some(AdminSource::Password { user: ValueFrom::Literal("user".into()), password: key("keycloak", "admin-password") })
        );
    }

    #[test]
    fn omitted_user_names_are_keycloaks_defaults() {
        let c = container(vec![literal("KC_BOOTSTRAP_ADMIN_PASSWORD", "pw")]);
        assert_eq!(
            admin(&c, "ns"),
            Some(AdminSource::Password {
                user: ValueFrom::Literal("temp-admin".into()),
                password: ValueFrom::Literal("pw".into())
            })
        );
        let c = container(vec![literal("KEYCLOAK_PASSWORD", "pw")]);
        assert!(matches!(admin(&c, "ns"), Some(AdminSource::Password { user: ValueFrom::Literal(u), .. }) if u == "admin"));
    }

    #[test]
    fn the_bootstrap_service_account_is_a_client_credentials_admin() {
        let c = container(vec![
            literal("KC_BOOTSTRAP_ADMIN_CLIENT_ID", "boot"),
            from_secret("KC_BOOTSTRAP_ADMIN_CLIENT_SECRET", "s", "client-secret"),
        ]);
        assert_eq!(
            admin(&c, "ns"),
            Some(AdminSource::ServiceAccount { client_id: ValueFrom::Literal("boot".into()), secret: key("s", "client-secret") })
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
        assert!(matches!(admin(&both, "ns"), Some(AdminSource::Password { user: ValueFrom::Literal(u), .. }) if u == "new"));
        let env_from = vec![EnvFromSource {
            secret_ref: Some(SecretEnvSource { name: "bootstrap".into(), ..Default::default() }),
            ..Default::default()
        }];
        let mut explicit = container(vec![literal("KEYCLOAK_ADMIN", "old"), literal("KEYCLOAK_ADMIN_PASSWORD", "old-pw")]);
        explicit.env_from = Some(env_from.clone());
        assert!(matches!(admin(&explicit, "ns"), Some(AdminSource::Password { user: ValueFrom::Literal(u), .. }) if u == "old"));
        let mut only_env_from = container(vec![]);
        only_env_from.env_from = Some(env_from);
        assert_eq!(
            admin(&only_env_from, "ns"),
            Some(AdminSource::Password {
                user: ValueFrom::FirstOf(vec![
                    key("bootstrap", "KC_BOOTSTRAP_ADMIN_USERNAME"),
                    ValueFrom::Literal("temp-admin".into())
                ]),
                password: key("bootstrap", "KC_BOOTSTRAP_ADMIN_PASSWORD")
            })
        );
        assert_eq!(admin(&container(vec![literal("JAVA_OPTS", "-Xmx1g")]), "ns"), None);
    }

    #[test]
    fn relative_paths_come_from_either_variable() {
        let none = ConfigMaps::new();
        assert_eq!(
            relative_path(&container(vec![literal("KC_HTTP_RELATIVE_PATH", "/auth")]), "ns", &none).as_deref(),
            Some("/auth")
        );
        assert_eq!(
            relative_path(&container(vec![literal("KEYCLOAK_HTTP_RELATIVE_PATH", "/kc")]), "ns", &none).as_deref(),
            Some("/kc")
        );
        assert_eq!(relative_path(&container(vec![]), "ns", &none), None);
    }

    #[test]
    fn the_bitnami_chart_keeps_the_user_and_path_in_a_configmap() {
        let mut c = container(vec![from_secret("KC_BOOTSTRAP_ADMIN_PASSWORD", "keycloak", "admin-password")]);
        c.env_from = Some(vec![EnvFromSource {
            config_map_ref: Some(ConfigMapEnvSource { name: "keycloak-env-vars".into(), ..Default::default() }),
            ..Default::default()
        }]);
        let in_configmap = |k: &str| {
            ValueFrom::ConfigMapKey(KeyRef {
                object: ObjectRef { namespace: "ns".into(), name: "keycloak-env-vars".into() },
                key: k.into(),
            })
        };
        assert_eq!(
            admin(&c, "ns"),
            Some(AdminSource::Password {
                user: ValueFrom::FirstOf(vec![
                    in_configmap("KC_BOOTSTRAP_ADMIN_USERNAME"),
                    ValueFrom::Literal("temp-admin".into())
                ]),
                password: key("keycloak", "admin-password")
            })
        );
        let configmaps: ConfigMaps =
            [("ns/keycloak-env-vars".to_string(), [("KC_HTTP_RELATIVE_PATH".to_string(), "/auth".to_string())].into())].into();
        assert_eq!(relative_path(&c, "ns", &configmaps).as_deref(), Some("/auth"));
        assert_eq!(env_from_configmaps(&c, "ns"), [ObjectRef { namespace: "ns".into(), name: "keycloak-env-vars".into() }]);
    }
}
