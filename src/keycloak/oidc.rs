//! The OpenID Connect endpoints, the one place that asks for tokens: the
//! admin's login (the password grant, the documented `get_master_token`, or
//! client_credentials), a client's own token (client_credentials), and the
//! logout that ends the admin's session.
//!
//! Credentials travel only in POST bodies. Token requests are never
//! retried: brute-force protection counts failures.

use std::time::Duration;

use serde_json::Value;
use ureq::tls::TlsConfig;

use super::encode;
use super::http::{Http, Reply, Request, Route, error_text, is_json, parse_json, unexpected};
use crate::credentials::AdminCredentials;
use crate::error::{Error, Kind, Result};
use crate::secret::Secret;
use crate::trace;

/// Bounds the early connection: the login still has its own timeout.
const CONNECT_LIMIT: Duration = Duration::from_secs(10);
/// Ending the session must never hold the user up for long.
const LOGOUT_LIMIT: Duration = Duration::from_secs(2);

/// A connection to Keycloak, not yet logged in to.
pub struct Connection {
    http: Http,
}

impl Connection {
    pub fn new(base_url: &str, timeout: Option<Duration>, tls: TlsConfig, route: Route) -> Result<Self> {
        Ok(Connection { http: Http::new(base_url, timeout, tls, route)? })
    }

    /// Open the connection the login will reuse, with the smallest request
    /// that needs no credentials (the realm's public description). Whether
    /// Keycloak answered over verified TLS; the error itself is left to the
    /// login, which meets it again and reports it.
    pub fn connect(&self, realm: &str) -> bool {
        let url = format!("{}/realms/{}", self.http.base(), encode(realm));
        self.http.send_within(Request::Get, &url, CONNECT_LIMIT).is_ok()
    }

    /// The admin's one token request of the invocation.
    pub fn log_in(self, credentials: &AdminCredentials, realm: &str) -> Result<Login> {
        let form: Vec<(&str, &str)> = match credentials {
            AdminCredentials::Password { client_id, user, password } => {
                vec![("grant_type", "password"), ("client_id", client_id), ("username", user), ("password", password.expose())]
            }
            AdminCredentials::ClientCredentials { client_id, secret, .. } => {
                vec![("grant_type", "client_credentials"), ("client_id", client_id), ("client_secret", secret.expose())]
            }
        };
        let url = token_url(&self.http, realm);
        match grant(&self.http, &url, &form)? {
            Ok(granted) => {
                // A password login is a user session in Keycloak until it
                // idles out; its refresh token ends it. client_credentials
                // gets no refresh token and leaves no session (21 and 26).
                let session = granted.refresh_token.map(|refresh_token| LoginSession {
                    realm: realm.to_string(),
                    client_id: credentials.client_id().to_string(),
                    refresh_token,
                });
                Ok(Login { http: self.http, token: granted.access_token, session, kept: false })
            }
            Err(reply) => Err(match reply.status {
                400 | 401 if is_json(&reply) => Error::new(
                    Kind::Auth,
                    format!("Keycloak refused to log in {} in realm {realm:?}: {}", credentials.describe(), error_text(&reply)),
                )
                .hint("check the credentials in the admin Secret (and --admin-realm); a locked-out user (brute-force protection) gets the same answer"),
                404 if is_json(&reply) => {
                    Error::new(Kind::RealmNotFound, format!("admin realm {realm:?} not found in Keycloak at {}", self.http.public_base()))
                        .hint("pass the right --admin-realm (the master admin logs in to master)")
                }
                404 => Error::new(Kind::BadResponse, format!("no Keycloak token endpoint at {url} (HTTP 404)"))
                    .hint("check --keycloak-url; CSM serves Keycloak under /keycloak"),
                _ => unexpected(&reply, &url),
            }),
        }
    }
}

/// A logged-in admin: the one access token of the invocation. Its session
/// in Keycloak ends when it is dropped, unless [`Login::keep`] was called.
pub struct Login {
    http: Http,
    token: Secret,
    session: Option<LoginSession>,
    kept: bool,
}

