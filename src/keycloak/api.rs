//! The admin REST calls, made by a logged-in [`Admin`]: it holds the one
//! access token of the invocation and cannot exist without it.

use serde_json::Value;

use std::time::Duration;

use super::client::ClientInfo;
use super::encode;
use super::http::{Http, Reply, Request, error_text, is_json, parse_json, unexpected};
use super::login::LoginSession;
use crate::error::{Error, Kind, Result};
use crate::secret::Secret;
use crate::trace;

/// The realm holding the admin user.
const ADMIN_REALM: &str = "master";

/// A client's own access token and what came with it.
#[derive(Debug)]
pub struct ClientToken {
    pub token: Secret,
    pub scope: Option<String>,
    pub expires_in: Option<i64>,
}

pub struct Admin {
    http: Http,
    token: Secret,
    session: Option<LoginSession>,
}

/// Ending the session must never hold the user up for long.
const LOGOUT_LIMIT: Duration = Duration::from_secs(2);

impl Admin {
    pub(super) fn new(http: Http, token: Secret, session: Option<LoginSession>) -> Self {
        Admin { http, token, session }
    }

    /// End the login's session in Keycloak (the token stops working), so
    /// that runs in a loop leave no admin sessions behind. Best effort: a
    /// failure is traced under `-v`, never reported otherwise.
    pub fn log_out(self) {
        let Some(session) = self.session else { return };
        let url = format!("{}/realms/{}/protocol/openid-connect/logout", self.http.base(), encode(&session.realm));
        let form = [("client_id", session.client_id.as_str()), ("refresh_token", session.refresh_token.expose())];
        match self.http.send_within(Request::PostForm(&form), &url, LOGOUT_LIMIT) {
            Ok(reply) if matches!(reply.status, 200 | 204) => {}
            Ok(reply) => trace::note(&format!("the admin session could not be ended: {}", error_text(&reply))),
            Err(err) => trace::note(&format!("the admin session could not be ended: {err}")),
        }
    }

    /// Keycloak's base URL, without a trailing `/`.
    pub fn base_url(&self) -> &str {
        self.http.base()
    }

