//! The command line of a conformance run (`provsim conform ...`) and the `--auth` syntax.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use url::Url;

use crate::limits::DEFAULT_TIMEOUT_MS;

/// What to check, against what, with which credentials, and where the reports go.
///
/// Meant to be flattened into a `clap` subcommand (`provsim conform`); every field is public
/// so a caller can also build it in code (tests do).
#[derive(Debug, Clone, clap::Args)]
pub struct ConformArgs {
    /// Base URL of the implementation under test, e.g. `http://127.0.0.1:8101`. A base path
    /// in the document's `servers[0].url` (e.g. `/billing`) is appended to it.
    #[arg(long, value_name = "URL")]
    pub target: Url,

    /// Name of the API family, used in report titles and file names.
    #[arg(long, value_name = "F")]
    pub family: String,

    /// Load the OpenAPI document (YAML or JSON) from this file instead of the built-in one.
    #[arg(long, value_name = "FILE")]
    pub spec: Option<PathBuf>,

    /// A credential for the target, repeatable: `bearer:TOKEN`, `basic:USER:PASS`,
    /// `query:NAME=VALUE` (API key in the query string), `header:NAME=VALUE` (API key in a
    /// header). Each operation gets the ones its `security` requirement names.
    #[arg(long = "auth", value_name = "CRED")]
    pub auth: Vec<Credential>,

    /// Directory the JUnit XML and Markdown reports are written to.
    #[arg(long, value_name = "DIR", default_value = "reports/conform")]
    pub report_dir: PathBuf,

    /// Also run the stateful model-based phase, when the caller provides one.
    #[arg(long)]
    pub stateful: bool,

    /// Longest time one request may take, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = DEFAULT_TIMEOUT_MS)]
    pub timeout_ms: u64,

    /// No progress lines on stderr (the reports are written all the same).
    #[arg(long)]
    pub quiet: bool,
}

impl ConformArgs {
    /// Arguments with every option at its default: no credentials, no `--spec`, reports in
    /// `reports/conform`.
    pub fn new(target: Url, family: impl Into<String>) -> ConformArgs {
        ConformArgs {
            target,
            family: family.into(),
            spec: None,
            auth: Vec::new(),
            report_dir: PathBuf::from("reports/conform"),
            stateful: false,
            timeout_ms: DEFAULT_TIMEOUT_MS,
            quiet: false,
        }
    }
}

/// One `--auth` value.
#[derive(Clone, PartialEq, Eq)]
pub enum Credential {
    /// `bearer:TOKEN` → `Authorization: Bearer TOKEN` (http bearer, oauth2, openIdConnect).
    Bearer { token: String },
    /// `basic:USER:PASS` → `Authorization: Basic base64(USER:PASS)` (http basic). The
    /// password may contain `:`; the user may not (RFC 7617).
    Basic { user: String, password: String },
    /// `query:NAME=VALUE` → `?NAME=VALUE` (apiKey in query).
    Query { name: String, value: String },
    /// `header:NAME=VALUE` → `NAME: VALUE` (apiKey in header).
    Header { name: String, value: String },
}

/// Why an `--auth` value was refused; the message shows the accepted forms.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CredentialParseError {
    #[error(
        "unknown credential kind {0:?}: use bearer:TOKEN, basic:USER:PASS, query:NAME=VALUE or header:NAME=VALUE"
    )]
    UnknownKind(String),
    #[error("{kind}: {expected}")]
    Malformed { kind: &'static str, expected: &'static str },
}

impl FromStr for Credential {
    type Err = CredentialParseError;

