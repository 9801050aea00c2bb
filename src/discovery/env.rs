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

use k8s_openapi::api::core::v1::{Container, KeyToPath, Volume};

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

/// A Keycloak container's environment as its pod would see it: its `env`
/// and `envFrom`, the ConfigMaps already read, and the pod's volumes for
/// `*_FILE` variables. `namespace` is the workload's, where its Secrets
/// and ConfigMaps live.
pub struct PodEnv<'a> {
    pub container: &'a Container,
    pub volumes: &'a [Volume],
    pub namespace: &'a str,
    pub configmaps: &'a ConfigMaps,
}

impl PodEnv<'_> {
    /// The admin this environment names, if any.
    ///
    /// Explicit `env` entries, and files they (or a ConfigMap already read)
    /// name, are certain; a Secret named by `envFrom`, or a ConfigMap that
    /// could not be read, may or may not hold a variable, so for the secret
    /// part it is only consulted when nothing certain names an admin, and a
    /// name taken from it falls back to Keycloak's default.
    pub fn admin(&self) -> Option<AdminSource> {
        self.admin_from(|name| self.certain(name)).or_else(|| self.admin_from(|name| self.env_from(name)))
    }

    fn admin_from(&self, secret_variable: impl Fn(&str) -> Option<ValueFrom>) -> Option<AdminSource> {
        RULES.iter().find_map(|rule| {
            let secret = secret_variable(rule.secret)?;
            let default = ValueFrom::Literal(rule.default_name.to_string());
            let name = rule
                .names
                .iter()
                .find_map(|name| self.certain(name))
                .or_else(|| {
                    let from = rule.names.iter().find_map(|name| self.env_from(name))?;
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
    /// sets one: literally, or from a ConfigMap already read.
    pub fn relative_path(&self) -> Option<String> {
        RELATIVE_PATH.iter().find_map(|name| self.text(name))
    }

    /// Keycloak serves HTTPS: a certificate or key store is configured
    /// (variables or `kc.sh` options), or Bitnami's `KEYCLOAK_ENABLE_HTTPS`.
    /// Without one, a Service's `https` port (keycloakx renders one always)
    /// leads nowhere.
    pub fn serves_tls(&self) -> bool {
        const OPTIONS: [&str; 2] = ["https-certificate-file", "https-key-store-file"];
        let variable = |option: &str| format!("KC_{}", option.to_uppercase().replace('-', "_"));
        let words = self.container.command.iter().chain(self.container.args.iter()).flatten();
        let in_arguments = words.into_iter().any(|word| OPTIONS.iter().any(|o| word.starts_with(&format!("--{o}"))));
        in_arguments
            || OPTIONS.iter().any(|option| self.certain(&variable(option)).is_some())
            || self.text("KEYCLOAK_ENABLE_HTTPS").is_some_and(|value| value.eq_ignore_ascii_case("true"))
    }

    /// Where a variable certainly comes from: its `env` entry, a ConfigMap
    /// `envFrom` entry known to hold it, or the file its `NAME_FILE`
    /// variable names (Bitnami's images read those).
    fn certain(&self, name: &str) -> Option<ValueFrom> {
        self.in_spec(name).or_else(|| self.file(name))
    }

    /// A variable's `env` entry, or a ConfigMap `envFrom` entry known to
    /// hold it.
    fn in_spec(&self, name: &str) -> Option<ValueFrom> {
        let from_configmap = || match self.env_from(name)? {
            field @ ValueFrom::ConfigMapKey(_) if self.known(&field) => Some(field),
            _ => None,
        };
        explicit(self.container, self.namespace, name).or_else(from_configmap)
    }

    /// The variable's value when the pod spec or a ConfigMap already read
    /// holds it in clear.
    fn text(&self, name: &str) -> Option<String> {
        match self.in_spec(name)? {
            ValueFrom::Literal(value) => Some(value),
            ValueFrom::ConfigMapKey(key) => self.configmaps.get(&key.object.to_string())?.get(&key.key).cloned(),
            _ => None,
        }
    }

    /// A ConfigMap key whose ConfigMap was read and holds it.
    fn known(&self, field: &ValueFrom) -> bool {
        let ValueFrom::ConfigMapKey(key) = field else { return false };
        self.configmaps.get(&key.object.to_string()).is_some_and(|data| data.contains_key(&key.key))
    }

    /// The Secret or ConfigMap key behind the file `NAME_FILE` names: the
    /// volume mounted at that path (a `subPath` mount, else the deepest
    /// mount holding it), and the key projected to it (`items`, else the
    /// key named like the file).
    fn file(&self, name: &str) -> Option<ValueFrom> {
        let path = self.text(&format!("{name}_FILE"))?;
        let (mount, relative) = self
            .container
            .volume_mounts
            .iter()
            .flatten()
            .filter_map(|mount| {
                let mount_path = mount.mount_path.trim_end_matches('/');
                match mount.sub_path.as_deref().filter(|sub| !sub.is_empty()) {
                    Some(sub_path) => (path == mount_path).then(|| (mount, sub_path.to_string())),
                    None => Some((mount, path.strip_prefix(mount_path)?.strip_prefix('/')?.to_string())),
                }
            })
            .max_by_key(|(mount, _)| mount.mount_path.len())?;
        let volume = self.volumes.iter().find(|volume| volume.name == mount.name)?;
        let in_namespace = |object: &str, key: String| KeyRef {
            object: ObjectRef { namespace: self.namespace.to_string(), name: object.to_string() },
            key,
        };
        let mut sources = Vec::new();
        if let Some(secret) = &volume.secret {
            let key = projected_key(secret.items.as_deref(), &relative);
            sources.extend(
                key.zip(secret.secret_name.as_deref()).map(|(key, object)| ValueFrom::SecretKey(in_namespace(object, key))),
            );
        }
        if let Some(configmap) = &volume.config_map {
            let key = projected_key(configmap.items.as_deref(), &relative);
            sources.extend(key.map(|key| ValueFrom::ConfigMapKey(in_namespace(&configmap.name, key))));
        }
        for projection in volume.projected.iter().flat_map(|projected| projected.sources.iter().flatten()) {
            if let Some(secret) = &projection.secret {
                let key = projected_key(secret.items.as_deref(), &relative);
                sources.extend(key.map(|key| ValueFrom::SecretKey(in_namespace(&secret.name, key))));
            }
            if let Some(configmap) = &projection.config_map {
                let key = projected_key(configmap.items.as_deref(), &relative);
                sources.extend(key.map(|key| ValueFrom::ConfigMapKey(in_namespace(&configmap.name, key))));
            }
        }
        let source = match sources.len() {
            0 => return None,
            1 => sources.remove(0),
            _ => ValueFrom::FirstOf(sources),
        };
        Some(ValueFrom::File { path, source: Box::new(source) })
    }

    /// The keys of the Secrets and ConfigMaps that `envFrom` may turn into
    /// this variable, the one that wins first (later entries win, as in
    /// Kubernetes); a ConfigMap already read that lacks it is left out.
    fn env_from(&self, name: &str) -> Option<ValueFrom> {
        let mut fields: Vec<ValueFrom> = self
            .container
            .env_from
            .iter()
            .flatten()
            .rev()
            .filter_map(|source| {
                let key = name.strip_prefix(source.prefix.as_deref().unwrap_or(""))?.to_string();
                let in_namespace = |object: &str| ObjectRef { namespace: self.namespace.to_string(), name: object.to_string() };
                match (&source.secret_ref, &source.config_map_ref) {
                    (Some(secret), _) => Some(ValueFrom::SecretKey(KeyRef { object: in_namespace(&secret.name), key })),
                    (None, Some(configmap)) => {
                        let object = in_namespace(&configmap.name);
                        let read_without_it =
                            self.configmaps.get(&object.to_string()).is_some_and(|data| !data.contains_key(&key));
                        (!read_without_it).then_some(ValueFrom::ConfigMapKey(KeyRef { object, key }))
                    }
                    (None, None) => None,
                }
            })
            .collect();
        match fields.len() {
            0 => None,
            1 => Some(fields.remove(0)),
            _ => Some(ValueFrom::FirstOf(fields)),
        }
    }
}

/// The key a Secret or ConfigMap volume projects to `relative` (a path in
/// the volume): the one `items` maps there, else the key of that name.
fn projected_key(items: Option<&[KeyToPath]>, relative: &str) -> Option<String> {
    match items {
        Some(items) => items.iter().find(|item| item.path.trim_start_matches("./") == relative).map(|item| item.key.clone()),
        None => (!relative.contains('/')).then(|| relative.to_string()),
    }
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

#[cfg(test)]
mod tests {
    use k8s_openapi::api::core::v1::{
        ConfigMapEnvSource, EnvFromSource, EnvVar, EnvVarSource, ProjectedVolumeSource, SecretEnvSource, SecretKeySelector,
        SecretProjection, SecretVolumeSource, VolumeMount, VolumeProjection,
    };

    use super::*;

    fn admin(container: &Container, namespace: &str) -> Option<AdminSource> {
        PodEnv { container, volumes: &[], namespace, configmaps: &ConfigMaps::new() }.admin()
    }

    fn relative_path(container: &Container, namespace: &str, configmaps: &ConfigMaps) -> Option<String> {
        PodEnv { container, volumes: &[], namespace, configmaps }.relative_path()
    }

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

    fn configmaps(name: &str, pairs: &[(&str, &str)]) -> ConfigMaps {
        [(format!("ns/{name}"), pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect())].into()
    }

    fn mount(volume: &str, path: &str, sub_path: Option<&str>) -> VolumeMount {
        VolumeMount { name: volume.into(), mount_path: path.into(), sub_path: sub_path.map(Into::into), ..Default::default() }
    }

    fn items(pairs: &[(&str, &str)]) -> Option<Vec<KeyToPath>> {
        Some(
            pairs
                .iter()
                .map(|(key, path)| KeyToPath { key: key.to_string(), path: path.to_string(), ..Default::default() })
                .collect(),
        )
    }

    fn file(path: &str, source: ValueFrom) -> ValueFrom {
        ValueFrom::File { path: path.into(), source: Box::new(source) }
    }

    /// What the Bitnami chart 25.4.0 renders by default (usePasswordFiles):
    /// user and password file in the envFrom ConfigMap, the file from a
    /// projected volume of two Secrets.
    #[test]
    fn the_bitnami_chart_passes_the_password_as_a_file_of_a_projected_secret() {
        let mut c = container(vec![]);
        c.env_from = Some(vec![EnvFromSource {
            config_map_ref: Some(ConfigMapEnvSource { name: "kc-keycloak-env-vars".into(), ..Default::default() }),
            ..Default::default()
        }]);
        c.volume_mounts = Some(vec![mount("keycloak-secrets", "/opt/bitnami/keycloak/secrets", None)]);
        let projection = |secret: &str, items| VolumeProjection {
            secret: Some(SecretProjection { name: secret.into(), items, ..Default::default() }),
            ..Default::default()
        };
        let volumes = [Volume {
            name: "keycloak-secrets".into(),
            projected: Some(ProjectedVolumeSource {
                sources: Some(vec![
                    projection("kc-keycloak", None),
                    projection("kc-keycloak-externaldb", items(&[("db-password", "db-db-password")])),
                ]),
                ..Default::default()
            }),
            ..Default::default()
        }];
        let cms = configmaps(
            "kc-keycloak-env-vars",
            &[
                ("KC_BOOTSTRAP_ADMIN_USERNAME", "user"),
                ("KC_BOOTSTRAP_ADMIN_PASSWORD_FILE", "/opt/bitnami/keycloak/secrets/admin-password"),
                ("KC_HTTP_RELATIVE_PATH", "/"),
            ],
        );
        let pod_env = PodEnv { container: &c, volumes: &volumes, namespace: "ns", configmaps: &cms };
        let admin = pod_env.admin().unwrap();
        let user = ValueFrom::ConfigMapKey(KeyRef {
            object: ObjectRef { namespace: "ns".into(), name: "kc-keycloak-env-vars".into() },
            key: "KC_BOOTSTRAP_ADMIN_USERNAME".into(),
        });
        let password = file("/opt/bitnami/keycloak/secrets/admin-password", key("kc-keycloak", "admin-password"));
        assert_eq!(admin, AdminSource::Password { user, password });
        assert_eq!(
            admin.describe(),
            "user ConfigMap ns/kc-keycloak-env-vars:KC_BOOTSTRAP_ADMIN_USERNAME, \
             password Secret ns/kc-keycloak:admin-password (file /opt/bitnami/keycloak/secrets/admin-password)"
        );
        assert_eq!(admin.short(), "file");
        // Without the ConfigMap's data the file's path is unknown: the
        // password is not taken from a ConfigMap key nobody checked.
        let unread = PodEnv { configmaps: &ConfigMaps::new(), ..pod_env };
        assert!(matches!(unread.admin(), Some(AdminSource::Password { password: ValueFrom::ConfigMapKey(_), .. })));
        // The ConfigMap was read and holds no password: none is named there.
        let cms = configmaps("kc-keycloak-env-vars", &[("KC_BOOTSTRAP_ADMIN_USERNAME", "user")]);
        assert_eq!(PodEnv { configmaps: &cms, ..unread }.admin(), None);
    }

    #[test]
    fn password_files_follow_secret_volumes_items_and_sub_paths() {
        let secret_volume = |name: &str, secret: &str, items| Volume {
            name: name.into(),
            secret: Some(SecretVolumeSource { secret_name: Some(secret.into()), items, ..Default::default() }),
            ..Default::default()
        };
        let volumes = [
            secret_volume("admin", "sso-admin", items(&[("pass", "creds/password"), ("user", "creds/username")])),
            secret_volume("whole", "sso-whole", None),
            Volume { name: "scratch".into(), ..Default::default() },
        ];
        let mut c = container(vec![
            literal("KEYCLOAK_ADMIN_FILE", "/run/admin/creds/username"),
            literal("KEYCLOAK_ADMIN_PASSWORD_FILE", "/run/admin/creds/password"),
        ]);
        c.volume_mounts = Some(vec![
            mount("whole", "/run", None),
            mount("admin", "/run/admin/", None),
            mount("whole", "/etc/kc-password", Some("pw")),
            mount("scratch", "/tmp/generated", None),
        ]);
        let pod_env =
            |c: &Container| PodEnv { container: c, volumes: &volumes, namespace: "ns", configmaps: &ConfigMaps::new() }.admin();
        // The deepest mount holding the path wins; items map paths to keys.
        assert_eq!(
            pod_env(&c),
            Some(AdminSource::Password {
                user: file("/run/admin/creds/username", key("sso-admin", "user")),
                password: file("/run/admin/creds/password", key("sso-admin", "pass")),
            })
        );
        // A subPath mount is the file itself.
        c.env = Some(vec![literal("KC_BOOTSTRAP_ADMIN_PASSWORD_FILE", "/etc/kc-password")]);
        assert_eq!(
            pod_env(&c),
            Some(AdminSource::Password {
                user: ValueFrom::Literal("temp-admin".into()),
                password: file("/etc/kc-password", key("sso-whole", "pw")),
            })
        );
        // A file no Secret or ConfigMap projects (an emptyDir, a path no
        // volume holds) names no admin.
        for path in ["/tmp/generated/password", "/opt/keycloak/password"] {
            c.env = Some(vec![literal("KC_BOOTSTRAP_ADMIN_PASSWORD_FILE", path)]);
            assert_eq!(pod_env(&c), None, "{path}");
        }
    }
}
