//! One admin session: the cluster connection, where Keycloak is (given or
//! discovered), the admin credentials read from the cluster, and a Keycloak
//! client logged in with them. Every admin command starts here, so each
//! invocation makes exactly one token request.

use ureq::tls::Certificate;

use crate::cluster::{Cluster, Kube, PodPort};
use crate::credentials::AdminCredentials;
use crate::discovery::{self, Located};
use crate::error::{Error, Kind, Result};
use crate::keycloak::{self, AdminApi, Connection, ExtraCa, Login, OsRoots, Route};
use crate::settings::{self, PortForward, Settings};
use crate::trace;

/// The admin's session ends with it (the login's drop guard), after the
/// command's output was written, unless [`Session::keep_login`] was called.
pub struct Session {
    cluster: Cluster,
    api: AdminApi,
    realm: String,
    namespace: String,
    service_account_admin: bool,
    /// Said on stderr once the command succeeded.
    note: Option<String>,
}

impl Session {
    /// The admin REST API, logged in.
    pub fn api(&self) -> &AdminApi {
        &self.api
    }

    /// The realm the command works in (`--realm`).
    pub fn realm(&self) -> &str {
        &self.realm
    }

    /// Namespace for Secrets named without one.
    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    pub fn cluster(&self) -> &Cluster {
        &self.cluster
    }

    /// The admin is a service-account client (whose fine-grained permissions
    /// may hide clients instead of refusing them).
    pub fn service_account_admin(&self) -> bool {
        self.service_account_admin
    }

    /// What the session has to say once the command succeeded (that it went
    /// through a port-forward); a failure's stderr is its error line only.
    pub fn note(&self) -> Option<&str> {
        self.note.as_deref()
    }

    /// Leave the admin's session open: its token is what the command prints.
    pub fn keep_login(&mut self) {
        self.api.login_mut().keep();
    }

    pub fn open(kube: Kube, settings: &Settings) -> Result<Self> {
        // Parsing the OS trust store is CPU work, and Keycloak's TCP and TLS
        // handshakes need nothing from the cluster when its URL and CAs are
        // already known: a second thread does both while this one waits for
        // the API server.
        let (early, read) = std::thread::scope(|scope| {
            let early = scope.spawn(|| match connect_early(settings) {
                Some(connection) => Early::Connected(Box::new(connection)),
                None => Early::Roots(trust_store(settings)),
            });
            let read = Self::admin_credentials(kube, settings);
            (early.join().unwrap_or_else(|_| Early::Roots(trust_store(settings))), read)
        });
        let (cluster, located, credentials) = read?;
        // The trust store read meanwhile is the forward's too (auto: a copy,
        // cheaper than reading it again once the direct attempt failed).
        let (early, forward_roots) = match (settings.port_forward, early) {
            (PortForward::Always, Early::Roots(roots)) => (Early::Roots(Vec::new()), Some(roots)),
            (PortForward::Auto, Early::Roots(roots)) => (Early::Roots(roots.clone()), Some(roots)),
            (_, early) => (early, None),
        };
        let direct = || match early {
            // The connection is kept alive in the agent; the login reuses it.
            Early::Connected(connection) if located.url.value == settings.keycloak_url.value && located.ca.is_none() => {
                trace::note(&format!("admin from {} ({})", located.admin.value.describe(), located.admin.source));
                connection
                    .log_in(&credentials, admin_realm(&credentials, settings))
                    .map_err(|err| explain(err, &located, settings))
            }
            Early::Connected(_) => log_in(&cluster, &located, &credentials, settings, trust_store(settings)),
            Early::Roots(roots) => log_in(&cluster, &located, &credentials, settings, roots),
        };
        let (login, forwarded) = reach(&cluster, &located, &credentials, settings, direct, forward_roots)?;
        let note = forwarded.map(|pod| {
            let why = if settings.port_forward == PortForward::Always {
                "--port-forward always".to_string()
            } else {
                let url = trace::mask_userinfo(&located.url.value);
                format!("{} does not resolve here", keycloak::host_of(&url))
            };
            format!("kubectl-keycloak: {why}; forwarded to pod {}", pod.pod)
        });
        Ok(Session {
            cluster,
            api: AdminApi::new(login),
            realm: settings.realm.value.clone(),
            namespace: settings.namespace.value.clone(),
            service_account_admin: matches!(credentials, AdminCredentials::ClientCredentials { .. }),
            note,
        })
    }

