//! Where a client's secret lives in the cluster: the Secrets that hold its
//! current value (copies), those that claim to be a copy but hold another
//! (drift), and the workloads that read each; then bringing the copies up
//! to date after a regeneration and restarting their readers.
//!
//! A Secret claims to be a copy of client C in realm R when it carries our
//! provenance annotations for C and R, or is named `C-auth` with a
//! `client-id` key holding C (CSM's convention). Values are compared in
//! memory while the Secrets are listed page by page and dropped at once:
//! only names, keys and resourceVersions are kept.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, StatefulSet};
use k8s_openapi::api::core::v1::{PodTemplateSpec, Secret as KubeSecret};

use crate::cluster::{Cluster, ObjectRef};
use crate::error::{Error, Kind, Result};
use crate::output::manifest;
use crate::secret::Secret;

/// Secrets read per list request.
const PAGE: u32 = 500;
/// The key CSM's copies name their client in.
const CLIENT_ID_KEY: &str = "client-id";

/// One client whose copies are looked for.
pub struct Wanted<'a> {
    pub client_id: &'a str,
    pub secret: &'a Secret,
}

/// Why a Secret counts as this client's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum FoundBy {
    /// Our `kubectl-keycloak/client-id` and `/realm` annotations.
    Provenance,
    /// `{clientId}-auth` with a `client-id` key naming the client.
    Name,
    /// Only its value: a key holds the client's current secret.
    Value,
}

impl FoundBy {
    pub fn as_str(self) -> &'static str {
        match self {
            FoundBy::Provenance => "provenance",
            FoundBy::Name => "name",
            FoundBy::Value => "value",
        }
    }
}

/// A workload whose pods read a Secret.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Consumer {
    pub kind: WorkloadKind,
    pub object: ObjectRef,
    /// How: `env`, `envFrom`, `volume`, `projected`.
    pub via: Vec<&'static str>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum WorkloadKind {
    Deployment,
    StatefulSet,
    DaemonSet,
}

impl WorkloadKind {
    pub fn as_str(self) -> &'static str {
        match self {
            WorkloadKind::Deployment => "Deployment",
            WorkloadKind::StatefulSet => "StatefulSet",
            WorkloadKind::DaemonSet => "DaemonSet",
        }
    }

    /// kubectl's short resource name.
    pub fn short(self) -> &'static str {
        match self {
            WorkloadKind::Deployment => "deploy",
            WorkloadKind::StatefulSet => "sts",
            WorkloadKind::DaemonSet => "ds",
        }
    }
}

impl std::fmt::Display for Consumer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.kind.short(), self.object)
    }
}

/// A Secret holding (or claiming) one client's secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder {
    pub object: ObjectRef,
    /// The keys that hold the current secret (empty for drift).
    pub keys: Vec<String>,
    /// The strongest reason it counts as the client's.
    pub found_by: FoundBy,
    pub resource_version: String,
    pub consumers: Vec<Consumer>,
}

impl Holder {
    pub fn drifted(&self) -> bool {
        self.keys.is_empty()
    }
}

/// What a scan found for each client (in the order asked), and where it
/// could not look.
pub struct Scan {
    pub holders: Vec<Vec<Holder>>,
    /// Who reads which Secret, in the namespaces searched.
    pub readers: Readers,
    /// Namespaces whose Secrets could not be listed.
    pub unsearched: Vec<String>,
    /// Set when namespaces could not be listed at all: only these were.
    pub only_searched: Option<Vec<String>>,
}

impl Scan {
    /// One note on what was not searched, or nothing.
    pub fn note(&self) -> Option<String> {
        if let Some(searched) = &self.only_searched {
            return Some(format!(
                "kubectl-keycloak: may not list Secrets in all namespaces nor list namespaces: searched only {}",
                searched.join(", ")
            ));
        }
        (!self.unsearched.is_empty()).then(|| {
            format!(
                "kubectl-keycloak: may not list Secrets in {} namespace(s), not searched: {}",
                self.unsearched.len(),
                self.unsearched.join(", ")
            )
        })
    }
}

