//! vpn wire types and the domain types they are parsed into.
//!
//! Wire types mirror seed 000 field for field; `parse_*` functions turn them into domain
//! values or a [`VpnError::InvalidField`] naming the field and the rule. State code only ever
//! sees the domain types ("parse, don't validate").

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::http::call::UnknownFields;

use super::errors::VpnError;

/// Largest number of licences (device slots) a subscriber may hold. AnchorFree's public docs
/// mention per-user limits up to 10,000; a provisioning facade for consumer bundles stays far
/// below. Documented in the README and the contract (`bundle.licenses` maximum).
pub const LICENSES_MAX: u32 = 1_000;

/// JSON Schema pattern of the free-text fields (`order`, `id_hub`, `ob`, device `name`): no
/// control characters (Unicode Cc, what `char::is_control` refuses) and at least one
/// character that is not whitespace (what `str::trim` removes). Written out as code-point
/// ranges so that ECMA-262 validators and Rust agree exactly.
pub const TEXT_PATTERN: &str = "^[^\\u0000-\\u001F\\u007F-\\u009F]*[^\\u0000-\\u0020\\u007F-\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000][^\\u0000-\\u001F\\u007F-\\u009F]*$";
/// Longest `order`, `id_hub` or `ob` accepted.
pub const MAX_TEXT_FIELD_CHARS: usize = 128;

/// `POST /subscribers` body.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
pub struct CreateSubscriberRequest {
    /// A unique order ID that should be stored for reporting purposes (unique per tenant).
    #[schemars(length(min = 1, max = 128), regex(pattern = TEXT_PATTERN))]
    pub order: String,
    /// Telefonica's hub id.
    #[schemars(length(min = 1, max = 128), regex(pattern = TEXT_PATTERN))]
    pub id_hub: String,
    /// Telefonica's user group.
    #[schemars(length(min = 1, max = 128), regex(pattern = TEXT_PATTERN))]
    pub ob: String,
    /// Must equal `id_hub@ob` (a rule across fields, which JSON Schema cannot state).
    pub name: String,
    /// A user's phone number: optional `+`, then 6 to 15 digits.
    #[schemars(regex(pattern = r"^\+?[0-9]{6,15}$"))]
    pub password: String,
    pub bundle: BundleRequest,
    /// User's language preference, in the form `en-US`.
    #[schemars(regex(pattern = r"^[a-z]{2}-[A-Z]{2}$"))]
    pub locale: String,
    /// Optional licence key in the agreed format (four groups of four upper-case letters or
    /// digits joined by `-`); unique per tenant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^[A-Z0-9]{4}(-[A-Z0-9]{4}){3}$"))]
    pub license_key: Option<String>,
    /// Optional price: a non-negative amount with at most two decimals.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price: Option<Price>,
    /// Fields the operation does not know are ignored.
    #[serde(flatten, skip_serializing)]
    #[schemars(skip)]
    pub unknown: UnknownFields,
}

/// `POST /subscribers/{user_id}` body.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
pub struct UpdateSubscriberRequest {
    /// The new order ID; 409 when another subscriber of the tenant holds it.
    #[schemars(length(min = 1, max = 128), regex(pattern = TEXT_PATTERN))]
    pub order: String,
    pub bundle: BundleRequest,
    /// Fields the operation does not know are ignored.
    #[serde(flatten, skip_serializing)]
    #[schemars(skip)]
    pub unknown: UnknownFields,
}

/// The seed's `{id:'premium', 'licenses':10}`: description of the licence.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
pub struct BundleRequest {
    /// A bundle id of the catalogue. The contract lists the default fixture's catalogue; a
    /// `--fixtures` file may define others.
    #[schemars(extend("enum" = ["basic", "premium", "family"]))]
    pub id: String,
    /// How many devices the user can connect at the same time: a non-zero positive integer,
    /// at most 1000.
    // Kept as a JSON number so that 0, negatives and floats reach the licence rule (and its
    // message) instead of a generic type error.
    #[schemars(with = "u32", range(min = 1, max = 1000))]
    pub licenses: serde_json::Number,
    /// Fields the operation does not know are ignored.
    #[serde(flatten, skip_serializing)]
    #[schemars(skip)]
    pub unknown: UnknownFields,
}

/// A price as a JSON number (`9.99`) or a string (`"9.99"`): non-negative, at most two
/// decimals, below one billion.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum Price {
    Number(
        #[schemars(with = "f64", range(min = 0, max = 999_999_999.99), extend("multipleOf" = 0.01))]
         serde_json::Number,
    ),
    Text(#[schemars(regex(pattern = r"^[0-9]{1,9}(\.[0-9]{1,2})?$"))] String),
}

