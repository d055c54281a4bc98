//! Every bound the runner puts on what it reads, keeps and sends, named with its unit.
//!
//! The target may be a partner's or a vendor's server, so nothing it sends is trusted to be
//! small or well-formed: each of these limits keeps one run bounded in memory and time.

/// The most bytes of one response body the runner reads. Past it the body is reported as
/// too large and not validated: a conformance run should never exhaust memory because a
/// target streams without end.
pub const MAX_RESPONSE_BODY_BYTES: u64 = 4 * 1024 * 1024;

/// The most bytes of a request or response body copied into a report. Reports are read by
/// people and uploaded as CI artefacts; a few KiB show the shape of a body without drowning
/// the failure message.
pub const MAX_REPORT_BODY_BYTES: usize = 4 * 1024;

/// The most bytes of an OpenAPI document read from `--spec`.
pub const MAX_SPEC_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// The most schema violations listed in one `body-schema` message; the rest are counted.
pub const MAX_SCHEMA_ERRORS_REPORTED: usize = 8;

/// How deep the runner follows a schema (through `$ref`, `items`, `properties`, ...) when it
/// synthesises a value or strips volatile fields. Recursive schemas are legal in OpenAPI, so
/// without a bound a self-referencing component would never end.
pub const MAX_SCHEMA_DEPTH: usize = 16;

/// The longest string the runner synthesises for a `minLength`.
pub const MAX_SYNTH_STRING_CHARS: usize = 4_096;

/// The most top-level properties of one request body that get negative variants. Each one
/// costs one or two requests; a body schema with more fields than this is checked on its
/// first fields only.
pub const MAX_NEGATIVE_FIELDS: usize = 64;

/// The most redirects followed: none. A conformance check judges the status the target
/// answers, so a 3xx is reported as it is, not followed.
pub const MAX_REDIRECTS: u32 = 0;

/// Default of `--timeout-ms`: the longest one request (connect, send, receive) may take.
pub const DEFAULT_TIMEOUT_MS: u64 = 5_000;

/// The most requests the stateful phase sends for one operation with links: its own request
/// (and one retry), the linked calls and the checks after a delete. A document whose links
/// fan out further has the rest reported as skipped, so one run stays bounded.
pub const MAX_LINKED_CALLS_PER_OPERATION: usize = 64;
