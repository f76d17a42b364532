//! Request routing and the checks common to every call: method, counters, latency, injected
//! faults, content type, protocol version and auth.

mod list;
mod transaction;
mod unary;

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Method as HttpMethod, Request, Response, StatusCode, header};

use super::connect::{self, STREAM_CONTENT_TYPE, UNARY_CONTENT_TYPE};
use super::error::{Code, ConnectError};
use super::faults::Fault;
use super::server::Shared;
use super::stats::{Method, bump};

fn error_for(method: Method, err: &ConnectError) -> Response<Body> {
    if method.is_stream() {
        connect::stream_error(err)
    } else {
        connect::unary_error(err)
    }
}

fn with_status(mut resp: Response<Body>, status: StatusCode) -> Response<Body> {
    *resp.status_mut() = status;
    resp
}

/// Serves one HTTP request.
pub(crate) async fn dispatch(shared: Arc<Shared>, req: Request<Body>) -> Response<Body> {
    let path = req.uri().path().to_owned();
    let Some(method) = Method::from_path(&path) else {
        let err = ConnectError::new(Code::Unimplemented, format!("no procedure {path}"));
        return with_status(connect::unary_error(&err), StatusCode::NOT_FOUND);
    };
    if req.method() != HttpMethod::POST {
        let err = ConnectError::new(Code::Unimplemented, "only POST is supported");
        return with_status(connect::unary_error(&err), StatusCode::METHOD_NOT_ALLOWED);
    }
    shared.counters.call(method);
    let delay = shared.faults.latency(method);
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    if let Some(fault) = shared.faults.take(method) {
        bump(&shared.counters.faults, 1);
        return match fault {
            Fault::Unavailable => error_for(
                method,
                &ConnectError::unavailable("injected fault: service unavailable"),
            ),
            Fault::Error(e) => error_for(method, &e),
            Fault::RawHttp { status, body } => connect::raw(status, body),
        };
    }
    let headers = req.headers();
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(str::trim)
        .unwrap_or_default();
    let expected = if method.is_stream() {
        STREAM_CONTENT_TYPE
    } else {
        UNARY_CONTENT_TYPE
    };
    if !content_type.eq_ignore_ascii_case(expected) {
        let err =
            ConnectError::invalid(format!("content type {content_type:?} is not {expected:?}"));
        return with_status(
            connect::unary_error(&err),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        );
    }
    let version = headers
        .get("connect-protocol-version")
        .and_then(|v| v.to_str().ok());
    if version.is_some_and(|v| v != "1") || (version.is_none() && !method.is_stream()) {
        let err =
            ConnectError::invalid("missing required header: set Connect-Protocol-Version to \"1\"");
        return error_for(method, &err);
    }
    if method != Method::GetAuthToken {
        let auth = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok());
        if let Err(e) = shared.auth.check(auth, shared.now()) {
            return error_for(method, &e);
        }
    }
    let body = req.into_body();
    match method {
        Method::GetAuthToken => unary::get_auth_token(&shared, body).await,
        Method::Put => unary::put(&shared, body).await,
        Method::Get => unary::get(&shared, body).await,
        Method::Delete => unary::delete(&shared, body).await,
        Method::BeginList => list::begin_list(&shared, body).await,
        Method::ContinueList => list::continue_list(&shared, body).await,
        Method::Transaction => transaction::transaction(shared, body),
    }
}