/// `POST /subscribers/{user_id}/devices/{device_id}` body.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
pub struct RenameDeviceRequest {
    /// New name for the device: 1 to 64 characters, not only whitespace, no control
    /// characters.
    #[schemars(length(min = 1, max = 64), regex(pattern = TEXT_PATTERN))]
    pub name: String,
    /// Fields the operation does not know are ignored.
    #[serde(flatten, skip_serializing)]
    #[schemars(skip)]
    pub unknown: UnknownFields,
}

/// `201` body of `POST /subscribers`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct CreatedSubscriber {
    /// The new subscriber's `user_id`.
    #[schemars(regex(pattern = r"^[1-9][0-9]{0,17}$"))]
    pub id: String,
}

/// A device as `GET .../devices` lists it (wrapped) and `POST .../devices/{id}` returns it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, JsonSchema)]
pub struct DeviceView {
    /// HEX string.
    #[schemars(regex(pattern = r"^[0-9A-F]{1,16}$"))]
    pub device_id: String,
    #[serde(rename = "type")]
    pub kind: DeviceKind,
    /// Default name or customized name for the device.
    pub name: String,
}

/// One element of the device list: the seed wraps each device in a `device_id` key.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, JsonSchema)]
pub struct DeviceListItem {
    pub device_id: DeviceView,
}

/// `desktop` or `mobile`.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum DeviceKind {
    Desktop,
    Mobile,
}

impl DeviceKind {
    /// The name a device gets when activated without one.
    pub fn default_name(self) -> &'static str {
        match self {
            DeviceKind::Desktop => "My Desktop",
            DeviceKind::Mobile => "My Phone",
        }
    }
}

/// Server-generated subscriber id: a positive decimal integer (AnchorFree user ids are
/// platform integers), rendered as a JSON string as the seed's `{id: 'user_id'}` shows.
/// Format: `^[1-9][0-9]{0,17}$`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UserId(pub u64);

impl UserId {
    pub const PATTERN: &'static str = "^[1-9][0-9]{0,17}$";

    /// `None` unless `raw` matches [`UserId::PATTERN`].
    pub fn parse(raw: &str) -> Option<UserId> {
        let bytes = raw.as_bytes();
        let well_formed = (1..=18).contains(&bytes.len())
            && bytes[0] != b'0'
            && bytes.iter().all(u8::is_ascii_digit);
        if well_formed { raw.parse().ok().map(UserId) } else { None }
    }
}

impl std::fmt::Display for UserId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A device id: a hex string of 1 to 16 digits, case-insensitive on input, upper-case on
/// output (the seed's `'123343ABCDEF'`). Generated ids have 12 digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DeviceId(pub u64);

impl DeviceId {
    pub const PATTERN: &'static str = "^[0-9A-Fa-f]{1,16}$";

    pub fn parse(raw: &str) -> Option<DeviceId> {
        if raw.is_empty() || raw.len() > 16 || !raw.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        u64::from_str_radix(raw, 16).ok().map(DeviceId)
    }
}

impl std::fmt::Display for DeviceId {
    /// Upper-case hex, at least 12 digits (zero-padded), as `{:012X}` writes it; by hand,
    /// because every device in every list answer is rendered through here and the
    /// formatting machinery costs ten times as much (issue 6).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        const HEX: &[u8; 16] = b"0123456789ABCDEF";
        let mut digits = [b'0'; 16];
        let mut n = self.0;
        let mut start = digits.len();
        while n != 0 {
            start -= 1;
            digits[start] = HEX[(n & 0xF) as usize];
            n >>= 4;
        }
        let start = start.min(digits.len() - 12);
        // Only ASCII hex digits were written.
        f.write_str(std::str::from_utf8(&digits[start..]).unwrap_or_default())
    }
}

/// A validated bundle: a catalogue entry and `1..=LICENSES_MAX` licences.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bundle {
    pub catalogue_idx: u16,
    pub licenses: u32,
}

/// A bundle the tenant can sell, from the fixture catalogue.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct BundleSpec {
    pub id: String,
}

/// A create request that passed every rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSubscriber {
    pub order: Box<str>,
    pub id_hub: Box<str>,
    pub ob: Box<str>,
    pub password: Box<str>,
    pub bundle: Bundle,
    pub locale: Box<str>,
    pub license_key: Option<Box<str>>,
    pub price_cents: Option<u64>,
}

