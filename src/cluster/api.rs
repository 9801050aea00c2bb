//! The Kubernetes API calls the plugin makes: read a Secret or a ConfigMap
//! key, and write one key of a Secret.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use base64::Engine;
use k8s_openapi::ByteString;
use k8s_openapi::api::core::v1::{ConfigMap, Namespace, Secret};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kube::api::{ApiResource, DynamicObject, ListParams, Patch, PatchParams, PostParams};
use kube::{Api, Client, Resource};

use super::ObjectRef;
use crate::error::{Error, Kind, Result, chain, one_line};
use crate::secret;
use crate::trace;

/// A Secret's data, decoded.
pub type SecretData = BTreeMap<String, Vec<u8>>;
/// A Secret's data and its annotations.
pub type SecretWithAnnotations = (SecretData, BTreeMap<String, String>);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretWrite {
    Created,
    Updated,
}

/// A connected client.
pub struct Cluster {
    client: Client,
    /// Shared with the service proxy, whose requests run on it too.
    runtime: Arc<tokio::runtime::Runtime>,
    server: String,
    /// The kubeconfig context's namespace (kubectl's default for `-n`).
    default_namespace: String,
}

impl Cluster {
    pub(super) fn new(client: Client, runtime: tokio::runtime::Runtime, server: String, default_namespace: String) -> Self {
        Cluster { client, runtime: Arc::new(runtime), server, default_namespace }
    }

    pub(super) fn client(&self) -> Client {
        self.client.clone()
    }

    pub(super) fn runtime(&self) -> Arc<tokio::runtime::Runtime> {
        Arc::clone(&self.runtime)
    }

    pub(super) fn server(&self) -> &str {
        &self.server
    }

    pub fn default_namespace(&self) -> &str {
        &self.default_namespace
    }

    /// The Secret's data, or `None` when it does not exist.
    pub fn secret_data_if_exists(&self, secret: &ObjectRef) -> Result<Option<BTreeMap<String, Vec<u8>>>> {
        match self.secret_data(secret) {
            Err(err) if err.kind == Kind::NotFound => Ok(None),
            other => other.map(Some),
        }
    }

    /// Every object of a built-in kind in `namespace`, or in all namespaces.
    pub fn list<K>(&self, namespace: Option<&str>) -> Result<Vec<K>>
    where
        K: Resource<DynamicType = (), Scope = k8s_openapi::NamespaceResourceScope>
            + Clone
            + serde::de::DeserializeOwned
            + std::fmt::Debug,
    {
        let api: Api<K> = match namespace {
            Some(namespace) => Api::namespaced(self.client.clone(), namespace),
            None => Api::all(self.client.clone()),
        };
        let url = format!("{}{}", self.server.trim_end_matches('/'), K::url_path(&(), namespace));
        self.list_with(api, &url, &K::kind(&()))
    }

    /// Every object of a custom resource; `Ok(None)` when its CRD is not
    /// installed.
    pub fn list_custom(&self, resource: &ApiResource, namespace: Option<&str>) -> Result<Option<Vec<DynamicObject>>> {
        let api: Api<DynamicObject> = match namespace {
            Some(namespace) => Api::namespaced_with(self.client.clone(), namespace, resource),
            None => Api::all_with(self.client.clone(), resource),
        };
        let url = format!("{}{}", self.server.trim_end_matches('/'), DynamicObject::url_path(resource, namespace));
        match self.list_with(api, &url, &resource.kind) {
            Err(err) if err.kind == Kind::NotFound => Ok(None),
            other => other.map(Some),
        }
    }

    /// The names of namespaces: at most `limit` in one request (shell
    /// completion, where a large cluster must cost one page), or all.
    pub fn namespace_names(&self, limit: Option<u32>) -> Result<Vec<String>> {
        let api: Api<Namespace> = Api::all(self.client.clone());
        let mut url = format!("{}/api/v1/namespaces", self.server.trim_end_matches('/'));
        let mut params = ListParams::default();
        if let Some(limit) = limit {
            url.push_str(&format!("?limit={limit}"));
            params = params.limit(limit);
        }
        let started = Instant::now();
        let result = self.runtime.block_on(api.list_metadata(&params));
        trace::kube("GET", &url, &result.as_ref().map(|_| ()), started.elapsed());
        let list = result.map_err(|err| kube_error(err, "list namespaces", &self.server))?;
        Ok(list.items.into_iter().filter_map(|item| item.metadata.name).collect())
    }

