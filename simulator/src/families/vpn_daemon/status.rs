//! The status document and its counters.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::families::vpn::state::LinkSnapshot;
use crate::ids::fnv1a_64;

/// The client version the simulated daemon reports (the seed's sample value).
pub const DAEMON_VERSION: &str = "2.90";

/// Seed 000's document. Every value is a JSON string, as in the seed.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, JsonSchema)]
pub struct StatusDocument {
    /// `CONNECTED` or `DISCONNECTED`.
    #[schemars(regex(pattern = "^(CONNECTED|DISCONNECTED)$"))]
    pub connect_state: String,
    pub daemon_state: DaemonState,
}

/// Every value is a string, as in the seed; counters are decimal integers.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, JsonSchema)]
pub struct DaemonState {
    /// Epoch seconds of the simulated clock.
    #[schemars(regex(pattern = "^[0-9]+$"), extend("x-volatile" = true))]
    pub timestamp: String,
    #[schemars(regex(pattern = "^(CONNECTED|DISCONNECTED)$"))]
    pub state_name: String,
    pub description: String,
    #[schemars(regex(pattern = "^[0-9]+$"), extend("x-volatile" = true))]
    pub bytes_in: String,
    #[schemars(regex(pattern = "^[0-9]+$"), extend("x-volatile" = true))]
    pub bytes_out: String,
    #[schemars(regex(pattern = "^[0-9]+$"), extend("x-volatile" = true))]
    pub proxy_bytes_in: String,
    #[schemars(regex(pattern = "^[0-9]+$"), extend("x-volatile" = true))]
    pub proxy_bytes_out: String,
    #[schemars(regex(pattern = "^[0-9]+$"), extend("x-volatile" = true))]
    pub proxy_req_count: String,
    #[schemars(regex(pattern = "^[0-9]+$"), extend("x-volatile" = true))]
    pub proxy_req_bypass_count: String,
    #[schemars(regex(pattern = "^[0-9]+$"), extend("x-volatile" = true))]
    pub proxy_req_malware_count: String,
    pub cur_version: String,
}

/// Counters of one session. Every counter is a non-decreasing function of the session's
/// length, which is what makes them monotonic while connected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counters {
    pub bytes_in: u64,
    pub bytes_out: u64,
    pub proxy_bytes_in: u64,
    pub proxy_bytes_out: u64,
    pub proxy_req_count: u64,
    pub proxy_req_bypass_count: u64,
    pub proxy_req_malware_count: u64,
}

impl Counters {
    /// Traffic of a session of `session_ms` on the device with `device_key`. Each device has
    /// its own steady download rate between 2,000 and 10,000 bytes/s (derived from its id),
    /// uploads an eighth of that, sends 90 % of the download and 27 % of the upload through
    /// the proxy, makes one proxied request per 8 s, bypasses one in 28 and blocks one in 500:
    /// ratios taken from the seed's sample.
    pub fn for_session(device_key: u64, session_ms: i64) -> Counters {
        let seconds = u64::try_from(session_ms.max(0) / 1000).unwrap_or(0);
        let rate_in = 2_000 + fnv1a_64(&device_key.to_le_bytes()) % 8_001;
        let bytes_in = rate_in.saturating_mul(seconds);
        let bytes_out = bytes_in / 8;
        let proxy_req_count = seconds / 8;
        Counters {
            bytes_in,
            bytes_out,
            proxy_bytes_in: bytes_in / 10 * 9,
            proxy_bytes_out: bytes_out / 100 * 27,
            proxy_req_count,
            proxy_req_bypass_count: proxy_req_count / 28,
            proxy_req_malware_count: proxy_req_count / 500,
        }
    }
}

/// The document for a device's link (or for an idle daemon with no device) at `now_s`.
pub fn document(link: Option<LinkSnapshot>, now_s: i64) -> StatusDocument {
    let (state, counters) = match link {
        Some(link) if link.connected => {
            ("CONNECTED", Counters::for_session(link.device_id.0, link.session_ms))
        }
        Some(link) => ("DISCONNECTED", Counters::for_session(link.device_id.0, link.session_ms)),
        None => ("DISCONNECTED", Counters::default()),
    };
    StatusDocument {
        connect_state: state.into(),
        daemon_state: DaemonState {
            timestamp: now_s.to_string(),
            state_name: state.into(),
            description: "SUCCESS".into(),
            bytes_in: counters.bytes_in.to_string(),
            bytes_out: counters.bytes_out.to_string(),
            proxy_bytes_in: counters.proxy_bytes_in.to_string(),
            proxy_bytes_out: counters.proxy_bytes_out.to_string(),
            proxy_req_count: counters.proxy_req_count.to_string(),
            proxy_req_bypass_count: counters.proxy_req_bypass_count.to_string(),
            proxy_req_malware_count: counters.proxy_req_malware_count.to_string(),
            cur_version: DAEMON_VERSION.into(),
        },
    }
}

