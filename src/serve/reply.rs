//! Every answer of the server: JSON bodies, and errors as one line of JSON
//! `{"error": "...", "hint": "..."}` with the status that fits.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::error::Error;

/// A JSON body already written (by the same writers as the command line).
pub fn json(body: String) -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        body,
    )
        .into_response()
}

/// `response` with the time its work took on the server, as a
/// `Server-Timing` header (milliseconds): what a load test reports as the
/// server's own latency, apart from the network's.
pub fn timed(mut response: Response, what: &str, took: std::time::Duration) -> Response {
    let value = format!("{what};dur={:.3}", took.as_secs_f64() * 1000.0);
    if let Ok(v) = header::HeaderValue::from_str(&value) {
        response.headers_mut().insert("server-timing", v);
    }
    response
}

/// An error answer.
#[derive(Debug)]
pub struct Failure {
    status: StatusCode,
    error: String,
    hint: Option<String>,
}

#[derive(Serialize)]
struct FailureBody<'a> {
    error: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    hint: Option<&'a str>,
}

impl Failure {
    /// A failure with `status`, a message and a hint.
    pub fn new(status: StatusCode, error: impl Into<String>, hint: impl Into<String>) -> Self {
        Failure {
            status,
            error: error.into(),
            hint: Some(hint.into()),
        }
    }

    /// The request is unusable as sent.
    pub fn bad_request(error: impl Into<String>, hint: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, error, hint)
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        let status = match &e {
            Error::Query(_) | Error::Usage(_) => StatusCode::BAD_REQUEST,
            Error::Timeout { .. } => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        let hint = e.hint().unwrap_or_else(|| {
            if status == StatusCode::BAD_REQUEST {
                "check the request against the API's documentation (docs/api.md)".to_string()
            } else {
                "try again; if it goes on failing, run the same query with `policy-search query`"
                    .to_string()
            }
        });
        Failure {
            status,
            error: e.to_string(),
            hint: Some(hint),
        }
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        let body = FailureBody {
            error: &self.error,
            hint: self.hint.as_deref(),
        };
        let mut text = serde_json::to_string(&body).expect("strings serialize");
        text.push('\n');
        (
            self.status,
            [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
            text,
        )
            .into_response()
    }
}
