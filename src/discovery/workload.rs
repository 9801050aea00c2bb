//! Keycloak run by a StatefulSet or Deployment (Helm charts, plain
//! manifests): recognised by its image or its `app.kubernetes.io/name`
//! label; admin from the container environment; URL from an Ingress or
//! OpenShift Route to its Service, else the Service itself.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Container, PodTemplateSpec, Service};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::env::{ConfigMaps, PodEnv};
use super::exposure::Exposures;
use super::{Candidate, Origin, ServiceRef, normalize_path};
use crate::cluster::{ObjectRef, ServicePort};

const NAME_LABEL: &str = "app.kubernetes.io/name";
const NAME_LABELS: [&str; 2] = ["keycloak", "keycloakx"];

/// A Keycloak workload as a candidate; `None` when it runs something else,
/// or when the Operator owns it (its CR is the candidate then).
pub fn candidate(
    origin: Origin,
    meta: &ObjectMeta,
    template: &PodTemplateSpec,
    services: &[Service],
    exposures: &Exposures,
    configmaps: &ConfigMaps,
) -> Option<Candidate> {
    let owned_by_operator = meta.owner_references.iter().flatten().any(|owner| owner.kind == super::operator::KIND);
    if owned_by_operator {
        return None;
    }
    let container = keycloak_container(meta, template)?;
    let object = ObjectRef { namespace: meta.namespace.clone()?, name: meta.name.clone()? };
    let volumes = template.spec.as_ref().and_then(|pod| pod.volumes.as_deref()).unwrap_or_default();
    let pod_env = PodEnv { container, volumes, namespace: &object.namespace, configmaps };
    let relative_path = pod_env.relative_path().map(|p| normalize_path(&p)).unwrap_or_default();
    let pod_labels = template.metadata.as_ref().and_then(|m| m.labels.clone()).unwrap_or_default();
    // A headless Service (a StatefulSet's, for its pods' DNS names) only
    // where no other selects the pods.
    let selecting: Vec<&Service> = services.iter().filter(|s| selects(s, &pod_labels)).collect();
    let service = selecting
        .iter()
        .find(|s| !is_headless(s))
        .or(selecting.first())
        .and_then(|s| service_ref(s, &relative_path, pod_env.serves_tls()));
    let url = service.as_ref().map(|service| {
        exposures
            .url(&service.target.service, &relative_path)
            .unwrap_or_else(|| service.found(&format!("Service {}", service.target.service)))
    });
    Some(Candidate { origin, admin: pod_env.admin(), bootstrap_admin: true, url, ca: None, service, object })
}

/// The container that runs Keycloak, if this workload runs it.
pub fn keycloak_container<'a>(meta: &ObjectMeta, template: &'a PodTemplateSpec) -> Option<&'a Container> {
    let pod = template.spec.as_ref()?;
    let labelled = [meta.labels.as_ref(), template.metadata.as_ref().and_then(|m| m.labels.as_ref())]
        .into_iter()
        .flatten()
        .any(|labels| labels.get(NAME_LABEL).is_some_and(|name| NAME_LABELS.contains(&name.as_str())));
    pod.containers.iter().find(|c| is_keycloak_image(c)).or_else(|| labelled.then(|| pod.containers.first()).flatten())
}

/// `keycloak` in the image's repository name (not its registry or tag);
/// the Operator's own image is not Keycloak.
fn is_keycloak_image(container: &Container) -> bool {
    let image = container.image.as_deref().unwrap_or_default();
    let without_digest = image.split('@').next().unwrap_or_default();
    let repository = without_digest.rsplit('/').next().unwrap_or_default();
    let name = repository.split(':').next().unwrap_or_default();
    name.contains("keycloak") && !name.contains("operator")
}

fn selects(service: &Service, pod_labels: &BTreeMap<String, String>) -> bool {
    let selector = service.spec.as_ref().and_then(|spec| spec.selector.as_ref());
    selector.is_some_and(|selector| !selector.is_empty() && selector.iter().all(|(k, v)| pod_labels.get(k) == Some(v)))
}

