//! `config`: every effective setting, its value and where it came from,
//! including what discovery found in the cluster. Never a secret: the admin
//! Secret is named, not read.

use crate::cluster::Kube;
use crate::credentials::{AdminCredentials, AdminSource};
use crate::discovery;
use crate::output::table;
use crate::session;
use crate::settings::{ADMIN_REALM, ADMIN_SECRET, ConfigFile, KEYCLOAK_URL, Settings, Source};

pub fn run(kube: Kube, config: &ConfigFile, settings: &Settings) -> String {
    let file_state = if config.found { "" } else { " (not found)" };
    let mut rows = vec![
        ["context".to_string(), kube.context.clone().unwrap_or_else(|| "(in-cluster)".to_string()), "kubeconfig".to_string()],
        ["config-file".to_string(), format!("{}{file_state}", config.path.display()), String::new()],
    ];
    match kube.connect().and_then(|cluster| discovery::locate(&cluster, settings)) {
        Ok(located) => {
            let url = [KEYCLOAK_URL.key.to_string(), located.url.value.clone(), located.url.source.to_string()];
            let mut found = vec![(&KEYCLOAK_URL, url)];
            if matches!(located.admin.source, Source::Discovered(_)) {
                let admin = ["admin".to_string(), located.admin.value.describe(), located.admin.source.to_string()];
                found.push((&ADMIN_SECRET, admin));
            }
            // The account's Secret, already read by locating: the realm it logs in to.
            if let (AdminSource::Secret(secret), Some(data)) = (&located.admin.value, &located.admin_data)
                && let Ok(credentials) = AdminCredentials::from_secret_data(secret, data.clone(), &settings.admin_names())
                && let Some(realm) = session::realm_from_secret(&credentials, settings)
            {
                let from = format!("discovered: key realm of Secret {secret}");
                found.push((&ADMIN_REALM, [ADMIN_REALM.key.to_string(), realm.to_string(), from]));
            }
            rows.extend(settings.describe(&found));
            if let Some(ca) = &located.ca {
                rows.push(["keycloak-ca-secret".to_string(), ca.value.to_string(), ca.source.to_string()]);
            }
        }
        Err(err) => {
            rows.extend(settings.describe(&[]));
            rows.push(["keycloak".to_string(), "-".to_string(), format!("not located: {err}")]);
        }
    }
    table(None, &rows)
}
