//! `provsim conform`'s engine against the simulator itself (every family passes) and against
//! a proxy in front of it that breaks the contract in known ways (each break is reported, and
//! nothing else is).

use std::convert::Infallible;
use std::net::SocketAddr;

use bytes::Bytes;
use http::{Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use provsim::config::FamilyId;
use provsim_contracts::{ConformArgs, LinksPhase, Report, run_with};
use tokio::net::TcpListener;

use crate::support::{TestSim, send_to};

/// Runs the checks of `family`'s contract (and, with `stateful`, the links-driven phase)
/// against `target` on a blocking thread.
async fn conform(
    family: FamilyId,
    target: SocketAddr,
    report_dir: &std::path::Path,
    stateful: bool,
) -> Report {
    let mut args = ConformArgs::new(format!("http://{target}").parse().unwrap(), family.name());
    args.quiet = true;
    args.stateful = stateful;
    args.report_dir = report_dir.to_owned();
    let credential = match family {
        FamilyId::Vpn => Some("bearer:vpn-demo-key"),
        FamilyId::Exotel => Some("basic:exotel-demo-key:exotel-demo-token"),
        _ => None,
    };
    args.auth.extend(credential.map(|c| c.parse().unwrap()));
    let doc = provsim::openapi::document(family);
    tokio::task::spawn_blocking(move || {
        let mut stateful = LinksPhase::default();
        let report = run_with(&doc, &args, &mut [&mut stateful]).expect("the run completes");
        report.write_junit(&args.report_dir).expect("JUnit report written");
        report.write_markdown(&args.report_dir).expect("Markdown report written");
        report
    })
    .await
    .unwrap()
}

fn failures(report: &Report) -> Vec<String> {
    report
        .failures()
        .map(|(op, check)| format!("{} {}: {}", op.name, check.check, check.message))
        .collect()
}

#[tokio::test]
async fn the_simulator_passes_every_contract() {
    let sim = TestSim::start().await;
    let dir = tempdir("conform-pass");
    for family in FamilyId::ALL {
        let report = conform(family, sim.addr(family), &dir, true).await;
        assert!(!report.failed(), "{family:?}: {:#?}", failures(&report));
        assert!(
            report.summary().n_passed > 5,
            "{family:?} ran almost nothing: {:?}",
            report.summary()
        );
        sim.control(Method::POST, "/_sim/reset", None).await.expect(200);
    }
}

/// A proxy to the vpn listener that answers `POST /subscribers` with 200 instead of 201 and
/// turns the device list's `type` into a number: two contract violations.
async fn tampering_proxy(upstream: SocketAddr) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else { return };
            let service = service_fn(move |request: Request<Incoming>| async move {
                Ok::<_, Infallible>(forward(upstream, request).await)
            });
            tokio::spawn(
                hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service),
            );
        }
    });
    addr
}

async fn forward(upstream: SocketAddr, request: Request<Incoming>) -> Response<Full<Bytes>> {
    let (parts, body) = request.into_parts();
    let body = body.collect().await.map(|b| b.to_bytes()).unwrap_or_default();
    let headers: Vec<(String, String)> = parts
        .headers
        .iter()
        .filter(|(name, _)| *name != "host")
        .map(|(n, v)| (n.to_string(), v.to_str().unwrap_or("").to_owned()))
        .collect();
    let header_refs: Vec<(&str, &str)> =
        headers.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    let path = parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
    let answer = send_to(upstream, parts.method.clone(), path, &header_refs, body).await;
    let mut status = answer.status;
    let mut body = answer.body.clone();
    if parts.method == Method::POST
        && parts.uri.path() == "/subscribers"
        && status == StatusCode::CREATED
    {
        status = StatusCode::OK;
    }
    if parts.method == Method::GET
        && parts.uri.path().ends_with("/devices")
        && status == StatusCode::OK
    {
        body = Bytes::from(
            String::from_utf8_lossy(&body).replace("\"type\":\"desktop\"", "\"type\":7"),
        );
    }
    let mut response = Response::new(Full::new(body));
    *response.status_mut() = status;
    for (name, value) in &answer.headers {
        if name != "content-length" {
            response.headers_mut().insert(name, value.clone());
        }
    }
    response
}

#[tokio::test]
async fn a_broken_target_gets_precise_findings_and_reports() {
    let sim = TestSim::start().await;
    let proxy = tampering_proxy(sim.addr(FamilyId::Vpn)).await;
    let dir = tempdir("conform-broken");
    let report = conform(FamilyId::Vpn, proxy, &dir, false).await;
    let found = failures(&report);
    assert!(report.failed());
    assert!(
        found
            .iter()
            .any(|f| f.starts_with("createSubscriber status-documented") && f.contains("200")),
        "{found:#?}"
    );
    assert!(found.iter().any(|f| f.starts_with("listDevices body-schema")), "{found:#?}");
    assert_eq!(found.len(), 2, "only the two planted violations: {found:#?}");
    let junit = std::fs::read_to_string(dir.join("conform-vpn.xml")).unwrap();
    assert!(junit.contains("createSubscriber") && junit.contains("<failure"), "{junit}");
    let markdown = std::fs::read_to_string(dir.join("conform-vpn.md")).unwrap();
    assert!(markdown.contains("listDevices"), "{markdown}");
}

/// A fresh directory under the target dir for one test's reports.
fn tempdir(name: &str) -> std::path::PathBuf {
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
