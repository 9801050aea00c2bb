//! `client-secret`: look each client up by exact clientId and read its
//! secret; or regenerate it, show or invalidate the rotated one; print it
//! and/or store it in a Kubernetes Secret.

use crate::cli::{ClientSecretArgs, SecretAction as Action};
use crate::error::{Error, Kind, Result};
use crate::keycloak::{AdminApi, ClientInfo};
use crate::output::{self, Asked, ClientFields, Format, Printed};
use crate::progress::Progress;
use crate::session::Session;
use crate::to_secret::{self, CLIENT_ID};

/// How many similar clientIds a "not found" error suggests, at most.
const SUGGESTIONS: usize = 3;
/// How many clients each search for suggestions reads.
const CANDIDATES: u32 = 100;

/// One CLIENT by name, or a list (several names, `--search`, `--all`).
fn asked(args: &ClientSecretArgs) -> Asked {
    if many(args) || args.which.clients.len() > 1 { Asked::List } else { Asked::One }
}

/// Argument errors that need no cluster, reported before any request.
/// Destructive or storing operations act on one client at a time.
pub fn check(args: &ClientSecretArgs) -> Result<()> {
    let action = args.action;
    if let Some(format) = &args.out.output {
        output::check_template(format, &args.which.clients, asked(args))?;
    }
    if args.older_than.is_some() && !(many(args) && action == Action::Regenerate) {
        return Err(Error::usage("--older-than chooses what --regenerate rotates among --search or --all"));
    }
    if many(args) && args.older_than.is_some() {
        if !args.out.to_secret.is_empty() || args.out.output == Some(Format::Secret) {
            return Err(Error::usage(
                "--older-than rotates in Keycloak (and with --sync in the cluster); drop --to-secret and -o secret",
            ));
        }
        return to_secret::check(&args.out.destination(asked(args)), &[]);
    }
    if many(args) {
        if args.sync {
            return Err(Error::usage("--sync acts on one CLIENT at a time, or on --search/--all with --older-than"));
        }
        if action != Action::Read {
            return Err(Error::usage(
                "--regenerate, --rotated and --invalidate-rotated act on one CLIENT at a time; \
                 --regenerate with --search or --all needs --older-than",
            ));
        }
        if !args.out.vars.is_empty() {
            return Err(Error::usage(
                "--var names one variable per CLIENT; with --search and --all each is named after its clientId",
            ));
        }
        let one_name = match (args.out.to_secret.first(), &args.out.secret_name) {
            (Some(target), _) => (!target.per_client()).then(|| target.to_string()),
            (None, Some(name)) => (!name.contains(CLIENT_ID)).then(|| name.clone()),
            (None, None) => None,
        };
        if let Some(name) = one_name {
            return Err(Error::usage(format!(
                "{name:?} would name one Secret for every client found; put {CLIENT_ID} in it, e.g. 'apps/{CLIENT_ID}-auth'"
            )));
        }
        return to_secret::check(&args.out.destination(asked(args)), &[]);
    }
    output::variable_names(&args.which.clients, &args.out.vars)?;
    if args.out.to_secret.len() > 1 && !args.sync {
        return Err(Error::usage("--to-secret names one Secret; give it more than once only with --sync"));
    }
    if args.sync {
        if args.which.clients.len() != 1 || !matches!(action, Action::Read | Action::Regenerate) {
            return Err(Error::usage("--sync acts on one CLIENT, read or --regenerate"));
        }
        if args.out.output == Some(Format::Secret) || args.out.secret_name.is_some() {
            return Err(Error::usage("--sync writes the Secrets in the cluster; -o secret and --secret-name print a manifest"));
        }
    }
    if action != Action::Read && args.which.clients.len() != 1 {
        return Err(Error::usage("--regenerate, --rotated and --invalidate-rotated take exactly one CLIENT"));
    }
    if action == Action::InvalidateRotated && (!args.out.to_secret.is_empty() || args.out.output.is_some()) {
        return Err(Error::usage("--invalidate-rotated prints and stores nothing; drop -o and --to-secret"));
    }
    to_secret::check(&args.out.destination(asked(args)), &args.which.clients)
}

