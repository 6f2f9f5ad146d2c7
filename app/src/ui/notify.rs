//! The public notification form (`/notify`, 外部からの通知窓口, seed 001 §5):
//! for someone outside, with no account, to tell the security team what
//! they saw. The answer is a reference and nothing of what they sent.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::notices::SubmitNotice;
use crate::domain::form::FormResult;
use crate::domain::notice::NoticeReceipt;
use crate::i18n::t;
use crate::ui::fields::{Field, FormStatus, Input, errors_of};
use crate::ui::use_lang;

#[component]
pub fn NotifyPage() -> impl IntoView {
    let lang = use_lang();
    let submit = ServerAction::<SubmitNotice>::new();
    let errors = errors_of(submit.value());
    let receipt = move || match submit.value().get() {
        Some(Ok(FormResult::Done(r))) => Some(r),
        _ => None,
    };
    view! {
        <Title text=t(lang, "notify.title")/>
        <section class="panel narrow">
            <h1>{t(lang, "notify.title")}</h1>
            {move || match receipt() {
                Some(NoticeReceipt::Received(reference)) => view! {
                    <div class="notice" role="status" data-testid="notice-receipt">
                        <p>{t(lang, "notify.received")}</p>
                        <p>{t(lang, "notify.reference")}" "<strong class="mono" data-testid="notice-reference">{reference}</strong></p>
                        <p class="muted">{t(lang, "notify.follow_up")}</p>
                    </div>
                }.into_any(),
                Some(NoticeReceipt::Busy) => view! {
                    <p class="error" role="alert" data-testid="notice-busy">{t(lang, "notify.busy")}</p>
                }.into_any(),
                None => view! {
                    <p class="muted">{t(lang, "notify.intro")}</p>
                    <ActionForm action=submit attr:novalidate=true>
                        <FormStatus errors/>
                        <Field name="form[organisation]" field="organisation" label="notify.organisation" errors autocomplete="organization"/>
                        <Field name="form[person]" field="person" label="notify.person" errors autocomplete="name"/>
                        <Field name="form[contact]" field="contact" label="notify.contact" errors autocomplete="email"/>
                        <Field name="form[their_reference]" field="their_reference" label="notify.their_reference" errors/>
                        <Field name="form[subject]" field="subject" label="notify.subject" errors/>
                        <Field name="form[details]" field="details" label="notify.details" errors input=Input::Area/>
                        <Field name="form[affected]" field="affected" label="notify.affected" errors input=Input::Area/>
                        // Robots fill in every field; people do not see this one.
                        <div class="trap" aria-hidden="true">
                            <label for="f-website">"Website"</label>
                            <input id="f-website" name="form[website]" type="text" tabindex="-1" autocomplete="off"/>
                        </div>
                        <button type="submit">{t(lang, "notify.submit")}</button>
                    </ActionForm>
                }.into_any(),
            }}
        </section>
    }
}
