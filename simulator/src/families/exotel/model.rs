//! Exotel wire types (seed 001, field for field) and the domain types they are parsed into.
//!
//! Every request field is declared `Option` so that an absent field reaches the rules below
//! and gets Exotel's 1001 "Mandatory Parameter missing" naming it, rather than a generic
//! decoding error; a field of the wrong JSON type still fails decoding (1007), as it does in
//! Exotel's Go decoder. `parse_*` functions turn wire values into domain values or an
//! [`ExotelError`]; state code only takes the domain types ("parse, don't validate").

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::http::call::UnknownFields;

use super::errors::ExotelError;

/// The seed: "Maximum supported subscriber name length is 16 bytes".
pub const SUBSCRIBER_NAME_MAX_BYTES: usize = 16;
/// The seed: "The maximum number of subscribers which can be created in a single request is 10".
pub const SUBSCRIBERS_PER_REQUEST_MAX: usize = 10;
/// Longest `custom_field` kept, in characters. The seed gives no limit; 255 characters is the
/// usual VARCHAR(255) a metadata column gets, far above the seed's `"support"` and `"test"`.
/// Counted in characters (not bytes) so that the contract's `maxLength` says the same.
pub const CUSTOM_FIELD_MAX_CHARS: usize = 255;
/// Longest `device_id` accepted for a token, in characters. Android IDs are 16 hex digits and
/// iOS UDIDs 40 characters (36 for identifierForVendor); 128 leaves room for any other scheme.
pub const DEVICE_ID_MAX_CHARS: usize = 128;

/// Body of `POST /v2/accounts/{sid}/subscriber-token`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
pub struct TokenRequest {
    /// `android` or `ios`, case-insensitive (the seed: "Android / iOS").
    #[schemars(required, regex(pattern = "^([Aa][Nn][Dd][Rr][Oo][Ii][Dd]|[Ii][Oo][Ss])$"))]
    pub platform: Option<String>,
    /// Device id (AndroidID / iOS UDID): 1 to 128 characters, no control characters.
    #[schemars(
        required,
        length(min = 1, max = 128),
        regex(pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]+$")
    )]
    pub device_id: Option<String>,
    /// Unique subscriber identifier.
    #[schemars(required, length(min = 1, max = 16), regex(pattern = "^[A-Za-z0-9]+$"))]
    pub subscriber_name: Option<String>,
    /// Fields the operation does not know are ignored.
    #[serde(flatten, skip_serializing)]
    #[schemars(skip)]
    pub unknown: UnknownFields,
}

/// Body of `POST /v2/accounts/{sid}/subscribers`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
pub struct CreateSubscribersRequest {
    /// 1 to 10 subscribers (the seed's maximum per request).
    #[schemars(required, length(min = 1, max = 10))]
    pub subscribers: Option<Vec<SubscriberItem>>,
    /// Fields the operation does not know are ignored.
    #[serde(flatten, skip_serializing)]
    #[schemars(skip)]
    pub unknown: UnknownFields,
}

/// One element of `subscribers`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
///
/// Item rules are judged per item, not per request (the seed's bulk contract): an item without
/// `subscriber_name` gets item 400/1001, a name over 16 bytes or not ASCII alphanumeric item
/// 400/1002, a `custom_field` over 255 characters item 400/1002 — all under a 207. So the
/// schema states only the JSON types, and the rules live in these descriptions.
pub struct SubscriberItem {
    /// Mandatory per item: 1 to 16 ASCII letters and digits, case-sensitive.
    pub subscriber_name: Option<String>,
    /// Optional metadata, at most 255 characters.
    pub custom_field: Option<String>,
    /// Fields the operation does not know are ignored.
    #[serde(flatten, skip_serializing)]
    #[schemars(skip)]
    pub unknown: UnknownFields,
}

/// Body of `PUT /v2/accounts/{sid}/subscribers/{name}`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
pub struct UpdateSubscriberRequest {
    /// Mandatory: `active` or `inactive`.
    #[schemars(required, regex(pattern = "^(active|inactive)$"))]
    pub status: Option<String>,
    /// Optional metadata, at most 255 characters; absent or null keeps the current value.
    #[schemars(length(max = 255))]
    pub custom_field: Option<String>,
    /// Fields the operation does not know are ignored.
    #[serde(flatten, skip_serializing)]
    #[schemars(skip)]
    pub unknown: UnknownFields,
}