/// `--search` or `--all`: the clients are found, not named.
fn many(args: &ClientSecretArgs) -> bool {
    args.which.search.is_some() || args.which.all
}

pub fn run(session: &Session, args: &ClientSecretArgs) -> Result<String> {
    if let Some(age) = &args.older_than {
        return rotate_older(session, args, age);
    }
    if many(args) {
        return run_many(session, args);
    }
    let variables = output::variable_names(&args.which.clients, &args.out.vars)?;
    let (keycloak, realm) = (session.api(), session.realm());
    let action = args.action;
    let mut items = Vec::with_capacity(args.which.clients.len());
    let mut notes = Vec::new();
    if args.sync {
        let client = find(session, &args.which.clients[0])?;
        return super::sync::run(session, args, &client, action == Action::Regenerate, args.yes);
    }
    for (client_id, variable) in args.which.clients.iter().zip(variables) {
        let client = find(session, client_id)?;
        if action != Action::InvalidateRotated {
            notes.extend(unused_secret_note(&client));
        }
        let secret = match action {
            Action::Read => keycloak.client_secret(realm, &client)?,
            Action::Rotated => keycloak.rotated_secret(realm, &client)?,
            Action::Regenerate => {
                client.require_confidential(realm)?;
                super::confirm(
                    &format!("regenerate the secret of client {client_id:?} in realm {realm:?}"),
                    None,
                    " The current secret stops working at once.",
                    args.yes,
                )?;
                keycloak.regenerate_secret(realm, &client)?
            }
            Action::InvalidateRotated => {
                super::confirm(
                    &format!("invalidate the rotated secret of client {client_id:?} in realm {realm:?}"),
                    None,
                    "",
                    args.yes,
                )?;
                keycloak.invalidate_rotated_secret(realm, &client)?;
                eprintln!("kubectl-keycloak: the rotated secret of client {client_id:?} no longer works");
                continue;
            }
        };
        let fields = ClientFields::new(client_id, realm, keycloak.base_url()).authenticator(client.authenticator.as_deref());
        items.push(Printed::client_secret(fields, variable, secret));
    }
    if action == Action::InvalidateRotated {
        return Ok(String::new());
    }
    let resync = (action == Action::Regenerate)
        .then(|| format!("kubectl keycloak client-secret {} --realm {realm}", args.which.clients.join(" ")));
    let text = to_secret::deliver(
        session.cluster(),
        session.namespace(),
        &args.out.destination(asked(args)),
        &items,
        resync.as_deref(),
    )?;
    print_notes(&notes);
    Ok(text)
}

/// A secret Keycloak holds but does not check: printed (it is what Keycloak
/// holds), with a note saying so.
fn unused_secret_note(client: &ClientInfo) -> Option<String> {
    client.ignores_its_secret().map(|authenticator| {
        format!(
            "kubectl-keycloak: client {:?} authenticates with {authenticator}, not with its secret: Keycloak ignores the secret printed",
            client.client_id
        )
    })
}

/// Notes go to stderr only once everything succeeded: a failure's stderr
/// is its one error line.
fn print_notes(notes: &[String]) {
    for note in notes {
        eprintln!("{note}");
    }
}

