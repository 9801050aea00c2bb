//! Discovery's reading of cluster objects, on any JSON: the first byte
//! picks the reader (and, for an Ingress, Keycloak's relative path), the
//! rest is its input: a Keycloak CR's spec, a `kind: List` of workloads,
//! Services, Ingresses and ConfigMaps, one container, or Ingresses.
//!
//! No panic; every URL found is http:// or https://; and what discovery
//! says of a container's admin never holds the value of a variable named
//! as a password or secret (such values are replaced by a marker first).
#![no_main]

use kubectl_keycloak::fuzzing::{container_env, ingress_url, operator_candidate, workloads};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

/// What a literal password or secret becomes before the container is read.
const MARKER: &str = "fuzz-literal-secret-7c1e";

fuzz_target!(|data: &[u8]| {
    let Some((&pick, json)) = data.split_first() else { return };
    let urls: Vec<String> = match pick % 4 {
        0 => serde_json::from_slice(json).ok().and_then(operator_candidate).into_iter().collect(),
        1 => workloads(json),
        2 => {
            let Some(container) = with_marked_secrets(json) else { return };
            for said in container_env(&container, "kc") {
                assert!(!said.contains(MARKER), "a literal secret in {said:?}");
            }
            Vec::new()
        }
        _ => ingress_url(json, "kc", "keycloak", ["", "/auth", "/kc/x"][usize::from(pick / 4 % 3)]).into_iter().collect(),
    };
    for url in urls {
        assert!(url.starts_with("https://") || url.starts_with("http://"), "{url:?}");
    }
});

/// The container with each literal `env` value of a `*PASSWORD*` or
/// `*SECRET*` variable replaced by [`MARKER`]; `None` when the input is no
/// JSON or names the marker itself.
fn with_marked_secrets(json: &[u8]) -> Option<Vec<u8>> {
    if json.windows(MARKER.len()).any(|window| window == MARKER.as_bytes()) {
        return None;
    }
    let mut container: Value = serde_json::from_slice(json).ok()?;
    for var in container.get_mut("env").and_then(Value::as_array_mut).into_iter().flatten() {
        let secret =
            var.get("name").and_then(Value::as_str).is_some_and(|name| name.contains("PASSWORD") || name.contains("SECRET"));
        if let (true, Some(value)) = (secret, var.get_mut("value").filter(|value| value.is_string())) {
            *value = MARKER.into();
        }
    }
    serde_json::to_vec(&container).ok()
}
