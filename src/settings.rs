//! Effective settings and where each came from.
//!
//! Precedence: command-line flag > environment variable > the config file's
//! entry for the kube context > the config file's `defaults` > built-in
//! default. The source is kept so `config` and `-v` can say why a value was
//! used.

use std::path::PathBuf;
use std::time::Duration;

use clap::ArgMatches;
use clap::parser::ValueSource;

use crate::cli::Cli;
use crate::cluster::{KubeOptions, ObjectRef};
use crate::config_file::ConfigFile;
use crate::error::{Error, Result};

pub const DEFAULT_KEYCLOAK_URL: &str = "https://api-gw-service-nmn.local/keycloak";
pub const DEFAULT_REALM: &str = "shasta";
pub const DEFAULT_ADMIN_REALM: &str = "master";
pub const DEFAULT_NAMESPACE: &str = "services";
pub const DEFAULT_ADMIN_SECRET: &str = "keycloak-master-admin-auth";
pub const DEFAULT_CA_KEY: &str = "certificate_authority.crt";
/// Bounds every request when `--request-timeout` is not given, so a hung
/// server never hangs the shell that evals us.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Flag,
    Env(&'static str),
    /// The config file: its path and the section (`contexts.NAME` or `defaults`).
    Config(PathBuf, String),
    Default,
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Flag => write!(f, "flag"),
            Source::Env(name) => write!(f, "environment {name}"),
            Source::Config(path, section) => write!(f, "{} ({section})", path.display()),
            Source::Default => write!(f, "default"),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Setting<T> {
    pub value: T,
    pub source: Source,
}

/// A key inside a ConfigMap or Secret: `[NAMESPACE/]NAME[:KEY]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyRef {
    pub object: ObjectRef,
    pub key: String,
}

impl KeyRef {
    pub fn parse(text: &str, default_namespace: &str, default_key: &str) -> Result<Self> {
        let (object, key) = match text.rsplit_once(':') {
            Some((object, key)) if !key.is_empty() => (object, key),
            _ => (text.trim_end_matches(':'), default_key),
        };
        Ok(KeyRef { object: ObjectRef::parse(object, default_namespace)?, key: key.to_string() })
    }
}

impl std::fmt::Display for KeyRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.object, self.key)
    }
}

#[derive(Debug)]
pub struct Settings {
    pub keycloak_url: Setting<String>,
    pub realm: Setting<String>,
    pub admin_realm: Setting<String>,
    pub admin_secret: Setting<ObjectRef>,
    pub ca_file: Option<Setting<PathBuf>>,
    pub ca_configmap: Option<Setting<KeyRef>>,
    pub insecure: bool,
    pub timeout: Option<Duration>,
    /// Namespace for Secrets and ConfigMaps named without one.
    pub namespace: String,
}

/// The kube side comes from flags alone: it is needed to learn the context
/// that selects the config file's entry.
pub fn kube_options(cli: &Cli) -> Result<KubeOptions> {
    Ok(KubeOptions {
        kubeconfig: cli.kube.kubeconfig.clone(),
        context: cli.kube.context.clone(),
        cluster: cli.kube.cluster.clone(),
        user: cli.kube.user.clone(),
        as_user: cli.kube.as_user.clone(),
        as_groups: cli.kube.as_groups.clone(),
        timeout: timeout(cli)?,
    })
}

fn timeout(cli: &Cli) -> Result<Option<Duration>> {
    match &cli.kube.request_timeout {
        Some(text) => parse_timeout(text),
        None => Ok(Some(DEFAULT_TIMEOUT)),
    }
}

impl Settings {
    pub fn resolve(cli: &Cli, matches: &ArgMatches, context: Option<&str>, config: &ConfigFile) -> Result<Self> {
        let layered = |value: Option<&String>, id: &str, env: &'static str, key: &str, default: Option<&str>| {
            if let Some(value) = value {
                let source = match matches.value_source(id) {
                    Some(ValueSource::EnvVariable) => Source::Env(env),
                    _ => Source::Flag,
                };
                return Some(Setting { value: value.clone(), source });
            }
            if let Some((value, section)) = config.lookup(context, key) {
                return Some(Setting { value, source: Source::Config(config.path.clone(), section) });
            }
            default.map(|d| Setting { value: d.to_string(), source: Source::Default })
        };
        let k = &cli.keycloak;
        let namespace = cli.kube.namespace.clone().unwrap_or_else(|| DEFAULT_NAMESPACE.to_string());
        let required = |value, id, env, key, default| layered(value, id, env, key, Some(default)).expect("has a default");

