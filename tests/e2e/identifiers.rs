//! Hostile identifiers: clientIds and realm names holding URL syntax,
//! percent signs and non-ASCII are found exactly, never confused with a
//! look-alike.

use crate::common::Run;
use crate::sandbox::{lookalike_realm, sandbox};

/// Look-alikes on purpose: if any of these were mis-encoded, the lookup would
/// find another one of them (or nothing).
const CLIENT_IDS: &[&str] = &[
    "kk id with spaces",
    "kk+id+with+spaces",
    "kk%20id%20with%20spaces",
    "kk&clientId=my-test-client",
    "kk#fragment",
    "kk?query=1",
    "kk/slash/../path",
    "kk%2Fencoded",
    "kk%",
    "kk clé ü 雪 🔑",
    "kk;semi=1,comma",
];

/// Keycloak 26 refuses `& # ? / + , ; : @ = * ( ) \ ! $` in realm names;
/// these hold what it accepts that still needs encoding.
const REALMS: &[&str] = &["kk realm with spaces", "kk%25-percent%", "kk-réalm ü 雪", "kk'quote\"dq<lt~"];

fn secret_for(realm: &str, client_id: &str) -> String {
    // Deterministic and distinct per pair, so a mix-up shows.
    format!("s-{}-{}", realm.len() * 1000 + client_id.len(), client_id.bytes().map(u32::from).sum::<u32>())
}

#[test]
fn hostile_client_ids_are_found_exactly() {
    for client_id in CLIENT_IDS {
        sandbox().ensure_client("shasta", client_id, &secret_for("shasta", client_id));
    }
    for client_id in CLIENT_IDS {
        Run::kubectl(&["client-secret", client_id, "-o", "raw"])
            .run()
            .success()
            .stdout_is(&format!("{}\n", secret_for("shasta", client_id)));
    }
}

#[test]
fn hostile_realm_names_are_found_exactly() {
    for realm in REALMS {
        sandbox().ensure_realm(realm);
        sandbox().ensure_client(realm, "kk-in-hostile-realm", &secret_for(realm, "kk-in-hostile-realm"));
    }
    for realm in REALMS {
        Run::kubectl(&["client-secret", "kk-in-hostile-realm", "--realm", realm, "-o", "raw"])
            .run()
            .success()
            .stdout_is(&format!("{}\n", secret_for(realm, "kk-in-hostile-realm")));
    }
}

#[test]
fn a_prefix_or_case_variant_is_not_a_match() {
    // Keycloak's search is a case-insensitive substring match; the exact
    // lookup must not be. The realm's clients are known, so the
    // suggestions (from that search) are too.
    let realm = lookalike_realm();
    Run::kubectl(&["client-secret", "my-test", "--realm", realm]).run().fails_with(
        11,
        &format!(
            "kubectl-keycloak: error: no client with clientId \"my-test\" in realm \"{realm}\"; did you mean \"my-test-client\"?"
        ),
    );
    Run::kubectl(&["client-secret", "MY-TEST-CLIENT", "--realm", realm]).run().fails_with(
        11,
        &format!(
            "kubectl-keycloak: error: no client with clientId \"MY-TEST-CLIENT\" in realm \"{realm}\"; \
             did you mean \"my-test-client\"?"
        ),
    );
}
