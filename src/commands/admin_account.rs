//! `admin-account create|show|rotate|delete`: the plugin's own admin, a
//! confidential service-account client holding only the management roles
//! the commands use, in the realms it serves. Its credentials live in a
//! Secret (`client-id`, `client-secret`, `realm`) that the existing
//! service-account admin path logs in with; nothing here logs in another way.
//!
//! The account lives in master by default, where each realm's management
//! client is `<realm>-realm`; with `--in-realm` it lives in the one realm it
//! serves, whose management client is `realm-management`.

use std::collections::BTreeMap;

use serde_json::json;

use crate::cli::{AdminAccountArgs, AdminAccountCommand, AdminAccountCreateArgs};
use crate::cluster::{Cluster, ObjectRef};
use crate::error::{Error, Kind, Result};
use crate::keycloak::ClientInfo;
use crate::output::manifest::{self, MANAGED_BY};
use crate::output::{ClientFields, table};
use crate::secret::Secret;
use crate::session::Session;

/// Where the `<realm>-realm` management clients are.
const MASTER: &str = "master";
/// A realm's own management client.
const REALM_MANAGEMENT: &str = "realm-management";
/// What reading secrets and listing clients needs.
const READ_ROLES: [&str; 2] = ["view-clients", "query-clients"];
/// What `--regenerate`, rotation and `create-client` need too.
const MANAGE_ROLE: &str = "manage-clients";
/// Annotation naming the realms the account serves.
const REALMS_ANNOTATION: &str = "kubectl-keycloak/serves-realms";
const WRITTEN_AT: &str = "kubectl-keycloak/written-at";

pub fn check(command: &AdminAccountCommand) -> Result<()> {
    if let AdminAccountCommand::Create(args) = command {
        if args.in_realm && args.realms.len() > 1 {
            return Err(Error::usage("--in-realm puts the account in the one realm it serves: give one --for-realm"));
        }
        if args.in_realm && args.realms.iter().any(|realm| realm == MASTER) {
            return Err(Error::usage("--in-realm with master is the default layout: drop --in-realm"));
        }
    }
    ObjectRef::parse(&account_args(command).secret, "default").map(drop)
}

pub fn run(session: &Session, command: &AdminAccountCommand) -> Result<String> {
    let secret = ObjectRef::parse(&account_args(command).secret, session.namespace())?;
    match command {
        AdminAccountCommand::Create(args) => create(session, args, &secret).map(|()| String::new()),
        AdminAccountCommand::Show(_) => show(session, &secret),
        AdminAccountCommand::Rotate(_) => rotate(session, &secret).map(|()| String::new()),
        AdminAccountCommand::Delete(_) => delete(session, &secret).map(|()| String::new()),
    }
}

fn account_args(command: &AdminAccountCommand) -> &AdminAccountArgs {
    match command {
        AdminAccountCommand::Create(args) => &args.account,
        AdminAccountCommand::Show(args) | AdminAccountCommand::Rotate(args) | AdminAccountCommand::Delete(args) => args,
    }
}

