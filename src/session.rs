//! One admin session: the cluster connection, the admin credentials read from
//! it, and a Keycloak client logged in with them. Every admin command starts
//! here, so each invocation makes exactly one token request.

use crate::admin::AdminCredentials;
use crate::cluster::{Cluster, Kube};
use crate::error::{Kind, Result};
use crate::keycloak::{self, Admin, ExtraCa, Keycloak};
use crate::settings::{self, Settings};
use crate::trace;

pub struct Session {
    pub cluster: Cluster,
    pub keycloak: Admin,
    pub realm: String,
    /// Namespace for Secrets named without one.
    pub namespace: String,
}

impl Session {
    pub fn open(kube: Kube, settings: &Settings) -> Result<Self> {
        // Parsing the OS trust store is CPU work; a second thread does it
        // while this one waits for the API server.
        let (roots, read) = std::thread::scope(|scope| {
            let roots = scope.spawn(|| if settings.insecure { Vec::new() } else { keycloak::os_roots() });
            let read = Self::admin_credentials(kube, settings);
            (roots.join().expect("reading the trust store does not panic"), read)
        });
        let (cluster, credentials) = read?;

        let mut extra = Vec::new();
        if let Some(file) = &settings.ca_file {
            extra.push(ExtraCa::from_file(&file.value)?);
        }
        if let Some(configmap) = &settings.ca_configmap {
            let pem = cluster.configmap_value(&configmap.value.object, &configmap.value.key).map_err(|err| {
                err.hint_for(
                    Kind::NotFound,
                    format!("check --{} ([NAMESPACE/]NAME[:KEY]) and the --context", settings::CA_CONFIGMAP.key),
                )
            })?;
            extra.push(ExtraCa { origin: format!("ConfigMap {}", configmap.value), pem: pem.into_bytes() });
        }
        let tls = keycloak::tls_config(roots, &extra, settings.insecure)?;

        trace::note(&format!(
            "Keycloak {} ({}), realm {} ({})",
            trace::mask_userinfo(&settings.keycloak_url.value),
            settings.keycloak_url.source,
            settings.realm.value,
            settings.realm.source
        ));
        let keycloak = Keycloak::new(&settings.keycloak_url.value, settings.timeout, tls)?
            .login(&credentials, &settings.admin_realm.value)?;
        Ok(Session { cluster, keycloak, realm: settings.realm.value.clone(), namespace: settings.namespace.clone() })
    }

    fn admin_credentials(kube: Kube, settings: &Settings) -> Result<(Cluster, AdminCredentials)> {
        let cluster = kube.connect()?;
        let secret = &settings.admin_secret.value;
        let data = cluster.secret_data(secret).map_err(|err| {
            err.hint_for(
                Kind::NotFound,
                format!("check the namespace and name (--{} NAMESPACE/NAME), and the --context", settings::ADMIN_SECRET.key),
            )
        })?;
        let credentials = AdminCredentials::from_secret_data(secret, data)?;
        Ok((cluster, credentials))
    }
}
