//! TLS trust for Keycloak: the OS trust store (where CSM installs its platform
//! CA) plus any CA the user names, verified by default. Skipping verification
//! needs an explicit flag and always warns.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use ureq::tls::{Certificate, PemItem, RootCerts, TlsConfig};

use crate::error::{Error, Kind, Result};
use crate::trace;

/// A PEM bundle and where it came from (for error messages).
pub struct ExtraCa {
    pub origin: String,
    pub pem: Vec<u8>,
}

impl ExtraCa {
    pub fn from_file(path: &Path) -> Result<Self> {
        let pem = std::fs::read(path)
            .map_err(|err| Error::new(Kind::Usage, format!("cannot read Keycloak CA file {}: {err}", path.display())))?;
        Ok(ExtraCa { origin: format!("CA file {}", path.display()), pem })
    }
}

/// `roots` come from [`os_roots`]; the `extra` CAs are added to them.
pub fn config(mut roots: Vec<Certificate<'static>>, extra: &[ExtraCa], insecure: bool) -> Result<TlsConfig> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = TlsConfig::builder().unversioned_rustls_crypto_provider(provider);
    if insecure {
        trace::warn(
            "TLS verification for Keycloak is OFF (--insecure-skip-keycloak-tls-verify); the admin password can be intercepted",
        );
        return Ok(builder.disable_verification(true).build());
    }
    for ca in extra {
        let before = roots.len();
        for item in ureq::tls::parse_pem(&ca.pem) {
            match item {
                Ok(PemItem::Certificate(cert)) => roots.push(cert),
                Ok(_) => {}
                Err(err) => return Err(Error::new(Kind::Usage, format!("{} is not valid PEM: {err}", ca.origin))),
            }
        }
        if roots.len() == before {
            return Err(Error::new(Kind::Usage, format!("{} holds no PEM certificate", ca.origin)));
        }
    }
    Ok(builder.root_certs(RootCerts::from(roots)).build())
}

/// Which part of the OS trust store to read.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum OsRoots {
    /// The bundle file and the certificate directory (or what `SSL_CERT_FILE`
    /// and `SSL_CERT_DIR` name): every CA the system trusts.
    All,
    /// The bundle file only (`SSL_CERT_FILE`, else the system's, else
    /// [`All`]). `update-ca-certificates` (Debian, SUSE) and
    /// `update-ca-trust` (Red Hat) write every CA into it, so this is
    /// usually the same set at a fraction of the cost: the directory means
    /// opening and parsing each certificate again. Only the early connection
    /// trusts this subset; if its handshake fails, the login trusts [`All`].
    ///
    /// [`All`]: OsRoots::All
    Bundle,
}

/// The OS trust store (where CSM installs its platform CA).
pub fn os_roots(part: OsRoots) -> Vec<Certificate<'static>> {
    let started = std::time::Instant::now();
    let bundle = match part {
        OsRoots::Bundle => std::env::var_os("SSL_CERT_FILE").map(PathBuf::from).or_else(|| openssl_probe::probe().cert_file),
        OsRoots::All => None,
    };
    let loaded = match bundle {
        Some(file) => rustls_native_certs::load_certs_from_paths(Some(&file), None),
        None => rustls_native_certs::load_native_certs(),
    };
    if !loaded.errors.is_empty() {
        trace::note(&format!(
            "{} problem(s) reading the OS trust store; the readable certificates are used",
            loaded.errors.len()
        ));
    }
    let roots: Vec<_> = loaded.certs.iter().map(|der| Certificate::from_der(der.as_ref()).to_owned()).collect();
    let read = if part == OsRoots::Bundle { "OS trust store (bundle file)" } else { "OS trust store" };
    trace::step(&format!("{read}: {} certificates", roots.len()), started.elapsed());
    roots
}