/// Find every copy and drifted copy of these clients' secrets in the
/// namespaces the user may list, and the workloads that read them.
/// `fallback` is searched alone when namespaces cannot be listed.
pub fn scan(cluster: &Cluster, realm: &str, wanted: &[Wanted<'_>], fallback: &str) -> Result<Scan> {
    let by_value: HashMap<&str, Vec<usize>> = wanted.iter().enumerate().fold(HashMap::new(), |mut map, (i, w)| {
        map.entry(w.secret.expose()).or_default().push(i);
        map
    });
    let by_id: HashMap<&str, usize> = wanted.iter().enumerate().map(|(i, w)| (w.client_id, i)).collect();
    let mut holders: Vec<Vec<Holder>> = vec![Vec::new(); wanted.len()];
    let mut each = |secret: KubeSecret| {
        for (index, holder) in classify(&secret, realm, &by_value, &by_id) {
            holders[index].push(holder);
        }
    };
    let mut unsearched = Vec::new();
    let mut only_searched = None;
    let namespaces = match cluster.scan_secrets(None, PAGE, &mut each) {
        Ok(()) => None,
        Err(err) if err.kind == Kind::Forbidden => match cluster.namespace_names(None) {
            Ok(names) => Some(names),
            Err(err) if err.kind == Kind::Forbidden => {
                only_searched = Some(vec![fallback.to_string()]);
                Some(vec![fallback.to_string()])
            }
            Err(err) => return Err(err),
        },
        Err(err) => return Err(err),
    };
    if let Some(namespaces) = &namespaces {
        for namespace in namespaces {
            match cluster.scan_secrets(Some(namespace), PAGE, &mut each) {
                Ok(()) => {}
                Err(err) if err.kind == Kind::Forbidden => unsearched.push(namespace.clone()),
                Err(err) => return Err(err),
            }
        }
    }
    let searched: Option<Vec<&String>> =
        namespaces.as_ref().map(|names| names.iter().filter(|name| !unsearched.contains(name)).collect());
    let readers = consumers(cluster, searched.as_deref())?;
    for list in &mut holders {
        for holder in list.iter_mut() {
            holder.consumers = readers.of(&holder.object);
        }
        list.sort_by(|a, b| {
            (a.drifted(), &a.object.namespace, &a.object.name).cmp(&(b.drifted(), &b.object.namespace, &b.object.name))
        });
    }
    Ok(Scan { holders, readers, unsearched, only_searched })
}

/// Which wanted clients this Secret holds or claims; its values are
/// compared here and nowhere kept.
fn classify(
    secret: &KubeSecret,
    realm: &str,
    by_value: &HashMap<&str, Vec<usize>>,
    by_id: &HashMap<&str, usize>,
) -> Vec<(usize, Holder)> {
    let (Some(namespace), Some(name)) = (&secret.metadata.namespace, &secret.metadata.name) else {
        return Vec::new();
    };
    let data = secret.data.as_ref();
    let mut keys_of: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    for (key, value) in data.into_iter().flatten() {
        if let Ok(text) = std::str::from_utf8(&value.0) {
            for &index in by_value.get(text).into_iter().flatten() {
                keys_of.entry(index).or_default().push(key.clone());
            }
        }
    }
    let mut claims: BTreeMap<usize, FoundBy> = BTreeMap::new();
    let annotations = secret.metadata.annotations.as_ref();
    let annotation = |field: &str| annotations.and_then(|a| a.get(&manifest::annotation(field))).map(String::as_str);
    if annotation("realm") == Some(realm)
        && let Some(&index) = annotation("client-id").and_then(|id| by_id.get(id))
    {
        claims.insert(index, FoundBy::Provenance);
    }
    let named = data.and_then(|d| d.get(CLIENT_ID_KEY)).and_then(|v| std::str::from_utf8(&v.0).ok());
    if let Some(&index) = named.and_then(|id| by_id.get(id))
        && name.strip_suffix("-auth") == named
    {
        claims.entry(index).or_insert(FoundBy::Name);
    }
    let indexes: BTreeSet<usize> = keys_of.keys().chain(claims.keys()).copied().collect();
    indexes
        .into_iter()
        .map(|index| {
            let holder = Holder {
                object: ObjectRef { namespace: namespace.clone(), name: name.clone() },
                keys: keys_of.remove(&index).unwrap_or_default(),
                found_by: claims.get(&index).copied().unwrap_or(FoundBy::Value),
                resource_version: secret.metadata.resource_version.clone().unwrap_or_default(),
                consumers: Vec::new(),
            };
            (index, holder)
        })
        .collect()
}

/// The workloads reading each Secret, by namespace and name.
#[derive(Default)]
pub struct Readers(HashMap<(String, String), Vec<Consumer>>);

impl Readers {
    pub fn of(&self, secret: &ObjectRef) -> Vec<Consumer> {
        self.0.get(&(secret.namespace.clone(), secret.name.clone())).cloned().unwrap_or_default()
    }
}

/// The workloads reading each Secret (by namespace and name), from the
/// pod templates of Deployments, StatefulSets and DaemonSets in the
/// namespaces searched (all when `None`).
fn consumers(cluster: &Cluster, namespaces: Option<&[&String]>) -> Result<Readers> {
    let mut readers = HashMap::<(String, String), Vec<Consumer>>::new();
    let scopes: Vec<Option<&str>> = match namespaces {
        None => vec![None],
        Some(names) => names.iter().map(|name| Some(name.as_str())).collect(),
    };
    for scope in scopes {
        let mut add =
            |kind, meta: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta, template: Option<&PodTemplateSpec>| {
                if let (Some(namespace), Some(name), Some(template)) = (&meta.namespace, &meta.name, template) {
                    for (secret, via) in secrets_read(template) {
                        let object = ObjectRef { namespace: namespace.clone(), name: name.clone() };
                        readers.entry((namespace.clone(), secret)).or_default().push(Consumer { kind, object, via });
                    }
                }
            };
        for item in listed::<Deployment>(cluster, scope)? {
            add(WorkloadKind::Deployment, &item.metadata, Some(&item.spec.template));
        }
        for item in listed::<StatefulSet>(cluster, scope)? {
            add(WorkloadKind::StatefulSet, &item.metadata, Some(&item.spec.template));
        }
        for item in listed::<DaemonSet>(cluster, scope)? {
            add(WorkloadKind::DaemonSet, &item.metadata, Some(&item.spec.template));
        }
    }
    readers.values_mut().for_each(|list| list.sort());
    Ok(Readers(readers))
}

/// A kind the user may not list reads as none of it: the audit is then
/// about Secrets alone, which the note on namespaces does not hide.
fn listed<K>(cluster: &Cluster, namespace: Option<&str>) -> Result<Vec<K>>
where
    K: kube::Resource<DynamicType = (), Scope = k8s_openapi::NamespaceResourceScope>
        + Clone
        + serde::de::DeserializeOwned
        + std::fmt::Debug,
{
    match cluster.list::<K>(namespace) {
        Err(err) if err.kind == Kind::Forbidden => Ok(Vec::new()),
        other => other,
    }
}

/// The Secrets a pod template reads, each with how.
fn secrets_read(template: &PodTemplateSpec) -> BTreeMap<String, Vec<&'static str>> {
    let mut read: BTreeMap<String, Vec<&'static str>> = BTreeMap::new();
    let mut add = |name: &str, via: &'static str| {
        let list = read.entry(name.to_string()).or_default();
        if !list.contains(&via) {
            list.push(via);
        }
    };
    let Some(pod) = &template.spec else { return read };
    for container in pod.containers.iter().chain(pod.init_containers.iter().flatten()) {
        for env in container.env.iter().flatten() {
            if let Some(reference) = env.value_from.as_ref().and_then(|from| from.secret_key_ref.as_ref()) {
                add(&reference.name, "env");
            }
        }
        for from in container.env_from.iter().flatten() {
            if let Some(reference) = &from.secret_ref {
                add(&reference.name, "envFrom");
            }
        }
    }
    for volume in pod.volumes.iter().flatten() {
        if let Some(name) = volume.secret.as_ref().and_then(|s| s.secret_name.as_deref()) {
            add(name, "volume");
        }
        for source in volume.projected.iter().flat_map(|p| p.sources.iter().flatten()) {
            if let Some(reference) = &source.secret {
                add(&reference.name, "projected");
            }
        }
    }
    read
}

