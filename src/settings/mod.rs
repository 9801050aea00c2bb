//! Effective settings and where each came from.
//!
//! Every Keycloak setting is declared once, as a [`Spec`] in
//! [`KEYCLOAK_SETTINGS`]: its flag, environment variable, config-file key,
//! default and help all come from that declaration (the command line is built
//! from it in `cli.rs`, the config file's keys are checked against it).
//!
//! Precedence: command-line flag > environment variable > the config file's
//! entry for the kube context > the config file's `defaults` > built-in
//! default. The source is kept so `config` and `-v` can say why a value was
//! used.

mod config_file;

use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use clap::ValueHint;

pub use config_file::{ConfigFile, PATH_ENV as CONFIG_PATH_ENV};

use crate::cluster::{KeyRef, ObjectRef};
use crate::credentials::KeyNames;
use crate::error::{Error, Result};

/// One Keycloak setting: flag `--KEY`, environment variable `ENV`, config
/// file key `KEY`.
#[derive(Debug)]
pub struct Spec {
    pub key: &'static str,
    pub env: &'static str,
    pub value_name: &'static str,
    pub help: &'static str,
    pub default: Option<&'static str>,
    /// The value a bare `--KEY` (without a value) stands for.
    pub bare: Option<&'static str>,
    /// What shells complete the value as.
    pub hint: Option<ValueHint>,
    /// What the text names: how it is checked and shown.
    pub kind: Kind,
    /// What `config` shows when the setting is not set; `None`: no row.
    pub unset: Option<&'static str>,
    /// The values it may take; empty: any.
    pub choices: &'static [&'static str],
}

impl Spec {
    /// The text checked against the choices and normalized by kind.
    fn check(&self, text: String, namespace: &str) -> Result<String> {
        if !self.choices.is_empty() && !self.choices.contains(&text.as_str()) {
            return Err(Error::usage(format!("--{}: {text:?} is not one of {}", self.key, self.choices.join(", "))));
        }
        self.kind.normalize(text, namespace)
    }
}

/// `--port-forward`: when to reach Keycloak through a port-forward to its pod.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PortForward {
    /// Only when the URL's host does not resolve here and the Service is known.
    Auto,
    Always,
    Never,
}

/// What a setting's text names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    /// `[NAMESPACE/]NAME`, in `--namespace` when given without one.
    Object,
    /// `[NAMESPACE/]NAME[:KEY]`, CSM's CA key when given without one.
    KeyRef,
}

impl Kind {
    /// The text checked, with its defaults filled in (`NAME` → `NS/NAME`).
    fn normalize(self, text: String, namespace: &str) -> Result<String> {
        Ok(match self {
            Kind::Text => text,
            Kind::Object => ObjectRef::parse(&text, namespace)?.to_string(),
            Kind::KeyRef => KeyRef::parse(&text, namespace, DEFAULT_CA_KEY)?.to_string(),
        })
    }
}

pub const KEYCLOAK_URL: Spec = Spec {
    key: "keycloak-url",
    env: "KUBECTL_KEYCLOAK_URL",
    value_name: "URL",
    help: "Keycloak base URL, including its path prefix",
    default: Some("https://api-gw-service-nmn.local/keycloak"),
    bare: None,
    hint: Some(ValueHint::Url),
    kind: Kind::Text,
    unset: None,
    choices: &[],
};

pub const REALM: Spec = Spec {
    key: "realm",
    env: "KUBECTL_KEYCLOAK_REALM",
    value_name: "REALM",
    help: "Realm of the clients",
    default: Some("shasta"),
    bare: None,
    hint: None,
    kind: Kind::Text,
    unset: None,
    choices: &[],
};

pub const ADMIN_REALM: Spec = Spec {
    key: "admin-realm",
    env: "KUBECTL_KEYCLOAK_ADMIN_REALM",
    value_name: "REALM",
    help: "Realm the admin logs in to",
    default: Some("master"),
    bare: None,
    hint: None,
    kind: Kind::Text,
    unset: None,
    choices: &[],
};

