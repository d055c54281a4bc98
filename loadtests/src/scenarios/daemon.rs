//! `device-polling`: pollers poll the JSONP status page of their own devices at
//! `--poll-interval-ms` and check that a connected device's counters never go backwards;
//! link users disconnect and reconnect their own device through the control plane and check
//! that the page follows (frozen counters while disconnected, `CONNECTED` after).
//!
//! Each user owns its devices (activated in `on_start` under its own subscriber), so no other
//! user's reconnect can legitimately reset the counters a poller watches.

use std::collections::HashMap;
use std::sync::Arc;

use goose::prelude::*;

use super::vpn::{activate_device, create_subscriber, delete};
use super::{TxFuture, session, tx, url};
use crate::Ctx;
use crate::client::{Auth, Reply, Req, reject, send};

/// The counters of the status document, in document order.
const COUNTERS: [&str; 7] = [
    "bytes_in",
    "bytes_out",
    "proxy_bytes_in",
    "proxy_bytes_out",
    "proxy_req_count",
    "proxy_req_bypass_count",
    "proxy_req_malware_count",
];

#[derive(Debug, Clone, Default)]
struct Poller {
    user_id: Option<String>,
    devices: Vec<String>,
    next: usize,
    /// Last counters seen per device.
    last: HashMap<String, [u64; 7]>,
}

#[derive(Debug, Clone, Default)]
struct Linker {
    user_id: Option<String>,
    device: Option<String>,
    /// Counters seen right after the last disconnect.
    frozen: Option<[u64; 7]>,
}

/// Pollers need devices to poll by id; without vpn and control targets they poll the
/// daemon's default device and check only the document's shape.
pub(crate) fn pollers(ctx: &Arc<Ctx>) -> Result<Scenario, GooseError> {
    let interval = ctx.poll_interval;
    Ok(Scenario::new("device-polling")
        .set_host(ctx.targets.vpn_daemon.as_deref().unwrap_or(""))
        .set_wait_time(interval, interval)?
        .register_transaction(tx(ctx, "activate polled devices", prepare_poller).set_on_start())
        .register_transaction(tx(ctx, "poll status", poll))
        .register_transaction(tx(ctx, "delete polled subscriber", finish_poller).set_on_stop()))
}

/// Link users need the vpn API (their subscriber) and the control plane.
pub(crate) fn links_possible(ctx: &Ctx) -> bool {
    ctx.targets.vpn.is_some() && ctx.targets.control.is_some()
}

pub(crate) fn links(ctx: &Arc<Ctx>) -> Result<Scenario, GooseError> {
    Ok(Scenario::new("device-links")
        .set_host(ctx.targets.vpn_daemon.as_deref().unwrap_or(""))
        .register_transaction(tx(ctx, "activate linked device", prepare_linker).set_on_start())
        .register_transaction(tx(ctx, "disconnect", disconnect).set_sequence(1))
        .register_transaction(tx(ctx, "poll disconnected", poll_disconnected).set_sequence(2))
        .register_transaction(tx(ctx, "connect", connect).set_sequence(3))
        .register_transaction(tx(ctx, "poll connected", poll_connected).set_sequence(4))
        .register_transaction(tx(ctx, "delete linked subscriber", finish_linker).set_on_stop()))
}

fn prepare_poller(ctx: Arc<Ctx>, user: &mut GooseUser) -> TxFuture<'_> {
    Box::pin(async move {
        if !links_possible(&ctx) {
            return Ok(());
        }
        let mut s = Poller::default();
        let order = format!("lt-{}-poll-{}", ctx.run_tag, user.weighted_users_index);
        let user_id = create_subscriber(&ctx, user, &order, ctx.devices_per_poller).await?;
        s.user_id = Some(user_id.clone());
        user.set_session_data(s.clone());
        for i in 0..ctx.devices_per_poller {
            let name = format!("Polled {i}");
            if let Some(id) = activate_device(&ctx, user, &user_id, &name, 201).await? {
                s.devices.push(id);
                user.set_session_data(s.clone());
            }
        }
        Ok(())
    })
}

