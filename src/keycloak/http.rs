//! HTTP to Keycloak: one blocking ureq Agent per invocation, so every call
//! reuses the same kept-alive TLS connection; bounded bodies; transport
//! failures and unusable answers classified into one-line errors.
//!
//! Credentials travel only in request bodies and the Authorization header;
//! neither is ever formatted into an error or a trace line.

use std::time::{Duration, Instant};

use serde_json::Value;
use ureq::Agent;
use ureq::http::Method;
use ureq::tls::TlsConfig;

use super::tunnel;
use crate::cluster::{Forward, Tunnel};
use crate::error::{Error, Kind, Result, chain, one_line};
use crate::secret::Secret;
use crate::trace;

/// Far above any answer this program asks for (a page of clients is well
/// under 1 MiB); a body past it means something is wrong, not a big realm.
const MAX_BODY_BYTES: u64 = 4 * 1024 * 1024;

/// Pauses before retrying an idempotent GET that a gateway answered with
/// 502/503/504. POSTs (tokens, secret regeneration) are never retried.
const GET_RETRY_DELAYS: [Duration; 2] = [Duration::from_millis(200), Duration::from_millis(800)];

/// What to send.
#[derive(Clone, Copy)]
pub enum Request<'a> {
    Get,
    Delete,
    PostEmpty,
    PostJson(&'a Value),
    /// A form: the token request, whose fields hold the credentials.
    PostForm(&'a [(&'a str, &'a str)]),
}

impl Request<'_> {
    fn method(&self) -> Method {
        match self {
            Request::Get => Method::GET,
            Request::Delete => Method::DELETE,
            Request::PostEmpty | Request::PostJson(_) | Request::PostForm(_) => Method::POST,
        }
    }
}

/// One HTTP response read whole (bounded by [`MAX_BODY_BYTES`]).
pub struct Reply {
    pub status: u16,
    pub content_type: String,
    pub location: Option<String>,
    pub body: String,
}

pub struct Http {
    /// Straight to the URL's host, or through a port-forward.
    agent: Agent,
    /// Where requests go.
    base: String,
    /// The URL as the user knows it: what is printed and reported.
    public: String,
    timeout: Option<Duration>,
    /// The port-forward requests go through, for errors that may be its doing.
    forward: Option<Forward>,
}

fn checked_base(base_url: &str) -> Result<String> {
    let base = base_url.trim_end_matches('/').to_string();
    if !(base.starts_with("https://") || base.starts_with("http://")) {
        return Err(Error::usage(format!("Keycloak URL {:?} must start with https://", trace::mask_userinfo(&base))));
    }
    Ok(base)
}

fn agent_config(timeout: Option<Duration>, tls: TlsConfig) -> ureq::config::Config {
    Agent::config_builder()
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
}

/// How requests reach Keycloak.
#[allow(clippy::large_enum_variant)] // one value per run, moved once
pub enum Route {
    /// The URL's host, resolved and dialled here.
    Direct,
    /// Through a port-forward to Keycloak's pod: the same URL, host and TLS
    /// verification as direct, where the pod serves HTTPS; where it serves
    /// plain HTTP (behind a mesh or gateway that terminates TLS), HTTP to
    /// the URL's host, inside the API server connection's TLS.
    Forwarded { pod_https: bool, forward: Forward, first: Tunnel },
}

impl Http {
    pub fn new(base_url: &str, timeout: Option<Duration>, tls: TlsConfig, route: Route) -> Result<Self> {
        let public = checked_base(base_url)?;
        Ok(match route {
            Route::Direct => {
                Http { agent: agent_config(timeout, tls).new_agent(), base: public.clone(), public, timeout, forward: None }
            }
            Route::Forwarded { pod_https, forward, first } => {
                let base = match public.split_once("://") {
                    Some((_, rest)) if !pod_https => format!("http://{rest}"),
                    _ => public.clone(),
                };
                let agent = tunnel::agent(agent_config(timeout, tls), forward.clone(), first);
                Http { agent, public, base, timeout, forward: Some(forward) }
            }
        })
    }

    /// The base URL requests go to, without a trailing slash.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// The base URL as the user knows it (the same, unless a port-forward
    /// speaks plain HTTP to the pod).
    pub fn public_base(&self) -> &str {
        &self.public
    }

