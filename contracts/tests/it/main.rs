//! Integration tests of the conformance runner against tiny hyper servers that implement
//! `tests/fixtures/widgets.yaml`: correctly, with chosen bugs, or not at all.
//!
//! One test binary (see STYLE.md): a module per situation, shared helpers in `support`.

mod broken;
mod correct;
mod hostile;
mod phases;
mod stateful;
mod support;
