//! Every Keycloak on Kubernetes: the layouts tests/sandbox/layouts seeds
//! (Keycloak Operator CRs, Bitnami, the Bitnami chart's ConfigMap, keycloakx,
//! two Keycloaks in one namespace, a stale bootstrap admin), found with no
//! Keycloak flags, and CSM's layout that must not search at all.
//!
//! Runs without KUBECTL_KEYCLOAK_URL and KUBECTL_KEYCLOAK_CA_FILE unless a
//! test sets them: the point is what the plugin finds by itself.

use serde_json::Value;

use crate::common::{Outcome, Run, register_secret};
use crate::sandbox::{kubectl, sandbox, secret_data};

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set: the sandbox's layouts are missing (tests/sandbox/up)"))
}

/// `kubectl keycloak ARGS` with no Keycloak settings from the environment.
fn bare(args: &[&str]) -> Run {
    Run::kubectl(args).env_remove("KUBECTL_KEYCLOAK_URL").env_remove("KUBECTL_KEYCLOAK_CA_FILE")
}

/// The reachable sandbox Keycloak and its CA, for layouts whose discovered
/// URL (a Service, an Ingress host) only resolves inside a cluster.
fn with_reachable_url(run: Run) -> Run {
    run.env("KUBECTL_KEYCLOAK_URL", &sandbox().keycloak_url).env("KUBECTL_KEYCLOAK_CA_FILE", env("SANDBOX_CA_FILE"))
}

fn expected_secret() -> String {
    format!("export CLIENT_SECRET='{}'\n", sandbox().secret_of("shasta", "my-test-client"))
}

/// Every value of the layouts' admin Secrets: none may reach any output.
fn register_layout_secrets() {
    let secrets = [
        ("kc-operator", "keycloak-initial-admin"),
        ("kc-operator-sa", "keycloak-bootstrap-admin-client"),
        ("kc-stale", "keycloak-initial-admin"),
        ("kc-bitnami", "kc-keycloak"),
        ("kc-bitnami-chart", "kc-keycloak"),
        ("kc-keycloakx", "keycloak-admin-password"),
        ("kc-keycloakx-bootstrap", "keycloak-admin"),
        ("kc-two", "keycloak-initial-admin"),
        ("kc-two", "keycloak-plain-admin"),
        ("services", "keycloak-master-admin-auth"),
    ];
    for (namespace, name) in secrets {
        for (key, value) in secret_data(namespace, name).as_object().unwrap() {
            if key.contains("password") || key.contains("secret") || key == "adminPass" {
                register_secret(value.as_str().unwrap());
            }
        }
    }
    // kc-openshift's getting-started manifest writes its password into the pod spec.
    let jsonpath = "jsonpath={.spec.template.spec.containers[0].env[?(@.name==\"KC_BOOTSTRAP_ADMIN_PASSWORD\")].value}";
    let literal = kubectl(&["get", "statefulset", "-n", "kc-openshift", "keycloak", "-o", jsonpath], "");
    assert!(!literal.is_empty(), "kc-openshift's literal password");
    register_secret(&literal);
}

fn assert_no_known_secret(out: &Outcome) {
    register_layout_secrets();
    crate::common::assert_no_leak(&out.stdout);
}

#[test]
fn operator_layouts_need_no_flags_at_all() {
    // URL from spec.hostname.hostname, CA from the tlsSecret's ca.crt, admin
    // from <name>-initial-admin (username/password) or bootstrapAdmin.service.
    for namespace in ["kc-operator", "kc-operator-sa"] {
        bare(&["-n", namespace, "client-secret", "my-test-client"]).run().success().stdout_is(&expected_secret());
    }
}

