//! Error policy. Three layers, three kinds of error:
//! - bad input is not an error at all: it is `FormResult::Invalid`, field by
//!   field, so the page can show it in place and keep what the user typed;
//! - `AppError` is what a request can fail with after its input is valid. It is
//!   the only error that crosses from the server to the browser, it maps onto an
//!   HTTP status (401, 403, 404, 409, 500, 503) and it never carries internal detail;
//! - the server's own errors (database, I/O, hashing) are logged with their
//!   detail where they happen and become `AppError::Internal`.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum AppError {
    #[error("sign-in required")]
    Unauthenticated,
    #[error("forbidden")]
    Forbidden,
    #[error("not found")]
    NotFound,
    /// The change clashes with the state of things (the username is taken,
    /// an administrator deactivating themselves): the code says which, in
    /// words the page translates.
    #[error("conflict: {0:?}")]
    Conflict(super::form::ErrorCode),
    #[error("internal error")]
    Internal,
    /// The server is at its limit for expensive work (password hashing):
    /// try again after this many seconds (503 with `Retry-After`).
    #[error("busy: retry after {0} s")]
    Busy(u64),
    /// The request did not reach the server function or its answer could not
    /// be read (network, encoding).
    #[error("request failed: {0}")]
    Transport(String),
}

impl AppError {
    pub fn status(&self) -> u16 {
        match self {
            AppError::Unauthenticated => 401,
            AppError::Forbidden => 403,
            AppError::NotFound => 404,
            AppError::Conflict(_) => 409,
            AppError::Internal | AppError::Transport(_) => 500,
            AppError::Busy(_) => 503,
        }
    }
}

impl leptos::server_fn::error::FromServerFnError for AppError {
    type Encoder = leptos::server_fn::codec::JsonEncoding;

    fn from_server_fn_error(value: leptos::server_fn::error::ServerFnErrorErr) -> Self {
        AppError::Transport(value.to_string())
    }
}