    fn list_with<K>(&self, api: Api<K>, url: &str, kind: &str) -> Result<Vec<K>>
    where
        K: Resource + Clone + serde::de::DeserializeOwned + std::fmt::Debug,
    {
        let started = Instant::now();
        let result = self.runtime.block_on(api.list(&ListParams::default()));
        trace::kube("GET", url, &result.as_ref().map(|_| ()), started.elapsed());
        let scope = url.split("/namespaces/").nth(1).and_then(|rest| rest.split('/').next());
        let what = match scope {
            Some(namespace) => format!("list {kind} objects in namespace {namespace}"),
            None => format!("list {kind} objects in all namespaces"),
        };
        result.map(|list| list.items).map_err(|err| kube_error(err, &what, &self.server))
    }
}

impl Cluster {
    /// Every Secret in `namespace` (or in all), `page` at a time: `each`
    /// sees one Secret after another and keeps only what it needs, so a
    /// large cluster's Secrets are never all held at once.
    pub fn scan_secrets(&self, namespace: Option<&str>, page: u32, mut each: impl FnMut(Secret)) -> Result<()> {
        let api: Api<Secret> = match namespace {
            Some(namespace) => Api::namespaced(self.client.clone(), namespace),
            None => Api::all(self.client.clone()),
        };
        let url = format!("{}{}", self.server.trim_end_matches('/'), Secret::url_path(&(), namespace));
        let what = match namespace {
            Some(namespace) => format!("list Secrets in namespace {namespace}"),
            None => "list Secrets in all namespaces".to_string(),
        };
        let mut token: Option<String> = None;
        loop {
            let mut params = ListParams::default().limit(page);
            if let Some(token) = &token {
                params = params.continue_token(token);
            }
            let started = Instant::now();
            let result = self.runtime.block_on(api.list(&params));
            trace::kube("GET", &url, &result.as_ref().map(|_| ()), started.elapsed());
            let list = result.map_err(|err| kube_error(err, &what, &self.server))?;
            token = list.metadata.continue_.filter(|token| !token.is_empty());
            list.items.into_iter().for_each(&mut each);
            if token.is_none() {
                return Ok(());
            }
        }
    }

    /// Set one key of an existing Secret, only if it is still at
    /// `resource_version` (what was read and compared; empty: any): a Secret changed in
    /// between is refused (409), never overwritten. Annotations are merged.
    pub fn update_secret_key(
        &self,
        secret: &ObjectRef,
        resource_version: &str,
        key: &str,
        value: &secret::Secret,
        annotations: &BTreeMap<String, String>,
    ) -> Result<()> {
        let api: Api<Secret> = Api::namespaced(self.client.clone(), &secret.namespace);
        let url = self.object_url::<Secret>(secret);
        let encoded = base64::engine::general_purpose::STANDARD.encode(value.expose());
        let mut patch = serde_json::json!({ "metadata": { "annotations": annotations }, "data": { key: encoded } });
        if !resource_version.is_empty() {
            patch["metadata"]["resourceVersion"] = resource_version.into();
        }
        let what = format!("write key {key:?} of Secret {secret}");
        match self.patch_secret(&api, secret, &url, &patch) {
            Ok(_) => Ok(()),
            Err(kube::Error::Api(status)) if status.code == 409 => {
                Err(Error::new(Kind::KubeApi, format!("cannot {what}: it changed since it was read")))
            }
            Err(err) => Err(kube_error(err, &what, &self.server)),
        }
    }

    /// What `kubectl rollout restart` does: stamp the pod template, so the
    /// controller rolls new pods that read the Secrets again.
    pub fn restart<K>(&self, object: &ObjectRef, at: &str) -> Result<()>
    where
        K: Resource<DynamicType = (), Scope = k8s_openapi::NamespaceResourceScope>
            + Clone
            + serde::de::DeserializeOwned
            + std::fmt::Debug,
    {
        let api: Api<K> = Api::namespaced(self.client.clone(), &object.namespace);
        let patch = serde_json::json!({
            "spec": { "template": { "metadata": { "annotations": { "kubectl.kubernetes.io/restartedAt": at } } } }
        });
        let url = self.object_url::<K>(object);
        let started = Instant::now();
        let result = self.runtime.block_on(api.patch(&object.name, &PatchParams::default(), &Patch::Merge(&patch)));
        trace::kube("PATCH", &url, &result.as_ref().map(|_| ()), started.elapsed());
        let what = format!("restart {} {object}", K::kind(&()));
        result.map(|_| ()).map_err(|err| kube_error(err, &what, &self.server))
    }

