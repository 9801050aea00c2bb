//! `client-secret --search` and `--all`: every confidential client found,
//! exactly once, over several pages; the others counted in one note.

use serde_json::{Value, json};

use crate::common::Run;
use crate::sandbox::{enc, kubectl, sandbox, secret_data, unique};

fn create(realm: &str, representation: Value) {
    let (status, body) = sandbox().admin("POST", &format!("/{}/clients", enc(realm)), Some(representation));
    assert_eq!(status, 201, "{body}");
}

/// Three confidential clients, one public and one bearer-only, all named
/// PREFIX-…; their clientIds and secrets.
fn seed(prefix: &str) -> Vec<(String, String)> {
    let confidential: Vec<(String, String)> =
        ["a", "b", "c"].iter().map(|s| (format!("{prefix}-{s}"), format!("bulk-secret-{s}-{prefix}"))).collect();
    for (client, secret) in &confidential {
        sandbox().ensure_client("shasta", client, secret);
    }
    create("shasta", json!({"clientId": format!("{prefix}-pub"), "enabled": true, "publicClient": true}));
    create("shasta", json!({"clientId": format!("{prefix}-bearer"), "enabled": true, "bearerOnly": true}));
    confidential
}

fn variable(client: &str) -> String {
    format!("{}_SECRET", client.to_uppercase().replace('-', "_"))
}

