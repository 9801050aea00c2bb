//! Keycloak's admin REST API, on one blocking ureq Agent so that every call
//! of one invocation reuses the same kept-alive TLS connection.
//!
//! Credentials travel only in request bodies and the Authorization header;
//! neither is ever formatted into an error or a trace line.

use std::time::{Duration, Instant};

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::Value;
use ureq::Agent;
use ureq::tls::TlsConfig;

use crate::admin::AdminCredentials;
use crate::error::{Error, Kind, Result, chain, one_line};
use crate::trace;

/// Far above any answer this program asks for (a page of clients is well
/// under 1 MiB); a body past it means something is wrong, not a big realm.
const MAX_BODY_BYTES: u64 = 4 * 1024 * 1024;

/// Pauses before retrying an idempotent GET that a gateway answered with
/// 502/503/504. POSTs (tokens, secret regeneration) are never retried.
const GET_RETRY_DELAYS: [Duration; 2] = [Duration::from_millis(200), Duration::from_millis(800)];

/// Characters left as they are in a path segment or query value: RFC 3986
/// unreserved. Everything else is percent-encoded, so a clientId or realm
/// holding `/`, `?`, `#`, `&`, `+`, `%` or spaces stays one value.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

pub fn encode(component: &str) -> String {
    utf8_percent_encode(component, COMPONENT).to_string()
}

/// The realm holding the admin user.
pub const ADMIN_REALM: &str = "master";

pub struct Keycloak {
    agent: Agent,
    base: String,
    timeout: Option<Duration>,
    token: Option<String>,
}

/// The fields of a client representation this program uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientInfo {
    pub id: String,
    pub client_id: String,
    pub public_client: bool,
    pub bearer_only: bool,
    pub service_accounts_enabled: bool,
}

impl ClientInfo {
    fn from_json(value: &Value) -> Option<Self> {
        let flag = |name: &str| value.get(name).and_then(Value::as_bool).unwrap_or(false);
        Some(ClientInfo {
            id: value.get("id")?.as_str()?.to_string(),
            client_id: value.get("clientId")?.as_str()?.to_string(),
            public_client: flag("publicClient"),
            bearer_only: flag("bearerOnly"),
            service_accounts_enabled: flag("serviceAccountsEnabled"),
        })
    }

    pub fn kind(&self) -> &'static str {
        match (self.public_client, self.bearer_only) {
            (true, _) => "public",
            (_, true) => "bearer-only",
            _ => "confidential",
        }
    }
}

/// A response read whole (bounded by [`MAX_BODY_BYTES`]).
struct Reply {
    status: u16,
    content_type: String,
    location: Option<String>,
    body: String,
}

impl Keycloak {
    pub fn new(base_url: &str, timeout: Option<Duration>, tls: TlsConfig) -> Result<Self> {
        let base = base_url.trim_end_matches('/').to_string();
        if !(base.starts_with("https://") || base.starts_with("http://")) {
            return Err(Error::usage(format!("Keycloak URL {:?} must start with https://", trace::mask_userinfo(&base))));
        }
        let agent = Agent::config_builder()
            .http_status_as_error(false)
            // A redirect would be followed without the credentials in the
            // body; report it instead so the user fixes the URL.
            .max_redirects(0)
            .max_redirects_will_error(false)
            .timeout_global(timeout)
            .timeout_connect(timeout.map(|t| t.min(Duration::from_secs(10))))
            .user_agent(concat!("kubectl-keycloak/", env!("CARGO_PKG_VERSION")))
            .tls_config(tls)
            .build()
            .new_agent();
        Ok(Keycloak { agent, base, timeout, token: None })
    }

    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// One token for the whole invocation: the password grant (the documented
    /// `get_master_token`) or client_credentials; credentials only in the
    /// POST body. Never retried: brute-force protection counts failures.
    pub fn login(&mut self, credentials: &AdminCredentials, realm: &str) -> Result<()> {
        let form: Vec<(&str, &str)> = match credentials {
            AdminCredentials::Password { client_id, user, password } => vec![
                ("grant_type", "password"),
                ("client_id", client_id),
                ("username", user),
                ("password", password),
            ],
            AdminCredentials::ClientCredentials { client_id, secret } => {
                vec![("grant_type", "client_credentials"), ("client_id", client_id), ("client_secret", secret)]
            }
        };
        let url = format!("{}/realms/{}/protocol/openid-connect/token", self.base, encode(realm));
        let reply = self.exchange("POST", &url, |agent| agent.post(&url).send_form(form.iter().copied()))?;
        match reply.status {
            200 => {
                let json = parse_json(&reply, &url)?;
                let token = json.get("access_token").and_then(Value::as_str).ok_or_else(|| {
                    Error::new(Kind::BadResponse, format!("the token endpoint {url} answered without an access_token"))
                })?;
                self.token = Some(token.to_string());
                Ok(())
            }
            400 | 401 if is_json(&reply) => Err(Error::new(
                Kind::Auth,
                format!("Keycloak refused to log in {} in realm {realm:?}: {}", credentials.describe(), error_text(&reply)),
            )
            .hint("check the credentials in the admin Secret (and --admin-realm); a locked-out user (brute-force protection) gets the same answer")),
            404 if is_json(&reply) => Err(Error::new(Kind::RealmNotFound, format!("admin realm {realm:?} not found in Keycloak at {}", self.base))
                .hint("pass the right --admin-realm (the master admin logs in to master)")),
            404 => Err(Error::new(Kind::BadResponse, format!("no Keycloak token endpoint at {url} (HTTP 404)"))
                .hint("check --keycloak-url; CSM serves Keycloak under /keycloak")),
            _ => Err(unexpected(&reply, &url)),
        }
    }