/// The seed's "Subscriber Response Object", in the seed's key order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SubscriberView {
    /// RFC 3339 with the account's UTC offset, e.g. `2019-11-19T23:14:17+05:30`.
    #[schemars(extend("x-volatile" = true))]
    pub date_created: String,
    #[schemars(extend("x-volatile" = true))]
    pub date_updated: String,
    pub subscriber_name: String,
    pub status: SubscriberStatus,
    pub custom_field: Option<String>,
}

/// `data` of a subscriber-token answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct TokenData {
    pub subscriber_name: String,
    pub subscriber_token: SubscriberToken,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SubscriberToken {
    /// HS256 JWT, valid 24 hours.
    #[schemars(extend("x-volatile" = true))]
    pub refresh_token: String,
    /// HS256 JWT with `scope: voice`, valid 30 minutes.
    #[schemars(extend("x-volatile" = true))]
    pub access_token: String,
}

/// `active` or `inactive`, exactly as the seed's enum writes them (case-sensitive).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum SubscriberStatus {
    Active,
    Inactive,
}

impl SubscriberStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SubscriberStatus::Active => "active",
            SubscriberStatus::Inactive => "inactive",
        }
    }

    /// # Errors
    /// 400/1002 naming `parameter` (`status` in a body or in the list's query).
    pub fn parse(raw: &str, parameter: &str) -> Result<SubscriberStatus, ExotelError> {
        match raw {
            "active" => Ok(SubscriberStatus::Active),
            "inactive" => Ok(SubscriberStatus::Inactive),
            _ => Err(ExotelError::invalid(format!(
                "{parameter} must be one of active, inactive (got {raw:?})"
            ))),
        }
    }
}

/// The token request's `platform`: "Android / iOS", matched case-insensitively.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Platform {
    Android,
    Ios,
}

/// A subscriber name that passed the seed's rules: 1 to 16 bytes of ASCII letters and digits.
/// Case-sensitive: the seed lists `AlexBourton` and `alexBourton` as distinct examples.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SubscriberName(Box<str>);

impl SubscriberName {
    /// # Errors
    /// 400/1001 when empty, 400/1002 when too long, with whitespace, or not alphanumeric.
    pub fn parse(raw: &str) -> Result<SubscriberName, ExotelError> {
        if raw.is_empty() {
            return Err(ExotelError::MissingParameter { parameter: "subscriber_name" });
        }
        if raw.len() > SUBSCRIBER_NAME_MAX_BYTES {
            return Err(ExotelError::invalid(format!(
                "Maximum allowed length for subscriber_name is {SUBSCRIBER_NAME_MAX_BYTES} bytes"
            )));
        }
        if raw.chars().any(char::is_whitespace) {
            return Err(ExotelError::invalid(
                "Whitespace characters are not allowed in subscriber_name",
            ));
        }
        if !raw.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(ExotelError::invalid(
                "Allowed characters for subscriber_name are alphanumeric (A-Z, a-z, 0-9)",
            ));
        }
        Ok(SubscriberName(raw.into()))
    }

    /// A name from a request path: anything that is not a valid name cannot exist, so it is
    /// "not found" like any other unknown name.
    ///
    /// # Errors
    /// 404/1000.
    pub fn from_path(raw: &str) -> Result<SubscriberName, ExotelError> {
        let decoded = percent_decode(raw).ok_or(ExotelError::SubscriberNotFound)?;
        SubscriberName::parse(&decoded).map_err(|_| ExotelError::SubscriberNotFound)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for SubscriberName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A bulk-create item that passed every rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSubscriber {
    pub name: SubscriberName,
    pub custom_field: Option<Box<str>>,
}

/// An update that passed every rule. `custom_field: None` keeps the current value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriberUpdate {
    pub status: SubscriberStatus,
    pub custom_field: Option<Box<str>>,
}

/// A token request that passed every rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenOrder {
    pub platform: Platform,
    pub device_id: Box<str>,
    pub subscriber_name: SubscriberName,
}

/// Applies the item rules of a bulk create.
///
/// # Errors
/// 1001 for a missing or empty `subscriber_name`; 1002 for a name or `custom_field` that
/// breaks its rule.
pub fn parse_new_subscriber(item: &SubscriberItem) -> Result<NewSubscriber, ExotelError> {
    let name = SubscriberName::parse(item.subscriber_name.as_deref().unwrap_or(""))?;
    let custom_field = item.custom_field.as_deref().map(parse_custom_field).transpose()?;
    Ok(NewSubscriber { name, custom_field })
}

