//! The officer's TAXII subscriptions on `/intel`: remote collections polled
//! on their interval into the threat-intelligence store, with when each
//! last ran, what it brought and its last error; a form to subscribe, a
//! button to poll now.

use leptos::prelude::*;

use crate::api::observables::{PollSubscription, Subscribe, Unsubscribe};
use crate::domain::form::error_for;
use crate::domain::intel::SubscriptionView;
use crate::i18n::{error_text, t};
use crate::ui::fields::errors_of;
use crate::ui::incidents::format_time;
use crate::ui::use_lang;

/// The list comes with the store's page (`IntelPage.subscriptions`), which
/// the three actions refetch.
#[component]
pub fn Subscriptions(
    items: Vec<SubscriptionView>,
    add: ServerAction<Subscribe>,
    remove: ServerAction<Unsubscribe>,
    poll: ServerAction<PollSubscription>,
) -> impl IntoView {
    let lang = use_lang();
    let errors = errors_of(add.value());
    let error = move |f: &'static str| error_for(&errors.get(), f).map(|c| error_text(lang, c));
    let field = move |f: &'static str, label: &'static str, kind: &'static str| {
        let id = format!("sub-{f}");
        let err = format!("sub-{f}-error");
        view! {
            <label for=id.clone()>{t(lang, label)}</label>
            <input id=id type=kind name=format!("form[{f}]") aria-describedby=err.clone()
                autocomplete=if kind == "password" { "new-password" } else { "off" }/>
            <p class="error" id=err role="alert">{move || error(f)}</p>
        }
    };
    view! {
        <h2>{t(lang, "sub.title")}</h2>
        <p class="muted">{t(lang, "sub.intro")}</p>
            {match items {
                items if items.is_empty() => view! { <p class="muted">{t(lang, "sub.none")}</p> }.into_any(),
                items => view! {
                    <table class="subscriptions">
                        <thead><tr>
                            <th scope="col">{t(lang, "sub.name")}</th>
                            <th scope="col">{t(lang, "sub.remote")}</th>
                            <th scope="col">{t(lang, "sub.last_run")}</th>
                            <th scope="col">{t(lang, "sub.imported")}</th>
                            <th scope="col"></th>
                        </tr></thead>
                        <tbody>
                            {items.into_iter().map(|s| {
                                let (a, b) = (s.id.to_string(), s.id.to_string());
                                view! {
                                    <tr>
                                        <td>{s.name}<p class="small muted">{t(lang, "sub.every").replace("{n}", &s.interval_minutes.to_string())}</p></td>
                                        <td><code>{s.api_root}</code><p class="small"><code>{s.collection}</code></p></td>
                                        <td>{s.last_run.map(format_time).unwrap_or_else(|| "—".into())}
                                            {(!s.last_error.is_empty()).then(|| view! { <p class="error small">{s.last_error.clone()}</p> })}
                                        </td>
                                        <td>{s.imported}</td>
                                        <td>
                                            <ActionForm action=poll attr:class="inline">
                                                <input type="hidden" name="subscription" value=a/>
                                                <button type="submit" class="link">{t(lang, "sub.poll")}</button>
                                            </ActionForm>
                                            <ActionForm action=remove attr:class="inline">
                                                <input type="hidden" name="subscription" value=b/>
                                                <button type="submit" class="link danger">{t(lang, "sub.remove")}</button>
                                            </ActionForm>
                                        </td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any(),
            }}
        <details class="subscribe">
            <summary>{t(lang, "sub.add")}</summary>
            <ActionForm action=add attr:class="stack subscription-form">
                {field("name", "sub.name", "text")}
                {field("api_root", "sub.api_root", "url")}
                {field("collection", "sub.collection", "text")}
                {field("username", "sub.username", "text")}
                {field("password", "sub.password", "password")}
                {field("interval", "sub.interval", "number")}
                <button type="submit">{t(lang, "sub.add_submit")}</button>
            </ActionForm>
        </details>
    }
}
