//! `provisioning`: each iteration creates a vpn subscriber with a unique order and two
//! licences, updates its order, activates devices through the control plane up to the cap
//! and one beyond it (409 expected), lists the devices, renames one, deletes one and deletes
//! the subscriber.

use std::sync::Arc;

use goose::prelude::*;

use super::{TxFuture, session, tx, url};
use crate::Ctx;
use crate::client::{Auth, Req, reject, send};

/// Licences of each subscriber the scenario creates: two activations succeed, the third
/// meets the cap.
const LICENSES: u32 = 2;

/// What one user carries from one transaction of an iteration to the next.
#[derive(Debug, Clone, Default)]
struct Prov {
    /// Iterations started (part of each order, so every order is unique).
    n: u64,
    user_id: Option<String>,
    order: String,
    devices: Vec<String>,
}

pub(crate) fn provisioning(ctx: &Arc<Ctx>) -> Result<Scenario, GooseError> {
    let mut scenario = Scenario::new("provisioning")
        .set_host(ctx.targets.vpn.as_deref().unwrap_or(""))
        .register_transaction(tx(ctx, "create subscriber", create).set_sequence(1))
        .register_transaction(tx(ctx, "update order", update).set_sequence(2));
    if ctx.targets.control.is_some() {
        scenario =
            scenario.register_transaction(tx(ctx, "activate devices", activate).set_sequence(3));
    }
    scenario = scenario
        .register_transaction(tx(ctx, "list devices", list).set_sequence(4))
        .register_transaction(tx(ctx, "rename device", rename).set_sequence(5))
        .register_transaction(tx(ctx, "delete device", delete_device).set_sequence(6))
        .register_transaction(tx(ctx, "delete subscriber", delete_subscriber).set_sequence(7));
    Ok(scenario)
}

/// A valid `POST /subscribers` body for goose user `user_idx`.
pub(crate) fn create_body(order: &str, user_idx: usize, licenses: u32) -> String {
    serde_json::json!({
        "order": order,
        "id_hub": format!("hub{user_idx}"),
        "ob": "loadtest",
        "name": format!("hub{user_idx}@loadtest"),
        "password": format!("+34{:09}", user_idx % 1_000_000_000),
        "bundle": {"id": "premium", "licenses": licenses},
        "locale": "es-ES",
    })
    .to_string()
}

/// `POST /subscribers`; the new `user_id`.
pub(crate) async fn create_subscriber(
    ctx: &Ctx,
    user: &mut GooseUser,
    order: &str,
    licenses: u32,
) -> Result<String, Box<TransactionError>> {
    let url = url(&ctx.targets.vpn, "/subscribers");
    let req = Req {
        method: GooseMethod::Post,
        url: &url,
        name: "POST /subscribers",
        auth: Auth::Bearer(&ctx.vpn_key),
        json: Some(create_body(order, user.weighted_users_index, licenses)),
        expect: 201,
    };
    let mut reply = send(user, req).await?;
    let id = serde_json::from_str::<serde_json::Value>(&reply.body)
        .ok()
        .and_then(|v| v.get("id").and_then(|id| id.as_str()).map(str::to_owned))
        .filter(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()));
    match id {
        Some(id) => Ok(id),
        None => Err(reject(user, &mut reply, "no decimal string `id`")),
    }
}

/// Activates one device through the control plane; its id (`expect` 201), or nothing when
/// the cap refuses it as expected (`expect` 409).
pub(crate) async fn activate_device(
    ctx: &Ctx,
    user: &mut GooseUser,
    user_id: &str,
    name: &str,
    expect: u16,
) -> Result<Option<String>, Box<TransactionError>> {
    let path = format!("/_sim/vpn/tenants/{}/subscribers/{user_id}/devices", ctx.vpn_tenant);
    let url = url(&ctx.targets.control, &path);
    let req = Req {
        method: GooseMethod::Post,
        url: &url,
        name: if expect == 409 {
            "POST /_sim/vpn/tenants/{tenant}/subscribers/{user_id}/devices (over the cap)"
        } else {
            "POST /_sim/vpn/tenants/{tenant}/subscribers/{user_id}/devices"
        },
        auth: Auth::None,
        json: Some(serde_json::json!({"type": "mobile", "name": name}).to_string()),
        expect,
    };
    let mut reply = send(user, req).await?;
    if expect != 201 {
        return Ok(None);
    }
    let id = serde_json::from_str::<serde_json::Value>(&reply.body)
        .ok()
        .and_then(|v| v.get("device_id").and_then(|id| id.as_str()).map(str::to_owned));
    match id {
        Some(id) => Ok(Some(id)),
        None => Err(reject(user, &mut reply, "no `device_id`")),
    }
}

/// `DELETE /subscribers/{user_id}`.
pub(crate) async fn delete(
    ctx: &Ctx,
    user: &mut GooseUser,
    user_id: &str,
) -> Result<(), Box<TransactionError>> {
    let url = url(&ctx.targets.vpn, &format!("/subscribers/{user_id}"));
    let req = Req {
        method: GooseMethod::Delete,
        url: &url,
        name: "DELETE /subscribers/{user_id}",
        auth: Auth::Bearer(&ctx.vpn_key),
        json: None,
        expect: 204,
    };
    send(user, req).await.map(drop)
}