/// Applies the update rules. An absent or `null` `custom_field` keeps the current value
/// (Exotel's Go handlers decode optional fields into pointers); `""` stores an empty string.
///
/// # Errors
/// 1001 for a missing or empty `status`; 1002 for a bad `status` or `custom_field`.
pub fn parse_update(request: &UpdateSubscriberRequest) -> Result<SubscriberUpdate, ExotelError> {
    let status = match request.status.as_deref() {
        None | Some("") => return Err(ExotelError::MissingParameter { parameter: "status" }),
        Some(raw) => SubscriberStatus::parse(raw, "status")?,
    };
    let custom_field = request.custom_field.as_deref().map(parse_custom_field).transpose()?;
    Ok(SubscriberUpdate { status, custom_field })
}

/// Applies the token rules, field by field in the seed's order.
///
/// # Errors
/// 1001 for a missing or empty field; 1002 for an unknown platform, an over-long `device_id`
/// or an invalid `subscriber_name`.
pub fn parse_token_request(request: &TokenRequest) -> Result<TokenOrder, ExotelError> {
    let platform = match request.platform.as_deref() {
        None | Some("") => return Err(ExotelError::MissingParameter { parameter: "platform" }),
        Some(raw) if raw.eq_ignore_ascii_case("android") => Platform::Android,
        Some(raw) if raw.eq_ignore_ascii_case("ios") => Platform::Ios,
        Some(raw) => {
            return Err(ExotelError::invalid(format!(
                "platform must be android or ios (got {raw:?})"
            )));
        }
    };
    let device_id = match request.device_id.as_deref() {
        None | Some("") => return Err(ExotelError::MissingParameter { parameter: "device_id" }),
        Some(raw) if raw.chars().count() > DEVICE_ID_MAX_CHARS => {
            return Err(ExotelError::invalid(format!(
                "Maximum allowed length for device_id is {DEVICE_ID_MAX_CHARS} characters"
            )));
        }
        Some(raw) if raw.chars().any(char::is_control) => {
            return Err(ExotelError::invalid("device_id must not contain control characters"));
        }
        Some(raw) => Box::<str>::from(raw),
    };
    let subscriber_name = SubscriberName::parse(request.subscriber_name.as_deref().unwrap_or(""))?;
    Ok(TokenOrder { platform, device_id, subscriber_name })
}

fn parse_custom_field(raw: &str) -> Result<Box<str>, ExotelError> {
    if raw.chars().count() > CUSTOM_FIELD_MAX_CHARS {
        return Err(ExotelError::invalid(format!(
            "Maximum allowed length for custom_field is {CUSTOM_FIELD_MAX_CHARS} characters"
        )));
    }
    Ok(raw.into())
}

