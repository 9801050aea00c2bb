//! A port-forward to Keycloak's pod through the API server: the
//! `pods/portforward` subresource (WebSocket, `v4.channel.k8s.io`), the
//! way `kubectl port-forward svc/NAME` reaches a pod, from wherever the
//! kubeconfig works. Each [`Tunnel`] is one TCP connection to the pod's
//! port, carried inside the kubeconfig's TLS connection to the API server.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::{Pod, Service};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use kube::api::{ListParams, Portforwarder};
use kube::{Api, Client};
use tokio::io::{AsyncReadExt, AsyncWriteExt, DuplexStream};

use super::ObjectRef;
use super::api::{Cluster, kube_error};
use crate::error::{Error, Kind, Result};
use crate::trace;

/// How long a closed stream waits for the kubelet's reason on the error
/// channel: it arrives right after the data stream ends.
const ERROR_WAIT: Duration = Duration::from_secs(2);

/// A Service port: what a port-forward reaches through the Service's pods.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServicePort {
    pub service: ObjectRef,
    pub port: i32,
    pub https: bool,
}

impl std::fmt::Display for ServicePort {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let scheme = if self.https { "https:" } else { "" };
        write!(f, "{}/{scheme}{}:{}", self.service.namespace, self.service.name, self.port)
    }
}

/// The pod and container port behind a Service port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodPort {
    pub pod: ObjectRef,
    pub port: u16,
    /// The Service port it was chosen for.
    pub service: ServicePort,
}

impl std::fmt::Display for PodPort {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "pod {}:{} (Service {})", self.pod, self.port, self.service)
    }
}

/// Opens tunnels to one pod port, each a new stream.
#[derive(Clone)]
pub struct Forward {
    client: Client,
    runtime: Arc<tokio::runtime::Runtime>,
    target: PodPort,
}

impl std::fmt::Debug for Forward {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Forward({})", self.target)
    }
}

impl Cluster {
    /// The pod and port behind this Service port, chosen the way `kubectl
    /// port-forward svc/NAME` chooses them (the Service's selector, the
    /// longest-ready pod first, a named targetPort looked up in the pod),
    /// among Running and Ready pods only: a terminating or evicted pod
    /// would take the connection and never answer.
    pub fn pod_behind(&self, target: &ServicePort) -> Result<PodPort> {
        let namespace = &target.service.namespace;
        let service: Service = self.get(Api::namespaced(self.client(), namespace), &target.service, "Service")?;
        let spec = service.spec.unwrap_or_default();
        let selector = spec.selector.unwrap_or_default();
        if selector.is_empty() {
            return Err(Error::new(
                Kind::NotFound,
                format!("Service {} selects no pods, so there is no pod to forward to", target.service),
            ));
        }
        let port = spec
            .ports
            .unwrap_or_default()
            .into_iter()
            .find(|p| p.port == target.port)
            .ok_or_else(|| Error::new(Kind::NotFound, format!("Service {} has no port {}", target.service, target.port)))?;
        let labels: Vec<String> = selector.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let api: Api<Pod> = Api::namespaced(self.client(), namespace);
        let started = Instant::now();
        let listed = self.runtime().block_on(api.list(&ListParams::default().labels(&labels.join(","))));
        let url = format!("{}/api/v1/namespaces/{namespace}/pods", self.server().trim_end_matches('/'));
        trace::kube("GET", &url, &listed.as_ref().map(|_| ()), started.elapsed());
        let what = format!("list the pods of Service {}", target.service);
        let pods = listed.map_err(|err| kube_error(err, &what, self.server()))?.items;
        let total = pods.len();
        let pod = first_ready_pod(pods).ok_or_else(|| {
            let selector = labels.join(",");
            Error::new(
                Kind::Unreachable,
                format!(
                    "no Running and Ready pod behind Service {} to forward to (selector {selector}: {total} pods)",
                    target.service
                ),
            )
            .hint(format!("check them with: kubectl get pods -n {namespace} -l {selector}"))
        })?;
        let name = pod.metadata.name.clone().unwrap_or_default();
        let container_port = match port.target_port {
            None => port.port,
            Some(IntOrString::Int(number)) => number,
            Some(IntOrString::String(port_name)) => named_port(&pod, &port_name).ok_or_else(|| {
                Error::new(Kind::NotFound, format!("pod {namespace}/{name} has no container port named {port_name:?}"))
            })?,
        };
        let port = u16::try_from(container_port)
            .map_err(|_| Error::new(Kind::BadResponse, format!("pod {namespace}/{name} port {container_port} is not a port")))?;
        Ok(PodPort { pod: ObjectRef { namespace: namespace.clone(), name }, port, service: target.clone() })
    }

