//! `client-token`: a client's own access token, from the client_credentials
//! grant in its realm with the secret read through the admin API, with its
//! expiry like `token`.

use serde_json::{Map, Value, json};

use super::client_secret::find;
use super::token::expiry;
use crate::cli::ClientTokenArgs;
use crate::error::{Error, Kind, Result};
use crate::keycloak::ClientInfo;
use crate::output::{self, Printed};
use crate::session::Session;

pub fn check(args: &ClientTokenArgs) -> Result<()> {
    output::refuse_manifest(&args.output, "a token")?;
    output::validate_variable(&args.var)
}

pub fn run(session: &Session, args: &ClientTokenArgs) -> Result<String> {
    let (keycloak, realm) = (session.api(), session.realm());
    let client = find(session, &args.client)?;
    client.require_confidential(realm)?;
    require_service_account(realm, &client)?;
    let secret = keycloak.client_secret(realm, &client)?;
    let granted = keycloak.login().client_token(realm, &client.client_id, &secret)?;
    let expires = expiry(granted.token.expose()).or_else(|| {
        let seconds = granted.expires_in?;
        jiff::Timestamp::now().checked_add(jiff::SignedDuration::from_secs(seconds)).ok()
    });
    let mut fields = Map::new();
    fields.insert("expiresAt".into(), expires.map_or(Value::Null, |at| json!(at.to_string())));
    fields.insert("scope".into(), granted.scope.map_or(Value::Null, Value::from));
    let printed =
        Printed::token(args.var.clone(), granted.token, fields, format!("the access token of client {:?}", args.client));
    super::token::print(&args.output, printed, expires)
}

/// Only a client whose service account is on may use client_credentials;
/// Keycloak would answer `unauthorized_client`.
fn require_service_account(realm: &str, client: &ClientInfo) -> Result<()> {
    if client.service_accounts_enabled {
        return Ok(());
    }
    Err(Error::new(
        Kind::NoServiceAccount,
        format!("client {:?} in realm {realm:?} has no service account, so it cannot get a token of its own", client.client_id),
    )
    .hint("turn on its service account (\"Service accounts roles\", serviceAccountsEnabled) in Keycloak"))
}