fn create(session: &Session, args: &AdminAccountCreateArgs, secret: &ObjectRef) -> Result<()> {
    let realms = if args.realms.is_empty() { vec![session.realm().to_string()] } else { args.realms.clone() };
    let home = if args.in_realm { realms[0].clone() } else { MASTER.to_string() };
    let api = session.api();
    // Every management client is found before anything is created, so a
    // wrong realm leaves nothing behind.
    let managed = realms
        .iter()
        .map(|realm| {
            let (in_realm, client_id) = if args.in_realm {
                (realm.clone(), REALM_MANAGEMENT.to_string())
            } else {
                (home.clone(), format!("{realm}-realm"))
            };
            match api.find_client(&in_realm, &client_id)? {
                Some(client) => Ok(client),
                None => Err(Error::new(
                    Kind::RealmNotFound,
                    format!("realm {realm:?} has no management client {client_id:?} in realm {in_realm:?}"),
                )
                .hint("check --for-realm")),
            }
        })
        .collect::<Result<Vec<ClientInfo>>>()?;
    // Refused rather than made idempotent: a second create would have to
    // hand out the live secret again or change it under its users.
    if api.find_client(&home, &args.client_id)?.is_some() {
        return Err(Error::new(
            Kind::AlreadyExists,
            format!("admin account {:?} already exists in realm {home:?}: refused, nothing changed", args.client_id),
        )
        .hint("see it with: kubectl keycloak admin-account show; new secret: admin-account rotate; start over: admin-account delete"));
    }
    let representation = json!({
        "clientId": args.client_id,
        "description": "kubectl-keycloak's admin (admin-account create)",
        "enabled": true,
        "protocol": "openid-connect",
        "publicClient": false,
        "clientAuthenticatorType": "client-secret",
        "serviceAccountsEnabled": true,
        "standardFlowEnabled": false,
        "directAccessGrantsEnabled": false,
    });
    let id = api.create_client(&home, &representation)?;
    let client = api.client_by_id(&home, &id)?;
    // Half an account is worse than none: undo the client on any failure.
    let finished = (|| {
        let user = api.service_account_user(&home, &client)?;
        let mut roles: Vec<&str> = READ_ROLES.to_vec();
        if args.manage {
            roles.push(MANAGE_ROLE);
        }
        for management in &managed {
            let representations = api.client_roles(&home, management, &roles)?;
            api.grant_client_roles(&home, &user, management, representations)?;
        }
        let value = super::create_client::secret_of_new_client(session, &home, &client)?;
        let mut annotations = provenance(session, &args.client_id, &home);
        annotations.insert(REALMS_ANNOTATION.to_string(), realms.join(","));
        write(session.cluster(), secret, &args.client_id, &home, value, &annotations)?;
        Ok(roles.join(", "))
    })();
    let roles = match finished {
        Ok(roles) => roles,
        Err(err) => {
            let _ = api.delete_client(&home, &client);
            return Err(err);
        }
    };
    eprintln!(
        "kubectl-keycloak: created admin account {:?} in realm {home:?} with {roles} for realm(s) {}; stored in Secret {secret}",
        args.client_id,
        realms.join(", ")
    );
    Ok(())
}

/// The account's Secret, its clientId and the realm the client lives in.
struct Stored {
    client_id: String,
    realm: String,
    annotations: BTreeMap<String, String>,
}

fn stored(cluster: &Cluster, secret: &ObjectRef) -> Result<Option<Stored>> {
    let Some((data, annotations)) = cluster.secret_if_exists(secret)? else { return Ok(None) };
    let text = |key: &str| data.get(key).map(|bytes| String::from_utf8_lossy(bytes).trim_end().to_string());
    let client_id = text("client-id").filter(|id| !id.is_empty()).ok_or_else(|| {
        Error::new(Kind::NotFound, format!("Secret {secret} has no client-id key: it is not an admin account's Secret"))
    })?;
    Ok(Some(Stored { client_id, realm: text("realm").unwrap_or_else(|| MASTER.to_string()), annotations }))
}

fn required(cluster: &Cluster, secret: &ObjectRef) -> Result<Stored> {
    stored(cluster, secret)?.ok_or_else(|| {
        Error::new(Kind::NotFound, format!("no admin account: Secret {secret} does not exist"))
            .hint("create one with: kubectl keycloak admin-account create")
    })
}

fn show(session: &Session, secret: &ObjectRef) -> Result<String> {
    let account = required(session.cluster(), secret)?;
    let api = session.api();
    let client = api.find_client(&account.realm, &account.client_id)?.ok_or_else(|| {
        Error::new(
            Kind::NotFound,
            format!("Secret {secret} names client {:?} in realm {:?}, which does not exist", account.client_id, account.realm),
        )
        .hint("remove the Secret with: kubectl keycloak admin-account delete")
    })?;
    let user = api.service_account_user(&account.realm, &client)?;
    let mut rows = vec![
        ["client".to_string(), account.client_id.clone(), format!("realm {}", account.realm)],
        ["secret".to_string(), secret.to_string(), age(account.annotations.get(WRITTEN_AT))],
    ];
    if let Some(realms) = account.annotations.get(REALMS_ANNOTATION) {
        rows.push(["realms".to_string(), realms.clone(), String::new()]);
    }
    for (management, roles) in api.client_role_mappings(&account.realm, &user)? {
        rows.push(["roles".to_string(), roles.join(","), management]);
    }
    Ok(table(Some(["FIELD", "VALUE", "WHERE"]), &rows))
}

