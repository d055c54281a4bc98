//! Subscriber tokens: real HS256 JWTs, as in the seed's samples.
//!
//! Claims follow the sample tokens, in their order: `iss` ("exotel"), `sub` (the subscriber
//! name), `iat`, `exp`, then `scope` ("voice", access token only) and `client_id`. TTLs are
//! the seed's (refresh 24 h, access 30 min), counted on the simulated clock so a partner can
//! test its refresh logic by advancing time. Each account signs with its own secret.
//!
//! The seed does not say what `client_id` identifies; its samples show 8 upper-case hex
//! digits. provsim derives it from the account SID and the request's `device_id`, so each
//! device of a subscriber holds its own tokens and the same device always gets the same
//! `client_id`.
//!
//! The header is written as the seed's tokens have it, `{"alg":"HS256","typ":"JWT"}` (so every
//! token starts `eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.` like the samples); `jsonwebtoken`'s
//! own `encode` would put `typ` first. `jsonwebtoken` still does the signing.
//!
//! Verification (for the control plane) never reads the wall clock: `jsonwebtoken`'s own
//! expiry check is switched off and `exp` is compared with the simulated time here.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Validation};
use serde::{Deserialize, Serialize};

use crate::ids::fnv1a_64;

pub const ISSUER: &str = "exotel";
/// The JOSE header of the seed's sample tokens, byte for byte.
pub const HEADER_JSON: &str = r#"{"alg":"HS256","typ":"JWT"}"#;
pub const ACCESS_SCOPE: &str = "voice";
/// The seed: "Access token expiry: 30 minutes".
pub const ACCESS_TOKEN_TTL_S: i64 = 30 * 60;
/// The seed: "Refresh token expiry: 24 hours".
pub const REFRESH_TOKEN_TTL_S: i64 = 24 * 60 * 60;

/// The claims of both tokens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Claims {
    pub iss: String,
    pub sub: String,
    pub iat: i64,
    pub exp: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    pub client_id: String,
}

/// A freshly issued refresh/access pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenPair {
    pub refresh_token: String,
    pub access_token: String,
}

/// What verification concluded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Signed by `account` and not expired.
    Valid { account: usize, claims: Claims },
    /// Signed by `account`, but `exp` is at or before the simulated now.
    Expired { account: usize, claims: Claims },
    /// A well-formed JWT that no account's secret verifies.
    BadSignature,
    /// Not a JWT of this family: not three base64url parts, a header that is not HS256, or
    /// claims of another shape.
    Malformed,
}

/// `client_id` for tokens of `device_id` in account `sid`.
pub fn client_id(sid: &str, device_id: &str) -> String {
    let hash = fnv1a_64(format!("{sid}/{device_id}").as_bytes());
    format!("{:08X}", hash >> 32)
}

/// Issues both tokens at `now_s`.
///
/// # Errors
/// Only if the claims cannot be serialized or signed, which plain strings and integers under
/// an HMAC key cannot cause.
pub fn issue(
    secret: &[u8],
    subscriber_name: &str,
    client_id: &str,
    now_s: i64,
) -> Result<TokenPair, jsonwebtoken::errors::Error> {
    let key = EncodingKey::from_secret(secret);
    let claims = |ttl_s: i64, scope: Option<&str>| Claims {
        iss: ISSUER.to_owned(),
        sub: subscriber_name.to_owned(),
        iat: now_s,
        exp: now_s.saturating_add(ttl_s),
        scope: scope.map(str::to_owned),
        client_id: client_id.to_owned(),
    };
    let refresh_token = sign(&claims(REFRESH_TOKEN_TTL_S, None), &key)?;
    let access_token = sign(&claims(ACCESS_TOKEN_TTL_S, Some(ACCESS_SCOPE)), &key)?;
    Ok(TokenPair { refresh_token, access_token })
}

/// `base64url(HEADER_JSON) . base64url(claims) . base64url(HMAC-SHA256)`.
fn sign(claims: &Claims, key: &EncodingKey) -> Result<String, jsonwebtoken::errors::Error> {
    let claims_json = serde_json::to_vec(claims).map_err(jsonwebtoken::errors::Error::from)?;
    let message =
        format!("{}.{}", URL_SAFE_NO_PAD.encode(HEADER_JSON), URL_SAFE_NO_PAD.encode(claims_json));
    let signature = jsonwebtoken::crypto::sign(message.as_bytes(), key, Algorithm::HS256)?;
    Ok(format!("{message}.{signature}"))
}

/// Checks `token` against every account's secret (`secrets` yields them in account order)
/// and its expiry against `now_s`.
pub fn verify<'a>(token: &str, secrets: impl IntoIterator<Item = &'a [u8]>, now_s: i64) -> Verdict {
    if !is_well_formed(token) {
        return Verdict::Malformed;
    }
    let mut validation = Validation::new(Algorithm::HS256);
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    validation.required_spec_claims.clear();
    for (account, secret) in secrets.into_iter().enumerate() {
        let key = DecodingKey::from_secret(secret);
        if let Ok(data) = jsonwebtoken::decode::<Claims>(token, &key, &validation) {
            let claims = data.claims;
            // RFC 7519 §4.1.4: the token must not be accepted "on or after" `exp`.
            return if now_s >= claims.exp {
                Verdict::Expired { account, claims }
            } else {
                Verdict::Valid { account, claims }
            };
        }
    }
    Verdict::BadSignature
}