    /// The access token obtained by [`Keycloak::login`].
    pub fn token(&self) -> &str {
        self.token.as_deref().expect("logged in before admin calls")
    }

    /// Exact lookup by clientId; never lists the realm.
    pub fn find_client(&self, realm: &str, client_id: &str) -> Result<Option<ClientInfo>> {
        let url = format!("{}/clients?clientId={}", self.realm_url(realm), encode(client_id));
        let json = self.get_json(&url, realm)?;
        let clients = json.as_array().ok_or_else(|| not_a_list(&url))?;
        // The server matches exactly; checking again means a proxy or a
        // server quirk can never hand back the secret of another client.
        Ok(clients.iter().filter_map(ClientInfo::from_json).find(|c| c.client_id == client_id))
    }

    /// Public clients have no secret to read or regenerate.
    pub fn require_confidential(realm: &str, client: &ClientInfo) -> Result<()> {
        if client.public_client { Err(no_secret(realm, client)) } else { Ok(()) }
    }

    /// The client's secret, or a "has no secret" error naming why.
    pub fn client_secret(&self, realm: &str, client: &ClientInfo) -> Result<String> {
        Self::require_confidential(realm, client)?;
        let json = self.get_json(&self.secret_url(realm, client), realm)?;
        match json.get("value").and_then(Value::as_str) {
            Some(secret) => Ok(secret.to_string()),
            None => Err(no_secret(realm, client)),
        }
    }

    /// Generate a new secret (`POST …/client-secret`); the old one stops
    /// working at once unless a rotation policy keeps it.
    pub fn regenerate_secret(&self, realm: &str, client: &ClientInfo) -> Result<String> {
        Self::require_confidential(realm, client)?;
        let url = self.secret_url(realm, client);
        let reply = self.admin("POST", &url, None)?;
        match reply.status {
            200 => match parse_json(&reply, &url)?.get("value").and_then(Value::as_str) {
                Some(secret) => Ok(secret.to_string()),
                None => Err(Error::new(Kind::BadResponse, format!("{url} answered without the new secret"))),
            },
            _ => Err(self.admin_error(&reply, &url, realm)),
        }
    }

    /// The rotated (previous) secret kept by a secret-rotation client policy.
    pub fn rotated_secret(&self, realm: &str, client: &ClientInfo) -> Result<String> {
        let url = format!("{}/rotated", self.secret_url(realm, client));
        let reply = self.admin("GET", &url, None)?;
        match reply.status {
            200 => parse_json(&reply, &url)?
                .get("value")
                .and_then(Value::as_str)
                .map(str::to_string)
                .ok_or_else(|| self.no_rotated_secret(realm, client)),
            404 => Err(self.no_rotated_secret(realm, client)),
            _ => Err(self.admin_error(&reply, &url, realm)),
        }
    }

    /// Make the rotated secret stop working now.
    pub fn invalidate_rotated_secret(&self, realm: &str, client: &ClientInfo) -> Result<()> {
        self.require_rotation()?;
        let url = format!("{}/rotated", self.secret_url(realm, client));
        let reply = self.admin("DELETE", &url, None)?;
        match reply.status {
            200 | 204 => Ok(()),
            _ => Err(self.admin_error(&reply, &url, realm)),
        }
    }

