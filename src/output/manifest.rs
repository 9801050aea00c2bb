//! `-o secret`: a `v1` Secret manifest for `kubectl apply`, `kubeseal` or
//! SOPS, and the provenance (label and annotations) that manifests and the
//! Secrets `--to-secret` writes carry.
//!
//! The YAML is written here rather than by a serializer: every scalar that
//! comes from outside (names, keys, values) is double-quoted with YAML's own
//! escapes, so no value can be read back as a number, a boolean (`yes`, `on`
//! in the YAML 1.1 that kubectl reads), a comment or a second document.

use std::collections::BTreeMap;

use super::fields::ClientFields;
use crate::cluster::ObjectRef;
use crate::secret::Secret;
use crate::trace::mask_userinfo;

/// The label on every Secret the plugin writes: `kubectl get secret -l
/// app.kubernetes.io/managed-by=kubectl-keycloak` finds them.
pub const MANAGED_BY: (&str, &str) = ("app.kubernetes.io/managed-by", "kubectl-keycloak");

/// Prefix of the provenance annotations.
const ANNOTATION_PREFIX: &str = "kubectl-keycloak";

/// Where a Secret's values came from and when they were written; never the
/// secret itself.
pub fn provenance(client: &ClientFields, written_at: jiff::Timestamp) -> BTreeMap<String, String> {
    [
        ("keycloak-url", mask_userinfo(&client.keycloak_url)),
        ("realm", client.realm.clone()),
        ("client-id", client.client_id.clone()),
        ("written-at", written_at.to_string()),
    ]
    .into_iter()
    .map(|(name, value)| (annotation(name), value))
    .collect()
}

/// The full name of one provenance annotation (`client-id`, `realm`, …).
pub fn annotation(name: &str) -> String {
    format!("{ANNOTATION_PREFIX}/{name}")
}

/// Now, to the second (annotations need no more).
pub fn now() -> jiff::Timestamp {
    jiff::Timestamp::from_second(jiff::Timestamp::now().as_second()).unwrap_or_else(|_| jiff::Timestamp::now())
}

/// One Secret manifest (one YAML document, no `---`).
pub fn manifest(object: &ObjectRef, data: &[(String, Secret)], annotations: &BTreeMap<String, String>) -> String {
    let mut out = String::from("apiVersion: v1\nkind: Secret\nmetadata:\n");
    out.push_str(&format!("  name: {}\n  namespace: {}\n", quote(&object.name), quote(&object.namespace)));
    out.push_str(&format!("  labels:\n    {}: {}\n", quote(MANAGED_BY.0), quote(MANAGED_BY.1)));
    out.push_str("  annotations:\n");
    for (key, value) in annotations {
        out.push_str(&format!("    {}: {}\n", quote(key), quote(value)));
    }
    out.push_str("type: Opaque\nstringData:\n");
    for (key, value) in data {
        out.push_str(&format!("  {}: {}\n", quote(key), quote(value.expose())));
    }
    out
}

/// Several manifests as one multi-document stream.
pub fn stream(documents: &[String]) -> String {
    documents.join("---\n")
}

/// A YAML double-quoted scalar. Printable characters stay as they are (so
/// diffs stay readable); `"` and `\` are escaped; everything YAML 1.1 or 1.2
/// would refuse or read as a line break becomes a `\u`/`\U` escape.
fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            ' '..='~' => out.push(c),
            '\u{A0}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}'
                if !matches!(c, '\u{2028}' | '\u{2029}' | '\u{FEFF}') =>
            {
                out.push(c)
            }
            c if (c as u32) <= 0xFFFF => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push_str(&format!("\\U{:08X}", c as u32)),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_keeps_values_scalar_strings() {
        assert_eq!(quote("yes"), "\"yes\"");
        assert_eq!(quote("a\"b\\c"), "\"a\\\"b\\\\c\"");
        assert_eq!(quote("a\nb\tc\r\0"), "\"a\\u000Ab\\u0009c\\u000D\\u0000\"");
        assert_eq!(quote("é\u{2028}\u{85}\u{7f}"), "\"é\\u2028\\u0085\\u007F\"");
        assert_eq!(quote("# not a comment ---"), "\"# not a comment ---\"");
    }

    #[test]
    fn a_manifest_is_a_complete_secret() {
        let client = ClientFields::new("my-app", "shasta", "https://u:p@sso.example.com/keycloak");
        let at = jiff::Timestamp::from_second(1_800_000_000).unwrap();
        let object = ObjectRef { namespace: "apps".into(), name: "my-app-auth".into() };
        let text = manifest(&object, &[("client-secret".into(), Secret::new("s'\"3"))], &provenance(&client, at));
        assert_eq!(
            text,
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: \"my-app-auth\"\n  namespace: \"apps\"\n  labels:\n    \
             \"app.kubernetes.io/managed-by\": \"kubectl-keycloak\"\n  annotations:\n    \
             \"kubectl-keycloak/client-id\": \"my-app\"\n    \
             \"kubectl-keycloak/keycloak-url\": \"https://***@sso.example.com/keycloak\"\n    \
             \"kubectl-keycloak/realm\": \"shasta\"\n    \
             \"kubectl-keycloak/written-at\": \"2027-01-15T08:00:00Z\"\n\
             type: Opaque\nstringData:\n  \"client-secret\": \"s'\\\"3\"\n"
        );
        assert_eq!(stream(&["a\n".into(), "b\n".into()]), "a\n---\nb\n");
    }
}