    fn from_str(text: &str) -> Result<Credential, CredentialParseError> {
        let Some((kind, rest)) = text.split_once(':') else {
            return Err(CredentialParseError::UnknownKind(text.to_owned()));
        };
        let malformed = |kind, expected| CredentialParseError::Malformed { kind, expected };
        match kind.to_ascii_lowercase().as_str() {
            "bearer" if !rest.is_empty() => Ok(Credential::Bearer { token: rest.to_owned() }),
            "bearer" => Err(malformed("bearer", "expected bearer:TOKEN with a non-empty token")),
            "basic" => match rest.split_once(':') {
                Some((user, password)) if !user.is_empty() => {
                    Ok(Credential::Basic { user: user.to_owned(), password: password.to_owned() })
                }
                _ => Err(malformed("basic", "expected basic:USER:PASS with a non-empty user")),
            },
            "query" => match rest.split_once('=') {
                Some((name, value)) if !name.is_empty() => {
                    Ok(Credential::Query { name: name.to_owned(), value: value.to_owned() })
                }
                _ => Err(malformed("query", "expected query:NAME=VALUE with a non-empty name")),
            },
            "header" => match rest.split_once('=') {
                Some((name, value)) if !name.is_empty() => {
                    Ok(Credential::Header { name: name.to_owned(), value: value.to_owned() })
                }
                _ => Err(malformed("header", "expected header:NAME=VALUE with a non-empty name")),
            },
            _ => Err(CredentialParseError::UnknownKind(kind.to_owned())),
        }
    }
}

/// Shows the kind and the non-secret part only, so a credential never lands in a log by
/// accident (`{:?}` of [`ConformArgs`] included).
impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credential::Bearer { .. } => write!(f, "bearer:***"),
            Credential::Basic { user, .. } => write!(f, "basic:{user}:***"),
            Credential::Query { name, .. } => write!(f, "query:{name}=***"),
            Credential::Header { name, .. } => write!(f, "header:{name}=***"),
        }
    }
}

impl Credential {
    /// The secret part (token, password, key), which reports redact.
    pub fn secret(&self) -> &str {
        match self {
            Credential::Bearer { token } => token,
            Credential::Basic { password, .. } => password,
            Credential::Query { value, .. } | Credential::Header { value, .. } => value,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Credential, CredentialParseError> {
        text.parse()
    }

    #[test]
    fn every_documented_form_parses() {
        assert_eq!(
            parse("bearer:vpn-demo-key"),
            Ok(Credential::Bearer { token: "vpn-demo-key".into() })
        );
        assert_eq!(
            parse("basic:exotel-demo-key:tok:en"),
            Ok(Credential::Basic { user: "exotel-demo-key".into(), password: "tok:en".into() })
        );
        assert_eq!(
            parse("query:access_token=vpn-demo-key"),
            Ok(Credential::Query { name: "access_token".into(), value: "vpn-demo-key".into() })
        );
        assert_eq!(
            parse("header:X-Api-Key=a=b"),
            Ok(Credential::Header { name: "X-Api-Key".into(), value: "a=b".into() })
        );
    }

    #[test]
    fn malformed_forms_are_refused_with_the_expected_shape() {
        assert!(matches!(parse("token"), Err(CredentialParseError::UnknownKind(_))));
        assert!(matches!(parse("digest:x"), Err(CredentialParseError::UnknownKind(_))));
        assert!(matches!(
            parse("bearer:"),
            Err(CredentialParseError::Malformed { kind: "bearer", .. })
        ));
        assert!(matches!(
            parse("basic:nopassword"),
            Err(CredentialParseError::Malformed { kind: "basic", .. })
        ));
        assert!(matches!(
            parse("query:=v"),
            Err(CredentialParseError::Malformed { kind: "query", .. })
        ));
        assert!(matches!(
            parse("header:NoEquals"),
            Err(CredentialParseError::Malformed { kind: "header", .. })
        ));
    }

    #[test]
    fn debug_output_hides_the_secret() {
        let text = format!("{:?}", parse("basic:user:hunter2").unwrap());
        assert_eq!(text, "basic:user:***");
    }

    #[test]
    fn clap_accepts_the_documented_flags() {
        use clap::Parser;
        #[derive(clap::Parser)]
        struct Cli {
            #[command(flatten)]
            args: ConformArgs,
        }
        let cli = Cli::try_parse_from([
            "conform",
            "--target",
            "http://127.0.0.1:8101",
            "--family",
            "vpn",
            "--auth",
            "bearer:k",
            "--auth",
            "query:access_token=k",
            "--stateful",
        ])
        .unwrap();
        assert_eq!(cli.args.auth.len(), 2);
        assert_eq!(cli.args.report_dir, PathBuf::from("reports/conform"));
        assert_eq!(cli.args.timeout_ms, DEFAULT_TIMEOUT_MS);
        assert!(cli.args.stateful);
    }
}
