//! Route + handle + serialize, in-process, no sockets: each benchmark sends one
//! `http::Request<Full<Bytes>>` through `FamilyRouter::dispatch` (the whole pipeline: matchit,
//! method, size, authentication, content type, body, handler, state, rendering) and reads the
//! answer's status.
//!
//! ```sh
//! cargo bench -p provsim --bench hot_paths
//! ```
//!
//! `dispatch` is async only to read the body; with a `Full` body it completes on its first
//! poll, so a no-op waker drives it without a runtime (whose overhead would blur the numbers).
//! Creates use unique orders/names; each criterion sample gets a fresh simulator (built
//! outside the timed region), so the state a sample writes stays small and bounded.

use std::future::Future;
use std::hint::black_box;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use bytes::Bytes;
use criterion::{Criterion, criterion_group, criterion_main};
use http::Request;
use http_body_util::Full;
use provsim::clock::SimClock;
use provsim::config::Limits;
use provsim::families::exotel::ExotelFamily;
use provsim::families::vpn::VpnFamily;
use provsim::families::vpn_daemon::DaemonFamily;
use provsim::fixtures::Fixture;
use provsim::http::Response;
use provsim::http::router::FamilyRouter;
use provsim::sim::Sim;

/// 2026-01-01T00:00:00Z, the black-box tests' frozen clock.
const CLOCK_MS: i64 = 1_767_225_600_000;

fn sim() -> Arc<Sim> {
    let mut fixture = Fixture::demo();
    // A frozen clock never closes the rate window: lift the limit, as the load tests do.
    for account in &mut fixture.exotel.accounts {
        account.requests_per_minute = 0;
    }
    Arc::new(Sim::new(fixture, Limits::default(), 0, SimClock::fixed(CLOCK_MS)).expect("fixture"))
}

/// Polls a future that never waits to completion.
fn ready<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
    }
}

fn get(uri: &str, auth: Option<&str>) -> Request<Full<Bytes>> {
    let mut builder = Request::get(uri);
    if let Some(auth) = auth {
        builder = builder.header("authorization", auth);
    }
    builder.body(Full::new(Bytes::new())).expect("request")
}

fn post(uri: &str, auth: &str, body: String) -> Request<Full<Bytes>> {
    Request::post(uri)
        .header("authorization", auth)
        .header("content-type", "application/json")
        .header("content-length", body.len())
        .body(Full::new(Bytes::from(body)))
        .expect("request")
}

fn status(response: Response) -> u16 {
    response.status().as_u16()
}

fn vpn(c: &mut Criterion) {
    let sim = sim();
    let family = VpnFamily::new(sim.clone());
    let router = FamilyRouter::<VpnFamily>::new().expect("table");
    c.bench_function("vpn GET /subscribers/{id}/devices", |b| {
        b.iter(|| {
            let request = get("/subscribers/1000000001/devices", Some("Bearer vpn-demo-key"));
            let response = ready(router.dispatch(&family, black_box(request)));
            assert_eq!(status(response), 200);
        })
    });

    c.bench_function("vpn POST /subscribers", |b| {
        b.iter_custom(|iters| {
            let sim = self::sim();
            let family = VpnFamily::new(sim);
            let bodies: Vec<String> = (0..iters).map(create_body).collect();
            let started = Instant::now();
            for body in bodies {
                let request = post("/subscribers", "Bearer vpn-demo-key", body);
                let response = ready(router.dispatch(&family, black_box(request)));
                assert_eq!(status(response), 201);
            }
            started.elapsed()
        })
    });
}

fn create_body(n: u64) -> String {
    format!(
        r#"{{"order":"bench-{n}","id_hub":"hub7","ob":"movistar","name":"hub7@movistar","password":"+34600999888","bundle":{{"id":"premium","licenses":2}},"locale":"es-ES"}}"#
    )
}

fn daemon(c: &mut Criterion) {
    let family = DaemonFamily::new(sim());
    let router = FamilyRouter::<DaemonFamily>::new().expect("table");
    c.bench_function("vpn-daemon GET /config/status.js (JSONP)", |b| {
        b.iter(|| {
            let request = get("/config/status.js?func=cb&device_id=0A1B2C3D4E5F", None);
            let response = ready(router.dispatch(&family, black_box(request)));
            assert_eq!(status(response), 200);
        })
    });
}

fn exotel(c: &mut Criterion) {
    let router = FamilyRouter::<ExotelFamily>::new().expect("table");
    // Basic base64("exotel-demo-key:exotel-demo-token").
    let auth = "Basic ZXhvdGVsLWRlbW8ta2V5OmV4b3RlbC1kZW1vLXRva2Vu";
    c.bench_function("exotel POST /v2/accounts/{sid}/subscribers (bulk of 10)", |b| {
        b.iter_custom(|iters| {
            let family = ExotelFamily::new(sim());
            let bodies: Vec<String> = (0..iters).map(bulk_body).collect();
            let started = Instant::now();
            for body in bodies {
                let request = post("/v2/accounts/provsim1/subscribers", auth, body);
                let response = ready(router.dispatch(&family, black_box(request)));
                assert_eq!(status(response), 207);
            }
            started.elapsed()
        })
    });
}

/// Ten new names, the seed's maximum per request.
fn bulk_body(n: u64) -> String {
    let items: Vec<String> = (0..10)
        .map(|i| format!(r#"{{"subscriber_name":"b{n}x{i}","custom_field":"bench"}}"#))
        .collect();
    format!(r#"{{"subscribers":[{}]}}"#, items.join(","))
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(50);
    targets = vpn, daemon, exotel
}
criterion_main!(benches);