#[test]
fn workload_layouts_take_their_admin_from_the_pod_spec() {
    // What the charts render (tests/sandbox/charts). Bitnami: the user in an
    // envFrom ConfigMap, the password from a secretKeyRef or (its default) a
    // file of a projected Secret volume; keycloakx: its README's literal user
    // and secretKeyRef password, or KC_BOOTSTRAP_ADMIN_* from a user Secret.
    // OpenShift: Keycloak's getting-started manifest, a literal admin.
    for namespace in ["kc-bitnami", "kc-bitnami-chart", "kc-keycloakx", "kc-keycloakx-bootstrap", "kc-openshift"] {
        with_reachable_url(bare(&["-n", namespace, "client-secret", "my-test-client"]))
            .run()
            .success()
            .stdout_is(&expected_secret());
    }
}

#[test]
fn explicit_flags_win_over_what_is_found() {
    // The Operator's initial admin is ignored when --admin-secret names CSM's.
    bare(&["-n", "kc-operator", "client-secret", "my-test-client", "--admin-secret", "services/keycloak-master-admin-auth"])
        .env("KUBECTL_KEYCLOAK_CA_FILE", env("SANDBOX_CA_FILE"))
        .arg("--keycloak-url")
        .arg(&sandbox().keycloak_url)
        .run()
        .success()
        .stdout_is(&expected_secret());
    // A wrong explicit URL is used, not the CR's.
    bare(&["-n", "kc-operator", "client-secret", "my-test-client", "--keycloak-url", "https://127.0.0.1:1/keycloak"])
        .run()
        .fails_with_cause(
            7,
            "kubectl-keycloak: error: cannot connect to Keycloak at 127.0.0.1:1: ",
            "Connection refused",
            "; check --keycloak-url and that Keycloak is running",
        );
}

#[test]
fn two_keycloaks_in_one_namespace_are_refused_by_name() {
    bare(&["-n", "kc-two", "client-secret", "my-test-client"]).run().fails_with(
        2,
        "kubectl-keycloak: error: found 2 Keycloaks in namespace kc-two: kc-two/keycloak (Keycloak CR), \
         kc-two/keycloak-plain (Deployment); pick one with --keycloak NAMESPACE/NAME",
    );
    bare(&["client-secret", "my-test-client", "--keycloak", "kc-two/keycloak"]).run().success().stdout_is(&expected_secret());
    with_reachable_url(bare(&["client-secret", "my-test-client"]))
        .env("KUBECTL_KEYCLOAK_INSTANCE", "kc-two/keycloak-plain")
        .run()
        .success()
        .stdout_is(&expected_secret());
}

#[test]
fn a_removed_bootstrap_admin_is_named_as_the_likely_cause() {
    let user = env("SANDBOX_KC_STALE_ADMIN_USER");
    bare(&["-n", "kc-stale", "client-secret", "my-test-client"]).run().fails_with(
        9,
        &format!(
            "kubectl-keycloak: error: Keycloak refused to log in user {user:?} in realm \"master\": invalid_grant: Invalid user credentials; \
             the bootstrap admin from Secret kc-stale/keycloak-initial-admin may have been removed after setup (a common practice); \
             name a permanent admin's Secret with --admin-secret"
        ),
    );
}

#[test]
fn a_user_who_may_not_list_gets_a_clear_error_and_explicit_flags_still_work() {
    with_reachable_url(bare(&["--context", "sandbox-nodiscover", "client-secret", "my-test-client"]))
        .arg("--admin-secret")
        .arg("kc-operator/keycloak-initial-admin")
        .run()
        .success()
        .stdout_is(&expected_secret());
    let out = bare(&["--context", "sandbox-nodiscover", "-n", "kc-operator", "client-secret", "my-test-client"]).run();
    let line = out.stderr.trim_end().to_string();
    assert!(
        line.starts_with("kubectl-keycloak: error: cannot list Keycloak objects in namespace kc-operator: forbidden: ")
            && line.ends_with("; name the Keycloak with --admin-secret and --keycloak-url"),
        "{out:?}"
    );
    out.fails_with(5, &line);
}

