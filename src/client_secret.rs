//! `client-secret`: look each client up by exact clientId and read its
//! secret; optionally regenerate it, show or invalidate the rotated one, and
//! store it in a Kubernetes Secret.

use std::io::{BufRead, IsTerminal};

use crate::cli::{ClientSecretArgs, SecretOutputArgs};
use crate::cluster::SecretWrite;
use crate::error::{Error, Kind, Result};
use crate::keycloak::{ClientInfo, Keycloak};
use crate::render::{self, Entry, Format};
use crate::session::Session;
use crate::settings::KeyRef;

/// How many similar clientIds a "not found" error suggests.
const SUGGESTIONS: usize = 5;

/// Key written by `--to-secret` when none is named (CSM's `*-client-auth`
/// Secrets use it).
pub const DEFAULT_SECRET_KEY: &str = "client-secret";

pub fn run(session: &Session, args: &ClientSecretArgs) -> Result<String> {
    let variables = render::variable_names(&args.clients, &args.out.vars)?;
    let realm = &session.realm;
    let mut entries = Vec::with_capacity(args.clients.len());
    for (client_id, variable) in args.clients.iter().zip(variables) {
        let client = find(&session.keycloak, realm, client_id)?;
        if args.invalidate_rotated {
            confirm(&format!("invalidate the rotated secret of client {client_id:?} in realm {realm:?}"), "", args.yes)?;
            session.keycloak.invalidate_rotated_secret(realm, &client)?;
            eprintln!("kubectl-keycloak: the rotated secret of client {client_id:?} no longer works");
            return Ok(String::new());
        }
        let secret = if args.regenerate {
            Keycloak::require_confidential(realm, &client)?;
            confirm(
                &format!("regenerate the secret of client {client_id:?} in realm {realm:?}"),
                " The current secret stops working at once.",
                args.yes,
            )?;
            session.keycloak.regenerate_secret(realm, &client)?
        } else if args.rotated {
            session.keycloak.rotated_secret(realm, &client)?
        } else {
            session.keycloak.client_secret(realm, &client)?
        };
        entries.push(Entry { client_id: client_id.clone(), realm: realm.clone(), variable, secret });
    }
    deliver(session, &args.out, &entries, args.regenerate)
}

/// Destructive or storing operations act on one client at a time.
pub fn check(args: &ClientSecretArgs) -> Result<()> {
    let single = args.regenerate || args.rotated || args.invalidate_rotated || args.out.to_secret.is_some();
    if single && args.clients.len() != 1 {
        return Err(Error::usage("--regenerate, --rotated, --invalidate-rotated and --to-secret take exactly one CLIENT"));
    }
    if args.invalidate_rotated && (args.out.to_secret.is_some() || args.out.output.is_some()) {
        return Err(Error::usage("--invalidate-rotated prints and stores nothing; drop -o and --to-secret"));
    }
    Ok(())
}

pub fn find(keycloak: &Keycloak, realm: &str, client_id: &str) -> Result<ClientInfo> {
    keycloak.find_client(realm, client_id)?.ok_or_else(|| client_not_found(keycloak, realm, client_id))
}

/// Store the secret where `--to-secret` says, then render what `-o` asks
/// for: by default the shell format, or nothing when the secret was stored.
pub fn deliver(session: &Session, out: &SecretOutputArgs, entries: &[Entry], changed_in_keycloak: bool) -> Result<String> {
    if let (Some(target), [entry]) = (&out.to_secret, entries) {
        let target = KeyRef::parse(target, &session.namespace, DEFAULT_SECRET_KEY)?;
        let written = session.cluster.write_secret_key(&target.object, &target.key, &entry.secret).map_err(|err| {
            if changed_in_keycloak {
                Error::new(
                    Kind::PartialFailure,
                    format!("the secret of client {:?} WAS changed in Keycloak, but storing it failed: {err}", entry.client_id),
                )
                .hint(format!(
                    "once fixed, sync without regenerating: kubectl keycloak client-secret {} --realm {} --to-secret {target}",
                    entry.client_id, entry.realm
                ))
            } else {
                err
            }
        })?;
        let verb = if written == SecretWrite::Created { "created Secret" } else { "updated Secret" };
        eprintln!("kubectl-keycloak: {verb} {} (key {}) with the secret of client {:?}", target.object, target.key, entry.client_id);
    }
    match (out.output, &out.to_secret) {
        (Some(format), _) => render::render(format, entries),
        (None, Some(_)) => Ok(String::new()),
        (None, None) => render::render(Format::Shell, entries),
    }
}

/// Ask on the terminal, or insist on `--yes` when there is none to ask.
fn confirm(action: &str, warning: &str, yes: bool) -> Result<()> {
    if yes {
        return Ok(());
    }
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        return Err(Error::usage(format!("refusing to {action} without --yes: stdin is not a terminal to ask on")));
    }
    let mut question = action.to_string();
    question[..1].make_ascii_uppercase();
    eprint!("{question}?{warning} [y/N] ");
    let mut answer = String::new();
    stdin.lock().read_line(&mut answer).map_err(|err| Error::usage(format!("cannot read the answer: {err}")))?;
    match answer.trim().to_ascii_lowercase().as_str() {
        "y" | "yes" => Ok(()),
        _ => Err(Error::usage("not confirmed; nothing was changed")),
    }
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
        let page = keycloak.list_clients(realm, Some(fragment), 0, SUGGESTIONS as u32).unwrap_or_default();
        for id in page.into_iter().map(|c| c.client_id) {
            if !found.contains(&id) && found.len() < SUGGESTIONS {
                found.push(id);
            }
        }
    }
    found
}