    /// What opens tunnels to `target`.
    pub fn forward(&self, target: PodPort) -> Forward {
        Forward { client: self.client(), runtime: self.runtime(), target }
    }
}

impl Forward {
    /// The pod it forwards to.
    pub fn pod(&self) -> &ObjectRef {
        &self.target.pod
    }

    /// `namespace/pod:port`, as errors name it.
    pub fn pod_port(&self) -> String {
        format!("{}:{}", self.target.pod, self.target.port)
    }

    /// A new connection to the pod's port, within `limit`.
    pub fn open(&self, limit: Option<Duration>) -> Result<Tunnel> {
        let PodPort { pod, port, .. } = &self.target;
        let api: Api<Pod> = Api::namespaced(self.client.clone(), &pod.namespace);
        let started = Instant::now();
        let ports = [*port];
        let opened = self.runtime.block_on(async {
            let forwarding = api.portforward(&pod.name, &ports);
            match limit {
                Some(limit) => tokio::time::timeout(limit, forwarding).await.ok(),
                None => Some(forwarding.await),
            }
        });
        let url = format!("/api/v1/namespaces/{}/pods/{}/portforward?ports={port}", pod.namespace, pod.name);
        let what =
            format!("forward a port to pod {pod} (RBAC: get and create on pods/portforward in namespace {})", pod.namespace);
        let Some(opened) = opened else {
            trace::note(&format!("GET {url}: no answer within {limit:?}"));
            return Err(Error::new(Kind::Unreachable, format!("cannot {what}: no answer within {limit:?}")));
        };
        trace::kube("GET", &url, &opened.as_ref().map(|_| ()), started.elapsed());
        let mut forwarder = opened.map_err(|err| forward_error(err, &what, pod))?;
        let stream = forwarder.take_stream(*port).expect("the port asked for");
        let error = forwarder.take_error(*port).map(|error| Box::pin(error) as KubeletError);
        let target = self.pod_port();
        Ok(Tunnel { stream, error, target, runtime: Arc::clone(&self.runtime), _forwarder: forwarder })
    }
}

type KubeletError = Pin<Box<dyn Future<Output = Option<String>> + Send + Sync>>;

/// One connection through the port-forward: blocking reads and writes.
pub struct Tunnel {
    stream: DuplexStream,
    /// What the kubelet says went wrong (its error channel), if anything.
    error: Option<KubeletError>,
    /// `namespace/pod:port`, for errors.
    target: String,
    runtime: Arc<tokio::runtime::Runtime>,
    /// Pumps the WebSocket while the runtime runs; dropped with the tunnel.
    _forwarder: Portforwarder,
}

impl std::fmt::Debug for Tunnel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Tunnel")
    }
}

impl Tunnel {
    /// Read what arrived, waiting at most `limit`. `Ok(0)`: the pod closed
    /// the connection; a reason the kubelet gave for it is an error.
    pub fn read(&mut self, buf: &mut [u8], limit: Option<Duration>) -> io::Result<usize> {
        let read = self.runtime.block_on(within(limit, self.stream.read(buf)))??;
        if read > 0 {
            return Ok(read);
        }
        match self.error.take() {
            // (the timer is made inside the runtime, which it needs)
            Some(error) => match self.runtime.block_on(async { tokio::time::timeout(ERROR_WAIT, error).await }) {
                Ok(Some(reason)) => Err(io::Error::new(
                    io::ErrorKind::ConnectionAborted,
                    format!("the kubelet closed the port-forward to {}: {reason}", self.target),
                )),
                _ => Ok(0),
            },
            None => Ok(0),
        }
    }

    pub fn write_all(&mut self, bytes: &[u8], limit: Option<Duration>) -> io::Result<()> {
        self.runtime.block_on(within(limit, async {
            self.stream.write_all(bytes).await?;
            self.stream.flush().await
        }))?
    }
}

async fn within<T>(limit: Option<Duration>, work: impl Future<Output = T>) -> io::Result<T> {
    match limit {
        Some(limit) => tokio::time::timeout(limit, work).await.map_err(|_| io::ErrorKind::TimedOut.into()),
        None => Ok(work.await),
    }
}

