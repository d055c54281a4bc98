//! The OpenAPI document as the checks see it: loading it from a file, the base URL of the
//! target, the operations with their merged parameters, and `$ref` resolution.
//!
//! Structure (paths, operations, parameters, responses, security) is read through the typed
//! `openapiv3` model. Schemas are read as JSON ([`Api::raw`]) because they are converted to
//! JSON Schema, walked for `x-volatile` and used to synthesise values, all of which are
//! generic JSON transformations.

use std::io::Read;
use std::path::Path;

use openapiv3::{
    Components, Example, Header, Link, OpenAPI, Operation, Parameter, ParameterData, ReferenceOr,
    RequestBody, Response, SecurityScheme,
};
use serde_json::Value;
use ureq::http::Method;
use url::Url;

use crate::error::ConformError;
use crate::limits::MAX_SPEC_FILE_BYTES;

/// The methods a path is probed with; a path answers 405 to those it does not document.
/// HEAD, OPTIONS and TRACE are left out: servers and proxies answer them generically.
pub const PROBED_METHODS: [Method; 5] =
    [Method::GET, Method::POST, Method::PUT, Method::PATCH, Method::DELETE];

/// The operation extension naming the query parameter that turns a JSON answer into JSONP.
pub const JSONP_CALLBACK_EXTENSION: &str = "x-jsonp-callback-param";

/// Loads an OpenAPI document from a JSON (`.json`) or YAML (anything else) file.
///
/// # Errors
/// [`ConformError::SpecRead`], [`ConformError::SpecTooLarge`], [`ConformError::SpecParse`].
pub fn load(path: &Path) -> Result<OpenAPI, ConformError> {
    let read_error = |source| ConformError::SpecRead { path: path.to_owned(), source };
    let file = std::fs::File::open(path).map_err(read_error)?;
    let mut text = String::new();
    // One byte past the limit tells "exactly at the limit" from "over it".
    file.take(MAX_SPEC_FILE_BYTES + 1).read_to_string(&mut text).map_err(read_error)?;
    if text.len() as u64 > MAX_SPEC_FILE_BYTES {
        return Err(ConformError::SpecTooLarge {
            path: path.to_owned(),
            limit_bytes: MAX_SPEC_FILE_BYTES,
        });
    }
    let is_json = path.extension().is_some_and(|ext| ext.eq_ignore_ascii_case("json"));
    if is_json {
        serde_json::from_str(&text).map_err(|error| ConformError::SpecParse {
            path: path.to_owned(),
            format: "JSON",
            message: error.to_string(),
        })
    } else {
        serde_norway::from_str(&text).map_err(|error| ConformError::SpecParse {
            path: path.to_owned(),
            format: "YAML",
            message: error.to_string(),
        })
    }
}

/// The URL operations' paths are appended to: the target's scheme, host and port, then the
/// target's own path, then the path of the document's `servers[0].url` (its host is the
/// vendor's, not the target's). Server variables take their defaults.
///
/// # Errors
/// [`ConformError::Target`] when the target cannot carry a path, [`ConformError::ServerUrl`]
/// when the server URL does not parse.
pub fn base_url(doc: &OpenAPI, target: &Url) -> Result<Url, ConformError> {
    if target.cannot_be_a_base()
        || !matches!(target.scheme(), "http" | "https")
        || target.host().is_none()
    {
        return Err(ConformError::Target { target: target.to_string() });
    }
    let server_path = match doc.servers.first() {
        None => String::new(),
        Some(server) => {
            let mut url = server.url.clone();
            for (name, variable) in server.variables.iter().flatten() {
                url = url.replace(&format!("{{{name}}}"), &variable.default);
            }
            server_path(&url)?
        }
    };
    let mut base = target.clone();
    base.set_query(None);
    base.set_fragment(None);
    let joined =
        format!("{}{}", base.path().trim_end_matches('/'), server_path.trim_end_matches('/'));
    base.set_path(&joined);
    Ok(base)
}