/// An update request that passed every rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriberUpdate {
    pub order: Box<str>,
    pub bundle: Bundle,
}

/// Applies every create rule, in field order, and reports the first violation.
///
/// # Errors
/// [`VpnError::InvalidField`] naming the field and the rule.
pub fn parse_create(
    request: &CreateSubscriberRequest,
    catalogue: &[BundleSpec],
) -> Result<NewSubscriber, VpnError> {
    let order = parse_text("order", &request.order)?;
    let id_hub = parse_text("id_hub", &request.id_hub)?;
    let ob = parse_text("ob", &request.ob)?;
    // `name == format!("{id_hub}@{ob}")`, without building the string.
    let name_matches = request
        .name
        .strip_prefix(request.id_hub.as_str())
        .and_then(|rest| rest.strip_prefix('@'))
        .is_some_and(|rest| rest == request.ob);
    if !name_matches {
        return Err(VpnError::invalid("name", "must equal id_hub@ob"));
    }
    let password = parse_phone(&request.password)?;
    let bundle = parse_bundle(&request.bundle, catalogue)?;
    let locale = parse_locale(&request.locale)?;
    let license_key = request.license_key.as_deref().map(parse_license_key).transpose()?;
    let price_cents = request.price.as_ref().map(parse_price).transpose()?;
    Ok(NewSubscriber { order, id_hub, ob, password, bundle, locale, license_key, price_cents })
}

/// Applies every update rule.
///
/// # Errors
/// [`VpnError::InvalidField`] naming the field and the rule.
pub fn parse_update(
    request: &UpdateSubscriberRequest,
    catalogue: &[BundleSpec],
) -> Result<SubscriberUpdate, VpnError> {
    Ok(SubscriberUpdate {
        order: parse_text("order", &request.order)?,
        bundle: parse_bundle(&request.bundle, catalogue)?,
    })
}

/// A device name: 1 to `max_chars` characters, not only whitespace, no control characters.
///
/// # Errors
/// [`VpnError::InvalidField`] for `name`.
pub fn parse_device_name(raw: &str, max_chars: usize) -> Result<Box<str>, VpnError> {
    if raw.trim().is_empty() {
        return Err(VpnError::invalid("name", "must be a non-empty string"));
    }
    if raw.chars().count() > max_chars {
        return Err(VpnError::invalid("name", format!("must be at most {max_chars} characters")));
    }
    if raw.chars().any(char::is_control) {
        return Err(VpnError::invalid("name", "must not contain control characters"));
    }
    Ok(raw.into())
}

fn parse_text(field: &'static str, raw: &str) -> Result<Box<str>, VpnError> {
    if raw.trim().is_empty() {
        return Err(VpnError::invalid(field, "must be a non-empty string"));
    }
    if raw.chars().count() > MAX_TEXT_FIELD_CHARS {
        return Err(VpnError::invalid(
            field,
            format!("must be at most {MAX_TEXT_FIELD_CHARS} characters"),
        ));
    }
    if raw.chars().any(char::is_control) {
        return Err(VpnError::invalid(field, "must not contain control characters"));
    }
    Ok(raw.into())
}

/// A phone number: optional `+`, then 6 to 15 digits (E.164 allows at most 15).
fn parse_phone(raw: &str) -> Result<Box<str>, VpnError> {
    let digits = raw.strip_prefix('+').unwrap_or(raw);
    if (6..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) {
        Ok(raw.into())
    } else {
        Err(VpnError::invalid(
            "password",
            "must be a phone number: optional '+' then 6 to 15 digits",
        ))
    }
}

fn parse_bundle(request: &BundleRequest, catalogue: &[BundleSpec]) -> Result<Bundle, VpnError> {
    let Some(catalogue_idx) = catalogue.iter().position(|spec| spec.id == request.id) else {
        let known: Vec<&str> = catalogue.iter().map(|spec| spec.id.as_str()).collect();
        return Err(VpnError::invalid(
            "bundle.id",
            format!("must be a known bundle id (one of: {})", known.join(", ")),
        ));
    };
    let licenses = request
        .licenses
        .as_u64()
        .filter(|n| *n >= 1)
        .and_then(|n| u32::try_from(n).ok())
        .ok_or_else(|| {
            VpnError::invalid("bundle.licenses", "must be a non-zero positive integer")
        })?;
    if licenses > LICENSES_MAX {
        return Err(VpnError::invalid(
            "bundle.licenses",
            format!("must be at most {LICENSES_MAX}"),
        ));
    }
    // The catalogue is loaded from a fixture whose length is checked at load time to fit.
    let catalogue_idx = u16::try_from(catalogue_idx).unwrap_or(u16::MAX);
    Ok(Bundle { catalogue_idx, licenses })
}

