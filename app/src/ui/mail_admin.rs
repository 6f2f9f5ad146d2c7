//! `/admin/mail`: mail not yet delivered, with its attempts and last error,
//! so the administrator sees a broken SMTP setup before users miss mail.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::mail::undelivered_mail;
use crate::i18n::t;
use crate::ui::incidents::format_time;
use crate::ui::{ErrorView, use_lang};

#[component]
pub fn MailAdminPage() -> impl IntoView {
    let lang = use_lang();
    let list = Resource::new(|| (), |_| undelivered_mail());
    view! {
        <Title text=t(lang, "mail.admin_title")/>
        <section class="panel">
            <h1>{t(lang, "mail.admin_title")}</h1>
            <Suspense>
                {move || list.get().map(|r| match r {
                    Ok(items) if items.is_empty() => view! { <p class="ok">{t(lang, "mail.all_sent")}</p> }.into_any(),
                    Ok(items) => view! {
                        <table class="outbox">
                            <thead><tr>
                                <th scope="col">{t(lang, "mail.to")}</th>
                                <th scope="col">{t(lang, "mail.subject")}</th>
                                <th scope="col">{t(lang, "mail.attempts")}</th>
                                <th scope="col">{t(lang, "mail.next")}</th>
                                <th scope="col">{t(lang, "mail.error")}</th>
                            </tr></thead>
                            <tbody>
                                {items.into_iter().map(|m| view! {
                                    <tr>
                                        <td>{m.to}</td>
                                        <td>{m.subject}</td>
                                        <td>{m.attempts}</td>
                                        <td>{format_time(m.next_attempt_at)}</td>
                                        <td class="small">{m.last_error.unwrap_or_default()}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any(),
                    Err(e) => view! { <ErrorView error=e/> }.into_any(),
                })}
            </Suspense>
        </section>
    }
}
