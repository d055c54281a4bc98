//! vpn handlers: decode, validate fully, then apply. A handler never changes state before
//! every check has passed, so a rejected request leaves no trace.

use http::StatusCode;

use super::VpnFamily;
use super::errors::VpnError;
use super::model::{
    CreateSubscriberRequest, CreatedSubscriber, DeviceId, RenameDeviceRequest,
    UpdateSubscriberRequest, UserId, parse_create, parse_device_name, parse_update,
};
use super::state::TenantIdx;
use crate::http::Response;
use crate::http::call::Call;
use crate::http::reply;

pub fn create_subscriber(
    f: &VpnFamily,
    call: &Call<'_>,
    tenant: &TenantIdx,
) -> Result<Response, VpnError> {
    let request: CreateSubscriberRequest = call.json()?;
    let record = parse_create(&request, f.state().catalogue())?;
    let user_id = f.state().create_subscriber(*tenant, record)?;
    Ok(reply::json(StatusCode::CREATED, &CreatedSubscriber { id: user_id.to_string() }))
}

pub fn update_subscriber(
    f: &VpnFamily,
    call: &Call<'_>,
    tenant: &TenantIdx,
) -> Result<Response, VpnError> {
    let user_id = user_id_or_400(call)?;
    let request: UpdateSubscriberRequest = call.json()?;
    let update = parse_update(&request, f.state().catalogue())?;
    f.state().update_subscriber(*tenant, user_id, update)?;
    Ok(reply::empty(StatusCode::NO_CONTENT))
}

pub fn delete_subscriber(
    f: &VpnFamily,
    call: &Call<'_>,
    tenant: &TenantIdx,
) -> Result<Response, VpnError> {
    let user_id = user_id_or_400(call)?;
    f.state().delete_subscriber(*tenant, user_id)?;
    Ok(reply::empty(StatusCode::NO_CONTENT))
}

pub fn list_devices(
    f: &VpnFamily,
    call: &Call<'_>,
    tenant: &TenantIdx,
) -> Result<Response, VpnError> {
    let user_id = user_id_or_400(call)?;
    let devices = f.state().list_devices(*tenant, user_id)?;
    Ok(reply::json(StatusCode::OK, &devices))
}

pub fn update_device(
    f: &VpnFamily,
    call: &Call<'_>,
    tenant: &TenantIdx,
) -> Result<Response, VpnError> {
    let (user_id, device_id) = device_path_or_404(call)?;
    let request: RenameDeviceRequest = call.json()?;
    let name = parse_device_name(&request.name, f.limits_ref().max_device_name_chars)?;
    let device = f.state().rename_device(*tenant, user_id, device_id, name)?;
    Ok(reply::json(StatusCode::OK, &device))
}

pub fn delete_device(
    f: &VpnFamily,
    call: &Call<'_>,
    tenant: &TenantIdx,
) -> Result<Response, VpnError> {
    let (user_id, device_id) = device_path_or_404(call)?;
    f.state().delete_device(*tenant, user_id, device_id)?;
    Ok(reply::json(StatusCode::OK, &serde_json::json!({})))
}

/// Subscriber endpoints document 400 for a malformed `user_id`.
fn user_id_or_400(call: &Call<'_>) -> Result<UserId, VpnError> {
    UserId::parse(call.param("user_id")).ok_or(VpnError::MalformedUserId)
}

/// Device endpoints document no 400 for ids: an id that cannot exist "does not exist in our
/// database" (404), exactly like a well-formed unknown one.
fn device_path_or_404(call: &Call<'_>) -> Result<(UserId, DeviceId), VpnError> {
    let user_id = UserId::parse(call.param("user_id")).ok_or(VpnError::SubscriberNotFound)?;
    let device_id = DeviceId::parse(call.param("device_id")).ok_or(VpnError::DeviceNotFound)?;
    Ok((user_id, device_id))
}