/// `ll-CC`: two lower-case letters, a hyphen, two upper-case letters (the seed's `'en-US'`).
fn parse_locale(raw: &str) -> Result<Box<str>, VpnError> {
    let b = raw.as_bytes();
    let ok = b.len() == 5
        && b[0].is_ascii_lowercase()
        && b[1].is_ascii_lowercase()
        && b[2] == b'-'
        && b[3].is_ascii_uppercase()
        && b[4].is_ascii_uppercase();
    if ok {
        Ok(raw.into())
    } else {
        Err(VpnError::invalid("locale", "should be in the form 'en-US'"))
    }
}

/// The agreed licence key format: four groups of four upper-case letters or digits joined by
/// hyphens, e.g. `AB12-CD34-EF56-GH78`.
pub const LICENSE_KEY_PATTERN: &str = "^[A-Z0-9]{4}(-[A-Z0-9]{4}){3}$";

fn parse_license_key(raw: &str) -> Result<Box<str>, VpnError> {
    let groups: Vec<&str> = raw.split('-').collect();
    let ok = groups.len() == 4
        && groups.iter().all(|g| {
            g.len() == 4 && g.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        });
    if ok {
        Ok(raw.into())
    } else {
        Err(VpnError::invalid(
            "license_key",
            "must conform to agreed format: four groups of four upper-case letters or digits \
             joined by '-', e.g. AB12-CD34-EF56-GH78",
        ))
    }
}

