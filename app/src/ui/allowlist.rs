//! `/admin/allowlist`: values never to flag or correlate — the
//! organisation's own domains, its proxy's address, common CDNs. A domain
//! covers its subdomains, a CIDR range the addresses in it. The security
//! officer keeps it.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::observables::{Allow, Disallow, allowlist};
use crate::domain::form::error_for;
use crate::i18n::{error_text, t};
use crate::ui::fields::errors_of;
use crate::ui::incidents::format_time;
use crate::ui::{ErrorView, use_lang};

#[component]
pub fn AllowlistPage() -> impl IntoView {
    let lang = use_lang();
    let add = ServerAction::<Allow>::new();
    let remove = ServerAction::<Disallow>::new();
    let list = Resource::new(
        move || (add.version().get(), remove.version().get()),
        |_| allowlist(),
    );
    let errors = errors_of(add.value());
    let error = move |f: &'static str| error_for(&errors.get(), f).map(|c| error_text(lang, c));
    view! {
        <Title text=t(lang, "al.title")/>
        <section class="panel">
            <h1>{t(lang, "al.title")}</h1>
            <p class="muted">{t(lang, "al.intro")}</p>
            <Suspense>
                {move || list.get().map(|r| match r {
                    Ok(items) if items.is_empty() => view! { <p class="muted">{t(lang, "al.none")}</p> }.into_any(),
                    Ok(items) => view! {
                        <table class="allowlist">
                            <thead><tr>
                                <th scope="col">{t(lang, "al.value")}</th>
                                <th scope="col">{t(lang, "al.note")}</th>
                                <th scope="col">{t(lang, "al.added")}</th>
                                <th scope="col"></th>
                            </tr></thead>
                            <tbody>
                                {items.into_iter().map(|e| view! {
                                    <tr>
                                        <td><code>{e.value}</code></td>
                                        <td>{e.note}</td>
                                        <td>{format_time(e.created_at)}</td>
                                        <td>
                                            <ActionForm action=remove attr:class="inline">
                                                <input type="hidden" name="entry" value=e.id.to_string()/>
                                                <button type="submit" class="link">{t(lang, "al.remove")}</button>
                                            </ActionForm>
                                        </td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any(),
                    Err(e) => view! { <ErrorView error=e/> }.into_any(),
                })}
            </Suspense>
            <h2>{t(lang, "al.add")}</h2>
            <ActionForm action=add attr:class="stack">
                <label for="al-value">{t(lang, "al.value")}</label>
                <input id="al-value" type="text" name="value" placeholder="example.co.jp, 192.0.2.8, 10.0.0.0/8" aria-describedby="al-value-error"/>
                <p class="error" id="al-value-error">{move || error("value")}</p>
                <label for="al-note">{t(lang, "al.note")}</label>
                <input id="al-note" type="text" name="note"/>
                <p class="error">{move || error("note")}</p>
                <button type="submit">{t(lang, "al.add_submit")}</button>
            </ActionForm>
        </section>
    }
}