fn server_path(url: &str) -> Result<String, ConformError> {
    let error = |reason: String| ConformError::ServerUrl { url: url.to_owned(), reason };
    match Url::parse(url) {
        Ok(absolute) => Ok(absolute.path().to_owned()),
        // A relative server URL ("/v2") is relative to where the document is served; only its
        // path matters here.
        Err(url::ParseError::RelativeUrlWithoutBase) => {
            let dummy = Url::parse("http://relative.invalid/").map_err(|e| error(e.to_string()))?;
            let joined = dummy.join(url).map_err(|e| error(e.to_string()))?;
            Ok(joined.path().to_owned())
        }
        Err(other) => Err(error(other.to_string())),
    }
}

/// Where a parameter goes in the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamIn {
    Path,
    Query,
    Header,
    Cookie,
}

/// A parameter of one operation, after merging path-level and operation-level ones.
#[derive(Debug, Clone, Copy)]
pub struct Param<'a> {
    pub location: ParamIn,
    pub data: &'a ParameterData,
}

/// One documented operation (method + path).
#[derive(Debug, Clone)]
pub struct Op<'a> {
    /// `operationId`, or `METHOD /path` when the document gives none.
    pub name: String,
    pub method: Method,
    pub path: &'a str,
    pub operation: &'a Operation,
    /// Operation-level parameters override path-level ones with the same name and location.
    pub params: Vec<Param<'a>>,
}

impl Op<'_> {
    /// The query parameter that selects JSONP, from `x-jsonp-callback-param`.
    pub fn jsonp_callback_param(&self) -> Option<&str> {
        self.operation.extensions.get(JSONP_CALLBACK_EXTENSION).and_then(Value::as_str)
    }

    /// 0 for reads, 1 for creates and updates, 2 for deletes: the order example requests run
    /// in, so that a DELETE of an example id does not turn the reads of that id into 404s.
    pub fn destructiveness(&self) -> u8 {
        method_destructiveness(&self.method)
    }
}

/// See [`Op::destructiveness`].
pub fn method_destructiveness(method: &Method) -> u8 {
    if *method == Method::DELETE {
        2
    } else if [Method::POST, Method::PUT, Method::PATCH].contains(method) {
        1
    } else {
        0
    }
}

/// One path of the document and the methods it documents.
#[derive(Debug, Clone)]
pub struct PathEntry<'a> {
    pub path: &'a str,
    pub documented: Vec<Method>,
    /// Index in [`Api::ops`] of the operation whose parameters and credentials probes of this
    /// path borrow (its GET if it has one).
    pub representative_idx: usize,
}

/// The document, resolved once for a run.
#[derive(Debug)]
pub struct Api<'a> {
    pub doc: &'a OpenAPI,
    /// The document as JSON: schemas and their `$ref`s are read from here.
    pub raw: Value,
    pub base_url: Url,
    /// Every operation, in document order.
    pub ops: Vec<Op<'a>>,
    pub paths: Vec<PathEntry<'a>>,
}

