//! The signed-in user's own account: roles and password change.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::auth::{ChangePassword, me};
use crate::domain::form::FormResult;
use crate::i18n::t;
use crate::ui::fields::{Field, FormStatus, Input, errors_of};
use crate::ui::{ErrorView, use_lang, use_model};

#[component]
pub fn AccountPage() -> impl IntoView {
    let lang = use_lang();
    let model = use_model();
    let user = Resource::new(|| (), |_| me());
    let change = ServerAction::<ChangePassword>::new();
    let errors = errors_of(change.value());
    let done = move || matches!(change.value().get(), Some(Ok(FormResult::Done(()))));
    view! {
        <Title text=t(lang, "account.title")/>
        <Suspense>
            {move || {
                user.get().map(|r| match r {
                    Ok(Some(u)) => view! {
                        <section class="panel narrow">
                            <h1>{t(lang, "account.title")}</h1>
                            <p>{u.display_name}" ("{u.username}")"</p>
                            <h2>{t(lang, "account.roles")}</h2>
                            <ul>
                                {u.roles.iter().map(|r| view! { <li>{model().role_name(lang, *r)}</li> }).collect_view()}
                            </ul>
                            <h2>{t(lang, "account.change")}</h2>
                            <ActionForm action=change attr:novalidate=true>
                                <FormStatus errors/>
                                {move || done().then(|| view! { <p class="ok" role="status">{t(lang, "account.changed")}</p> })}
                                <Field name="form[current]" field="current" label="account.current" errors input=Input::Password autocomplete="current-password"/>
                                <Field name="form[new]" field="new" label="account.new" errors input=Input::Password autocomplete="new-password"/>
                                <Field name="form[confirm]" field="confirm" label="account.confirm" errors input=Input::Password autocomplete="new-password"/>
                                <button type="submit">{t(lang, "account.change")}</button>
                            </ActionForm>
                        </section>
                    }
                    .into_any(),
                    Ok(None) => view! { <ErrorView error=crate::domain::AppError::Unauthenticated/> }.into_any(),
                    Err(e) => view! { <ErrorView error=e/> }.into_any(),
                })
            }}
        </Suspense>
    }
}