fn rotate(session: &Session, secret: &ObjectRef) -> Result<()> {
    let account = required(session.cluster(), secret)?;
    let api = session.api();
    let client = api.find_client(&account.realm, &account.client_id)?.ok_or_else(|| {
        Error::new(Kind::NotFound, format!("client {:?} does not exist in realm {:?}", account.client_id, account.realm))
    })?;
    let value = api.regenerate_secret(&account.realm, &client)?;
    let mut annotations = provenance(session, &account.client_id, &account.realm);
    if let Some(realms) = account.annotations.get(REALMS_ANNOTATION) {
        annotations.insert(REALMS_ANNOTATION.to_string(), realms.clone());
    }
    write(session.cluster(), secret, &account.client_id, &account.realm, value, &annotations).map_err(|err| {
        Error::new(
            Kind::PartialFailure,
            format!("the admin account's secret WAS changed in Keycloak, but storing it failed: {err}"),
        )
        .hint("once fixed, run admin-account rotate again (the old secret no longer works)")
    })?;
    eprintln!(
        "kubectl-keycloak: rotated the secret of admin account {:?} (realm {:?}); Secret {secret} updated, the old secret no longer works",
        account.client_id, account.realm
    );
    Ok(())
}

fn delete(session: &Session, secret: &ObjectRef) -> Result<()> {
    let account = required(session.cluster(), secret)?;
    let api = session.api();
    let client = api.find_client(&account.realm, &account.client_id)?;
    if let Some(client) = &client {
        api.delete_client(&account.realm, client)?;
    }
    session.cluster().delete_secret(secret)?;
    let gone = if client.is_some() { "deleted client" } else { "client was already gone:" };
    eprintln!("kubectl-keycloak: {gone} {:?} in realm {:?}; deleted Secret {secret}", account.client_id, account.realm);
    Ok(())
}

fn provenance(session: &Session, client_id: &str, realm: &str) -> BTreeMap<String, String> {
    manifest::provenance(&ClientFields::new(client_id, realm, session.api().base_url()), manifest::now())
}

fn write(
    cluster: &Cluster,
    secret: &ObjectRef,
    client_id: &str,
    realm: &str,
    value: Secret,
    annotations: &BTreeMap<String, String>,
) -> Result<()> {
    let data = [
        ("client-id".to_string(), Secret::new(client_id)),
        ("client-secret".to_string(), value),
        ("realm".to_string(), Secret::new(realm)),
    ];
    cluster
        .write_secret(secret, &data, annotations, MANAGED_BY)
        .map(drop)
        .map_err(|err| err.hint_for(Kind::NotFound, "check the namespace of --secret (it must exist)"))
}

/// How long ago the secret was written, from the provenance annotation.
fn age(written_at: Option<&String>) -> String {
    let Some(written) = written_at.and_then(|text| text.parse::<jiff::Timestamp>().ok()) else {
        return "written at an unknown time".to_string();
    };
    let seconds = (jiff::Timestamp::now().as_second() - written.as_second()).max(0);
    let (days, hours, minutes) = (seconds / 86400, seconds % 86400 / 3600, seconds % 3600 / 60);
    let age = match (days, hours, minutes) {
        (0, 0, 0) => format!("{seconds}s"),
        (0, 0, m) => format!("{m}m"),
        (0, h, m) => format!("{h}h{m}m"),
        (d, h, _) => format!("{d}d{h}h"),
    };
    format!("written {written} ({age} ago)")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_read_like_durations() {
        let at = |ago: i64| jiff::Timestamp::from_second(jiff::Timestamp::now().as_second() - ago).unwrap().to_string();
        assert!(age(Some(&at(90))).ends_with("(1m ago)"), "{}", age(Some(&at(90))));
        assert!(age(Some(&at(2 * 86400 + 3 * 3600))).ends_with("(2d3h ago)"));
        assert_eq!(age(None), "written at an unknown time");
    }
}
