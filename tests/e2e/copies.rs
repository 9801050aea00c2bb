//! `audit` and `client-secret --sync`: every copy of a client's secret in
//! the cluster found (by CSM's `CLIENT-auth` naming, by our provenance, by
//! value), the drifted one reported and left alone, the readers found and
//! restarted by their controllers, and a half-done sync that says how to
//! finish.
//!
//! Each test seeds its own client the way CSM lays out a service's secret:
//! `CLIENT-auth` (keys client-id, client-secret) in services, default and
//! ims, read by a Deployment in each (by env in two, by a volume in one);
//! a copy under another name with our provenance; a stale copy.

use serde_json::{Value, json};

use crate::common::Run;
use crate::sandbox::{kubectl, sandbox, secret_data, unique};

pub struct Seeded {
    pub client: String,
    pub secret: String,
}

fn provenance(client: &str) -> Value {
    json!({
        "kubectl-keycloak/client-id": client,
        "kubectl-keycloak/realm": "shasta",
        "kubectl-keycloak/keycloak-url": sandbox().keycloak_url,
        "kubectl-keycloak/written-at": "2026-01-01T00:00:00Z",
    })
}

fn secret(namespace: &str, name: &str, data: Value, annotations: Value) -> Value {
    json!({
        "apiVersion": "v1", "kind": "Secret",
        "metadata": {"name": name, "namespace": namespace, "annotations": annotations},
        "stringData": data,
    })
}

fn reader(namespace: &str, name: &str, secret: &str, by_volume: bool) -> Value {
    let mut container = json!({"name": "app", "image": "registry.local/app:1"});
    let mut pod = json!({});
    if by_volume {
        container["volumeMounts"] = json!([{"name": "auth", "mountPath": "/etc/auth"}]);
        pod["volumes"] = json!([{"name": "auth", "secret": {"secretName": secret}}]);
    } else {
        container["env"] =
            json!([{"name": "CLIENT_SECRET", "valueFrom": {"secretKeyRef": {"name": secret, "key": "client-secret"}}}]);
    }
    pod["containers"] = json!([container]);
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "namespace": namespace, "labels": {"app": name}},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name}}, "spec": pod},
        },
    })
}

/// A confidential client and its copies, as described at the top.
fn seed(prefix: &str) -> Seeded {
    seed_as(unique(prefix))
}

/// [`seed`] under a fixed name (the golden tables' client): a client left
/// by an earlier run is made anew, so its copies hold the current secret.
pub fn seed_as(client: String) -> Seeded {
    if let Some(old) = sandbox().client("shasta", &client) {
        let (status, body) = sandbox().admin("DELETE", &format!("/shasta/clients/{}", old["id"].as_str().unwrap()), None);
        assert_eq!(status, 204, "{body}");
    }
    // Created over REST without a secret: Keycloak makes one (and, from 18
    // on, records when).
    let representation = json!({
        "clientId": client, "enabled": true, "protocol": "openid-connect", "publicClient": false,
        "serviceAccountsEnabled": true,
    });
    let (status, body) = sandbox().admin("POST", "/shasta/clients", Some(representation));
    assert_eq!(status, 201, "{body}");
    let value = sandbox().secret_of("shasta", &client);
    let auth = format!("{client}-auth");
    let csm = json!({"client-id": client, "client-secret": value});
    let items = vec![
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "ims"}}),
        secret("services", &auth, csm.clone(), json!({})),
        secret("default", &auth, csm.clone(), json!({})),
        secret("ims", &auth, csm, json!({})),
        secret("default", &format!("{client}-copy"), json!({"password": value}), provenance(&client)),
        secret("ims", &format!("{client}-stale"), json!({"client-secret": "an-old-value"}), provenance(&client)),
        reader("services", &format!("{client}-reader"), &auth, false),
        reader("default", &format!("{client}-reader"), &auth, false),
        reader("ims", &format!("{client}-reader"), &auth, true),
    ];
    kubectl(&["apply", "-f", "-"], &json!({"apiVersion": "v1", "kind": "List", "items": items}).to_string());
    Seeded { client, secret: value }
}

fn readers(namespace: &str, client: &str, via: &str) -> Value {
    json!([{"kind": "Deployment", "namespace": namespace, "name": format!("{client}-reader"), "via": [via]}])
}

fn holder(namespace: &str, name: &str, keys: &[&str], found_by: &str, readers: Value) -> Value {
    json!({"namespace": namespace, "name": name, "keys": keys, "foundBy": found_by, "readers": readers})
}

