//! kubeconfig exec credential plugins (EKS, GKE, OIDC logins), run once.
//!
//! kube would run the plugin up to three times while building one client,
//! and its errors quote the plugin's environment and output — exactly where
//! cloud credentials and tokens live. So the plugin is run here, once, and
//! its result handed to kube as a static token or client certificate; errors
//! name only the command and its exit status. The plugin's own stderr passes
//! through, as with kubectl, so interactive logins can prompt.

use std::process::{Command, Stdio};

use base64::Engine;
use kube::config::{AuthInfo, ExecConfig, ExecInteractiveMode};
use serde_json::{Value, json};

use crate::error::{Error, Kind, Result};

/// Replace `auth.exec` by the credentials it produces.
pub fn resolve(auth: &mut AuthInfo) -> Result<()> {
    let Some(exec) = auth.exec.take() else { return Ok(()) };
    let command =
        exec.command.clone().ok_or_else(|| Error::new(Kind::Kubeconfig, "the kubeconfig user's exec plugin names no command"))?;
    let fail = |what: String| {
        let error = Error::new(Kind::Kubeconfig, format!("exec credential plugin {command:?} {what}"));
        match &exec.install_hint {
            Some(hint) => error.hint(hint.clone()),
            None => error.hint("check the user's exec section in the kubeconfig (kubectl config view)"),
        }
    };
    let output = command_for(&command, &exec).output().map_err(|err| fail(format!("could not be started: {err}")))?;
    if !output.status.success() {
        return Err(fail(format!("failed ({})", output.status)));
    }
    let credential: Value =
        serde_json::from_slice(&output.stdout).map_err(|_| fail("printed something other than an ExecCredential".into()))?;
    let status = &credential["status"];
    let field = |name: &str| status.get(name).and_then(Value::as_str).filter(|v| !v.is_empty());
    match (field("token"), field("clientCertificateData"), field("clientKeyData")) {
        (_, Some(certificate), Some(key)) => {
            // kubeconfig *-data fields are base64 of the PEM.
            let encode = |pem: &str| base64::engine::general_purpose::STANDARD.encode(pem);
            auth.client_certificate_data = Some(encode(certificate));
            auth.client_key_data = Some(encode(key).into());
        }
        (Some(token), _, _) => auth.token = Some(token.to_string().into()),
        _ => return Err(fail("returned neither a token nor a client certificate".into())),
    }
    Ok(())
}

fn command_for(command: &str, exec: &ExecConfig) -> Command {
    let mut cmd = Command::new(command);
    cmd.args(exec.args.iter().flatten());
    for pair in exec.env.iter().flatten() {
        if let (Some(name), Some(value)) = (pair.get("name"), pair.get("value")) {
            cmd.env(name, value);
        }
    }
    for name in exec.drop_env.iter().flatten() {
        cmd.env_remove(name);
    }
    // Completion runs while the user types: never a prompt, never stderr.
    let quiet = crate::trace::is_quiet();
    let interactive = exec.interactive_mode != Some(ExecInteractiveMode::Never) && !quiet;
    let mut spec = json!({ "interactive": interactive });
    if exec.provide_cluster_info
        && let Some(cluster) = &exec.cluster
    {
        spec["cluster"] = serde_json::to_value(cluster).unwrap_or(Value::Null);
    }
    let info = json!({ "kind": "ExecCredential", "apiVersion": exec.api_version, "spec": spec });
    cmd.env("KUBERNETES_EXEC_INFO", info.to_string());
    cmd.stdin(if interactive { Stdio::inherit() } else { Stdio::null() });
    cmd.stdout(Stdio::piped()).stderr(if quiet { Stdio::null() } else { Stdio::inherit() });
    cmd
}
