//! The goose scenarios.
//!
//! Each scenario's work sits in repeating transactions (goose runs a scenario's
//! transactions in `set_sequence` order, once per iteration), so it is counted after goose
//! resets its metrics when every user has started; `on_start` only prepares what the
//! repeated work needs (a subscriber with devices for the pollers, the Exotel keeper name).
//!
//! Every request names its expected status. A status the API documents for the situation
//! the scenario creates on purpose is a success (a 409 at the licence cap, an Exotel 207 with
//! failed items); anything else is a goose failure with the body in the error log.

mod daemon;
mod exotel;
mod vpn;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use goose::prelude::*;

use crate::client::{Auth, Req, send};
use crate::{Ctx, LoadError};

/// The scenarios `--scenario` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ScenarioName {
    /// vpn subscribers created, updated, given devices up to and beyond the licence cap,
    /// listed, renamed and deleted.
    Provisioning,
    /// Devices polling the JSONP status page while others connect and disconnect.
    DevicePolling,
    /// Exotel bulk creates of 10 with duplicates, tokens, list paging, deletes.
    ExotelBulk,
    /// The three above, weighted 3 (provisioning) : 4 (pollers) : 1 (links) : 2 (exotel).
    Mixed,
    /// One request, repeated: `GET /subscribers/{id}/devices` (the perf gate's probe).
    ListDevices,
    /// One request, repeated: `GET /config/status.js?func=cb&device_id=...`.
    JsonpStatus,
}

impl ScenarioName {
    pub fn name(self) -> &'static str {
        match self {
            ScenarioName::Provisioning => "provisioning",
            ScenarioName::DevicePolling => "device-polling",
            ScenarioName::ExotelBulk => "exotel-bulk",
            ScenarioName::Mixed => "mixed",
            ScenarioName::ListDevices => "list-devices",
            ScenarioName::JsonpStatus => "jsonp-status",
        }
    }

    /// The family a bare `--target URL` stands for.
    pub fn main_family(self) -> Option<&'static str> {
        match self {
            ScenarioName::Provisioning | ScenarioName::ListDevices => Some("vpn"),
            ScenarioName::DevicePolling | ScenarioName::JsonpStatus => Some("vpn-daemon"),
            ScenarioName::ExotelBulk => Some("exotel"),
            ScenarioName::Mixed => None,
        }
    }
}

/// The goose scenarios of `name`.
///
/// # Errors
/// A family the scenario needs has no target.
pub(crate) fn build(name: ScenarioName, ctx: &Arc<Ctx>) -> Result<Vec<Scenario>, LoadError> {
    let t = &ctx.targets;
    let need = |family: &str, url: &Option<String>| match url {
        Some(_) => Ok(()),
        None => {
            Err(LoadError::Usage(format!("scenario {} needs --target {family}=URL", name.name())))
        }
    };
    let goose = |e: GooseError| LoadError::Goose(e.to_string());
    let scenarios = match name {
        ScenarioName::Provisioning => {
            need("vpn", &t.vpn)?;
            vec![vpn::provisioning(ctx).map_err(goose)?]
        }
        ScenarioName::DevicePolling => {
            need("vpn-daemon", &t.vpn_daemon)?;
            let mut list = vec![daemon::pollers(ctx).map_err(goose)?];
            if daemon::links_possible(ctx) {
                list.push(daemon::links(ctx).map_err(goose)?);
            }
            list
        }
        ScenarioName::ExotelBulk => {
            need("exotel", &t.exotel)?;
            vec![exotel::bulk(ctx).map_err(goose)?]
        }
        ScenarioName::Mixed => {
            let mut list = Vec::new();
            if t.vpn.is_some() {
                list.push(vpn::provisioning(ctx).and_then(|s| s.set_weight(3)).map_err(goose)?);
            }
            if t.vpn_daemon.is_some() {
                list.push(daemon::pollers(ctx).and_then(|s| s.set_weight(4)).map_err(goose)?);
                if daemon::links_possible(ctx) {
                    list.push(daemon::links(ctx).map_err(goose)?);
                }
            }
            if t.exotel.is_some() {
                list.push(exotel::bulk(ctx).and_then(|s| s.set_weight(2)).map_err(goose)?);
            }
            if list.is_empty() {
                return Err(LoadError::Usage(
                    "scenario mixed needs at least one of --target vpn=URL, vpn-daemon=URL, \
                     exotel=URL"
                        .into(),
                ));
            }
            list
        }
        ScenarioName::ListDevices => {
            need("vpn", &t.vpn)?;
            vec![probe(ctx, "list-devices", t.vpn.as_deref().unwrap_or(""), list_devices_probe)]
        }
        ScenarioName::JsonpStatus => {
            need("vpn-daemon", &t.vpn_daemon)?;
            let host = t.vpn_daemon.as_deref().unwrap_or("");
            vec![probe(ctx, "jsonp-status", host, jsonp_status_probe)]
        }
    };
    Ok(scenarios)
}

/// The future of one transaction run.
pub(crate) type TxFuture<'r> = Pin<Box<dyn Future<Output = TransactionResult> + Send + 'r>>;

/// A transaction calling `f` with the run's shared context.
pub(crate) fn tx(
    ctx: &Arc<Ctx>,
    name: &str,
    f: for<'r> fn(Arc<Ctx>, &'r mut GooseUser) -> TxFuture<'r>,
) -> Transaction {
    let ctx = ctx.clone();
    Transaction::new(Arc::new(move |user| f(ctx.clone(), user))).set_name(name)
}

/// The user's session of type `T` (a fresh one on first use).
pub(crate) fn session<T: Default + Clone + Send + Sync + 'static>(user: &GooseUser) -> T {
    user.get_session_data::<T>().cloned().unwrap_or_default()
}

/// `base` + `path`.
pub(crate) fn url(base: &Option<String>, path: &str) -> String {
    format!("{}{path}", base.as_deref().unwrap_or(""))
}

fn probe(
    ctx: &Arc<Ctx>,
    name: &str,
    host: &str,
    f: for<'r> fn(Arc<Ctx>, &'r mut GooseUser) -> TxFuture<'r>,
) -> Scenario {
    Scenario::new(name).set_host(host).register_transaction(tx(ctx, name, f))
}

fn list_devices_probe(ctx: Arc<Ctx>, user: &mut GooseUser) -> TxFuture<'_> {
    Box::pin(async move {
        let url = url(&ctx.targets.vpn, &format!("/subscribers/{}/devices", ctx.probe_user_id));
        let req = Req {
            method: GooseMethod::Get,
            url: &url,
            name: "GET /subscribers/{user_id}/devices",
            auth: Auth::Bearer(&ctx.vpn_key),
            json: None,
            expect: 200,
        };
        send(user, req).await.map(drop)
    })
}

fn jsonp_status_probe(ctx: Arc<Ctx>, user: &mut GooseUser) -> TxFuture<'_> {
    Box::pin(async move {
        let path = format!("/config/status.js?func=cb&device_id={}", ctx.probe_device_id);
        let url = url(&ctx.targets.vpn_daemon, &path);
        let req = Req {
            method: GooseMethod::Get,
            url: &url,
            name: "GET /config/status.js",
            auth: Auth::None,
            json: None,
            expect: 200,
        };
        send(user, req).await.map(drop)
    })
}