#[test]
fn csm_layout_searches_nothing() {
    // With -v every request is traced: only the admin Secret is read, and
    // (at the same time) the admin account's, absent here.
    let out = Run::kubectl(&["client-secret", "my-test-client", "-v"]).run();
    assert_eq!((out.code, out.stdout.as_str()), (0, expected_secret().as_str()), "{out:?}");
    let kube_requests: Vec<&str> = out.raw_stderr.lines().filter(|l| l.contains("/api/") || l.contains("/apis/")).collect();
    assert_eq!(kube_requests.len(), 2, "{kube_requests:#?}");
    assert!(
        kube_requests[0].contains("GET ")
            && kube_requests[0].contains("/namespaces/services/secrets/keycloak-master-admin-auth -> 200"),
        "{kube_requests:#?}"
    );
    assert!(
        kube_requests[1].contains("GET ")
            && kube_requests[1].contains("/namespaces/services/secrets/kubectl-keycloak-admin -> 404"),
        "{kube_requests:#?}"
    );
}

#[test]
fn a_service_account_admin_hears_that_a_missing_client_may_be_hidden() {
    bare(&["-n", "kc-operator-sa", "client-secret", "qq-zz"]).run().fails_with(
        11,
        "kubectl-keycloak: error: no client with clientId \"qq-zz\" in realm \"shasta\"; \
         list them with: kubectl keycloak clients --search TEXT; or not permitted: the service-account admin may not see it \
         without realm-management's view-clients or query-clients role",
    );
}

fn discovered() -> Vec<Value> {
    let out = bare(&["discover", "-o", "json"]).run().success();
    assert_no_known_secret(&out);
    serde_json::from_str::<Value>(&out.stdout).unwrap().as_array().unwrap().clone()
}

fn find<'a>(found: &'a [Value], namespace: &str, name: &str) -> &'a Value {
    found
        .iter()
        .find(|c| c["namespace"] == namespace && c["name"] == name)
        .unwrap_or_else(|| panic!("{namespace}/{name} not discovered: {found:#?}"))
}