    /// The `data` of a Secret, decoded (the API returns base64; k8s-openapi
    /// decodes it into bytes).
    pub fn secret_data(&self, secret: &ObjectRef) -> Result<BTreeMap<String, Vec<u8>>> {
        let api: Api<Secret> = Api::namespaced(self.client.clone(), &secret.namespace);
        let found = self.get(api, secret, "Secret")?;
        Ok(decoded(found))
    }

    /// The Secret's data and annotations, or `None` when it does not exist.
    pub fn secret_if_exists(&self, secret: &ObjectRef) -> Result<Option<SecretWithAnnotations>> {
        let api: Api<Secret> = Api::namespaced(self.client.clone(), &secret.namespace);
        match self.get(api, secret, "Secret") {
            Ok(found) => {
                let annotations = found.metadata.annotations.clone().unwrap_or_default();
                Ok(Some((decoded(found), annotations)))
            }
            Err(err) if err.kind == Kind::NotFound => Ok(None),
            Err(err) => Err(err),
        }
    }

    /// Delete a Secret; `false` when it did not exist.
    pub fn delete_secret(&self, secret: &ObjectRef) -> Result<bool> {
        let api: Api<Secret> = Api::namespaced(self.client.clone(), &secret.namespace);
        let url = self.object_url::<Secret>(secret);
        let started = Instant::now();
        let result = self.runtime.block_on(api.delete(&secret.name, &kube::api::DeleteParams::default()));
        trace::kube("DELETE", &url, &result.as_ref().map(|_| ()), started.elapsed());
        match result {
            Ok(_) => Ok(true),
            Err(kube::Error::Api(status)) if status.code == 404 => Ok(false),
            Err(err) => Err(kube_error(err, &format!("delete Secret {secret}"), &self.server)),
        }
    }

    pub fn configmap_data(&self, configmap: &ObjectRef) -> Result<BTreeMap<String, String>> {
        let api: Api<ConfigMap> = Api::namespaced(self.client.clone(), &configmap.namespace);
        Ok(self.get(api, configmap, "ConfigMap")?.data.unwrap_or_default())
    }

    pub fn configmap_value(&self, configmap: &ObjectRef, key: &str) -> Result<String> {
        self.configmap_data(configmap)?
            .remove(key)
            .ok_or_else(|| Error::new(Kind::NotFound, format!("ConfigMap {configmap} has no key {key:?}")))
    }

