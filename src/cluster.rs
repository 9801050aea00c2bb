//! Kubernetes access, the way kubectl does it: kubeconfig selection, context
//! overrides, impersonation, exec credential plugins, in-cluster config; and
//! the few reads and writes the plugin makes (Secrets and a ConfigMap).
//!
//! kube is async; only these calls run on a current-thread runtime, the
//! Keycloak side stays plain blocking code.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use base64::Engine;
use k8s_openapi::ByteString;
use k8s_openapi::api::core::v1::{ConfigMap, Secret};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kube::api::{Patch, PatchParams, PostParams};
use kube::config::{KubeConfigOptions, Kubeconfig, KubeconfigError};
use kube::{Api, Client, Config};

use crate::error::{Error, Kind, Result, chain, one_line};
use crate::trace;

/// kubectl-style selection of cluster and identity.
#[derive(Debug, Default, Clone)]
pub struct KubeOptions {
    pub kubeconfig: Option<PathBuf>,
    pub context: Option<String>,
    pub cluster: Option<String>,
    pub user: Option<String>,
    pub as_user: Option<String>,
    pub as_groups: Vec<String>,
    pub timeout: Option<Duration>,
}

/// `namespace/name` of a Kubernetes object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectRef {
    pub namespace: String,
    pub name: String,
}

impl std::fmt::Display for ObjectRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.namespace, self.name)
    }
}

impl ObjectRef {
    /// `[NAMESPACE/]NAME`, with `default_namespace` when none is given.
    pub fn parse(text: &str, default_namespace: &str) -> Result<Self> {
        let (namespace, name) = match text.split_once('/') {
            Some((ns, name)) => (ns, name),
            None => (default_namespace, text),
        };
        if namespace.is_empty() || name.is_empty() || name.contains('/') {
            return Err(Error::usage(format!("{text:?} is not [NAMESPACE/]NAME")));
        }
        Ok(ObjectRef { namespace: namespace.to_string(), name: name.to_string() })
    }
}

/// The kubeconfig that was chosen, before connecting.
pub struct Kube {
    config: Config,
    runtime: tokio::runtime::Runtime,
    /// The context in use; `None` for in-cluster config.
    pub context: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretWrite {
    Created,
    Updated,
}

/// A connected client.
pub struct Cluster {
    client: Client,
    runtime: tokio::runtime::Runtime,
    server: String,
}

impl Kube {
    /// Load configuration like kubectl: `--kubeconfig` (must exist), else the
    /// `KUBECONFIG` list (missing files skipped, first file wins), else
    /// `~/.kube/config`, else in-cluster service-account config.
    pub fn load(options: &KubeOptions) -> Result<Self> {
        let runtime = runtime()?;
        let kubeconfig = read_kubeconfig(options)?;
        let selection = KubeConfigOptions {
            context: options.context.clone(),
            cluster: options.cluster.clone(),
            user: options.user.clone(),
        };
        let (mut config, context) = match kubeconfig {
            Some(kubeconfig) => {
                let context = selection.context.clone().or_else(|| kubeconfig.current_context.clone());
                let config = runtime
                    .block_on(Config::from_custom_kubeconfig(kubeconfig, &selection))
                    .map_err(kubeconfig_error)?;
                (config, context)
            }
            None => {
                let config = Config::incluster().map_err(|err| {
                    Error::new(Kind::Kubeconfig, format!("no kubeconfig found and not running in a cluster ({})", one_line(&err.to_string())))
                        .hint("set KUBECONFIG or pass --kubeconfig")
                })?;
                (config, None)
            }
        };
        crate::exec_credential::resolve(&mut config.auth_info)?;
        if options.as_user.is_some() {
            config.auth_info.impersonate = options.as_user.clone();
        }
        if !options.as_groups.is_empty() {
            config.auth_info.impersonate_groups = Some(options.as_groups.clone());
        }
        if let Some(timeout) = options.timeout {
            config.connect_timeout = Some(timeout);
            config.read_timeout = Some(timeout);
            config.write_timeout = Some(timeout);
        }
        Ok(Kube { config, runtime, context })
    }

    pub fn connect(self) -> Result<Cluster> {
        let Kube { config, runtime, .. } = self;
        let server = config.cluster_url.to_string();
        let client = {
            // Client::try_from spawns nothing but needs a runtime context.
            let _guard = runtime.enter();
            Client::try_from(config).map_err(|err| kube_error(err, "connect to the Kubernetes API server", &server))?
        };
        Ok(Cluster { client, runtime, server })
    }
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|err| Error::new(Kind::Output, format!("cannot start the I/O runtime: {err}")))
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
    Kubeconfig::read_from(path).map_err(|err| {
        Error::new(Kind::Kubeconfig, format!("cannot read kubeconfig {}: {}", path.display(), chain(&err)))
    })
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


impl Cluster {
    /// The `data` of a Secret, decoded (the API returns base64; k8s-openapi
    /// decodes it into bytes).
    pub fn secret_data(&self, secret: &ObjectRef) -> Result<BTreeMap<String, Vec<u8>>> {
        let api: Api<Secret> = Api::namespaced(self.client.clone(), &secret.namespace);
        let found = self.get(api, secret, "Secret")?;
        Ok(found.data.unwrap_or_default().into_iter().map(|(k, v)| (k, v.0)).collect())
    }

