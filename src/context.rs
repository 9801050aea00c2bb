//! What every front end opens, commands and completion alike: the
//! kubeconfig, the config file and the settings they select, then the one
//! admin session. Its login ends when the session is dropped.

use std::time::Instant;

use crate::cli::KubeArgs;
use crate::cluster::Kube;
use crate::error::Result;
use crate::session::Session;
use crate::settings::{ConfigFile, Given, Settings, Timeout};
use crate::trace;

/// The kubeconfig chosen, the config file read and the settings resolved,
/// before anything was asked of the cluster or Keycloak.
pub struct Context {
    pub kube: Kube,
    pub config: ConfigFile,
    pub settings: Settings,
}

impl Context {
    /// Layer the flags and environment (`given`) over the config file's
    /// entry for the kubeconfig's context; `timeout` bounds each request.
    pub fn resolve(kube: &KubeArgs, given: &Given, timeout: Timeout) -> Result<Self> {
        let started = Instant::now();
        let options = kube.options();
        let loaded = Kube::load(&options, timeout.limit())?;
        let context = loaded.context.as_ref().map(|context| format!(", context {context}")).unwrap_or_default();
        trace::step(&format!("kubeconfig read{context}"), started.elapsed());
        let config = ConfigFile::load()?;
        let settings = Settings::resolve(given, kube.namespace.as_deref(), timeout, loaded.context.as_deref(), &config)?;
        Ok(Context { kube: loaded, config, settings })
    }

    /// Connect, find Keycloak and its admin, and log in.
    pub fn open_session(self) -> Result<Session> {
        Session::open(self.kube, &self.settings)
    }
}
