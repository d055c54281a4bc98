//! HTTP Basic credentials (`Authorization: Basic base64(api_key:api_token)`), the only
//! authentication the seed documents. Parsing only; which account they open is the state's
//! business.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use super::errors::ExotelError;

/// Credentials as sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BasicCredentials {
    pub api_key: String,
    pub api_token: String,
}

/// Parses an `Authorization` header value (scheme case-insensitive, RFC 7617).
///
/// # Errors
/// [`ExotelError::MissingCredentials`] without a header; [`ExotelError::MalformedCredentials`]
/// for another scheme, bad base64, non-UTF-8 or no `:`.
pub fn parse_basic(header: Option<&str>) -> Result<BasicCredentials, ExotelError> {
    let value = header.ok_or(ExotelError::MissingCredentials)?.trim();
    let (scheme, encoded) = value.split_once(' ').ok_or(ExotelError::MalformedCredentials)?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err(ExotelError::MalformedCredentials);
    }
    let decoded = STANDARD.decode(encoded.trim()).map_err(|_| ExotelError::MalformedCredentials)?;
    let text = String::from_utf8(decoded).map_err(|_| ExotelError::MalformedCredentials)?;
    // The key cannot contain ':' (RFC 7617: the user-id ends at the first colon).
    let (api_key, api_token) = text.split_once(':').ok_or(ExotelError::MalformedCredentials)?;
    Ok(BasicCredentials { api_key: api_key.to_owned(), api_token: api_token.to_owned() })
}

/// `Basic base64(key:token)`, for tests and examples.
pub fn basic_header(api_key: &str, api_token: &str) -> String {
    format!("Basic {}", STANDARD.encode(format!("{api_key}:{api_token}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_scheme_case() {
        let header = basic_header("exotel-demo-key", "exotel-demo-token");
        assert_eq!(header, "Basic ZXhvdGVsLWRlbW8ta2V5OmV4b3RlbC1kZW1vLXRva2Vu");
        let parsed = parse_basic(Some(&header.replace("Basic", "bAsIc"))).unwrap();
        assert_eq!(parsed.api_key, "exotel-demo-key");
        assert_eq!(parsed.api_token, "exotel-demo-token");
        // A colon inside the token belongs to the token.
        let colon = parse_basic(Some(&basic_header("k", "t:o:k"))).unwrap();
        assert_eq!(colon.api_token, "t:o:k");
    }

    #[test]
    fn missing_and_malformed() {
        assert_eq!(parse_basic(None), Err(ExotelError::MissingCredentials));
        for bad in ["", "Basic", "Basic !!!", "Bearer ZXhvdGVs", "Basic ZXhvdGVs", "Basic //79"] {
            assert_eq!(parse_basic(Some(bad)), Err(ExotelError::MalformedCredentials), "{bad}");
        }
    }
}