    pub fn configmap_value(&self, configmap: &ObjectRef, key: &str) -> Result<String> {
        let api: Api<ConfigMap> = Api::namespaced(self.client.clone(), &configmap.namespace);
        let found = self.get(api, configmap, "ConfigMap")?;
        found.data.and_then(|mut data| data.remove(key)).ok_or_else(|| {
            Error::new(Kind::AdminSecret, format!("ConfigMap {configmap} has no key {key:?}"))
                .hint("name the key as NAMESPACE/NAME:KEY")
        })
    }

    /// Store `value` under `key` in a Secret: create the Secret if absent,
    /// otherwise merge-patch only that key, so other keys and concurrent
    /// writers of other keys are untouched.
    pub fn write_secret_key(&self, secret: &ObjectRef, key: &str, value: &str) -> Result<SecretWrite> {
        let api: Api<Secret> = Api::namespaced(self.client.clone(), &secret.namespace);
        let what = format!("write key {key:?} of Secret {secret}");
        let url = self.object_url::<Secret>(secret);
        let encoded = base64::engine::general_purpose::STANDARD.encode(value);
        let patch = serde_json::json!({ "data": { key: encoded } });
        for _ in 0..2 {
            let started = Instant::now();
            let patched = self.runtime.block_on(api.patch(&secret.name, &PatchParams::default(), &Patch::Merge(&patch)));
            trace::kube("PATCH", &url, &patched.as_ref().map(|_| ()), started.elapsed());
            match patched {
                Ok(_) => return Ok(SecretWrite::Updated),
                Err(kube::Error::Api(status)) if status.code == 404 => {}
                Err(err) => return Err(kube_error(err, &what, &self.server)),
            }
            let new_secret = Secret {
                metadata: ObjectMeta { name: Some(secret.name.clone()), namespace: Some(secret.namespace.clone()), ..Default::default() },
                type_: Some("Opaque".to_string()),
                data: Some([(key.to_string(), ByteString(value.as_bytes().to_vec()))].into()),
                ..Default::default()
            };
            let started = Instant::now();
            let created = self.runtime.block_on(api.create(&PostParams::default(), &new_secret));
            let collection = url.rsplit_once('/').map_or(url.as_str(), |(collection, _)| collection);
            trace::kube("POST", collection, &created.as_ref().map(|_| ()), started.elapsed());
            match created {
                Ok(_) => return Ok(SecretWrite::Created),
                // Someone created it meanwhile: patch that one.
                Err(kube::Error::Api(status)) if status.code == 409 => continue,
                Err(err) => return Err(kube_error(err, &what, &self.server)),
            }
        }
        Err(Error::new(Kind::KubeApi, format!("cannot {what}: it keeps appearing and disappearing")))
    }

    fn object_url<K: kube::Resource<DynamicType = ()>>(&self, object: &ObjectRef) -> String {
        format!("{}{}/{}", self.server.trim_end_matches('/'), K::url_path(&(), Some(&object.namespace)), object.name)
    }

    fn get<K>(&self, api: Api<K>, object: &ObjectRef, kind: &str) -> Result<K>
    where
        K: kube::Resource<DynamicType = ()> + Clone + k8s_openapi::serde::de::DeserializeOwned + std::fmt::Debug,
    {
        let started = Instant::now();
        let result = self.runtime.block_on(api.get(&object.name));
        let what = format!("get {kind} {object}");
        let url = self.object_url::<K>(object);
        trace::kube("GET", &url, &result.as_ref().map(|_| ()), started.elapsed());
        result.map_err(|err| kube_error(err, &what, &self.server))
    }
}

/// Map a kube error to our classes, keeping the API server's own message
/// (it names the user and the verb RBAC refused).
pub fn kube_error(err: kube::Error, what: &str, server: &str) -> Error {
    match err {
        kube::Error::Api(status) => {
            let message = one_line(&status.message);
            match status.code {
                403 => Error::new(Kind::Forbidden, format!("cannot {what}: forbidden: {message}"))
                    .hint("use a context allowed to read it (--context), or ask for RBAC access"),
                404 => Error::new(Kind::AdminSecret, format!("cannot {what}: not found"))
                    .hint("check the namespace and name (--admin-secret NAMESPACE/NAME), and the --context"),
                401 => Error::new(Kind::KubeApi, format!("cannot {what}: the API server at {server} rejected our credentials (401 Unauthorized)"))
                    .hint("refresh the kubeconfig credentials or token"),
                code => Error::new(Kind::KubeApi, format!("cannot {what}: API server answered {code}: {message}")),
            }
        }
        kube::Error::Auth(auth) => Error::new(Kind::Kubeconfig, format!("cannot {what}: kubeconfig credentials failed: {}", chain(&auth)))
            .hint("check the user's exec plugin or token in the kubeconfig"),
        other => {
            let detail = chain(&other);
            Error::new(Kind::KubeApi, format!("cannot {what}: API server {server} unreachable: {detail}"))
                .hint("check the --context and that the cluster is up (kubectl cluster-info)")
        }
    }
}


#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_refs_take_a_default_namespace() {
        assert_eq!(
            ObjectRef::parse("keycloak-master-admin-auth", "services").unwrap(),
            ObjectRef { namespace: "services".into(), name: "keycloak-master-admin-auth".into() }
        );
        assert_eq!(ObjectRef::parse("ns/x", "services").unwrap().namespace, "ns");
        for bad in ["", "/x", "ns/", "a/b/c"] {
            assert!(ObjectRef::parse(bad, "services").is_err(), "{bad:?}");
        }
    }
}