/// Three base64url parts, an HS256 header and claims of our shape.
fn is_well_formed(token: &str) -> bool {
    let parts: Vec<&str> = token.split('.').collect();
    let [_, payload, signature] = parts.as_slice() else { return false };
    let header_ok = jsonwebtoken::decode_header(token).is_ok_and(|h| h.alg == Algorithm::HS256);
    let claims_ok = URL_SAFE_NO_PAD
        .decode(payload)
        .ok()
        .is_some_and(|bytes| serde_json::from_slice::<Claims>(&bytes).is_ok());
    header_ok && claims_ok && URL_SAFE_NO_PAD.decode(signature).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"secret-of-account-0";
    const OTHER: &[u8] = b"secret-of-account-1";
    const NOW_S: i64 = 1_767_225_600;

    fn claims_of(token: &str) -> serde_json::Value {
        let payload = token.split('.').nth(1).unwrap();
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
    }

    #[test]
    fn claims_and_ttls_follow_the_seed() {
        let pair = issue(SECRET, "archit", "5E05865E", NOW_S).unwrap();
        let refresh = claims_of(&pair.refresh_token);
        assert_eq!(
            refresh,
            serde_json::json!({"iss": "exotel", "sub": "archit", "iat": NOW_S,
                "exp": NOW_S + 86_400, "client_id": "5E05865E"})
        );
        let access = claims_of(&pair.access_token);
        assert_eq!(access["scope"], "voice");
        assert_eq!(access["exp"], NOW_S + 1_800);
        let header = jsonwebtoken::decode_header(&pair.access_token).unwrap();
        assert_eq!((header.alg, header.typ.as_deref()), (Algorithm::HS256, Some("JWT")));
        // The seed's sample tokens begin with exactly this header.
        assert!(pair.refresh_token.starts_with("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."));
        assert!(pair.access_token.starts_with("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."));
    }

    #[test]
    fn claim_order_matches_the_sample_tokens() {
        let pair = issue(SECRET, "archit", "5E05865E", NOW_S).unwrap();
        let payload = pair.access_token.split('.').nth(1).unwrap();
        let text = String::from_utf8(URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
        let order: Vec<usize> =
            ["\"iss\"", "\"sub\"", "\"iat\"", "\"exp\"", "\"scope\"", "\"client_id\""]
                .iter()
                .map(|key| text.find(key).unwrap())
                .collect();
        assert!(order.windows(2).all(|w| w[0] < w[1]), "{text}");
    }

    #[test]
    fn verification_finds_the_account_and_expiry_on_the_given_clock() {
        let pair = issue(OTHER, "bob", "00000001", NOW_S).unwrap();
        let secrets = [SECRET, OTHER];
        assert!(matches!(
            verify(&pair.access_token, secrets, NOW_S),
            Verdict::Valid { account: 1, .. }
        ));
        let just_before = NOW_S + ACCESS_TOKEN_TTL_S - 1;
        assert!(matches!(verify(&pair.access_token, secrets, just_before), Verdict::Valid { .. }));
        let at_exp = NOW_S + ACCESS_TOKEN_TTL_S;
        assert!(matches!(
            verify(&pair.access_token, secrets, at_exp),
            Verdict::Expired { account: 1, .. }
        ));
        assert!(matches!(verify(&pair.refresh_token, secrets, at_exp), Verdict::Valid { .. }));
        assert!(matches!(
            verify(&pair.refresh_token, secrets, NOW_S + REFRESH_TOKEN_TTL_S),
            Verdict::Expired { .. }
        ));
    }

    #[test]
    fn tampering_and_garbage() {
        let pair = issue(SECRET, "bob", "00000001", NOW_S).unwrap();
        assert_eq!(verify(&pair.access_token, [OTHER], NOW_S), Verdict::BadSignature);
        // Re-signing other claims without the secret.
        let mut parts: Vec<String> = pair.access_token.split('.').map(str::to_owned).collect();
        let forged = claims_of(&pair.refresh_token);
        parts[1] = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&forged).unwrap());
        assert_eq!(verify(&parts.join("."), [SECRET], NOW_S), Verdict::BadSignature);
        for garbage in ["", "abc", "a.b.c", "a.b", "....", "eyJhbGciOiJIUzI1NiJ9.e30.x"] {
            assert_eq!(verify(garbage, [SECRET], NOW_S), Verdict::Malformed, "{garbage}");
        }
    }

    #[test]
    fn client_ids_are_eight_hex_digits_per_device() {
        let a = client_id("provsim1", "2fc4b5912826ad1");
        assert_eq!(a.len(), 8);
        assert!(a.bytes().all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b)), "{a}");
        assert_eq!(a, client_id("provsim1", "2fc4b5912826ad1"));
        assert_ne!(a, client_id("provsim1", "another-device"));
        assert_ne!(a, client_id("provsim2", "2fc4b5912826ad1"));
    }
}