    /// The access token obtained at login.
    pub fn token(&self) -> &Secret {
        &self.token
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
    pub fn client_secret(&self, realm: &str, client: &ClientInfo) -> Result<Secret> {
        Self::require_confidential(realm, client)?;
        let json = self.get_json(&self.secret_url(realm, client), realm)?;
        match json.get("value").and_then(Value::as_str) {
            Some(secret) => Ok(Secret::new(secret)),
            None => Err(no_secret(realm, client)),
        }
    }

    /// Generate a new secret (`POST …/client-secret`); the old one stops
    /// working at once unless a rotation policy keeps it.
    pub fn regenerate_secret(&self, realm: &str, client: &ClientInfo) -> Result<Secret> {
        Self::require_confidential(realm, client)?;
        let url = self.secret_url(realm, client);
        let reply = self.admin(Request::PostEmpty, &url)?;
        match reply.status {
            200 => match parse_json(&reply, &url)?.get("value").and_then(Value::as_str) {
                Some(secret) => Ok(Secret::new(secret)),
                None => Err(Error::new(Kind::BadResponse, format!("{url} answered without the new secret"))),
            },
            _ => Err(self.admin_error(&reply, &url, realm)),
        }
    }

    /// The rotated (previous) secret kept by a secret-rotation client policy.
    pub fn rotated_secret(&self, realm: &str, client: &ClientInfo) -> Result<Secret> {
        let url = format!("{}/rotated", self.secret_url(realm, client));
        let reply = self.admin(Request::Get, &url)?;
        match reply.status {
            200 => parse_json(&reply, &url)?
                .get("value")
                .and_then(Value::as_str)
                .map(Secret::new)
                .ok_or_else(|| self.no_rotated_secret(realm, client)),
            404 => Err(self.no_rotated_secret(realm, client)),
            _ => Err(self.admin_error(&reply, &url, realm)),
        }
    }

    /// Make the rotated secret stop working now.
    pub fn invalidate_rotated_secret(&self, realm: &str, client: &ClientInfo) -> Result<()> {
        self.require_rotation()?;
        let url = format!("{}/rotated", self.secret_url(realm, client));
        let reply = self.admin(Request::Delete, &url)?;
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
        let url = format!("{}/admin/serverinfo", self.http.base());
        let info = self.get_json(&url, ADMIN_REALM)?;
        let disabled = info["profileInfo"]["disabledFeatures"]
            .as_array()
            .is_some_and(|features| features.iter().any(|f| f == "CLIENT_SECRET_ROTATION"));
        if disabled {
            let version = info["systemInfo"]["version"].as_str().unwrap_or("this version");
            return Err(Error::new(
                Kind::Unsupported,
                format!("Keycloak {version} at {} has secret rotation turned off", self.http.base()),
            )
            .hint("it is the preview feature client-secret-rotation (kc.sh build --features=client-secret-rotation)"));
        }
        Ok(())
    }

    /// The client's own access token: the client_credentials grant in its
    /// realm, its secret only in the POST body. Never retried, like every
    /// token request.
    pub fn client_token(&self, realm: &str, client: &ClientInfo, secret: &Secret) -> Result<ClientToken> {
        let url = format!("{}/realms/{}/protocol/openid-connect/token", self.http.base(), encode(realm));
        let form =
            [("grant_type", "client_credentials"), ("client_id", client.client_id.as_str()), ("client_secret", secret.expose())];
        let reply = self.http.send(Request::PostForm(&form), &url, None)?;
        match reply.status {
            200 => {
                let json = parse_json(&reply, &url)?;
                let token = json.get("access_token").and_then(Value::as_str).map(Secret::new).ok_or_else(|| {
                    Error::new(Kind::BadResponse, format!("the token endpoint {url} answered without an access_token"))
                })?;
                Ok(ClientToken {
                    token,
                    scope: json.get("scope").and_then(Value::as_str).map(str::to_string),
                    expires_in: json.get("expires_in").and_then(Value::as_i64),
                })
            }
            400 | 401 if is_json(&reply) => Err(Error::new(
                Kind::Auth,
                format!(
                    "Keycloak refused the client_credentials grant of client {:?} in realm {realm:?}: {}",
                    client.client_id,
                    error_text(&reply)
                ),
            )
            .hint("the client may be disabled, or authenticate with something other than its secret (client-jwt, x509)")),
            _ => Err(unexpected(&reply, &url)),
        }
    }

    /// Create a client; its id is the last segment of the `Location` header.
    pub fn create_client(&self, realm: &str, representation: &Value) -> Result<String> {
        let url = format!("{}/clients", self.realm_url(realm));
        let reply = self.admin(Request::PostJson(representation), &url)?;
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
        format!("{}/admin/realms/{}", self.http.base(), encode(realm))
    }

    fn secret_url(&self, realm: &str, client: &ClientInfo) -> String {
        format!("{}/clients/{}/client-secret", self.realm_url(realm), encode(&client.id))
    }

    fn get_json(&self, url: &str, realm: &str) -> Result<Value> {
        let reply = self.admin(Request::Get, url)?;
        match reply.status {
            200 => parse_json(&reply, url),
            _ => Err(self.admin_error(&reply, url, realm)),
        }
    }

    fn admin(&self, request: Request<'_>, url: &str) -> Result<Reply> {
        self.http.send(request, url, Some(&self.token))
    }

    /// What a failed admin call means, for the statuses every call shares.
    fn admin_error(&self, reply: &Reply, url: &str, realm: &str) -> Error {
        match reply.status {
            401 => Error::new(Kind::Auth, format!("Keycloak rejected the admin token at {url} (HTTP 401)"))
                .hint("the token may have expired; run the command again"),
            403 => {
                Error::new(Kind::Auth, format!("the admin may not do this in realm {realm:?}: {} (HTTP 403)", error_text(reply)))
                    .hint("it needs the realm's realm-management roles (master admins have them)")
            }
            404 if is_json(reply) && error_text(reply).to_lowercase().contains("realm") => {
                Error::new(Kind::RealmNotFound, format!("realm {realm:?} not found in Keycloak at {}", self.http.base()))
                    .hint("pass the right --realm (CSM uses shasta)")
            }
            _ => unexpected(reply, url),
        }
    }
}

fn not_a_list(url: &str) -> Error {
    Error::new(Kind::BadResponse, format!("{url} did not answer with a list of clients"))
        .hint("check --keycloak-url: a gateway or proxy may be answering for Keycloak")
}

fn no_secret(realm: &str, client: &ClientInfo) -> Error {
    Error::new(
        Kind::NoSecret,
        format!("client {:?} in realm {realm:?} has no secret: it is a {} client", client.client_id, client.kind()),
    )
    .hint("only confidential clients have secrets")
}
