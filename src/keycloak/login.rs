//! The token request: one per invocation, turning a [`Keycloak`] into a
//! logged-in [`Admin`].

use std::time::Duration;

use serde_json::Value;
use ureq::tls::TlsConfig;

use super::api::Admin;
use super::encode;
use super::http::{Http, Request, error_text, is_json, parse_json, unexpected};
use crate::admin::AdminCredentials;
use crate::cluster::ServiceProxy;
use crate::error::{Error, Kind, Result};
use crate::secret::Secret;

/// Bounds the early connection: the login still has its own timeout.
const CONNECT_LIMIT: Duration = Duration::from_secs(10);

/// A Keycloak not yet logged in to.
pub struct Keycloak {
    http: Http,
}

impl Keycloak {
    pub fn new(base_url: &str, timeout: Option<Duration>, tls: TlsConfig) -> Result<Self> {
        Ok(Keycloak { http: Http::new(base_url, timeout, tls)? })
    }

    /// Open the connection the login will reuse, with the smallest request
    /// that needs no credentials (the realm's public description). Whether
    /// Keycloak answered over verified TLS; the error itself is left to the
    /// login, which meets it again and reports it.
    pub fn connect(&self, realm: &str) -> bool {
        let url = format!("{}/realms/{}", self.http.base(), encode(realm));
        self.http.send_within(Request::Get, &url, CONNECT_LIMIT).is_ok()
    }

    /// Keycloak behind a Service, through the API server's service proxy.
    pub fn through(proxy: ServiceProxy, relative_path: &str, timeout: Option<Duration>) -> Self {
        Keycloak { http: Http::through(proxy, relative_path, timeout) }
    }

    /// The password grant (the documented `get_master_token`) or
    /// client_credentials; credentials only in the POST body. Never retried:
    /// brute-force protection counts failures.
    pub fn login(self, credentials: &AdminCredentials, realm: &str) -> Result<Admin> {
        let form: Vec<(&str, &str)> = match credentials {
            AdminCredentials::Password { client_id, user, password } => {
                vec![("grant_type", "password"), ("client_id", client_id), ("username", user), ("password", password.expose())]
            }
            AdminCredentials::ClientCredentials { client_id, secret } => {
                vec![("grant_type", "client_credentials"), ("client_id", client_id), ("client_secret", secret.expose())]
            }
        };
        let url = format!("{}/realms/{}/protocol/openid-connect/token", self.http.base(), encode(realm));
        let reply = self.http.send(Request::PostForm(&form), &url, None)?;
        match reply.status {
            200 => {
                let json = parse_json(&reply, &url)?;
                let token = secret_field(&json, "access_token").ok_or_else(|| {
                    Error::new(Kind::BadResponse, format!("the token endpoint {url} answered without an access_token"))
                })?;
                // A password login is a user session in Keycloak until it
                // idles out; its refresh token ends it. client_credentials
                // gets no refresh token and leaves no session (21 and 26).
                let session = secret_field(&json, "refresh_token").map(|refresh_token| LoginSession {
                    realm: realm.to_string(),
                    client_id: credentials.client_id().to_string(),
                    refresh_token,
                });
                Ok(Admin::new(self.http, token, session))
            }
            400 | 401 if is_json(&reply) => Err(Error::new(
                Kind::Auth,
                format!("Keycloak refused to log in {} in realm {realm:?}: {}", credentials.describe(), error_text(&reply)),
            )
            .hint("check the credentials in the admin Secret (and --admin-realm); a locked-out user (brute-force protection) gets the same answer")),
            404 if is_json(&reply) => {
                Err(Error::new(Kind::RealmNotFound, format!("admin realm {realm:?} not found in Keycloak at {}", self.http.base()))
                    .hint("pass the right --admin-realm (the master admin logs in to master)"))
            }
            404 => Err(Error::new(Kind::BadResponse, format!("no Keycloak token endpoint at {url} (HTTP 404)"))
                .hint("check --keycloak-url; CSM serves Keycloak under /keycloak")),
            _ => Err(unexpected(&reply, &url)),
        }
    }
}

fn secret_field(json: &Value, name: &str) -> Option<Secret> {
    json.get(name).and_then(Value::as_str).filter(|v| !v.is_empty()).map(Secret::new)
}

/// What ends the admin's session in Keycloak.
pub struct LoginSession {
    pub realm: String,
    pub client_id: String,
    pub refresh_token: Secret,
}
