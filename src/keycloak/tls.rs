//! TLS trust for Keycloak: the OS trust store (where CSM installs its platform
//! CA) plus any CA the user names, verified by default. Skipping verification
//! needs an explicit flag and always warns.

use std::path::Path;
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

/// The OS trust store (where CSM installs its platform CA).
pub fn os_roots() -> Vec<Certificate<'static>> {
    let loaded = rustls_native_certs::load_native_certs();
    if !loaded.errors.is_empty() {
        trace::note(&format!(
            "{} problem(s) reading the OS trust store; the readable certificates are used",
            loaded.errors.len()
        ));
    }
    loaded.certs.iter().map(|der| Certificate::from_der(der.as_ref()).to_owned()).collect()
}
