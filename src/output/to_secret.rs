//! `--to-secret` and `-o secret`: store a client's secret (and the fields
//! `--keys` names) in a Kubernetes Secret, or print the Secret's manifest;
//! then print what `-o` asks for (nothing by default once the secret is
//! stored).

use super::fields::{ClientFields, Keys, validate_secret_name};
use super::manifest::{self, MANAGED_BY};
use super::{Format, Printed, render};
use crate::cli::SecretOutputArgs;
use crate::cluster::{KeyRef, ObjectRef, SecretWrite};
use crate::error::{Error, Kind, Result};
use crate::session::Session;

/// Key written by `--to-secret` when none is named (CSM's `*-client-auth`
/// Secrets use it).
const DEFAULT_SECRET_KEY: &str = "client-secret";

/// What `--secret-name` stands for when not given.
const DEFAULT_SECRET_NAME: &str = "{clientId}-auth";

/// Stands for the clientId in `--secret-name` and `--to-secret`.
pub const CLIENT_ID: &str = "{clientId}";

/// Argument errors of `--to-secret`, `--keys`, `--secret-name` and `-o
/// secret`, found before any request: the Secret names these clients would
/// get are checked here, so a clientId that makes no valid name is refused
/// before anything is read or written.
pub fn check_secret_output(out: &SecretOutputArgs, client_ids: &[String]) -> Result<()> {
    // The namespace is not known before the settings are; no name's
    // validity depends on it.
    let plan = Plan::new(out, "default")?;
    let mut names: Vec<ObjectRef> = Vec::new();
    if plan.writes() {
        for client_id in client_ids {
            let object = plan.object(client_id)?;
            if names.contains(&object) {
                let option = if out.to_secret.is_some() { "--to-secret" } else { "--secret-name" };
                return Err(Error::usage(format!(
                    "several clients would be written to Secret {object}; put {CLIENT_ID} in {option}"
                )));
            }
            names.push(object);
        }
    }
    Ok(())
}

/// Where and under which keys the secret goes.
struct Plan<'a> {
    out: &'a SecretOutputArgs,
    namespace: &'a str,
    keys: Keys,
    /// `--to-secret`'s `NAMESPACE/NAME` (without its key), or `-o secret`'s name.
    target: Option<String>,
}

impl<'a> Plan<'a> {
    fn new(out: &'a SecretOutputArgs, namespace: &'a str) -> Result<Self> {
        let manifest = out.output == Some(Format::Secret);
        if manifest && out.to_secret.is_some() {
            return Err(Error::usage("-o secret prints the Secret and --to-secret writes it: give one of them"));
        }
        if out.keys.is_some() && !manifest && out.to_secret.is_none() {
            return Err(Error::usage("--keys chooses what --to-secret and -o secret write; give one of them"));
        }
        if out.secret_name.is_some() && !manifest {
            return Err(Error::usage("--secret-name names the Secret of -o secret (--to-secret takes the name itself)"));
        }
        let (target, key) = match &out.to_secret {
            Some(to_secret) => {
                let key_ref = KeyRef::parse(to_secret, namespace, DEFAULT_SECRET_KEY)?;
                let named_key = to_secret.rsplit_once(':').is_some_and(|(_, key)| !key.is_empty());
                if named_key && out.keys.is_some() {
                    return Err(Error::usage("name the keys either after --to-secret's ':' or with --keys, not both"));
                }
                (Some(key_ref.object.to_string()), key_ref.key)
            }
            None => (out.secret_name.clone(), DEFAULT_SECRET_KEY.to_string()),
        };
        let keys = match &out.keys {
            Some(spec) => Keys::parse(spec)?,
            None => Keys::secret_only(&key)?,
        };
        Ok(Plan { out, namespace, keys, target })
    }

    /// Whether a Secret is written or printed.
    fn writes(&self) -> bool {
        self.out.to_secret.is_some() || self.out.output == Some(Format::Secret)
    }