/// Every confidential client matching `--search` (or all, `--all`), read
/// page by page with their secrets; public and bearer-only clients are
/// skipped and counted in one note, printed once everything succeeded.
fn run_many(session: &Session, args: &ClientSecretArgs) -> Result<String> {
    let (keycloak, realm) = (session.api(), session.realm());
    let search = args.which.search.as_deref();
    let mut items = Vec::new();
    let mut notes = Vec::new();
    let (mut public, mut bearer_only, mut without_secret) = (0usize, 0usize, 0usize);
    let mut progress = Progress::counting("clients read", args.which.page_size.into());
    for client in keycloak.clients(realm, search, args.which.page_size) {
        let client = client?;
        progress.inc();
        if client.public_client {
            public += 1;
        } else if client.bearer_only {
            bearer_only += 1;
        } else {
            // The listing carries the secret: one request per page, not per
            // client, so a large realm is read well within the admin
            // token's lifetime (60 s by default). Where it is masked or
            // absent, the secret endpoint is asked.
            let secret = match client.secret.clone() {
                Some(secret) => secret,
                None => match keycloak.client_secret(realm, &client) {
                    Ok(secret) => secret,
                    // One client without a secret must not abort the run.
                    Err(err) if err.kind == Kind::NoSecret => {
                        without_secret += 1;
                        continue;
                    }
                    Err(err) => return Err(err),
                },
            };
            notes.extend(unused_secret_note(&client));
            let variable = output::variable_for_client(&client.client_id);
            let fields =
                ClientFields::new(&client.client_id, realm, keycloak.base_url()).authenticator(client.authenticator.as_deref());
            items.push(Printed::client_secret(fields, variable, secret));
        }
    }
    drop(progress);
    let skipped = Skipped { public, bearer_only, without_secret };
    if items.is_empty() {
        let which = search.map_or_else(String::new, |text| format!(" matching {text:?}"));
        let hint = if let Some(reasons) = skipped.reasons() {
            format!("skipped {reasons}")
        } else {
            "list the clients with: kubectl keycloak clients --search TEXT".to_string()
        };
        let what = if skipped.without_secret > 0 { "client with a secret" } else { "confidential client" };
        return Err(Error::new(Kind::ClientNotFound, format!("no {what}{which} in realm {realm:?}")).hint(hint));
    }
    if args.out.output.as_ref().is_none_or(Format::is_assignment) && args.out.to_secret.is_empty() {
        let variables: Vec<&str> = items.iter().map(|item| item.variable.as_str()).collect();
        if let Some((first, second)) = output::first_repeat(&variables) {
            let (other, item) = (&items[first], &items[second]);
            return Err(Error::usage(format!(
                "{} and {} would both set {}; use -o json, or name the clients with one --var each",
                other.what, item.what, item.variable
            )));
        }
    }
    let text = to_secret::deliver(session.cluster(), session.namespace(), &args.out.destination(asked(args)), &items, None)?;
    print_notes(&notes);
    if let Some(reasons) = skipped.reasons() {
        eprintln!("kubectl-keycloak: skipped {reasons}");
    }
    Ok(text)
}

