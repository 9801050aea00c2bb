//! Keycloak reached through a port-forward to its pod (`pods/portforward`,
//! the kubelet API that the sandbox's kwok nodes serve): with no Keycloak
//! flags and `KUBECTL_KEYCLOAK_URL` unset, each layout whose URL resolves
//! only inside a cluster answers exactly as if reached directly, with one
//! note on stderr; `--port-forward always` and `never` do what they say;
//! each failure is one line with its exit code and an empty stdout.

use std::time::Duration;

use serde_json::Value;

use crate::common::{Outcome, Run, assert_no_leak, register_secret};
use crate::sandbox::{kubectl, sandbox, unique};

/// `kubectl keycloak ARGS` with no Keycloak settings from the environment.
fn bare(args: &[&str]) -> Run {
    Run::kubectl(args).env_remove("KUBECTL_KEYCLOAK_URL").env_remove("KUBECTL_KEYCLOAK_CA_FILE")
}

fn expected_secret() -> String {
    format!("export CLIENT_SECRET='{}'\n", sandbox().secret_of("shasta", "my-test-client"))
}

/// The one note of a run that forwarded, for the pod it names.
fn note(url: &str, pod: &str, why: &str) -> String {
    let why = if why == UNRESOLVED {
        let host = url.split_once("://").unwrap().1.split('/').next().unwrap();
        format!("{host} does not resolve here")
    } else {
        why.to_string()
    };
    format!("kubectl-keycloak: {why}; forwarded to pod {pod}")
}

/// The note's reason when the URL's host does not resolve.
const UNRESOLVED: &str = "unresolved";

/// The pod a run's note names, which must be one of `pods` (a Service with
/// several Ready pods may pick any); the whole note is compared exactly and
/// is stderr's one line.
fn forwarded_to(out: &Outcome, url: &str, why: &str, pods: &[String]) -> String {
    assert_eq!(out.stderr.lines().count(), 1, "expected one note:\n{out:?}");
    noted_among(out, url, why, pods)
}

/// [`forwarded_to`] for a command with notes of its own (`--all`'s count
/// of clients skipped, `create-client`, `--to-secret`): the note is among them, once.
fn noted_among(out: &Outcome, url: &str, why: &str, pods: &[String]) -> String {
    let notes: Vec<&str> = out.stderr.lines().filter(|l| l.contains("; forwarded to pod ")).collect();
    let pod = pods
        .iter()
        .find(|pod| notes == [note(url, pod, why)])
        .unwrap_or_else(|| panic!("expected exit 0 and one note naming one of {pods:?}:\n{out:?}"));
    assert_eq!(out.code, 0, "{out:?}");
    pod.clone()
}

/// `NAMESPACE/NAME` of the Running pods that `selector` selects.
fn pods(namespace: &str, selector: &str) -> Vec<String> {
    let names =
        kubectl(&["get", "pods", "-n", namespace, "-l", selector, "--field-selector=status.phase=Running", "-o", "name"], "");
    names.lines().map(|line| format!("{namespace}/{}", line.trim_start_matches("pod/"))).collect()
}

fn csm_pods() -> Vec<String> {
    pods("services", "app.kubernetes.io/instance=cray-keycloak")
}

const CSM_URL: &str = "https://api-gw-service-nmn.local/keycloak";

#[test]
fn csm_default_url_is_reached_through_a_port_forward_to_keycloaks_pod() {
    // CSM's URL resolves only on the node network; its Service
    // services/cray-keycloak-http:80 serves plain HTTP from the pods' port 8080.
    let out = bare(&["client-secret", "my-test-client"]).run();
    forwarded_to(&out, CSM_URL, UNRESOLVED, &csm_pods());
    out.stdout_is(&expected_secret());
}