fn poll(ctx: Arc<Ctx>, user: &mut GooseUser) -> TxFuture<'_> {
    Box::pin(async move {
        let mut s: Poller = session(user);
        let device = match s.devices.len() {
            0 => None,
            n => Some(s.devices[s.next % n].clone()),
        };
        s.next = s.next.wrapping_add(1);
        let (mut reply, doc) = status(&ctx, user, device.as_deref()).await?;
        let Some(device) = device else {
            user.set_session_data(s);
            return Ok(());
        };
        if doc.state != "CONNECTED" {
            let why = format!("device {device} should be CONNECTED, is {}", doc.state);
            return Err(reject(user, &mut reply, &why));
        }
        if let Some(last) = s.last.get(&device)
            && let Some(i) = (0..COUNTERS.len()).find(|&i| doc.counters[i] < last[i])
        {
            let why = format!(
                "{} of connected device {device} went backwards: {} after {}",
                COUNTERS[i], doc.counters[i], last[i]
            );
            return Err(reject(user, &mut reply, &why));
        }
        s.last.insert(device, doc.counters);
        user.set_session_data(s);
        Ok(())
    })
}

fn finish_poller(ctx: Arc<Ctx>, user: &mut GooseUser) -> TxFuture<'_> {
    Box::pin(async move {
        let s: Poller = session(user);
        match s.user_id {
            Some(user_id) => delete(&ctx, user, &user_id).await,
            None => Ok(()),
        }
    })
}

fn prepare_linker(ctx: Arc<Ctx>, user: &mut GooseUser) -> TxFuture<'_> {
    Box::pin(async move {
        let mut s = Linker::default();
        let order = format!("lt-{}-link-{}", ctx.run_tag, user.weighted_users_index);
        let user_id = create_subscriber(&ctx, user, &order, 1).await?;
        s.user_id = Some(user_id.clone());
        user.set_session_data(s.clone());
        s.device = activate_device(&ctx, user, &user_id, "Linked", 201).await?;
        user.set_session_data(s);
        Ok(())
    })
}

/// `POST /_sim/vpn/devices/{id}/connect|disconnect`, checking the state it reports.
async fn set_link(
    ctx: &Ctx,
    user: &mut GooseUser,
    device: &str,
    connect: bool,
) -> Result<(), Box<TransactionError>> {
    let (verb, state) =
        if connect { ("connect", "CONNECTED") } else { ("disconnect", "DISCONNECTED") };
    let url = url(&ctx.targets.control, &format!("/_sim/vpn/devices/{device}/{verb}"));
    let name = if connect {
        "POST /_sim/vpn/devices/{device_id}/connect"
    } else {
        "POST /_sim/vpn/devices/{device_id}/disconnect"
    };
    let req = Req {
        method: GooseMethod::Post,
        url: &url,
        name,
        auth: Auth::None,
        json: None,
        expect: 200,
    };
    let mut reply = send(user, req).await?;
    let answered = serde_json::from_str::<serde_json::Value>(&reply.body)
        .ok()
        .and_then(|v| v.get("connect_state").and_then(|s| s.as_str()).map(str::to_owned));
    if answered.as_deref() != Some(state) {
        return Err(reject(user, &mut reply, &format!("connect_state should be {state}")));
    }
    Ok(())
}

fn disconnect(ctx: Arc<Ctx>, user: &mut GooseUser) -> TxFuture<'_> {
    Box::pin(async move {
        let mut s: Linker = session(user);
        let Some(device) = s.device.clone() else { return Ok(()) };
        s.frozen = None;
        user.set_session_data(s);
        set_link(&ctx, user, &device, false).await
    })
}

fn poll_disconnected(ctx: Arc<Ctx>, user: &mut GooseUser) -> TxFuture<'_> {
    Box::pin(async move {
        let mut s: Linker = session(user);
        let Some(device) = s.device.clone() else { return Ok(()) };
        // Twice: the second answer must show the counters the first showed.
        for _ in 0..2 {
            let (mut reply, doc) = status(&ctx, user, Some(&device)).await?;
            if doc.state != "DISCONNECTED" {
                let why = format!("device {device} should be DISCONNECTED, is {}", doc.state);
                return Err(reject(user, &mut reply, &why));
            }
            match s.frozen {
                Some(frozen) if frozen != doc.counters => {
                    let why = format!(
                        "counters of disconnected device {device} moved: {:?} after {frozen:?}",
                        doc.counters
                    );
                    return Err(reject(user, &mut reply, &why));
                }
                _ => s.frozen = Some(doc.counters),
            }
        }
        user.set_session_data(s);
        Ok(())
    })
}

