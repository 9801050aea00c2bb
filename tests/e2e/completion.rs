//! kubectl's own shell completion of `kubectl keycloak …`: the real kubectl's
//! hidden `__complete` command (what its bash and zsh completion call) runs
//! `kubectl_complete-keycloak`, a link to the built binary put on PATH from a
//! scratch directory, as `kubectl keycloak completion kubectl` tells users to.

use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use crate::common::{BINARY, Outcome, Run, scratch_dir};
use crate::sandbox::sandbox;

/// A directory holding only the link `kubectl_complete-keycloak` → the binary.
fn link_dir() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = scratch_dir().join("completer");
        std::fs::create_dir_all(&dir).unwrap();
        let link = dir.join("kubectl_complete-keycloak");
        let _ = std::fs::remove_file(&link);
        std::os::unix::fs::symlink(BINARY, &link).unwrap();
        dir
    })
}

/// PATH: the link's directory, the binary's, then the test's own.
fn path() -> std::ffi::OsString {
    let bin_dir = std::path::Path::new(BINARY).parent().unwrap().to_path_buf();
    let rest = std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()).collect::<Vec<_>>();
    std::env::join_paths([link_dir().clone(), bin_dir].into_iter().chain(rest)).unwrap()
}

/// `kubectl __complete keycloak WORDS…` (the last word is being completed).
fn kubectl_complete(words: &[&str]) -> Run {
    let mut args = vec!["__complete", "keycloak"];
    args.extend_from_slice(words);
    Run::program("kubectl", &args).env("PATH", path())
}

/// The link itself, as kubectl runs it.
fn completer(words: &[&str]) -> Run {
    Run::program(link_dir().join("kubectl_complete-keycloak").to_str().unwrap(), words).env("PATH", path())
}

/// The candidates (descriptions dropped) and the directive line. stdout must
/// be candidates and then exactly one `:N` line.
fn candidates(outcome: &Outcome) -> (Vec<String>, String) {
    assert_eq!(outcome.code, 0, "{outcome:?}");
    let mut lines: Vec<&str> = outcome.stdout.lines().collect();
    let directive = lines.pop().unwrap_or_default().to_string();
    assert!(directive.starts_with(':'), "no directive line last: {outcome:?}");
    (lines.iter().map(|l| l.split('\t').next().unwrap().to_string()).collect(), directive)
}

/// kubectl's stderr holds only kubectl's own completion notes (`[Debug] …`
/// and the directive's name): nothing from the plugin.
fn only_kubectl_notes(outcome: &Outcome) {
    for line in outcome.stderr.lines() {
        assert!(
            line.starts_with("[Debug] ") || line.starts_with("Completion ended with directive: "),
            "the plugin wrote to stderr: {line:?}\n{outcome:?}"
        );
    }
}

#[test]
fn completion_offers_the_subcommands() {
    let outcome = kubectl_complete(&[""]).run();
    only_kubectl_notes(&outcome);
    let (values, directive) = candidates(&outcome);
    assert_eq!(
        values,
        [
            "client-secret",
            "client-token",
            "create-client",
            "clients",
            "audit",
            "token",
            "admin-account",
            "discover",
            "config",
            "completion"
        ]
    );
    assert_eq!(directive, ":4");
    assert!(outcome.stdout.contains("client-secret\tPrint the secret of one or more clients"), "{outcome:?}");
    let (values, _) = candidates(&kubectl_complete(&["cl"]).run());
    assert_eq!(values, ["client-secret", "client-token", "clients"]);
}

#[test]
fn completion_offers_output_formats() {
    let (values, _) = candidates(&kubectl_complete(&["client-secret", "my-test-client", "-o", ""]).run());
    assert_eq!(
        values,
        ["shell", "fish", "powershell", "dotenv", "json", "yaml", "raw", "secret", "jsonpath=", "jsonpath-as-json="]
    );
    let (values, _) = candidates(&kubectl_complete(&["clients", "--output=y"]).run());
    assert_eq!(values, ["--output=yaml"]);
    let (values, _) = candidates(&kubectl_complete(&["completion", ""]).run());
    assert_eq!(values, ["kubectl", "bash", "zsh", "fish", "powershell", "elvish"]);
}

#[test]
fn completion_offers_contexts_from_the_kubeconfig_and_namespaces_from_the_cluster() {
    let (contexts, _) = candidates(&kubectl_complete(&["--context", "sandbox-r"]).run());
    assert_eq!(contexts, ["sandbox-restricted"]);
    let (contexts, _) = candidates(&kubectl_complete(&["--context", ""]).run());
    assert!(contexts.contains(&"sandbox".to_string()) && contexts.len() > 1, "{contexts:?}");
    let (namespaces, _) = candidates(&kubectl_complete(&["-n", "serv"]).run());
    assert_eq!(namespaces, ["services"]);
}

#[test]
fn completion_offers_client_ids_by_prefix_from_keycloak() {
    // Both match Keycloak's search for "my-" (a case-insensitive substring
    // search); neither starts with "my-".
    sandbox().ensure_client("shasta", "kk-complete-not-my-client", "kk-complete-secret-one-5a7b");
    sandbox().ensure_client("shasta", "MY-kk-complete-upper", "kk-complete-secret-two-9c1d");
    let outcome = kubectl_complete(&["client-secret", "my-"]).run();
    only_kubectl_notes(&outcome);
    let (values, directive) = candidates(&outcome);
    assert!(values.contains(&"my-test-client".to_string()), "{outcome:?}");
    assert!(values.iter().all(|v| v.starts_with("my-")), "only clientIds starting with my-: {values:?}");
    assert_eq!(directive, ":4");
    // A clientId already on the line is not offered again.
    let (values, _) = candidates(&kubectl_complete(&["client-secret", "my-test-client", "my-"]).run());
    assert!(!values.contains(&"my-test-client".to_string()), "{values:?}");
    // The link answers on its own with an empty stderr.
    let direct = completer(&["client-secret", "my-test"]).run();
    assert_eq!(direct.stdout, "my-test-client\tconfidential\n:4\n");
    assert!(direct.raw_stderr.is_empty(), "{direct:?}");
}

