//! The control listener's whole request path: routing, authentication, decoding, handlers and
//! rendering, with the invariants of `provsim_fuzz` checked on every answer.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use provsim::control::ControlFamily;
use provsim_fuzz::Harness;

static HARNESS: OnceLock<Harness<ControlFamily>> = OnceLock::new();

fuzz_target!(|input: &[u8]| {
    HARNESS.get_or_init(|| Harness::new(ControlFamily::new)).run(input);
});
