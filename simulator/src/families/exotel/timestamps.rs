//! Exotel timestamps: RFC 3339 with whole seconds and the account's own UTC offset, e.g.
//! `2019-11-19T23:14:17+05:30` (the seed's accounts are Indian, hence the +05:30 default).
//!
//! A fixed format description rather than `Rfc3339`: the seed never shows fractional seconds
//! or `Z`, and a client parsing with a strict layout (Go's `time.RFC3339` written as
//! `2006-01-02T15:04:05Z07:00`) must see exactly this shape.

use time::format_description::BorrowedFormatItem;
use time::macros::format_description;
use time::{OffsetDateTime, UtcOffset};

/// The offset an account gets when its fixture names none.
pub const DEFAULT_UTC_OFFSET: &str = "+05:30";

const TIMESTAMP_FORMAT: &[BorrowedFormatItem<'static>] = format_description!(
    "[year]-[month]-[day]T[hour]:[minute]:[second][offset_hour sign:mandatory]:[offset_minute]"
);
const OFFSET_FORMAT: &[BorrowedFormatItem<'static>] =
    format_description!("[offset_hour sign:mandatory]:[offset_minute]");

/// Largest offset from UTC any time zone uses (UTC+14:00, Line Islands; the most negative is
/// UTC-12:00), in seconds.
const UTC_OFFSET_MAX_S: i32 = 14 * 3600;

/// Parses `+05:30`, `-03:00`, `+00:00`: a sign, two-digit hours and minutes, within ±14:00.
pub fn parse_utc_offset(raw: &str) -> Option<UtcOffset> {
    UtcOffset::parse(raw, OFFSET_FORMAT)
        .ok()
        .filter(|offset| offset.whole_seconds().abs() <= UTC_OFFSET_MAX_S)
}

/// `epoch_s` as seen at `offset`. Instants outside years 0001–9999 (reachable only by
/// advancing the simulated clock absurdly far) are clamped to that range rather than failing.
pub fn format_timestamp(epoch_s: i64, offset: UtcOffset) -> String {
    let min_s = OffsetDateTime::new_utc(time::Date::MIN, time::Time::MIDNIGHT).unix_timestamp();
    let max_s = OffsetDateTime::new_utc(time::Date::MAX, time::Time::MIDNIGHT).unix_timestamp();
    // A day of margin on each side keeps the offset-shifted local date representable.
    let clamped = epoch_s.clamp(min_s + 86_400, max_s - 86_400);
    OffsetDateTime::from_unix_timestamp(clamped)
        .map(|at| at.to_offset(offset))
        .ok()
        .and_then(|at| at.format(TIMESTAMP_FORMAT).ok())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seed_timestamp_round_trips() {
        let offset = parse_utc_offset(DEFAULT_UTC_OFFSET).unwrap();
        // 2019-11-19T23:14:17+05:30 = 2019-11-19T17:44:17Z.
        assert_eq!(format_timestamp(1_574_185_457, offset), "2019-11-19T23:14:17+05:30");
    }

    #[test]
    fn other_offsets_and_no_fraction() {
        let utc = parse_utc_offset("+00:00").unwrap();
        assert_eq!(format_timestamp(1_767_225_600, utc), "2026-01-01T00:00:00+00:00");
        assert!(parse_utc_offset("+14:00").is_some() && parse_utc_offset("-12:00").is_some());
        let west = parse_utc_offset("-03:00").unwrap();
        assert_eq!(format_timestamp(1_767_225_600, west), "2025-12-31T21:00:00-03:00");
    }

    #[test]
    fn offsets_must_be_signed_hours_and_minutes() {
        for bad in ["05:30", "+5:30", "+0530", "IST", "", "+25:00", "+14:30"] {
            assert!(parse_utc_offset(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn absurd_instants_are_clamped_not_lost() {
        let offset = parse_utc_offset("+05:30").unwrap();
        assert!(format_timestamp(i64::MAX, offset).starts_with("9999-12-"));
        assert!(!format_timestamp(i64::MIN, offset).is_empty());
    }
}
