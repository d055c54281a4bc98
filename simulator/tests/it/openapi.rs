//! The checked-in OpenAPI documents (`contracts/openapi/`) are exactly what the endpoint
//! tables generate, and each is a self-consistent OpenAPI 3.0.3 document.

use std::path::PathBuf;

use provsim::config::FamilyId;
use provsim::openapi;
use serde_json::Value;

const REFRESH: &str = "cargo run -p provsim -- openapi --out contracts/openapi";

fn checked_in(family: FamilyId) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../contracts/openapi")
        .join(openapi::file_name(family))
}

fn generated_yaml(family: FamilyId) -> String {
    openapi::to_yaml(&openapi::document(family)).expect("the document renders as YAML")
}

#[test]
fn checked_in_documents_match_the_endpoint_tables() {
    let bless = std::env::var_os("PROVSIM_BLESS").is_some();
    let mut stale = Vec::new();
    for family in FamilyId::ALL {
        let path = checked_in(family);
        let generated = generated_yaml(family);
        let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
        if on_disk != generated {
            if bless {
                std::fs::write(&path, &generated).expect("write the refreshed document");
            } else {
                stale.push(path.display().to_string());
            }
        }
    }
    assert!(
        stale.is_empty(),
        "these contracts differ from the endpoint tables: {stale:?}\n\
         refresh them with `{REFRESH}` (or PROVSIM_BLESS=1 cargo test) and review the diff"
    );
}

/// Every `$ref` in `value`, with the JSON path where it stands.
fn refs<'a>(value: &'a Value, at: String, out: &mut Vec<(String, &'a str)>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                if key == "$ref"
                    && let Some(target) = child.as_str()
                {
                    out.push((at.clone(), target));
                }
                refs(child, format!("{at}/{key}"), out);
            }
        }
        Value::Array(items) => {
            for (idx, child) in items.iter().enumerate() {
                refs(child, format!("{at}/{idx}"), out);
            }
        }
        _ => {}
    }
}

#[test]
fn every_checked_in_document_parses_and_every_ref_resolves() {
    for family in FamilyId::ALL {
        let text = std::fs::read_to_string(checked_in(family)).expect("the document is checked in");
        let parsed: openapiv3::OpenAPI = serde_norway::from_str(&text).expect("valid OpenAPI 3.0");
        assert_eq!(parsed.openapi, "3.0.3");
        let json: Value = serde_norway::from_str(&text).expect("YAML");
        let mut found = Vec::new();
        refs(&json, String::new(), &mut found);
        assert!(!found.is_empty() || family == FamilyId::Control, "{family:?} has no $ref at all");
        for (at, target) in found {
            let pointer =
                target.strip_prefix('#').unwrap_or_else(|| panic!("{at}: external ref {target}"));
            assert!(
                json.pointer(pointer).is_some(),
                "{}: {at}: {target} does not resolve",
                family.name()
            );
        }
    }
}

#[test]
fn every_path_template_variable_is_a_declared_path_parameter() {
    for family in FamilyId::ALL {
        let json: Value = serde_json::to_value(openapi::document(family)).unwrap();
        for (path, item) in json["paths"].as_object().unwrap() {
            let vars: Vec<&str> = path
                .split('/')
                .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
                .collect();
            for (method, op) in item.as_object().unwrap() {
                let declared: Vec<&str> = op["parameters"]
                    .as_array()
                    .map(|ps| {
                        ps.iter()
                            .filter(|p| p["in"] == "path")
                            .filter_map(|p| p["name"].as_str())
                            .collect()
                    })
                    .unwrap_or_default();
                assert_eq!(declared, vars, "{} {method} {path}", family.name());
            }
        }
    }
}

#[test]
fn every_405_documents_the_allow_header_and_every_operation_its_security() {
    for family in FamilyId::ALL {
        let json: Value = serde_json::to_value(openapi::document(family)).unwrap();
        for (path, item) in json["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                if let Some(response) = op["responses"].get("405") {
                    assert_eq!(response["headers"]["Allow"]["required"], true, "{method} {path}");
                }
                assert!(
                    op.get("security").is_some(),
                    "{} {method} {path} has no security",
                    family.name()
                );
            }
        }
    }
}
