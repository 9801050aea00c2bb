//! `audit`: for each confidential client, the Secrets in the cluster that
//! hold its current secret, those that claim to but hold another value
//! (drift), the workloads reading each, and the secret's age and expiry.
//! Never a secret value: values are compared in memory and dropped.

use serde_json::{Value, json};

use crate::cli::AuditArgs;
use crate::copies::{self, Consumer, Holder, Wanted};
use crate::error::{Kind, Result};
use crate::keycloak::ClientInfo;
use crate::output::{self, ListFormat};
use crate::secret::Secret;
use crate::session::Session;

/// One client audited: what Keycloak says, what the cluster holds.
struct Audited {
    client: ClientInfo,
    holders: Vec<Holder>,
}

pub fn run(session: &Session, args: &AuditArgs) -> Result<String> {
    let (keycloak, realm) = (session.api(), session.realm());
    let mut found: Vec<(ClientInfo, Secret)> = Vec::new();
    let mut without_secret = 0usize;
    let mut keep = |client: ClientInfo, secret: Result<Secret>| -> Result<()> {
        match secret {
            Ok(secret) => found.push((client, secret)),
            Err(err) if err.kind == Kind::NoSecret => without_secret += 1,
            Err(err) => return Err(err),
        }
        Ok(())
    };
    if args.which.search.is_some() || args.which.all {
        super::each_confidential(session, &args.which, |client| {
            let secret = match client.secret.clone() {
                Some(secret) => Ok(secret),
                None => keycloak.client_secret(realm, &client),
            };
            keep(client, secret)
        })?;
    } else {
        for client_id in &args.which.clients {
            let client = super::client_secret::find(session, client_id)?;
            let secret = keycloak.client_secret(realm, &client);
            if let Err(err) = &secret
                && err.kind == Kind::NoSecret
            {
                return Err(client.no_secret(realm));
            }
            keep(client, secret)?;
        }
    }
    let wanted: Vec<Wanted<'_>> = found.iter().map(|(client, secret)| Wanted { client_id: &client.client_id, secret }).collect();
    let scan = copies::scan(session.cluster(), realm, &wanted, session.namespace())?;
    drop(wanted);
    let note = scan.note();
    let audited: Vec<Audited> =
        found.into_iter().zip(scan.holders).map(|((client, _secret), holders)| Audited { client, holders }).collect();
    let now = jiff::Timestamp::now().as_second();
    let list = Value::Array(audited.iter().map(|a| record(a, session.realm(), now)).collect());
    let text = match (args.output.structured(&list)?, &args.output) {
        (Some(text), _) => text,
        (None, ListFormat::Wide) => output::wide_table(
            Some(["CLIENT", "AGE", "EXPIRES", "SECRET", "KEYS", "STATE", "FOUND BY", "READ BY"]),
            &audited.iter().flat_map(|a| rows(a, now)).collect::<Vec<_>>(),
        ),
        (None, _) => output::table(
            Some(["CLIENT", "AGE", "SECRET", "KEYS", "STATE", "READ BY"]),
            &audited
                .iter()
                .flat_map(|a| rows(a, now))
                .map(|row| {
                    [row[0].clone(), row[1].clone(), row[3].clone(), row[4].clone(), row[5].clone(), short_readers(&row[7])]
                })
                .collect::<Vec<_>>(),
        ),
    };
    if let Some(note) = note {
        eprintln!("{note}");
    }
    if without_secret > 0 {
        eprintln!("kubectl-keycloak: skipped {without_secret} confidential clients with no secret yet");
    }
    Ok(text)
}

/// The wide rows of one client: one per Secret, or one saying none.
fn rows(audited: &Audited, now: i64) -> Vec<[String; 8]> {
    let client = &audited.client;
    let age = client.secret_age(now).map_or_else(|| "<unknown>".to_string(), output::age);
    let expires = client.secret_expires.map_or_else(|| "<none>".to_string(), timestamp);
    if audited.holders.is_empty() {
        return vec![[
            client.client_id.clone(),
            age,
            expires,
            "<none>".into(),
            String::new(),
            "no copy".into(),
            String::new(),
            String::new(),
        ]];
    }
    audited
        .holders
        .iter()
        .map(|holder| {
            let keys = if holder.drifted() { "-".to_string() } else { holder.keys.join(",") };
            let state = if holder.drifted() { "drift" } else { "current" };
            let readers: Vec<String> = holder.consumers.iter().map(Consumer::to_string).collect();
            [
                client.client_id.clone(),
                age.clone(),
                expires.clone(),
                holder.object.to_string(),
                keys,
                state.into(),
                holder.found_by.as_str().into(),
                readers.join(","),
            ]
        })
        .collect()
}

/// The first reader and how many more: the default table stays narrow.
fn short_readers(all: &str) -> String {
    let mut readers = all.split(',').filter(|r| !r.is_empty());
    match (readers.next(), readers.count()) {
        (None, _) => String::new(),
        (Some(first), 0) => first.to_string(),
        (Some(first), more) => format!("{first} +{more}"),
    }
}

fn record(audited: &Audited, realm: &str, now: i64) -> Value {
    let client = &audited.client;
    let holder = |h: &Holder| {
        json!({
            "namespace": h.object.namespace,
            "name": h.object.name,
            "keys": h.keys,
            "foundBy": h.found_by.as_str(),
            "readers": h.consumers.iter().map(|c| json!({
                "kind": c.kind.as_str(),
                "namespace": c.object.namespace,
                "name": c.object.name,
                "via": c.via,
            })).collect::<Vec<_>>(),
        })
    };
    json!({
        "clientId": client.client_id,
        "realm": realm,
        "secretCreated": client.secret_created.map(timestamp),
        "ageSeconds": client.secret_age(now),
        "secretExpires": client.secret_expires.map(timestamp),
        "copies": audited.holders.iter().filter(|h| !h.drifted()).map(holder).collect::<Vec<_>>(),
        "drifted": audited.holders.iter().filter(|h| h.drifted()).map(holder).collect::<Vec<_>>(),
    })
}

fn timestamp(seconds: i64) -> String {
    jiff::Timestamp::from_second(seconds).map_or_else(|_| seconds.to_string(), |at| at.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_table_names_one_reader_and_counts_the_rest() {
        assert_eq!(short_readers(""), "");
        assert_eq!(short_readers("deploy/ims/a"), "deploy/ims/a");
        assert_eq!(short_readers("deploy/ims/a,sts/x/b,ds/y/c"), "deploy/ims/a +2");
    }
}