/// The pod `kubectl port-forward svc/NAME` would take, among Running and
/// Ready pods not being deleted: ready the longest, then most restarted
/// (kubectl's order for logs and port-forwards), then oldest.
fn first_ready_pod(pods: Vec<Pod>) -> Option<Pod> {
    let ready_since = |pod: &Pod| {
        let status = pod.status.as_ref()?;
        if status.phase.as_deref() != Some("Running") || pod.metadata.deletion_timestamp.is_some() {
            return None;
        }
        let ready = status.conditions.as_ref()?.iter().find(|c| c.type_ == "Ready" && c.status == "True")?;
        Some(ready.last_transition_time.as_ref().map(|t| t.0))
    };
    let restarts = |pod: &Pod| -> i32 {
        let statuses = pod.status.as_ref().and_then(|s| s.container_statuses.as_ref());
        statuses.map_or(0, |statuses| statuses.iter().map(|c| c.restart_count).sum())
    };
    let mut ready: Vec<(Pod, Option<jiff::Timestamp>)> =
        pods.into_iter().filter_map(|pod| ready_since(&pod).map(|since| (pod, since))).collect();
    ready.sort_by(|(a, a_since), (b, b_since)| {
        let created = |pod: &Pod| pod.metadata.creation_timestamp.as_ref().map(|t| t.0);
        // An unknown ready time sorts last.
        a_since
            .is_none()
            .cmp(&b_since.is_none())
            .then(a_since.cmp(b_since))
            .then(restarts(b).cmp(&restarts(a)))
            .then(created(a).cmp(&created(b)))
    });
    ready.into_iter().next().map(|(pod, _)| pod)
}

/// The number of the container port named `name`.
fn named_port(pod: &Pod, name: &str) -> Option<i32> {
    let containers = &pod.spec.as_ref()?.containers;
    containers.iter().flat_map(|c| c.ports.iter().flatten()).find(|p| p.name.as_deref() == Some(name)).map(|p| p.container_port)
}

fn forward_error(err: kube::Error, what: &str, pod: &ObjectRef) -> Error {
    match err {
        kube::Error::Api(status) if status.code == 403 => Error::new(
            Kind::Forbidden,
            format!("the API server refused to forward a port to pod {pod}: {}", crate::error::one_line(&status.message)),
        )
        .hint(format!(
            "it needs RBAC get and create on pods/portforward in namespace {}; or give a reachable --keycloak-url",
            pod.namespace
        )),
        other => kube_error(other, what, ""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pod(name: &str, phase: &str, ready: Option<&str>, restarts: i32) -> Pod {
        let conditions = ready.map(|at| json!([{"type": "Ready", "status": "True", "lastTransitionTime": at}]));
        serde_json::from_value(json!({
            "metadata": {"name": name, "creationTimestamp": "2026-01-01T00:00:00Z"},
            "spec": {"containers": [{"name": "keycloak", "ports": [{"name": "http", "containerPort": 8080}]}]},
            "status": {"phase": phase, "conditions": conditions.unwrap_or(json!([])),
                       "containerStatuses": [{"name": "keycloak", "restartCount": restarts, "ready": true, "image": "k", "imageID": ""}]},
        }))
        .unwrap()
    }

    fn chosen(pods: Vec<Pod>) -> Option<String> {
        first_ready_pod(pods).and_then(|pod| pod.metadata.name)
    }

    #[test]
    fn only_running_ready_pods_are_chosen_longest_ready_first() {
        assert_eq!(chosen(vec![pod("evicted", "Failed", None, 0), pod("pending", "Pending", None, 0)]), None);
        assert_eq!(chosen(vec![pod("not-ready", "Running", None, 0)]), None);
        let pods = vec![
            pod("later", "Running", Some("2026-01-02T00:00:00Z"), 0),
            pod("earlier", "Running", Some("2026-01-01T00:00:00Z"), 0),
            pod("failed", "Failed", Some("2025-01-01T00:00:00Z"), 0),
        ];
        assert_eq!(chosen(pods).as_deref(), Some("earlier"));
        let tie =
            vec![pod("few", "Running", Some("2026-01-01T00:00:00Z"), 1), pod("many", "Running", Some("2026-01-01T00:00:00Z"), 3)];
        assert_eq!(chosen(tie).as_deref(), Some("many"));
    }

    #[test]
    fn a_named_target_port_is_the_containers() {
        let pod = pod("p", "Running", None, 0);
        assert_eq!(named_port(&pod, "http"), Some(8080));
        assert_eq!(named_port(&pod, "https"), None);
    }
}