fn is_headless(service: &Service) -> bool {
    service.spec.as_ref().and_then(|spec| spec.cluster_ip.as_deref()) == Some("None")
}

/// The Service port that serves Keycloak: `https` by name where Keycloak
/// serves TLS, else `http`, else `https`, else the first.
fn service_ref(service: &Service, relative_path: &str, serves_tls: bool) -> Option<ServiceRef> {
    let ports = service.spec.as_ref()?.ports.as_ref()?;
    let named = |name: &str| ports.iter().find(|p| p.name.as_deref() == Some(name));
    let preferred = if serves_tls { ["https", "http"] } else { ["http", "https"] };
    let port = named(preferred[0]).or_else(|| named(preferred[1])).or(ports.first())?;
    let https = port.name.as_deref().is_some_and(|n| n.contains("https")) || matches!(port.port, 443 | 8443);
    let service = ObjectRef { namespace: service.metadata.namespace.clone()?, name: service.metadata.name.clone()? };
    Some(ServiceRef { target: ServicePort { service, port: port.port, https }, relative_path: relative_path.to_string() })
}

#[cfg(test)]
mod tests {
    use k8s_openapi::api::core::v1::{EnvVar, PodSpec, ServicePort, ServiceSpec};
    use k8s_openapi::api::networking::v1::{
        HTTPIngressPath, HTTPIngressRuleValue, Ingress, IngressBackend, IngressRule, IngressServiceBackend, IngressSpec,
        IngressTLS,
    };
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference;

    use super::*;
    use crate::credentials::{AdminSource, ValueFrom};

    fn labels(pairs: &[(&str, &str)]) -> Option<BTreeMap<String, String>> {
        Some(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect())
    }

    fn meta(name: &str) -> ObjectMeta {
        ObjectMeta { name: Some(name.into()), namespace: Some("kc".into()), ..Default::default() }
    }

    fn template(image: &str, env: Vec<EnvVar>) -> PodTemplateSpec {
        PodTemplateSpec {
            metadata: Some(ObjectMeta { labels: labels(&[("app", "sso")]), ..Default::default() }),
            spec: Some(PodSpec {
                containers: vec![Container { name: "c".into(), image: Some(image.into()), env: Some(env), ..Default::default() }],
                ..Default::default()
            }),
        }
    }

    fn literal(name: &str, value: &str) -> EnvVar {
        EnvVar { name: name.into(), value: Some(value.into()), ..Default::default() }
    }