#[test]
fn audit_finds_every_copy_the_drift_and_their_readers() {
    let Seeded { client, .. } = seed("kk-audit");
    let auth = format!("{client}-auth");
    let out = Run::kubectl(&["audit", &client, "-o", "json"]).run().success();
    let mut found: Value = serde_json::from_str(&out.stdout).unwrap();
    let age = found[0].as_object_mut().unwrap().remove("ageSeconds").unwrap();
    let created = found[0].as_object_mut().unwrap().remove("secretCreated").unwrap();
    if sandbox().version.starts_with("16.") {
        // Keycloak 16 records no secret creation time.
        assert_eq!((age, created), (Value::Null, Value::Null));
    } else {
        assert!(age.as_i64().is_some_and(|seconds| (0..600).contains(&seconds)), "{age}");
        assert!(created.as_str().is_some_and(|at| at.ends_with('Z')), "{created}");
    }
    assert_eq!(
        found,
        json!([{
            "clientId": client,
            "realm": "shasta",
            "secretExpires": null,
            "copies": [
                holder("default", &auth, &["client-secret"], "name", readers("default", &client, "env")),
                holder("default", &format!("{client}-copy"), &["password"], "provenance", json!([])),
                holder("ims", &auth, &["client-secret"], "name", readers("ims", &client, "volume")),
                holder("services", &auth, &["client-secret"], "name", readers("services", &client, "env")),
            ],
            "drifted": [holder("ims", &format!("{client}-stale"), &[], "provenance", json!([]))],
        }])
    );
    // The table a person reads: one row per Secret.
    let table = Run::kubectl(&["audit", &client]).run().success().stdout;
    let rows: Vec<Vec<&str>> = table.lines().map(|line| line.split_whitespace().collect()).collect();
    assert_eq!(rows[0], ["CLIENT", "AGE", "SECRET", "KEYS", "STATE", "READ", "BY"]);
    let row = |secret: &str| rows.iter().find(|r| r.get(2) == Some(&secret)).unwrap_or_else(|| panic!("{table}"));
    assert_eq!(row(&format!("services/{auth}"))[3..], ["client-secret", "current", &format!("deploy/services/{client}-reader")]);
    assert_eq!(row(&format!("ims/{client}-stale"))[3..], ["-", "drift"]);
    assert_eq!(rows.len(), 6, "{table}");
}

#[test]
fn a_secret_imported_with_the_realm_has_no_known_age() {
    // The sandbox imports my-test-client with a fixed secret.
    let out = Run::kubectl(&["audit", "my-test-client", "-o", "json"]).run().success();
    let found: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!((&found[0]["ageSeconds"], &found[0]["secretCreated"]), (&Value::Null, &Value::Null));
    let table = Run::kubectl(&["audit", "my-test-client"]).run().success().stdout;
    assert!(table.lines().skip(1).all(|line| line.split_whitespace().nth(1) == Some("<unknown>")), "{table}");
}

