//! Finding Keycloak in the cluster when nothing names it: CSM's admin
//! Secret, the Keycloak Operator's `Keycloak` resources (`operator`), and
//! StatefulSets or Deployments running a Keycloak image (`workload`, with
//! the container environment rules in `env` and the Ingresses and Routes
//! to its Service in `exposure`).
//!
//! Explicit settings always win. On CSM's layout (the admin Secret
//! `services/keycloak-master-admin-auth` exists and neither `--keycloak` nor
//! another `-n` is given) nothing is listed: the Secret read is the one the
//! command makes anyway.

pub(crate) mod env;
pub(crate) mod exposure;
pub(crate) mod operator;
pub(crate) mod workload;

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{Deployment, StatefulSet};
use k8s_openapi::api::core::v1::{PodTemplateSpec, Service};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kube::api::ApiResource;

use self::env::ConfigMaps;
use self::exposure::Exposures;
use crate::cluster::{Cluster, KeyRef, ObjectRef, ServicePort};
use crate::credentials::AdminSource;
use crate::error::{Error, Kind, Result};
use crate::settings::{self, Setting, Settings, Source};
use crate::trace;

/// The name CSM gives its admin Secret.
const CSM_ADMIN_SECRET: &str = "keycloak-master-admin-auth";
/// Keycloak's Service on CSM (Cray-HPE/keycloak-installer, chart cray-keycloak).
const CSM_SERVICE: &str = "cray-keycloak-http";

/// What kind of object a Keycloak was found as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    OperatorCr,
    StatefulSet,
    Deployment,
    CsmSecret,
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Origin::OperatorCr => "Keycloak CR",
            Origin::StatefulSet => "StatefulSet",
            Origin::Deployment => "Deployment",
            Origin::CsmSecret => "CSM Secret",
        })
    }
}

/// A URL and where it was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub value: String,
    pub from: String,
    /// A Service's cluster-internal name, which resolves only inside the cluster.
    pub internal: bool,
}

/// The Service in front of a Keycloak, and Keycloak's path behind it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceRef {
    pub target: ServicePort,
    /// Keycloak's path prefix (`/auth`), or empty.
    pub relative_path: String,
}

impl ServiceRef {
    /// CSM's Keycloak Service (the keycloakx chart's, named by the
    /// cray-keycloak release): plain HTTP on port 80, Keycloak under the URL's path.
    fn csm(url: &str) -> Self {
        let service = ObjectRef { namespace: settings::DEFAULT_NAMESPACE.to_string(), name: CSM_SERVICE.to_string() };
        ServiceRef { target: ServicePort { service, port: 80, https: false }, relative_path: url_path(url) }
    }

    /// The Service a URL names by its cluster-internal host
    /// (`NAME.NAMESPACE.svc[.cluster.local]`), port from the URL or its scheme.
    fn from_url(url: &str) -> Option<Self> {
        let (scheme, _) = url.split_once("://")?;
        let https = match scheme.to_ascii_lowercase().as_str() {
            "https" => true,
            "http" => false,
            _ => return None,
        };
        let host_port = crate::keycloak::host_of(url);
        let host_port = host_port.rsplit_once('@').map_or(host_port, |(_, rest)| rest);
        let (host, port) = match host_port.rsplit_once(':') {
            Some((host, port)) => (host, port.parse().ok()?),
            None => (host_port, if https { 443 } else { 80 }),
        };
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        let labels = host.strip_suffix(".svc").or_else(|| host.strip_suffix(".svc.cluster.local"))?;
        let (name, namespace) = labels.split_once('.')?;
        let label = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
        if !label(name) || !label(namespace) {
            return None;
        }
        let service = ObjectRef { namespace: namespace.to_string(), name: name.to_string() };
        Some(ServiceRef { target: ServicePort { service, port, https }, relative_path: url_path(url) })
    }

    fn found(&self, from: &str) -> Found {
        let scheme = if self.target.https { "https" } else { "http" };
        let ObjectRef { namespace, name } = &self.target.service;
        let base = format!("{scheme}://{name}.{namespace}.svc:{}", self.target.port);
        Found { value: join_path(&base, &self.relative_path), from: from.to_string(), internal: true }
    }
}

