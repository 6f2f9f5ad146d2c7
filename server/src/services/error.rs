//! The services' one error type.
//!
//! Which error belongs to which layer:
//! - **The domain** (`app::domain`) answers with values, not errors: a rule
//!   that says no is a [`Refusal`], bad input is a list of [`FieldError`]s.
//! - **The services** (this module and its siblings) fail with
//!   [`ServiceError`]. A refusal or a field error passes through it
//!   unchanged; a database or evidence-store failure arrives by `?` (`#[from]`)
//!   with its detail; a stored value the code does not understand is
//!   [`ServiceError::Corrupt`]; what the client may learn (not found,
//!   forbidden, a conflict with its code, busy) is [`ServiceError::App`].
//! - **The edge** (the `Backend` impl in `services/mod.rs` and the file routes
//!   in `web_evidence.rs`) converts it once: [`ServiceError::into_form`] for a
//!   change whose refusals the page shows next to the form, `AppError::from`
//!   for everything else. Internal detail is logged there and the client gets
//!   `AppError::Internal`, never the text.
//! - **`AppError`** is the only error that crosses to the browser; it maps to
//!   an HTTP status and carries translatable codes, never English prose.

use app::domain::AppError;
use app::domain::form::{ErrorCode, FieldError, FormResult};
use app::domain::workflow::Refusal;

use crate::evidence_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// A domain rule refused: `Role` and `OwnProposal` become 403, the
    /// others a message on the form.
    #[error("refused by a rule: {0:?}")]
    Rule(Refusal),
    /// The input is not acceptable, field by field.
    #[error("invalid input: {0:?}")]
    Fields(Vec<FieldError>),
    /// What the client may be told as it is.
    #[error(transparent)]
    App(#[from] AppError),
    #[error("database: {0}")]
    Db(#[from] sea_orm::DbErr),
    #[error("evidence store: {0}")]
    Store(#[from] StoreError),
    /// A stored value the code does not understand (an unknown phase id, a
    /// role that is not in the model): a bug or a tampered row.
    #[error("stored value not understood: {0}")]
    Corrupt(&'static str),
}

pub type ServiceResult<T> = Result<T, ServiceError>;

/// The store's file operations answer plain I/O errors.
impl From<std::io::Error> for ServiceError {
    fn from(e: std::io::Error) -> Self {
        ServiceError::Store(StoreError::Io(e))
    }
}

impl From<Refusal> for ServiceError {
    fn from(r: Refusal) -> Self {
        ServiceError::Rule(r)
    }
}

impl ServiceError {
    pub const NOT_FOUND: ServiceError = ServiceError::App(AppError::NotFound);
    pub const FORBIDDEN: ServiceError = ServiceError::App(AppError::Forbidden);

    /// A conflict the client is told with a translatable code (409).
    pub fn conflict(code: ErrorCode) -> Self {
        ServiceError::App(AppError::Conflict(code))
    }

    /// One field error.
    pub fn field(field: &str, code: ErrorCode) -> Self {
        ServiceError::Fields(vec![FieldError {
            field: field.into(),
            code,
        }])
    }

    /// The answer of a change the page shows next to its form: a refusal
    /// (other than of the roles) or bad input is `FormResult::Invalid`; the
    /// rest is an `AppError`.
    pub fn into_form<T>(self) -> Result<FormResult<T>, AppError> {
        match self {
            ServiceError::Rule(Refusal::Role | Refusal::OwnProposal) => Err(AppError::Forbidden),
            ServiceError::Rule(r) => Ok(FormResult::Invalid(vec![FieldError {
                field: "command".into(),
                code: ErrorCode::Refused(r),
            }])),
            ServiceError::Fields(errors) => Ok(FormResult::Invalid(errors)),
            other => Err(other.into()),
        }
    }
}

/// The one place a service error becomes what the client sees. Internal
/// detail is logged here, with its kind, and never sent.
impl From<ServiceError> for AppError {
    fn from(e: ServiceError) -> AppError {
        match e {
            ServiceError::App(e) => e,
            ServiceError::Rule(Refusal::Role | Refusal::OwnProposal) => AppError::Forbidden,
            ServiceError::Rule(r) => {
                // A refusal outside a form: nothing on the page to attach it
                // to, so it is a conflict with the refusal's code.
                AppError::Conflict(ErrorCode::Refused(r))
            }
            ServiceError::Fields(errors) => {
                tracing::error!(?errors, "field errors outside a form");
                AppError::Internal
            }
            ServiceError::Db(e) => {
                tracing::error!(error = %e, "database error");
                AppError::Internal
            }
            ServiceError::Store(e) => {
                tracing::error!(error = %e, "evidence store error");
                AppError::Internal
            }
            ServiceError::Corrupt(what) => {
                tracing::error!(what, "stored value not understood");
                AppError::Internal
            }
        }
    }
}

/// Helpers for reading stored ids back into domain values.
pub trait OrCorrupt<T> {
    /// `None` (a stored id the code does not know) is `Corrupt(what)`.
    fn or_corrupt(self, what: &'static str) -> ServiceResult<T>;
}

impl<T> OrCorrupt<T> for Option<T> {
    fn or_corrupt(self, what: &'static str) -> ServiceResult<T> {
        self.ok_or(ServiceError::Corrupt(what))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_detail_never_reaches_the_client() {
        let db = ServiceError::Db(sea_orm::DbErr::Custom(
            "password=hunter2 at db.internal".into(),
        ));
        let app: AppError = db.into();
        assert_eq!(app, AppError::Internal);
        assert!(!format!("{app:?}").contains("hunter2"));
        let corrupt: AppError = ServiceError::Corrupt("task.phase").into();
        assert_eq!(corrupt, AppError::Internal);
    }

    #[test]
    fn a_refusal_on_a_form_is_shown_there_unless_it_is_about_the_roles() {
        assert_eq!(
            ServiceError::Rule(Refusal::Role).into_form::<()>(),
            Err(AppError::Forbidden)
        );
        assert_eq!(
            ServiceError::Rule(Refusal::OwnProposal).into_form::<()>(),
            Err(AppError::Forbidden)
        );
        assert_eq!(
            ServiceError::Rule(Refusal::NotNow).into_form::<()>(),
            Ok(FormResult::Invalid(vec![FieldError {
                field: "command".into(),
                code: ErrorCode::Refused(Refusal::NotNow),
            }]))
        );
        assert_eq!(
            ServiceError::field("title", ErrorCode::Required).into_form::<()>(),
            Ok(FormResult::Invalid(vec![FieldError {
                field: "title".into(),
                code: ErrorCode::Required,
            }]))
        );
        assert_eq!(
            ServiceError::NOT_FOUND.into_form::<()>(),
            Err(AppError::NotFound)
        );
    }

    #[test]
    fn a_conflict_carries_a_code_not_prose() {
        let app: AppError = ServiceError::conflict(ErrorCode::UsernameTaken).into();
        assert_eq!(app, AppError::Conflict(ErrorCode::UsernameTaken));
        assert_eq!(app.status(), 409);
    }
}
