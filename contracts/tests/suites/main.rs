//! Property-based suites of issue 5 against an in-process simulator, over HTTP.
//!
//! - `state_vpn`, `state_exotel`: proptest-state-machine model tests — a reference model of
//!   each family's data drives random sequences of calls, every answer is checked against
//!   the model, and a failure shrinks to a minimal sequence;
//! - `schema_props`: positive and negative requests for every operation, generated from the
//!   OpenAPI document's request schemas (valid requests are accepted; requests that break the
//!   schema get a documented 4xx and change no state);
//! - `support`: the simulator on its own thread and runtime, and a blocking client.
//!
//! Each suite runs a fixed number of random cases (`CASES_PER_RUN`, `CASES_PER_OPERATION`)
//! from a fresh seed every run, and together they take a few seconds in a debug build. A
//! failing state-machine case is saved by proptest under `contracts/tests/proptest-regressions/`
//! and replayed first on the next run; keep the file with the fix (or delete it).
//!
//! One test binary (see STYLE.md), a module per suite.

mod interleave;
mod schema_props;
mod state_exotel;
mod state_vpn;
mod support;