/// One Keycloak found in the cluster.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub origin: Origin,
    pub object: ObjectRef,
    pub admin: Option<AdminSource>,
    /// The admin is a bootstrap admin, which sites often delete once a
    /// permanent admin exists.
    pub bootstrap_admin: bool,
    pub url: Option<Found>,
    /// A Secret key holding the CA of Keycloak's certificate.
    pub ca: Option<KeyRef>,
    pub service: Option<ServiceRef>,
}

impl Candidate {
    /// `namespace/name (kind)`, as error messages list candidates.
    pub fn label(&self) -> String {
        format!("{} ({})", self.object, self.origin)
    }
}

/// Where Keycloak is and how to log in, with the source of each part.
#[derive(Debug)]
pub struct Located {
    pub admin: Setting<AdminSource>,
    pub url: Setting<String>,
    pub internal_url: bool,
    pub ca: Option<Setting<KeyRef>>,
    pub bootstrap_admin: bool,
    /// Keycloak's Service, when known: for `discover --check` and the port-forward hint.
    pub service: Option<ServiceRef>,
    /// The admin Secret's data when locating already read it.
    pub admin_data: Option<BTreeMap<String, Vec<u8>>>,
}

impl Located {
    /// Explicit settings, or CSM's layout: no discovery.
    fn from_settings(settings: &Settings, admin_data: Option<BTreeMap<String, Vec<u8>>>) -> Self {
        // CSM's layout is the one where the admin Secret's data was read here.
        let url = &settings.keycloak_url.value;
        // CSM's default URL, or CSM's admin Secret found: CSM's Keycloak Service.
        let csm = !settings.keycloak_url.is_explicit() || admin_data.is_some();
        let service = ServiceRef::from_url(url).or_else(|| csm.then(|| ServiceRef::csm(url)));
        Located {
            admin: Setting {
                value: AdminSource::Secret(settings.admin_secret.value.clone()),
                source: settings.admin_secret.source.clone(),
            },
            url: settings.keycloak_url.clone(),
            internal_url: false,
            ca: None,
            bootstrap_admin: false,
            service,
            admin_data,
        }
    }
}

/// Where Keycloak is for this invocation. Unless an admin Secret was named,
/// the account `admin-account create` stored (in the default namespace) is
/// the admin, over CSM's and any discovered one; it is read right after
/// CSM's Secret, on the same connection.
pub fn locate(cluster: &Cluster, settings: &Settings) -> Result<Located> {
    let mut account = None;
    if settings.keycloak.is_none() {
        if settings.admin_secret.is_explicit() {
            return Ok(Located::from_settings(settings, None));
        }
        if settings.namespace.value == settings::DEFAULT_NAMESPACE {
            let account_secret =
                ObjectRef { namespace: settings.namespace.value.clone(), name: settings::ADMIN_ACCOUNT_SECRET.to_string() };
            // CSM's Secret first: it is the one every run needs. The account's
            // follows on the same connection; reading both at once opened a
            // second connection and cost a second TLS handshake
            // (`tests/bench/lookup-cost`: 1.03-1.04x the run that reads one,
            // against 1.06x).
            let csm = cluster.secret_data_if_exists(&settings.admin_secret.value)?;
            let own = if settings.admin_account { cluster.secret_data_if_exists(&account_secret) } else { Ok(None) };
            account = match own {
                Ok(data) => data.map(|data| (account_secret, data)),
                // The Secret is meant to be readable by admins only.
                Err(err) if err.kind == Kind::Forbidden => {
                    trace::note(&format!("may not read Secret {account_secret}: not using the admin account"));
                    None
                }
                Err(err) => return Err(err),
            };
            if let Some(data) = csm {
                return Ok(with_account(Located::from_settings(settings, Some(data)), account));
            }
            if account.is_some() && settings.keycloak_url.is_explicit() {
                return Ok(with_account(Located::from_settings(settings, None), account));
            }
            trace::note(&format!("no Secret {}: looking for Keycloak in the cluster", settings.admin_secret.value));
        }
    }
    let scope = settings.search_scope();
    let candidate = select(find(cluster, scope)?, settings.keycloak.as_ref(), scope)?;
    trace::note(&format!("using Keycloak {}", candidate.label()));
    Ok(with_account(candidate.located(settings)?, account))
}