    /// The Secret for this client, its name checked. `{clientId}` is
    /// replaced in the name only, after the namespace is split off, so a
    /// clientId holding `/` cannot move the Secret to another namespace.
    fn object(&self, client_id: &str) -> Result<ObjectRef> {
        let (template, source) = match (&self.target, &self.out.to_secret) {
            (Some(target), Some(_)) => (target.as_str(), "--to-secret"),
            (Some(target), None) => (target.as_str(), "--secret-name"),
            (None, _) => (DEFAULT_SECRET_NAME, "the default name {clientId}-auth"),
        };
        let mut object = ObjectRef::parse(template, self.namespace)?;
        if object.name.contains(CLIENT_ID) {
            object.name = object.name.replace(CLIENT_ID, client_id);
            validate_secret_name(&object.name, &format!("{source} for clientId {client_id:?}"))
        } else {
            validate_secret_name(&object.name, source)
        }
        .map_err(|err| if self.target.is_none() { err.hint("name it with --secret-name") } else { err })?;
        Ok(object)
    }
}

/// Store each secret where `--to-secret` says, or print manifests for
/// `-o secret`, then render what `-o` asks for: by default the shell
/// format, or nothing once stored.
///
/// `resync` is given when Keycloak was already changed: a failed write then
/// leaves the two out of step, and the error says how to catch up.
pub fn deliver(session: &Session, out: &SecretOutputArgs, items: &[Printed], resync: Option<&str>) -> Result<String> {
    let plan = Plan::new(out, &session.namespace)?;
    if out.output == Some(Format::Secret) {
        let documents = items
            .iter()
            .map(|item| {
                let client = client_of(item)?;
                let object = plan.object(&client.client_id)?;
                Ok(manifest::manifest(
                    &object,
                    &plan.keys.data(client, &item.value),
                    &manifest::provenance(client, manifest::now()),
                ))
            })
            .collect::<Result<Vec<String>>>()?;
        return Ok(manifest::stream(&documents));
    }
    if out.to_secret.is_some() {
        // Every name is checked before the first write.
        for item in items {
            plan.object(&client_of(item)?.client_id)?;
        }
        for item in items {
            store(session, &plan, item, resync)?;
        }
    }
    match (out.output, &out.to_secret) {
        (Some(format), _) => render(format, items),
        (None, Some(_)) => Ok(String::new()),
        (None, None) => render(Format::Shell, items),
    }
}

fn store(session: &Session, plan: &Plan<'_>, item: &Printed, resync: Option<&str>) -> Result<()> {
    let client = client_of(item)?;
    let object = plan.object(&client.client_id)?;
    let data = plan.keys.data(client, &item.value);
    let names = plan.keys.names();
    let (keys, option) = match (&plan.out.keys, names.as_slice()) {
        (Some(spec), _) => (format!("keys {}", names.join(", ")), format!("{object} --keys {spec}")),
        (None, [key]) => (format!("key {key}"), format!("{object}:{key}")),
        (None, _) => (format!("keys {}", names.join(", ")), object.to_string()),
    };
    let written = session
        .cluster
        .write_secret(&object, &data, &manifest::provenance(client, manifest::now()), MANAGED_BY)
        .map_err(|err| err.hint_for(Kind::NotFound, "check the namespace of --to-secret (it must exist)"))
        .map_err(|err| match resync {
            None => err,
            Some(command) => {
                Error::new(Kind::PartialFailure, format!("{} WAS changed in Keycloak, but storing it failed: {err}", item.what))
                    .hint(format!("once fixed, sync without regenerating: {command} --to-secret {option}"))
            }
        })?;
    let verb = if written == SecretWrite::Created { "created Secret" } else { "updated Secret" };
    eprintln!("kubectl-keycloak: {verb} {object} ({keys}) with {}", item.what);
    Ok(())
}

fn client_of(item: &Printed) -> Result<&ClientFields> {
    item.client.as_ref().ok_or_else(|| Error::usage(format!("{} cannot be stored in a Secret", item.what)))
}
