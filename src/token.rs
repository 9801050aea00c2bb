//! `token`: the admin access token, for scripting further admin calls (the
//! documented `get_master_token`), with its expiry read from the JWT.

use base64::Engine;
use serde_json::{Value, json};

use crate::cli::TokenArgs;
use crate::error::Result;
use crate::render::{self, Entry, Format};
use crate::session::Session;

pub fn run(session: &Session, args: &TokenArgs) -> Result<String> {
    let token = session.keycloak.token();
    let expires = expiry(token);
    let entry = Entry { client_id: String::new(), realm: String::new(), variable: args.var.clone(), secret: token.to_string() };
    match args.output {
        Format::Json => {
            let mut value = json!({ "token": token });
            if let Some(at) = expires {
                value["expiresAt"] = json!(at.to_string());
                value["expiresIn"] = json!((at - jiff::Timestamp::now()).get_seconds().max(0));
            }
            Ok(format!("{}\n", serde_json::to_string_pretty(&value).expect("JSON values serialize")))
        }
        Format::Raw => render::render(Format::Raw, &[entry]),
        shell_like => {
            // A comment line: every one of these shells and .env readers skips it.
            let note = expires.map(|at| format!("# expires {at}\n")).unwrap_or_default();
            Ok(note + &render::render(shell_like, &[entry])?)
        }
    }
}

/// The `exp` claim of a JWT, if the token is one (Keycloak's are).
pub fn expiry(token: &str) -> Option<jiff::Timestamp> {
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    let claims: Value = serde_json::from_slice(&bytes).ok()?;
    jiff::Timestamp::from_second(claims.get("exp")?.as_i64()?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_comes_from_the_jwt_payload() {
        let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(r#"{"exp":1800000000,"sub":"x"}"#);
        let token = format!("eyJhbGciOiJSUzI1NiJ9.{payload}.sig");
        assert_eq!(expiry(&token).unwrap().to_string(), "2027-01-15T08:00:00Z");
        assert!(expiry("not-a-jwt").is_none());
        assert!(expiry("a.!!!.c").is_none());
    }
}