#[test]
fn completion_reaches_keycloak_through_a_port_forward_within_its_bound() {
    // CSM's default URL does not resolve here: the candidates come through a
    // port-forward to Keycloak's pod, without a note, inside the 2 s bound.
    let run =
        || completer(&["client-secret", "my-test"]).env_remove("KUBECTL_KEYCLOAK_URL").env_remove("KUBECTL_KEYCLOAK_CA_FILE");
    let direct = run().run();
    assert_eq!((direct.stdout.as_str(), direct.raw_stderr.as_str()), ("my-test-client\tconfidential\n:4\n", ""), "{direct:?}");
    assert!(direct.elapsed < Duration::from_secs(2), "{direct:?}");
    let outcome = kubectl_complete(&["client-secret", "my-test"]).env_remove("KUBECTL_KEYCLOAK_URL").run();
    only_kubectl_notes(&outcome);
    assert_eq!(candidates(&outcome).0, ["my-test-client"]);
}

/// No candidates, exit 0, the NoFileComp directive and nothing on stderr.
fn silent(outcome: Outcome) {
    only_kubectl_notes(&outcome);
    let (values, directive) = candidates(&outcome);
    assert!(values.is_empty(), "{outcome:?}");
    assert_eq!(directive, ":4");
    assert!(outcome.elapsed < Duration::from_secs(3), "{outcome:?}");
}

#[test]
fn completion_is_silent_when_keycloak_cannot_be_reached() {
    // Nothing listens on port 1.
    silent(kubectl_complete(&["client-secret", "my-"]).env("KUBECTL_KEYCLOAK_URL", "https://127.0.0.1:1/keycloak").run());
    let direct = completer(&["client-secret", "my-"]).env("KUBECTL_KEYCLOAK_URL", "https://127.0.0.1:1/keycloak").run();
    assert_eq!((direct.code, direct.stdout.as_str(), direct.raw_stderr.as_str()), (0, ":4\n", ""));
}

#[test]
fn completion_is_silent_when_rbac_refuses() {
    silent(kubectl_complete(&["--context", "sandbox-restricted", "client-secret", "my-"]).run());
    let direct = completer(&["--context", "sandbox-restricted", "client-secret", "my-"]).run();
    assert_eq!((direct.code, direct.stdout.as_str(), direct.raw_stderr.as_str()), (0, ":4\n", ""));
}

#[test]
fn completion_never_prints_a_secret() {
    // Every secret of the realm's confidential clients (first 500).
    let (status, clients) = sandbox().admin("GET", "/shasta/clients?first=0&max=500", None);
    assert_eq!(status, 200);
    let secrets: Vec<String> = clients
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["publicClient"] == false)
        .filter_map(|c| {
            let (_, body) = sandbox().admin("GET", &format!("/shasta/clients/{}/client-secret", c["id"].as_str().unwrap()), None);
            // Built-in bearer-only clients (realm-management, broker) keep none.
            body["value"].as_str().map(str::to_string)
        })
        .inspect(|secret| crate::common::register_secret(secret))
        // Other tests store hostile or short secrets (one letter, a word such
        // as a clientId): only those that no name printed here could contain
        // by chance tell a leak apart.
        .filter(|secret| {
            secret.chars().filter(|c| c.is_alphanumeric()).count() >= 8
                && !clients.as_array().unwrap().iter().any(|c| c["clientId"].as_str().unwrap().contains(secret.as_str()))
        })
        .collect();
    assert!(!secrets.is_empty());
    for words in
        [&["client-secret", ""][..], &["client-secret", "my-"], &["client-secret", "x", "--to-secret", ""], &["token", ""]]
    {
        let outcome = kubectl_complete(words).run();
        for secret in &secrets {
            let shown = outcome.stdout.lines().chain(outcome.stderr.lines()).find(|line| line.contains(secret.as_str()));
            assert!(shown.is_none(), "{words:?}: a client's secret {secret:?} in the line {shown:?}");
        }
        assert!(!outcome.stdout.contains("eyJ"), "a token-like string in {outcome:?}");
    }
}

#[test]
fn completion_of_client_ids_is_bounded() {
    let mut times: Vec<Duration> = (0..10)
        .map(|_| {
            let started = Instant::now();
            let outcome = kubectl_complete(&["client-secret", "my-"]).run();
            let elapsed = started.elapsed();
            assert!(outcome.stdout.contains("my-test-client"), "{outcome:?}");
            elapsed
        })
        .collect();
    times.sort();
    let median = (times[4] + times[5]) / 2;
    eprintln!("kubectl __complete keycloak client-secret my-: median {median:?} of 10 (min {:?}, max {:?})", times[0], times[9]);
    assert!(times[9] < Duration::from_millis(2500), "slowest {:?}", times[9]);
}

#[test]
fn completion_kubectl_prints_the_link_command() {
    let out = Run::kubectl(&["completion", "kubectl"]).run().success().stdout;
    let real = std::fs::canonicalize(BINARY).unwrap();
    let dir = real.parent().unwrap();
    assert_eq!(out, format!("ln -sf '{}' '{}/kubectl_complete-keycloak'\n", real.display(), dir.display()));
}
