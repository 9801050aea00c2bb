//! `client-secret --rotated` and `--invalidate-rotated`: the previous secret
//! a secret-rotation client policy keeps, shown or ended; exit 17 where the
//! Keycloak has the feature off (CSM's 21.1.1 ships it off) or lacks it
//! (16.1.1, CSM 1.4).

use serde_json::json;

use crate::common::{Run, register_secret};
use crate::sandbox::{enc, sandbox, unique};

/// A realm of its own whose client policy keeps the previous secret.
fn rotation_realm() -> String {
    let realm = "kk-rotation".to_string();
    sandbox().ensure_realm(&realm);
    let profiles = json!({"profiles": [{
        "name": "kk-secret-rotation",
        "executors": [{"executor": "secret-rotation", "configuration": {
            "expiration-period": "3600", "rotated-expiration-period": "600", "remaining-rotation-period": "60"
        }}]
    }]});
    let policies = json!({"policies": [{
        "name": "kk-rotate-confidential", "enabled": true,
        "conditions": [{"condition": "client-access-type", "configuration": {"type": ["confidential"]}}],
        "profiles": ["kk-secret-rotation"]
    }]});
    let (status, body) = sandbox().admin("PUT", &format!("/{}/client-policies/profiles", enc(&realm)), Some(profiles));
    assert_eq!(status, 204, "{body}");
    let (status, body) = sandbox().admin("PUT", &format!("/{}/client-policies/policies", enc(&realm)), Some(policies));
    assert_eq!(status, 204, "{body}");
    realm
}

#[test]
fn rotated_secret_is_shown_and_invalidated_where_keycloak_supports_it() {
    if sandbox().version.starts_with("16.") {
        // WildFly Keycloak: rotation came with Keycloak 18, and 16.1.1's 404
        // for the rotated-secret path is RESTEASY's, not a missing realm.
        let absent = format!(
            "kubectl-keycloak: error: Keycloak {} at {} has no secret rotation; \
             client secret rotation came with Keycloak 18",
            sandbox().version,
            sandbox().keycloak_url
        );
        Run::kubectl(&["client-secret", "my-test-client", "--rotated"]).run().fails_with(17, &absent);
        Run::kubectl(&["client-secret", "my-test-client", "--invalidate-rotated", "--yes"]).run().fails_with(17, &absent);
        return;
    }
    if sandbox().version.starts_with("21.") {
        // CSM's Keycloak: secret rotation is a preview feature it ships off.
        let off = format!(
            "kubectl-keycloak: error: Keycloak {} at {} has secret rotation turned off; \
             it is the preview feature client-secret-rotation (kc.sh build --features=client-secret-rotation)",
            sandbox().version,
            sandbox().keycloak_url
        );
        Run::kubectl(&["client-secret", "my-test-client", "--rotated"]).run().fails_with(17, &off);
        Run::kubectl(&["client-secret", "my-test-client", "--invalidate-rotated", "--yes"]).run().fails_with(17, &off);
        return;
    }
    let realm = rotation_realm();
    let client = unique("kk-rotated");
    let created = Run::kubectl(&["create-client", &client, "--service-account", "--realm", &realm, "-o", "raw"])
        .run()
        .success_noting(&format!("kubectl-keycloak: created client \"{client}\" in realm \"{realm}\""));
    let first = sandbox().secret_of(&realm, &client);
    created.stdout_is(&format!("{first}\n"));
    let regenerated =
        Run::kubectl(&["client-secret", &client, "--realm", &realm, "--regenerate", "--yes", "-o", "raw"]).run().success();
    register_secret(regenerated.stdout.trim_end());
    regenerated.stdout_is(&format!("{}\n", sandbox().secret_of(&realm, &client)));
    Run::kubectl(&["client-secret", &client, "--realm", &realm, "--rotated", "-o", "raw"])
        .run()
        .success()
        .stdout_is(&format!("{first}\n"));
    Run::kubectl(&["client-secret", &client, "--realm", &realm, "--invalidate-rotated", "--yes"])
        .run()
        .success_noting(&format!("kubectl-keycloak: the rotated secret of client \"{client}\" no longer works"))
        .stdout_is("");
    Run::kubectl(&["client-secret", &client, "--realm", &realm, "--rotated"]).run().fails_with(
        12,
        &format!(
            "kubectl-keycloak: error: client \"{client}\" in realm \"{realm}\" has no rotated secret; \
             a secret-rotation client policy keeps the previous secret after --regenerate"
        ),
    );
}