/// The admin account's Secret, when found, as the admin.
fn with_account(mut located: Located, account: Option<(ObjectRef, BTreeMap<String, Vec<u8>>)>) -> Located {
    if let Some((secret, data)) = account {
        located.admin = Setting {
            source: Source::Discovered(format!("Secret {secret} exists (admin-account create), no admin named")),
            value: AdminSource::Secret(secret),
        };
        located.admin_data = Some(data);
        located.bootstrap_admin = false;
    }
    located
}

impl Candidate {
    /// This Keycloak, with the explicit settings over what was found.
    pub fn located(&self, settings: &Settings) -> Result<Located> {
        let candidate = self;
        let explicit_secret = settings.admin_secret.is_explicit();
        let discovered = |what: &str| Source::Discovered(format!("{} {}{what}", candidate.origin, candidate.object));
        let admin = if explicit_secret {
            Setting {
                value: AdminSource::Secret(settings.admin_secret.value.clone()),
                source: settings.admin_secret.source.clone(),
            }
        } else {
            let value = candidate.admin.clone().ok_or_else(|| {
                Error::new(Kind::NotFound, format!("found Keycloak {} but not its admin credentials", candidate.label()))
                    .hint(format!("name the Secret holding them with --{}", settings::ADMIN_SECRET.key))
            })?;
            if value.has_literal_secret() {
                trace::note(&format!(
                    "the admin secret is written in the pod spec of {}: anyone who may read it can",
                    candidate.label()
                ));
            }
            Setting { value, source: discovered("") }
        };
        let (url, internal_url) = match (&candidate.url, settings.keycloak_url.is_explicit()) {
            (Some(found), false) => {
                (Setting { value: found.value.clone(), source: Source::Discovered(found.from.clone()) }, found.internal)
            }
            (None, false) if candidate.origin != Origin::CsmSecret => {
                return Err(Error::new(Kind::NotFound, format!("found Keycloak {} but not its URL", candidate.label()))
                    .hint(format!("pass --{}", settings::KEYCLOAK_URL.key)));
            }
            _ => (settings.keycloak_url.clone(), false),
        };
        // A URL naming a Service is its own answer; otherwise the Service found.
        let service = ServiceRef::from_url(&url.value).or_else(|| match candidate.origin {
            Origin::CsmSecret => Some(ServiceRef::csm(&url.value)),
            _ => candidate.service.clone(),
        });
        Ok(Located {
            admin,
            url,
            internal_url,
            ca: candidate.ca.clone().map(|value| Setting { value, source: discovered(" spec.http.tlsSecret") }),
            bootstrap_admin: candidate.bootstrap_admin && !explicit_secret,
            service,
            admin_data: None,
        })
    }
}

/// Every Keycloak in `namespace`, or in every namespace the user may list.
/// A user who may not list cluster-wide is answered from the kubeconfig
/// context's namespace.
pub fn find(cluster: &Cluster, namespace: Option<&str>) -> Result<Vec<Candidate>> {
    match (find_in(cluster, namespace), namespace) {
        (Err(err), None) if err.kind == Kind::Forbidden => {
            let fallback = cluster.default_namespace().to_string();
            trace::note(&format!("may not list cluster-wide ({err}); looking in namespace {fallback}"));
            find_in(cluster, Some(&fallback)).map_err(|err| {
                err.hint_for(
                    Kind::Forbidden,
                    format!("name the Keycloak with --{} and --{}", settings::ADMIN_SECRET.key, settings::KEYCLOAK_URL.key),
                )
            })
        }
        (result, _) => result.map_err(|err| {
            err.hint_for(
                Kind::Forbidden,
                format!("name the Keycloak with --{} and --{}", settings::ADMIN_SECRET.key, settings::KEYCLOAK_URL.key),
            )
        }),
    }
}