    fn admin_credentials(kube: Kube, settings: &Settings) -> Result<(Cluster, Located, AdminCredentials)> {
        let cluster = kube.connect()?;
        let mut located = discovery::locate(&cluster, settings)?;
        let credentials =
            AdminCredentials::read(&cluster, &located.admin.value, &settings.admin_names(), located.admin_data.take())?;
        if let Some(realm) = realm_from_secret(&credentials, settings) {
            trace::note(&format!("admin logs in to realm {realm} (key realm of its Secret)"));
        }
        Ok((cluster, located, credentials))
    }
}

/// The realm the admin logs in to: the one given (`--admin-realm`, its
/// variable or the config file), else the one a service account's Secret
/// names (`admin-account create --in-realm`), else master.
fn admin_realm<'a>(credentials: &'a AdminCredentials, settings: &'a Settings) -> &'a str {
    realm_from_secret(credentials, settings).unwrap_or(&settings.admin_realm.value)
}

/// The realm of a service account's Secret, when it decides the login realm
/// (no realm was given).
pub fn realm_from_secret<'a>(credentials: &'a AdminCredentials, settings: &Settings) -> Option<&'a str> {
    credentials.realm().filter(|_| !settings.admin_realm.is_explicit())
}

/// What the second thread of [`Session::open`] prepared.
enum Early {
    /// Keycloak with a verified connection open.
    Connected(Box<Connection>),
    /// The whole OS trust store, for a login that starts from scratch.
    Roots(Vec<Certificate<'static>>),
}

/// Keycloak with a connection already open, when its URL and every CA to
/// trust are known before the cluster is asked: the URL is explicit, or the
/// default on CSM's layout where discovery does not run. It trusts only the
/// OS bundle file (plus the CA file), a subset of what the login trusts; if
/// anything fails here the login starts from scratch with the whole trust
/// store and reports what it meets, so the user sees the same error.
fn connect_early(settings: &Settings) -> Option<Connection> {
    let forced = settings.port_forward == PortForward::Always;
    if forced || !settings.url_known_first() || settings.insecure || settings.ca_configmap.is_some() {
        return None;
    }
    let extra = match &settings.ca_file {
        Some(file) => vec![ExtraCa::from_file(&file.value).ok()?],
        None => Vec::new(),
    };
    let tls = keycloak::tls_config(keycloak::os_roots(OsRoots::Bundle), &extra, false).ok()?;
    let connection = Connection::new(&settings.keycloak_url.value, settings.timeout, tls, Route::Direct).ok()?;
    connection.connect(&settings.admin_realm.value).then_some(connection)
}

fn trace_target(located: &Located, settings: &Settings) {
    trace::note(&format!(
        "Keycloak {} ({}), realm {} ({}), admin from {} ({})",
        trace::mask_userinfo(&located.url.value),
        located.url.source,
        settings.realm.value,
        settings.realm.source,
        located.admin.value.describe(),
        located.admin.source,
    ));
}

/// The OS trust store, unless verification is off.
fn trust_store(settings: &Settings) -> Vec<Certificate<'static>> {
    if settings.insecure { Vec::new() } else { keycloak::os_roots(OsRoots::All) }
}

/// Trust what the settings and the located Keycloak name, then log in.
fn log_in(
    cluster: &Cluster,
    located: &Located,
    credentials: &AdminCredentials,
    settings: &Settings,
    roots: Vec<Certificate<'static>>,
) -> Result<Login> {
    let tls = trust(cluster, located, settings, roots)?;
    trace_target(located, settings);
    Connection::new(&located.url.value, settings.timeout, tls, Route::Direct)?
        .log_in(credentials, admin_realm(credentials, settings))
        .map_err(|err| explain(err, located, settings))
}

/// Log in directly (`direct`), or through a port-forward to Keycloak's pod
/// when `--port-forward` says always, or says auto and it is safe to
/// decide: the URL's host does not resolve here and the Service behind
/// Keycloak is known. A refused connection, a timeout or a TLS failure
/// never switches. `roots`: the trust store, when already read. The pod
/// forwarded to, if any.
fn reach(
    cluster: &Cluster,
    located: &Located,
    credentials: &AdminCredentials,
    settings: &Settings,
    direct: impl FnOnce() -> Result<Login>,
    roots: Option<Vec<Certificate<'static>>>,
) -> Result<(Login, Option<PodPort>)> {
    let forwarded = || {
        let roots = roots.unwrap_or_else(|| trust_store(settings));
        let (login, pod) = log_in_forwarded(cluster, located, credentials, settings, roots)?;
        Ok((login, Some(pod)))
    };
    match settings.port_forward {
        PortForward::Always => forwarded(),
        PortForward::Never => Ok((direct()?, None)),
        PortForward::Auto => match direct() {
            Err(err) if err.is_unresolved_host() && located.service.is_some() => {
                trace::note("Keycloak's host does not resolve here: trying a port-forward to its pod");
                forwarded()
            }
            result => Ok((result?, None)),
        },
    }
}