#[test]
fn a_namespace_whose_secrets_may_not_be_listed_is_named_never_reported_empty() {
    let Seeded { client, .. } = seed("kk-audit-rbac");
    let out = Run::kubectl(&["audit", &client, "-o", "json", "--as", "sandbox-auditor"]).run();
    assert_eq!(out.code, 0, "{out:?}");
    let note = out.stderr.trim_end();
    assert!(
        note.starts_with("kubectl-keycloak: may not list Secrets in ")
            && note.contains(" not searched: ")
            && !note.contains('\n'),
        "{out:?}"
    );
    let not_searched: Vec<&str> = note.split(" not searched: ").nth(1).unwrap().split(", ").collect();
    assert!(not_searched.contains(&"default") && !not_searched.contains(&"ims") && !not_searched.contains(&"services"), "{note}");
    let found: Value = serde_json::from_str(&out.stdout).unwrap();
    let names: Vec<String> = found[0]["copies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| format!("{}/{}", c["namespace"], c["name"]).replace('"', ""))
        .collect();
    assert_eq!(names, [format!("ims/{client}-auth"), format!("services/{client}-auth")]);
}

/// The ReplicaSets of a client's reader in `namespace`.
fn replica_sets(namespace: &str, client: &str) -> usize {
    let out = kubectl(&["get", "rs", "-n", namespace, "-l", &format!("app={client}-reader"), "-o", "json"], "");
    serde_json::from_str::<Value>(&out).unwrap()["items"].as_array().unwrap().len()
}

fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !done() {
        assert!(std::time::Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(std::time::Duration::from_millis(250));
    }
}

/// Whether Keycloak accepts this secret for the client.
fn accepted(client: &str, secret: &str) -> bool {
    let url = format!("{}/realms/shasta/protocol/openid-connect/token", sandbox().keycloak_url);
    let form = [("grant_type", "client_credentials"), ("client_id", client), ("client_secret", secret)];
    match sandbox().agent().post(&url).config().http_status_as_error(false).build().send_form(form) {
        Ok(response) => response.status().as_u16() == 200,
        Err(err) => panic!("token request: {err}"),
    }
}

#[test]
fn regenerate_sync_restart_updates_every_copy_and_rolls_every_reader() {
    let Seeded { client, secret: old } = seed("kk-sync");
    let auth = format!("{client}-auth");
    for namespace in ["services", "default", "ims"] {
        wait_for("the first ReplicaSet", || replica_sets(namespace, &client) == 1);
    }
    let out = Run::kubectl(&["client-secret", &client, "--regenerate", "--sync", "--restart", "--yes"]).run();
    assert_eq!((out.code, out.stdout.as_str()), (0, ""), "{out:?}");
    let new = sandbox().secret_of("shasta", &client);
    assert_ne!(new, old);
    let expected: Vec<String> = [
        format!("updated Secret default/{auth} (key client-secret)"),
        format!("updated Secret default/{client}-copy (key password)"),
        format!("updated Secret ims/{auth} (key client-secret)"),
        format!("updated Secret services/{auth} (key client-secret)"),
        format!("restarted deploy/default/{client}-reader"),
        format!("restarted deploy/ims/{client}-reader"),
        format!("restarted deploy/services/{client}-reader"),
        format!("left drifted Secret ims/{client}-stale unchanged (it holds another value)"),
    ]
    .iter()
    .map(|line| format!("kubectl-keycloak: {line}"))
    .collect();
    assert_eq!(out.stderr.lines().collect::<Vec<_>>(), expected);
    for namespace in ["services", "default", "ims"] {
        assert_eq!(secret_data(namespace, &auth), json!({"client-id": client, "client-secret": new}));
        wait_for("a new ReplicaSet", || replica_sets(namespace, &client) == 2);
    }
    assert_eq!(secret_data("default", &format!("{client}-copy")), json!({"password": new}));
    assert_eq!(secret_data("ims", &format!("{client}-stale")), json!({"client-secret": "an-old-value"}));
    assert!(accepted(&client, &new), "the new secret works");
    assert!(!accepted(&client, &old), "the old secret is refused");
}

/// The seeded Secrets' resourceVersions and the Deployments' generations
/// (their status keeps changing as the controllers work; their spec must not).
fn versions(client: &str) -> Vec<String> {
    ["services", "default", "ims"]
        .iter()
        .flat_map(|namespace| {
            let out = kubectl(&["get", "secret,deploy", "-n", namespace, "-o", "json"], "");
            let list: Value = serde_json::from_str(&out).unwrap();
            list["items"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|item| item["metadata"]["name"].as_str().unwrap().starts_with(client))
                .map(|item| {
                    let meta = &item["metadata"];
                    let version = if item["kind"] == "Secret" { &meta["resourceVersion"] } else { &meta["generation"] };
                    format!("{}/{}={version}", item["kind"], meta["name"])
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn dry_run_prints_the_plan_and_changes_nothing() {
    let Seeded { client, secret } = seed("kk-sync-dry");
    let before = versions(&client);
    let out = Run::kubectl(&["client-secret", &client, "--regenerate", "--sync", "--restart", "--dry-run"]).run();
    assert_eq!((out.code, out.stdout.as_str()), (0, ""), "{out:?}");
    let auth = format!("{client}-auth");
    let expected = format!(
        "Plan for client \"{client}\" in realm \"shasta\":\n  \
         regenerate its secret in Keycloak (the current one stops working at once)\n  \
         update Secret default/{auth} key client-secret\n  update Secret default/{client}-copy key password\n  \
         update Secret ims/{auth} key client-secret\n  update Secret services/{auth} key client-secret\n  \
         restart deploy/default/{client}-reader\n  restart deploy/ims/{client}-reader\n  restart deploy/services/{client}-reader\n  \
         leave Secret ims/{client}-stale alone: it claims to be a copy but holds another value (name it with --to-secret to update it)\n\
         kubectl-keycloak: --dry-run: nothing was changed\n"
    );
    assert_eq!(out.stderr, expected);
    assert_eq!(sandbox().secret_of("shasta", &client), secret);
    assert_eq!(versions(&client), before);
}

#[test]
fn a_refused_update_stops_with_exit_16_the_exact_list_and_a_command_that_finishes() {
    let Seeded { client, secret: old } = seed("kk-sync-refused");
    let auth = format!("{client}-auth");
    // An immutable Secret: the API server refuses any change of its data.
    kubectl(&["patch", "secret", "-n", "ims", &auth, "--type", "merge", "-p", r#"{"immutable":true}"#], "");
    let out = Run::kubectl(&["client-secret", &client, "--regenerate", "--sync", "--yes"]).run();
    let resume = format!(
        "kubectl keycloak client-secret {client} --realm shasta --sync --to-secret ims/{auth}:client-secret \
         --to-secret services/{auth}:client-secret"
    );
    out.fails_with_cause(
        16,
        &format!(
            "kubectl-keycloak: error: the secret of client \"{client}\" WAS regenerated in Keycloak, then the sync stopped: \
             cannot write key \"client-secret\" of Secret ims/{auth}: "
        ),
        "immutable",
        &format!(
            "; updated: default/{auth}:client-secret, default/{client}-copy:password; \
             NOT updated: ims/{auth}:client-secret, services/{auth}:client-secret; once fixed, finish without regenerating: {resume}"
        ),
    );
    let new = sandbox().secret_of("shasta", &client);
    assert_ne!(new, old);
    assert_eq!(secret_data("services", &auth)["client-secret"], json!(old));
    // Fixed: the Secret made again, mutable (an immutable one cannot be changed back).
    kubectl(&["delete", "secret", "-n", "ims", &auth], "");
    kubectl(
        &["apply", "-f", "-"],
        &secret("ims", &auth, json!({"client-id": client, "client-secret": old}), json!({})).to_string(),
    );
    let words: Vec<&str> = resume.strip_prefix("kubectl keycloak ").unwrap().split(' ').collect();
    let out = Run::kubectl(&words).run();
    assert_eq!((out.code, out.stdout.as_str()), (0, ""), "{out:?}");
    for namespace in ["services", "default", "ims"] {
        assert_eq!(secret_data(namespace, &auth)["client-secret"], json!(new), "{namespace}");
    }
    assert_eq!(sandbox().secret_of("shasta", &client), new, "finishing did not regenerate");
}

/// Make Keycloak's record of when the client's secret was made `days` old.
pub fn age_secret(client: &str, days: i64) {
    let mut representation = sandbox().client("shasta", client).unwrap();
    let id = representation["id"].as_str().unwrap().to_string();
    let created = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64 - days * 86_400;
    representation["attributes"]["client.secret.creation.time"] = json!(created.to_string());
    let (status, body) = sandbox().admin("PUT", &format!("/shasta/clients/{id}"), Some(representation));
    assert_eq!(status, 204, "{body}");
}

#[test]
fn older_than_rotates_only_the_secrets_past_the_age_after_asking() {
    let prefix = unique("kk-policy");
    let old = seed(&format!("{prefix}-old"));
    let young = seed(&format!("{prefix}-young"));
    age_secret(&old.client, 100);
    let command = ["client-secret", "--search", &prefix, "--older-than", "90d", "--regenerate"];
    Run::kubectl(&command).run().fails_with(
        2,
        "kubectl-keycloak: error: refusing to regenerate the secrets of 1 clients in realm \"shasta\" without --yes: \
         stdin is not a terminal to ask on",
    );
    assert_eq!(sandbox().secret_of("shasta", &old.client), old.secret);
    let out = Run::kubectl(&[&command[..], &["--sync", "--yes"]].concat()).run();
    assert_eq!((out.code, out.stdout.as_str()), (0, ""), "{out:?}");
    let new = sandbox().secret_of("shasta", &old.client);
    assert_ne!(new, old.secret);
    assert_eq!(sandbox().secret_of("shasta", &young.client), young.secret, "a younger secret is kept");
    for namespace in ["services", "default", "ims"] {
        assert_eq!(secret_data(namespace, &format!("{}-auth", old.client))["client-secret"], json!(new));
    }
    let last =
        out.stderr.lines().filter(|line| !line.contains("updated Secret") && !line.contains("drifted")).collect::<Vec<_>>();
    let mut expected = vec!["kubectl-keycloak: rotated 1 clients with a secret older than 90d".to_string()];
    if sandbox().version.starts_with("16.") {
        // Keycloak 16 records no creation time: the young client's age is unknown.
        expected.push(
            "kubectl-keycloak: left alone 1 confidential clients whose secret has no recorded age (imported, or Keycloak before 18)"
                .into(),
        );
    }
    assert_eq!(last, expected, "{out:?}");
}