/// Decodes `%XX` escapes of a path segment; `None` for a broken escape or non-UTF-8 result.
fn percent_decode(raw: &str) -> Option<String> {
    if !raw.contains('%') {
        return Some(raw.to_owned());
    }
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut idx = 0;
    while idx < bytes.len() {
        if bytes[idx] == b'%' {
            let hex = bytes.get(idx + 1..idx + 3)?;
            let text = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(text, 16).ok()?);
            idx += 3;
        } else {
            out.push(bytes[idx]);
            idx += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code_of<T: std::fmt::Debug>(result: Result<T, ExotelError>) -> u16 {
        result.expect_err("should be refused").parts().code
    }

    #[test]
    fn the_seed_example_names_are_valid_and_distinct() {
        let names = ["AlexBourton", "alexBourton", "alExBourton", "Alex123bourt45on"];
        let parsed: Vec<SubscriberName> =
            names.iter().map(|n| SubscriberName::parse(n).unwrap()).collect();
        for (i, a) in parsed.iter().enumerate() {
            for b in &parsed[i + 1..] {
                assert_ne!(a, b, "names are case-sensitive");
            }
        }
    }

    #[test]
    fn name_rules() {
        assert!(SubscriberName::parse(&"a".repeat(16)).is_ok());
        assert_eq!(code_of(SubscriberName::parse(&"a".repeat(17))), 1002);
        assert_eq!(code_of(SubscriberName::parse("")), 1001);
        for bad in ["alex bourton", " bob", "bob\t", "bob_1", "bob-1", "bob.", "jos\u{e9}"] {
            assert_eq!(code_of(SubscriberName::parse(bad)), 1002, "{bad:?}");
        }
        // 16 bytes, not 16 characters: eight two-byte letters are too long... and not ASCII.
        assert_eq!(code_of(SubscriberName::parse(&"\u{e9}".repeat(9))), 1002);
    }

    #[test]
    fn path_names_that_cannot_exist_are_not_found() {
        assert_eq!(SubscriberName::from_path("bob").unwrap().as_str(), "bob");
        assert_eq!(SubscriberName::from_path("b%6Fb").unwrap().as_str(), "bob");
        for bad in ["bob%20", "%zz", "%", "a_b", &"a".repeat(17)] {
            assert_eq!(code_of(SubscriberName::from_path(bad)), 1000, "{bad}");
        }
    }

    #[test]
    fn bulk_items_missing_or_bad() {
        let item = |name: Option<&str>, custom: Option<&str>| SubscriberItem {
            subscriber_name: name.map(str::to_owned),
            custom_field: custom.map(str::to_owned),
            unknown: Default::default(),
        };
        assert_eq!(code_of(parse_new_subscriber(&item(None, Some("x")))), 1001);
        assert_eq!(code_of(parse_new_subscriber(&item(Some(""), None))), 1001);
        assert_eq!(code_of(parse_new_subscriber(&item(Some("a b"), None))), 1002);
        let long = "x".repeat(CUSTOM_FIELD_MAX_CHARS + 1);
        assert_eq!(code_of(parse_new_subscriber(&item(Some("bob"), Some(&long)))), 1002);
        let ok = parse_new_subscriber(&item(Some("bob"), Some("support"))).unwrap();
        assert_eq!(ok.custom_field.as_deref(), Some("support"));
        assert_eq!(parse_new_subscriber(&item(Some("nidhi"), None)).unwrap().custom_field, None);
    }

    #[test]
    fn update_needs_a_known_status() {
        let update = |status: Option<&str>| UpdateSubscriberRequest {
            status: status.map(str::to_owned),
            custom_field: None,
            unknown: Default::default(),
        };
        assert_eq!(code_of(parse_update(&update(None))), 1001);
        assert_eq!(code_of(parse_update(&update(Some("")))), 1001);
        assert_eq!(code_of(parse_update(&update(Some("Active")))), 1002);
        assert_eq!(code_of(parse_update(&update(Some("suspended")))), 1002);
        assert_eq!(
            parse_update(&update(Some("inactive"))).unwrap().status,
            SubscriberStatus::Inactive
        );
    }

    #[test]
    fn token_requests() {
        let request =
            |platform: Option<&str>, device: Option<&str>, name: Option<&str>| TokenRequest {
                platform: platform.map(str::to_owned),
                device_id: device.map(str::to_owned),
                subscriber_name: name.map(str::to_owned),
                unknown: Default::default(),
            };
        let ok =
            parse_token_request(&request(Some("Android"), Some("2fc4b5912826ad1"), Some("archit")));
        assert_eq!(ok.unwrap().platform, Platform::Android);
        let ios = parse_token_request(&request(Some("iOS"), Some("x"), Some("archit")));
        assert_eq!(ios.unwrap().platform, Platform::Ios);
        assert_eq!(code_of(parse_token_request(&request(None, Some("d"), Some("a")))), 1001);
        assert_eq!(code_of(parse_token_request(&request(Some("android"), None, Some("a")))), 1001);
        assert_eq!(code_of(parse_token_request(&request(Some("android"), Some("d"), None))), 1001);
        assert_eq!(
            code_of(parse_token_request(&request(Some("windows"), Some("d"), Some("a")))),
            1002
        );
        let long = "d".repeat(DEVICE_ID_MAX_CHARS + 1);
        assert_eq!(
            code_of(parse_token_request(&request(Some("ios"), Some(&long), Some("a")))),
            1002
        );
        assert_eq!(
            code_of(parse_token_request(&request(Some("ios"), Some("d"), Some("a-b")))),
            1002
        );
    }

    #[test]
    fn wrong_json_types_fail_decoding_but_absent_fields_do_not() {
        let absent: SubscriberItem = serde_json::from_str("{}").unwrap();
        assert!(absent.subscriber_name.is_none());
        let null: SubscriberItem = serde_json::from_str(r#"{"custom_field": null}"#).unwrap();
        assert!(null.custom_field.is_none());
        assert!(serde_json::from_str::<SubscriberItem>(r#"{"subscriber_name": 5}"#).is_err());
    }
}
