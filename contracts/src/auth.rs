//! Credentials per operation: which `--auth` values an operation's `security` requirement
//! takes, how they go on the wire, how to make them wrong, and how to keep them out of
//! reports.
//!
//! Security schemes map to credential kinds by type only: http `bearer` (and oauth2 /
//! openIdConnect, whose tokens travel the same way) takes `bearer:`, http `basic` takes
//! `basic:`, an apiKey in the query takes `query:` with the same parameter name, an apiKey in
//! a header takes `header:` with the same header name. apiKeys in cookies are not supported.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use openapiv3::{APIKeyLocation, SecurityScheme};

use crate::args::Credential;
use crate::spec::{Api, Op};

/// What makes a wrong credential from a right one. A prefix keeps the redacted report
/// readable (`provsim-wrong-***`) while changing every byte comparison and signature.
const WRONG_PREFIX: &str = "provsim-wrong-";

/// Headers and query pairs that carry credentials on one request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AppliedAuth {
    pub headers: Vec<(String, String)>,
    pub query: Vec<(String, String)>,
}

/// How an operation is authenticated in this run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthPlan {
    /// The operation has no security requirement, or allows anonymous calls (`{}`).
    Open,
    /// The first requirement all of whose schemes have a matching `--auth` value.
    Satisfied { schemes: Vec<String>, credentials: Vec<Credential> },
    /// The operation needs credentials and no `--auth` value fits. `stand_ins` are made-up
    /// credentials of the first requirement's kinds, used only for the wrong-credential probe.
    Unsatisfied { schemes: Vec<String>, stand_ins: Vec<Credential> },
}

impl AuthPlan {
    /// The credentials for requests that should succeed (none for Open and Unsatisfied).
    pub fn good(&self) -> AppliedAuth {
        match self {
            AuthPlan::Satisfied { credentials, .. } => apply(credentials),
            AuthPlan::Open | AuthPlan::Unsatisfied { .. } => AppliedAuth::default(),
        }
    }

    /// The same kinds of credentials with wrong secrets; `None` when the operation is open.
    pub fn wrong(&self) -> Option<AppliedAuth> {
        match self {
            AuthPlan::Open => None,
            AuthPlan::Satisfied { credentials, .. } => {
                Some(apply(&credentials.iter().map(mangle).collect::<Vec<_>>()))
            }
            AuthPlan::Unsatisfied { stand_ins, .. } => Some(apply(stand_ins)),
        }
    }
}

/// Chooses the credentials for an operation.
pub fn plan(api: &Api<'_>, op: &Op<'_>, credentials: &[Credential]) -> AuthPlan {
    let requirements = api.security_of(op);
    if requirements.is_empty() || requirements.iter().any(|requirement| requirement.is_empty()) {
        return AuthPlan::Open;
    }
    for requirement in requirements {
        let chosen: Option<Vec<Credential>> = requirement
            .keys()
            .map(|name| {
                let scheme = api.security_scheme(name)?;
                credentials.iter().find(|credential| matches(scheme, credential)).cloned()
            })
            .collect();
        if let Some(credentials) = chosen {
            return AuthPlan::Satisfied {
                schemes: requirement.keys().cloned().collect(),
                credentials,
            };
        }
    }
    let first = &requirements[0];
    let stand_ins =
        first.keys().filter_map(|name| api.security_scheme(name).and_then(stand_in)).collect();
    AuthPlan::Unsatisfied { schemes: first.keys().cloned().collect(), stand_ins }
}

/// Whether a credential is of the kind a security scheme takes.
pub fn matches(scheme: &SecurityScheme, credential: &Credential) -> bool {
    match (scheme, credential) {
        (SecurityScheme::HTTP { scheme, .. }, Credential::Bearer { .. }) => {
            scheme.eq_ignore_ascii_case("bearer")
        }
        (SecurityScheme::HTTP { scheme, .. }, Credential::Basic { .. }) => {
            scheme.eq_ignore_ascii_case("basic")
        }
        (
            SecurityScheme::OAuth2 { .. } | SecurityScheme::OpenIDConnect { .. },
            Credential::Bearer { .. },
        ) => true,
        (
            SecurityScheme::APIKey { location: APIKeyLocation::Query, name, .. },
            Credential::Query { name: given, .. },
        ) => {
            // Query parameter names are case-sensitive.
            name == given
        }
        (
            SecurityScheme::APIKey { location: APIKeyLocation::Header, name, .. },
            Credential::Header { name: given, .. },
        ) => name.eq_ignore_ascii_case(given),
        _ => false,
    }
}