impl<'a> Api<'a> {
    /// # Errors
    /// [`ConformError::SpecToJson`] if the document cannot be serialised (never for a parsed
    /// one), the errors of [`base_url`], and [`ConformError::Document`] for a parameter `$ref`
    /// that does not resolve.
    pub fn new(doc: &'a OpenAPI, target: &Url) -> Result<Api<'a>, ConformError> {
        let raw = serde_json::to_value(doc)
            .map_err(|error| ConformError::SpecToJson(error.to_string()))?;
        let base_url = base_url(doc, target)?;
        let mut ops = Vec::new();
        let mut paths = Vec::new();
        for (path, item) in doc.paths.iter() {
            let Some(item) = item.as_item() else {
                // Path item `$ref`s point at other files in practice; nothing to call here.
                continue;
            };
            let first_idx = ops.len();
            let mut documented = Vec::new();
            for (method, operation) in item.iter() {
                let Ok(method) = Method::from_bytes(method.to_ascii_uppercase().as_bytes()) else {
                    continue;
                };
                let params = merge_params(doc, &item.parameters, &operation.parameters)?;
                let name =
                    operation.operation_id.clone().unwrap_or_else(|| format!("{method} {path}"));
                documented.push(method.clone());
                ops.push(Op { name, method, path, operation, params });
            }
            if documented.is_empty() {
                continue;
            }
            let representative_idx = (first_idx..ops.len())
                .find(|&idx| ops[idx].method == Method::GET)
                .unwrap_or(first_idx);
            paths.push(PathEntry { path, documented, representative_idx });
        }
        Ok(Api { doc, raw, base_url, ops, paths })
    }

    /// The `components.schemas` of the document as JSON (empty when it has none).
    pub fn component_schemas(&self) -> Option<&serde_json::Map<String, Value>> {
        self.raw.pointer("/components/schemas").and_then(Value::as_object)
    }

    /// The security requirements in force for an operation: its own, else the document's.
    pub fn security_of(&self, op: &Op<'a>) -> &'a [openapiv3::SecurityRequirement] {
        match &op.operation.security {
            Some(requirements) => requirements,
            None => self.doc.security.as_deref().unwrap_or(&[]),
        }
    }

    /// A security scheme by name.
    pub fn security_scheme(&self, name: &str) -> Option<&'a SecurityScheme> {
        let item = self.doc.components.as_ref()?.security_schemes.get(name)?;
        resolve(self.doc, item).ok()
    }
}

fn merge_params<'a>(
    doc: &'a OpenAPI,
    path_level: &'a [ReferenceOr<Parameter>],
    op_level: &'a [ReferenceOr<Parameter>],
) -> Result<Vec<Param<'a>>, ConformError> {
    let mut merged: Vec<Param<'a>> = Vec::new();
    for item in path_level.iter().chain(op_level) {
        let parameter = resolve(doc, item)
            .map_err(|message| ConformError::Document(format!("parameter {message}")))?;
        let param = match parameter {
            Parameter::Path { parameter_data, .. } => {
                Param { location: ParamIn::Path, data: parameter_data }
            }
            Parameter::Query { parameter_data, .. } => {
                Param { location: ParamIn::Query, data: parameter_data }
            }
            Parameter::Header { parameter_data, .. } => {
                Param { location: ParamIn::Header, data: parameter_data }
            }
            Parameter::Cookie { parameter_data, .. } => {
                Param { location: ParamIn::Cookie, data: parameter_data }
            }
        };
        // Later (operation-level) definitions replace earlier ones of the same name and place.
        merged.retain(|p| !(p.location == param.location && p.data.name == param.data.name));
        merged.push(param);
    }
    Ok(merged)
}

/// A kind of object that can live in `components` and be the target of a `$ref`.
pub trait Component: Sized {
    const SECTION: &'static str;
    fn lookup<'c>(components: &'c Components, name: &str) -> Option<&'c ReferenceOr<Self>>;
}

macro_rules! component {
    ($type:ty, $section:literal, $field:ident) => {
        impl Component for $type {
            const SECTION: &'static str = $section;
            fn lookup<'c>(components: &'c Components, name: &str) -> Option<&'c ReferenceOr<Self>> {
                components.$field.get(name)
            }
        }
    };
}

component!(Parameter, "parameters", parameters);
component!(RequestBody, "requestBodies", request_bodies);
component!(Response, "responses", responses);
component!(Header, "headers", headers);
component!(Example, "examples", examples);
component!(SecurityScheme, "securitySchemes", security_schemes);
component!(Link, "links", links);

/// How many `$ref` hops are followed before a chain is declared circular.
const MAX_REF_HOPS: usize = 16;