pub const ADMIN_SECRET: Spec = Spec {
    key: "admin-secret",
    env: "KUBECTL_KEYCLOAK_ADMIN_SECRET",
    value_name: "[NAMESPACE/]NAME",
    help: "Secret holding the admin credentials: keys user and password (password grant, client-id \
           optional), or client-id and client-secret (a service account); NAMESPACE defaults to --namespace",
    default: Some("keycloak-master-admin-auth"),
    bare: None,
    hint: None,
    kind: Kind::Object,
    unset: None,
    choices: &[],
};

pub const CA_FILE: Spec = Spec {
    key: "keycloak-ca-file",
    env: "KUBECTL_KEYCLOAK_CA_FILE",
    value_name: "PATH",
    help: "Extra CA certificates (PEM) to trust for Keycloak, besides the OS trust store",
    default: None,
    bare: None,
    hint: Some(ValueHint::FilePath),
    kind: Kind::Text,
    unset: Some("OS trust store only"),
    choices: &[],
};

pub const CA_CONFIGMAP: Spec = Spec {
    key: "keycloak-ca-configmap",
    env: "KUBECTL_KEYCLOAK_CA_CONFIGMAP",
    value_name: "[NAMESPACE/]NAME[:KEY]",
    help: "Also trust the CA published in a cluster ConfigMap (CSM's when given without a value)",
    default: None,
    bare: Some("services/cray-configmap-ca-public-key:certificate_authority.crt"),
    hint: None,
    kind: Kind::KeyRef,
    unset: Some("not used"),
    choices: &[],
};

pub const ADMIN_USER: Spec = Spec {
    key: "admin-user",
    env: "KUBECTL_KEYCLOAK_ADMIN_USER",
    value_name: "NAME",
    help: "Admin user name, for an admin Secret that holds only the password (e.g. Bitnami's)",
    default: None,
    bare: None,
    hint: None,
    kind: Kind::Text,
    unset: None,
    choices: &[],
};

pub const ADMIN_USER_KEY: Spec = Spec {
    key: "admin-user-key",
    env: "KUBECTL_KEYCLOAK_ADMIN_USER_KEY",
    value_name: "KEY",
    help: "Key of the admin Secret holding the user name [default: user, else username]",
    default: None,
    bare: None,
    hint: None,
    kind: Kind::Text,
    unset: None,
    choices: &[],
};

pub const ADMIN_PASSWORD_KEY: Spec = Spec {
    key: "admin-password-key",
    env: "KUBECTL_KEYCLOAK_ADMIN_PASSWORD_KEY",
    value_name: "KEY",
    help: "Key of the admin Secret holding the password [default: password, else admin-password]",
    default: None,
    bare: None,
    hint: None,
    kind: Kind::Text,
    unset: None,
    choices: &[],
};

pub const KEYCLOAK: Spec = Spec {
    key: "keycloak",
    env: "KUBECTL_KEYCLOAK_INSTANCE",
    value_name: "NAMESPACE/NAME",
    help: "Which Keycloak to use when several are found (a Keycloak CR, StatefulSet or Deployment; see discover)",
    default: None,
    bare: None,
    hint: None,
    kind: Kind::Object,
    unset: None,
    choices: &[],
};

pub const PORT_FORWARD: Spec = Spec {
    key: "port-forward",
    env: "KUBECTL_KEYCLOAK_PORT_FORWARD",
    value_name: "WHEN",
    help: "Reach Keycloak through a port-forward to its pod: auto (when the URL's host does not resolve here and \
           Keycloak's Service is known), always, or never",
    default: Some("auto"),
    bare: None,
    hint: None,
    kind: Kind::Text,
    unset: None,
    choices: &["auto", "always", "never"],
};

/// The settings a flag, the environment and the config file can all set.
pub const KEYCLOAK_SETTINGS: [&Spec; 11] = [
    &KEYCLOAK_URL,
    &REALM,
    &ADMIN_REALM,
    &ADMIN_SECRET,
    &ADMIN_USER,
    &ADMIN_USER_KEY,
    &ADMIN_PASSWORD_KEY,
    &KEYCLOAK,
    &CA_FILE,
    &CA_CONFIGMAP,
    &PORT_FORWARD,
];