fn find_in(cluster: &Cluster, namespace: Option<&str>) -> Result<Vec<Candidate>> {
    let mut found = Vec::new();
    let csm_secret =
        ObjectRef { namespace: namespace.unwrap_or(settings::DEFAULT_NAMESPACE).to_string(), name: CSM_ADMIN_SECRET.to_string() };
    if cluster.secret_data_if_exists(&csm_secret)?.is_some() {
        found.push(Candidate {
            origin: Origin::CsmSecret,
            admin: Some(AdminSource::Secret(csm_secret.clone())),
            object: csm_secret,
            bootstrap_admin: false,
            url: None,
            ca: None,
            service: None,
        });
    }
    let resource = ApiResource {
        group: operator::GROUP.into(),
        version: operator::VERSION.into(),
        api_version: format!("{}/{}", operator::GROUP, operator::VERSION),
        kind: operator::KIND.into(),
        plural: operator::PLURAL.into(),
    };
    match cluster.list_custom(&resource, namespace)? {
        Some(crs) => found.extend(crs.iter().filter_map(|cr| {
            let object = ObjectRef { namespace: cr.metadata.namespace.clone()?, name: cr.metadata.name.clone()? };
            Some(operator::candidate(object, &cr.data["spec"]))
        })),
        None => trace::note("the Keycloak Operator's CRD is not installed"),
    }
    let stateful_sets: Vec<StatefulSet> = cluster.list(namespace)?;
    let deployments: Vec<Deployment> = cluster.list(namespace)?;
    let workloads: Vec<_> = stateful_sets
        .iter()
        .map(|s| (Origin::StatefulSet, &s.metadata, &s.spec.template))
        .chain(deployments.iter().map(|d| (Origin::Deployment, &d.metadata, &d.spec.template)))
        .collect();
    if !workloads.is_empty() {
        let services: Vec<Service> = cluster.list(namespace)?;
        let exposures = Exposures {
            ingresses: cluster.list(namespace)?,
            routes: cluster.list_custom(&exposure::route_resource(), namespace)?.unwrap_or_default(),
        };
        for (origin, meta, template) in workloads {
            let in_namespace = |ns: &Option<String>| *ns == meta.namespace;
            let services: Vec<Service> = services.iter().filter(|s| in_namespace(&s.metadata.namespace)).cloned().collect();
            let configmaps = env_configmaps(cluster, meta, template);
            if let Some(candidate) = workload::candidate(origin, meta, template, &services, &exposures, &configmaps) {
                // CSM's own Keycloak workload is the Keycloak its Secret names.
                let csm = found.iter().any(|c| c.origin == Origin::CsmSecret && c.object.namespace == candidate.object.namespace);
                if !csm {
                    found.push(candidate);
                }
            }
        }
    }
    Ok(found)
}

/// The ConfigMaps a Keycloak container takes variables from with `envFrom`
/// (the Bitnami chart keeps its relative path there). Best effort: one that
/// cannot be read just leaves its variables unknown.
fn env_configmaps(cluster: &Cluster, meta: &ObjectMeta, template: &PodTemplateSpec) -> ConfigMaps {
    let (Some(container), Some(namespace)) = (workload::keycloak_container(meta, template), meta.namespace.as_deref()) else {
        return ConfigMaps::new();
    };
    env::env_from_configmaps(container, namespace)
        .into_iter()
        .filter_map(|configmap| Some((configmap.to_string(), cluster.configmap_data(&configmap).ok()?)))
        .collect()
}

/// The one candidate: the one `--keycloak` names, or the only one found.
/// Several and none named: refuse to guess.
fn select(mut candidates: Vec<Candidate>, pick: Option<&Setting<ObjectRef>>, namespace: Option<&str>) -> Result<Candidate> {
    let listed = |candidates: &[Candidate]| candidates.iter().map(Candidate::label).collect::<Vec<_>>().join(", ");
    let place = namespace.map_or_else(|| "any namespace you may list".to_string(), |ns| format!("namespace {ns}"));
    if let Some(pick) = pick {
        return match candidates.iter().position(|c| c.object == pick.value) {
            Some(i) => Ok(candidates.swap_remove(i)),
            None if candidates.is_empty() => Err(Error::new(Kind::NotFound, format!("no Keycloak {} found", pick.value))),
            None => Err(Error::new(Kind::NotFound, format!("no Keycloak {} found; found {}", pick.value, listed(&candidates)))),
        };
    }
    match candidates.len() {
        0 => Err(Error::new(
            Kind::NotFound,
            format!(
                "no Keycloak found in {place}: no Secret {CSM_ADMIN_SECRET}, Keycloak CR, or Keycloak StatefulSet or Deployment"
            ),
        )
        .hint(format!(
            "pass -n NAMESPACE, or name its admin Secret with --{} and its URL with --{}",
            settings::ADMIN_SECRET.key,
            settings::KEYCLOAK_URL.key
        ))),
        1 => Ok(candidates.remove(0)),
        n => Err(Error::usage(format!("found {n} Keycloaks in {place}: {}", listed(&candidates)))
            .hint(format!("pick one with --{} NAMESPACE/NAME", settings::KEYCLOAK.key))),
    }
}