/// What ends the admin's session in Keycloak.
struct LoginSession {
    realm: String,
    client_id: String,
    refresh_token: Secret,
}

/// A client's own access token and what came with it.
#[derive(Debug)]
pub struct ClientToken {
    pub token: Secret,
    pub scope: Option<String>,
    pub expires_in: Option<i64>,
}

impl Login {
    pub(super) fn http(&self) -> &Http {
        &self.http
    }

    /// The access token obtained at login.
    pub fn token(&self) -> &Secret {
        &self.token
    }

    /// Leave the session open: the token is handed to the user.
    pub fn keep(&mut self) {
        self.kept = true;
    }

    /// The client's own access token: the client_credentials grant in its
    /// realm, its secret only in the POST body.
    pub fn client_token(&self, realm: &str, client_id: &str, secret: &Secret) -> Result<ClientToken> {
        let url = token_url(&self.http, realm);
        let form = [("grant_type", "client_credentials"), ("client_id", client_id), ("client_secret", secret.expose())];
        match grant(&self.http, &url, &form)? {
            Ok(granted) => Ok(ClientToken { token: granted.access_token, scope: granted.scope, expires_in: granted.expires_in }),
            Err(reply) if matches!(reply.status, 400 | 401) && is_json(&reply) => Err(Error::new(
                Kind::Auth,
                format!(
                    "Keycloak refused the client_credentials grant of client {client_id:?} in realm {realm:?}: {}",
                    error_text(&reply)
                ),
            )
            .hint("the client may be disabled, or authenticate with something other than its secret (client-jwt, x509)")),
            Err(reply) => Err(unexpected(&reply, &url)),
        }
    }
}

impl Drop for Login {
    /// End the login's session in Keycloak (the token stops working), so
    /// that runs in a loop leave no admin sessions behind. Best effort: a
    /// failure is traced under `-v`, never reported otherwise.
    fn drop(&mut self) {
        let Some(session) = self.session.as_ref().filter(|_| !self.kept) else { return };
        let url = format!("{}/realms/{}/protocol/openid-connect/logout", self.http.base(), encode(&session.realm));
        let form = [("client_id", session.client_id.as_str()), ("refresh_token", session.refresh_token.expose())];
        match self.http.send_within(Request::PostForm(&form), &url, LOGOUT_LIMIT) {
            Ok(reply) if matches!(reply.status, 200 | 204) => {}
            Ok(reply) => trace::note(&format!("the admin session could not be ended: {}", error_text(&reply))),
            Err(err) => trace::note(&format!("the admin session could not be ended: {err}")),
        }
    }
}

/// What a token endpoint granted.
struct Granted {
    access_token: Secret,
    refresh_token: Option<Secret>,
    scope: Option<String>,
    expires_in: Option<i64>,
}

fn token_url(http: &Http, realm: &str) -> String {
    format!("{}/realms/{}/protocol/openid-connect/token", http.base(), encode(realm))
}

/// One token request: what was granted, or the refusal for the caller to
/// explain (only it knows whose credentials they were).
fn grant(http: &Http, url: &str, form: &[(&str, &str)]) -> Result<Result<Granted, Reply>> {
    let reply = http.send(Request::PostForm(form), url, None)?;
    if reply.status != 200 {
        return Ok(Err(reply));
    }
    let json = parse_json(&reply, url)?;
    let secret = |name: &str| json.get(name).and_then(Value::as_str).filter(|v| !v.is_empty()).map(Secret::new);
    let access_token = secret("access_token")
        .ok_or_else(|| Error::new(Kind::BadResponse, format!("the token endpoint {url} answered without an access_token")))?;
    Ok(Ok(Granted {
        access_token,
        refresh_token: secret("refresh_token"),
        scope: json.get("scope").and_then(Value::as_str).map(str::to_string),
        expires_in: json.get("expires_in").and_then(Value::as_i64),
    }))
}