/// Namespace of Secrets and ConfigMaps named without one (CSM's).
pub const DEFAULT_NAMESPACE: &str = "services";
/// The Secret `admin-account create` writes in the default namespace: the
/// admin when it exists and none is named.
pub const ADMIN_ACCOUNT_SECRET: &str = "kubectl-keycloak-admin";
/// Key of a CA ConfigMap named without one (CSM's).
const DEFAULT_CA_KEY: &str = "certificate_authority.crt";
/// Bounds every request when `--request-timeout` is not given, so a hung
/// server never hangs the shell that evals us.
pub const DEFAULT_TIMEOUT: &str = "30s";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Flag,
    Env(&'static str),
    /// The config file: its path and the section (`contexts.NAME` or `defaults`).
    Config(PathBuf, String),
    /// Found in the cluster: the object and field it came from.
    Discovered(String),
    Default,
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Flag => write!(f, "flag"),
            Source::Env(name) => write!(f, "environment {name}"),
            Source::Config(path, section) => write!(f, "{} ({section})", path.display()),
            Source::Discovered(from) => write!(f, "discovered: {from}"),
            Source::Default => write!(f, "default"),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Setting<T> {
    pub value: T,
    pub source: Source,
}

impl<T> Setting<T> {
    /// Given by the user (a flag, the environment or the config file), not
    /// a built-in default nor something found in the cluster. Behaviour
    /// asks this; `source` itself is for display.
    pub fn is_explicit(&self) -> bool {
        matches!(self.source, Source::Flag | Source::Env(_) | Source::Config(..))
    }

    fn try_map<U>(self, parse: impl FnOnce(T) -> Result<U>) -> Result<Setting<U>> {
        Ok(Setting { value: parse(self.value)?, source: self.source })
    }
}

/// The values flags and environment variables gave, the top of the
/// layering; `cli` builds it from clap's matches.
#[derive(Debug, Default, Clone)]
pub struct Given {
    pub values: Vec<(&'static str, Setting<String>)>,
    /// `--insecure-skip-keycloak-tls-verify`: a flag only, so neither the
    /// environment nor the config file may turn verification off.
    pub insecure_skip_keycloak_tls_verify: bool,
}

impl Given {
    /// The value a flag or environment variable gave, with its source.
    pub fn get(&self, spec: &Spec) -> Option<Setting<String>> {
        self.values.iter().find(|(key, _)| *key == spec.key).map(|(_, setting)| setting.clone())
    }
}

#[derive(Debug)]
pub struct Settings {
    /// Each of [`KEYCLOAK_SETTINGS`], checked, as text: what `config` shows.
    values: Vec<(&'static Spec, Option<Setting<String>>)>,
    pub keycloak_url: Setting<String>,
    pub realm: Setting<String>,
    pub admin_realm: Setting<String>,
    pub admin_secret: Setting<ObjectRef>,
    pub admin_user: Option<Setting<String>>,
    pub admin_user_key: Option<Setting<String>>,
    pub admin_password_key: Option<Setting<String>>,
    /// `--keycloak`: which of several Keycloaks found.
    pub keycloak: Option<Setting<ObjectRef>>,
    pub ca_file: Option<Setting<PathBuf>>,
    pub ca_configmap: Option<Setting<KeyRef>>,
    pub insecure: bool,
    pub port_forward: PortForward,
    pub timeout: Option<Duration>,
    /// Namespace for Secrets and ConfigMaps named without one, and where
    /// discovery looks when given.
    pub namespace: Setting<String>,
    /// Whether the admin account's Secret may be the default admin (not for
    /// `admin-account` itself, which manages it as the admin before it).
    pub admin_account: bool,
}

impl Settings {
    /// The namespace discovery searches: the one of `--keycloak`, else `-n`
    /// when given; `None` for every namespace the user may list.
    pub fn search_scope(&self) -> Option<&str> {
        match &self.keycloak {
            Some(pick) => Some(pick.value.namespace.as_str()),
            None => self.namespace.is_explicit().then_some(self.namespace.value.as_str()),
        }
    }

    /// Keycloak's URL is known before the cluster is asked: it was given, or
    /// it is CSM's default on CSM's layout, where discovery does not run.
    pub fn url_known_first(&self) -> bool {
        self.keycloak_url.is_explicit() || (self.keycloak.is_none() && !self.namespace.is_explicit())
    }

    /// `--admin-user`, `--admin-user-key`, `--admin-password-key`.
    pub fn admin_names(&self) -> KeyNames {
        let value = |setting: &Option<Setting<String>>| setting.as_ref().map(|s| s.value.clone());
        KeyNames {
            user: value(&self.admin_user),
            user_key: value(&self.admin_user_key),
            password_key: value(&self.admin_password_key),
        }
    }

    /// Layer flags and environment (already in `args`) over the config file
    /// entry of `context` and the built-in defaults.
    pub fn resolve(
        given: &Given,
        namespace: Option<&str>,
        timeout: Timeout,
        context: Option<&str>,
        config: &ConfigFile,
    ) -> Result<Self> {
        let layered = |spec: &Spec| -> Option<Setting<String>> {
            given
                .get(spec)
                .or_else(|| {
                    let (value, section) = config.lookup(context, spec.key)?;
                    Some(Setting { value, source: Source::Config(config.path.clone(), section) })
                })
                .or_else(|| spec.default.map(|value| Setting { value: value.to_string(), source: Source::Default }))
                // An empty value (an empty environment variable) turns an optional setting off.
                .filter(|setting| !setting.value.is_empty() || spec.default.is_some())
        };
        let namespace = match namespace {
            Some(namespace) => Setting { value: namespace.to_string(), source: Source::Flag },
            None => Setting { value: DEFAULT_NAMESPACE.to_string(), source: Source::Default },
        };
        let values = KEYCLOAK_SETTINGS
            .into_iter()
            .map(|spec| {
                let setting = layered(spec).map(|s| s.try_map(|text| spec.check(text, &namespace.value)));
                Ok((spec, setting.transpose()?))
            })
            .collect::<Result<Vec<_>>>()?;
        let get = |spec: &Spec| values.iter().find(|(s, _)| s.key == spec.key).and_then(|(_, setting)| setting.clone());
        let required = |spec: &Spec| get(spec).ok_or_else(|| Error::usage(format!("--{} is empty", spec.key)));
        let ns = &namespace.value;
        Ok(Settings {
            keycloak_url: required(&KEYCLOAK_URL)?,
            realm: required(&REALM)?,
            admin_realm: required(&ADMIN_REALM)?,
            admin_secret: required(&ADMIN_SECRET)?.try_map(|text| ObjectRef::parse(&text, ns))?,
            admin_user: get(&ADMIN_USER),
            admin_user_key: get(&ADMIN_USER_KEY),
            admin_password_key: get(&ADMIN_PASSWORD_KEY),
            keycloak: get(&KEYCLOAK).map(|s| s.try_map(|text| ObjectRef::parse(&text, ns))).transpose()?,
            ca_file: get(&CA_FILE).map(|s| Setting { value: PathBuf::from(s.value), source: s.source }),
            ca_configmap: get(&CA_CONFIGMAP).map(|s| s.try_map(|text| KeyRef::parse(&text, ns, DEFAULT_CA_KEY))).transpose()?,
            insecure: given.insecure_skip_keycloak_tls_verify,
            port_forward: match required(&PORT_FORWARD)?.value.as_str() {
                "always" => PortForward::Always,
                "never" => PortForward::Never,
                _ => PortForward::Auto,
            },
            timeout: timeout.limit(),
            values,
            namespace,
            admin_account: true,
        })
    }

    /// `[name, value, source]` rows for `kubectl keycloak config`, one per
    /// setting of [`KEYCLOAK_SETTINGS`] in its order (or what `found` in the
    /// cluster replaces it with), then the timeout and TLS verification.
    pub fn describe(&self, found: &[(&Spec, [String; 3])]) -> Vec<[String; 3]> {
        let mut rows: Vec<[String; 3]> = self
            .values
            .iter()
            .filter_map(|(spec, setting)| {
                if let Some((_, row)) = found.iter().find(|(replaced, _)| replaced.key == spec.key) {
                    return Some(row.clone());
                }
                match setting {
                    Some(s) => Some([spec.key.to_string(), s.value.clone(), s.source.to_string()]),
                    None => spec.unset.map(|unset| [spec.key.to_string(), "-".into(), unset.to_string()]),
                }
            })
            .collect();
        let timeout = self.timeout.map_or_else(|| "none".to_string(), |t| format!("{}s", t.as_secs_f64()));
        rows.push(["request-timeout".into(), timeout, String::new()]);
        if self.insecure {
            rows.push(["keycloak-tls-verify".into(), "OFF".into(), "flag".into()]);
        }
        rows
    }
}

/// kubectl's `--request-timeout`: Go-style durations such as `30s`, `1m30s`,
/// `500ms`, or a bare number of seconds; `0` means no timeout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeout(Option<Duration>);

impl Timeout {
    /// The bound on each request, `None` for none.
    pub fn limit(self) -> Option<Duration> {
        self.0
    }

    /// This timeout, but never longer than `budget` (and never none).
    pub fn within(self, budget: Duration) -> Self {
        Timeout(Some(self.0.map_or(budget, |given| given.min(budget))))
    }
}

impl FromStr for Timeout {
    type Err = String;

    fn from_str(text: &str) -> std::result::Result<Self, String> {
        let invalid = || "use e.g. 30s, 1m30s, 500ms or 0".to_string();
        let text = text.trim();
        let duration = match text.parse::<u64>() {
            Ok(seconds) => Duration::from_secs(seconds),
            Err(_) => {
                let signed: jiff::SignedDuration = text.parse().map_err(|_| invalid())?;
                Duration::try_from(signed).map_err(|_| invalid())?
            }
        };
        Ok(Timeout((!duration.is_zero()).then_some(duration)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_timeout(text: &str) -> std::result::Result<Option<Duration>, String> {
        text.parse::<Timeout>().map(Timeout::limit)
    }

    #[test]
    fn timeouts_parse_like_kubectl() {
        assert_eq!(parse_timeout("0").unwrap(), None);
        assert_eq!(parse_timeout("0s").unwrap(), None);
        assert_eq!(parse_timeout("5").unwrap(), Some(Duration::from_secs(5)));
        assert_eq!(parse_timeout("30s").unwrap(), Some(Duration::from_secs(30)));
        assert_eq!(parse_timeout("1m30s").unwrap(), Some(Duration::from_secs(90)));
        assert_eq!(parse_timeout("500ms").unwrap(), Some(Duration::from_millis(500)));
        assert_eq!(parse_timeout("1.5h").unwrap(), Some(Duration::from_secs(5400)));
        for bad in ["", "s", "10x", "-1s", "1m30", "abc", "soon"] {
            assert_eq!(parse_timeout(bad), Err("use e.g. 30s, 1m30s, 500ms or 0".to_string()), "{bad:?}");
        }
    }

    #[test]
    fn the_default_timeout_parses() {
        assert_eq!(parse_timeout(DEFAULT_TIMEOUT).unwrap(), Some(Duration::from_secs(30)));
    }

    #[test]
    fn a_completion_timeout_stays_within_its_budget() {
        let budget = Duration::from_millis(1700);
        assert_eq!("0".parse::<Timeout>().unwrap().within(budget).limit(), Some(budget));
        assert_eq!("1s".parse::<Timeout>().unwrap().within(budget).limit(), Some(Duration::from_secs(1)));
        assert_eq!("1m".parse::<Timeout>().unwrap().within(budget).limit(), Some(budget));
    }

    #[test]
    fn each_setting_has_its_own_flag_and_variable() {
        let mut keys: Vec<_> = KEYCLOAK_SETTINGS.iter().map(|s| s.key).collect();
        let mut envs: Vec<_> = KEYCLOAK_SETTINGS.iter().map(|s| s.env).collect();
        keys.sort();
        keys.dedup();
        envs.sort();
        envs.dedup();
        assert_eq!((keys.len(), envs.len()), (KEYCLOAK_SETTINGS.len(), KEYCLOAK_SETTINGS.len()));
        assert!(envs.iter().all(|env| env.starts_with("KUBECTL_KEYCLOAK_")));
    }
}
