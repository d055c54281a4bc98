//! `exotel-bulk`: each iteration bulk-creates 10 subscribers of which 8 are new, 1 repeats
//! an earlier item of the same request and 1 is the user's "keeper" (created in `on_start`),
//! so every answer is a 207 mixing successes and two 409/1008 items; asks a token for one new
//! subscriber, pages through the account's list and deletes the 8.
//!
//! The seed's 200 requests per minute per account would turn load into 429s, so `on_start`
//! lifts the limit through the control plane (`PUT /_sim/exotel/accounts/{sid}/rate-limit`
//! with 0 = unlimited; idempotent, so every user may do it). Against a server without a
//! control plane, keep the request rate under its limit: a 429 is a failure.

use std::sync::Arc;

use goose::prelude::*;

use super::{TxFuture, session, tx, url};
use crate::client::{Auth, Req, reject, send};
use crate::{Ctx, to_base36};

/// New subscribers per bulk request (plus one in-request duplicate and one existing name:
/// the seed's limit of 10 items).
const NEW_PER_BULK: usize = 8;
/// Pages of the list read per iteration.
const PAGES: usize = 3;
const PAGE_SIZE: usize = 50;

#[derive(Debug, Clone, Default)]
struct Bulk {
    keeper: Option<String>,
    n: u64,
    created: Vec<String>,
}

pub(crate) fn bulk(ctx: &Arc<Ctx>) -> Result<Scenario, GooseError> {
    Ok(Scenario::new("exotel-bulk")
        .set_host(ctx.targets.exotel.as_deref().unwrap_or(""))
        .register_transaction(tx(ctx, "lift rate limit, create keeper", prepare).set_on_start())
        .register_transaction(tx(ctx, "bulk create", bulk_create).set_sequence(1))
        .register_transaction(tx(ctx, "subscriber token", token).set_sequence(2))
        .register_transaction(tx(ctx, "list pages", list_pages).set_sequence(3))
        .register_transaction(tx(ctx, "delete subscribers", delete_created).set_sequence(4))
        .register_transaction(tx(ctx, "delete keeper", finish).set_on_stop()))
}

/// A name of 1 to 16 ASCII letters and digits, unique per run, user and counter:
/// `prefix`, the run tag (4), the user (3), then `counter` in base 36.
fn name(ctx: &Ctx, prefix: char, user_idx: usize, counter: Option<u64>) -> String {
    let user = to_base36(user_idx as u64);
    let counter = counter.map(to_base36).unwrap_or_default();
    format!("{prefix}{:0>4}{user:0>3}{counter}", ctx.run_tag)
}

fn subscribers_url(ctx: &Ctx) -> String {
    url(&ctx.targets.exotel, &format!("/v2/accounts/{}/subscribers", ctx.exotel.sid))
}

fn prepare(ctx: Arc<Ctx>, user: &mut GooseUser) -> TxFuture<'_> {
    Box::pin(async move {
        if ctx.targets.control.is_some() {
            let path = format!("/_sim/exotel/accounts/{}/rate-limit", ctx.exotel.sid);
            let url = url(&ctx.targets.control, &path);
            let req = Req {
                method: GooseMethod::Put,
                url: &url,
                name: "PUT /_sim/exotel/accounts/{sid}/rate-limit",
                auth: Auth::None,
                json: Some(r#"{"requests_per_minute":0}"#.to_owned()),
                expect: 200,
            };
            send(user, req).await?;
        }
        let keeper = name(&ctx, 'k', user.weighted_users_index, None);
        let url = subscribers_url(&ctx);
        let body = serde_json::json!({"subscribers": [{"subscriber_name": keeper}]});
        let req = Req {
            method: GooseMethod::Post,
            url: &url,
            name: "POST /v2/accounts/{sid}/subscribers (keeper)",
            auth: Auth::Header(&ctx.exotel_basic),
            json: Some(body.to_string()),
            expect: 207,
        };
        let mut reply = send(user, req).await?;
        let value: serde_json::Value = serde_json::from_str(&reply.body).unwrap_or_default();
        if value.pointer("/response/0/code").and_then(|c| c.as_u64()) != Some(200) {
            return Err(reject(user, &mut reply, "the keeper was not created"));
        }
        user.set_session_data(Bulk { keeper: Some(keeper), n: 0, created: Vec::new() });
        Ok(())
    })
}

