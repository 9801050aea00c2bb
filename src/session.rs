//! One admin session: the cluster connection, the admin credentials read from
//! it, and a Keycloak client logged in with them. Every admin command starts
//! here, so each invocation makes exactly one token request.

use crate::admin::AdminCredentials;
use crate::cluster::{Cluster, Kube};
use crate::error::Result;
use crate::keycloak::Keycloak;
use crate::settings::Settings;
use crate::tls::{self, ExtraCa};
use crate::trace;

pub struct Session {
    pub cluster: Cluster,
    pub keycloak: Keycloak,
    pub realm: String,
    /// Namespace for Secrets named without one.
    pub namespace: String,
}

impl Session {
    pub fn open(kube: Kube, settings: &Settings) -> Result<Self> {
        // Parsing the OS trust store is CPU work; a second thread does it
        // while this one waits for the API server.
        let (roots, read) = std::thread::scope(|scope| {
            let roots = scope.spawn(|| if settings.insecure { Vec::new() } else { tls::os_roots() });
            let read = Self::admin_credentials(kube, settings);
            (roots.join().expect("reading the trust store does not panic"), read)
        });
        let (cluster, credentials) = read?;

        let mut extra = Vec::new();
        if let Some(file) = &settings.ca_file {
            extra.push(ExtraCa::from_file(&file.value)?);
        }
        if let Some(configmap) = &settings.ca_configmap {
            let pem = cluster.configmap_value(&configmap.value.object, &configmap.value.key)?;
            extra.push(ExtraCa { origin: format!("ConfigMap {}", configmap.value), pem: pem.into_bytes() });
        }
        let tls = tls::config(roots, &extra, settings.insecure)?;

        trace::note(&format!(
            "Keycloak {} ({}), realm {} ({})",
            trace::mask_userinfo(&settings.keycloak_url.value),
            settings.keycloak_url.source,
            settings.realm.value,
            settings.realm.source
        ));
        let mut keycloak = Keycloak::new(&settings.keycloak_url.value, settings.timeout, tls)?;
        keycloak.login(&credentials, &settings.admin_realm.value)?;
        Ok(Session { cluster, keycloak, realm: settings.realm.value.clone(), namespace: settings.namespace.clone() })
    }

    fn admin_credentials(kube: Kube, settings: &Settings) -> Result<(Cluster, AdminCredentials)> {
        let cluster = kube.connect()?;
        let secret = &settings.admin_secret.value;
        let credentials = AdminCredentials::from_secret_data(secret, cluster.secret_data(secret)?)?;
        Ok((cluster, credentials))
    }
}