    /// A 404 on the rotated secret means "none" only where the feature is on.
    fn no_rotated_secret(&self, realm: &str, client: &ClientInfo) -> Error {
        if let Err(unsupported) = self.require_rotation() {
            return unsupported;
        }
        Error::new(Kind::NoSecret, format!("client {:?} in realm {realm:?} has no rotated secret", client.client_id))
            .hint("a secret-rotation client policy keeps the previous secret after --regenerate")
    }

    /// Secret rotation is a preview feature, off by default (Keycloak 21 and 26).
    fn require_rotation(&self) -> Result<()> {
        let url = format!("{}/admin/serverinfo", self.base);
        let info = self.get_json(&url, ADMIN_REALM)?;
        let disabled = info["profileInfo"]["disabledFeatures"]
            .as_array()
            .is_some_and(|features| features.iter().any(|f| f == "CLIENT_SECRET_ROTATION"));
        if disabled {
            let version = info["systemInfo"]["version"].as_str().unwrap_or("this version");
            return Err(Error::new(Kind::Unsupported, format!("Keycloak {version} at {} has secret rotation turned off", self.base))
                .hint("it is the preview feature client-secret-rotation (kc.sh build --features=client-secret-rotation)"));
        }
        Ok(())
    }

    /// Create a client; its id is the last segment of the `Location` header.
    pub fn create_client(&self, realm: &str, representation: &Value) -> Result<String> {
        let url = format!("{}/clients", self.realm_url(realm));
        let reply = self.admin("POST", &url, Some(representation))?;
        match reply.status {
            201 => reply
                .location
                .as_deref()
                .and_then(|location| location.rsplit('/').next())
                .filter(|id| !id.is_empty())
                .map(str::to_string)
                .ok_or_else(|| Error::new(Kind::BadResponse, format!("{url} created a client but did not say where"))),
            409 => {
                let client_id = representation["clientId"].as_str().unwrap_or_default();
                Err(Error::new(Kind::AlreadyExists, format!("client {client_id:?} already exists in realm {realm:?}"))
                    .hint(format!("get its secret with: kubectl keycloak client-secret {client_id}")))
            }
            _ => Err(self.admin_error(&reply, &url, realm)),
        }
    }

    /// The client with this id (as returned by [`Keycloak::create_client`]).
    pub fn client_by_id(&self, realm: &str, id: &str) -> Result<ClientInfo> {
        let url = format!("{}/clients/{}", self.realm_url(realm), encode(id));
        let json = self.get_json(&url, realm)?;
        ClientInfo::from_json(&json).ok_or_else(|| Error::new(Kind::BadResponse, format!("{url} did not answer with a client")))
    }

    /// One page of clients, optionally filtered by a case-insensitive
    /// substring of the clientId.
    pub fn list_clients(&self, realm: &str, search: Option<&str>, first: u32, max: u32) -> Result<Vec<ClientInfo>> {
        let filter = search.map(|text| format!("clientId={}&search=true&", encode(text))).unwrap_or_default();
        let url = format!("{}/clients?{filter}first={first}&max={max}", self.realm_url(realm));
        let json = self.get_json(&url, realm)?;
        let clients = json.as_array().ok_or_else(|| not_a_list(&url))?;
        Ok(clients.iter().filter_map(ClientInfo::from_json).collect())
    }

    fn realm_url(&self, realm: &str) -> String {
        format!("{}/admin/realms/{}", self.base, encode(realm))
    }

    fn secret_url(&self, realm: &str, client: &ClientInfo) -> String {
        format!("{}/clients/{}/client-secret", self.realm_url(realm), encode(&client.id))
    }

    fn get_json(&self, url: &str, realm: &str) -> Result<Value> {
        let reply = self.admin("GET", url, None)?;
        match reply.status {
            200 => parse_json(&reply, url),
            _ => Err(self.admin_error(&reply, url, realm)),
        }
    }

    /// An authenticated admin request. GETs are idempotent, so a gateway's
    /// 502/503/504 is retried a bounded number of times; nothing else is.
    fn admin(&self, method: &str, url: &str, body: Option<&Value>) -> Result<Reply> {
        let bearer = format!("Bearer {}", self.token());
        let send = |agent: &Agent| match (method, body) {
            ("GET", _) => agent.get(url).header("Authorization", &bearer).call(),
            ("DELETE", _) => agent.delete(url).header("Authorization", &bearer).call(),
            (_, Some(body)) => agent
                .post(url)
                .header("Authorization", &bearer)
                .header("Content-Type", "application/json")
                .send(body.to_string()),
            (_, None) => agent.post(url).header("Authorization", &bearer).send_empty(),
        };
        let mut reply = self.exchange(method, url, send)?;
        if method == "GET" {
            for delay in GET_RETRY_DELAYS {
                if !matches!(reply.status, 502..=504) {
                    break;
                }
                std::thread::sleep(delay);
                reply = self.exchange(method, url, send)?;
            }
        }
        Ok(reply)
    }