fn connect(ctx: Arc<Ctx>, user: &mut GooseUser) -> TxFuture<'_> {
    Box::pin(async move {
        let s: Linker = session(user);
        let Some(device) = s.device.clone() else { return Ok(()) };
        set_link(&ctx, user, &device, true).await
    })
}

fn poll_connected(ctx: Arc<Ctx>, user: &mut GooseUser) -> TxFuture<'_> {
    Box::pin(async move {
        let s: Linker = session(user);
        let Some(device) = s.device.clone() else { return Ok(()) };
        let (mut reply, doc) = status(&ctx, user, Some(&device)).await?;
        if doc.state != "CONNECTED" {
            let why = format!("device {device} should be CONNECTED again, is {}", doc.state);
            return Err(reject(user, &mut reply, &why));
        }
        Ok(())
    })
}

fn finish_linker(ctx: Arc<Ctx>, user: &mut GooseUser) -> TxFuture<'_> {
    Box::pin(async move {
        let s: Linker = session(user);
        match s.user_id {
            Some(user_id) => delete(&ctx, user, &user_id).await,
            None => Ok(()),
        }
    })
}

/// A parsed status document.
struct StatusDoc {
    state: String,
    counters: [u64; 7],
}

/// `GET /config/status.js?func=cb[&device_id=...]`, checked to be `cb({...});` with the
/// seed's fields, every counter a decimal string.
async fn status(
    ctx: &Ctx,
    user: &mut GooseUser,
    device: Option<&str>,
) -> Result<(Reply, StatusDoc), Box<TransactionError>> {
    let path = match device {
        Some(id) => format!("/config/status.js?func=cb&device_id={id}"),
        None => "/config/status.js?func=cb".to_owned(),
    };
    let url = url(&ctx.targets.vpn_daemon, &path);
    let req = Req {
        method: GooseMethod::Get,
        url: &url,
        name: "GET /config/status.js",
        auth: Auth::None,
        json: None,
        expect: 200,
    };
    let mut reply = send(user, req).await?;
    match parse_jsonp(&reply.body, "cb") {
        Ok(doc) => Ok((reply, doc)),
        Err(why) => Err(reject(user, &mut reply, &why)),
    }
}

fn parse_jsonp(body: &str, func: &str) -> Result<StatusDoc, String> {
    let json = body
        .strip_prefix(func)
        .and_then(|rest| rest.strip_prefix('('))
        .and_then(|rest| rest.strip_suffix(");"))
        .ok_or_else(|| format!("not a call of {func}(...);"))?;
    let value: serde_json::Value =
        serde_json::from_str(json).map_err(|e| format!("the argument is not JSON: {e}"))?;
    let state =
        value.get("connect_state").and_then(|s| s.as_str()).ok_or("no connect_state")?.to_owned();
    let daemon = value.get("daemon_state").ok_or("no daemon_state")?;
    let mut counters = [0u64; 7];
    for (slot, name) in counters.iter_mut().zip(COUNTERS) {
        *slot = daemon
            .get(name)
            .and_then(|v| v.as_str())
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| format!("daemon_state.{name} is not a decimal string"))?;
    }
    Ok(StatusDoc { state, counters })
}

#[cfg(test)]
mod tests {
    use super::parse_jsonp;

    #[test]
    fn jsonp_documents_are_read_and_checked() {
        let body = r#"cb({"connect_state":"CONNECTED","daemon_state":{"timestamp":"1","state_name":"CONNECTED","description":"SUCCESS","bytes_in":"10","bytes_out":"1","proxy_bytes_in":"9","proxy_bytes_out":"0","proxy_req_count":"0","proxy_req_bypass_count":"0","proxy_req_malware_count":"0","cur_version":"2.90"}});"#;
        let doc = parse_jsonp(body, "cb").unwrap();
        assert_eq!(doc.state, "CONNECTED");
        assert_eq!(doc.counters, [10, 1, 9, 0, 0, 0, 0]);
        assert!(parse_jsonp(body, "other").is_err());
        assert!(parse_jsonp(&body.replace("\"10\"", "10"), "cb").is_err());
        assert!(parse_jsonp("cb({);", "cb").is_err());
    }
}