#[test]
fn every_layout_with_an_in_cluster_url_returns_its_secret_through_a_port_forward() {
    let layouts = [
        // The Operator's Service (no spec.hostname): TLS to the pod, verified
        // against keycloak-service.kc-internal.svc with the tlsSecret's CA.
        (vec!["-n", "kc-internal"], "https://keycloak-service.kc-internal.svc:8443/keycloak", "kc-internal", "app=keycloak"),
        (
            vec!["-n", "kc-bitnami"],
            "http://kc-keycloak.kc-bitnami.svc:80/keycloak",
            "kc-bitnami",
            "app.kubernetes.io/name=keycloak",
        ),
        // The Bitnami chart's defaults: the password file of a projected Secret.
        (
            vec!["-n", "kc-bitnami-chart"],
            "http://kc-keycloak.kc-bitnami-chart.svc:80/keycloak",
            "kc-bitnami-chart",
            "app.kubernetes.io/name=keycloak",
        ),
        // keycloakx's Service, http (no TLS configured), named targetPort.
        (
            vec!["-n", "kc-keycloakx"],
            "http://kc-keycloakx-http.kc-keycloakx.svc:80/keycloak",
            "kc-keycloakx",
            "app.kubernetes.io/name=keycloakx",
        ),
        // An Ingress host that does not resolve here: its backend Service.
        (
            vec!["-n", "kc-keycloakx-bootstrap"],
            "http://sso.example.test/keycloak",
            "kc-keycloakx-bootstrap",
            "app.kubernetes.io/name=keycloakx",
        ),
        // An OpenShift Route's host: the Service it routes to.
        (vec!["-n", "kc-openshift"], "https://keycloak-kc-openshift.apps.example.test/keycloak", "kc-openshift", "app=keycloak"),
        // A plain Deployment serving HTTPS: TLS verified against its Service name.
        (
            vec!["--keycloak", "kc-two/keycloak-plain", "--keycloak-ca-file"],
            "https://keycloak-plain.kc-two.svc:8443/keycloak",
            "kc-two",
            "app=keycloak-plain",
        ),
    ];
    let ca_file = std::env::var("SANDBOX_CA_FILE").unwrap();
    for (mut args, url, namespace, selector) in layouts {
        if args.last() == Some(&"--keycloak-ca-file") {
            args.push(&ca_file);
        }
        args.extend(["client-secret", "my-test-client"]);
        let out = bare(&args).run();
        forwarded_to(&out, url, UNRESOLVED, &pods(namespace, selector));
        out.stdout_is(&expected_secret());
    }
}

#[test]
fn every_command_works_through_the_port_forward() {
    let pods = csm_pods();
    let forwarded = |args: &[&str]| {
        let out = bare(args).run();
        noted_among(&out, CSM_URL, UNRESOLVED, &pods);
        out
    };
    let listed: Value = serde_json::from_str(&forwarded(&["clients", "-o", "json"]).stdout).unwrap();
    assert!(listed.as_array().unwrap().iter().any(|c| c["clientId"] == "my-test-client"), "{listed}");
    let secret = sandbox().secret_of("shasta", "my-test-client");
    let several = forwarded(&["client-secret", "my-test-client", "admin-client", "-o", "json"]).stdout;
    assert!(several.contains(&secret), "{several}");
    // (other tests' clients may match the search too)
    let searched = forwarded(&["client-secret", "--search", "my-test-cl", "-o", "raw"]).stdout;
    assert!(searched.lines().any(|l| l == secret), "{searched}");
    // (JSON: other tests' clients may hold secrets that raw output refuses)
    let all: Value = serde_json::from_str(&forwarded(&["client-secret", "--all", "-o", "json"]).stdout).unwrap();
    assert!(all.as_array().unwrap().iter().any(|c| c["clientId"] == "my-test-client" && c["secret"] == secret.as_str()));
    // What scripts keep is the URL as the user knows it, not the tunnel's.
    let one: Value = serde_json::from_str(&forwarded(&["client-secret", "my-test-client", "-o", "json"]).stdout).unwrap();
    assert_eq!(one["keycloakUrl"], CSM_URL);
    assert_eq!(one["tokenUrl"], format!("{CSM_URL}/realms/shasta/protocol/openid-connect/token"));
    let token = forwarded(&["token", "-o", "raw"]).stdout;
    register_secret(token.trim_end());
    assert_eq!(token.matches('.').count(), 2, "a JWT");
    let client_token = forwarded(&["client-token", "my-test-client", "-o", "raw"]).stdout;
    register_secret(client_token.trim_end());
    assert_eq!(client_token.matches('.').count(), 2, "a JWT");

    // Create, regenerate into a Secret: the cluster holds what Keycloak holds.
    let client = unique("kk-forwarded");
    forwarded(&["create-client", &client]);
    let target = format!("services/{client}-auth");
    let out = forwarded(&["client-secret", &client, "--regenerate", "--yes", "--to-secret", &target]);
    assert_eq!(out.stdout, "");
    let written = crate::sandbox::secret_data("services", &format!("{client}-auth"));
    assert_eq!(written["client-secret"], sandbox().secret_of("shasta", &client));
}

