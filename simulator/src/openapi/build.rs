//! Turning one family's table into an OpenAPI document.
//!
//! The document is assembled as JSON and then parsed into `openapiv3::OpenAPI`, which checks
//! its structure; a table that produces an invalid document fails `document_for` in tests.

use openapiv3::OpenAPI;
use schemars::generate::SchemaSettings;
use schemars::{Schema, SchemaGenerator};
use serde_json::{Map, Value, json};

use crate::http::contract::{BodyDoc, FamilyDoc, Param, ParamIn, ParamSchema, SecurityDoc};
use crate::http::endpoint::{BodyKind, Endpoint, Family};

/// Builds the document of family `F`, served by default on 127.0.0.1:`default_port`.
///
/// # Panics
/// When the table produces a structurally invalid document — a bug in a table, caught by the
/// tests of every family, never at request time.
pub fn document_for<F: Family>(default_port: u16) -> OpenAPI {
    let info = F::doc();
    let mut requests = SchemaSettings::openapi3().for_deserialize().into_generator();
    let mut responses = SchemaSettings::openapi3().for_serialize().into_generator();
    let mut paths: Map<String, Value> = Map::new();

    for endpoint in F::endpoints() {
        let operation = operation::<F>(endpoint, &info, &mut requests, &mut responses);
        let item = paths.entry(endpoint.path.to_owned()).or_insert_with(|| json!({}));
        item[endpoint.method.as_str().to_ascii_lowercase()] = operation;
    }

    let mut schemas = requests.take_definitions(true);
    for (name, schema) in responses.take_definitions(true) {
        schemas.entry(name).or_insert(schema);
    }

    let doc = json!({
        "openapi": "3.0.3",
        "info": {
            "title": info.title,
            "version": env!("CARGO_PKG_VERSION"),
            "description": info.description,
        },
        "servers": [{
            "url": format!("http://127.0.0.1:{default_port}{}", info.base_path),
            "description": "provsim default listener (any host and port: see `provsim serve --help`)",
        }],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": security_schemes(info.security),
        },
    });
    match serde_json::from_value::<OpenAPI>(doc) {
        Ok(doc) => doc,
        Err(error) => panic!("the {} table produces an invalid OpenAPI document: {error}", F::NAME),
    }
}

fn operation<F: Family>(
    endpoint: &Endpoint<F>,
    info: &FamilyDoc,
    requests: &mut SchemaGenerator,
    responses: &mut SchemaGenerator,
) -> Value {
    let mut op = json!({
        "operationId": endpoint.operation_id,
        "summary": endpoint.summary,
        "parameters": endpoint.params.iter().map(parameter).collect::<Vec<_>>(),
        "responses": {},
    });
    if !endpoint.description.is_empty() {
        op["description"] = json!(endpoint.description);
    }
    if let BodyKind::Json { schema, example } = endpoint.body {
        let mut media = json!({ "schema": to_value(schema(requests)) });
        if let Some(example) = example.and_then(|e| serde_json::from_str::<Value>(e).ok()) {
            media["example"] = example;
        }
        op["requestBody"] = json!({ "required": true, "content": { "application/json": media } });
    }
    if info.security.is_empty() {
        op["security"] = json!([]);
    } else {
        op["security"] =
            Value::Array(info.security.iter().map(|s| json!({ scheme_name(s): [] })).collect());
    }
    for response in endpoint.responses {
        let mut doc = json!({ "description": response.description });
        let example = response.example.and_then(|e| serde_json::from_str::<Value>(e).ok());
        match response.body {
            BodyDoc::Empty => {}
            BodyDoc::Json(schema) => {
                doc["content"] = json!({ "application/json": media(schema(responses), example) });
            }
            BodyDoc::Xml(schema) => {
                doc["content"] = json!({ "text/xml": media(schema(responses), example) });
            }
            BodyDoc::Jsonp { schema, callback_param } => {
                let schema = schema(responses);
                doc["content"] = json!({
                    "application/javascript": { "schema": to_value(schema.clone()) },
                    "application/json": media(schema, example),
                });
                op["x-jsonp-callback-param"] = json!(callback_param);
            }
        }
        if response.status == 405 {
            doc["headers"] = json!({ "Allow": {
                "description": "The methods this path documents, comma-separated.",
                "required": true,
                "schema": { "type": "string" },
            }});
        }
        if response.status == 429 {
            doc["headers"] = json!({ "Retry-After": {
                "description": "Seconds until the rate-limit window moves.",
                "required": true,
                "schema": { "type": "integer", "minimum": 0 },
            }});
        }
        let links: Map<String, Value> = endpoint
            .links
            .iter()
            .filter(|_| (200..300).contains(&response.status))
            .map(|link| {
                let value = json!({
                    "operationId": link.operation_id,
                    "parameters": { link.parameter: link.expression },
                });
                (link.name.to_owned(), value)
            })
            .collect();
        if !links.is_empty() {
            doc["links"] = Value::Object(links);
        }
        op["responses"][response.status.to_string()] = doc;
    }
    op
}

fn media(schema: Schema, example: Option<Value>) -> Value {
    let mut media = json!({ "schema": to_value(schema) });
    if let Some(example) = example {
        media["example"] = example;
    }
    media
}

fn parameter(param: &Param) -> Value {
    let schema = match param.schema {
        ParamSchema::String { pattern, max_length } => {
            let mut schema = json!({ "type": "string" });
            if let Some(pattern) = pattern {
                schema["pattern"] = json!(pattern);
            }
            if let Some(max) = max_length {
                schema["maxLength"] = json!(max);
            }
            schema
        }
        ParamSchema::Integer { minimum, maximum } => {
            let mut schema = json!({ "type": "integer", "format": "int64" });
            if let Some(min) = minimum {
                schema["minimum"] = json!(min);
            }
            if let Some(max) = maximum {
                schema["maximum"] = json!(max);
            }
            schema
        }
        ParamSchema::Enum(values) => json!({ "type": "string", "enum": values }),
    };
    let location = match param.location {
        ParamIn::Path => "path",
        ParamIn::Query => "query",
        ParamIn::Header => "header",
    };
    let example = match param.schema {
        ParamSchema::Integer { .. } => {
            param.example.parse::<i64>().map(Value::from).unwrap_or_else(|_| json!(param.example))
        }
        _ => json!(param.example),
    };
    json!({
        "name": param.name,
        "in": location,
        "required": param.required || param.location == ParamIn::Path,
        "description": param.description,
        "schema": schema,
        "example": example,
    })
}

fn scheme_name(scheme: &SecurityDoc) -> &'static str {
    match scheme {
        SecurityDoc::Bearer { name }
        | SecurityDoc::QueryKey { name, .. }
        | SecurityDoc::Basic { name } => name,
    }
}

fn security_schemes(schemes: &[SecurityDoc]) -> Value {
    let mut out = Map::new();
    for scheme in schemes {
        let value = match scheme {
            SecurityDoc::Bearer { .. } => json!({ "type": "http", "scheme": "bearer" }),
            SecurityDoc::QueryKey { param, .. } => {
                json!({ "type": "apiKey", "in": "query", "name": param })
            }
            SecurityDoc::Basic { .. } => json!({ "type": "http", "scheme": "basic" }),
        };
        out.insert(scheme_name(scheme).to_owned(), value);
    }
    Value::Object(out)
}

fn to_value(schema: Schema) -> Value {
    schema.to_value()
}
