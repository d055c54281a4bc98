//! Targets that misbehave below HTTP semantics — nothing listening, bodies that are not
//! UTF-8, bodies larger than the runner reads — give failed checks, never a panic or an
//! error of the run.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use provsim_contracts::limits::MAX_RESPONSE_BODY_BYTES;
use provsim_contracts::{Outcome, run};

use crate::support::{TempDir, args, fixture, message};

#[test]
fn nothing_listening_fails_every_check_with_the_connection_error() {
    // Bind then drop: the port is free and nothing accepts on it.
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let reports = TempDir::new("refused");
    let target = url::Url::parse(&format!("http://127.0.0.1:{port}")).unwrap();
    let report = run(&fixture(), &args(target, &reports)).unwrap();
    assert!(report.failed());
    let mut n_checks = 0;
    for (operation, check) in report.checks() {
        n_checks += 1;
        assert_eq!(check.outcome, Outcome::Fail, "{} {}", operation.name, check.name());
        assert!(check.message.contains("no response"), "{}: {}", check.name(), check.message);
        assert!(check.message.contains("request failed"), "{}: {}", check.name(), check.message);
    }
    assert!(n_checks > 20);
}

/// A raw HTTP/1.1 server answering every request with the same bytes and closing the
/// connection; stopped on drop.
struct RawServer {
    port: u16,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl RawServer {
    fn start(head: &'static str, body: Vec<u8>) -> RawServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = stop.clone();
        let thread = std::thread::spawn(move || {
            while !stopping.load(Ordering::Relaxed) {
                let Ok((mut stream, _)) = listener.accept() else {
                    std::thread::sleep(Duration::from_millis(2));
                    continue;
                };
                let _ = stream.set_nonblocking(false);
                let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
                // Read the request head; its body (if any) is not needed.
                let mut head_bytes = Vec::new();
                let mut byte = [0u8; 1];
                while !head_bytes.ends_with(b"\r\n\r\n")
                    && stream.read(&mut byte).is_ok_and(|n| n == 1)
                {
                    head_bytes.push(byte[0]);
                }
                let _ = stream.write_all(head.as_bytes());
                // The runner stops reading at its limit and hangs up: a write error is expected.
                let _ = stream.write_all(&body);
            }
        });
        RawServer { port, stop, thread: Some(thread) }
    }

    fn url(&self) -> url::Url {
        url::Url::parse(&format!("http://127.0.0.1:{}", self.port)).unwrap()
    }
}

impl Drop for RawServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[test]
fn a_body_that_is_not_utf8_is_a_failed_check() {
    let server = RawServer::start(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 4\r\nConnection: close\r\n\r\n",
        b"\xff\xfe\"\xfd".to_vec(),
    );
    let reports = TempDir::new("not-utf8");
    let report = run(&fixture(), &args(server.url(), &reports)).unwrap();
    assert!(report.failed());
    let body = message(&report, "getWidget", "body-schema");
    assert!(body.starts_with("the application/json body is not JSON"), "{body}");
    // The report keeps the bytes readable.
    let (_, check) = report
        .checks()
        .find(|(op, c)| op.name == "getWidget" && c.name() == "body-schema")
        .unwrap();
    let response = check.exchange.as_ref().unwrap().response.as_ref().unwrap();
    assert_eq!(response.body.text, "\u{fffd}\u{fffd}\"\u{fffd}");
}

#[test]
fn a_body_over_the_read_limit_is_a_failed_check_not_an_allocation() {
    let huge = vec![b'['; MAX_RESPONSE_BODY_BYTES as usize + 1024];
    let server = RawServer::start(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n",
        huge,
    );
    let reports = TempDir::new("huge");
    let report = run(&fixture(), &args(server.url(), &reports)).unwrap();
    let body = message(&report, "listWidgets", "body-schema");
    assert_eq!(
        body,
        format!(
            "the body is larger than {MAX_RESPONSE_BODY_BYTES} bytes (MAX_RESPONSE_BODY_BYTES) and was not validated"
        )
    );
    let (_, check) = report
        .checks()
        .find(|(op, c)| op.name == "listWidgets" && c.name() == "body-schema")
        .unwrap();
    let recorded = &check.exchange.as_ref().unwrap().response.as_ref().unwrap().body;
    assert!(recorded.truncated);
    assert_eq!(recorded.text.len(), provsim_contracts::limits::MAX_REPORT_BODY_BYTES);
}
