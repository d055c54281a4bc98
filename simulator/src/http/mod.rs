//! The family-agnostic HTTP core: endpoint tables, routing, request decoding, replies and
//! listeners. Nothing here knows a vendor's wire format; each family renders its own errors
//! through [`endpoint::Family::render_error`].

pub mod call;
pub mod contract;
pub mod endpoint;
pub mod reply;
pub mod router;
pub mod server;

/// The response type every handler and router answer produces.
pub type Response = http::Response<http_body_util::Full<bytes::Bytes>>;
