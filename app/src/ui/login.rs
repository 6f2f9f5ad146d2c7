//! The sign-in page.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::auth::Login;
use crate::domain::AppError;
use crate::i18n::t;
use crate::ui::fields::{Field, FormStatus, Input, errors_of};
use crate::ui::use_lang;

#[component]
pub fn LoginPage() -> impl IntoView {
    let lang = use_lang();
    let login = ServerAction::<Login>::new();
    let errors = errors_of(login.value());
    // Refused before checking the password: the server is at its hashing limit.
    let busy = move || matches!(login.value().get(), Some(Err(AppError::Busy(_))));
    view! {
        <Title text=t(lang, "login.title")/>
        <section class="panel narrow">
            <h1>{t(lang, "login.title")}</h1>
            <p class="muted">{t(lang, "app.tagline")}</p>
            <ActionForm action=login attr:novalidate=true>
                <FormStatus errors/>
                {move || busy().then(|| view! { <p class="error" role="alert">{t(lang, "error.busy")}</p> })}
                <Field name="username" field="username" label="login.username" errors autocomplete="username"/>
                <Field name="password" field="password" label="login.password" errors input=Input::Password autocomplete="current-password"/>
                <button type="submit">{t(lang, "login.submit")}</button>
            </ActionForm>
            <p class="muted"><a href="/notify">{t(lang, "login.notify_link")}</a></p>
        </section>
    }
}
