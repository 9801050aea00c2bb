//! The running sandbox (tests/sandbox/up) and a small admin client of our
//! own, independent of the plugin's code, to read and change Keycloak state.

use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use serde_json::{Value, json};

pub struct Sandbox {
    pub keycloak_url: String,
    pub apiserver_url: String,
    pub version: String,
    pub kubeconfig: String,
    agent: ureq::Agent,
}

/// The sandbox named by the environment that `. target/sandbox/env` sets.
/// Missing means the suite was run without its servers: fail loudly.
pub fn sandbox() -> &'static Sandbox {
    static SANDBOX: OnceLock<Sandbox> = OnceLock::new();
    SANDBOX.get_or_init(|| {
        let var = |name: &str| {
            std::env::var(name).unwrap_or_else(|_| {
                panic!("{name} is not set: the end-to-end tests need the sandbox. Run tests/sandbox/up && . target/sandbox/env (tests/run does both)")
            })
        };
        let ca_file = var("SANDBOX_CA_FILE");
        let ca = kubectl_keycloak::testing::ExtraCa::from_file(ca_file.as_ref()).expect("sandbox CA");
        let tls = kubectl_keycloak::testing::tls_config(Vec::new(), &[ca], false).expect("TLS config");
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(60)))
            .tls_config(tls)
            .build()
            .new_agent();
        Sandbox {
            keycloak_url: var("SANDBOX_KEYCLOAK_URL"),
            apiserver_url: var("SANDBOX_APISERVER_URL"),
            version: var("SANDBOX_KEYCLOAK_VERSION"),
            kubeconfig: var("KUBECONFIG"),
            agent,
        }
    })
}

