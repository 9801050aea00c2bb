//! The API server's service proxy: HTTP to a Service inside the cluster,
//! over the same authenticated, verified connection the plugin uses for
//! Secrets (`/api/v1/namespaces/NS/services/[https:]NAME:PORT/proxy/…`).
//!
//! The hop from the API server to the Service is inside the cluster; the
//! API server does not verify an https backend's certificate.

use std::sync::Arc;

use http_body_util::{BodyExt, Limited};
use kube::Client;
use kube::client::Body;
use ureq::http::{Method, Request};

use super::ObjectRef;
use super::api::{Cluster, kube_error};
use crate::error::{Error, Kind, Result, chain};

/// A Service port to proxy to.
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

/// One HTTP response read whole (bounded): through the proxy here, and
/// straight from Keycloak in `keycloak::http`.
pub struct Reply {
    pub status: u16,
    pub content_type: String,
    pub location: Option<String>,
    pub body: String,
}

pub struct ServiceProxy {
    target: ServicePort,
    client: Client,
    runtime: Arc<tokio::runtime::Runtime>,
    server: String,
    /// `https://APISERVER/api/v1/namespaces/NS/services/[https:]NAME:PORT/proxy`
    base: String,
}

impl Cluster {
    pub fn service_proxy(&self, target: &ServicePort) -> ServiceProxy {
        let server = self.server().trim_end_matches('/').to_string();
        let scheme = if target.https { "https:" } else { "" };
        let base = format!(
            "{server}/api/v1/namespaces/{}/services/{scheme}{}:{}/proxy",
            target.service.namespace, target.service.name, target.port
        );
        ServiceProxy { target: target.clone(), client: self.client(), runtime: self.runtime(), server, base }
    }
}

impl ServiceProxy {
    /// The proxy's URL: the Service's root, to which Keycloak's path is added.
    pub fn base(&self) -> &str {
        &self.base
    }

    pub fn service(&self) -> &ServicePort {
        &self.target
    }

    /// Send one request to `url` (under [`ServiceProxy::base`]).
    pub fn send(&self, method: Method, url: &str, headers: &[(&str, &str)], body: Vec<u8>, limit: usize) -> Result<Reply> {
        let path = url.strip_prefix(&self.server).unwrap_or(url);
        let mut request = Request::builder().method(method).uri(path);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let request = request.body(Body::from(body)).map_err(|err| Error::usage(format!("invalid request to {url}: {err}")))?;
        self.runtime.block_on(async {
            let response = self
                .client
                .send(request)
                .await
                .map_err(|err| kube_error(err, "reach Keycloak through the API server", &self.server))?;
            let status = response.status().as_u16();
            let header = |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
            let content_type = header("content-type").unwrap_or_default();
            let location = header("location");
            let bytes = Limited::new(response.into_body(), limit).collect().await.map_err(|err| {
                if err.is::<http_body_util::LengthLimitError>() {
                    Error::new(
                        Kind::BadResponse,
                        format!("the answer from {url} is larger than {limit} bytes, far more than Keycloak sends"),
                    )
                } else {
                    Error::new(
                        Kind::KubeApi,
                        format!("reading the answer from {url} through the API server failed: {}", chain(err.as_ref())),
                    )
                }
            })?;
            Ok(Reply { status, content_type, location, body: String::from_utf8_lossy(&bytes.to_bytes()).into_owned() })
        })
    }
}
