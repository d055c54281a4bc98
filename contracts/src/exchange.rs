//! What a report keeps of one request and its answer: enough to reproduce it with curl, with
//! bodies cut to [`MAX_REPORT_BODY_BYTES`] and credentials redacted.

use std::fmt::Write as _;

use crate::limits::MAX_REPORT_BODY_BYTES;

/// One request and what came back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exchange {
    pub request: RecordedRequest,
    /// The answer, or why there is none (connection refused, timeout, unreadable body).
    pub response: Result<RecordedResponse, String>,
    pub elapsed_ms: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    pub method: String,
    /// With credentials in the query redacted.
    pub url: String,
    /// The headers the runner set (the client adds `User-Agent`, `Accept`, `Accept-Encoding`
    /// and the framing headers), credential values redacted.
    pub headers: Vec<(String, String)>,
    pub body: RecordedBody,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: RecordedBody,
}

/// A body as text (invalid UTF-8 replaced), cut to [`MAX_REPORT_BODY_BYTES`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedBody {
    pub text: String,
    /// The size of the whole body as read (itself bounded by `MAX_RESPONSE_BODY_BYTES`).
    pub n_bytes: usize,
    pub truncated: bool,
}

impl RecordedBody {
    pub fn new(bytes: &[u8]) -> RecordedBody {
        let kept = &bytes[..bytes.len().min(MAX_REPORT_BODY_BYTES)];
        RecordedBody {
            text: String::from_utf8_lossy(kept).into_owned(),
            n_bytes: bytes.len(),
            truncated: kept.len() < bytes.len(),
        }
    }
}

impl Exchange {
    /// The exchange as an HTTP transcript (request line, headers, body, then the same for the
    /// response), for JUnit and Markdown reports.
    pub fn transcript(&self) -> String {
        let mut out = String::new();
        let request = &self.request;
        let _ = writeln!(out, "> {} {}", request.method, request.url);
        for (name, value) in &request.headers {
            let _ = writeln!(out, "> {name}: {value}");
        }
        write_body(&mut out, "> ", &request.body);
        match &self.response {
            Ok(response) => {
                let _ = writeln!(out, "< {} ({} ms)", response.status, self.elapsed_ms);
                for (name, value) in &response.headers {
                    let _ = writeln!(out, "< {name}: {value}");
                }
                write_body(&mut out, "< ", &response.body);
            }
            Err(error) => {
                let _ = writeln!(out, "< no response after {} ms: {error}", self.elapsed_ms);
            }
        }
        out
    }
}

fn write_body(out: &mut String, prefix: &str, body: &RecordedBody) {
    if body.n_bytes == 0 {
        return;
    }
    let _ = writeln!(out, "{prefix}");
    for line in body.text.lines() {
        let _ = writeln!(out, "{prefix}{line}");
    }
    if body.truncated {
        let _ = writeln!(
            out,
            "{prefix}[... {} of {} bytes shown (MAX_REPORT_BODY_BYTES)]",
            MAX_REPORT_BODY_BYTES, body.n_bytes
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_are_cut_and_invalid_utf8_is_replaced() {
        let big = vec![b'a'; MAX_REPORT_BODY_BYTES + 10];
        let body = RecordedBody::new(&big);
        assert_eq!(body.text.len(), MAX_REPORT_BODY_BYTES);
        assert!(body.truncated);
        assert_eq!(body.n_bytes, MAX_REPORT_BODY_BYTES + 10);
        let body = RecordedBody::new(b"ok\xff");
        assert_eq!(body.text, "ok\u{fffd}");
        assert!(!body.truncated);
    }

    #[test]
    fn a_transcript_shows_both_sides() {
        let exchange = Exchange {
            request: RecordedRequest {
                method: "POST".into(),
                url: "http://h/w".into(),
                headers: vec![("Content-Type".into(), "application/json".into())],
                body: RecordedBody::new(b"{}"),
            },
            response: Err("connection refused".into()),
            elapsed_ms: 3,
        };
        assert_eq!(
            exchange.transcript(),
            "> POST http://h/w\n> Content-Type: application/json\n> \n> {}\n< no response after 3 ms: connection refused\n"
        );
    }
}