/// Appends the JSON text of `document(link, now_s)` to `out`, byte for byte what
/// `serde_json` writes for it, without building the document's eleven strings: the status
/// page is the most polled answer of the simulator (issue 6). Every value is a fixed word or
/// a decimal number, so nothing needs escaping; `tests::the_writer_matches_serde` holds the
/// two outputs equal.
pub fn write_document(out: &mut Vec<u8>, link: Option<LinkSnapshot>, now_s: i64) {
    use std::io::Write as _;

    let (state, counters) = match link {
        Some(link) => (
            if link.connected { "CONNECTED" } else { "DISCONNECTED" },
            Counters::for_session(link.device_id.0, link.session_ms),
        ),
        None => ("DISCONNECTED", Counters::default()),
    };
    // Writing into a Vec cannot fail.
    let _ = write!(
        out,
        "{{\"connect_state\":\"{state}\",\"daemon_state\":{{\"timestamp\":\"{now_s}\",\
         \"state_name\":\"{state}\",\"description\":\"SUCCESS\",\"bytes_in\":\"{}\",\
         \"bytes_out\":\"{}\",\"proxy_bytes_in\":\"{}\",\"proxy_bytes_out\":\"{}\",\
         \"proxy_req_count\":\"{}\",\"proxy_req_bypass_count\":\"{}\",\
         \"proxy_req_malware_count\":\"{}\",\"cur_version\":\"{DAEMON_VERSION}\"}}}}",
        counters.bytes_in,
        counters.bytes_out,
        counters.proxy_bytes_in,
        counters.proxy_bytes_out,
        counters.proxy_req_count,
        counters.proxy_req_bypass_count,
        counters.proxy_req_malware_count,
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::families::vpn::model::DeviceId;

    #[test]
    fn the_writer_matches_serde() {
        let links = [
            None,
            Some(LinkSnapshot {
                device_id: DeviceId(0x0A1B_2C3D_4E5F),
                connected: true,
                session_ms: 0,
            }),
            Some(LinkSnapshot {
                device_id: DeviceId(0x0A1B_2C3D_4E5F),
                connected: true,
                session_ms: 97_508_041_279,
            }),
            Some(LinkSnapshot {
                device_id: DeviceId(u64::MAX),
                connected: false,
                session_ms: 5_000,
            }),
            Some(LinkSnapshot { device_id: DeviceId(1), connected: true, session_ms: i64::MAX }),
        ];
        for link in links {
            for now_s in [0, 1_376_600_935, -1, i64::MAX] {
                let expected = serde_json::to_vec(&document(link, now_s)).unwrap();
                let mut written = Vec::new();
                write_document(&mut written, link, now_s);
                assert_eq!(
                    String::from_utf8(written).unwrap(),
                    String::from_utf8(expected).unwrap(),
                    "{link:?} at {now_s}"
                );
            }
        }
    }

    #[test]
    fn counters_never_decrease_as_a_session_grows() {
        let mut previous = Counters::default();
        for session_ms in (0..3_600_000).step_by(7_919) {
            let now = Counters::for_session(0x0A1B_2C3D_4E5F, session_ms);
            assert!(now.bytes_in >= previous.bytes_in && now.bytes_out >= previous.bytes_out);
            assert!(now.proxy_bytes_in >= previous.proxy_bytes_in);
            assert!(now.proxy_bytes_out >= previous.proxy_bytes_out);
            assert!(now.proxy_req_count >= previous.proxy_req_count);
            assert!(now.proxy_req_bypass_count >= previous.proxy_req_bypass_count);
            assert!(now.proxy_req_malware_count >= previous.proxy_req_malware_count);
            previous = now;
        }
        assert!(previous.bytes_in > 0 && previous.proxy_req_malware_count == 0);
    }

    #[test]
    fn a_new_session_starts_from_zero() {
        assert_eq!(Counters::for_session(42, 0), Counters::default());
        assert_eq!(Counters::for_session(42, -5_000), Counters::default());
    }

    #[test]
    fn idle_daemon_reports_disconnected_with_zero_counters() {
        let doc = document(None, 1_376_600_935);
        assert_eq!(doc.connect_state, "DISCONNECTED");
        assert_eq!(doc.daemon_state.timestamp, "1376600935");
        assert_eq!(doc.daemon_state.bytes_in, "0");
        assert_eq!(doc.daemon_state.cur_version, "2.90");
    }
}
