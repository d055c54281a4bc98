//! Instruction counts of the hot paths, for comparisons that the machine's load cannot
//! blur: the same requests as `hot_paths.rs`, run a given number of times in one process,
//! meant to be counted under callgrind.
//!
//! ```sh
//! cargo bench -p provsim --bench instructions --no-run      # prints the binary's path
//! BIN=target/release/deps/instructions-<hash>
//! for path in devices create status bulk; do
//!   for n in 0 10000; do
//!     valgrind --tool=callgrind --callgrind-out-file=/dev/null $BIN $path $n 2>&1 | grep Collected
//!   done
//! done
//! ```
//! (count at N requests − count at 0) / N = instructions per request, simulator setup excluded.
//! `cargo bench --bench instructions` alone runs every path 10,000 times and prints nothing
//! but the wall time, as a smoke check.

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};
use std::time::Instant;

use bytes::Bytes;
use http::Request;
use http_body_util::Full;
use provsim::clock::SimClock;
use provsim::config::Limits;
use provsim::families::exotel::ExotelFamily;
use provsim::families::vpn::VpnFamily;
use provsim::families::vpn_daemon::DaemonFamily;
use provsim::fixtures::Fixture;
use provsim::http::router::FamilyRouter;
use provsim::sim::Sim;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let n: u64 = args.get(1).and_then(|n| n.parse().ok()).unwrap_or(10_000);
    let paths = match args.first() {
        Some(path) => vec![path.as_str()],
        None => vec!["devices", "create", "status", "bulk"],
    };
    for path in paths {
        let started = Instant::now();
        run(path, n);
        println!("{path}: {n} requests in {:?}", started.elapsed());
    }
}

fn run(path: &str, n: u64) {
    let mut fixture = Fixture::demo();
    for account in &mut fixture.exotel.accounts {
        account.requests_per_minute = 0;
    }
    let sim = Arc::new(
        Sim::new(fixture, Limits::default(), 0, SimClock::fixed(1_767_225_600_000))
            .expect("fixture"),
    );
    match path {
        "devices" => {
            let (family, router) =
                (VpnFamily::new(sim), FamilyRouter::<VpnFamily>::new().expect("table"));
            for _ in 0..n {
                let request = Request::get("/subscribers/1000000001/devices")
                    .header("authorization", "Bearer vpn-demo-key")
                    .body(Full::new(Bytes::new()))
                    .expect("request");
                assert_eq!(ready(router.dispatch(&family, request)).status(), 200);
            }
        }
        "create" => {
            let (family, router) =
                (VpnFamily::new(sim), FamilyRouter::<VpnFamily>::new().expect("table"));
            for i in 0..n {
                let body = format!(
                    r#"{{"order":"bench-{i}","id_hub":"hub7","ob":"movistar","name":"hub7@movistar","password":"+34600999888","bundle":{{"id":"premium","licenses":2}},"locale":"es-ES"}}"#
                );
                let request = post("/subscribers", "Bearer vpn-demo-key", body);
                assert_eq!(ready(router.dispatch(&family, request)).status(), 201);
            }
        }
        "status" => {
            let (family, router) =
                (DaemonFamily::new(sim), FamilyRouter::<DaemonFamily>::new().expect("table"));
            for _ in 0..n {
                let request = Request::get("/config/status.js?func=cb&device_id=0A1B2C3D4E5F")
                    .body(Full::new(Bytes::new()))
                    .expect("request");
                assert_eq!(ready(router.dispatch(&family, request)).status(), 200);
            }
        }
        "bulk" => {
            let (family, router) =
                (ExotelFamily::new(sim), FamilyRouter::<ExotelFamily>::new().expect("table"));
            let auth = "Basic ZXhvdGVsLWRlbW8ta2V5OmV4b3RlbC1kZW1vLXRva2Vu";
            for i in 0..n {
                let items: Vec<String> = (0..10)
                    .map(|j| format!(r#"{{"subscriber_name":"b{i}x{j}","custom_field":"bench"}}"#))
                    .collect();
                let body = format!(r#"{{"subscribers":[{}]}}"#, items.join(","));
                let request = post("/v2/accounts/provsim1/subscribers", auth, body);
                assert_eq!(ready(router.dispatch(&family, request)).status(), 207);
            }
        }
        other => panic!("unknown path {other}: devices, create, status or bulk"),
    }
}

fn post(uri: &str, auth: &str, body: String) -> Request<Full<Bytes>> {
    Request::post(uri)
        .header("authorization", auth)
        .header("content-type", "application/json")
        .header("content-length", body.len())
        .body(Full::new(Bytes::from(body)))
        .expect("request")
}

/// Polls a future that never waits to completion (see `hot_paths.rs`).
fn ready<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
    }
}
