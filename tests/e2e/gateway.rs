//! Faults of a gateway in front of Keycloak: 502/503 answers, HTML error
//! pages, malformed JSON, a body far larger than any real answer. A real
//! Keycloak cannot be made to answer these on cue, so a fake gateway on
//! 127.0.0.1 serves them (with the sandbox's own certificate, so TLS is still
//! verified) and forwards everything else to the real Keycloak. Every test
//! here names the fake in its name.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

use crate::common::Run;
use crate::sandbox::sandbox;

pub struct Request {
    pub method: String,
    pub path: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

pub enum Answer {
    Forward,
    Status(u16, &'static str, String),
    /// Claims 2 GiB and streams zeros until the client hangs up.
    Endless,
}

type Rule = dyn Fn(&Request, usize) -> Answer + Send + Sync;

pub struct FakeGateway {
    pub url: String,
    pub log: Arc<Mutex<Vec<String>>>,
}

impl FakeGateway {
    /// `rule(request, n)` decides each answer; `n` counts earlier requests
    /// with the same method and path.
    pub fn start(rule: impl Fn(&Request, usize) -> Answer + Send + Sync + 'static) -> Self {
        let dir = std::env::var("SANDBOX_DIR").expect("SANDBOX_DIR");
        let certs: Vec<CertificateDer> =
            CertificateDer::pem_file_iter(format!("{dir}/pki/keycloak.crt")).unwrap().map(Result::unwrap).collect();
        let key = PrivateKeyDer::from_pem_file(format!("{dir}/pki/keycloak.key")).unwrap();
        let config = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .unwrap();
        let config = Arc::new(config);
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("https://{}/keycloak", listener.local_addr().unwrap());
        let log = Arc::new(Mutex::new(Vec::new()));
        let rule: Arc<Rule> = Arc::new(rule);
        let shared_log = log.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().take(64).flatten() {
                let (config, rule, log) = (config.clone(), rule.clone(), shared_log.clone());
                std::thread::spawn(move || serve(stream, config, &*rule, &log));
            }
        });
        FakeGateway { url, log }
    }

    pub fn requests(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }
}

fn serve(stream: TcpStream, config: Arc<rustls::ServerConfig>, rule: &Rule, log: &Mutex<Vec<String>>) {
    stream.set_read_timeout(Some(Duration::from_secs(20))).ok();
    let connection = rustls::ServerConnection::new(config).unwrap();
    let mut tls = rustls::StreamOwned::new(connection, stream);
    let Some(request) = read_request(&mut tls) else {
        return;
    };
    let line = format!("{} {}", request.method, request.path);
    let seen = {
        let mut log = log.lock().unwrap();
        let seen = log.iter().filter(|l| **l == line).count();
        log.push(line);
        seen
    };
    let _ = match rule(&request, seen) {
        Answer::Forward => {
            let (status, content_type, body) = forward(&request);
            respond(&mut tls, status, &content_type, body.as_bytes())
        }
        Answer::Status(status, content_type, body) => respond(&mut tls, status, content_type, body.as_bytes()),
        Answer::Endless => endless(&mut tls),
    };
}

fn read_request(stream: &mut impl Read) -> Option<Request> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let (method, path) = (parts.next()?.to_string(), parts.next()?.to_string());
    let mut headers = Vec::new();
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).ok()?;
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        let (name, value) = header.split_once(':')?;
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
    }
    let length = headers.iter().find(|(n, _)| n == "content-length").map_or(0, |(_, v)| v.parse().unwrap_or(0));
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(Request { method, path, headers, body })
}

fn forward(request: &Request) -> (u16, String, String) {
    let origin = sandbox().keycloak_url.trim_end_matches("/keycloak").to_string();
    let url = format!("{origin}{}", request.path);
    let header = |name: &str| request.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone());
    let agent = sandbox().agent();
    let result = match request.method.as_str() {
        "POST" => agent.post(&url).header("Content-Type", header("content-type").unwrap_or_default()).send(&request.body[..]),
        _ => agent.get(&url).header("Authorization", header("authorization").unwrap_or_default()).call(),
    };
    let mut response = result.expect("forward to the real Keycloak");
    let content_type = response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    (response.status().as_u16(), content_type, response.body_mut().read_to_string().unwrap_or_default())
}