        let admin_secret = required(k.admin_secret.as_ref(), "admin_secret", "KUBECTL_KEYCLOAK_ADMIN_SECRET", "admin-secret", DEFAULT_ADMIN_SECRET);
        let ca_file = layered(k.keycloak_ca_file.as_ref(), "keycloak_ca_file", "KUBECTL_KEYCLOAK_CA_FILE", "keycloak-ca-file", None);
        let ca_configmap =
            layered(k.keycloak_ca_configmap.as_ref(), "keycloak_ca_configmap", "KUBECTL_KEYCLOAK_CA_CONFIGMAP", "keycloak-ca-configmap", None);
        Ok(Settings {
            keycloak_url: required(k.keycloak_url.as_ref(), "keycloak_url", "KUBECTL_KEYCLOAK_URL", "keycloak-url", DEFAULT_KEYCLOAK_URL),
            realm: required(k.realm.as_ref(), "realm", "KUBECTL_KEYCLOAK_REALM", "realm", DEFAULT_REALM),
            admin_realm: required(k.admin_realm.as_ref(), "admin_realm", "KUBECTL_KEYCLOAK_ADMIN_REALM", "admin-realm", DEFAULT_ADMIN_REALM),
            admin_secret: Setting { value: ObjectRef::parse(&admin_secret.value, &namespace)?, source: admin_secret.source },
            ca_file: ca_file.filter(|s| !s.value.is_empty()).map(|s| Setting { value: PathBuf::from(s.value), source: s.source }),
            ca_configmap: match ca_configmap.filter(|s| !s.value.is_empty()) {
                Some(s) => Some(Setting { value: KeyRef::parse(&s.value, &namespace, DEFAULT_CA_KEY)?, source: s.source }),
                None => None,
            },
            insecure: k.insecure_skip_keycloak_tls_verify,
            timeout: timeout(cli)?,
            namespace,
        })
    }

    /// `name  value  (source)` lines for `kubectl keycloak config`.
    pub fn describe(&self) -> Vec<(&'static str, String, String)> {
        let row = |name, value: String, source: &Source| (name, value, source.to_string());
        let mut rows = vec![
            row("keycloak-url", self.keycloak_url.value.clone(), &self.keycloak_url.source),
            row("realm", self.realm.value.clone(), &self.realm.source),
            row("admin-realm", self.admin_realm.value.clone(), &self.admin_realm.source),
            row("admin-secret", self.admin_secret.value.to_string(), &self.admin_secret.source),
        ];
        rows.push(match &self.ca_file {
            Some(s) => row("keycloak-ca-file", s.value.display().to_string(), &s.source),
            None => ("keycloak-ca-file", "-".into(), "OS trust store only".into()),
        });
        rows.push(match &self.ca_configmap {
            Some(s) => row("keycloak-ca-configmap", s.value.to_string(), &s.source),
            None => ("keycloak-ca-configmap", "-".into(), "not used".into()),
        });
        let timeout = self.timeout.map_or_else(|| "none".to_string(), |t| format!("{}s", t.as_secs_f64()));
        rows.push(("request-timeout", timeout, String::new()));
        if self.insecure {
            rows.push(("keycloak-tls-verify", "OFF".into(), "flag".into()));
        }
        rows
    }
}

/// kubectl's `--request-timeout`: Go durations such as `30s`, `1m30s`,
/// `500ms`, or a bare number of seconds; `0` means no timeout.
pub fn parse_timeout(text: &str) -> Result<Option<Duration>> {
    let invalid = || Error::usage(format!("invalid --request-timeout {text:?}: use e.g. 30s, 1m30s, 500ms or 0"));
    let text = text.trim();
    if let Ok(seconds) = text.parse::<u64>() {
        return Ok((seconds > 0).then(|| Duration::from_secs(seconds)));
    }
    let mut total = 0f64;
    let mut rest = text;
    while !rest.is_empty() {
        let number_end = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).ok_or_else(invalid)?;
        let number: f64 = rest[..number_end].parse().map_err(|_| invalid())?;
        rest = &rest[number_end..];
        let unit_end = rest.find(|c: char| c.is_ascii_digit() || c == '.').unwrap_or(rest.len());
        let scale = match &rest[..unit_end] {
            "ns" => 1e-9,
            "us" | "µs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return Err(invalid()),
        };
        total += number * scale;
        rest = &rest[unit_end..];
    }
    if text.is_empty() || !total.is_finite() {
        return Err(invalid());
    }
    Ok((total > 0.0).then(|| Duration::from_secs_f64(total)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_parse_like_kubectl() {
        assert_eq!(parse_timeout("0").unwrap(), None);
        assert_eq!(parse_timeout("5").unwrap(), Some(Duration::from_secs(5)));
        assert_eq!(parse_timeout("30s").unwrap(), Some(Duration::from_secs(30)));
        assert_eq!(parse_timeout("1m30s").unwrap(), Some(Duration::from_secs(90)));
        assert_eq!(parse_timeout("500ms").unwrap(), Some(Duration::from_millis(500)));
        assert_eq!(parse_timeout("1.5h").unwrap(), Some(Duration::from_secs(5400)));
        for bad in ["", "s", "10x", "-1s", "1m30", "abc"] {
            assert!(parse_timeout(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn key_refs_take_default_namespace_and_key() {
        let key = KeyRef::parse("cray-configmap-ca-public-key", "services", DEFAULT_CA_KEY).unwrap();
        assert_eq!(key.to_string(), "services/cray-configmap-ca-public-key:certificate_authority.crt");
        assert_eq!(KeyRef::parse("ns/cm:ca.pem", "services", DEFAULT_CA_KEY).unwrap().key, "ca.pem");
        assert_eq!(KeyRef::parse("ns/s", "services", "client-secret").unwrap().key, "client-secret");
    }
}