/// A non-negative amount below one billion with at most two decimals, as a number or a
/// string (`^[0-9]{1,9}(\.[0-9]{1,2})?$` on its decimal text).
fn parse_price(price: &Price) -> Result<u64, VpnError> {
    let text = match price {
        Price::Number(n) => n.to_string(),
        Price::Text(s) => s.clone(),
    };
    let rule = || {
        VpnError::invalid(
            "price",
            "must be a valid currency amount: non-negative, at most two decimals",
        )
    };
    let (units, cents) = match text.split_once('.') {
        Some((units, cents)) => (units, cents),
        None => (text.as_str(), ""),
    };
    let digits_only = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if units.is_empty()
        || units.len() > 9
        || !digits_only(units)
        || cents.len() > 2
        || !digits_only(cents)
    {
        return Err(rule());
    }
    if text.contains('.') && cents.is_empty() {
        return Err(rule());
    }
    let units: u64 = units.parse().map_err(|_| rule())?;
    let cents: u64 = format!("{cents:0<2}").parse().map_err(|_| rule())?;
    units.checked_mul(100).and_then(|u| u.checked_add(cents)).ok_or_else(rule)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalogue() -> Vec<BundleSpec> {
        vec![BundleSpec { id: "premium".into() }]
    }

    fn valid() -> CreateSubscriberRequest {
        serde_json::from_str(
            r#"{"order":"ord-1","id_hub":"hub1","ob":"movistar","name":"hub1@movistar",
                "password":"+34600111222","bundle":{"id":"premium","licenses":10},"locale":"en-US"}"#,
        )
        .unwrap()
    }

    fn field_of(result: Result<NewSubscriber, VpnError>) -> String {
        match result {
            Err(VpnError::InvalidField { field, .. }) => field,
            other => panic!("expected InvalidField, got {other:?}"),
        }
    }

    #[test]
    fn the_seed_example_is_valid() {
        let parsed = parse_create(&valid(), &catalogue()).unwrap();
        assert_eq!(parsed.bundle.licenses, 10);
        assert_eq!(&*parsed.order, "ord-1");
    }

    #[test]
    fn blank_text_fields_are_refused() {
        for field in ["order", "id_hub", "ob"] {
            let mut request = valid();
            match field {
                "order" => request.order = " ".into(),
                "id_hub" => request.id_hub = String::new(),
                _ => request.ob = String::new(),
            }
            request.name = format!("{}@{}", request.id_hub, request.ob);
            assert_eq!(field_of(parse_create(&request, &catalogue())), field);
        }
    }

    #[test]
    fn name_must_be_id_hub_at_ob() {
        for bad in ["someone@else", "hub1@movistar ", "hub1movistar", "hub1@@movistar", "hub1@", ""]
        {
            let mut request = valid();
            request.name = bad.into();
            assert_eq!(field_of(parse_create(&request, &catalogue())), "name", "{bad}");
        }
        let mut request = valid();
        request.id_hub = "a@b".into();
        request.ob = "c".into();
        request.name = "a@b@c".into();
        assert!(parse_create(&request, &catalogue()).is_ok());
    }

    #[test]
    fn password_is_a_phone_number() {
        for ok in ["600111", "+34600111222", "123456789012345"] {
            let mut request = valid();
            request.password = ok.into();
            assert!(parse_create(&request, &catalogue()).is_ok(), "{ok}");
        }
        for bad in ["12345", "1234567890123456", "+", "34-600", "hunter2!", "++346001112"] {
            let mut request = valid();
            request.password = bad.into();
            assert_eq!(field_of(parse_create(&request, &catalogue())), "password", "{bad}");
        }
    }

    #[test]
    fn licenses_must_be_a_positive_integer_within_the_bundle() {
        for bad in ["0", "-1", "1.5", "1001", "1e3", "18446744073709551616"] {
            let mut request = valid();
            request.bundle.licenses = serde_json::from_str(bad).unwrap();
            assert_eq!(field_of(parse_create(&request, &catalogue())), "bundle.licenses", "{bad}");
        }
        let mut request = valid();
        request.bundle.licenses = 1000.into();
        assert!(parse_create(&request, &catalogue()).is_ok());
    }

    #[test]
    fn unknown_bundle_names_the_known_ones() {
        let mut request = valid();
        request.bundle.id = "gold".into();
        let Err(VpnError::InvalidField { field, rule }) = parse_create(&request, &catalogue())
        else {
            panic!()
        };
        assert_eq!(field, "bundle.id");
        assert!(rule.contains("premium"), "{rule}");
    }

    #[test]
    fn locale_is_language_dash_region() {
        for bad in ["en", "en_US", "EN-us", "en-USA", "e1-US"] {
            let mut request = valid();
            request.locale = bad.into();
            assert_eq!(field_of(parse_create(&request, &catalogue())), "locale", "{bad}");
        }
    }

    #[test]
    fn license_key_format() {
        let mut request = valid();
        request.license_key = Some("AB12-CD34-EF56-GH78".into());
        assert!(parse_create(&request, &catalogue()).is_ok());
        for bad in
            ["ab12-CD34-EF56-GH78", "AB12CD34EF56GH78", "AB12-CD34-EF56", "AB12-CD34-EF56-GH7!"]
        {
            request.license_key = Some(bad.into());
            assert_eq!(field_of(parse_create(&request, &catalogue())), "license_key", "{bad}");
        }
    }

    #[test]
    fn price_is_a_non_negative_amount_with_two_decimals() {
        let cases = [
            ("9.99", Some(999)),
            ("10", Some(1000)),
            ("0.5", Some(50)),
            ("-1", None),
            ("9.999", None),
            ("abc", None),
            ("1.", None),
            (".5", None),
            ("1e2", None),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_price(&Price::Text(text.into())).ok(), expected, "{text}");
        }
        let number: serde_json::Number = serde_json::from_str("12.5").unwrap();
        assert_eq!(parse_price(&Price::Number(number)).ok(), Some(1250));
    }

    #[test]
    fn ids_parse_only_in_their_documented_format() {
        assert_eq!(UserId::parse("1000000001"), Some(UserId(1_000_000_001)));
        for bad in ["", "0", "0123", "abc", "-5", "1234567890123456789"] {
            assert_eq!(UserId::parse(bad), None, "{bad}");
        }
        assert_eq!(DeviceId::parse("0a1b2c3d4e5f"), Some(DeviceId(0x0A1B_2C3D_4E5F)));
        assert_eq!(DeviceId(0x0A1B_2C3D_4E5F).to_string(), "0A1B2C3D4E5F");
        for n in
            [0, 1, 0xABC, 0xFFFF_FFFF_FFFF, 0x1_0000_0000_0000, u64::MAX, 0x0123_4567_89AB_CDEF]
        {
            assert_eq!(DeviceId(n).to_string(), format!("{n:012X}"), "{n:#x}");
        }
        for bad in ["", "XYZ", "12345678901234567"] {
            assert_eq!(DeviceId::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn device_names() {
        assert!(parse_device_name("Laura's Phone", 64).is_ok());
        assert!(parse_device_name("   ", 64).is_err());
        assert!(parse_device_name(&"x".repeat(65), 64).is_err());
        assert!(parse_device_name("a\u{0}b", 64).is_err());
    }
}
