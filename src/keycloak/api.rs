//! The admin REST API, called by a logged-in admin: an [`AdminApi`] holds
//! the invocation's one [`Login`] and cannot exist without it.

use std::collections::HashSet;

use serde_json::Value;

use super::client::ClientInfo;
use super::encode;
use super::http::{Reply, Request, error_text, is_json, parse_json, unexpected};
use super::oidc::Login;
use crate::error::{Error, Kind, Result};
use crate::secret::Secret;

/// The realm holding the admin user.
const ADMIN_REALM: &str = "master";
/// The management roles a 403 names: reading a realm's clients, changing them.
const VIEW: &str = "view-clients";
const MANAGE: &str = "manage-clients";

pub struct AdminApi {
    login: Login,
}

impl AdminApi {
    pub fn new(login: Login) -> Self {
        AdminApi { login }
    }

    pub fn login(&self) -> &Login {
        &self.login
    }

    pub fn login_mut(&mut self) -> &mut Login {
        &mut self.login
    }

    /// Keycloak's base URL, without a trailing `/`.
    pub fn base_url(&self) -> &str {
        self.login.http().public_base()
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

    /// The client's secret, or a "has no secret" error naming why.
    pub fn client_secret(&self, realm: &str, client: &ClientInfo) -> Result<Secret> {
        client.require_confidential(realm)?;
        let json = self.get_json(&self.secret_url(realm, client), realm)?;
        match json.get("value").and_then(Value::as_str).filter(|secret| !secret.is_empty()) {
            Some(secret) => Ok(Secret::new(secret)),
            None => Err(client.no_secret(realm)),
        }
    }

    /// Generate a new secret (`POST …/client-secret`); the old one stops
    /// working at once unless a rotation policy keeps it.
    pub fn regenerate_secret(&self, realm: &str, client: &ClientInfo) -> Result<Secret> {
        client.require_confidential(realm)?;
        let url = self.secret_url(realm, client);
        let reply = self.authorized(Request::PostEmpty, &url)?;
        match reply.status {
            200 => match parse_json(&reply, &url)?.get("value").and_then(Value::as_str) {
                Some(secret) => Ok(Secret::new(secret)),
                None => Err(Error::new(Kind::BadResponse, format!("{url} answered without the new secret"))),
            },
            _ => Err(self.admin_error_needing(&reply, &url, realm, MANAGE)),
        }
    }

    /// The rotated (previous) secret kept by a secret-rotation client policy.
    pub fn rotated_secret(&self, realm: &str, client: &ClientInfo) -> Result<Secret> {
        let url = format!("{}/rotated", self.secret_url(realm, client));
        let reply = self.authorized(Request::Get, &url)?;
        match reply.status {
            200 => parse_json(&reply, &url)?
                .get("value")
                .and_then(Value::as_str)
                .map(Secret::new)
                .ok_or_else(|| self.no_rotated_secret(realm, client)),
            404 => Err(self.no_rotated_secret(realm, client)),
            _ => Err(self.admin_error_needing(&reply, &url, realm, VIEW)),
        }
    }

    /// Make the rotated secret stop working now.
    pub fn invalidate_rotated_secret(&self, realm: &str, client: &ClientInfo) -> Result<()> {
        self.require_rotation()?;
        let url = format!("{}/rotated", self.secret_url(realm, client));
        let reply = self.authorized(Request::Delete, &url)?;
        match reply.status {
            200 | 204 => Ok(()),
            _ => Err(self.admin_error_needing(&reply, &url, realm, MANAGE)),
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

    /// Secret rotation is a preview feature, off by default (Keycloak 21 and
    /// 26), and absent before Keycloak 18: a server that lists it nowhere
    /// (16.1.1) does not have it, rather than having it on.
    fn require_rotation(&self) -> Result<()> {
        const FEATURE: &str = "CLIENT_SECRET_ROTATION";
        let url = format!("{}/admin/serverinfo", self.login.http().base());
        let info = self.get_json(&url, ADMIN_REALM)?;
        let profile = &info["profileInfo"];
        let listed = |key: &str| profile[key].as_array().is_some_and(|features| features.iter().any(|f| f == FEATURE));
        let version = info["systemInfo"]["version"].as_str().unwrap_or("this version");
        if !["disabledFeatures", "previewFeatures", "experimentalFeatures"].into_iter().any(listed) {
            return Err(Error::new(
                Kind::Unsupported,
                format!("Keycloak {version} at {} has no secret rotation", self.base_url()),
            )
            .hint("client secret rotation came with Keycloak 18"));
        }
        if listed("disabledFeatures") {
            return Err(Error::new(
                Kind::Unsupported,
                format!("Keycloak {version} at {} has secret rotation turned off", self.base_url()),
            )
            .hint("it is the preview feature client-secret-rotation (kc.sh build --features=client-secret-rotation)"));
        }
        Ok(())
    }

    /// Create a client; its id is the last segment of the `Location` header.
    pub fn create_client(&self, realm: &str, representation: &Value) -> Result<String> {
        let url = format!("{}/clients", self.realm_url(realm));
        let reply = self.authorized(Request::PostJson(representation), &url)?;
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
            _ => Err(self.admin_error_needing(&reply, &url, realm, MANAGE)),
        }
    }

    /// Delete a client (and its service-account user with it).
    pub fn delete_client(&self, realm: &str, client: &ClientInfo) -> Result<()> {
        let url = format!("{}/clients/{}", self.realm_url(realm), encode(&client.id));
        let reply = self.authorized(Request::Delete, &url)?;
        match reply.status {
            200 | 204 => Ok(()),
            _ => Err(self.admin_error_needing(&reply, &url, realm, MANAGE)),
        }
    }

    /// The id of the client's service-account user.
    pub fn service_account_user(&self, realm: &str, client: &ClientInfo) -> Result<String> {
        let url = format!("{}/clients/{}/service-account-user", self.realm_url(realm), encode(&client.id));
        let json = self.get_json(&url, realm)?;
        json.get("id")
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| Error::new(Kind::BadResponse, format!("{url} did not answer with a user")))
    }

    /// The representations of these roles of `client`, as role mappings take them.
    pub fn client_roles(&self, realm: &str, client: &ClientInfo, names: &[&str]) -> Result<Vec<Value>> {
        names
            .iter()
            .map(|name| {
                let url = format!("{}/clients/{}/roles/{}", self.realm_url(realm), encode(&client.id), encode(name));
                self.get_json(&url, realm)
            })
            .collect()
    }

    /// Give the user these roles of `client`.
    pub fn grant_client_roles(&self, realm: &str, user: &str, client: &ClientInfo, roles: Vec<Value>) -> Result<()> {
        let url = format!("{}/users/{}/role-mappings/clients/{}", self.realm_url(realm), encode(user), encode(&client.id));
        let reply = self.authorized(Request::PostJson(&Value::Array(roles)), &url)?;
        match reply.status {
            200 | 204 => Ok(()),
            _ => Err(self.admin_error_needing(&reply, &url, realm, MANAGE)),
        }
    }

    /// The user's client roles: clientId → role names.
    pub fn client_role_mappings(&self, realm: &str, user: &str) -> Result<Vec<(String, Vec<String>)>> {
        let url = format!("{}/users/{}/role-mappings", self.realm_url(realm), encode(user));
        let json = self.get_json(&url, realm)?;
        let Some(mappings) = json.get("clientMappings").and_then(Value::as_object) else { return Ok(Vec::new()) };
        Ok(mappings
            .iter()
            .map(|(client_id, mapping)| {
                let mut names: Vec<String> = mapping["mappings"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|role| role["name"].as_str().map(str::to_string))
                    .collect();
                names.sort();
                (client_id.clone(), names)
            })
            .collect())
    }

    /// The client with this id (as returned by [`Keycloak::create_client`]).
    pub fn client_by_id(&self, realm: &str, id: &str) -> Result<ClientInfo> {
        let url = format!("{}/clients/{}", self.realm_url(realm), encode(id));
        let json = self.get_json(&url, realm)?;
        ClientInfo::from_json(&json).ok_or_else(|| Error::new(Kind::BadResponse, format!("{url} did not answer with a client")))
    }

    /// Every client, optionally only those whose clientId holds `search`
    /// (case-insensitive), fetched `page_size` at a time as the iterator is
    /// read: the one listing of the admin API.
    pub fn clients<'a>(&'a self, realm: &'a str, search: Option<&'a str>, page_size: u32) -> Clients<'a> {
        Clients { api: self, realm, search, page_size, first: 0, page: Vec::new().into_iter(), seen: HashSet::new(), done: false }
    }

    /// One page of clients, optionally filtered by a case-insensitive
    /// substring of the clientId.
    fn list_clients(&self, realm: &str, search: Option<&str>, first: u32, max: u32) -> Result<Vec<ClientInfo>> {
        let filter = search.map(|text| format!("clientId={}&search=true&", encode(text))).unwrap_or_default();
        let url = format!("{}/clients?{filter}first={first}&max={max}", self.realm_url(realm));
        let json = self.get_json(&url, realm)?;
        let clients = json.as_array().ok_or_else(|| not_a_list(&url))?;
        Ok(clients.iter().filter_map(ClientInfo::from_json).collect())
    }

    fn realm_url(&self, realm: &str) -> String {
        format!("{}/admin/realms/{}", self.login.http().base(), encode(realm))
    }

    fn secret_url(&self, realm: &str, client: &ClientInfo) -> String {
        format!("{}/clients/{}/client-secret", self.realm_url(realm), encode(&client.id))
    }

    fn get_json(&self, url: &str, realm: &str) -> Result<Value> {
        let reply = self.authorized(Request::Get, url)?;
        match reply.status {
            200 => parse_json(&reply, url),
            _ => Err(self.admin_error_needing(&reply, url, realm, VIEW)),
        }
    }

    fn authorized(&self, request: Request<'_>, url: &str) -> Result<Reply> {
        self.login.http().send(request, url, Some(self.login.token()))
    }

    /// What a failed admin call means, for the statuses every call shares;
    /// a 403 names `role`, the management role the call needs.
    fn admin_error_needing(&self, reply: &Reply, url: &str, realm: &str, role: &str) -> Error {
        match reply.status {
            401 => Error::new(Kind::Auth, format!("Keycloak rejected the admin token at {url} (HTTP 401)"))
                .hint("the token may have expired; run the command again"),
            403 => {
                let manage = if role == MANAGE { " --manage" } else { "" };
                Error::new(Kind::Auth, format!("the admin lacks role {role} in realm {realm:?} (HTTP 403)")).hint(format!(
                    "for the plugin's own account: kubectl keycloak admin-account delete, then admin-account create --for-realm {realm}{manage} (with its other realms); other admins need that role of the realm's management client"
                ))
            }
            // Only Keycloak's own "Realm not found." (every version): a
            // 404 for a path the server lacks (16.1.1's RESTEASY003210
            // "Could not find resource for full path: …/realms/…") is not.
            404 if is_json(reply) && error_text(reply).to_lowercase().contains("realm not found") => {
                Error::new(Kind::RealmNotFound, format!("realm {realm:?} not found in Keycloak at {}", self.base_url()))
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

/// The clients of a realm, page by page; see [`AdminApi::clients`].
pub struct Clients<'a> {
    api: &'a AdminApi,
    realm: &'a str,
    search: Option<&'a str>,
    page_size: u32,
    first: u32,
    page: std::vec::IntoIter<ClientInfo>,
    /// A client created or deleted meanwhile shifts the pages: none is
    /// yielded twice.
    seen: HashSet<String>,
    done: bool,
}

impl Iterator for Clients<'_> {
    type Item = Result<ClientInfo>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(client) = self.page.next() {
                if self.seen.insert(client.id.clone()) {
                    return Some(Ok(client));
                }
                continue;
            }
            if self.done {
                return None;
            }
            match self.api.list_clients(self.realm, self.search, self.first, self.page_size) {
                Ok(page) => {
                    self.done = page.len() < self.page_size as usize;
                    self.first += self.page_size;
                    self.page = page.into_iter();
                }
                Err(err) => {
                    self.done = true;
                    return Some(Err(err));
                }
            }
        }
    }
}