    /// Store these keys in a Secret with these annotations: create the
    /// Secret if absent (labelled `label`), otherwise merge-patch only those
    /// keys and annotations, so other keys and concurrent writers of other
    /// keys are untouched. An existing Secret gets `label` only when it has
    /// no value for that label yet (Helm and others set
    /// `app.kubernetes.io/managed-by` to their own name).
    pub fn write_secret(
        &self,
        secret: &ObjectRef,
        data: &[(String, secret::Secret)],
        annotations: &BTreeMap<String, String>,
        label: (&str, &str),
    ) -> Result<SecretWrite> {
        let api: Api<Secret> = Api::namespaced(self.client.clone(), &secret.namespace);
        let what = match data {
            [(key, _)] => format!("write key {key:?} of Secret {secret}"),
            _ => format!(
                "write keys {} of Secret {secret}",
                data.iter().map(|(k, _)| format!("{k:?}")).collect::<Vec<_>>().join(", ")
            ),
        };
        let url = self.object_url::<Secret>(secret);
        let encoded: serde_json::Map<String, serde_json::Value> = data
            .iter()
            .map(|(key, value)| (key.clone(), base64::engine::general_purpose::STANDARD.encode(value.expose()).into()))
            .collect();
        let patch = serde_json::json!({ "metadata": { "annotations": annotations }, "data": encoded });
        for _ in 0..2 {
            let patched = self.patch_secret(&api, secret, &url, &patch);
            match patched {
                Ok(found) => {
                    if !found.metadata.labels.as_ref().is_some_and(|labels| labels.contains_key(label.0)) {
                        let labels = serde_json::json!({ "metadata": { "labels": { label.0: label.1 } } });
                        self.patch_secret(&api, secret, &url, &labels).map_err(|err| kube_error(err, &what, &self.server))?;
                    }
                    return Ok(SecretWrite::Updated);
                }
                Err(kube::Error::Api(status)) if status.code == 404 => {}
                Err(err) => return Err(kube_error(err, &what, &self.server)),
            }
            let new_secret = Secret {
                metadata: ObjectMeta {
                    name: Some(secret.name.clone()),
                    namespace: Some(secret.namespace.clone()),
                    labels: Some([(label.0.to_string(), label.1.to_string())].into()),
                    annotations: Some(annotations.clone()),
                    ..Default::default()
                },
                type_: Some("Opaque".to_string()),
                data: Some(
                    data.iter().map(|(key, value)| (key.clone(), ByteString(value.expose().as_bytes().to_vec()))).collect(),
                ),
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

    fn patch_secret(
        &self,
        api: &Api<Secret>,
        secret: &ObjectRef,
        url: &str,
        patch: &serde_json::Value,
    ) -> Result<Secret, kube::Error> {
        let started = Instant::now();
        let patched = self.runtime.block_on(api.patch(&secret.name, &PatchParams::default(), &Patch::Merge(patch)));
        trace::kube("PATCH", url, &patched.as_ref().map(|_| ()), started.elapsed());
        patched
    }

    fn object_url<K: Resource<DynamicType = ()>>(&self, object: &ObjectRef) -> String {
        format!("{}{}/{}", self.server.trim_end_matches('/'), K::url_path(&(), Some(&object.namespace)), object.name)
    }

    pub(super) fn get<K>(&self, api: Api<K>, object: &ObjectRef, kind: &str) -> Result<K>
    where
        K: Resource<DynamicType = ()> + Clone + serde::de::DeserializeOwned + std::fmt::Debug,
    {
        let started = Instant::now();
        let result = self.runtime.block_on(api.get(&object.name));
        let what = format!("get {kind} {object}");
        let url = self.object_url::<K>(object);
        trace::kube("GET", &url, &result.as_ref().map(|_| ()), started.elapsed());
        result.map_err(|err| kube_error(err, &what, &self.server))
    }
}

/// A Secret's data as bytes (k8s-openapi has decoded the API's base64).
fn decoded(secret: Secret) -> SecretData {
    secret.data.unwrap_or_default().into_iter().map(|(key, value)| (key, value.0)).collect()
}

/// Map a kube error to our classes, keeping the API server's own message
/// (it names the user and the verb RBAC refused). A 404 gets no hint here:
/// only the caller knows which setting named the object.
pub(super) fn kube_error(err: kube::Error, what: &str, server: &str) -> Error {
    match err {
        kube::Error::Api(status) => {
            let message = one_line(&status.message);
            match status.code {
                403 => Error::new(Kind::Forbidden, format!("cannot {what}: forbidden: {message}"))
                    .hint("use a context allowed to read it (--context), or ask for RBAC access"),
                404 => Error::new(Kind::NotFound, format!("cannot {what}: not found")),
                401 => Error::new(
                    Kind::KubeApi,
                    format!("cannot {what}: the API server at {server} rejected our credentials (401 Unauthorized)"),
                )
                .hint("refresh the kubeconfig credentials or token"),
                code => Error::new(Kind::KubeApi, format!("cannot {what}: API server answered {code}: {message}")),
            }
        }
        kube::Error::Auth(auth) => {
            Error::new(Kind::Kubeconfig, format!("cannot {what}: kubeconfig credentials failed: {}", chain(&auth)))
                .hint("check the user's exec plugin or token in the kubeconfig")
        }
        other => {
            let detail = chain(&other);
            Error::new(Kind::KubeApi, format!("cannot {what}: API server {server} unreachable: {detail}"))
                .hint("check the --context and that the cluster is up (kubectl cluster-info)")
        }
    }
}