/// `--search`/`--all --older-than AGE --regenerate [--sync]`: every
/// confidential client whose secret Keycloak recorded as older than AGE is
/// rotated, after one confirmation showing the list. A failure part-way
/// says which were rotated and which not.
fn rotate_older(session: &Session, args: &ClientSecretArgs, age: &crate::cli::Age) -> Result<String> {
    let (keycloak, realm) = (session.api(), session.realm());
    let now = jiff::Timestamp::now().as_second();
    let (mut due, mut unknown) = (Vec::new(), 0usize);
    super::each_confidential(session, &args.which, |client| {
        match client.secret_age(now) {
            Some(seconds) if seconds > age.seconds => due.push((client, seconds)),
            Some(_) => {}
            None => unknown += 1,
        }
        Ok(())
    })?;
    let unknown_note = (unknown > 0).then(|| {
        format!("kubectl-keycloak: left alone {unknown} confidential clients whose secret has no recorded age (imported, or Keycloak before 18)")
    });
    if due.is_empty() {
        eprintln!("kubectl-keycloak: no confidential client in realm {realm:?} has a secret older than {}", age.text);
        print_notes(unknown_note.as_slice());
        return Ok(String::new());
    }
    let mut plan = vec![format!(
        "Rotate the secrets of {} clients in realm {realm:?} older than {}{}",
        due.len(),
        age.text,
        if args.sync { ", and update their copies in the cluster" } else { "" }
    )];
    plan.extend(due.iter().map(|(client, seconds)| format!("  {} (secret age {})", client.client_id, output::age(*seconds))));
    if args.dry_run {
        eprintln!("{}", plan.join("\n"));
        for (client, _) in &due {
            super::sync::run(session, args, client, true, true)?;
        }
        print_notes(unknown_note.as_slice());
        return Ok(String::new());
    }
    let action = format!("regenerate the secrets of {} clients in realm {realm:?}", due.len());
    super::confirm(&action, Some(&plan.join("\n")), " Their current secrets stop working at once.", args.yes)?;
    let mut items = Vec::new();
    for (done, (client, _)) in due.iter().enumerate() {
        let rotated = if args.sync {
            super::sync::run(session, args, client, true, true).map(|_| ())
        } else {
            keycloak.regenerate_secret(realm, client).map(|secret| {
                let fields = ClientFields::new(&client.client_id, realm, keycloak.base_url())
                    .authenticator(client.authenticator.as_deref());
                items.push(Printed::client_secret(fields, output::variable_for_client(&client.client_id), secret));
            })
        };
        if let Err(err) = rotated {
            if done == 0 && err.kind != Kind::PartialFailure {
                return Err(err);
            }
            let names =
                |list: &[(ClientInfo, i64)]| list.iter().map(|(c, _)| c.client_id.as_str()).collect::<Vec<_>>().join(", ");
            let rest = if due.len() > done + 1 { names(&due[done + 1..]) } else { "none".into() };
            return Err(Error::new(
                Kind::PartialFailure,
                format!(
                    "rotated: {}; stopped at client {:?}: {err}; NOT rotated: {rest}",
                    if done == 0 { "none".into() } else { names(&due[..done]) },
                    client.client_id
                ),
            ));
        }
    }
    let text = if args.sync {
        String::new()
    } else {
        to_secret::deliver(session.cluster(), session.namespace(), &args.out.destination(Asked::List), &items, None)?
    };
    eprintln!("kubectl-keycloak: rotated {} clients with a secret older than {}", due.len(), age.text);
    print_notes(unknown_note.as_slice());
    Ok(text)
}

/// The clients `--search`/`--all` found but could print nothing for.
struct Skipped {
    public: usize,
    bearer_only: usize,
    /// Confidential clients whose secret was never generated.
    without_secret: usize,
}

impl Skipped {
    /// Why nothing was printed for them, naming only the kinds seen.
    fn reasons(&self) -> Option<String> {
        let mut parts = Vec::new();
        if self.public + self.bearer_only > 0 {
            parts.push(format!("{} public and {} bearer-only clients: they have no secret", self.public, self.bearer_only));
        }
        if self.without_secret > 0 {
            parts.push(format!(
                "{} confidential clients with no secret yet (generate one with client-secret CLIENT --regenerate)",
                self.without_secret
            ));
        }
        (!parts.is_empty()).then(|| parts.join("; "))
    }
}

pub(super) fn find(session: &Session, client_id: &str) -> Result<ClientInfo> {
    let (keycloak, realm) = (session.api(), session.realm());
    keycloak.find_client(realm, client_id)?.ok_or_else(|| client_not_found(session, client_id))
}

fn client_not_found(session: &Session, client_id: &str) -> Error {
    let realm = session.realm();
    let error = Error::new(Kind::ClientNotFound, format!("no client with clientId {client_id:?} in realm {realm:?}"));
    let similar = similar_client_ids(session.api(), realm, client_id);
    let hint = if similar.is_empty() {
        "list them with: kubectl keycloak clients --search TEXT".to_string()
    } else {
        format!("did you mean {}?", similar.iter().map(|id| format!("{id:?}")).collect::<Vec<_>>().join(", "))
    };
    if session.service_account_admin() {
        // Fine-grained admin permissions (Keycloak 26.2+) answer a service
        // account with an empty list, not a 403.
        error.hint(format!(
            "{hint}; or not permitted: the service-account admin may not see it without realm-management's view-clients or query-clients role"
        ))
    } else {
        error.hint(hint)
    }
}