    /// Send a request, with a bearer token when given. GETs are idempotent,
    /// so a gateway's 502/503/504 is retried a bounded number of times;
    /// nothing else is.
    pub fn send(&self, request: Request<'_>, url: &str, bearer: Option<&Secret>) -> Result<Reply> {
        let mut reply = self.exchange(request, url, bearer, None)?;
        if let Request::Get = request {
            for delay in GET_RETRY_DELAYS {
                if !matches!(reply.status, 502..=504) {
                    break;
                }
                std::thread::sleep(delay);
                reply = self.exchange(request, url, bearer, None)?;
            }
        }
        Ok(reply)
    }

    /// Send one request and read its whole (bounded) body.
    /// Send once, never retried, within `limit` (and the usual timeout):
    /// for requests whose failure must not hold the user up.
    pub fn send_within(&self, request: Request<'_>, url: &str, limit: Duration) -> Result<Reply> {
        let limit = self.timeout.map_or(limit, |timeout| timeout.min(limit));
        self.exchange(request, url, None, Some(limit))
    }

    fn exchange(&self, request: Request<'_>, url: &str, bearer: Option<&Secret>, limit: Option<Duration>) -> Result<Reply> {
        let authorization = bearer.map(|token| format!("Bearer {}", token.expose()));
        let started = Instant::now();
        let result = self.direct(request, url, &authorization, limit);
        match &result {
            Ok(reply) => {
                trace::http(request.method().as_str(), url, Some(reply.status), Some(reply.body.len()), started.elapsed())
            }
            Err(_) => trace::http(request.method().as_str(), url, None, None, started.elapsed()),
        }
        result
    }

    fn direct(&self, request: Request<'_>, url: &str, authorization: &Option<String>, limit: Option<Duration>) -> Result<Reply> {
        let agent = &self.agent;
        let sent = match request {
            Request::Get => prepare(agent.get(url), authorization, limit).call(),
            Request::Delete => prepare(agent.delete(url), authorization, limit).call(),
            Request::PostEmpty => prepare(agent.post(url), authorization, limit).send_empty(),
            Request::PostJson(body) => {
                prepare(agent.post(url), authorization, limit).header("Content-Type", "application/json").send(body.to_string())
            }
            Request::PostForm(form) => prepare(agent.post(url), authorization, limit).send_form(form.iter().copied()),
        };
        sent.and_then(|mut response| {
            let status = response.status().as_u16();
            let header = |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
            let content_type = header("content-type").unwrap_or_default();
            let location = header("location");
            let body = response.body_mut().with_config().limit(MAX_BODY_BYTES).read_to_string()?;
            Ok(Reply { status, content_type, location, body })
        })
        .map_err(|err| self.transport_error(err, url))
    }

    fn transport_error(&self, err: ureq::Error, url: &str) -> Error {
        let url = trace::mask_userinfo(url);
        let host = host_of(&url);
        if let Some(own) = tunnel::own_error(&err) {
            return own;
        }
        let detail = chain(&err);
        match err {
            // The OS resolver's failure reaches ureq as an I/O error.
            _ if matches!(err, ureq::Error::HostNotFound) || detail.contains("failed to lookup address") => {
                Error::new(Kind::Unreachable, format!("cannot resolve Keycloak host {host}"))
                    .hint("check --keycloak-url (or KUBECTL_KEYCLOAK_URL) and DNS")
                    .unresolved_host()
            }
            ureq::Error::Timeout(_) => {
                let after = self.timeout.map(|t| format!(" after {}s", t.as_secs_f64())).unwrap_or_default();
                match &self.forward {
                    // The pod may have gone: some kubelets keep the stream open when it does.
                    Some(forward) => Error::new(
                        Kind::Unreachable,
                        format!(
                            "Keycloak at {host} did not answer{after} through the port-forward to {} ({url})",
                            forward.pod_port()
                        ),
                    )
                    .hint(format!(
                        "check the pod with: kubectl get pod -n {} {}; raise --request-timeout if Keycloak is just slow",
                        forward.pod().namespace,
                        forward.pod().name
                    )),
                    None => Error::new(Kind::Unreachable, format!("Keycloak at {host} did not answer{after} ({url})"))
                        .hint("check that Keycloak is up; raise --request-timeout if it is just slow"),
                }
            }
            ureq::Error::BodyExceedsLimit(limit) => Error::new(
                Kind::BadResponse,
                format!("the answer from {url} is larger than {limit} bytes, far more than Keycloak sends"),
            )
            .hint("check --keycloak-url; something other than Keycloak may be answering"),
            _ if is_tls_failure(&err) => {
                Error::new(Kind::Tls, format!("TLS verification of Keycloak at {host} failed: {detail}"))
                    .hint("trust its CA with --keycloak-ca-file or --keycloak-ca-configmap, or check the URL's host name")
            }
            ureq::Error::ConnectionFailed | ureq::Error::Io(_) | ureq::Error::Protocol(_)
                if let Some(forward) = &self.forward =>
            {
                Error::new(
                    Kind::Unreachable,
                    format!("the port-forward to {} closed before Keycloak answered ({url}): {detail}", forward.pod_port()),
                )
                .hint(format!(
                    "the pod may have stopped or restarted: check it with kubectl get pod -n {} {}, then run the command again",
                    forward.pod().namespace,
                    forward.pod().name
                ))
            }
            ureq::Error::ConnectionFailed | ureq::Error::Io(_) => {
                Error::new(Kind::Unreachable, format!("cannot connect to Keycloak at {host}: {detail}"))
                    .hint("check --keycloak-url and that Keycloak is running")
            }
            _ => Error::new(Kind::Unreachable, format!("request to {url} failed: {detail}")),
        }
    }
}

