//! `--to-secret` and `-o secret`: store a client's secret (and the fields
//! `--keys` names) in a Kubernetes Secret through the cluster API, or print
//! the Secret's manifest; then render what `-o` asks for (nothing by default
//! once the secret is stored).

use std::str::FromStr;

use crate::cluster::{Cluster, ObjectRef, SecretWrite};
use crate::error::{Error, Kind, Result};
use crate::output::manifest::{self, MANAGED_BY};
use crate::output::{Asked, ClientFields, Format, Keys, Printed, render, validate_secret_name};

/// Key written by `--to-secret` when none is named (CSM's `*-client-auth`
/// Secrets use it).
const DEFAULT_SECRET_KEY: &str = "client-secret";
/// What `--secret-name` stands for when not given.
const DEFAULT_SECRET_NAME: &str = "{clientId}-auth";
/// Stands for the clientId in `--secret-name` and `--to-secret`.
pub const CLIENT_ID: &str = "{clientId}";

/// `--to-secret [NAMESPACE/]NAME[:KEY]` as typed: the namespace is filled in
/// once the settings are known; `NAME` may hold `{clientId}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretTarget {
    text: String,
    namespace: Option<String>,
    name: String,
    key: Option<String>,
}

impl FromStr for SecretTarget {
    type Err = String;

    fn from_str(text: &str) -> std::result::Result<Self, String> {
        let (object, key) = match text.rsplit_once(':') {
            Some((object, key)) if !key.is_empty() => (object, Some(key.to_string())),
            _ => (text.trim_end_matches(':'), None),
        };
        let (namespace, name) = match object.split_once('/') {
            Some((namespace, name)) => (Some(namespace), name),
            None => (None, object),
        };
        if namespace.is_some_and(str::is_empty) || name.is_empty() || name.contains('/') {
            return Err(format!("{object:?} is not [NAMESPACE/]NAME"));
        }
        Ok(SecretTarget { text: text.to_string(), namespace: namespace.map(str::to_string), name: name.to_string(), key })
    }
}

impl std::fmt::Display for SecretTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

impl SecretTarget {
    /// `NAME` holds `{clientId}`: one Secret per client.
    pub fn per_client(&self) -> bool {
        self.name.contains(CLIENT_ID)
    }

    /// The Secret it names for this client, in `namespace` when it names none.
    pub fn object_for(&self, client_id: &str, namespace: &str) -> ObjectRef {
        ObjectRef {
            namespace: self.namespace.clone().unwrap_or_else(|| namespace.to_string()),
            name: self.name.replace(CLIENT_ID, client_id),
        }
    }
}

/// Where the secrets go: stdout in a format, and/or Kubernetes Secrets.
#[derive(Debug, Clone, Default)]
pub struct Destination {
    pub output: Option<Format>,
    pub to_secret: Option<SecretTarget>,
    pub keys: Option<Keys>,
    /// `-o secret`'s `[NAMESPACE/]NAME`, which may hold `{clientId}`.
    pub secret_name: Option<String>,
    /// One client by name, or a list: the shape of `-o json`.
    pub asked: Asked,
}

/// Where and under which keys the secret goes.
struct Plan<'a> {
    destination: &'a Destination,
    keys: Keys,
    /// The Secret's name template and the option that gave it.
    name: (SecretTarget, &'static str),
}

impl<'a> Plan<'a> {
    fn new(destination: &'a Destination) -> Result<Self> {
        let manifest = destination.output == Some(Format::Secret);
        if manifest && destination.to_secret.is_some() {
            return Err(Error::usage("-o secret prints the Secret and --to-secret writes it: give one of them"));
        }
        if destination.keys.is_some() && !manifest && destination.to_secret.is_none() {
            return Err(Error::usage("--keys chooses what --to-secret and -o secret write; give one of them"));
        }
        if destination.secret_name.is_some() && !manifest {
            return Err(Error::usage("--secret-name names the Secret of -o secret (--to-secret takes the name itself)"));
        }
        let name = match (&destination.to_secret, &destination.secret_name) {
            (Some(target), _) => (target.clone(), "--to-secret"),
            (None, Some(name)) => (name.parse().map_err(Error::usage)?, "--secret-name"),
            (None, None) => (DEFAULT_SECRET_NAME.parse().map_err(Error::usage)?, "the default name {clientId}-auth"),
        };
        let named_key = destination.to_secret.as_ref().and_then(|target| target.key.clone());
        let keys = match (&destination.keys, named_key) {
            (Some(_), Some(_)) => {
                return Err(Error::usage("name the keys either after --to-secret's ':' or with --keys, not both"));
            }
            (Some(keys), None) => keys.clone(),
            (None, key) => Keys::secret_only(key.as_deref().unwrap_or(DEFAULT_SECRET_KEY))?,
        };
        Ok(Plan { destination, keys, name })
    }

    /// Whether a Secret is written or printed.
    fn writes(&self) -> bool {
        self.destination.to_secret.is_some() || self.destination.output == Some(Format::Secret)
    }

    /// The Secret's name for this client, checked. `{clientId}` is replaced
    /// in the name only, never in the namespace, so a clientId holding `/`
    /// cannot move the Secret to another namespace.
    fn name_for(&self, client_id: &str) -> Result<String> {
        let (template, source) = &self.name;
        let checked = if template.per_client() {
            let name = template.name.replace(CLIENT_ID, client_id);
            validate_secret_name(&name, &format!("{source} for clientId {client_id:?}")).map(|()| name)
        } else {
            validate_secret_name(&template.name, source).map(|()| template.name.clone())
        };
        let named = self.destination.to_secret.is_some() || self.destination.secret_name.is_some();
        checked.map_err(|err| if named { err } else { err.hint("name it with --secret-name") })
    }