#[test]
fn discover_lists_every_layout_once_with_where_each_part_comes_from() {
    let found = discovered();
    let operator = find(&found, "kc-operator", "keycloak");
    assert_eq!(operator["kind"], "Keycloak CR");
    assert_eq!(operator["admin"], "Secret kc-operator/keycloak-initial-admin");
    assert_eq!(operator["url"], env("SANDBOX_OPERATOR_HOSTNAME_URL"));
    assert_eq!(operator["urlFrom"], "discovered: Keycloak CR kc-operator/keycloak spec.hostname.hostname");
    assert_eq!(operator["ca"], "Secret kc-operator/keycloak-tls:ca.crt");
    assert_eq!(find(&found, "kc-operator-sa", "keycloak")["admin"], "Secret kc-operator-sa/keycloak-bootstrap-admin-client");
    let bitnami = find(&found, "kc-bitnami", "kc-keycloak");
    assert_eq!(
        (bitnami["kind"].as_str(), bitnami["admin"].as_str(), bitnami["url"].as_str(), bitnami["urlInternal"].as_bool()),
        (
            Some("StatefulSet"),
            Some(
                "user ConfigMap kc-bitnami/kc-keycloak-env-vars:KC_BOOTSTRAP_ADMIN_USERNAME, \
                 password Secret kc-bitnami/kc-keycloak:admin-password"
            ),
            Some("http://kc-keycloak.kc-bitnami.svc:80/keycloak"),
            Some(true)
        )
    );
    // The chart's default: the password file's Secret and key, never the
    // ConfigMap that names the file.
    assert_eq!(
        find(&found, "kc-bitnami-chart", "kc-keycloak")["admin"],
        "user ConfigMap kc-bitnami-chart/kc-keycloak-env-vars:KC_BOOTSTRAP_ADMIN_USERNAME, \
         password Secret kc-bitnami-chart/kc-keycloak:admin-password (file /opt/bitnami/keycloak/secrets/admin-password)"
    );
    // keycloakx's Service has an https port, but this Keycloak has no TLS:
    // the http port; its headless Service is passed over.
    let keycloakx = find(&found, "kc-keycloakx", "kc-keycloakx");
    assert_eq!(
        (keycloakx["admin"].as_str(), keycloakx["url"].as_str(), keycloakx["urlFrom"].as_str()),
        (
            Some("user \"admin\", password Secret kc-keycloakx/keycloak-admin-password:password"),
            Some("http://kc-keycloakx-http.kc-keycloakx.svc:80/keycloak"),
            Some("discovered: Service kc-keycloakx/kc-keycloakx-http")
        )
    );
    let bootstrap = find(&found, "kc-keycloakx-bootstrap", "kc-keycloakx");
    assert_eq!(bootstrap["url"], env("SANDBOX_KC_KEYCLOAKX_INGRESS_URL"));
    assert_eq!(bootstrap["urlFrom"], "discovered: Ingress kc-keycloakx-bootstrap/kc-keycloakx");
    assert_eq!(
        bootstrap["admin"],
        "user Secret kc-keycloakx-bootstrap/keycloak-admin:username, password Secret kc-keycloakx-bootstrap/keycloak-admin:password"
    );
    // OpenShift without the Operator: the Route to the Service (edge TLS).
    let openshift = find(&found, "kc-openshift", "keycloak");
    assert_eq!(
        (openshift["url"].as_str(), openshift["urlFrom"].as_str(), openshift["admin"].as_str()),
        (
            Some(env("SANDBOX_KC_OPENSHIFT_ROUTE_URL").as_str()),
            Some("discovered: Route kc-openshift/keycloak"),
            Some("user \"admin\", password literal in pod spec")
        )
    );
    assert_eq!(find(&found, "kc-two", "keycloak-plain")["kind"], "Deployment");
    assert_eq!(find(&found, "services", "keycloak-master-admin-auth")["kind"], "CSM Secret");
    // The Operator's own StatefulSets and CSM's cray-keycloak are the same
    // Keycloaks as their CR and Secret.
    for (namespace, name) in [("kc-operator", "keycloak"), ("services", "cray-keycloak")] {
        let twice =
            found.iter().filter(|c| c["namespace"] == namespace && (c["name"] == name) && c["kind"] == "StatefulSet").count();
        assert_eq!(twice, 0, "{namespace}/{name} counted twice: {found:#?}");
    }
}

#[test]
fn discover_check_logs_in_to_each_and_reports_the_stale_one() {
    let out = bare(&["discover", "--check", "-o", "json"]).run().success();
    assert_no_known_secret(&out);
    let found: Vec<Value> = serde_json::from_str::<Value>(&out.stdout).unwrap().as_array().unwrap().clone();
    for (namespace, name) in [("kc-operator", "keycloak"), ("kc-operator-sa", "keycloak"), ("kc-two", "keycloak")] {
        assert_eq!(find(&found, namespace, name)["status"], "OK", "{namespace}/{name}");
    }
    // URLs that resolve only in a cluster are checked through a port-forward
    // to the pod behind their Service (HTTP, or TLS verified to the pod).
    for (namespace, name, pod) in [
        ("kc-bitnami", "kc-keycloak", "kc-keycloak-0"),
        ("kc-bitnami-chart", "kc-keycloak", "kc-keycloak-0"),
        ("kc-keycloakx", "kc-keycloakx", "kc-keycloakx-0"),
        ("kc-keycloakx-bootstrap", "kc-keycloakx", "kc-keycloakx-0"),
        ("kc-internal", "keycloak", "keycloak-0"),
    ] {
        assert_eq!(
            find(&found, namespace, name)["status"],
            format!("OK through a port-forward to pod {namespace}/{pod}"),
            "{namespace}/{name}"
        );
    }
    // Two replicas: either pod.
    let openshift = find(&found, "kc-openshift", "keycloak")["status"].as_str().unwrap().to_string();
    assert!(openshift.starts_with("OK through a port-forward to pod kc-openshift/keycloak-"), "{openshift}");
    let stale = find(&found, "kc-stale", "keycloak")["status"].as_str().unwrap().to_string();
    assert!(
        stale.starts_with("Keycloak refused to log in user") && stale.contains("may have been removed after setup"),
        "{stale}"
    );
}