fn bulk_create(ctx: Arc<Ctx>, user: &mut GooseUser) -> TxFuture<'_> {
    Box::pin(async move {
        let mut s: Bulk = session(user);
        let Some(keeper) = s.keeper.clone() else { return Ok(()) };
        s.n += 1;
        let first = s.n * NEW_PER_BULK as u64;
        let names: Vec<String> = (0..NEW_PER_BULK as u64)
            .map(|i| name(&ctx, 'b', user.weighted_users_index, Some(first + i)))
            .collect();
        let mut items: Vec<serde_json::Value> = names
            .iter()
            .map(|n| serde_json::json!({"subscriber_name": n, "custom_field": "load"}))
            .collect();
        items.push(serde_json::json!({"subscriber_name": names[0]}));
        items.push(serde_json::json!({"subscriber_name": keeper}));
        user.set_session_data(s.clone());
        let url = subscribers_url(&ctx);
        let req = Req {
            method: GooseMethod::Post,
            url: &url,
            name: "POST /v2/accounts/{sid}/subscribers",
            auth: Auth::Header(&ctx.exotel_basic),
            json: Some(serde_json::json!({"subscribers": items}).to_string()),
            expect: 207,
        };
        let mut reply = send(user, req).await?;
        let value: serde_json::Value = serde_json::from_str(&reply.body).unwrap_or_default();
        let codes: Vec<u64> = value
            .get("response")
            .and_then(|r| r.as_array())
            .map(|items| items.iter().filter_map(|i| i.get("code")?.as_u64()).collect())
            .unwrap_or_default();
        let mut expected = vec![200; NEW_PER_BULK];
        expected.extend([409, 409]);
        let metadata = (
            value.pointer("/metadata/success").and_then(|n| n.as_u64()),
            value.pointer("/metadata/failed").and_then(|n| n.as_u64()),
        );
        if codes != expected || metadata != (Some(NEW_PER_BULK as u64), Some(2)) {
            let why =
                format!("item codes {codes:?} / metadata {metadata:?}, expected 8×200, 2×409");
            return Err(reject(user, &mut reply, &why));
        }
        s.created = names;
        user.set_session_data(s);
        Ok(())
    })
}

fn token(ctx: Arc<Ctx>, user: &mut GooseUser) -> TxFuture<'_> {
    Box::pin(async move {
        let s: Bulk = session(user);
        let Some(subscriber) = s.created.first().cloned() else { return Ok(()) };
        let path = format!("/v2/accounts/{}/subscriber-token", ctx.exotel.sid);
        let url = url(&ctx.targets.exotel, &path);
        let body = serde_json::json!({
            "platform": "android",
            "device_id": format!("load-{}", user.weighted_users_index),
            "subscriber_name": subscriber,
        });
        let req = Req {
            method: GooseMethod::Post,
            url: &url,
            name: "POST /v2/accounts/{sid}/subscriber-token",
            auth: Auth::Header(&ctx.exotel_basic),
            json: Some(body.to_string()),
            expect: 200,
        };
        let mut reply = send(user, req).await?;
        let value: serde_json::Value = serde_json::from_str(&reply.body).unwrap_or_default();
        let is_jwt = |pointer: &str| {
            value
                .pointer(pointer)
                .and_then(|t| t.as_str())
                .is_some_and(|t| t.split('.').count() == 3)
        };
        if !is_jwt("/response/data/subscriber_token/access_token")
            || !is_jwt("/response/data/subscriber_token/refresh_token")
        {
            return Err(reject(user, &mut reply, "no access and refresh JWTs"));
        }
        Ok(())
    })
}

fn list_pages(ctx: Arc<Ctx>, user: &mut GooseUser) -> TxFuture<'_> {
    Box::pin(async move {
        let mut next =
            Some(format!("/v2/accounts/{}/subscribers?page_size={PAGE_SIZE}", ctx.exotel.sid));
        for _ in 0..PAGES {
            let Some(path) = next.take() else { break };
            let url = url(&ctx.targets.exotel, &path);
            let req = Req {
                method: GooseMethod::Get,
                url: &url,
                name: "GET /v2/accounts/{sid}/subscribers",
                auth: Auth::Header(&ctx.exotel_basic),
                json: None,
                expect: 200,
            };
            let mut reply = send(user, req).await?;
            let value: serde_json::Value = serde_json::from_str(&reply.body).unwrap_or_default();
            let page_len = value.get("response").and_then(|r| r.as_array()).map(Vec::len);
            if page_len.is_none_or(|n| n > PAGE_SIZE) {
                return Err(reject(user, &mut reply, "`response` is not a page of subscribers"));
            }
            next = value
                .pointer("/metadata/next_page_uri")
                .and_then(|u| u.as_str())
                .map(str::to_owned);
        }
        Ok(())
    })
}

fn delete_created(ctx: Arc<Ctx>, user: &mut GooseUser) -> TxFuture<'_> {
    Box::pin(async move {
        let mut s: Bulk = session(user);
        let created = std::mem::take(&mut s.created);
        user.set_session_data(s);
        for subscriber in created {
            delete(&ctx, user, &subscriber).await?;
        }
        Ok(())
    })
}

fn finish(ctx: Arc<Ctx>, user: &mut GooseUser) -> TxFuture<'_> {
    Box::pin(async move {
        let s: Bulk = session(user);
        match s.keeper {
            Some(keeper) => delete(&ctx, user, &keeper).await,
            None => Ok(()),
        }
    })
}

async fn delete(
    ctx: &Ctx,
    user: &mut GooseUser,
    subscriber: &str,
) -> Result<(), Box<TransactionError>> {
    let url = format!("{}/{subscriber}", subscribers_url(ctx));
    let req = Req {
        method: GooseMethod::Delete,
        url: &url,
        name: "DELETE /v2/accounts/{sid}/subscribers/{name}",
        auth: Auth::Header(&ctx.exotel_basic),
        json: None,
        expect: 204,
    };
    send(user, req).await.map(drop)
}