/// One key of one copy to bring up to date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyWrite {
    pub object: ObjectRef,
    pub key: String,
    pub resource_version: String,
}

impl std::fmt::Display for KeyWrite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.object, self.key)
    }
}

/// The copies' keys that hold the current (soon old) secret: each is
/// changed, and only it; drifted copies are never among them.
pub fn key_writes(holders: &[Holder]) -> Vec<KeyWrite> {
    holders
        .iter()
        .flat_map(|holder| {
            holder.keys.iter().map(|key| KeyWrite {
                object: holder.object.clone(),
                key: key.clone(),
                resource_version: holder.resource_version.clone(),
            })
        })
        .collect()
}

/// The workloads to restart: every reader of a Secret written, once each.
pub fn restarts(readers: impl IntoIterator<Item = Consumer>) -> Vec<Consumer> {
    let mut all: Vec<Consumer> = readers.into_iter().collect();
    all.sort();
    all.dedup_by(|a, b| a.kind == b.kind && a.object == b.object);
    all
}

/// Write the new secret into each key in turn, stopping at the first
/// failure: `Err((done, error))` says how many were written. Silent: a
/// failure's stderr is its one line, which lists what was done.
pub fn write_keys(
    cluster: &Cluster,
    writes: &[KeyWrite],
    secret: &Secret,
    annotations: &BTreeMap<String, String>,
) -> std::result::Result<(), (usize, Error)> {
    // Keys of one Secret share its resourceVersion as read: after the first
    // is written the Secret is newer, so the next write of it goes without
    // the precondition only if this run made the change.
    let mut written: BTreeSet<String> = BTreeSet::new();
    for (done, write) in writes.iter().enumerate() {
        let id = write.object.to_string();
        let version = if written.contains(&id) { "" } else { write.resource_version.as_str() };
        cluster.update_secret_key(&write.object, version, &write.key, secret, annotations).map_err(|err| (done, err))?;
        written.insert(id);
    }
    Ok(())
}