fn create(ctx: Arc<Ctx>, user: &mut GooseUser) -> TxFuture<'_> {
    Box::pin(async move {
        let mut s: Prov = session(user);
        s.n += 1;
        s.user_id = None;
        s.devices.clear();
        s.order = format!("lt-{}-{}-{}", ctx.run_tag, user.weighted_users_index, s.n);
        user.set_session_data(s.clone());
        let user_id = create_subscriber(&ctx, user, &s.order, LICENSES).await?;
        s.user_id = Some(user_id);
        user.set_session_data(s);
        Ok(())
    })
}

fn update(ctx: Arc<Ctx>, user: &mut GooseUser) -> TxFuture<'_> {
    Box::pin(async move {
        let mut s: Prov = session(user);
        let Some(user_id) = s.user_id.clone() else { return Ok(()) };
        s.order.push_str("-u");
        let url = url(&ctx.targets.vpn, &format!("/subscribers/{user_id}"));
        let body = serde_json::json!({
            "order": s.order,
            "bundle": {"id": "premium", "licenses": LICENSES},
        });
        let req = Req {
            method: GooseMethod::Post,
            url: &url,
            name: "POST /subscribers/{user_id}",
            auth: Auth::Bearer(&ctx.vpn_key),
            json: Some(body.to_string()),
            expect: 204,
        };
        send(user, req).await?;
        user.set_session_data(s);
        Ok(())
    })
}

fn activate(ctx: Arc<Ctx>, user: &mut GooseUser) -> TxFuture<'_> {
    Box::pin(async move {
        let mut s: Prov = session(user);
        let Some(user_id) = s.user_id.clone() else { return Ok(()) };
        for i in 0..LICENSES {
            let name = format!("Load phone {i}");
            if let Some(id) = activate_device(&ctx, user, &user_id, &name, 201).await? {
                s.devices.push(id);
                user.set_session_data(s.clone());
            }
        }
        // One beyond the licences: the cap must refuse it.
        activate_device(&ctx, user, &user_id, "Over the cap", 409).await?;
        Ok(())
    })
}

fn list(ctx: Arc<Ctx>, user: &mut GooseUser) -> TxFuture<'_> {
    Box::pin(async move {
        let s: Prov = session(user);
        let Some(user_id) = s.user_id.clone() else { return Ok(()) };
        let url = url(&ctx.targets.vpn, &format!("/subscribers/{user_id}/devices"));
        let req = Req {
            method: GooseMethod::Get,
            url: &url,
            name: "GET /subscribers/{user_id}/devices",
            auth: Auth::Bearer(&ctx.vpn_key),
            json: None,
            expect: 200,
        };
        let mut reply = send(user, req).await?;
        let listed: Option<Vec<String>> = serde_json::from_str::<serde_json::Value>(&reply.body)
            .ok()
            .and_then(|v| v.as_array().cloned())
            .map(|items| {
                items
                    .iter()
                    .filter_map(|item| item.pointer("/device_id/device_id")?.as_str())
                    .map(str::to_owned)
                    .collect()
            });
        match listed {
            Some(mut listed) => {
                let mut expected = s.devices.clone();
                listed.sort();
                expected.sort();
                if listed != expected {
                    let why = format!("listed {listed:?}, activated {expected:?}");
                    return Err(reject(user, &mut reply, &why));
                }
                Ok(())
            }
            None => Err(reject(user, &mut reply, "not an array of {device_id: {...}}")),
        }
    })
}

fn rename(ctx: Arc<Ctx>, user: &mut GooseUser) -> TxFuture<'_> {
    Box::pin(async move {
        let s: Prov = session(user);
        let (Some(user_id), Some(device_id)) = (s.user_id.clone(), s.devices.first().cloned())
        else {
            return Ok(());
        };
        let path = format!("/subscribers/{user_id}/devices/{device_id}");
        let url = url(&ctx.targets.vpn, &path);
        let name = format!("Renamed {}", s.n);
        let req = Req {
            method: GooseMethod::Post,
            url: &url,
            name: "POST /subscribers/{user_id}/devices/{device_id}",
            auth: Auth::Bearer(&ctx.vpn_key),
            json: Some(serde_json::json!({"name": name}).to_string()),
            expect: 200,
        };
        let mut reply = send(user, req).await?;
        let answered = serde_json::from_str::<serde_json::Value>(&reply.body)
            .ok()
            .and_then(|v| v.get("name").and_then(|n| n.as_str()).map(str::to_owned));
        if answered.as_deref() != Some(name.as_str()) {
            return Err(reject(user, &mut reply, "the new name is not in the answer"));
        }
        Ok(())
    })
}

fn delete_device(ctx: Arc<Ctx>, user: &mut GooseUser) -> TxFuture<'_> {
    Box::pin(async move {
        let mut s: Prov = session(user);
        let (Some(user_id), Some(device_id)) = (s.user_id.clone(), s.devices.first().cloned())
        else {
            return Ok(());
        };
        let path = format!("/subscribers/{user_id}/devices/{device_id}");
        let url = url(&ctx.targets.vpn, &path);
        let req = Req {
            method: GooseMethod::Delete,
            url: &url,
            name: "DELETE /subscribers/{user_id}/devices/{device_id}",
            auth: Auth::Bearer(&ctx.vpn_key),
            json: None,
            expect: 200,
        };
        send(user, req).await?;
        s.devices.remove(0);
        user.set_session_data(s);
        Ok(())
    })
}

fn delete_subscriber(ctx: Arc<Ctx>, user: &mut GooseUser) -> TxFuture<'_> {
    Box::pin(async move {
        let mut s: Prov = session(user);
        let Some(user_id) = s.user_id.take() else { return Ok(()) };
        s.devices.clear();
        user.set_session_data(s);
        delete(&ctx, user, &user_id).await
    })
}
