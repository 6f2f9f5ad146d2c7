//! Form fields that show their server-side error in place, in the reader's
//! language, wired for assistive technology (label, aria-invalid,
//! aria-describedby).

use leptos::prelude::*;

use crate::domain::AppError;
use crate::domain::form::{FieldError, FormResult, error_for};
use crate::i18n::{error_text, t};
use crate::ui::raw_text::raw_text;
use crate::ui::use_lang;

/// The field errors of the last answer of a form's action.
pub fn errors_of<T, S>(value: S) -> Signal<Vec<FieldError>>
where
    T: Clone + Send + Sync + 'static,
    S: Get<Value = Option<Result<FormResult<T>, AppError>>> + Send + Sync + 'static,
{
    Signal::derive(move || match value.get() {
        Some(Ok(FormResult::Invalid(errors))) => errors,
        _ => Vec::new(),
    })
}

#[derive(Clone, Copy, PartialEq)]
pub enum Input {
    Text,
    Password,
    DateTime,
    Date,
    Area,
}

#[component]
pub fn Field(
    /// The name the form sends, e.g. `form[title]`.
    name: &'static str,
    /// The key of the field in validation errors, e.g. `title`.
    field: &'static str,
    /// i18n key of the label.
    label: &'static str,
    errors: Signal<Vec<FieldError>>,
    #[prop(default = Input::Text)] input: Input,
    #[prop(optional)] autocomplete: &'static str,
    #[prop(optional, into)] value: String,
) -> impl IntoView {
    let lang = use_lang();
    let id = format!("f-{field}");
    let err_id = format!("{field}-error");
    let message = move || error_for(&errors.get(), field).map(|c| error_text(lang, c));
    let invalid = move || message().is_some().then_some("true");
    let control = match input {
        Input::Area => view! {
            <textarea id=id.clone() name=name rows="6" aria-invalid=invalid aria-describedby=err_id.clone()>{raw_text(value)}</textarea>
        }
        .into_any(),
        other => {
            let kind = match other {
                Input::Password => "password",
                Input::DateTime => "datetime-local",
                Input::Date => "date",
                _ => "text",
            };
            view! {
                <input id=id.clone() name=name type=kind value=value autocomplete=autocomplete
                    aria-invalid=invalid aria-describedby=err_id.clone()/>
            }
            .into_any()
        }
    };
    view! {
        <div class="field" class:has-error=move || message().is_some()>
            <label for=id>{t(lang, label)}</label>
            {control}
            <p class="field-error" id=err_id role="alert">{message}</p>
        </div>
    }
}

/// A `<select>` over fixed choices: (value, label) pairs.
#[component]
pub fn Choice(
    name: &'static str,
    field: &'static str,
    label: &'static str,
    errors: Signal<Vec<FieldError>>,
    options: Vec<(&'static str, String)>,
    #[prop(optional)] selected: Option<String>,
    #[prop(optional)] empty: Option<&'static str>,
) -> impl IntoView {
    let lang = use_lang();
    let id = format!("f-{field}");
    let err_id = format!("{field}-error");
    let message = move || error_for(&errors.get(), field).map(|c| error_text(lang, c));
    let invalid = move || message().is_some().then_some("true");
    let empty_label = empty.unwrap_or("choose");
    view! {
        <div class="field" class:has-error=move || message().is_some()>
            <label for=id.clone()>{t(lang, label)}</label>
            <select id=id name=name aria-invalid=invalid aria-describedby=err_id.clone()>
                <option value="">{t(lang, empty_label)}</option>
                {options
                    .into_iter()
                    .map(|(v, l)| {
                        let sel = selected.as_deref() == Some(v);
                        view! { <option value=v selected=sel>{l}</option> }
                    })
                    .collect_view()}
            </select>
            <p class="field-error" id=err_id role="alert">{message}</p>
        </div>
    }
}

/// The banner above a form that failed validation.
#[component]
pub fn FormStatus(errors: Signal<Vec<FieldError>>) -> impl IntoView {
    let lang = use_lang();
    move || {
        (!errors.get().is_empty())
            .then(|| view! { <p class="error" role="alert">{t(lang, "error.form")}</p> })
    }
}
