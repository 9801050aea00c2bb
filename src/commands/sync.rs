//! `client-secret CLIENT [--regenerate] --sync [--restart] [--dry-run]`:
//! every copy of the secret in the cluster follows Keycloak in one run.
//!
//! The plan is made before anything changes: the Secrets whose keys hold
//! the current value (each changed only in those keys, and only if still as
//! read), the Secrets named with `--to-secret`, the workloads reading them,
//! and the drifted copies left alone. A failure after Keycloak changed stops
//! the run, says exactly what was and was not done, and prints the command
//! that finishes without regenerating.

use crate::cli::ClientSecretArgs;
use crate::cluster::ObjectRef;
use crate::copies::{self, Consumer, Holder, KeyWrite, Wanted};
use crate::error::{Error, Kind, Result};
use crate::keycloak::ClientInfo;
use crate::output::manifest;
use crate::output::{Asked, ClientFields, Printed, render};
use crate::session::Session;
use crate::to_secret::{self, Destination};

/// What one sync run will do, in order.
struct Plan {
    writes: Vec<KeyWrite>,
    named: Vec<String>,
    restarts: Vec<Consumer>,
    drifted: Vec<Holder>,
}

impl Plan {
    fn describe(&self, client_id: &str, realm: &str, regenerate: bool) -> String {
        let mut lines = vec![format!("Plan for client {client_id:?} in realm {realm:?}:")];
        if regenerate {
            lines.push("  regenerate its secret in Keycloak (the current one stops working at once)".into());
        }
        lines.extend(self.writes.iter().map(|w| format!("  update Secret {} key {}", w.object, w.key)));
        lines.extend(self.named.iter().map(|n| format!("  write Secret {n} (--to-secret)")));
        if self.writes.is_empty() && self.named.is_empty() {
            lines.push("  no Secret in the cluster holds it: nothing to update".into());
        }
        lines.extend(self.restarts.iter().map(|c| format!("  restart {c}")));
        lines.extend(self.drifted.iter().map(|d| {
            format!(
                "  leave Secret {} alone: it claims to be a copy but holds another value (name it with --to-secret to update it)",
                d.object
            )
        }));
        lines.join("\n")
    }
}

/// `confirmed`: the caller already asked (or `--yes` was given).
pub fn run(session: &Session, args: &ClientSecretArgs, client: &ClientInfo, regenerate: bool, confirmed: bool) -> Result<String> {
    let (keycloak, realm, cluster) = (session.api(), session.realm(), session.cluster());
    let client_id = client.client_id.as_str();
    client.require_confidential(realm)?;
    // A confidential client without a secret yet has no copies to find.
    let current = match keycloak.client_secret(realm, client) {
        Ok(secret) => Some(secret),
        Err(err) if err.kind == Kind::NoSecret && regenerate => None,
        Err(err) => return Err(err),
    };
    let wanted: Vec<Wanted<'_>> = current.iter().map(|secret| Wanted { client_id, secret }).collect();
    let scan = copies::scan(cluster, realm, &wanted, session.namespace())?;
    let note = scan.note();
    let holders = scan.holders.into_iter().next().unwrap_or_default();
    let named_objects: Vec<ObjectRef> =
        args.out.to_secret.iter().map(|target| target.object_for(client_id, session.namespace())).collect();
    let (current_copies, drifted): (Vec<Holder>, Vec<Holder>) = holders.into_iter().partition(|h| !h.drifted());
    // Without --regenerate the copies found already hold the secret.
    let writes: Vec<KeyWrite> = if regenerate {
        copies::key_writes(&current_copies).into_iter().filter(|w| !named_objects.contains(&w.object)).collect()
    } else {
        Vec::new()
    };
    let restarts = if args.restart {
        let of_copies = current_copies.iter().flat_map(|holder| holder.consumers.iter().cloned());
        copies::restarts(of_copies.chain(named_objects.iter().flat_map(|object| scan.readers.of(object))))
    } else {
        Vec::new()
    };
    let drifted: Vec<Holder> = drifted.into_iter().filter(|d| !named_objects.contains(&d.object)).collect();
    let plan = Plan { writes, named: args.out.to_secret.iter().map(ToString::to_string).collect(), restarts, drifted };
    let description = plan.describe(client_id, realm, regenerate);
    if let Some(note) = note {
        eprintln!("{note}");
    }
    if args.dry_run {
        eprintln!("{description}\nkubectl-keycloak: --dry-run: nothing was changed");
        return Ok(String::new());
    }
    if regenerate {
        let action = format!("regenerate the secret of client {client_id:?} in realm {realm:?} and sync its copies");
        super::confirm(&action, Some(&description), " The current secret stops working at once.", confirmed)?;
    }
    let secret =
        if regenerate { keycloak.regenerate_secret(realm, client)? } else { current.ok_or_else(|| client.no_secret(realm))? };
    let fields = ClientFields::new(client_id, realm, keycloak.base_url()).authenticator(client.authenticator.as_deref());
    let annotations = manifest::provenance(&fields, manifest::now());
    let resume = Resume { client_id, realm, plan: &plan, regenerated: regenerate, restart: args.restart };
    if let Err((done, err)) = copies::write_keys(cluster, &plan.writes, &secret, &annotations) {
        return Err(resume.error(Step::Write(done), &err));
    }
    let item = Printed::client_secret(fields, String::from("CLIENT_SECRET"), secret);
    for (done, target) in args.out.to_secret.iter().enumerate() {
        let destination = Destination { to_secret: Some(target.clone()), keys: args.out.keys.clone(), ..Destination::default() };
        if let Err(err) = to_secret::deliver(cluster, session.namespace(), &destination, std::slice::from_ref(&item), None) {
            return Err(resume.error(Step::Named(done), &err));
        }
    }
    if let Err((done, err)) = copies::restart_all(cluster, &plan.restarts) {
        return Err(resume.error(Step::Restart(done), &err));
    }
    for write in &plan.writes {
        eprintln!("kubectl-keycloak: updated Secret {} (key {})", write.object, write.key);
    }
    for workload in &plan.restarts {
        eprintln!("kubectl-keycloak: restarted {workload}");
    }
    for drift in &plan.drifted {
        eprintln!("kubectl-keycloak: left drifted Secret {} unchanged (it holds another value)", drift.object);
    }
    match &args.out.output {
        Some(format) => render(format, std::slice::from_ref(&item), Asked::One),
        None => Ok(String::new()),
    }
}

