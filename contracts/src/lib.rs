//! provsim-contracts: checks any implementation of a provisioning API against its OpenAPI
//! document, over HTTP — the simulator itself, or a partner's or a vendor's server.
//!
//! Everything it checks is derived from the document: statuses, media types and schemas of
//! the answers to the document's example requests, 405 with `Allow` for undocumented methods,
//! 401/403 for missing and wrong credentials, a documented 4xx for bodies that break the
//! request schema, and no state change from those refused requests. Nothing is specific to
//! a vendor; it does not depend on the `provsim` crate (which depends on it for
//! `provsim conform`).
//!
//! ```no_run
//! # fn main() -> Result<(), provsim_contracts::ConformError> {
//! use provsim_contracts::{ConformArgs, run};
//! let doc = provsim_contracts::load_spec("contracts/openapi/vpn.yaml".as_ref())?;
//! let mut args = ConformArgs::new("http://127.0.0.1:8101".parse().unwrap(), "vpn");
//! args.auth.push("bearer:vpn-demo-key".parse().unwrap());
//! let report = run(&doc, &args)?;
//! report.write_junit(&args.report_dir)?;
//! report.write_markdown(&args.report_dir)?;
//! std::process::exit(if report.failed() { 1 } else { 0 });
//! # }
//! ```
//!
//! # Layout
//! - [`args`](ConformArgs): the command line and the `--auth` syntax;
//! - `spec`: loading the document, the base URL, operations and `$ref`s;
//! - `sample`: example values for parameters and bodies, synthesised when missing;
//! - `schema`: OpenAPI 3.0 schema → JSON Schema 2020-12, and validation;
//! - `volatile`: comparing answers without their `x-volatile` fields;
//! - `jsonp`: the JSON inside a JSONP callback;
//! - `auth`: security schemes → credentials, wrong credentials, redaction;
//! - `client`, [`exchange`](Exchange): the HTTP client and what reports keep of a request;
//! - `checks`: one module per kind of check;
//! - `runner`: the order of a run; [`phase`](ExtraPhase): checks the caller plugs in;
//! - [`stateful`]: [`LinksPhase`], the stateful phase of `--stateful`, driven by the
//!   document's `links`;
//! - [`report`]: the result, as JUnit XML and Markdown; `progress`: the stderr line;
//! - [`limits`]: every bound, named with its unit.

mod args;
mod auth;
mod checks;
mod client;
mod error;
mod exchange;
mod jsonp;
pub mod limits;
mod phase;
mod progress;
pub mod report;
mod runner;
mod sample;
pub mod schema;
mod spec;
pub mod stateful;
mod volatile;

pub use args::{ConformArgs, Credential, CredentialParseError};
pub use auth::AppliedAuth;
pub use client::{Call, HttpResponse, RequestSpec};
pub use error::ConformError;
pub use exchange::{Exchange, RecordedBody, RecordedRequest, RecordedResponse};
pub use phase::{ExtraPhase, PhaseContext};
pub use report::{CheckId, CheckResult, OperationReport, Outcome, Report, Summary};
pub use runner::{run, run_with};
pub use spec::load as load_spec;
pub use stateful::LinksPhase;
/// The HTTP method type of [`RequestSpec`] (the `http` crate's, as re-exported by ureq).
pub use ureq::http::Method;

#[cfg(test)]
mod tests {
    /// Every source file opens with a `//!` comment saying what it is for.
    #[test]
    fn every_module_has_a_doc_comment() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut stack = vec![root];
        let mut n_files = 0;
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    n_files += 1;
                    let text = std::fs::read_to_string(&path).unwrap();
                    assert!(
                        text.starts_with("//!"),
                        "{} does not open with a //! doc comment",
                        path.display()
                    );
                }
            }
        }
        assert!(n_files > 10);
    }
}
