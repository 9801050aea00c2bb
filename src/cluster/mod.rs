//! Kubernetes access, the way kubectl does it: `config` chooses the cluster
//! and identity from the kubeconfig (contexts, overrides, impersonation,
//! `exec_credential` plugins, in-cluster config); `api` makes the few reads
//! and writes the plugin needs (Secrets and a ConfigMap); `forward` the
//! port-forward to Keycloak's pod.
//!
//! kube is async; only these calls run on a current-thread runtime, the
//! Keycloak side stays plain blocking code.

mod api;
mod config;
mod exec_credential;
mod forward;

pub use api::{Cluster, SecretWrite};
pub use config::{Kube, KubeOptions, KubeconfigNames};
pub use forward::{Forward, PodPort, ServicePort, Tunnel};

use crate::error::{Error, Result};

/// `namespace/name` of a Kubernetes object.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_refs_take_default_namespace_and_key() {
        let key = KeyRef::parse("cray-configmap-ca-public-key", "services", "certificate_authority.crt").unwrap();
        assert_eq!(key.to_string(), "services/cray-configmap-ca-public-key:certificate_authority.crt");
        assert_eq!(KeyRef::parse("ns/cm:ca.pem", "services", "x").unwrap().key, "ca.pem");
        assert_eq!(KeyRef::parse("ns/s", "services", "client-secret").unwrap().key, "client-secret");
    }

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