#[test]
fn config_shows_the_discovered_keycloak_and_its_sources() {
    let out = bare(&["-n", "kc-operator", "config"]).run().success();
    assert_no_known_secret(&out);
    let line = |name: &str| out.stdout.lines().find(|l| l.starts_with(name)).unwrap_or_default().to_string();
    assert!(line("keycloak-url").contains(&env("SANDBOX_OPERATOR_HOSTNAME_URL")), "{}", out.stdout);
    assert!(
        line("keycloak-url").ends_with("discovered: Keycloak CR kc-operator/keycloak spec.hostname.hostname"),
        "{}",
        out.stdout
    );
    assert!(line("admin ").contains("Secret kc-operator/keycloak-initial-admin"), "{}", out.stdout);
    assert!(line("keycloak-ca-secret").contains("kc-operator/keycloak-tls:ca.crt"), "{}", out.stdout);
}

/// The cells of a table's rows, cut at the header's column starts.
fn cells(table: &str) -> Vec<Vec<String>> {
    let mut lines = table.lines();
    let header = lines.next().expect("a header");
    let starts: Vec<usize> = header
        .match_indices(|c: char| c != ' ')
        .filter(|(i, _)| *i == 0 || header.as_bytes()[i - 1] == b' ')
        .map(|(i, _)| i)
        .collect();
    std::iter::once(header)
        .chain(lines)
        .map(|line| {
            starts
                .iter()
                .enumerate()
                .map(|(n, &start)| {
                    let end = starts.get(n + 1).copied().unwrap_or(line.len()).min(line.len());
                    line.get(start.min(line.len())..end).unwrap_or("").trim().to_string()
                })
                .collect()
        })
        .collect()
}

#[test]
fn the_default_table_is_short_columns_and_wide_has_every_source() {
    let table = bare(&["discover"]).run().success().stdout;
    let rows = cells(&table);
    assert_eq!(rows[0], ["NAMESPACE", "NAME", "KIND", "ADMIN", "URL"], "{table}");
    let row = |namespace: &str, name: &str| {
        rows.iter()
            .find(|r| r[0] == namespace && r[1] == name)
            .unwrap_or_else(|| panic!("no {namespace}/{name}:\n{table}"))
            .clone()
    };
    assert_eq!(
        row("services", "keycloak-master-admin-auth"),
        ["services", "keycloak-master-admin-auth", "CSM Secret", "Secret", "https://api-gw-service-nmn.local/keycloak"]
    );
    assert_eq!(row("kc-bitnami", "kc-keycloak")[2..4], ["StatefulSet", "env"]);
    assert_eq!(row("kc-bitnami-chart", "kc-keycloak")[2..4], ["StatefulSet", "file"]);
    assert_eq!(row("kc-openshift", "keycloak")[2..4], ["StatefulSet", "literal"]);
    assert!(!table.contains("admin-password"), "no Secret keys by default:\n{table}");
    let wide = bare(&["discover", "-o", "wide"]).run().success().stdout;
    assert_eq!(cells(&wide)[0], ["KIND", "NAMESPACE/NAME", "ADMIN", "URL", "CA"], "{wide}");
    assert!(wide.contains("password Secret kc-bitnami/kc-keycloak:admin-password"), "{wide}");
    let longest = |text: &str| text.lines().map(|l| l.chars().count()).max().unwrap_or(0);
    assert!(longest(&table) < longest(&wide) / 2, "default {} vs wide {} columns", longest(&table), longest(&wide));
}
