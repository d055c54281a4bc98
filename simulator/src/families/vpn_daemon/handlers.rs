//! The one daemon operation.

use http::StatusCode;
use http::header::{CACHE_CONTROL, X_CONTENT_TYPE_OPTIONS};

use super::DaemonFamily;
use super::errors::{DaemonError, is_valid_func};
use super::status::document;
use crate::families::vpn::model::DeviceId;
use crate::http::Response;
use crate::http::call::Call;
use crate::http::reply::{self, APPLICATION_JAVASCRIPT};

pub fn device_status(f: &DaemonFamily, call: &Call<'_>, _: &()) -> Result<Response, DaemonError> {
    let func = call.query_param("func");
    if let Some(func) = &func
        && !is_valid_func(func)
    {
        return Err(DaemonError::InvalidFunc);
    }
    let device_id = match call.query_param("device_id") {
        Some(raw) => Some(DeviceId::parse(&raw).ok_or(DaemonError::InvalidDeviceId)?),
        None => None,
    };
    let sim = f.sim();
    let now_ms = sim.clock.now_ms();
    let link = sim.vpn.link_snapshot(device_id, now_ms).map_err(|()| DaemonError::UnknownDevice)?;
    let doc = document(link, now_ms.div_euclid(1000));
    let mut response = match func {
        None => reply::json(StatusCode::OK, &doc),
        Some(func) => {
            let json = serde_json::to_string(&doc).unwrap_or_else(|_| "{}".into());
            reply::with_body(StatusCode::OK, APPLICATION_JAVASCRIPT, format!("{func}({json});"))
        }
    };
    // A status page is polled: never let a cache answer for the daemon.
    reply::set_header(&mut response, CACHE_CONTROL, "no-store");
    reply::set_header(&mut response, X_CONTENT_TYPE_OPTIONS, "nosniff");
    Ok(response)
}
