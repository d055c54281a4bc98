//! JSONP bodies (`NAME({...});`): checking the callback and taking out the JSON inside, so it
//! can be validated against the same schema as the plain JSON answer.

/// Why a body is not the JSONP the request asked for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JsonpError {
    #[error(
        "the body is not a JSONP call (expected NAME(...); with NAME a JavaScript identifier path)"
    )]
    NotACall,
    #[error("the body calls {found:?}, but the request asked for callback {expected:?}")]
    WrongCallback { found: String, expected: String },
}

/// The JSON text inside `NAME( ... )` with an optional `;`, surrounding whitespace and the
/// `/**/` prefix some servers add against content sniffing. When `expected_callback` is
/// given, `NAME` must be exactly it.
///
/// # Errors
/// [`JsonpError::NotACall`] when the body has no callback call shape,
/// [`JsonpError::WrongCallback`] when it calls another function.
pub fn strip<'b>(body: &'b str, expected_callback: Option<&str>) -> Result<&'b str, JsonpError> {
    let text = body.trim();
    let text = text.strip_prefix("/**/").unwrap_or(text).trim_start();
    let open_idx = text.find('(').ok_or(JsonpError::NotACall)?;
    let name = text[..open_idx].trim_end();
    if !is_identifier_path(name) {
        return Err(JsonpError::NotACall);
    }
    let rest = text[open_idx + 1..].trim_end();
    let rest = rest.strip_suffix(';').unwrap_or(rest).trim_end();
    let inner = rest.strip_suffix(')').ok_or(JsonpError::NotACall)?;
    if let Some(expected) = expected_callback
        && expected != name
    {
        return Err(JsonpError::WrongCallback {
            found: name.to_owned(),
            expected: expected.to_owned(),
        });
    }
    Ok(inner.trim())
}

/// `cb`, `app.status`, `$jsonp_1`: ASCII identifiers joined by dots.
fn is_identifier_path(name: &str) -> bool {
    !name.is_empty()
        && name.split('.').all(|part| {
            let mut chars = part.chars();
            chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$')
                && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_inner_json_is_returned() {
        assert_eq!(strip("cb({\"a\":1});", Some("cb")), Ok("{\"a\":1}"));
        assert_eq!(strip("  app.status ( [1, 2] )\n", None), Ok("[1, 2]"));
        assert_eq!(strip("/**/ $jsonp_1({});", Some("$jsonp_1")), Ok("{}"));
        // Parentheses inside the JSON do not confuse the stripping.
        assert_eq!(strip("f({\"s\":\"a)b(\"});", None), Ok("{\"s\":\"a)b(\"}"));
    }

    #[test]
    fn plain_json_and_other_scripts_are_not_jsonp() {
        assert_eq!(strip("{\"a\":1}", None), Err(JsonpError::NotACall));
        assert_eq!(strip("alert(1)//", None), Err(JsonpError::NotACall));
        assert_eq!(strip("1cb({})", None), Err(JsonpError::NotACall));
        assert_eq!(strip("cb({}", None), Err(JsonpError::NotACall));
        assert_eq!(strip("", None), Err(JsonpError::NotACall));
    }

    #[test]
    fn the_callback_must_be_the_requested_one() {
        assert_eq!(
            strip("other({});", Some("cb")),
            Err(JsonpError::WrongCallback { found: "other".into(), expected: "cb".into() })
        );
    }
}