#[test]
fn search_takes_every_confidential_match_once_across_pages() {
    let prefix = unique("kk-bulk");
    let clients = seed(&prefix);
    let note = "kubectl-keycloak: skipped 1 public and 1 bearer-only clients: they have no secret";
    let out = Run::kubectl(&["client-secret", "--search", &prefix, "-o", "json", "--page-size", "2"]).run().success_noting(note);
    let found: Vec<(String, String)> = serde_json::from_str::<Value>(&out.stdout)
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["clientId"].as_str().unwrap().to_string(), r["secret"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(found, clients);
    let expected: String = clients.iter().map(|(client, secret)| format!("export {}='{secret}'\n", variable(client))).collect();
    Run::kubectl(&["client-secret", "--search", &prefix.to_uppercase(), "--page-size", "1"])
        .run()
        .success_noting(note)
        .stdout_is(&expected);
}

#[test]
fn search_writes_one_secret_per_client_through_a_name_template() {
    let prefix = unique("kk-bulk-store");
    let clients = seed(&prefix);
    let out = Run::kubectl(&[
        "client-secret",
        "--search",
        &prefix,
        "--to-secret",
        "default/{clientId}-auth",
        "--keys",
        "client-id,client-secret",
    ])
    .run();
    let mut expected: Vec<String> = clients
        .iter()
        .map(|(client, _)| {
            format!(
                "kubectl-keycloak: created Secret default/{client}-auth (keys client-id, client-secret) with the secret of client \"{client}\""
            )
        })
        .collect();
    expected.push("kubectl-keycloak: skipped 1 public and 1 bearer-only clients: they have no secret".into());
    assert_eq!(
        (out.code, out.stdout.as_str(), out.stderr.lines().collect::<Vec<_>>()),
        (0, "", expected.iter().map(String::as_str).collect())
    );
    for (client, secret) in &clients {
        assert_eq!(secret_data("default", &format!("{client}-auth")), json!({"client-id": client, "client-secret": secret}));
    }
}

#[test]
fn hostile_client_ids_in_a_name_template_are_refused_before_any_write() {
    let prefix = unique("kk-bulk-hostile");
    sandbox().ensure_client("shasta", &format!("{prefix}-ok"), "bulk-hostile-secret-1");
    sandbox().ensure_client("shasta", &format!("{prefix}-Bad 'Name'"), "bulk-hostile-secret-2");
    Run::kubectl(&["client-secret", "--search", &prefix, "--to-secret", "default/{clientId}"]).run().fails_with(
        2,
        &format!(
            "kubectl-keycloak: error: \"{prefix}-Bad 'Name'\" cannot name a Secret (--to-secret for clientId \"{prefix}-Bad 'Name'\"): \
             use lower-case letters, digits, '-' and '.', starting and ending with a letter or digit \
             (a DNS-1123 subdomain, at most 253 characters)"
        ),
    );
    let listed = kubectl(&["get", "secret", "-n", "default", "-o", "name"], "");
    assert!(!listed.contains(&prefix), "a Secret was written: {listed}");
}

#[test]
fn all_takes_every_confidential_client_of_the_realm() {
    let realm = "kk-bulk-all";
    sandbox().ensure_realm(realm);
    sandbox().ensure_client(realm, "bulk-one", "bulk-all-secret-1");
    sandbox().ensure_client(realm, "bulk-two", "bulk-all-secret-2");
    let (status, listed) = sandbox().admin("GET", &format!("/{realm}/clients?first=0&max=1000"), None);
    assert_eq!(status, 200);
    let listed = listed.as_array().unwrap();
    let is = |c: &Value, flag: &str| c[flag].as_bool().unwrap_or(false);
    let public = listed.iter().filter(|c| is(c, "publicClient")).count();
    let bearer_only = listed.iter().filter(|c| !is(c, "publicClient") && is(c, "bearerOnly")).count();
    let mut confidential: Vec<String> = listed
        .iter()
        .filter(|c| !is(c, "publicClient") && !is(c, "bearerOnly"))
        .map(|c| c["clientId"].as_str().unwrap().to_string())
        .collect();
    confidential.sort();
    let out = Run::kubectl(&["client-secret", "--all", "--realm", realm, "-o", "json", "--page-size", "3"]).run().success_noting(
        &format!("kubectl-keycloak: skipped {public} public and {bearer_only} bearer-only clients: they have no secret"),
    );
    let records: Value = serde_json::from_str(&out.stdout).unwrap();
    let mut found: Vec<String> =
        records.as_array().unwrap().iter().map(|r| r["clientId"].as_str().unwrap().to_string()).collect();
    for record in records.as_array().unwrap() {
        crate::common::register_secret(record["secret"].as_str().unwrap());
    }
    found.sort();
    assert_eq!(found, confidential);
    assert!(found.contains(&"bulk-one".to_string()) && found.contains(&"bulk-two".to_string()));
}

#[test]
fn a_search_without_confidential_clients_is_an_error() {
    let prefix = unique("kk-bulk-none");
    create("shasta", json!({"clientId": format!("{prefix}-pub"), "enabled": true, "publicClient": true}));
    Run::kubectl(&["client-secret", "--search", &prefix]).run().fails_with(
        11,
        &format!(
            "kubectl-keycloak: error: no confidential client matching \"{prefix}\" in realm \"shasta\"; \
             skipped 1 public and 0 bearer-only clients: they have no secret"
        ),
    );
    Run::kubectl(&["client-secret", "--search", "kk-no-such-client-anywhere"]).run().fails_with(
        11,
        "kubectl-keycloak: error: no confidential client matching \"kk-no-such-client-anywhere\" in realm \"shasta\"; \
         list the clients with: kubectl keycloak clients --search TEXT",
    );
}

#[test]
fn json_is_shaped_by_what_was_asked_not_by_how_many_were_found() {
    let prefix = unique("kk-bulk-shape");
    let (client, secret) = (format!("{prefix}-only"), format!("shape-secret-{prefix}"));
    sandbox().ensure_client("shasta", &client, &secret);
    let json = |args: &[&str]| -> Value { serde_json::from_str(&Run::kubectl(args).run().success().stdout).unwrap() };
    // --search that finds one client: still an array, of one.
    let found = json(&["client-secret", "--search", &prefix, "-o", "json"]);
    assert_eq!(found.as_array().map(|a| a.iter().map(|r| r["secret"].clone()).collect::<Vec<_>>()), Some(vec![json!(secret)]));
    // One name: one object; two names: an array of two, in the order given.
    assert_eq!(json(&["client-secret", &client, "-o", "json"])["secret"], json!(secret));
    let two = json(&["client-secret", &client, "my-test-client", "-o", "json"]);
    let ids: Vec<&str> = two.as_array().unwrap().iter().map(|r| r["clientId"].as_str().unwrap()).collect();
    assert_eq!(ids, [client.as_str(), "my-test-client"]);
}

#[test]
fn progress_shows_on_a_terminal_only_and_is_cleared_before_the_output() {
    let prefix = unique("kk-bulk-progress");
    seed(&prefix);
    let note = "kubectl-keycloak: skipped 1 public and 1 bearer-only clients: they have no secret";
    let piped =
        Run::kubectl(&["client-secret", "--search", &prefix, "-o", "json", "--page-size", "1"]).run().success_noting(note);
    assert!(!piped.stderr.contains("clients read"), "{piped:?}");
    // Under a pseudo-terminal (script(1)): stderr is the terminal, stdout a file.
    let file = crate::common::scratch_file(&format!("{prefix}.json"));
    let on_terminal = |extra: &str| {
        let line = format!("kubectl keycloak client-secret --search {prefix} -o json --page-size 1{extra} > {}", file.display());
        // (a terminal sets TERM; without it, indicatif draws nothing)
        let out = Run::program("script", &["-qec", &line, "/dev/null"]).env("TERM", "xterm-256color").run();
        assert_eq!(out.code, 0, "{out:?}");
        (out.stdout, std::fs::read_to_string(&file).unwrap())
    };
    let (terminal, stdout) = on_terminal("");
    assert_eq!(stdout, piped.stdout, "the output is the same on a terminal");
    let shown = terminal.rfind("clients read").unwrap_or_else(|| panic!("no progress on the terminal:\n{terminal:?}"));
    let cleared = terminal.rfind("\r\x1b[2K").expect("the progress line is cleared");
    assert!(cleared > shown, "{terminal:?}");
    assert!(terminal[cleared..].starts_with(&format!("\r\x1b[2K{note}")), "{terminal:?}");
    // -v traces instead.
    let (verbose, _) = on_terminal(" -v");
    assert!(!verbose.contains("clients read"), "{verbose:?}");
}

/// A confidential client Keycloak holds no secret for: Keycloak 16 creates
/// one that way over REST when no `protocol` is sent (and generates one on
/// the next update); 21 and 26 generate one then, and keep an empty secret
/// a representation sets (an import, a tool that blanked it).
fn confidential_without_secret(client: &str) {
    if sandbox().version.starts_with("16.") {
        create("shasta", json!({"clientId": client, "enabled": true, "publicClient": false}));
    } else {
        create("shasta", json!({"clientId": client, "enabled": true, "publicClient": false, "secret": ""}));
    }
    let id = sandbox().client("shasta", client).unwrap()["id"].as_str().unwrap().to_string();
    let (status, body) = sandbox().admin("GET", &format!("/{}/clients/{id}/client-secret", enc("shasta")), None);
    assert_eq!(status, 200, "{body}");
    assert!(body["value"].as_str().is_none_or(str::is_empty), "Keycloak {} gave {client} a secret", sandbox().version);
}

#[test]
fn a_confidential_client_without_a_secret_is_skipped_and_counted_never_fatal() {
    let prefix = unique("kk-bulk-nosecret");
    let clients = seed(&prefix);
    confidential_without_secret(&format!("{prefix}-empty"));
    let note = "kubectl-keycloak: skipped 1 public and 1 bearer-only clients: they have no secret; \
                1 confidential clients with no secret yet (generate one with client-secret CLIENT --regenerate)";
    let out = Run::kubectl(&["client-secret", "--search", &prefix, "-o", "json"]).run().success_noting(note);
    let found: Vec<String> = serde_json::from_str::<Value>(&out.stdout)
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["clientId"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(found, clients.iter().map(|(client, _)| client.clone()).collect::<Vec<_>>());
    // Named alone: exit 12, saying how to give it one; that works.
    let empty = format!("{prefix}-empty");
    Run::kubectl(&["client-secret", &empty]).run().fails_with(
        12,
        &format!(
            "kubectl-keycloak: error: confidential client \"{empty}\" in realm \"shasta\" has no secret yet; \
             generate one with: kubectl keycloak client-secret {empty} --realm shasta --regenerate"
        ),
    );
    let generated = Run::kubectl(&["client-secret", &empty, "--regenerate", "--yes", "-o", "raw"]).run().success();
    generated.stdout_is(&format!("{}\n", sandbox().secret_of("shasta", &empty)));
}