#[test]
fn always_forwards_even_where_the_url_resolves_and_verifies_tls_to_the_pod() {
    // kc-operator's URL (https://127.0.0.1:…) resolves: auto goes direct,
    // always forwards to the pod, whose certificate is checked for 127.0.0.1.
    let url = std::env::var("SANDBOX_OPERATOR_HOSTNAME_URL").unwrap();
    bare(&["-n", "kc-operator", "client-secret", "my-test-client"]).run().success().stdout_is(&expected_secret());
    let out = bare(&["-n", "kc-operator", "client-secret", "my-test-client", "--port-forward", "always"]).run();
    forwarded_to(&out, &url, "--port-forward always", &pods("kc-operator", "app=keycloak"));
    out.stdout_is(&expected_secret());
}

#[test]
fn never_stops_at_the_unresolved_host_and_says_the_plugin_can_forward() {
    let refused = "kubectl-keycloak: error: cannot resolve Keycloak host kc-keycloak.kc-bitnami.svc:80; \
         http://kc-keycloak.kc-bitnami.svc:80/keycloak is a cluster-internal Service address (discovered: Service kc-bitnami/kc-keycloak); \
         pass --keycloak-url with the Ingress host or another reachable URL, \
         or let the plugin forward a port to Keycloak's pod: --port-forward auto";
    bare(&["-n", "kc-bitnami", "client-secret", "my-test-client", "--port-forward", "never"]).run().fails_with(7, refused);
    // The same setting from the environment and from the config file.
    bare(&["-n", "kc-bitnami", "client-secret", "my-test-client"])
        .env("KUBECTL_KEYCLOAK_PORT_FORWARD", "never")
        .run()
        .fails_with(7, refused);
    let file = crate::common::scratch_file("port-forward-never.yaml");
    std::fs::write(&file, "defaults:\n  port-forward: never\n").unwrap();
    bare(&["-n", "kc-bitnami", "client-secret", "my-test-client"])
        .env("KUBECTL_KEYCLOAK_CONFIG", &file)
        .run()
        .fails_with(7, refused);
}

#[test]
fn a_refused_connection_never_switches_to_a_port_forward() {
    // 127.0.0.1:1 resolves and refuses: auto reports it, forwarding nothing.
    let out = bare(&["client-secret", "my-test-client", "--keycloak-url", "https://127.0.0.1:1/keycloak"]).run();
    assert_eq!((out.code, out.stdout.as_str()), (7, ""), "{out:?}");
    assert!(!out.stderr.contains("port-forward"), "{out:?}");
}

#[test]
fn a_service_url_given_by_hand_is_forwarded_to_that_service() {
    let out = bare(&["client-secret", "my-test-client", "--keycloak-url", "http://keycloak.services.svc:8080/keycloak"]).run();
    forwarded_to(&out, "http://keycloak.services.svc:8080/keycloak", UNRESOLVED, &csm_pods());
    out.stdout_is(&expected_secret());
}

#[test]
fn rbac_without_pods_portforward_is_refused_by_name() {
    // sandbox-noforward may read the Secret, the Service and list pods, no more.
    bare(&["client-secret", "my-test-client", "--as", "sandbox-noforward"]).run().fails_with_cause(
        5,
        "kubectl-keycloak: error: ",
        "pods/portforward",
        "",
    );
    // sandbox-forward holds what the README lists: it works.
    let out = bare(&["client-secret", "my-test-client", "--as", "sandbox-forward"]).run();
    forwarded_to(&out, CSM_URL, UNRESOLVED, &csm_pods());
    out.stdout_is(&expected_secret());
}

#[test]
fn a_service_without_a_ready_pod_is_one_line() {
    bare(&["client-secret", "my-test-client", "--keycloak-url", "https://keycloak-noendpoints.services.svc:8443/keycloak"])
        .run()
        .fails_with(
            7,
            "kubectl-keycloak: error: no Running and Ready pod behind Service services/keycloak-noendpoints to forward to \
             (selector app=keycloak-notready: 0 pods); check them with: kubectl get pods -n services -l app=keycloak-notready",
        );
}

