//! `--to-secret`: store a client's secret in a Kubernetes Secret, then print
//! what `-o` asks for (nothing by default once the secret is stored).

use super::{Format, Printed, render};
use crate::cli::SecretOutputArgs;
use crate::cluster::{KeyRef, SecretWrite};
use crate::error::{Error, Kind, Result};
use crate::session::Session;

/// Key written by `--to-secret` when none is named (CSM's `*-client-auth`
/// Secrets use it).
const DEFAULT_SECRET_KEY: &str = "client-secret";

/// Store the one secret where `--to-secret` says, then render what `-o` asks
/// for: by default the shell format, or nothing once stored.
///
/// `resync` is given when Keycloak was already changed: a failed write then
/// leaves the two out of step, and the error says how to catch up.
pub fn deliver(session: &Session, out: &SecretOutputArgs, items: &[Printed], resync: Option<&str>) -> Result<String> {
    if let (Some(target), [item]) = (&out.to_secret, items) {
        let target = KeyRef::parse(target, &session.namespace, DEFAULT_SECRET_KEY)?;
        let written = session
            .cluster
            .write_secret_key(&target.object, &target.key, &item.value)
            .map_err(|err| err.hint_for(Kind::NotFound, "check the namespace of --to-secret (it must exist)"))
            .map_err(|err| match resync {
                None => err,
                Some(command) => Error::new(
                    Kind::PartialFailure,
                    format!("{} WAS changed in Keycloak, but storing it failed: {err}", item.what),
                )
                .hint(format!("once fixed, sync without regenerating: {command} --to-secret {target}")),
            })?;
        let verb = if written == SecretWrite::Created { "created Secret" } else { "updated Secret" };
        eprintln!("kubectl-keycloak: {verb} {} (key {}) with {}", target.object, target.key, item.what);
    }
    match (out.output, &out.to_secret) {
        (Some(format), _) => render(format, items),
        (None, Some(_)) => Ok(String::new()),
        (None, None) => render(Format::Shell, items),
    }
}