/// The Authorization header and a tighter time limit, when given.
fn prepare<B>(
    request: ureq::RequestBuilder<B>,
    authorization: &Option<String>,
    limit: Option<Duration>,
) -> ureq::RequestBuilder<B> {
    let request = match authorization {
        Some(value) => request.header("Authorization", value),
        None => request,
    };
    match limit {
        Some(limit) => request.config().timeout_global(Some(limit)).build(),
        None => request,
    }
}

/// rustls refused the handshake or the certificate: ureq reports it as its
/// own variant, or as an I/O error wrapping the `rustls::Error`.
fn is_tls_failure(err: &ureq::Error) -> bool {
    let mut next: Option<&(dyn std::error::Error + 'static)> = match err {
        ureq::Error::Rustls(_) | ureq::Error::Tls(_) => return true,
        ureq::Error::Io(io) => Some(io),
        _ => None,
    };
    while let Some(cause) = next {
        if cause.is::<rustls::Error>() {
            return true;
        }
        // An I/O error's `source` skips the error it wraps.
        next = match cause.downcast_ref::<std::io::Error>() {
            Some(io) => io.get_ref().map(|inner| inner as &(dyn std::error::Error + 'static)),
            None => cause.source(),
        };
    }
    false
}

pub fn host_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    rest.split(['/', '?', '#']).next().unwrap_or(rest)
}

pub fn is_json(reply: &Reply) -> bool {
    reply.content_type.contains("json") || reply.body.trim_start().starts_with(['{', '['])
}

pub fn parse_json(reply: &Reply, url: &str) -> Result<Value> {
    serde_json::from_str(&reply.body).map_err(|err| {
        let what =
            if reply.body.trim_start().starts_with('<') { "an HTML page".to_string() } else { format!("malformed JSON ({err})") };
        Error::new(Kind::BadResponse, format!("{url} answered {what} instead of Keycloak JSON (HTTP {})", reply.status))
            .hint("check --keycloak-url: a gateway or proxy may be answering for Keycloak")
    })
}

/// Keycloak's two error shapes: `{"error", "error_description"}` and
/// `{"errorMessage"}`.
pub fn error_text(reply: &Reply) -> String {
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

pub fn unexpected(reply: &Reply, url: &str) -> Error {
    let detail = if is_json(reply) {
        error_text(reply)
    } else if reply.body.trim_start().starts_with('<') {
        "an HTML page".to_string()
    } else {
        format!(
            "{} bytes of {}",
            reply.body.len(),
            if reply.content_type.is_empty() { "untyped data" } else { &reply.content_type }
        )
    };
    let hint = match reply.status {
        300..=399 => "Keycloak redirected; use the final URL as --keycloak-url",
        500..=599 => "Keycloak or its gateway is failing; try again later",
        _ => "check --keycloak-url and --realm",
    };
    Error::new(Kind::BadResponse, format!("unexpected answer from {url}: HTTP {}: {detail}", reply.status)).hint(hint)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(status: u16, content_type: &str, body: &str) -> Reply {
        Reply { status, content_type: content_type.into(), location: None, body: body.into() }
    }

    #[test]
    fn both_keycloak_error_shapes_are_read() {
        let invalid =
            reply(401, "application/json", r#"{"error":"invalid_grant","error_description":"Invalid user credentials"}"#);
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
    fn hosts_are_cut_from_urls() {
        assert_eq!(host_of("https://h:8443/keycloak/x?y"), "h:8443");
        assert_eq!(host_of("https://h"), "h");
    }
}
