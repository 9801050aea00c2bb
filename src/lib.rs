//! kubectl-keycloak: Keycloak admin helpers for Kubernetes clusters.
//!
//! The layers, bottom up (`tests/layers` checks that each imports only
//! those below it): `error`, `secret` (the redacted type secrets travel in)
//! and `trace` (`-v`) serve every layer; `cluster` (kubeconfig, exec
//! credentials, Secrets and ConfigMaps, the service proxy) → `credentials`
//! (the admin's, read from the cluster) → `keycloak` (client model, TLS,
//! HTTP, the token endpoint, the admin REST API) → `output` (formats,
//! quoting, tables, manifests: rendering only) → `settings` (flags,
//! environment, config file) → `discovery` (where Keycloak is) → `session`
//! (one login) → `to_secret` (Secrets written) → `copies` (every Secret
//! holding a client's secret, and its readers) → `cli` (arguments) →
//! `context` (what every front end opens) → `complete` (kubectl's shell
//! completion) → `commands` (one file each).

mod cli;
mod cluster;
mod commands;
mod complete;
mod context;
mod copies;
mod credentials;
mod discovery;
mod error;
mod keycloak;
mod output;
mod progress;
mod secret;
mod session;
mod settings;
mod to_secret;
mod trace;

use std::ffi::OsString;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};

use cli::Cli;
use error::{Error, Kind};

/// Run with these arguments; print the result or one error line. Started
/// as `kubectl_complete-keycloak` (a link to this binary), answer kubectl's
/// completion request instead.
pub fn run(args: impl IntoIterator<Item = OsString>) -> ExitCode {
    let started = std::time::Instant::now();
    let args: Vec<OsString> = args.into_iter().collect();
    if let Some((argv0, words)) = args.split_first()
        && complete::invoked_as_completer(argv0)
    {
        return complete::main(words, started);
    }
    let matches = match Cli::command().try_get_matches_from(&args) {
        Ok(matches) => matches,
        Err(err) => {
            let err = cli::usage_of_what_is_required(err, &args);
            // Help and version go to stdout and succeed; usage errors exit 2.
            let _ = err.print();
            return ExitCode::from(if err.use_stderr() { Kind::Usage.exit_code() } else { 0 });
        }
    };
    let result = Cli::from_arg_matches(&matches).map_err(|err| Error::usage(err.to_string())).and_then(|cli| {
        if cli.verbose > 0 {
            trace::enable(started);
        }
        commands::execute(&cli, &output::write_stdout)
    });
    let code = match result {
        Ok(()) => 0,
        Err(err) => {
            eprintln!("kubectl-keycloak: error: {err}");
            err.kind.exit_code()
        }
    };
    trace::note(&format!("exit {code}"));
    ExitCode::from(code)
}

/// What the test suites drive directly: the renderer (eval safety) and the
/// TLS set-up (the tests' own Keycloak client).
#[doc(hidden)]
pub mod testing {
    pub use crate::keycloak::{ExtraCa, tls_config};
    pub use crate::output::{Asked, ClientFields, DEFAULT_VARIABLE, Format, Printed, render};
    pub use crate::secret::Secret;
}

/// What the fuzz targets (`fuzz/`) drive, with plain inputs: the shell
/// quoting, the completion line (its walk and the answer), the config file
/// and discovery's reading of cluster objects, each as the program runs it,
/// with no cluster, Keycloak or network. The targets call nothing else, so
/// that moving a module changes only this module.
#[doc(hidden)]
pub mod fuzzing {
    use std::time::Instant;

    use k8s_openapi::api::apps::v1::{Deployment, StatefulSet};
    use k8s_openapi::api::core::v1::{ConfigMap, Container, Service};
    use k8s_openapi::api::networking::v1::Ingress;
    use serde::de::DeserializeOwned;
    use serde_json::Value;

    use crate::cluster::ObjectRef;
    use crate::complete::line;
    use crate::discovery::env::{self, ConfigMaps};
    use crate::discovery::exposure::{self, Exposures};
    use crate::discovery::{Origin, operator, workload};
    use crate::settings::ConfigFile;

    pub use crate::output::quote::{fish_quote, posix_quote, powershell_quote};

    /// The completer's answer to these words (the last one is being
    /// completed), as printed for kubectl. Its deadline has passed, so it
    /// asks no API server or Keycloak; kubeconfig names are read as usual.
    /// No words (kubectl always sends one): "".
    pub fn completion_line(words: &[String]) -> String {
        if words.is_empty() {
            return String::new();
        }
        crate::complete::answer(words, Instant::now()).render()
    }