/// Restart each workload in turn, stopping at the first failure.
pub fn restart_all(cluster: &Cluster, workloads: &[Consumer]) -> std::result::Result<(), (usize, Error)> {
    let at = jiff::Timestamp::now().to_string();
    for (done, workload) in workloads.iter().enumerate() {
        let result = match workload.kind {
            WorkloadKind::Deployment => cluster.restart::<Deployment>(&workload.object, &at),
            WorkloadKind::StatefulSet => cluster.restart::<StatefulSet>(&workload.object, &at),
            WorkloadKind::DaemonSet => cluster.restart::<DaemonSet>(&workload.object, &at),
        };
        result.map_err(|err| (done, err))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::ByteString;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

    fn kube_secret(name: &str, data: &[(&str, &str)], annotations: &[(&str, &str)]) -> KubeSecret {
        KubeSecret {
            metadata: ObjectMeta {
                name: Some(name.into()),
                namespace: Some("ims".into()),
                resource_version: Some("7".into()),
                annotations: Some(annotations.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()),
                ..Default::default()
            },
            data: Some(data.iter().map(|(k, v)| (k.to_string(), ByteString(v.as_bytes().to_vec()))).collect()),
            ..Default::default()
        }
    }

    fn found(secret: &KubeSecret) -> Vec<(usize, Vec<String>, FoundBy)> {
        let (one, two) = (Secret::new("s-one"), Secret::new("s-two"));
        let wanted = [Wanted { client_id: "one", secret: &one }, Wanted { client_id: "two", secret: &two }];
        let by_value = wanted.iter().enumerate().map(|(i, w)| (w.secret.expose(), vec![i])).collect();
        let by_id = wanted.iter().enumerate().map(|(i, w)| (w.client_id, i)).collect();
        classify(secret, "shasta", &by_value, &by_id).into_iter().map(|(i, h)| (i, h.keys, h.found_by)).collect()
    }

    #[test]
    fn a_copy_is_found_by_value_name_or_provenance_and_drift_by_its_claim() {
        let by_value = kube_secret("anything", &[("password", "s-two")], &[]);
        assert_eq!(found(&by_value), [(1, vec!["password".to_string()], FoundBy::Value)]);
        let csm = kube_secret("one-auth", &[("client-id", "one"), ("client-secret", "s-one")], &[]);
        assert_eq!(found(&csm), [(0, vec!["client-secret".to_string()], FoundBy::Name)]);
        let stale = kube_secret("one-auth", &[("client-id", "one"), ("client-secret", "old")], &[]);
        assert_eq!(found(&stale), [(0, vec![], FoundBy::Name)]);
        let ours = [("kubectl-keycloak/client-id", "two"), ("kubectl-keycloak/realm", "shasta")];
        assert_eq!(found(&kube_secret("x", &[("k", "old")], &ours)), [(1, vec![], FoundBy::Provenance)]);
        let other_realm = [("kubectl-keycloak/client-id", "two"), ("kubectl-keycloak/realm", "master")];
        assert!(found(&kube_secret("x", &[("k", "old")], &other_realm)).is_empty());
        // A name alone, without the client-id key naming the client, claims nothing.
        assert!(found(&kube_secret("one-auth", &[("client-secret", "old")], &[])).is_empty());
    }

    #[test]
    fn every_way_a_pod_reads_a_secret_is_seen() {
        let template: PodTemplateSpec = serde_json::from_value(serde_json::json!({
            "spec": {
                "containers": [{"name": "c", "env": [{"name": "S", "valueFrom": {"secretKeyRef": {"name": "a", "key": "k"}}}],
                                "envFrom": [{"secretRef": {"name": "b"}}]}],
                "volumes": [{"name": "v", "secret": {"secretName": "a"}},
                            {"name": "p", "projected": {"sources": [{"secret": {"name": "c"}}]}}]
            }
        }))
        .unwrap();
        let read = secrets_read(&template);
        assert_eq!(read["a"], ["env", "volume"]);
        assert_eq!(read["b"], ["envFrom"]);
        assert_eq!(read["c"], ["projected"]);
    }
}
