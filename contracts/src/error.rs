//! Why a conformance run could not run or its reports could not be written.
//!
//! A target that answers wrongly, slowly or not at all is never an error here: that is a
//! failed check in the [`Report`](crate::Report). These are the caller's mistakes (a bad
//! `--spec`, a target URL that cannot take a path) and local I/O failures.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum ConformError {
    #[error("cannot read the OpenAPI document {path}: {source}")]
    SpecRead { path: PathBuf, source: std::io::Error },

    #[error("the OpenAPI document {path} is larger than {limit_bytes} bytes (MAX_SPEC_FILE_BYTES)")]
    SpecTooLarge { path: PathBuf, limit_bytes: u64 },

    #[error("the OpenAPI document {path} is not valid OpenAPI 3.0 ({format}): {message}")]
    SpecParse { path: PathBuf, format: &'static str, message: String },

    #[error("the OpenAPI document cannot be read as JSON: {0}")]
    SpecToJson(String),

    #[error("the OpenAPI document is inconsistent: {0}")]
    Document(String),

    #[error("the document's servers[0].url {url:?} is not usable: {reason}")]
    ServerUrl { url: String, reason: String },

    #[error(
        "the target {target} cannot be used as a base URL (it must be http:// or https:// with a host)"
    )]
    Target { target: String },

    #[error("cannot write the report {path}: {source}")]
    ReportWrite { path: PathBuf, source: std::io::Error },

    #[error("cannot serialise the JUnit report: {0}")]
    Junit(String),
}
