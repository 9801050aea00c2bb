//! Keycloak's HTTP through a port-forward: a ureq connector whose
//! connections are [`Tunnel`]s to Keycloak's pod, under ureq's own TLS, and
//! a resolver that asks no DNS. The URL's host still names Keycloak: it is
//! the Host header of every request and the name TLS verifies, exactly as
//! when direct; only where the bytes go changes.

use std::io;
use std::net::SocketAddr;
use std::sync::Mutex;

use ureq::Agent;
use ureq::config::Config;
use ureq::http::Uri;
use ureq::unversioned::resolver::{ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{Buffers, ConnectionDetails, Connector, LazyBuffers, NextTimeout, RustlsConnector, Transport};

use crate::cluster::{Forward, Tunnel};
use crate::error::Error;

/// An agent whose connections go through `forward`; `first` is the tunnel
/// already opened (so a refusal is reported before any request).
pub fn agent(config: Config, forward: Forward, first: Tunnel) -> Agent {
    let connector = ().chain(TunnelConnector { forward, first: Mutex::new(Some(first)) }).chain(RustlsConnector::default());
    Agent::with_parts(config, connector, NoDns)
}

/// The plugin's own error, carried through ureq inside an I/O error.
pub fn own_error(err: &ureq::Error) -> Option<Error> {
    let ureq::Error::Io(io) = err else { return None };
    io.get_ref().and_then(|inner| inner.downcast_ref::<Error>()).map(|err| Error::new(err.kind, err.to_string()))
}

#[derive(Debug)]
struct TunnelConnector {
    forward: Forward,
    first: Mutex<Option<Tunnel>>,
}

impl<In: Transport> Connector<In> for TunnelConnector {
    type Out = TunnelTransport;

    fn connect(&self, details: &ConnectionDetails, _chained: Option<In>) -> Result<Option<Self::Out>, ureq::Error> {
        let first = self.first.lock().ok().and_then(|mut first| first.take());
        let tunnel = match first {
            Some(tunnel) => tunnel,
            None => self.forward.open(details.timeout.not_zero().map(|limit| *limit)).map_err(io::Error::other)?,
        };
        let buffers = LazyBuffers::new(details.config.input_buffer_size(), details.config.output_buffer_size());
        Ok(Some(TunnelTransport { tunnel, buffers, open: true }))
    }
}

struct TunnelTransport {
    tunnel: Tunnel,
    buffers: LazyBuffers,
    open: bool,
}

impl std::fmt::Debug for TunnelTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TunnelTransport")
    }
}

impl Transport for TunnelTransport {
    fn buffers(&mut self) -> &mut dyn Buffers {
        &mut self.buffers
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), ureq::Error> {
        let timeout = remaining(timeout.for_write())?;
        let output = &self.buffers.output()[..amount];
        self.tunnel.write_all(output, timeout.not_zero().map(|limit| *limit)).map_err(|err| io_error(err, timeout))
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        let timeout = remaining(timeout.for_read())?;
        let input = self.buffers.input_append_buf();
        let read = self.tunnel.read(input, timeout.not_zero().map(|limit| *limit)).map_err(|err| io_error(err, timeout))?;
        self.buffers.input_appended(read);
        self.open = read > 0;
        Ok(read > 0)
    }

    fn is_open(&mut self) -> bool {
        self.open
    }
}

fn remaining(timeout: NextTimeout) -> Result<NextTimeout, ureq::Error> {
    if timeout.after.is_zero() { Err(ureq::Error::Timeout(timeout.reason)) } else { Ok(timeout) }
}

fn io_error(err: io::Error, timeout: NextTimeout) -> ureq::Error {
    if err.kind() == io::ErrorKind::TimedOut { ureq::Error::Timeout(timeout.reason) } else { ureq::Error::Io(err) }
}

/// Every name "resolves": the tunnel, not the address, decides where the
/// connection goes, so the URL's host may be one that resolves only inside
/// the cluster or on its node network.
#[derive(Debug)]
struct NoDns;

impl Resolver for NoDns {
    fn resolve(&self, _uri: &Uri, _config: &Config, _timeout: NextTimeout) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let mut addrs = self.empty();
        addrs.push(SocketAddr::from(([127, 0, 0, 1], 0)));
        Ok(addrs)
    }
}