fn respond(stream: &mut impl Write, status: u16, content_type: &str, body: &[u8]) -> std::io::Result<()> {
    write!(
        stream,
        "HTTP/1.1 {status} Fake\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )?;
    stream.write_all(body)?;
    stream.flush()
}

fn endless(stream: &mut impl Write) -> std::io::Result<()> {
    write!(
        stream,
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2147483648\r\nConnection: close\r\n\r\n"
    )?;
    let chunk = [b' '; 65536];
    for _ in 0..(2147483648usize / chunk.len()) {
        stream.write_all(&chunk)?;
    }
    stream.flush()
}

fn is_get(request: &Request) -> bool {
    request.method == "GET"
}

impl FakeGateway {
    fn token_url(&self) -> String {
        format!("{}/realms/master/protocol/openid-connect/token", self.url)
    }

    fn lookup_url(&self, client_id: &str) -> String {
        format!("{}/admin/realms/shasta/clients?clientId={client_id}", self.url)
    }
}

#[test]
fn fake_gateway_503_on_gets_is_retried_and_succeeds() {
    let gateway = FakeGateway::start(|r, n| {
        if is_get(r) && n == 0 { Answer::Status(503, "text/html", "<h1>busy</h1>".into()) } else { Answer::Forward }
    });
    let expected = format!("export CLIENT_SECRET='{}'\n", sandbox().secret_of("shasta", "my-test-client"));
    Run::kubectl(&["client-secret", "my-test-client", "--keycloak-url", &gateway.url]).run().success().stdout_is(&expected);
    let log = gateway.requests();
    let count = |prefix: &str| log.iter().filter(|l| l.starts_with(prefix)).count();
    assert_eq!(count("POST /keycloak/realms/master/protocol/openid-connect/token"), 1, "{log:?}");
    assert_eq!(count("GET /keycloak/admin/"), 4, "each admin GET once refused, once answered: {log:?}");
    // The early connection's request is never retried; the logout comes last.
    assert_eq!(count(EARLY_CONNECT), 1, "{log:?}");
    assert_eq!(log.last().map(String::as_str), Some("POST /keycloak/realms/master/protocol/openid-connect/logout"));
}

/// The request that opens Keycloak's connection while the admin Secret is read.
const EARLY_CONNECT: &str = "GET /keycloak/realms/master";

#[test]
fn fake_gateway_502_forever_gives_up_after_bounded_retries() {
    let gateway = FakeGateway::start(|r, _| {
        if is_get(r) { Answer::Status(502, "text/html", "<h1>Bad Gateway</h1>".into()) } else { Answer::Forward }
    });
    Run::kubectl(&["client-secret", "my-test-client", "--keycloak-url", &gateway.url])
        .run()
        .fails_with(
            13,
            &format!(
                "kubectl-keycloak: error: unexpected answer from {}: HTTP 502: an HTML page; \
                 Keycloak or its gateway is failing; try again later",
                gateway.lookup_url("my-test-client")
            ),
        )
        .within(Duration::from_secs(10));
    assert_eq!(
        gateway.requests().iter().filter(|l| l.starts_with("GET /keycloak/admin/")).count(),
        3,
        "{:?}",
        gateway.requests()
    );
}

#[test]
fn fake_gateway_503_on_the_token_request_is_not_retried() {
    let gateway =
        FakeGateway::start(
            |r, _| {
                if is_get(r) { Answer::Forward } else { Answer::Status(503, "text/plain", "unavailable".into()) }
            },
        );
    Run::kubectl(&["client-secret", "my-test-client", "--keycloak-url", &gateway.url]).run().fails_with(
        13,
        &format!(
            "kubectl-keycloak: error: unexpected answer from {}: HTTP 503: 11 bytes of text/plain; \
             Keycloak or its gateway is failing; try again later",
            gateway.token_url()
        ),
    );
    // No retry, and no logout: there was no login.
    assert_eq!(gateway.requests(), [EARLY_CONNECT, "POST /keycloak/realms/master/protocol/openid-connect/token"]);
}

#[test]
fn fake_gateway_html_page_with_status_200() {
    let gateway = FakeGateway::start(|_, _| Answer::Status(200, "text/html", "<!doctype html><title>Sign in</title>".into()));
    Run::kubectl(&["client-secret", "my-test-client", "--keycloak-url", &gateway.url]).run().fails_with(
        13,
        &format!(
            "kubectl-keycloak: error: {} answered an HTML page instead of Keycloak JSON (HTTP 200); \
             check --keycloak-url: a gateway or proxy may be answering for Keycloak",
            gateway.token_url()
        ),
    );
}

#[test]
fn fake_gateway_malformed_json() {
    let gateway = FakeGateway::start(|r, _| {
        if is_get(r) { Answer::Status(200, "application/json", "[{\"id\": ".into()) } else { Answer::Forward }
    });
    // serde_json words the parse error; where the JSON breaks is the cause.
    Run::kubectl(&["client-secret", "my-test-client", "--keycloak-url", &gateway.url]).run().fails_with_cause(
        13,
        &format!("kubectl-keycloak: error: {} answered malformed JSON (", gateway.lookup_url("my-test-client")),
        "line 1 column 8",
        ") instead of Keycloak JSON (HTTP 200); check --keycloak-url: a gateway or proxy may be answering for Keycloak",
    );
}

#[test]
fn fake_gateway_two_gigabyte_body_is_capped() {
    let gateway = FakeGateway::start(|_, _| Answer::Endless);
    Run::kubectl(&["client-secret", "my-test-client", "--keycloak-url", &gateway.url])
        .run()
        .fails_with(
            13,
            &format!(
                "kubectl-keycloak: error: the answer from {} is larger than 4194304 bytes, far more than Keycloak sends; \
                 check --keycloak-url; something other than Keycloak may be answering",
                gateway.token_url()
            ),
        )
        .within(Duration::from_secs(10));
}