    /// What a failed admin call means, for the statuses every call shares.
    fn admin_error(&self, reply: &Reply, url: &str, realm: &str) -> Error {
        match reply.status {
            401 => Error::new(Kind::Auth, format!("Keycloak rejected the admin token at {url} (HTTP 401)"))
                .hint("the token may have expired; run the command again"),
            403 => Error::new(Kind::Auth, format!("the admin may not do this in realm {realm:?}: {} (HTTP 403)", error_text(reply)))
                .hint("it needs the realm's realm-management roles (master admins have them)"),
            404 if is_json(reply) && error_text(reply).to_lowercase().contains("realm") => {
                Error::new(Kind::RealmNotFound, format!("realm {realm:?} not found in Keycloak at {}", self.base))
                    .hint("pass the right --realm (CSM uses shasta)")
            }
            _ => unexpected(reply, url),
        }
    }

    /// Send one request and read its whole (bounded) body.
    fn exchange(
        &self,
        method: &str,
        url: &str,
        send: impl Fn(&Agent) -> std::result::Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    ) -> Result<Reply> {
        let started = Instant::now();
        let result = send(&self.agent).and_then(|mut response| {
            let status = response.status().as_u16();
            let content_type = response
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string();
            let location = response.headers().get("location").and_then(|v| v.to_str().ok()).map(str::to_string);
            let body = response.body_mut().with_config().limit(MAX_BODY_BYTES).read_to_string()?;
            Ok(Reply { status, content_type, location, body })
        });
        match &result {
            Ok(reply) => trace::http(method, url, Some(reply.status), Some(reply.body.len()), started.elapsed()),
            Err(_) => trace::http(method, url, None, None, started.elapsed()),
        }
        result.map_err(|err| self.transport_error(err, url))
    }

    fn transport_error(&self, err: ureq::Error, url: &str) -> Error {
        let url = trace::mask_userinfo(url);
        let host = host_of(&url);
        let detail = chain(&err);
        match err {
            ureq::Error::HostNotFound => Error::new(Kind::Unreachable, format!("cannot resolve Keycloak host {host}"))
                .hint("check --keycloak-url (or KUBECTL_KEYCLOAK_URL) and DNS"),
            ureq::Error::Timeout(_) => {
                let after = self.timeout.map(|t| format!(" after {}s", t.as_secs_f64())).unwrap_or_default();
                Error::new(Kind::Unreachable, format!("Keycloak at {host} did not answer{after} ({url})"))
                    .hint("check that Keycloak is up; raise --request-timeout if it is just slow")
            }
            ureq::Error::BodyExceedsLimit(limit) => Error::new(
                Kind::BadResponse,
                format!("the answer from {url} is larger than {limit} bytes, far more than Keycloak sends"),
            )
            .hint("check --keycloak-url; something other than Keycloak may be answering"),
            _ if is_tls_failure(&detail) => Error::new(Kind::Tls, format!("TLS verification of Keycloak at {host} failed: {detail}"))
                .hint("trust its CA with --keycloak-ca-file or --keycloak-ca-configmap, or check the URL's host name"),
            ureq::Error::ConnectionFailed | ureq::Error::Io(_) => {
                Error::new(Kind::Unreachable, format!("cannot connect to Keycloak at {host}: {detail}"))
                    .hint("check --keycloak-url and that Keycloak is running")
            }
            _ => Error::new(Kind::Unreachable, format!("request to {url} failed: {detail}")),
        }
    }
}


fn is_tls_failure(detail: &str) -> bool {
    let lower = detail.to_lowercase();
    ["certificate", "tls", "handshake", "unknownissuer", "notvalidforname"].iter().any(|w| lower.contains(w))
}

fn host_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    rest.split(['/', '?', '#']).next().unwrap_or(rest)
}

fn is_json(reply: &Reply) -> bool {
    reply.content_type.contains("json") || reply.body.trim_start().starts_with(['{', '['])
}

fn parse_json(reply: &Reply, url: &str) -> Result<Value> {
    serde_json::from_str(&reply.body).map_err(|err| {
        let what = if reply.body.trim_start().starts_with('<') { "an HTML page".to_string() } else { format!("malformed JSON ({err})") };
        Error::new(Kind::BadResponse, format!("{url} answered {what} instead of Keycloak JSON (HTTP {})", reply.status))
            .hint("check --keycloak-url: a gateway or proxy may be answering for Keycloak")
    })
}

