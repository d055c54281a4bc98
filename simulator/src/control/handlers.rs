//! Control-plane handlers.

use std::collections::BTreeMap;

use http::StatusCode;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::ControlFamily;
use super::errors::ControlError;
use super::model::{
    ActivateDeviceRequest, AdvanceClockRequest, ClockModeName, ClockView, Health, LinkView,
    RateLimitRequest, RateLimitView, ResetDone, SetClockRequest, TokenVerdictView,
    VerifyTokenRequest,
};
use crate::clock::ClockMode;
use crate::families::exotel::state::AccountIdx;
use crate::families::exotel::tokens::{self, Verdict};
use crate::families::vpn::model::{DeviceId, UserId, parse_device_name};
use crate::families::vpn::state::ActivateError;
use crate::http::Response;
use crate::http::call::Call;
use crate::http::endpoint::Rejection;
use crate::http::reply;

/// Largest single clock advance: ten years. Larger jumps are mistakes, and the bound keeps
/// every later `now + ttl` far from overflow.
const MAX_ADVANCE_MS: u64 = 10 * 366 * 24 * 3_600_000;

pub fn health(f: &ControlFamily, _: &Call<'_>, _: &()) -> Result<Response, ControlError> {
    let listeners = f.sim().listeners().ok_or(ControlError::Starting)?;
    let listeners: BTreeMap<String, String> = listeners
        .iter()
        .map(|(family, addr)| (family.name().to_owned(), addr.to_string()))
        .collect();
    let health = Health { status: "ok".into(), listeners, seed: f.sim().seed };
    Ok(reply::json(StatusCode::OK, &health))
}

pub fn reset(f: &ControlFamily, _: &Call<'_>, _: &()) -> Result<Response, ControlError> {
    // The fixture was validated at start, so a reset cannot fail; report it if it ever does.
    f.sim().reset().map_err(|e| ControlError::Conflict(format!("reset failed: {e}")))?;
    Ok(reply::json(StatusCode::OK, &ResetDone { status: "reset".into() }))
}

pub fn activate_device(
    f: &ControlFamily,
    call: &Call<'_>,
    _: &(),
) -> Result<Response, ControlError> {
    let request: ActivateDeviceRequest = call.json()?;
    let sim = f.sim();
    let max_chars = sim.limits.max_device_name_chars;
    let name = request
        .name
        .as_deref()
        .map(|n| parse_device_name(n, max_chars))
        .transpose()
        .map_err(|e| ControlError::invalid("name", e.to_string()))?;
    let device_id = request
        .device_id
        .as_deref()
        .map(|raw| {
            DeviceId::parse(raw)
                .ok_or_else(|| ControlError::invalid("device_id", "must be 1 to 16 hex digits"))
        })
        .transpose()?;
    let tenant_name = call.param("tenant");
    let tenant = sim
        .vpn
        .tenant_by_name(tenant_name)
        .ok_or_else(|| ControlError::NotFound(format!("no vpn tenant named {tenant_name}")))?;
    let user_id = UserId::parse(call.param("user_id")).ok_or_else(|| {
        ControlError::NotFound("This user_id does not exist in our database".into())
    })?;
    let device = sim
        .vpn
        .activate_device(tenant, user_id, request.kind, name, device_id, sim.clock.now_ms())
        .map_err(|error| match error {
            ActivateError::SubscriberNotFound => ControlError::NotFound(error.to_string()),
            ActivateError::LicenceCapReached { .. }
            | ActivateError::DeviceIdTaken(_)
            | ActivateError::IdsExhausted => ControlError::Conflict(error.to_string()),
        })?;
    Ok(reply::json(StatusCode::CREATED, &device))
}

pub fn connect_device(
    f: &ControlFamily,
    call: &Call<'_>,
    _: &(),
) -> Result<Response, ControlError> {
    set_link(f, call, true)
}

pub fn disconnect_device(
    f: &ControlFamily,
    call: &Call<'_>,
    _: &(),
) -> Result<Response, ControlError> {
    set_link(f, call, false)
}

fn set_link(f: &ControlFamily, call: &Call<'_>, connect: bool) -> Result<Response, ControlError> {
    let unknown = || ControlError::NotFound(format!("no device {}", call.param("device_id")));
    let device_id = DeviceId::parse(call.param("device_id")).ok_or_else(unknown)?;
    let sim = f.sim();
    let link = sim.vpn.set_link(device_id, connect, sim.clock.now_ms()).ok_or_else(unknown)?;
    let view = LinkView {
        device_id: link.device_id.to_string(),
        connect_state: if link.connected { "CONNECTED" } else { "DISCONNECTED" }.into(),
        session_ms: link.session_ms,
    };
    Ok(reply::json(StatusCode::OK, &view))
}

pub fn get_clock(f: &ControlFamily, _: &Call<'_>, _: &()) -> Result<Response, ControlError> {
    Ok(reply::json(StatusCode::OK, &clock_view(f)))
}

