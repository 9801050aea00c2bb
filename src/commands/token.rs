//! `token`: the admin access token, for scripting further admin calls (the
//! documented `get_master_token`), with its expiry read from the JWT.

use base64::Engine;
use serde_json::{Map, Value, json};

use crate::cli::TokenArgs;
use crate::error::Result;
use crate::output::{self, Format, Printed};
use crate::session::Session;

pub fn check(args: &TokenArgs) -> Result<()> {
    output::refuse_manifest(&args.output, "a token")?;
    output::validate_variable(&args.var)
}

pub fn run(session: &Session, args: &TokenArgs) -> Result<String> {
    let token = session.api().login().token();
    let expires = expiry(token.expose());
    let mut fields = Map::new();
    if let Some(at) = expires {
        fields.insert("expiresAt".into(), json!(at.to_string()));
        fields.insert("expiresIn".into(), json!((at - jiff::Timestamp::now()).get_seconds().max(0)));
    }
    let printed = Printed::token(args.var.clone(), token.clone(), fields, "the admin token".into());
    print(&args.output, printed, expires)
}

/// A token in `format`, its expiry first as a comment line where the
/// format is a shell assignment: every one of these shells and .env
/// readers skips it.
pub(super) fn print(format: &Format, token: Printed, expires: Option<jiff::Timestamp>) -> Result<String> {
    let text = output::render(format, &[token], output::Asked::One)?;
    Ok(match expires {
        Some(at) if format.is_assignment() => format!("# expires {at}\n{text}"),
        _ => text,
    })
}

/// The `exp` claim of a JWT, if the token is one (Keycloak's are).
pub(super) fn expiry(token: &str) -> Option<jiff::Timestamp> {
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
