//! Effective settings and where each came from.
//!
//! Precedence: command-line flag > environment variable > built-in default.
//! The source is kept so `-v` (and `config`) can say why a value was used.

use std::path::PathBuf;
use std::time::Duration;

use clap::ArgMatches;
use clap::parser::ValueSource;

use crate::cli::Cli;
use crate::cluster::{KubeOptions, ObjectRef};
use crate::error::{Error, Result};

pub const DEFAULT_KEYCLOAK_URL: &str = "https://api-gw-service-nmn.local/keycloak";
pub const DEFAULT_REALM: &str = "shasta";
pub const DEFAULT_NAMESPACE: &str = "services";
pub const DEFAULT_ADMIN_SECRET: &str = "keycloak-master-admin-auth";
/// Bounds every request when `--request-timeout` is not given, so a hung
/// server never hangs the shell that evals us.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Flag,
    Env(&'static str),
    Default,
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Flag => write!(f, "flag"),
            Source::Env(name) => write!(f, "environment {name}"),
            Source::Default => write!(f, "default"),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Setting<T> {
    pub value: T,
    pub source: Source,
}

/// A key inside a ConfigMap: `[NAMESPACE/]NAME[:KEY]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyRef {
    pub object: ObjectRef,
    pub key: String,
}

pub const DEFAULT_CA_KEY: &str = "certificate_authority.crt";

impl KeyRef {
    pub fn parse(text: &str, default_namespace: &str) -> Result<Self> {
        let (object, key) = match text.rsplit_once(':') {
            Some((object, key)) if !key.is_empty() => (object, key),
            _ => (text, DEFAULT_CA_KEY),
        };
        Ok(KeyRef { object: ObjectRef::parse(object, default_namespace)?, key: key.to_string() })
    }
}

#[derive(Debug)]
pub struct Settings {
    pub kube: KubeOptions,
    pub keycloak_url: Setting<String>,
    pub realm: Setting<String>,
    pub admin_secret: Setting<ObjectRef>,
    pub ca_file: Option<Setting<PathBuf>>,
    pub ca_configmap: Option<Setting<KeyRef>>,
    pub insecure: bool,
    pub timeout: Option<Duration>,
}

impl Settings {
    pub fn resolve(cli: &Cli, matches: &ArgMatches) -> Result<Self> {
        let source = |id: &str, env: &'static str| match matches.value_source(id) {
            Some(ValueSource::EnvVariable) => Source::Env(env),
            _ => Source::Flag,
        };
        let setting = |value: Option<&String>, id: &str, env: &'static str, default: &str| match value {
            Some(value) => Setting { value: value.clone(), source: source(id, env) },
            None => Setting { value: default.to_string(), source: Source::Default },
        };
        let k = &cli.keycloak;
        let namespace = cli.kube.namespace.as_deref().unwrap_or(DEFAULT_NAMESPACE);
        let timeout = match &cli.kube.request_timeout {
            Some(text) => parse_timeout(text)?,
            None => Some(DEFAULT_TIMEOUT),
        };
        let admin_secret = setting(k.admin_secret.as_ref(), "admin_secret", "KUBECTL_KEYCLOAK_ADMIN_SECRET", DEFAULT_ADMIN_SECRET);
        let ca_configmap = match &k.keycloak_ca_configmap {
            Some(text) => Some(Setting {
                value: KeyRef::parse(text, namespace)?,
                source: source("keycloak_ca_configmap", "KUBECTL_KEYCLOAK_CA_CONFIGMAP"),
            }),
            None => None,
        };
        Ok(Settings {
            kube: KubeOptions {
                kubeconfig: cli.kube.kubeconfig.clone(),
                context: cli.kube.context.clone(),
                cluster: cli.kube.cluster.clone(),
                user: cli.kube.user.clone(),
                as_user: cli.kube.as_user.clone(),
                as_groups: cli.kube.as_groups.clone(),
                timeout,
            },
            keycloak_url: setting(k.keycloak_url.as_ref(), "keycloak_url", "KUBECTL_KEYCLOAK_URL", DEFAULT_KEYCLOAK_URL),
            realm: setting(k.realm.as_ref(), "realm", "KUBECTL_KEYCLOAK_REALM", DEFAULT_REALM),
            admin_secret: Setting { value: ObjectRef::parse(&admin_secret.value, namespace)?, source: admin_secret.source },
            ca_file: k.keycloak_ca_file.as_ref().map(|path| Setting {
                value: path.clone(),
                source: source("keycloak_ca_file", "KUBECTL_KEYCLOAK_CA_FILE"),
            }),
            ca_configmap,
            insecure: k.insecure_skip_keycloak_tls_verify,
            timeout,
        })
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
    fn configmap_keys_default_to_the_csm_key() {
        let key = KeyRef::parse("cray-configmap-ca-public-key", "services").unwrap();
        assert_eq!(key.object.to_string(), "services/cray-configmap-ca-public-key");
        assert_eq!(key.key, DEFAULT_CA_KEY);
        assert_eq!(KeyRef::parse("ns/cm:ca.pem", "services").unwrap().key, "ca.pem");
    }
}
