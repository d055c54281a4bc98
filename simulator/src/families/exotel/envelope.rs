//! The Exotel v2 envelope that wraps every JSON answer of the family, success or failure:
//!
//! ```json
//! {"request_id": "<32 lowercase hex>", "method": "POST", "http_code": 207,
//!  "metadata": {...}, "response": {...} | [{...}, ...]}
//! ```
//!
//! `metadata` appears only on bulk create and list; `response` is one [`Outcome`] for
//! single-resource calls and an array of them for bulk create and list. Kept apart from the
//! handlers so that success answers, handler errors and router-level errors are built by the
//! same code and cannot drift apart.

use http::{Method, StatusCode};
use schemars::JsonSchema;
use serde::Serialize;

use super::errors::{ErrorData, ExotelError};
use crate::http::Response;
use crate::http::reply;

/// The top-level document.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Envelope<'a, R, M> {
    /// 32 lowercase hex digits, new for every request.
    #[schemars(regex(pattern = "^[0-9a-f]{32}$"), extend("x-volatile" = true))]
    pub request_id: String,
    /// The HTTP verb of the request.
    pub method: &'a str,
    /// Always the real HTTP status of the answer.
    pub http_code: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<M>,
    pub response: R,
}

/// One result: the single answer of a call, or one item of a bulk create or a list.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Outcome<D> {
    /// The HTTP-like status of this result (200 for each successful bulk item under a 207).
    pub code: u16,
    pub error_data: Option<ErrorData>,
    pub status: OutcomeStatus,
    pub data: Option<D>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum OutcomeStatus {
    Success,
    Failure,
}

/// `metadata` of a bulk create (the seed's key order: failed, then success).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
pub struct BulkCounts {
    pub failed: usize,
    pub success: usize,
}

/// `metadata` of a list; see `paging`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct PageLinks {
    pub first_page_uri: String,
    pub prev_page_uri: Option<String>,
    pub next_page_uri: Option<String>,
}

/// Metadata for answers that have none; never serialized (the field is skipped as `None`).
#[derive(Debug, Clone, Copy, Serialize, JsonSchema)]
pub enum NoMetadata {}

impl<D> Outcome<D> {
    pub fn success(data: D) -> Self {
        Outcome { code: 200, error_data: None, status: OutcomeStatus::Success, data: Some(data) }
    }

    pub fn failure(error: &ExotelError) -> Self {
        Outcome {
            code: error.status().as_u16(),
            error_data: Some(error.error_data()),
            status: OutcomeStatus::Failure,
            data: None,
        }
    }

    pub fn from_result(result: Result<D, ExotelError>) -> Self {
        match result {
            Ok(data) => Outcome::success(data),
            Err(error) => Outcome::failure(&error),
        }
    }

    pub fn is_success(&self) -> bool {
        self.status == OutcomeStatus::Success
    }
}

/// Serializes an envelope with `status` as both the HTTP status and `http_code`.
pub fn render<R: Serialize, M: Serialize>(
    status: StatusCode,
    request_id: String,
    method: &Method,
    metadata: Option<M>,
    response: R,
) -> Response {
    let envelope = Envelope {
        request_id,
        method: method.as_str(),
        http_code: status.as_u16(),
        metadata,
        response,
    };
    reply::json(status, &envelope)
}

/// The envelope of a whole-request failure: `response` is one failed [`Outcome`].
pub fn render_error(error: &ExotelError, request_id: String, method: &Method) -> Response {
    let outcome: Outcome<()> = Outcome::failure(error);
    render(error.status(), request_id, method, None::<NoMetadata>, outcome)
}

#[cfg(test)]
mod tests {
    use http_body_util::BodyExt;
    use serde_json::{Value, json};

    use super::*;

    async fn body_of(response: Response) -> (StatusCode, Value) {
        let status = response.status();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        (status, serde_json::from_slice(&bytes).unwrap())
    }

    #[tokio::test]
    async fn a_failure_matches_the_seed_delete_404_exactly() {
        let id = "af0087d5331f479599d2c987efe9f664".to_owned();
        let response = render_error(&ExotelError::SubscriberNotFound, id, &Method::DELETE);
        let (status, body) = body_of(response).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(
            body,
            json!({
                "request_id": "af0087d5331f479599d2c987efe9f664",
                "method": "DELETE",
                "http_code": 404,
                "response": {
                    "code": 404,
                    "error_data": {"code": 1000, "description": "Subscriber not found", "message": "Not Found"},
                    "status": "failure",
                    "data": null
                }
            })
        );
    }

    #[tokio::test]
    async fn bulk_answers_carry_metadata_and_an_array() {
        let items = vec![
            Outcome::success(json!({"subscriber_name": "bob"})),
            Outcome::failure(&ExotelError::MissingParameter { parameter: "subscriber_name" }),
        ];
        let metadata = BulkCounts { failed: 1, success: 1 };
        let response =
            render(StatusCode::MULTI_STATUS, "0".repeat(32), &Method::POST, Some(metadata), items);
        let (status, body) = body_of(response).await;
        assert_eq!(status.as_u16(), 207);
        assert_eq!(body["http_code"], 207);
        assert_eq!(body["metadata"], json!({"failed": 1, "success": 1}));
        assert_eq!(body["response"][0]["error_data"], Value::Null);
        assert_eq!(body["response"][1]["code"], 400);
        assert_eq!(body["response"][1]["error_data"]["code"], 1001);
        assert_eq!(body["response"][1]["data"], Value::Null);
    }

    #[tokio::test]
    async fn single_answers_have_no_metadata_key() {
        let response = render(
            StatusCode::OK,
            "0".repeat(32),
            &Method::GET,
            None::<NoMetadata>,
            Outcome::success(json!({})),
        );
        let (_, body) = body_of(response).await;
        let mut keys: Vec<&str> = body.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(keys, ["http_code", "method", "request_id", "response"]);
    }
}