    /// The completer's walk of the words before the one being completed:
    /// the subcommand named, the flag (its id) whose value comes next, and
    /// the positional arguments.
    pub fn completion_walk(before: &[String]) -> (Option<String>, Option<String>, Vec<String>) {
        let line = line::parse_line(&line::command(), before);
        (line.subcommand, line.pending, line.positionals)
    }

    /// The config file holding `text`: `Err` with the error line.
    pub fn config_file(text: &str) -> Result<(), String> {
        ConfigFile::parse("config.yaml".into(), text).map(drop).map_err(|err| err.to_string())
    }

    /// The URL of the Keycloak CR `kc/sso` with this `spec`.
    pub fn operator_candidate(spec: Value) -> Option<String> {
        let object = ObjectRef { namespace: "kc".into(), name: "sso".into() };
        operator::candidate(object, &spec).url.map(|url| url.value)
    }

    /// The URLs of the Keycloaks among the StatefulSets and Deployments of
    /// `list` (JSON of a `kind: List`, as `kubectl get -o json` prints it),
    /// found with the list's Services, Ingresses and ConfigMaps as discovery
    /// finds them in the cluster. Items that do not parse are left out.
    pub fn workloads(list: &[u8]) -> Vec<String> {
        let items: Vec<Value> = serde_json::from_slice::<Value>(list)
            .ok()
            .and_then(|list| list.get("items").and_then(Value::as_array).cloned())
            .unwrap_or_default();
        let stateful_sets: Vec<StatefulSet> = of_kind(&items, "StatefulSet");
        let deployments: Vec<Deployment> = of_kind(&items, "Deployment");
        let services: Vec<Service> = of_kind(&items, "Service");
        let exposures = Exposures { ingresses: of_kind(&items, "Ingress"), routes: of_kind(&items, "Route") };
        let all_configmaps: ConfigMaps = of_kind::<ConfigMap>(&items, "ConfigMap")
            .into_iter()
            .filter_map(|cm| Some((format!("{}/{}", cm.metadata.namespace?, cm.metadata.name?), cm.data.unwrap_or_default())))
            .collect();
        let workloads = stateful_sets
            .iter()
            .map(|s| (Origin::StatefulSet, &s.metadata, &s.spec.template))
            .chain(deployments.iter().map(|d| (Origin::Deployment, &d.metadata, &d.spec.template)));
        workloads
            .filter_map(|(origin, meta, template)| {
                let services: Vec<Service> =
                    services.iter().filter(|s| s.metadata.namespace == meta.namespace).cloned().collect();
                let configmaps: ConfigMaps = match (workload::keycloak_container(meta, template), &meta.namespace) {
                    (Some(container), Some(namespace)) => env::env_from_configmaps(container, namespace)
                        .into_iter()
                        .filter_map(|cm| all_configmaps.get_key_value(&cm.to_string()))
                        .map(|(name, data)| (name.clone(), data.clone()))
                        .collect(),
                    _ => ConfigMaps::new(),
                };
                workload::candidate(origin, meta, template, &services, &exposures, &configmaps)?.url.map(|url| url.value)
            })
            .collect()
    }

    /// What discovery reads from one container's environment (JSON of a
    /// `Container`) in `namespace`: the admin as `discover` describes it,
    /// Keycloak's relative path, and the ConfigMaps `envFrom` names.
    pub fn container_env(container: &[u8], namespace: &str) -> Vec<String> {
        let Ok(container) = serde_json::from_slice::<Container>(container) else { return Vec::new() };
        let pod_env = env::PodEnv { container: &container, volumes: &[], namespace, configmaps: &ConfigMaps::new() };
        let mut read: Vec<String> = pod_env.admin().map(|admin| admin.describe()).into_iter().collect();
        read.extend(pod_env.relative_path());
        read.extend(env::env_from_configmaps(&container, namespace).iter().map(ObjectRef::to_string));
        read
    }

    /// The URL an Ingress of `ingresses` (JSON array of `Ingress`) gives the
    /// Service `namespace/service`, with Keycloak under `relative_path`.
    pub fn ingress_url(ingresses: &[u8], namespace: &str, service: &str, relative_path: &str) -> Option<String> {
        let items: Vec<Value> = serde_json::from_slice(ingresses).unwrap_or_default();
        let ingresses: Vec<Ingress> = items.into_iter().filter_map(|item| serde_json::from_value(item).ok()).collect();
        let service = ObjectRef { namespace: namespace.into(), name: service.into() };
        exposure::ingress_url(&ingresses, &service, relative_path).map(|url| url.value)
    }

    /// The items of this `kind` that parse as `T`.
    fn of_kind<T: DeserializeOwned>(items: &[Value], kind: &str) -> Vec<T> {
        items
            .iter()
            .filter(|item| item.get("kind").and_then(Value::as_str) == Some(kind))
            .filter_map(|item| serde_json::from_value(item.clone()).ok())
            .collect()
    }
}
