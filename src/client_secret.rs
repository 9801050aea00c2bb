//! `client-secret`: look each client up by exact clientId and read its secret.

use crate::cli::ClientSecretArgs;
use crate::error::{Error, Kind, Result};
use crate::keycloak::Keycloak;
use crate::render::{self, Entry};
use crate::session::Session;

/// How many similar clientIds a "not found" error suggests.
const SUGGESTIONS: usize = 5;

pub fn run(session: &Session, args: &ClientSecretArgs) -> Result<String> {
    let variables = render::variable_names(&args.clients, &args.vars)?;
    let realm = &session.realm;
    let mut entries = Vec::with_capacity(args.clients.len());
    for (client_id, variable) in args.clients.iter().zip(variables) {
        let client = session
            .keycloak
            .find_client(realm, client_id)?
            .ok_or_else(|| client_not_found(&session.keycloak, realm, client_id))?;
        let secret = session.keycloak.client_secret(realm, &client)?;
        entries.push(Entry { client_id: client_id.clone(), realm: realm.clone(), variable, secret });
    }
    render::render(args.output, &entries)
}

pub fn client_not_found(keycloak: &Keycloak, realm: &str, client_id: &str) -> Error {
    let error = Error::new(Kind::ClientNotFound, format!("no client with clientId {client_id:?} in realm {realm:?}"));
    let similar = similar_client_ids(keycloak, realm, client_id);
    if similar.is_empty() {
        error.hint("list them with: kubectl keycloak clients --search TEXT")
    } else {
        error.hint(format!("did you mean {}?", similar.iter().map(|id| format!("{id:?}")).collect::<Vec<_>>().join(", ")))
    }
}

/// Best effort: the clientId as a substring, then each word of it. Failures
/// here must not hide the "not found" itself, so they yield nothing.
fn similar_client_ids(keycloak: &Keycloak, realm: &str, client_id: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    let words = client_id.split(|c: char| !c.is_alphanumeric()).filter(|w| w.chars().count() >= 3);
    for fragment in std::iter::once(client_id).chain(words) {
        if found.len() >= SUGGESTIONS {
            break;
        }
        for id in keycloak.search_clients(realm, fragment, SUGGESTIONS).unwrap_or_default() {
            if !found.contains(&id) && found.len() < SUGGESTIONS {
                found.push(id);
            }
        }
    }
    found
}
