//! Server functions: the adapters between the pages and the services. Each one
//! finds out who is asking, calls the backend, and maps the outcome. No SQL and
//! no business rule lives here. Endpoints are stable (`/api/...`) because tests
//! and scripts call them directly.

pub mod auth;
pub mod campaigns;
pub mod containment;
pub mod evidence;
pub mod external;
pub mod incidents;
pub mod mail;
pub mod metrics;
pub mod notices;
pub mod observables;
pub mod reports;
pub mod users;
pub mod workflow;

#[cfg(feature = "ssr")]
pub(crate) mod ctx {
    use leptos::prelude::*;

    use crate::domain::AppError;
    use crate::domain::policy::Actor;
    use crate::ports::{CurrentUser, Services};

    pub fn services() -> Result<Services, AppError> {
        use_context::<Services>().ok_or(AppError::Internal)
    }

    /// The signed-in user, or `Unauthenticated` (and a 401 status).
    pub fn actor() -> Result<Actor, AppError> {
        current().ok_or(AppError::Unauthenticated).map_err(status)
    }

    pub fn current() -> Option<Actor> {
        use_context::<http::request::Parts>()
            .and_then(|p| p.extensions.get::<CurrentUser>().cloned())
            .and_then(|c| c.0)
    }

    /// Sets the HTTP status that belongs to the error, for the server
    /// function's answer or for the page being rendered; `Busy` also says
    /// when to come back (`Retry-After`).
    pub fn status(e: AppError) -> AppError {
        if let Some(res) = use_context::<leptos_axum::ResponseOptions>()
            && let Ok(code) = http::StatusCode::from_u16(e.status())
        {
            res.set_status(code);
            if let AppError::Busy(seconds) = e {
                res.insert_header(http::header::RETRY_AFTER, seconds.into());
            }
        }
        e
    }
}