/// `kubectl ARGS` against the sandbox, stdin given, stdout returned.
pub fn kubectl(args: &[&str], stdin: &str) -> String {
    use std::io::Write;
    let mut child = Command::new("kubectl")
        .args(args)
        .env("KUBECONFIG", &sandbox().kubeconfig)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run kubectl");
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "kubectl {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// A name unique to this run: reruns against one sandbox (and other users
/// of it) must not collide with clients or Secrets made earlier.
pub fn unique(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    format!("{prefix}-{}", nanos % 1_000_000_000_000)
}

/// A Secret's data, decoded: `{"key": "value", …}`.
pub fn secret_data(namespace: &str, name: &str) -> Value {
    let out = kubectl(&["get", "secret", "-n", namespace, name, "-o", "json"], "");
    let secret: Value = serde_json::from_str(&out).unwrap();
    use base64::Engine;
    let decode =
        |v: &Value| String::from_utf8(base64::engine::general_purpose::STANDARD.decode(v.as_str().unwrap()).unwrap()).unwrap();
    let data = secret["data"].as_object().cloned().unwrap_or_default();
    Value::Object(data.iter().map(|(k, v)| (k.clone(), json!(decode(v)))).collect())
}

/// Create or replace a Secret from a manifest on stdin (never argv).
pub fn apply_secret(namespace: &str, name: &str, string_data: &[(&str, &str)]) {
    let data: serde_json::Map<String, Value> = string_data.iter().map(|(k, v)| (k.to_string(), json!(v))).collect();
    let manifest = json!({
        "apiVersion": "v1", "kind": "Secret",
        "metadata": {"name": name, "namespace": namespace},
        "stringData": data,
    });
    kubectl(&["apply", "-f", "-"], &manifest.to_string());
}

impl Sandbox {
    /// An HTTP client trusting the sandbox CA.
    pub fn agent(&self) -> &ureq::Agent {
        &self.agent
    }

    fn admin_password(&self) -> String {
        let encoded =
            kubectl(&["get", "secret", "-n", "services", "keycloak-master-admin-auth", "-o", "jsonpath={.data.password}"], "");
        use base64::Engine;
        let password = String::from_utf8(base64::engine::general_purpose::STANDARD.decode(encoded.trim()).unwrap()).unwrap();
        crate::common::register_secret(&password);
        password
    }

    /// A fresh admin token (tokens live 60 s; tests may run longer).
    fn token(&self) -> String {
        static PASSWORD: OnceLock<String> = OnceLock::new();
        let password = PASSWORD.get_or_init(|| self.admin_password());
        let url = format!("{}/realms/master/protocol/openid-connect/token", self.keycloak_url);
        let form = [("grant_type", "password"), ("client_id", "admin-cli"), ("username", "admin"), ("password", password)];
        let mut response = self.agent.post(&url).send_form(form).expect("token request");
        assert_eq!(response.status(), 200, "admin login failed");
        let body: Value = serde_json::from_str(&response.body_mut().read_to_string().unwrap()).unwrap();
        let token = body["access_token"].as_str().unwrap().to_string();
        crate::common::register_secret(&token);
        token
    }

    pub fn admin(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let url = format!("{}/admin/realms{path}", self.keycloak_url);
        let auth = format!("Bearer {}", self.token());
        let result = match (method, body) {
            ("GET", _) => self.agent.get(&url).header("Authorization", &auth).call(),
            ("DELETE", _) => self.agent.delete(&url).header("Authorization", &auth).call(),
            ("POST", Some(body)) => self
                .agent
                .post(&url)
                .header("Authorization", &auth)
                .header("Content-Type", "application/json")
                .send(body.to_string()),
            ("POST", None) => self.agent.post(&url).header("Authorization", &auth).send_empty(),
            ("PUT", Some(body)) => self
                .agent
                .put(&url)
                .header("Authorization", &auth)
                .header("Content-Type", "application/json")
                .send(body.to_string()),
            other => panic!("unsupported {other:?}"),
        };
        let mut response = result.expect("admin request");
        let status = response.status().as_u16();
        let text = response.body_mut().read_to_string().unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    pub fn client(&self, realm: &str, client_id: &str) -> Option<Value> {
        let (status, list) = self.admin("GET", &format!("/{}/clients?clientId={}", enc(realm), enc(client_id)), None);
        assert_eq!(status, 200, "lookup {client_id:?} in {realm:?}");
        list.as_array().unwrap().iter().find(|c| c["clientId"] == client_id).cloned()
    }

    pub fn secret_of(&self, realm: &str, client_id: &str) -> String {
        let id = self.client(realm, client_id).expect("client exists")["id"].as_str().unwrap().to_string();
        let (status, body) = self.admin("GET", &format!("/{}/clients/{id}/client-secret", enc(realm)), None);
        assert_eq!(status, 200);
        let secret = body["value"].as_str().expect("a secret").to_string();
        crate::common::register_secret(&secret);
        secret
    }

    /// Create (or update) a confidential client in `realm` with this secret.
    pub fn ensure_client(&self, realm: &str, client_id: &str, secret: &str) {
        crate::common::register_secret(secret);
        let representation = json!({
            "clientId": client_id, "enabled": true, "publicClient": false,
            "serviceAccountsEnabled": true, "secret": secret,
        });
        match self.client(realm, client_id) {
            Some(existing) => {
                let id = existing["id"].as_str().unwrap();
                let mut updated = existing.clone();
                updated["secret"] = json!(secret);
                let (status, _) = self.admin("PUT", &format!("/{}/clients/{id}", enc(realm)), Some(updated));
                assert_eq!(status, 204, "update {client_id:?}");
            }
            None => {
                let (status, body) = self.admin("POST", &format!("/{}/clients", enc(realm)), Some(representation));
                if status == 409 {
                    // Created meanwhile by another run against this sandbox.
                    return self.ensure_client(realm, client_id, secret);
                }
                assert_eq!(status, 201, "create {client_id:?}: {body}");
            }
        }
        assert_eq!(self.secret_of(realm, client_id), secret, "Keycloak stores {client_id:?}'s secret as given");
    }

    /// Give a master-realm user the realm's `admin` role.
    pub fn grant_master_admin(&self, user_id: &str) {
        let (_, role) = self.admin("GET", "/master/roles/admin", None);
        let (status, body) = self.admin("POST", &format!("/master/users/{user_id}/role-mappings/realm"), Some(json!([role])));
        assert_eq!(status, 204, "{body}");
    }

    /// A new master-realm client whose service account holds the admin role,
    /// and the admin Secret `services/<clientId>` holding its client-id and
    /// client-secret. Returns the clientId and the client's id.
    pub fn service_account_admin(&self, prefix: &str) -> (String, String) {
        let client = unique(prefix);
        let secret = format!("{client}-secret-value");
        self.ensure_client("master", &client, &secret);
        let id = self.client("master", &client).unwrap()["id"].as_str().unwrap().to_string();
        let (_, user) = self.admin("GET", &format!("/master/clients/{id}/service-account-user"), None);
        self.grant_master_admin(user["id"].as_str().unwrap());
        apply_secret("services", &client, &[("client-id", &client), ("client-secret", &secret)]);
        (client, id)
    }

    /// Create a realm if it does not exist.
    pub fn ensure_realm(&self, realm: &str) {
        let (status, _) = self.admin("GET", &format!("/{}", enc(realm)), None);
        if status == 404 {
            let (status, body) = self.admin("POST", "", Some(json!({"realm": realm, "enabled": true})));
            // 409: created meanwhile by another run against this sandbox.
            assert!(status == 201 || status == 409, "create realm {realm:?}: {status} {body}");
        }
    }
}

/// Percent-encode every byte but RFC 3986's unreserved characters: written
/// apart from the plugin's encoder so a bug there cannot hide behind the same
/// bug.
pub fn enc(component: &str) -> String {
    component
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A realm of the tests' own whose clients are known exactly, so "did you
/// mean" suggestions (searches over the whole realm) do not depend on what
/// other tests or other users of the sandbox created in shasta.
pub fn lookalike_realm() -> &'static str {
    static REALM: OnceLock<&'static str> = OnceLock::new();
    REALM.get_or_init(|| {
        let realm = "kk-lookalikes";
        sandbox().ensure_realm(realm);
        sandbox().ensure_client(realm, "my-test-client", "lookalike-secret-1");
        sandbox().ensure_client(realm, "admin-client", "lookalike-secret-2");
        realm
    })
}
