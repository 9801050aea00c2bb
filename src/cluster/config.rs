//! Choosing the cluster and identity like kubectl: `--kubeconfig` (must
//! exist), else the `KUBECONFIG` list (missing files skipped, first file to
//! set a value wins), else `~/.kube/config`, else the in-cluster service
//! account; then `--context`/`--cluster`/`--user`, impersonation and
//! `--request-timeout`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use kube::config::{KubeConfigOptions, Kubeconfig, KubeconfigError};
use kube::{Client, Config};

use super::api::{Cluster, kube_error};
use super::exec_credential;
use crate::error::{Error, Kind, Result, chain, one_line};

/// What kubectl's flags select: the kubeconfig, its context, cluster and
/// user, and whom to impersonate.
#[derive(Debug, Default, Clone)]
pub struct KubeOptions {
    pub kubeconfig: Option<PathBuf>,
    pub context: Option<String>,
    pub cluster: Option<String>,
    pub user: Option<String>,
    pub as_user: Option<String>,
    pub as_groups: Vec<String>,
}

/// The kubeconfig that was chosen, before connecting.
pub struct Kube {
    config: Config,
    runtime: tokio::runtime::Runtime,
    /// The context in use; `None` for in-cluster config.
    pub context: Option<String>,
}

impl Kube {
    /// The configuration kubectl would use with these flags.
    pub fn load(options: &KubeOptions, timeout: Option<Duration>) -> Result<Self> {
        let runtime = runtime()?;
        let kubeconfig = read_kubeconfig(options)?;
        let selection =
            KubeConfigOptions { context: options.context.clone(), cluster: options.cluster.clone(), user: options.user.clone() };
        let (mut config, context) = match kubeconfig {
            Some(kubeconfig) => {
                let context = selection.context.clone().or_else(|| kubeconfig.current_context.clone());
                let config =
                    runtime.block_on(Config::from_custom_kubeconfig(kubeconfig, &selection)).map_err(kubeconfig_error)?;
                (config, context)
            }
            None => {
                let config = Config::incluster().map_err(|err| {
                    Error::new(
                        Kind::Kubeconfig,
                        format!("no kubeconfig found and not running in a cluster ({})", one_line(&err.to_string())),
                    )
                    .hint("set KUBECONFIG or pass --kubeconfig")
                })?;
                (config, None)
            }
        };
        exec_credential::resolve(&mut config.auth_info)?;
        if options.as_user.is_some() {
            config.auth_info.impersonate = options.as_user.clone();
        }
        if !options.as_groups.is_empty() {
            config.auth_info.impersonate_groups = Some(options.as_groups.clone());
        }
        if let Some(timeout) = timeout {
            config.connect_timeout = Some(timeout);
            config.read_timeout = Some(timeout);
            config.write_timeout = Some(timeout);
        }
        Ok(Kube { config, runtime, context })
    }

    pub fn connect(self) -> Result<Cluster> {
        let Kube { config, runtime, .. } = self;
        let server = config.cluster_url.to_string();
        let default_namespace = config.default_namespace.clone();
        let client = {
            // Client::try_from spawns nothing but needs a runtime context.
            let _guard = runtime.enter();
            Client::try_from(config).map_err(|err| kube_error(err, "connect to the Kubernetes API server", &server))?
        };
        Ok(Cluster::new(client, runtime, server, default_namespace))
    }
}

/// The names a kubeconfig defines, as `--context`, `--cluster` and `--user`
/// take them (for shell completion): read like [`Kube::load`] reads it.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct KubeconfigNames {
    pub contexts: Vec<String>,
    pub clusters: Vec<String>,
    pub users: Vec<String>,
}

impl KubeconfigNames {
    pub fn read(options: &KubeOptions) -> Result<Self> {
        let Some(kubeconfig) = read_kubeconfig(options)? else { return Ok(Self::default()) };
        Ok(KubeconfigNames {
            contexts: kubeconfig.contexts.into_iter().map(|c| c.name).collect(),
            clusters: kubeconfig.clusters.into_iter().map(|c| c.name).collect(),
            users: kubeconfig.auth_infos.into_iter().map(|u| u.name).collect(),
        })
    }
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|err| Error::new(Kind::Io, format!("cannot start the I/O runtime: {err}")))
}

fn read_kubeconfig(options: &KubeOptions) -> Result<Option<Kubeconfig>> {
    if let Some(path) = &options.kubeconfig {
        return read_file(path).map(Some);
    }
    if let Some(list) = std::env::var_os("KUBECONFIG").filter(|v| !v.is_empty()) {
        let mut merged: Option<Kubeconfig> = None;
        for path in std::env::split_paths(&list).filter(|p| !p.as_os_str().is_empty()) {
            if !path.exists() {
                continue;
            }
            let next = read_file(&path)?;
            merged = Some(match merged {
                None => next,
                Some(first) => first.merge(next).map_err(kubeconfig_error)?,
            });
        }
        // kubectl treats a list of only missing files as an empty config.
        return Ok(Some(merged.unwrap_or_default()));
    }
    match dirs::home_dir().map(|home| home.join(".kube").join("config")) {
        Some(path) if path.exists() => read_file(&path).map(Some),
        _ => Ok(None),
    }
}

fn read_file(path: &Path) -> Result<Kubeconfig> {
    Kubeconfig::read_from(path)
        .map_err(|err| Error::new(Kind::Kubeconfig, format!("cannot read kubeconfig {}: {}", path.display(), chain(&err))))
}

fn kubeconfig_error(err: KubeconfigError) -> Error {
    let hint = match err {
        KubeconfigError::CurrentContextNotSet => "pass --context or run kubectl config use-context",
        KubeconfigError::LoadContext(_) | KubeconfigError::LoadClusterOfContext(_) => {
            "check the names with kubectl config get-contexts"
        }
        _ => "check it with kubectl config view",
    };
    Error::new(Kind::Kubeconfig, format!("unusable kubeconfig: {}", chain(&err))).hint(hint)
}