/// Where a run stopped.
enum Step {
    /// While writing the copies' keys: this many were written.
    Write(usize),
    /// While writing the `--to-secret` Secrets.
    Named(usize),
    /// While restarting: this many were restarted.
    Restart(usize),
}

struct Resume<'a> {
    client_id: &'a str,
    realm: &'a str,
    plan: &'a Plan,
    regenerated: bool,
    restart: bool,
}

impl Resume<'_> {
    /// Exit 16 when Keycloak already changed; the list of what was done and
    /// not; the command that finishes without regenerating.
    fn error(&self, step: Step, err: &Error) -> Error {
        let plan = self.plan;
        let (writes_done, named_done, restarts_done) = match step {
            Step::Write(n) => (n, 0, 0),
            Step::Named(n) => (plan.writes.len(), n, 0),
            Step::Restart(n) => (plan.writes.len(), plan.named.len(), n),
        };
        let written: Vec<String> =
            plan.writes[..writes_done].iter().map(ToString::to_string).chain(plan.named[..named_done].iter().cloned()).collect();
        let unwritten: Vec<String> =
            plan.writes[writes_done..].iter().map(ToString::to_string).chain(plan.named[named_done..].iter().cloned()).collect();
        let restarted: Vec<String> = plan.restarts[..restarts_done].iter().map(ToString::to_string).collect();
        let unrestarted: Vec<String> = plan.restarts[restarts_done..].iter().map(ToString::to_string).collect();
        let list = |items: &[String]| if items.is_empty() { "none".to_string() } else { items.join(", ") };
        let changed = if self.regenerated { "WAS regenerated in Keycloak" } else { "is unchanged in Keycloak" };
        let mut message = format!(
            "the secret of client {:?} {changed}, then the sync stopped: {err}; updated: {}; NOT updated: {}",
            self.client_id,
            list(&written),
            list(&unwritten)
        );
        if self.restart {
            message.push_str(&format!("; restarted: {}; NOT restarted: {}", list(&restarted), list(&unrestarted)));
        }
        let mut command = format!("kubectl keycloak client-secret {} --realm {} --sync", self.client_id, self.realm);
        for target in &unwritten {
            command.push_str(&format!(" --to-secret {target}"));
        }
        if self.restart {
            command.push_str(" --restart");
        }
        let kind = if self.regenerated { Kind::PartialFailure } else { err.kind };
        Error::new(kind, message).hint(format!("once fixed, finish without regenerating: {command}"))
    }
}
