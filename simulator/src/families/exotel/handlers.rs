//! exotel handlers: decode, validate fully, then apply. A whole-request failure changes
//! nothing; in a bulk create every item is validated on its own and the valid ones are
//! created, which is the seed's bulk contract.

use http::StatusCode;

use super::ExotelFamily;
use super::envelope::{BulkCounts, NoMetadata, Outcome};
use super::errors::ExotelError;
use super::model::{
    CreateSubscribersRequest, SUBSCRIBERS_PER_REQUEST_MAX, SubscriberName, SubscriberToken,
    TokenData, TokenRequest, UpdateSubscriberRequest, parse_new_subscriber, parse_token_request,
    parse_update,
};
use super::paging::{page_links, parse_page_request};
use super::state::AccountIdx;
use super::tokens;
use crate::http::Response;
use crate::http::call::Call;
use crate::http::reply;

/// `POST /v2/accounts/{sid}/subscriber-token`.
pub fn create_subscriber_token(
    f: &ExotelFamily,
    call: &Call<'_>,
    account: &AccountIdx,
) -> Result<Response, ExotelError> {
    let request: TokenRequest = call.json()?;
    let order = parse_token_request(&request)?;
    let state = f.state();
    state.check_token_subject(*account, &order.subscriber_name)?;
    let client_id = tokens::client_id(state.sid(*account), &order.device_id);
    let now_s = f.sim().clock.now_s();
    let pair = tokens::issue(
        state.signing_secret(*account),
        order.subscriber_name.as_str(),
        &client_id,
        now_s,
    )
    .map_err(|e| ExotelError::Internal { detail: format!("token encoding failed: {e}") })?;
    let data = TokenData {
        subscriber_name: order.subscriber_name.to_string(),
        subscriber_token: SubscriberToken {
            refresh_token: pair.refresh_token,
            access_token: pair.access_token,
        },
    };
    Ok(f.reply(call, *account, StatusCode::OK, None::<NoMetadata>, Outcome::success(data)))
}

/// `POST /v2/accounts/{sid}/subscribers`: always 207 once the request as a whole is valid.
pub fn create_subscribers(
    f: &ExotelFamily,
    call: &Call<'_>,
    account: &AccountIdx,
) -> Result<Response, ExotelError> {
    let request: CreateSubscribersRequest = call.json()?;
    let items = match request.subscribers {
        Some(items) if !items.is_empty() => items,
        _ => return Err(ExotelError::MissingParameter { parameter: "subscribers" }),
    };
    if items.len() > SUBSCRIBERS_PER_REQUEST_MAX {
        return Err(ExotelError::TooManyInRequest {
            count: items.len(),
            max: SUBSCRIBERS_PER_REQUEST_MAX,
        });
    }
    let parsed = items.iter().map(parse_new_subscriber).collect();
    let results = f.state().create_batch(*account, parsed, f.sim().clock.now_s());
    let outcomes: Vec<Outcome<_>> = results.into_iter().map(Outcome::from_result).collect();
    let success = outcomes.iter().filter(|o| o.is_success()).count();
    let counts = BulkCounts { failed: outcomes.len() - success, success };
    Ok(f.reply(call, *account, StatusCode::MULTI_STATUS, Some(counts), outcomes))
}

/// `PUT /v2/accounts/{sid}/subscribers/{subscriber_name}`. The body is checked before the
/// name is looked up, so a bad body is 400 even for an unknown subscriber.
pub fn update_subscriber(
    f: &ExotelFamily,
    call: &Call<'_>,
    account: &AccountIdx,
) -> Result<Response, ExotelError> {
    let request: UpdateSubscriberRequest = call.json()?;
    let update = parse_update(&request)?;
    let name = SubscriberName::from_path(call.param("subscriber_name"))?;
    let view = f.state().update(*account, &name, update, f.sim().clock.now_s())?;
    Ok(f.reply(call, *account, StatusCode::OK, None::<NoMetadata>, Outcome::success(view)))
}

/// `GET /v2/accounts/{sid}/subscribers/{subscriber_name}`.
pub fn get_subscriber(
    f: &ExotelFamily,
    call: &Call<'_>,
    account: &AccountIdx,
) -> Result<Response, ExotelError> {
    let name = SubscriberName::from_path(call.param("subscriber_name"))?;
    let view = f.state().get(*account, &name)?;
    Ok(f.reply(call, *account, StatusCode::OK, None::<NoMetadata>, Outcome::success(view)))
}

/// `GET /v2/accounts/{sid}/subscribers?status=&page_size=&offset=`.
pub fn list_subscribers(
    f: &ExotelFamily,
    call: &Call<'_>,
    account: &AccountIdx,
) -> Result<Response, ExotelError> {
    let request = parse_page_request(|name| call.query_param(name))?;
    let state = f.state();
    let (views, has_next) = state.list(*account, &request);
    let links = page_links(state.sid(*account), &request, has_next);
    let outcomes: Vec<Outcome<_>> = views.into_iter().map(Outcome::success).collect();
    Ok(f.reply(call, *account, StatusCode::OK, Some(links), outcomes))
}

/// `DELETE /v2/accounts/{sid}/subscribers/{subscriber_name}`: 204 without a body.
pub fn delete_subscriber(
    f: &ExotelFamily,
    call: &Call<'_>,
    account: &AccountIdx,
) -> Result<Response, ExotelError> {
    let name = SubscriberName::from_path(call.param("subscriber_name"))?;
    f.state().delete(*account, &name)?;
    Ok(reply::empty(StatusCode::NO_CONTENT))
}
