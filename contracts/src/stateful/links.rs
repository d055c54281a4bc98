//! The document's `links`: which operations declare them on a 2xx response, the links of the
//! response an answer's status selects, the operation a link targets (`operationId` or a
//! local `operationRef`), and the parameter of that operation each link parameter names.

use openapiv3::{Link, LinkOperation, StatusCode};

use crate::checks::documented_response;
use crate::spec::{self, Api, Op, ParamIn, method_destructiveness};

/// One link of a response, resolved (or why it could not be).
#[derive(Debug, Clone)]
pub struct NamedLink<'a> {
    pub name: &'a str,
    pub link: Result<&'a Link, String>,
    /// Index in [`Api::ops`] of the linked operation, when the link resolves to one.
    pub target_idx: Result<usize, String>,
}

/// Whether one of an operation's documented 2xx responses (`2XX` included) declares links.
pub fn declares_links(api: &Api<'_>, op: &Op<'_>) -> bool {
    op.operation.responses.responses.iter().any(|(status, response)| {
        let success = match status {
            StatusCode::Code(code) => (200..300).contains(code),
            StatusCode::Range(range) => *range == 2,
        };
        success && spec::resolve(api.doc, response).is_ok_and(|r| !r.links.is_empty())
    })
}

/// The links of the response documented for a 2xx `status` (none for other statuses), in the order the phase follows them:
/// reads, then creates and updates, then deletes (document order within each; links whose
/// target does not resolve come first, to be reported).
pub fn for_status<'a>(api: &Api<'a>, op: &Op<'a>, status: u16) -> Vec<NamedLink<'a>> {
    if !(200..300).contains(&status) {
        return Vec::new();
    }
    let Some(documented) = documented_response(op, status) else {
        return Vec::new();
    };
    let Ok(response) = spec::resolve(api.doc, documented) else {
        return Vec::new();
    };
    let mut links: Vec<NamedLink<'a>> = response
        .links
        .iter()
        .map(|(name, item)| {
            let link = spec::resolve(api.doc, item).map_err(|message| format!("link {message}"));
            let target_idx = match &link {
                Ok(link) => target(api, link),
                Err(message) => Err(message.clone()),
            };
            NamedLink { name: name.as_str(), link, target_idx }
        })
        .collect();
    links.sort_by_key(|link| match link.target_idx {
        Ok(idx) => 1 + method_destructiveness(&api.ops[idx].method),
        Err(_) => 0,
    });
    links
}

/// The operation a link targets.
///
/// # Errors
/// A message when the `operationId` names no operation, or the `operationRef` is not a local
/// `#/paths/<path>/<method>` reference to one.
pub fn target(api: &Api<'_>, link: &Link) -> Result<usize, String> {
    match &link.operation {
        LinkOperation::OperationId(id) => api
            .ops
            .iter()
            .position(|op| op.operation.operation_id.as_deref() == Some(id.as_str()))
            .ok_or_else(|| format!("operationId {id:?} names no operation of the document")),
        LinkOperation::OperationRef(reference) => {
            let not_found = || {
                format!(
                    "operationRef {reference:?} is not a local #/paths/<path>/<method> reference to an operation of the document"
                )
            };
            let rest = reference.strip_prefix("#/paths/").ok_or_else(not_found)?;
            let (path, method) = rest.rsplit_once('/').ok_or_else(not_found)?;
            let path = spec::unescape_pointer(&path.replace("%7B", "{").replace("%7D", "}"));
            api.ops
                .iter()
                .position(|op| op.path == path && op.method.as_str().eq_ignore_ascii_case(method))
                .ok_or_else(not_found)
        }
    }
}

/// The parameter of `op` a link parameter key names: `in.name` (`path.id`) or a bare name
/// (the first parameter of that name).
///
/// # Errors
/// A message when the operation has no such parameter.
pub fn parameter(op: &Op<'_>, key: &str) -> Result<(ParamIn, String), String> {
    let qualified = key.split_once('.').and_then(|(location, name)| {
        let location = match location {
            "path" => ParamIn::Path,
            "query" => ParamIn::Query,
            "header" => ParamIn::Header,
            "cookie" => ParamIn::Cookie,
            _ => return None,
        };
        op.params.iter().find(|p| p.location == location && p.data.name == name)
    });
    let param = qualified
        .or_else(|| op.params.iter().find(|p| p.data.name == key))
        .ok_or_else(|| format!("{} has no parameter {key:?}", op.name))?;
    Ok((param.location, param.data.name.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use openapiv3::OpenAPI;
    use url::Url;

    const DOC: &str = r#"
openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /w:
    post:
      operationId: createW
      responses:
        '201':
          description: created
          links:
            del: {operationId: deleteW, parameters: {id: $response.body#/id}}
            upd: {operationRef: '#/paths/~1w~1%7Bid%7D/patch', parameters: {path.id: $response.body#/id}}
            get: {$ref: '#/components/links/GetW'}
            bad: {operationId: nope}
        '400': {description: bad, links: {x: {operationId: getW}}}
  /w/{id}:
    parameters: [{name: id, in: path, required: true, schema: {type: string}}]
    get: {operationId: getW, responses: {'200': {description: ok}}}
    patch: {operationId: patchW, responses: {'200': {description: ok}}}
    delete: {operationId: deleteW, responses: {'204': {description: gone}}}
components:
  links:
    GetW: {operationId: getW, parameters: {id: $response.body#/id}}
"#;

    #[test]
    fn links_resolve_and_come_reads_first_deletes_last() {
        let doc: OpenAPI = serde_norway::from_str(DOC).unwrap();
        let api = Api::new(&doc, &Url::parse("http://h").unwrap()).unwrap();
        let create = &api.ops[0];
        assert!(declares_links(&api, create));
        assert!(!declares_links(&api, &api.ops[1]));
        let links = for_status(&api, create, 201);
        let names: Vec<&str> = links.iter().map(|l| l.name).collect();
        assert_eq!(names, ["bad", "get", "upd", "del"]);
        let targets: Vec<String> = links
            .iter()
            .map(|l| match &l.target_idx {
                Ok(idx) => api.ops[*idx].name.clone(),
                Err(message) => message.clone(),
            })
            .collect();
        assert_eq!(
            targets,
            [
                "operationId \"nope\" names no operation of the document",
                "getW",
                "patchW",
                "deleteW"
            ]
        );
        // Links of error responses are never followed.
        assert!(for_status(&api, create, 400).is_empty());
        let get = &api.ops[1];
        assert_eq!(parameter(get, "id"), Ok((ParamIn::Path, "id".to_owned())));
        assert_eq!(parameter(get, "path.id"), Ok((ParamIn::Path, "id".to_owned())));
        assert!(parameter(get, "query.id").is_err());
    }
}