#[test]
fn a_pod_port_where_nothing_listens_says_what_the_kubelet_said() {
    // keycloak-refused's pod port goes to a closed port: the kubelet's error
    // channel says so, which the plugin reports instead of an empty answer.
    let out =
        bare(&["client-secret", "my-test-client", "--keycloak-url", "https://keycloak-refused.services.svc:8443/keycloak"]).run();
    assert_eq!((out.code, out.stdout.as_str()), (7, ""), "{out:?}");
    assert!(out.stderr.starts_with("kubectl-keycloak: error: "), "{out:?}");
    assert!(out.stderr.contains("the kubelet closed the port-forward to services/keycloak-testhost-0:8444: "), "{out:?}");
    assert!(out.stderr.contains("connection refused"), "{out:?}");
    assert_eq!(out.stderr.lines().count(), 1, "{out:?}");
}

#[test]
fn verbose_shows_the_tunnel_and_no_secret() {
    let out = bare(&["client-secret", "my-test-client", "-v"]).run();
    assert_eq!(out.code, 0, "{out:?}");
    // (the trace is in raw_stderr; stderr holds the lines a user reads without -v)
    let trace = &out.raw_stderr;
    assert_no_leak(trace);
    let tunnel = trace.lines().find(|l| l.contains("port-forward to pod services/cray-keycloak-")).unwrap_or_default();
    assert!(tunnel.ends_with(":8080 (Service services/cray-keycloak-http:80), HTTP to the pod"), "{trace}");
    assert!(trace.contains("/portforward?ports=8080 -> 200"), "{trace}");
    out.stdout_is(&expected_secret());
}

#[test]
fn forwarded_runs_leave_no_admin_session() {
    let (user, id) = crate::sessions::own_admin();
    for _ in 0..5 {
        bare(&["client-secret", "my-test-client", "--admin-secret", &user]).run().stdout_is(&expected_secret());
    }
    assert_eq!(crate::sessions::sessions_of(&id), 0);
}

#[test]
fn a_deleted_pod_is_replaced_and_the_next_run_forwards_to_the_new_one() {
    // A Deployment of the test's own (nothing else forwards to it, and no
    // Keycloak image, so discovery ignores it), behind a Service named by
    // the URL; kwok sends its pod port 8080 to Keycloak's HTTP port.
    let name = unique("kk-replaced");
    let manifest = serde_json::json!({"apiVersion": "v1", "kind": "List", "items": [
        {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": "services"},
         "spec": {"replicas": 1, "selector": {"matchLabels": {"app": name}},
                  "template": {"metadata": {"labels": {"app": name}},
                               "spec": {"containers": [{"name": "app", "image": "registry.example/kk-test-app:1",
                                                        "ports": [{"name": "http", "containerPort": 8080}]}]}}}},
        {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": "services"},
         "spec": {"selector": {"app": name}, "ports": [{"name": "http", "port": 80, "targetPort": "http"}]}},
    ]});
    kubectl(&["apply", "-f", "-"], &manifest.to_string());
    let ready = || {
        kubectl(&["wait", "-n", "services", "--for=condition=Ready", "pod", "-l", &format!("app={name}"), "--timeout=60s"], "")
    };
    ready();
    let url = format!("http://{name}.services.svc/keycloak");
    let run = || bare(&["client-secret", "my-test-client", "--keycloak-url", &url]).run();
    let first = forwarded_to(&run(), &url, UNRESOLVED, &pods("services", &format!("app={name}")));
    kubectl(&["delete", "pod", "-n", "services", first.split('/').nth(1).unwrap(), "--wait=true"], "");
    let replaced = wait_for(|| pods("services", &format!("app={name}")).into_iter().find(|p| *p != first));
    ready();
    let out = run();
    assert_eq!(forwarded_to(&out, &url, UNRESOLVED, std::slice::from_ref(&replaced)), replaced);
    out.stdout_is(&expected_secret());
    kubectl(&["delete", "deployment,service", "-n", "services", &name, "--wait=false"], "");
}

