//! The signed-in user's own account: roles and password change.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::auth::{ChangePassword, me};
use crate::api::mail::{SaveMailSettings, get_mail_settings};
use crate::domain::account::MailKind;
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
                            <MailSettingsForm/>
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

/// Where mail goes, in which language, and which kinds are wanted.
#[component]
fn MailSettingsForm() -> impl IntoView {
    let lang = use_lang();
    let save = ServerAction::<SaveMailSettings>::new();
    let settings = Resource::new(move || save.version().get(), |_| get_mail_settings());
    let errors = errors_of(save.value());
    let saved = move || matches!(save.value().get(), Some(Ok(FormResult::Done(()))));
    view! {
        <h2>{t(lang, "mail.title")}</h2>
        <Suspense>
            {move || settings.get().and_then(Result::ok).map(|s| view! {
                <ActionForm action=save attr:class="stack mail-settings">
                    <FormStatus errors/>
                    {move || saved().then(|| view! { <p class="ok" role="status">{t(lang, "mail.saved")}</p> })}
                    <label for="mail-email">{t(lang, "mail.email")}</label>
                    <input id="mail-email" type="email" name="email" value=s.email.clone() autocomplete="email"/>
                    <label for="mail-language">{t(lang, "mail.language")}</label>
                    <select id="mail-language" name="language">
                        <option value="ja" selected=s.language == "ja">"日本語"</option>
                        <option value="en" selected=s.language == "en">"English"</option>
                    </select>
                    <fieldset>
                        <legend>{t(lang, "mail.not_wanted")}</legend>
                        {MailKind::ALL.iter().map(|k| k.id()).map(|k| view! {
                            <label class="check">
                                <input type="checkbox" name="opt_out[]" value=k checked=s.opt_out.iter().any(|o| o == k)/>
                                {t(lang, &format!("mail.kind.{k}"))}
                            </label>
                        }).collect_view()}
                    </fieldset>
                    <button type="submit">{t(lang, "mail.save")}</button>
                </ActionForm>
            })}
        </Suspense>
    }
}