/// Best effort: candidates from Keycloak's substring search for the
/// clientId, its first three characters and each word of it, ranked by
/// [`closest`]. Failures here must not hide the "not found" itself, so
/// they yield nothing.
fn similar_client_ids(keycloak: &AdminApi, realm: &str, client_id: &str) -> Vec<String> {
    let mut candidates: Vec<String> = Vec::new();
    let prefix: String = client_id.chars().take(3).collect();
    let words = client_id.split(|c: char| !c.is_alphanumeric()).filter(|w| w.chars().count() >= 3);
    let mut fragments: Vec<&str> = std::iter::once(client_id).chain(Some(prefix.as_str())).chain(words).collect();
    fragments.dedup();
    for fragment in fragments.into_iter().filter(|f| f.chars().count() >= 3) {
        let page = keycloak.clients(realm, Some(fragment), CANDIDATES).take(CANDIDATES as usize).map_while(Result::ok);
        candidates.extend(page.map(|c| c.client_id).filter(|id| id != client_id));
    }
    closest(client_id, candidates)
}

/// The candidates worth suggesting for `wanted`, best first, at most
/// [`SUGGESTIONS`]: within a few edits (case ignored; a swap of two
/// neighbours is one edit), or starting with it; nearest first, then the
/// longest shared prefix, then by name.
fn closest(wanted: &str, candidates: Vec<String>) -> Vec<String> {
    let wanted_lower = wanted.to_lowercase();
    let limit = (wanted.chars().count() / 3).max(2);
    let mut ranked: Vec<(usize, std::cmp::Reverse<usize>, String)> = candidates
        .into_iter()
        .filter_map(|id| {
            let lower = id.to_lowercase();
            let distance = strsim::damerau_levenshtein(&wanted_lower, &lower);
            let extends = wanted_lower.chars().count() >= 3 && lower.starts_with(&wanted_lower);
            let shared = wanted_lower.chars().zip(lower.chars()).take_while(|(a, b)| a == b).count();
            (distance <= limit || extends).then_some((distance, std::cmp::Reverse(shared), id))
        })
        .collect();
    ranked.sort();
    ranked.dedup_by(|a, b| a.2 == b.2);
    ranked.into_iter().take(SUGGESTIONS).map(|(_, _, id)| id).collect()
}

#[cfg(test)]
mod tests {
    use super::closest;

    fn ids(names: &[&str]) -> Vec<String> {
        names.iter().map(|n| n.to_string()).collect()
    }

    const REALM: &[&str] = &[
        "admin-client",
        "bearer-only-client",
        "my-test-client",
        "scale-client-00001",
        "scale-client-00002",
        "system-compute-client",
    ];

    #[test]
    fn a_swapped_pair_of_letters_suggests_the_client_alone() {
        assert_eq!(closest("my-tset-client", ids(REALM)), ["my-test-client"]);
    }

    #[test]
    fn case_is_ignored_and_a_prefix_counts() {
        assert_eq!(closest("MY-TEST-CLIENT", ids(REALM)), ["my-test-client"]);
        assert_eq!(closest("my-test", ids(REALM)), ["my-test-client"]);
    }

    #[test]
    fn nearest_first_then_longest_shared_prefix_at_most_three() {
        let many =
            ids(&["scale-client-00003", "scale-client-00001", "scale-client-00002", "scale-client-00010", "zcale-client-00001"]);
        // 00010 starts with what was typed; 00001 is one edit away too.
        assert_eq!(closest("scale-client-0001", many), ["scale-client-00010", "scale-client-00001", "scale-client-00002"]);
    }

    #[test]
    fn nothing_close_suggests_nothing() {
        assert!(closest("payroll", ids(REALM)).is_empty());
        assert!(closest("ab", ids(&["ab-client", "cd"])).len() <= 1);
    }
}
