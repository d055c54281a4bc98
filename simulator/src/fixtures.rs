//! Fixtures: what the simulator holds at start and after `POST /_sim/reset`.
//!
//! The default fixture is `simulator/fixtures/default.json`, compiled in; `--fixtures FILE`
//! loads a file of the same shape (copy the default as a template). `--fixtures none` keeps
//! the default tenants, keys and catalogue (so the documented credentials still work) and
//! drops every subscriber and device.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::families::exotel::state::AccountFixture;
use crate::families::vpn::model::BundleSpec;
use crate::families::vpn::state::TenantFixture;

/// The compiled-in demo fixture.
pub const DEFAULT_FIXTURE_JSON: &str = include_str!("../fixtures/default.json");

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fixture {
    pub vpn: VpnFixture,
    /// Optional so that fixture files written before the Exotel family still load.
    #[serde(default)]
    pub exotel: ExotelFixture,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VpnFixture {
    pub bundles: Vec<BundleSpec>,
    pub tenants: Vec<TenantFixture>,
}

/// The Exotel accounts (`sid`, Basic `api_key`/`api_token`, optional `utc_offset`,
/// `requests_per_minute`, `token_secret` and `subscribers`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExotelFixture {
    #[serde(default)]
    pub accounts: Vec<AccountFixture>,
}

#[derive(Debug, thiserror::Error)]
pub enum FixtureError {
    #[error("cannot read fixture file {path}: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("fixture {origin} is not valid: {source}")]
    Parse { origin: String, source: serde_json::Error },
}

impl Fixture {
    /// The demo fixture whose credentials the README lists.
    pub fn demo() -> Fixture {
        // The file is part of the binary and covered by `tests::default_fixture_parses`.
        serde_json::from_str(DEFAULT_FIXTURE_JSON).unwrap_or_else(|_| Fixture::empty_tenants())
    }

    /// The demo tenants with no subscribers or devices.
    pub fn none() -> Fixture {
        let mut fixture = Fixture::demo();
        for tenant in &mut fixture.vpn.tenants {
            tenant.subscribers.clear();
        }
        for account in &mut fixture.exotel.accounts {
            account.subscribers.clear();
        }
        fixture
    }

    /// `default`, `none`, or a path to a JSON file.
    ///
    /// # Errors
    /// The file cannot be read or does not parse.
    pub fn from_arg(arg: &str) -> Result<Fixture, FixtureError> {
        match arg {
            "default" => Ok(Fixture::demo()),
            "none" => Ok(Fixture::none()),
            path => Fixture::from_file(Path::new(path)),
        }
    }

    pub fn from_file(path: &Path) -> Result<Fixture, FixtureError> {
        let text = std::fs::read_to_string(path)
            .map_err(|source| FixtureError::Read { path: path.display().to_string(), source })?;
        serde_json::from_str(&text)
            .map_err(|source| FixtureError::Parse { origin: path.display().to_string(), source })
    }

    fn empty_tenants() -> Fixture {
        Fixture {
            vpn: VpnFixture { bundles: Vec::new(), tenants: Vec::new() },
            exotel: ExotelFixture::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_fixture_parses_and_has_the_documented_credentials() {
        let fixture: Fixture = serde_json::from_str(DEFAULT_FIXTURE_JSON).expect("default fixture");
        let keys: Vec<(&str, &str)> = fixture
            .vpn
            .tenants
            .iter()
            .flat_map(|t| t.keys.iter().map(move |k| (t.name.as_str(), k.as_str())))
            .collect();
        assert_eq!(keys, [("telefonica", "vpn-demo-key"), ("partner2", "vpn-demo-key-2")]);
        assert!(fixture.vpn.bundles.iter().any(|b| b.id == "premium"));
    }

    #[test]
    fn default_fixture_has_the_documented_exotel_accounts() {
        let fixture: Fixture = serde_json::from_str(DEFAULT_FIXTURE_JSON).expect("default fixture");
        let accounts: Vec<(&str, &str, &str)> = fixture
            .exotel
            .accounts
            .iter()
            .map(|a| (a.sid.as_str(), a.api_key.as_str(), a.api_token.as_str()))
            .collect();
        assert_eq!(
            accounts,
            [
                ("provsim1", "exotel-demo-key", "exotel-demo-token"),
                ("provsim2", "exotel-demo-key-2", "exotel-demo-token-2")
            ]
        );
    }

    #[test]
    fn vpn_only_fixture_files_still_load() {
        let text = r#"{"vpn": {"bundles": [{"id": "basic"}], "tenants": []}}"#;
        let fixture: Fixture = serde_json::from_str(text).expect("vpn-only fixture");
        assert!(fixture.exotel.accounts.is_empty());
    }

    #[test]
    fn none_keeps_tenants_but_no_subscribers() {
        let fixture = Fixture::none();
        assert_eq!(fixture.vpn.tenants.len(), 2);
        assert!(fixture.vpn.tenants.iter().all(|t| t.subscribers.is_empty()));
    }
}