/// The login through a port-forward to the pod behind Keycloak's Service.
fn log_in_forwarded(
    cluster: &Cluster,
    located: &Located,
    credentials: &AdminCredentials,
    settings: &Settings,
    roots: Vec<Certificate<'static>>,
) -> Result<(Login, PodPort)> {
    let Some(service) = &located.service else {
        return Err(Error::new(
            Kind::Unreachable,
            format!("no Service is known behind Keycloak at {}, so there is no pod to forward a port to", located.url.value),
        )
        .hint(format!(
            "pass --{} with a reachable URL, or --{} never",
            settings::KEYCLOAK_URL.key,
            settings::PORT_FORWARD.key
        )));
    };
    let tls = trust(cluster, located, settings, roots)?;
    trace_target(located, settings);
    let pod = cluster.pod_behind(&service.target)?;
    let scheme = if service.target.https { "HTTPS" } else { "HTTP" };
    trace::note(&format!("port-forward to {pod}, {scheme} to the pod"));
    let forward = cluster.forward(pod.clone());
    let first = forward.open(settings.timeout)?;
    let route = Route::Forwarded { pod_https: service.target.https, forward, first };
    let login = Connection::new(&located.url.value, settings.timeout, tls, route)?
        .log_in(credentials, admin_realm(credentials, settings))
        .map_err(|err| explain(err, located, settings))?;
    Ok((login, pod))
}

/// The TLS set-up for Keycloak: `roots`, plus the CAs the settings and the
/// located Keycloak name.
fn trust(
    cluster: &Cluster,
    located: &Located,
    settings: &Settings,
    roots: Vec<Certificate<'static>>,
) -> Result<ureq::tls::TlsConfig> {
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
    if let Some(ca) = &located.ca {
        // cert-manager writes ca.crt; a certificate from elsewhere may lack it.
        match cluster.secret_data(&ca.value.object)?.remove(&ca.value.key) {
            Some(pem) => extra.push(ExtraCa { origin: format!("Secret {}", ca.value), pem }),
            None => trace::note(&format!("Secret {} has no {} key; not trusted", ca.value.object, ca.value.key)),
        }
    }
    keycloak::tls_config(roots, &extra, settings.insecure)
}

/// Whether logging in to each Keycloak found works (`discover --check`):
/// the same trust and login as a session, the admin's session ended at once.
pub struct Checker<'a> {
    cluster: &'a Cluster,
    settings: &'a Settings,
    roots: Vec<Certificate<'static>>,
}

impl<'a> Checker<'a> {
    pub fn new(cluster: &'a Cluster, settings: &'a Settings) -> Self {
        Checker { cluster, settings, roots: trust_store(settings) }
    }

    /// "OK", or how the login was made to work; the error otherwise.
    pub fn check(&self, located: &Located) -> Result<String> {
        let (cluster, settings) = (self.cluster, self.settings);
        let credentials = AdminCredentials::read(cluster, &located.admin.value, &settings.admin_names(), None)?;
        let direct = || log_in(cluster, located, &credentials, settings, self.roots.clone());
        Ok(match reach(cluster, located, &credentials, settings, direct, Some(self.roots.clone()))? {
            (_, None) => "OK".to_string(),
            (_, Some(pod)) => format!("OK through a port-forward to pod {}", pod.pod),
        })
    }
}

/// A failed login, with what the way Keycloak was found suggests.
fn explain(err: Error, located: &Located, settings: &Settings) -> Error {
    match err.kind {
        Kind::Auth if located.bootstrap_admin => err.hint(format!(
            "the bootstrap admin from {} may have been removed after setup (a common practice); name a permanent admin's Secret with --{}",
            located.admin.value.describe(),
            settings::ADMIN_SECRET.key
        )),
        Kind::Unreachable if located.internal_url => {
            // With a Service known, only `never` leaves such a URL unreachable.
            let forward = if located.service.is_some() && settings.port_forward == PortForward::Never {
                format!(", or let the plugin forward a port to Keycloak's pod: --{} auto", settings::PORT_FORWARD.key)
            } else {
                String::new()
            };
            err.hint(format!(
                "{} is a cluster-internal Service address ({}); pass --{} with the Ingress host or another reachable URL{forward}",
                located.url.value,
                located.url.source,
                settings::KEYCLOAK_URL.key
            ))
        }
        _ => err,
    }
}
