//! Per-context defaults, so multi-cluster admins type only the command:
//!
//! ```yaml
//! # ~/.config/kubectl-keycloak/config.yaml (see `ConfigFile::path_from`)
//! defaults:
//!   realm: shasta
//! contexts:
//!   prod:
//!     keycloak-url: https://auth.prod.example.com/keycloak
//!     keycloak-ca-file: /etc/pki/trust/anchors/platform-ca-certs.crt
//!     admin-secret: services/keycloak-master-admin-auth
//! ```
//!
//! Keys are the long flag names of [`KEYCLOAK_SETTINGS`]. The file holds no
//! secrets and may not turn TLS verification off: that stays an explicit flag.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::PathBuf;

use super::KEYCLOAK_SETTINGS;
use crate::error::{Error, Kind, Result};

/// Names the file explicitly.
pub const PATH_ENV: &str = "KUBECTL_KEYCLOAK_CONFIG";

#[derive(Debug, Default)]
pub struct ConfigFile {
    pub path: PathBuf,
    pub found: bool,
    defaults: BTreeMap<String, String>,
    contexts: BTreeMap<String, BTreeMap<String, String>>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    #[serde(default)]
    defaults: BTreeMap<String, String>,
    #[serde(default)]
    contexts: BTreeMap<String, BTreeMap<String, String>>,
}

impl ConfigFile {
    /// Where the file is: `$KUBECTL_KEYCLOAK_CONFIG`; else on Unix (macOS
    /// included, as kubectl users expect) `$XDG_CONFIG_HOME/kubectl-keycloak/
    /// config.yaml` when that is an absolute path, else
    /// `~/.config/kubectl-keycloak/config.yaml`; on Windows
    /// `%APPDATA%\kubectl-keycloak\config.yaml`.
    pub fn path_from(env: impl Fn(&str) -> Option<OsString>, home: Option<PathBuf>) -> PathBuf {
        let set = |name: &str| env(name).filter(|value| !value.is_empty()).map(PathBuf::from);
        if let Some(path) = set(PATH_ENV) {
            return path;
        }
        let base = if cfg!(windows) {
            dirs::config_dir()
        } else {
            set("XDG_CONFIG_HOME").filter(|dir| dir.is_absolute()).or_else(|| home.map(|home| home.join(".config")))
        };
        base.unwrap_or_else(|| PathBuf::from(".")).join("kubectl-keycloak").join("config.yaml")
    }

    /// Read the file; a missing file is an empty configuration.
    pub fn load() -> Result<Self> {
        let path = Self::path_from(|name| std::env::var_os(name), dirs::home_dir());
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(ConfigFile { path, ..Default::default() }),
            Err(err) => return Err(Error::new(Kind::Usage, format!("cannot read config file {}: {err}", path.display()))),
        };
        Self::parse(path, &text)
    }

    /// The file's `text`, as read from `path` (which errors name).
    pub(crate) fn parse(path: PathBuf, text: &str) -> Result<Self> {
        let invalid = |why: String| {
            Error::new(Kind::Usage, format!("config file {} is invalid: {why}", path.display()))
                .hint(format!("sections are defaults and contexts.NAME, keys {}", keys().join(", ")))
        };
        let raw: Raw = if text.trim().is_empty() {
            Raw { defaults: BTreeMap::new(), contexts: BTreeMap::new() }
        } else {
            serde_saphyr::from_str(text).map_err(|err| invalid(crate::error::one_line(&err.to_string())))?
        };
        for (section, entries) in std::iter::once(("defaults".to_string(), &raw.defaults))
            .chain(raw.contexts.iter().map(|(name, entries)| (format!("contexts.{name}"), entries)))
        {
            if let Some(key) = entries.keys().find(|key| !keys().contains(&key.as_str())) {
                return Err(invalid(format!("unknown key {key:?} in {section}")));
            }
        }
        Ok(ConfigFile { path, found: true, defaults: raw.defaults, contexts: raw.contexts })
    }

    /// The value for `key`: the context's own entry first, then `defaults`.
    pub fn lookup(&self, context: Option<&str>, key: &str) -> Option<(String, String)> {
        if let Some(value) = context.and_then(|c| self.contexts.get(c)).and_then(|entries| entries.get(key)) {
            return Some((value.clone(), format!("contexts.{}", context.unwrap_or_default())));
        }
        self.defaults.get(key).map(|value| (value.clone(), "defaults".to_string()))
    }
}

/// The keys a section may hold.
fn keys() -> Vec<&'static str> {
    KEYCLOAK_SETTINGS.iter().map(|spec| spec.key).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> ConfigFile {
        let raw: Raw = serde_saphyr::from_str(text).unwrap();
        ConfigFile { path: "c.yaml".into(), found: true, defaults: raw.defaults, contexts: raw.contexts }
    }

    #[test]
    fn context_entries_win_over_defaults() {
        let config = parse("defaults:\n  realm: a\n  admin-realm: m\ncontexts:\n  prod:\n    realm: b\n");
        assert_eq!(config.lookup(Some("prod"), "realm"), Some(("b".into(), "contexts.prod".into())));
        assert_eq!(config.lookup(Some("prod"), "admin-realm"), Some(("m".into(), "defaults".into())));
        assert_eq!(config.lookup(Some("other"), "realm"), Some(("a".into(), "defaults".into())));
        assert_eq!(config.lookup(None, "keycloak-url"), None);
    }

    #[cfg(unix)]
    #[test]
    fn the_file_lives_under_dot_config_on_every_unix() {
        let home = Some(PathBuf::from("/home/u"));
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| pairs.iter().find(|(n, _)| *n == name).map(|(_, v)| OsString::from(v))
        };
        let expected = PathBuf::from("/home/u/.config/kubectl-keycloak/config.yaml");
        assert_eq!(ConfigFile::path_from(env(&[]), home.clone()), expected);
        assert_eq!(ConfigFile::path_from(env(&[("XDG_CONFIG_HOME", "relative")]), home.clone()), expected);
        assert_eq!(
            ConfigFile::path_from(env(&[("XDG_CONFIG_HOME", "/xdg")]), home.clone()),
            PathBuf::from("/xdg/kubectl-keycloak/config.yaml")
        );
        assert_eq!(ConfigFile::path_from(env(&[(PATH_ENV, "/etc/k.yaml")]), home), PathBuf::from("/etc/k.yaml"));
    }

    #[test]
    fn unknown_sections_are_rejected() {
        assert!(serde_saphyr::from_str::<Raw>("insecure: true\n").is_err());
    }
}