/// Keycloak's two error shapes: `{"error", "error_description"}` and
/// `{"errorMessage"}`.
fn error_text(reply: &Reply) -> String {
    let Ok(json) = serde_json::from_str::<Value>(&reply.body) else { return format!("HTTP {}", reply.status) };
    let field = |name: &str| json.get(name).and_then(Value::as_str).filter(|s| !s.is_empty());
    let text = match (field("error"), field("error_description"), field("errorMessage")) {
        (Some(error), Some(description), _) => format!("{error}: {description}"),
        (_, _, Some(message)) => message.to_string(),
        (Some(error), None, None) => error.to_string(),
        _ => format!("HTTP {}", reply.status),
    };
    one_line(&text)
}

fn unexpected(reply: &Reply, url: &str) -> Error {
    let detail = if is_json(reply) {
        error_text(reply)
    } else if reply.body.trim_start().starts_with('<') {
        "an HTML page".to_string()
    } else {
        format!("{} bytes of {}", reply.body.len(), if reply.content_type.is_empty() { "untyped data" } else { &reply.content_type })
    };
    let hint = match reply.status {
        300..=399 => "Keycloak redirected; use the final URL as --keycloak-url",
        500..=599 => "Keycloak or its gateway is failing; try again later",
        _ => "check --keycloak-url and --realm",
    };
    Error::new(Kind::BadResponse, format!("unexpected answer from {url}: HTTP {}: {detail}", reply.status)).hint(hint)
}

fn not_a_list(url: &str) -> Error {
    Error::new(Kind::BadResponse, format!("{url} did not answer with a list of clients"))
        .hint("check --keycloak-url: a gateway or proxy may be answering for Keycloak")
}

fn no_secret(realm: &str, client: &ClientInfo) -> Error {
    Error::new(Kind::NoSecret, format!("client {:?} in realm {realm:?} has no secret: it is a {} client", client.client_id, client.kind()))
        .hint("only confidential clients have secrets")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(status: u16, content_type: &str, body: &str) -> Reply {
        Reply { status, content_type: content_type.into(), location: None, body: body.into() }
    }

    #[test]
    fn components_are_encoded_so_they_stay_one_value() {
        assert_eq!(encode("my-test-client"), "my-test-client");
        assert_eq!(encode("a b&c#d?e/f%g+h"), "a%20b%26c%23d%3Fe%2Ff%25g%2Bh");
        assert_eq!(encode("é"), "%C3%A9");
    }

    #[test]
    fn both_keycloak_error_shapes_are_read() {
        let invalid = reply(401, "application/json", r#"{"error":"invalid_grant","error_description":"Invalid user credentials"}"#);
        assert_eq!(error_text(&invalid), "invalid_grant: Invalid user credentials");
        let exists = reply(409, "application/json", r#"{"errorMessage":"Client x already exists"}"#);
        assert_eq!(error_text(&exists), "Client x already exists");
        assert_eq!(error_text(&reply(500, "text/plain", "oops")), "HTTP 500");
    }

    #[test]
    fn html_pages_are_named_not_parsed() {
        let page = reply(200, "text/html", "<html><title>Gateway</title></html>");
        let err = parse_json(&page, "https://x/keycloak/realms/master/protocol/openid-connect/token").unwrap_err();
        assert_eq!(err.kind, Kind::BadResponse);
        assert!(err.to_string().contains("an HTML page"), "{err}");
        assert!(!err.to_string().contains("Gateway"));
    }

    #[test]
    fn client_kinds_come_from_the_representation() {
        let client = |json: &str| ClientInfo::from_json(&serde_json::from_str(json).unwrap()).unwrap();
        assert_eq!(client(r#"{"id":"u","clientId":"c"}"#).kind(), "confidential");
        assert_eq!(client(r#"{"id":"u","clientId":"c","publicClient":true}"#).kind(), "public");
        assert_eq!(client(r#"{"id":"u","clientId":"c","bearerOnly":true}"#).kind(), "bearer-only");
        assert!(ClientInfo::from_json(&serde_json::json!({"clientId": "no id"})).is_none());
    }

    #[test]
    fn hosts_are_cut_from_urls() {
        assert_eq!(host_of("https://h:8443/keycloak/x?y"), "h:8443");
        assert_eq!(host_of("https://h"), "h");
    }
}
