//! The one daemon operation.

use http::StatusCode;
use http::header::{CACHE_CONTROL, HeaderValue, X_CONTENT_TYPE_OPTIONS};

use super::DaemonFamily;
use super::errors::{DaemonError, MAX_FUNC_CHARS, is_valid_func};
use super::status::write_document;
use crate::families::vpn::model::DeviceId;
use crate::http::Response;
use crate::http::call::Call;
use crate::http::reply::{self, APPLICATION_JAVASCRIPT, APPLICATION_JSON};

/// Room for the status document itself (about 320 bytes with large counters); `func` and
/// `(...);` come on top.
const DOCUMENT_CAPACITY_BYTES: usize = 384;

pub fn device_status(f: &DaemonFamily, call: &Call<'_>, _: &()) -> Result<Response, DaemonError> {
    // One pass over the query for both parameters; the first occurrence of each counts.
    let (mut func, mut device) = (None, None);
    for (key, value) in form_urlencoded::parse(call.query.as_bytes()) {
        match &*key {
            "func" if func.is_none() => func = Some(value),
            "device_id" if device.is_none() => device = Some(value),
            _ => {}
        }
    }
    if let Some(func) = &func
        && !is_valid_func(func)
    {
        return Err(DaemonError::InvalidFunc);
    }
    let device_id = match device {
        Some(raw) => Some(DeviceId::parse(&raw).ok_or(DaemonError::InvalidDeviceId)?),
        None => None,
    };
    let sim = f.sim();
    let now_ms = sim.clock.now_ms();
    let link = sim.vpn.link_snapshot(device_id, now_ms).map_err(|()| DaemonError::UnknownDevice)?;
    // The answer is written into one buffer: `NAME(` + the document + `);` for JSONP, the
    // document alone otherwise.
    let mut body = Vec::with_capacity(DOCUMENT_CAPACITY_BYTES + MAX_FUNC_CHARS + 3);
    let content_type = match &func {
        None => {
            write_document(&mut body, link, now_ms.div_euclid(1000));
            APPLICATION_JSON
        }
        Some(func) => {
            body.extend_from_slice(func.as_bytes());
            body.push(b'(');
            write_document(&mut body, link, now_ms.div_euclid(1000));
            body.extend_from_slice(b");");
            APPLICATION_JAVASCRIPT
        }
    };
    let mut response = reply::with_body(StatusCode::OK, content_type, body);
    // A status page is polled: never let a cache answer for the daemon.
    let headers = response.headers_mut();
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    Ok(response)
}