/// A placeholder credential of the kind a scheme takes, for probing with wrong credentials
/// when the user gave none.
fn stand_in(scheme: &SecurityScheme) -> Option<Credential> {
    let secret = format!("{WRONG_PREFIX}credential");
    match scheme {
        SecurityScheme::HTTP { scheme, .. } if scheme.eq_ignore_ascii_case("basic") => {
            Some(Credential::Basic { user: "provsim".to_owned(), password: secret })
        }
        SecurityScheme::HTTP { .. }
        | SecurityScheme::OAuth2 { .. }
        | SecurityScheme::OpenIDConnect { .. } => Some(Credential::Bearer { token: secret }),
        SecurityScheme::APIKey { location: APIKeyLocation::Query, name, .. } => {
            Some(Credential::Query { name: name.clone(), value: secret })
        }
        SecurityScheme::APIKey { location: APIKeyLocation::Header, name, .. } => {
            Some(Credential::Header { name: name.clone(), value: secret })
        }
        SecurityScheme::APIKey { location: APIKeyLocation::Cookie, .. } => None,
    }
}

/// The same credential with a wrong secret (the user of a Basic credential is kept, so the
/// probe tests the password check, not the user lookup).
pub fn mangle(credential: &Credential) -> Credential {
    let wrong = |secret: &str| format!("{WRONG_PREFIX}{secret}");
    match credential {
        Credential::Bearer { token } => Credential::Bearer { token: wrong(token) },
        Credential::Basic { user, password } => {
            Credential::Basic { user: user.clone(), password: wrong(password) }
        }
        Credential::Query { name, value } => {
            Credential::Query { name: name.clone(), value: wrong(value) }
        }
        Credential::Header { name, value } => {
            Credential::Header { name: name.clone(), value: wrong(value) }
        }
    }
}

/// Credentials as headers and query pairs.
pub fn apply(credentials: &[Credential]) -> AppliedAuth {
    let mut applied = AppliedAuth::default();
    for credential in credentials {
        match credential {
            Credential::Bearer { token } => {
                applied.headers.push(("Authorization".into(), format!("Bearer {token}")))
            }
            Credential::Basic { user, password } => {
                let encoded = BASE64.encode(format!("{user}:{password}"));
                applied.headers.push(("Authorization".into(), format!("Basic {encoded}")));
            }
            Credential::Query { name, value } => applied.query.push((name.clone(), value.clone())),
            Credential::Header { name, value } => {
                applied.headers.push((name.clone(), value.clone()))
            }
        }
    }
    applied
}

/// Replaces the secrets of the run's credentials with `***` in what reports show (URLs and
/// header values), so a report of a run against a real vendor can be shared.
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    /// Longest first, so a secret that contains another is replaced whole.
    secrets: Vec<String>,
}

impl Redactor {
    pub fn new(credentials: &[Credential]) -> Redactor {
        let mut secrets = Vec::new();
        for credential in credentials {
            let secret = credential.secret();
            if secret.is_empty() {
                continue;
            }
            secrets.push(secret.to_owned());
            // Query values appear percent-encoded in URLs.
            secrets.push(url::form_urlencoded::byte_serialize(secret.as_bytes()).collect());
            if let Credential::Basic { user, password } = credential {
                secrets.push(BASE64.encode(format!("{user}:{password}")));
                secrets.push(BASE64.encode(format!("{user}:{WRONG_PREFIX}{password}")));
            }
        }
        secrets.sort_by_key(|secret| std::cmp::Reverse(secret.len()));
        secrets.dedup();
        Redactor { secrets }
    }