pub fn set_clock(f: &ControlFamily, call: &Call<'_>, _: &()) -> Result<Response, ControlError> {
    let request: SetClockRequest = call.json().map_err(|rejection| match rejection {
        Rejection::InvalidField { .. } => ControlError::invalid(
            "now",
            "give exactly one of now (an RFC 3339 date-time) and mode (real or fixed)",
        ),
        other => other.into(),
    })?;
    let clock = &f.sim().clock;
    match request {
        SetClockRequest::At { now } => {
            let at = OffsetDateTime::parse(&now, &Rfc3339).map_err(|e| {
                ControlError::invalid("now", format!("must be an RFC 3339 date-time ({e})"))
            })?;
            let epoch_ms = i64::try_from(at.unix_timestamp_nanos() / 1_000_000)
                .map_err(|_| ControlError::invalid("now", "is out of range"))?;
            if epoch_ms < clock.now_ms() {
                return Err(ControlError::Conflict(
                    "the simulated clock never goes backwards (tokens, timestamps and counters \
                     rely on it); restart the simulator with --clock-start to begin earlier"
                        .into(),
                ));
            }
            clock.freeze_at(epoch_ms);
        }
        SetClockRequest::Mode { mode: ClockModeName::Real } => clock.release(),
        SetClockRequest::Mode { mode: ClockModeName::Fixed } => clock.freeze_at(clock.now_ms()),
    }
    Ok(reply::json(StatusCode::OK, &clock_view(f)))
}

pub fn advance_clock(f: &ControlFamily, call: &Call<'_>, _: &()) -> Result<Response, ControlError> {
    let rule = || {
        ControlError::invalid(
            "seconds",
            format!("give exactly one of seconds and ms, at most {MAX_ADVANCE_MS} ms in all"),
        )
    };
    let request: AdvanceClockRequest = call.json().map_err(|rejection| match rejection {
        Rejection::InvalidField { .. } => rule(),
        other => other.into(),
    })?;
    let delta_ms = match request {
        AdvanceClockRequest::Seconds { seconds } => seconds.checked_mul(1000),
        AdvanceClockRequest::Ms { ms } => Some(ms),
    }
    .filter(|ms| *ms <= MAX_ADVANCE_MS)
    .ok_or_else(rule)?;
    // `MAX_ADVANCE_MS` fits an i64 by far.
    f.sim().clock.advance_ms(i64::try_from(delta_ms).unwrap_or(0));
    Ok(reply::json(StatusCode::OK, &clock_view(f)))
}

pub fn verify_exotel_token(
    f: &ControlFamily,
    call: &Call<'_>,
    _: &(),
) -> Result<Response, ControlError> {
    let request: VerifyTokenRequest = call.json()?;
    let sim = f.sim();
    let exotel = &sim.exotel;
    let verdict = tokens::verify(request.token.trim(), exotel.signing_secrets(), sim.clock.now_s());
    let sid_of = |account: usize| Some(exotel.sid(AccountIdx(account)).to_owned());
    let view = match verdict {
        Verdict::Valid { account, claims } => TokenVerdictView {
            valid: true,
            reason: "ok".into(),
            account_sid: sid_of(account),
            claims: Some(claims),
        },
        Verdict::Expired { account, claims } => TokenVerdictView {
            valid: false,
            reason: "expired".into(),
            account_sid: sid_of(account),
            claims: Some(claims),
        },
        Verdict::BadSignature => TokenVerdictView {
            valid: false,
            reason: "bad_signature".into(),
            account_sid: None,
            claims: None,
        },
        Verdict::Malformed => TokenVerdictView {
            valid: false,
            reason: "malformed".into(),
            account_sid: None,
            claims: None,
        },
    };
    Ok(reply::json(StatusCode::OK, &view))
}

/// Sets an Exotel account's rate limit until the next reset.
pub fn set_exotel_rate_limit(
    f: &ControlFamily,
    call: &Call<'_>,
    _: &(),
) -> Result<Response, ControlError> {
    let request: RateLimitRequest = call.json()?;
    let exotel = &f.sim().exotel;
    let sid = call.param("sid");
    let account = exotel
        .account_by_sid(sid)
        .ok_or_else(|| ControlError::NotFound(format!("no exotel account {sid}")))?;
    exotel.set_requests_per_minute(account, request.requests_per_minute);
    let view = RateLimitView {
        account_sid: exotel.sid(account).to_owned(),
        requests_per_minute: exotel.requests_per_minute(account),
    };
    Ok(reply::json(StatusCode::OK, &view))
}

fn clock_view(f: &ControlFamily) -> ClockView {
    let clock = &f.sim().clock;
    let epoch_ms = clock.now_ms();
    let now = OffsetDateTime::from_unix_timestamp_nanos(i128::from(epoch_ms) * 1_000_000)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_default();
    let mode = match clock.mode() {
        ClockMode::Real => "real",
        ClockMode::Fixed => "fixed",
    };
    ClockView { now, epoch_ms, mode: mode.into() }
}