/// `/auth/` → `/auth`; `/` → ``.
fn normalize_path(path: &str) -> String {
    let trimmed = path.trim().trim_matches('/');
    if trimmed.is_empty() { String::new() } else { format!("/{trimmed}") }
}

/// The path of a URL (`https://h/keycloak` → `/keycloak`), normalized.
pub fn url_path(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    normalize_path(rest.split_once('/').map_or("", |(_, path)| path).split(['?', '#']).next().unwrap_or_default())
}

fn join_path(base: &str, path: &str) -> String {
    format!("{}{path}", base.trim_end_matches('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_urls_name_their_service_and_port() {
        let of = |url| ServiceRef::from_url(url).map(|s| (s.target.to_string(), s.relative_path));
        assert_eq!(of("http://keycloak.kc-bitnami.svc/keycloak"), Some(("kc-bitnami/keycloak:80".into(), "/keycloak".into())));
        assert_eq!(
            of("https://keycloak-service.ns.svc.cluster.local:8443/"),
            Some(("ns/https:keycloak-service:8443".into(), String::new()))
        );
        assert_eq!(of("HTTPS://Kc.NS.svc."), Some(("ns/https:kc:443".into(), String::new())));
        for other in [
            "https://sso.example.com/keycloak",
            "https://a.b.c.svc/",
            "https://kc.ns.svc:x/",
            "ftp://a.b.svc/",
            "https://.ns.svc/",
        ] {
            assert_eq!(of(other), None, "{other}");
        }
    }

    fn candidate(namespace: &str, name: &str, origin: Origin) -> Candidate {
        Candidate {
            origin,
            object: ObjectRef { namespace: namespace.into(), name: name.into() },
            admin: None,
            bootstrap_admin: true,
            url: None,
            ca: None,
            service: None,
        }
    }

    #[test]
    fn several_candidates_are_refused_with_their_names() {
        let found = vec![candidate("kc", "a", Origin::OperatorCr), candidate("kc", "b", Origin::StatefulSet)];
        let err = select(found.clone(), None, Some("kc")).unwrap_err();
        assert_eq!(err.kind, Kind::Usage);
        assert_eq!(
            err.to_string(),
            "found 2 Keycloaks in namespace kc: kc/a (Keycloak CR), kc/b (StatefulSet); pick one with --keycloak NAMESPACE/NAME"
        );
        let pick = Setting { value: ObjectRef { namespace: "kc".into(), name: "b".into() }, source: Source::Flag };
        assert_eq!(select(found.clone(), Some(&pick), Some("kc")).unwrap().origin, Origin::StatefulSet);
        let other = Setting { value: ObjectRef { namespace: "kc".into(), name: "c".into() }, ..pick };
        assert_eq!(select(found, Some(&other), Some("kc")).unwrap_err().kind, Kind::NotFound);
    }

    #[test]
    fn none_found_says_where_it_looked() {
        let err = select(Vec::new(), None, None).unwrap_err();
        assert_eq!(err.kind, Kind::NotFound);
        assert!(err.to_string().starts_with("no Keycloak found in any namespace you may list"), "{err}");
    }

    #[test]
    fn paths_are_normalized() {
        assert_eq!(normalize_path("/"), "");
        assert_eq!(normalize_path("auth/"), "/auth");
        assert_eq!(join_path("https://h/", "/auth"), "https://h/auth");
        assert_eq!(url_path("https://api-gw-service-nmn.local/keycloak"), "/keycloak");
        assert_eq!(url_path("https://h:8443/auth/?x"), "/auth");
        assert_eq!(url_path("https://h"), "");
    }
}