    fn service(name: &str, port: i32, port_name: &str) -> Service {
        Service {
            metadata: meta(name),
            spec: Some(ServiceSpec {
                selector: labels(&[("app", "sso")]),
                ports: Some(vec![ServicePort { name: Some(port_name.into()), port, ..Default::default() }]),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    fn ingress(service: &str, host: &str, tls: bool) -> Ingress {
        let path = HTTPIngressPath {
            path: Some("/".into()),
            path_type: "Prefix".into(),
            backend: IngressBackend {
                service: Some(IngressServiceBackend { name: service.into(), ..Default::default() }),
                ..Default::default()
            },
        };
        Ingress {
            metadata: meta("sso"),
            spec: Some(IngressSpec {
                rules: Some(vec![IngressRule {
                    host: Some(host.into()),
                    http: Some(HTTPIngressRuleValue { paths: vec![path] }),
                }]),
                tls: tls.then(|| vec![IngressTLS { hosts: Some(vec![host.into()]), ..Default::default() }]),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    #[test]
    fn images_and_labels_make_a_keycloak() {
        for image in
            ["quay.io/keycloak/keycloak:26.0", "docker.io/bitnami/keycloak:26", "registry:5000/my/keycloak-custom@sha256:ab"]
        {
            assert!(
                candidate(
                    Origin::StatefulSet,
                    &meta("a"),
                    &template(image, vec![]),
                    &[],
                    &Exposures::default(),
                    &ConfigMaps::new()
                )
                .is_some(),
                "{image}"
            );
        }
        for image in ["quay.io/keycloak/keycloak-operator:26.0", "postgres:16", "keycloak.example.com/nginx:1"] {
            assert!(
                candidate(
                    Origin::Deployment,
                    &meta("a"),
                    &template(image, vec![]),
                    &[],
                    &Exposures::default(),
                    &ConfigMaps::new()
                )
                .is_none(),
                "{image}"
            );
        }
        let labelled = ObjectMeta { labels: labels(&[(NAME_LABEL, "keycloakx")]), ..meta("a") };
        assert!(
            candidate(
                Origin::StatefulSet,
                &labelled,
                &template("example/sso:1", vec![]),
                &[],
                &Exposures::default(),
                &ConfigMaps::new()
            )
            .is_some()
        );
    }

    #[test]
    fn workloads_the_operator_owns_are_its_cr() {
        let owned = ObjectMeta {
            owner_references: Some(vec![OwnerReference { kind: "Keycloak".into(), name: "a".into(), ..Default::default() }]),
            ..meta("a")
        };
        assert!(
            candidate(
                Origin::StatefulSet,
                &owned,
                &template("quay.io/keycloak/keycloak:26", vec![]),
                &[],
                &Exposures::default(),
                &ConfigMaps::new()
            )
            .is_none()
        );
    }

    /// A Service like `service()` whose selector is `selector` (`None`: none at all).
    fn service_selecting(name: &str, port: i32, port_name: &str, selector: Option<&[(&str, &str)]>) -> Service {
        let mut s = service(name, port, port_name);
        s.spec.as_mut().unwrap().selector = selector.and_then(labels);
        s
    }

    #[test]
    fn of_several_services_the_first_selecting_the_pods_is_used() {
        let t = template("quay.io/keycloak/keycloak:26", vec![]);
        let services = [
            // Selects other pods (the database beside Keycloak).
            service_selecting("db", 5432, "postgres", Some(&[("app", "db")])),
            // No selector, or an empty one: endpoints kept by hand, which
            // need not be Keycloak's pods.
            service_selecting("external", 443, "https", None),
            service_selecting("manual", 443, "https", Some(&[])),
            // Wants a label the pods lack.
            service_selecting("sso-canary", 8443, "https", Some(&[("app", "sso"), ("track", "canary")])),
            // Both select the pods: the first listed wins, and the API
            // server lists by name, so "sso" before "sso-headless".
            service("sso", 80, "http"),
            service("sso-headless", 8080, "http"),
        ];
        let c = candidate(Origin::StatefulSet, &meta("sso"), &t, &services, &Exposures::default(), &ConfigMaps::new()).unwrap();
        let service = c.service.unwrap();
        assert_eq!(
            (service.target.service.to_string(), service.target.port, service.target.https),
            ("kc/sso".to_string(), 80, false)
        );
        let url = c.url.unwrap();
        assert_eq!((url.value.as_str(), url.from.as_str(), url.internal), ("http://sso.kc.svc:80", "Service kc/sso", true));
        // None of them selecting the pods: no Service and no URL.
        let c =
            candidate(Origin::StatefulSet, &meta("sso"), &t, &services[..4], &Exposures::default(), &ConfigMaps::new()).unwrap();
        assert_eq!((c.service, c.url.map(|u| u.value)), (None, None));
    }

    #[test]
    fn the_service_url_is_internal_and_an_ingress_to_that_service_wins() {
        let t = template(
            "bitnami/keycloak:26",
            vec![literal("KEYCLOAK_ADMIN_USER", "user"), literal("KC_HTTP_RELATIVE_PATH", "/auth/")],
        );
        let services = [service_selecting("other", 80, "http", Some(&[("app", "other")])), service("sso", 80, "http")];
        let c = candidate(Origin::StatefulSet, &meta("sso"), &t, &services, &Exposures::default(), &ConfigMaps::new()).unwrap();
        let url = c.url.unwrap();
        assert_eq!((url.value.as_str(), url.from.as_str(), url.internal), ("http://sso.kc.svc:80/auth", "Service kc/sso", true));
        assert_eq!(c.admin, None, "a user without a password names no admin");
        // The Ingress of the Service that does not select the pods comes
        // first and is passed over.
        let mut to_other = ingress("other", "other.example.com", true);
        to_other.metadata.name = Some("other".into());
        for (tls, expected) in [(true, "https://sso.example.com/auth"), (false, "http://sso.example.com/auth")] {
            let ingresses = [to_other.clone(), ingress("sso", "sso.example.com", tls)];
            let c = candidate(
                Origin::StatefulSet,
                &meta("sso"),
                &t,
                &services,
                &Exposures { ingresses: ingresses.to_vec(), ..Default::default() },
                &ConfigMaps::new(),
            )
            .unwrap();
            let url = c.url.unwrap();
            assert_eq!((url.value.as_str(), url.internal, url.from.as_str()), (expected, false, "Ingress kc/sso"), "tls: {tls}");
        }
        // Only the other Service's Ingress: the Service URL stays.
        let c = candidate(
            Origin::StatefulSet,
            &meta("sso"),
            &t,
            &services,
            &Exposures { ingresses: vec![to_other], ..Default::default() },
            &ConfigMaps::new(),
        )
        .unwrap();
        assert_eq!(c.url.unwrap().value, "http://sso.kc.svc:80/auth");
    }

    #[test]
    fn https_ports_are_preferred() {
        let mut s = service("sso", 8080, "http");
        s.spec.as_mut().unwrap().ports.as_mut().unwrap().push(ServicePort {
            name: Some("https".into()),
            port: 8443,
            ..Default::default()
        });
        let t = template("quay.io/keycloak/keycloak:26", vec![literal("KC_BOOTSTRAP_ADMIN_PASSWORD", "pw")]);
        // keycloakx renders an https port whether or not Keycloak has TLS.
        let c =
            candidate(Origin::Deployment, &meta("sso"), &t, std::slice::from_ref(&s), &Exposures::default(), &ConfigMaps::new())
                .unwrap();
        assert_eq!(c.url.unwrap().value, "http://sso.kc.svc:8080");
        assert!(matches!(c.admin, Some(AdminSource::Password { password: ValueFrom::Literal(_), .. })));
        let certificate = literal("KC_HTTPS_CERTIFICATE_FILE", "/etc/tls/tls.crt");
        let tls = template("quay.io/keycloak/keycloak:26", vec![literal("KC_BOOTSTRAP_ADMIN_PASSWORD", "pw"), certificate]);
        let mut by_option = t.clone();
        by_option.spec.as_mut().unwrap().containers[0].args = Some(vec!["start".into(), "--https-key-store-file=/ks.p12".into()]);
        for serving in [tls, by_option] {
            let c = candidate(
                Origin::Deployment,
                &meta("sso"),
                &serving,
                std::slice::from_ref(&s),
                &Exposures::default(),
                &ConfigMaps::new(),
            );
            assert_eq!(c.unwrap().url.unwrap().value, "https://sso.kc.svc:8443");
        }
    }

    #[test]
    fn a_headless_service_is_used_only_when_no_other_selects_the_pods() {
        let t = template("quay.io/keycloak/keycloak:26", vec![]);
        let mut headless = service("kc-keycloakx-headless", 80, "http");
        headless.spec.as_mut().unwrap().cluster_ip = Some("None".into());
        let services = [headless.clone(), service("kc-keycloakx-http", 80, "http")];
        let c = candidate(Origin::StatefulSet, &meta("kc"), &t, &services, &Exposures::default(), &ConfigMaps::new()).unwrap();
        assert_eq!(c.url.unwrap().value, "http://kc-keycloakx-http.kc.svc:80");
        let c = candidate(Origin::StatefulSet, &meta("kc"), &t, &[headless], &Exposures::default(), &ConfigMaps::new()).unwrap();
        assert_eq!(c.url.unwrap().value, "http://kc-keycloakx-headless.kc.svc:80");
    }
}