    pub fn redact(&self, text: &str) -> String {
        let mut text = text.to_owned();
        for secret in &self.secrets {
            if text.contains(secret.as_str()) {
                text = text.replace(secret.as_str(), "***");
            }
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use openapiv3::OpenAPI;
    use url::Url;

    const DOC: &str = r#"
openapi: 3.0.3
info: {title: t, version: '1'}
security: [{bearer: []}, {key: []}]
paths:
  /a:
    get: {responses: {'200': {description: ok}}}
    post: {security: [{basic: []}], responses: {'200': {description: ok}}}
    put: {security: [], responses: {'200': {description: ok}}}
    patch: {security: [{}, {bearer: []}], responses: {'200': {description: ok}}}
    delete: {security: [{hdr: [], key: []}], responses: {'200': {description: ok}}}
components:
  securitySchemes:
    bearer: {type: http, scheme: bearer}
    basic: {type: http, scheme: Basic}
    key: {type: apiKey, in: query, name: access_token}
    hdr: {type: apiKey, in: header, name: X-Api-Key}
"#;

    fn plans(credentials: &[&str]) -> Vec<AuthPlan> {
        let doc: OpenAPI = serde_norway::from_str(DOC).unwrap();
        let api = Api::new(&doc, &Url::parse("http://h").unwrap()).unwrap();
        let credentials: Vec<Credential> = credentials.iter().map(|c| c.parse().unwrap()).collect();
        api.ops.iter().map(|op| plan(&api, op, &credentials)).collect()
    }

    fn cred(text: &str) -> Credential {
        text.parse().unwrap()
    }

    #[test]
    fn schemes_map_to_credential_kinds() {
        // Order of operations in a path item: get, put, post, delete, patch.
        let [get, put, post, delete, patch] =
            plans(&["query:access_token=k", "basic:u:p", "header:x-api-key=h"]).try_into().unwrap();
        // The document-level requirement: bearer is missing, so the apiKey alternative is taken.
        assert_eq!(
            get,
            AuthPlan::Satisfied {
                schemes: vec!["key".into()],
                credentials: vec![cred("query:access_token=k")]
            }
        );
        assert_eq!(put, AuthPlan::Open);
        assert_eq!(
            post,
            AuthPlan::Satisfied {
                schemes: vec!["basic".into()],
                credentials: vec![cred("basic:u:p")]
            }
        );
        // Both schemes of one requirement are needed; the header name matches case-insensitively.
        assert_eq!(
            delete,
            AuthPlan::Satisfied {
                schemes: vec!["hdr".into(), "key".into()],
                credentials: vec![cred("header:x-api-key=h"), cred("query:access_token=k")]
            }
        );
        assert_eq!(patch, AuthPlan::Open);
    }

    #[test]
    fn a_query_key_of_another_name_does_not_match() {
        let get = plans(&["query:api_key=k"]).remove(0);
        assert_eq!(
            get,
            AuthPlan::Unsatisfied {
                schemes: vec!["bearer".into()],
                stand_ins: vec![cred("bearer:provsim-wrong-credential")]
            }
        );
    }

    #[test]
    fn good_and_wrong_credentials_on_the_wire() {
        let plan = AuthPlan::Satisfied {
            schemes: vec![],
            credentials: vec![cred("basic:u:p"), cred("query:access_token=k"), cred("bearer:t")],
        };
        let good = plan.good();
        assert_eq!(
            good.headers,
            vec![
                ("Authorization".into(), "Basic dTpw".into()),
                ("Authorization".into(), "Bearer t".into())
            ]
        );
        assert_eq!(good.query, vec![("access_token".into(), "k".into())]);
        let wrong = plan.wrong().unwrap();
        assert_eq!(wrong.headers[1].1, "Bearer provsim-wrong-t");
        assert_eq!(wrong.query[0].1, "provsim-wrong-k");
        assert_eq!(wrong.headers[0].1, format!("Basic {}", BASE64.encode("u:provsim-wrong-p")));
        assert_eq!(AuthPlan::Open.wrong(), None);
    }

    #[test]
    fn reports_never_show_secrets() {
        let redactor = Redactor::new(&[cred("basic:u:s3cret"), cred("query:k=a b")]);
        assert_eq!(redactor.redact(&format!("Basic {}", BASE64.encode("u:s3cret"))), "Basic ***");
        assert_eq!(
            redactor.redact(&format!("Basic {}", BASE64.encode("u:provsim-wrong-s3cret"))),
            "Basic ***"
        );
        assert_eq!(redactor.redact("http://h/a?k=a+b&x=1"), "http://h/a?k=***&x=1");
        assert_eq!(redactor.redact("Bearer provsim-wrong-s3cret"), "Bearer provsim-wrong-***");
    }
}
