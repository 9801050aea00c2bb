//! Where a Keycloak Service is exposed outside the cluster: an Ingress
//! rule, or an OpenShift Route (`route.openshift.io/v1`), whose backend is
//! that Service.

use k8s_openapi::api::networking::v1::Ingress;
use kube::api::{ApiResource, DynamicObject};
use serde_json::Value;

use super::{Found, join_path};
use crate::cluster::ObjectRef;

/// OpenShift's Route API (the CRD of openshift/api, `route/v1`).
pub fn route_resource() -> ApiResource {
    ApiResource {
        group: "route.openshift.io".into(),
        version: "v1".into(),
        api_version: "route.openshift.io/v1".into(),
        kind: "Route".into(),
        plural: "routes".into(),
    }
}

/// The Ingresses and Routes of the namespaces searched.
#[derive(Debug, Default)]
pub struct Exposures {
    pub ingresses: Vec<Ingress>,
    pub routes: Vec<DynamicObject>,
}

impl Exposures {
    /// The URL that reaches this Service from outside the cluster, with
    /// Keycloak under `relative_path`: an Ingress's first, then a Route's.
    pub fn url(&self, service: &ObjectRef, relative_path: &str) -> Option<Found> {
        ingress_url(&self.ingresses, service, relative_path).or_else(|| route_url(&self.routes, service, relative_path))
    }
}

/// The URL of an Ingress rule whose backend is this Service: https when the
/// Ingress has TLS for that host.
pub(crate) fn ingress_url(ingresses: &[Ingress], service: &ObjectRef, relative_path: &str) -> Option<Found> {
    ingresses.iter().filter(|ingress| ingress.metadata.namespace.as_deref() == Some(&service.namespace)).find_map(|ingress| {
        let spec = ingress.spec.as_ref()?;
        let rule = spec.rules.iter().flatten().find(|rule| {
            rule.host.is_some()
                && rule
                    .http
                    .iter()
                    .flat_map(|http| &http.paths)
                    .any(|path| path.backend.service.as_ref().is_some_and(|backend| backend.name == service.name))
        })?;
        let host = rule.host.as_deref()?;
        let tls = spec.tls.iter().flatten().any(|tls| tls.hosts.as_ref().is_none_or(|hosts| hosts.iter().any(|h| h == host)));
        let scheme = if tls { "https" } else { "http" };
        let name = ingress.metadata.name.as_deref().unwrap_or_default();
        Some(Found {
            value: join_path(&format!("{scheme}://{host}"), relative_path),
            from: format!("Ingress {}/{name}", service.namespace),
            internal: false,
        })
    })
}

/// The URL of a Route to this Service: its `spec.host` (or the host the
/// router admitted it under), https for any TLS termination (edge,
/// passthrough, reencrypt). A Route forwards the path as it is, so
/// Keycloak's own relative path is the URL's.
pub(crate) fn route_url(routes: &[DynamicObject], service: &ObjectRef, relative_path: &str) -> Option<Found> {
    routes.iter().filter(|route| route.metadata.namespace.as_deref() == Some(&service.namespace)).find_map(|route| {
        let spec = &route.data["spec"];
        let to = &spec["to"];
        let to_service = to["kind"].as_str().is_none_or(|kind| kind == "Service") && to["name"] == service.name.as_str();
        if !to_service {
            return None;
        }
        let text = |value: &Value| value.as_str().filter(|s| !s.is_empty()).map(str::to_string);
        let host = text(&spec["host"]).or_else(|| text(&route.data["status"]["ingress"][0]["host"]))?;
        let tls = text(&spec["tls"]["termination"]).is_some();
        let scheme = if tls { "https" } else { "http" };
        let name = route.metadata.name.as_deref().unwrap_or_default();
        Some(Found {
            value: join_path(&format!("{scheme}://{host}"), relative_path),
            from: format!("Route {}/{name}", service.namespace),
            internal: false,
        })
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn route(namespace: &str, name: &str, data: Value) -> DynamicObject {
        let mut route = DynamicObject::new(name, &route_resource()).within(namespace);
        route.data = data;
        route
    }

    fn sso() -> ObjectRef {
        ObjectRef { namespace: "kc".into(), name: "keycloak".into() }
    }

    #[test]
    fn a_route_to_the_service_gives_its_host_https_for_any_termination() {
        for termination in ["edge", "passthrough", "reencrypt"] {
            let routes = [route(
                "kc",
                "keycloak",
                json!({"spec": {"host": "sso.apps.example.com", "to": {"kind": "Service", "name": "keycloak"},
                                "tls": {"termination": termination}}}),
            )];
            let url = route_url(&routes, &sso(), "/auth").unwrap();
            assert_eq!(
                (url.value.as_str(), url.from.as_str(), url.internal),
                ("https://sso.apps.example.com/auth", "Route kc/keycloak", false),
                "{termination}"
            );
        }
        let plain = [route("kc", "keycloak", json!({"spec": {"host": "sso.apps.example.com", "to": {"name": "keycloak"}}}))];
        assert_eq!(route_url(&plain, &sso(), "").unwrap().value, "http://sso.apps.example.com");
    }

    #[test]
    fn only_routes_to_this_service_in_its_namespace_count() {
        let admitted = json!({"spec": {"to": {"kind": "Service", "name": "keycloak"}, "tls": {"termination": "edge"}},
                              "status": {"ingress": [{"host": "keycloak-kc.apps.example.com"}]}});
        let routes = [
            route("other", "keycloak", json!({"spec": {"host": "x.example.com", "to": {"name": "keycloak"}}})),
            route("kc", "db", json!({"spec": {"host": "db.example.com", "to": {"kind": "Service", "name": "db"}}})),
            route("kc", "weighted", json!({"spec": {"host": "w.example.com", "to": {"kind": "Other", "name": "keycloak"}}})),
            route("kc", "keycloak", admitted),
        ];
        // No spec.host: the host the router admitted the Route under.
        let url = route_url(&routes, &sso(), "/keycloak").unwrap();
        assert_eq!(
            (url.value.as_str(), url.from.as_str()),
            ("https://keycloak-kc.apps.example.com/keycloak", "Route kc/keycloak")
        );
        assert!(route_url(&routes[..3], &sso(), "").is_none());
    }
}