/// Follows `#/components/<section>/<name>` references to the object they name.
///
/// # Errors
/// A message naming the reference when it points elsewhere (another file), names nothing, or
/// loops.
pub fn resolve<'d, T: Component>(
    doc: &'d OpenAPI,
    item: &'d ReferenceOr<T>,
) -> Result<&'d T, String> {
    let mut current = item;
    for _ in 0..MAX_REF_HOPS {
        match current {
            ReferenceOr::Item(value) => return Ok(value),
            ReferenceOr::Reference { reference } => {
                let prefix = format!("#/components/{}/", T::SECTION);
                let name = reference.strip_prefix(&prefix).ok_or_else(|| {
                    format!(
                        "$ref {reference:?} is not a local #/components/{} reference",
                        T::SECTION
                    )
                })?;
                current = doc
                    .components
                    .as_ref()
                    .and_then(|components| T::lookup(components, &unescape_pointer(name)))
                    .ok_or_else(|| format!("$ref {reference:?} names nothing in the document"))?;
            }
        }
    }
    Err(format!("$ref chain longer than {MAX_REF_HOPS} hops (circular?)"))
}

/// Undoes JSON-pointer escaping of one reference token (`~1` is `/`, `~0` is `~`).
pub fn unescape_pointer(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(yaml: &str) -> OpenAPI {
        serde_norway::from_str(yaml).unwrap()
    }

    const MINIMAL: &str = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n";

    #[test]
    fn base_url_keeps_the_server_base_path_on_the_target_host() {
        let with_server = format!("{MINIMAL}servers: [{{url: 'http://127.0.0.1:8104/billing'}}]\n");
        let target = Url::parse("http://10.0.0.1:9000").unwrap();
        assert_eq!(
            base_url(&doc(&with_server), &target).unwrap().as_str(),
            "http://10.0.0.1:9000/billing"
        );
        let target = Url::parse("https://gw.example/proxy/").unwrap();
        assert_eq!(
            base_url(&doc(&with_server), &target).unwrap().as_str(),
            "https://gw.example/proxy/billing"
        );
    }

    #[test]
    fn base_url_handles_relative_servers_variables_and_no_servers() {
        let target = Url::parse("http://h:1/").unwrap();
        let relative = format!("{MINIMAL}servers: [{{url: /v2/}}]\n");
        assert_eq!(base_url(&doc(&relative), &target).unwrap().as_str(), "http://h:1/v2");
        let variables = format!(
            "{MINIMAL}servers: [{{url: 'https://{{host}}/api/{{version}}', variables: {{host: {{default: x}}, version: {{default: v3}}}}}}]\n"
        );
        assert_eq!(base_url(&doc(&variables), &target).unwrap().as_str(), "http://h:1/api/v3");
        assert_eq!(base_url(&doc(MINIMAL), &target).unwrap().as_str(), "http://h:1/");
    }

    #[test]
    fn a_target_that_cannot_carry_a_path_is_refused() {
        let target = Url::parse("mailto:qa@example.com").unwrap();
        assert!(matches!(base_url(&doc(MINIMAL), &target), Err(ConformError::Target { .. })));
    }

    #[test]
    fn operation_parameters_override_path_parameters_and_refs_resolve() {
        let text = format!(
            "{}{}",
            MINIMAL.replace("paths: {}\n", ""),
            r#"
paths:
  /w/{id}:
    parameters:
      - {name: id, in: path, required: true, schema: {type: string}, example: path-level}
      - $ref: '#/components/parameters/Verbose'
    get:
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}, example: op-level}
      responses: {'200': {description: ok}}
    delete:
      operationId: deleteW
      responses: {'204': {description: gone}}
components:
  parameters:
    Verbose: {name: verbose, in: query, schema: {type: boolean}}
"#
        );
        let doc = doc(&text);
        let api = Api::new(&doc, &Url::parse("http://h").unwrap()).unwrap();
        assert_eq!(api.ops.len(), 2);
        let get = &api.ops[0];
        assert_eq!(get.name, "GET /w/{id}");
        assert_eq!(get.params.len(), 2);
        let id = get.params.iter().find(|p| p.data.name == "id").unwrap();
        assert_eq!(id.data.example, Some(Value::from("op-level")));
        assert_eq!(api.ops[1].name, "deleteW");
        assert_eq!(api.paths[0].documented, vec![Method::GET, Method::DELETE]);
    }
}