    fn object(&self, client_id: &str, namespace: &str) -> Result<ObjectRef> {
        let namespace = self.name.0.namespace.as_deref().unwrap_or(namespace).to_string();
        Ok(ObjectRef { namespace, name: self.name_for(client_id)? })
    }
}

/// Argument errors of `--to-secret`, `--keys`, `--secret-name` and `-o
/// secret`, found before any request: the Secret names these clients would
/// get are checked here, so a clientId that makes no valid name is refused
/// before anything is read or written.
pub fn check(destination: &Destination, client_ids: &[String]) -> Result<()> {
    let plan = Plan::new(destination)?;
    if !plan.writes() {
        return Ok(());
    }
    let mut names: Vec<String> = Vec::new();
    for client_id in client_ids {
        let name = plan.name_for(client_id)?;
        if names.contains(&name) {
            let object = plan.object(client_id, "")?;
            let object = if object.namespace.is_empty() { name } else { object.to_string() };
            return Err(Error::usage(format!(
                "several clients would be written to Secret {object}; put {CLIENT_ID} in {}",
                plan.name.1
            )));
        }
        names.push(name);
    }
    Ok(())
}

/// Store each secret where `--to-secret` says, or print manifests for
/// `-o secret`, then render what `-o` asks for: by default the shell
/// format, or nothing once stored. `namespace` is where Secrets named
/// without one go.
///
/// `resync` is given when Keycloak was already changed: a failed write then
/// leaves the two out of step, and the error says how to catch up.
pub fn deliver(
    cluster: &Cluster,
    namespace: &str,
    destination: &Destination,
    items: &[Printed],
    resync: Option<&str>,
) -> Result<String> {
    let plan = Plan::new(destination)?;
    if destination.output == Some(Format::Secret) {
        let documents = items
            .iter()
            .map(|item| {
                let client = client_of(item)?;
                let object = plan.object(&client.client_id, namespace)?;
                Ok(manifest::manifest(
                    &object,
                    &plan.keys.data(client, &item.value),
                    &manifest::provenance(client, manifest::now()),
                ))
            })
            .collect::<Result<Vec<String>>>()?;
        return Ok(manifest::stream(&documents));
    }
    if destination.to_secret.is_some() {
        // Every name is checked before the first write.
        let objects =
            items.iter().map(|item| plan.object(&client_of(item)?.client_id, namespace)).collect::<Result<Vec<ObjectRef>>>()?;
        for (item, object) in items.iter().zip(objects) {
            store(cluster, &plan, &object, item, resync)?;
        }
    }
    match (&destination.output, &destination.to_secret) {
        (Some(format), _) => render(format, items, destination.asked),
        (None, Some(_)) => Ok(String::new()),
        (None, None) => render(&Format::Shell, items, destination.asked),
    }
}

fn store(cluster: &Cluster, plan: &Plan<'_>, object: &ObjectRef, item: &Printed, resync: Option<&str>) -> Result<()> {
    let client = client_of(item)?;
    let data = plan.keys.data(client, &item.value);
    let names = plan.keys.names();
    let (keys, option) = match (&plan.destination.keys, names.as_slice()) {
        (Some(spec), _) => (format!("keys {}", names.join(", ")), format!("{object} --keys {spec}")),
        (None, [key]) => (format!("key {key}"), format!("{object}:{key}")),
        (None, _) => (format!("keys {}", names.join(", ")), object.to_string()),
    };
    let written = cluster
        .write_secret(object, &data, &manifest::provenance(client, manifest::now()), MANAGED_BY)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn target(text: &str) -> SecretTarget {
        text.parse().unwrap()
    }

    #[test]
    fn targets_keep_namespace_name_and_key_apart() {
        let t = target("apps/{clientId}-auth:secret");
        assert_eq!(
            (t.namespace.as_deref(), t.name.as_str(), t.key.as_deref()),
            (Some("apps"), "{clientId}-auth", Some("secret"))
        );
        assert!(t.per_client());
        let t = target("my-auth:");
        assert_eq!((t.namespace, t.name.as_str(), t.key), (None, "my-auth", None));
        for bad in ["", "/x", "ns/", "a/b/c", ":k"] {
            assert_eq!(
                bad.parse::<SecretTarget>().unwrap_err(),
                format!("{:?} is not [NAMESPACE/]NAME", bad.rsplit_once(':').map_or(bad, |(o, _)| o)),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn a_client_id_cannot_move_the_secret_to_another_namespace() {
        let destination = Destination { to_secret: Some(target("apps/{clientId}")), ..Destination::default() };
        let plan = Plan::new(&destination).unwrap();
        let err = plan.object("../kube-system/x", "services").unwrap_err();
        assert_eq!(err.kind, Kind::Usage);
        assert_eq!(plan.object("one", "services").unwrap().to_string(), "apps/one");
    }

    #[test]
    fn names_are_checked_without_the_namespace() {
        let destination = Destination { to_secret: Some(target("s")), ..Destination::default() };
        let err = check(&destination, &["a".into(), "b".into()]).unwrap_err();
        assert_eq!(err.to_string(), "several clients would be written to Secret s; put {clientId} in --to-secret");
    }
}