fn wait_for<T>(mut found: impl FnMut() -> Option<T>) -> T {
    for _ in 0..120 {
        if let Some(value) = found() {
            return value;
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    panic!("not found within 60 s");
}

/// A fake pod on the sandbox's FAKE_POD_PORT (kwok forwards
/// keycloak-dropping's pod port there): it relays one connection to
/// Keycloak's plain-HTTP port, lets the first answer through whole, passes
/// the first bytes of the second and then closes, and accepts no other
/// connection: a pod that dies mid-run. A real pod cannot be stopped at an
/// exact byte, hence the fake.
struct FakePodThatDies {
    relay: std::thread::JoinHandle<()>,
}

impl FakePodThatDies {
    const PASSED_OF_THE_SECOND_ANSWER: usize = 20;

    fn start() -> Self {
        use std::io::{Read, Write};
        use std::net::{Shutdown, TcpListener, TcpStream};
        use std::sync::Arc;
        use std::sync::atomic::{AtomicBool, Ordering};

        let port: u16 = std::env::var("SANDBOX_FAKE_POD_PORT").expect("SANDBOX_FAKE_POD_PORT").parse().unwrap();
        let keycloak: u16 = std::env::var("SANDBOX_KEYCLOAK_HTTP_PORT").expect("SANDBOX_KEYCLOAK_HTTP_PORT").parse().unwrap();
        let listener = TcpListener::bind(("127.0.0.1", port)).expect("bind the fake pod's port");
        let relay = std::thread::spawn(move || {
            let (client, _) = listener.accept().expect("the port-forward's connection");
            drop(listener); // the pod is gone: no second connection
            let upstream = TcpStream::connect(("127.0.0.1", keycloak)).expect("Keycloak's HTTP port");
            let (answered, second) = (Arc::new(AtomicBool::new(false)), Arc::new(AtomicBool::new(false)));
            let requests = {
                let (mut from, mut to) = (client.try_clone().unwrap(), upstream.try_clone().unwrap());
                let (answered, second) = (answered.clone(), second.clone());
                std::thread::spawn(move || {
                    let mut buf = [0; 16384];
                    while let Ok(n @ 1..) = from.read(&mut buf) {
                        // Sequential requests on one connection: bytes after an answer begin the next.
                        if answered.load(Ordering::SeqCst) {
                            second.store(true, Ordering::SeqCst);
                        }
                        if to.write_all(&buf[..n]).is_err() {
                            break;
                        }
                    }
                })
            };
            let (mut from, mut to) = (upstream.try_clone().unwrap(), client.try_clone().unwrap());
            let mut buf = [0; 16384];
            while let Ok(n @ 1..) = from.read(&mut buf) {
                if second.load(Ordering::SeqCst) {
                    let _ = to.write_all(&buf[..n.min(Self::PASSED_OF_THE_SECOND_ANSWER)]);
                    break;
                }
                answered.store(true, Ordering::SeqCst); // before the client can see it
                if to.write_all(&buf[..n]).is_err() {
                    break;
                }
            }
            let _ = client.shutdown(Shutdown::Both);
            let _ = upstream.shutdown(Shutdown::Both);
            let _ = requests.join();
        });
        FakePodThatDies { relay }
    }
}

#[test]
fn a_tunnel_that_drops_mid_run_is_one_line_fake_pod() {
    // kwok, like some kubelets, keeps the stream open when the pod's side
    // closes: the run learns it at its request timeout, and says where.
    let fake = FakePodThatDies::start();
    let url = "http://keycloak-dropping.services.svc:8080/keycloak";
    let out = bare(&["client-secret", "my-test-client", "--keycloak-url", url, "--request-timeout", "3s"]).run();
    fake.relay.join().expect("the fake pod's relay");
    let out = out.fails_with(
        7,
        "kubectl-keycloak: error: Keycloak at keycloak-dropping.services.svc:8080 did not answer after 3s through the \
         port-forward to services/keycloak-testhost-0:8446 \
         (http://keycloak-dropping.services.svc:8080/keycloak/admin/realms/shasta/clients?clientId=my-test-client); \
         check the pod with: kubectl get pod -n services keycloak-testhost-0; raise --request-timeout if Keycloak is just slow",
    );
    assert!(out.elapsed < Duration::from_secs(10), "{out:?}");
}
