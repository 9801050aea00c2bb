//! A `Keycloak` custom resource of the Keycloak Operator
//! (`k8s.keycloak.org/v2alpha1`): its admin Secret, URL and CA.
//!
//! The Operator keeps the bootstrap admin in `spec.bootstrapAdmin.user.secret`
//! or `.service.secret`, else in `<name>-initial-admin`; serves Keycloak at
//! `spec.hostname.hostname` (a host, or with hostname v2 a full URL) under
//! the `http-relative-path` of `spec.additionalOptions`, else behind the
//! `<name>-service` Service; and `spec.http.tlsSecret` holds the certificate
//! (with `ca.crt` when cert-manager wrote it).

use serde_json::Value;

use super::{Candidate, Found, Origin, ServiceRef, join_path, normalize_path};
use crate::cluster::{KeyRef, ObjectRef, ServicePort};
use crate::credentials::AdminSource;

pub const GROUP: &str = "k8s.keycloak.org";
pub const VERSION: &str = "v2alpha1";
pub const KIND: &str = "Keycloak";
pub const PLURAL: &str = "keycloaks";

pub fn candidate(object: ObjectRef, spec: &Value) -> Candidate {
    let text = |pointer: &str| spec.pointer(pointer).and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_string);
    let in_namespace = |name: String| ObjectRef { namespace: object.namespace.clone(), name };
    let admin_secret = text("/bootstrapAdmin/user/secret")
        .or_else(|| text("/bootstrapAdmin/service/secret"))
        .unwrap_or_else(|| format!("{}-initial-admin", object.name));
    let relative_path = spec
        .get("additionalOptions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .find(|option| option.get("name").and_then(Value::as_str) == Some("http-relative-path"))
        .and_then(|option| option.get("value").and_then(Value::as_str))
        .map(normalize_path)
        .unwrap_or_default();
    let tls_secret = text("/http/tlsSecret");
    let http_only = spec.pointer("/http/httpEnabled").and_then(Value::as_bool) == Some(true) && tls_secret.is_none();
    let port = |pointer: &str, default: i32| spec.pointer(pointer).and_then(Value::as_i64).map_or(default, |p| p as i32);
    let service = ServiceRef {
        target: ServicePort {
            service: in_namespace(format!("{}-service", object.name)),
            port: if http_only { port("/http/httpPort", 8080) } else { port("/http/httpsPort", 8443) },
            https: !http_only,
        },
        relative_path: relative_path.clone(),
    };
    let url = match text("/hostname/hostname") {
        Some(full) if full.starts_with("https://") || full.starts_with("http://") => {
            let has_path = full.splitn(4, '/').nth(3).is_some_and(|path| !path.is_empty());
            let url = if has_path { full.trim_end_matches('/').to_string() } else { join_path(&full, &relative_path) };
            Found { value: url, from: format!("Keycloak CR {object} spec.hostname.hostname"), internal: false }
        }
        Some(host) => Found {
            value: join_path(&format!("https://{host}"), &relative_path),
            from: format!("Keycloak CR {object} spec.hostname.hostname"),
            internal: false,
        },
        None => service.found(&format!("Service {} (the Operator's)", service.target.service)),
    };
    Candidate {
        origin: Origin::OperatorCr,
        admin: Some(AdminSource::Secret(in_namespace(admin_secret))),
        bootstrap_admin: true,
        url: Some(url),
        ca: tls_secret.map(|name| KeyRef { object: in_namespace(name), key: "ca.crt".to_string() }),
        service: Some(service),
        object,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn cr(spec: Value) -> Candidate {
        candidate(ObjectRef { namespace: "kc".into(), name: "sso".into() }, &spec)
    }

    #[test]
    fn the_initial_admin_secret_and_the_service_by_default() {
        let c = cr(json!({"instances": 1}));
        assert_eq!(c.admin, Some(AdminSource::Secret(ObjectRef { namespace: "kc".into(), name: "sso-initial-admin".into() })));
        let url = c.url.unwrap();
        assert_eq!(url.value, "https://sso-service.kc.svc:8443");
        assert!(url.internal);
        assert_eq!(c.ca, None);
    }

    #[test]
    fn bootstrap_admin_secrets_win() {
        let c = cr(json!({"bootstrapAdmin": {"service": {"secret": "boot-sa"}}}));
        assert_eq!(c.admin, Some(AdminSource::Secret(ObjectRef { namespace: "kc".into(), name: "boot-sa".into() })));
        let c = cr(json!({"bootstrapAdmin": {"user": {"secret": "boot-user"}}}));
        assert_eq!(c.admin, Some(AdminSource::Secret(ObjectRef { namespace: "kc".into(), name: "boot-user".into() })));
    }

    #[test]
    fn hostnames_become_urls_with_the_relative_path() {
        let options = json!([{"name": "http-relative-path", "value": "/auth/"}]);
        let c = cr(json!({"hostname": {"hostname": "sso.example.com"}, "additionalOptions": options}));
        assert_eq!(c.url.as_ref().unwrap().value, "https://sso.example.com/auth");
        assert!(!c.url.unwrap().internal);
        let c = cr(json!({"hostname": {"hostname": "https://sso.example.com:8443"}, "additionalOptions": options}));
        assert_eq!(c.url.unwrap().value, "https://sso.example.com:8443/auth");
        let c = cr(json!({"hostname": {"hostname": "https://sso.example.com:8443/kc/"}, "additionalOptions": options}));
        assert_eq!(c.url.unwrap().value, "https://sso.example.com:8443/kc");
    }

    #[test]
    fn the_tls_secret_supplies_the_ca_and_http_only_uses_8080() {
        let c = cr(json!({"http": {"tlsSecret": "sso-tls"}}));
        assert_eq!(c.ca.unwrap().to_string(), "kc/sso-tls:ca.crt");
        let c = cr(json!({"http": {"httpEnabled": true}}));
        assert_eq!(c.url.unwrap().value, "http://sso-service.kc.svc:8080");
    }
}
