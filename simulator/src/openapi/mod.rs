//! OpenAPI 3.0.3 documents generated from the endpoint tables.
//!
//! One document per family. Everything in it comes from the family's [`Endpoint`] table and
//! [`FamilyDoc`]; schemas come from the same Rust types the handlers decode and encode (via
//! schemars). The documents are checked in under `contracts/openapi/`; a test regenerates them
//! and fails on any difference, so a status changed in a table without regenerating is caught.

mod build;

use openapiv3::OpenAPI;

pub use build::document_for;

use crate::config::FamilyId;
use crate::control::ControlFamily;
use crate::families::exotel::ExotelFamily;
use crate::families::vpn::VpnFamily;
use crate::families::vpn_daemon::DaemonFamily;

/// The document of one family.
pub fn document(family: FamilyId) -> OpenAPI {
    match family {
        FamilyId::Control => document_for::<ControlFamily>(family.default_port()),
        FamilyId::Vpn => document_for::<VpnFamily>(family.default_port()),
        FamilyId::VpnDaemon => document_for::<DaemonFamily>(family.default_port()),
        FamilyId::Exotel => document_for::<ExotelFamily>(family.default_port()),
    }
}

/// The document as YAML, as checked in.
///
/// # Errors
/// Serialization failure (a bug: the document is plain data).
pub fn to_yaml(doc: &OpenAPI) -> Result<String, serde_norway::Error> {
    serde_norway::to_string(doc)
}

/// File name of a family's document under `contracts/openapi/`.
pub fn file_name(family: FamilyId) -> String {
    format!("{}.yaml", family.name())
}
