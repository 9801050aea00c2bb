//! Keycloak, bottom up: trust roots (`tls`), the HTTP transport (`http`),
//! the OpenID Connect token endpoint (`oidc`: logins, client tokens,
//! logout), the admin REST API (`api`) and the client model (`client`).

mod api;
mod client;
mod http;
mod oidc;
mod tls;
mod tunnel;

pub use api::AdminApi;
pub use client::ClientInfo;
pub use http::{Route, host_of};
pub use oidc::{Connection, Login};
pub use tls::{ExtraCa, OsRoots, config as tls_config, os_roots};

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// Characters left as they are in a path segment or query value: RFC 3986
/// unreserved. Everything else is percent-encoded, so a clientId or realm
/// holding `/`, `?`, `#`, `&`, `+`, `%` or spaces stays one value.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

pub(crate) fn encode(component: &str) -> String {
    utf8_percent_encode(component, COMPONENT).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn components_are_encoded_so_they_stay_one_value() {
        assert_eq!(encode("my-test-client"), "my-test-client");
        assert_eq!(encode("a b&c#d?e/f%g+h"), "a%20b%26c%23d%3Fe%2Ff%25g%2Bh");
        assert_eq!(encode("é"), "%C3%A9");
    }
}
