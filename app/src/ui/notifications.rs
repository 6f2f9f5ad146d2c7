//! The reader's notifications: proposals awaiting their approval, decisions
//! on their proposals. Unread ones are marked; one button marks all read.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::api::containment::{MarkNotificationsRead, notifications};
use crate::i18n::t;
use crate::model::label;
use crate::ui::incidents::format_time;
use crate::ui::{ErrorView, use_lang};

#[component]
pub fn NotificationsPage() -> impl IntoView {
    let lang = use_lang();
    let mark = ServerAction::<MarkNotificationsRead>::new();
    let list = Resource::new(move || mark.version().get(), |_| notifications());
    view! {
        <Title text=t(lang, "nt.title")/>
        <section class="panel">
            <h1>{t(lang, "nt.title")}</h1>
            <ActionForm action=mark attr:class="inline">
                <button type="submit">{t(lang, "nt.mark_read")}</button>
            </ActionForm>
            <Suspense>
                {move || list.get().map(|r| match r {
                    Ok(items) if items.is_empty() => view! { <p class="muted">{t(lang, "nt.none")}</p> }.into_any(),
                    Ok(items) => view! {
                        <ul class="notifications">
                            {items.into_iter().map(|n| view! {
                                <li class:unread=!n.read>
                                    <strong>{t(lang, &format!("nt.{}", n.kind.id()))}</strong>" · "
                                    <A href=format!("/incidents/{}#containment", n.human_id)>{n.human_id.clone()}</A>" "
                                    {n.incident_title.clone()}<br/>
                                    <span class="small">
                                        {n.measure.as_ref().map(|m| label(lang, m))}
                                        {n.target.clone().map(|x| format!(" → {x}"))}
                                        {n.status.map(|s| view! { " " <span class=format!("ms ms-{}", s.id())>{t(lang, &format!("ms.{}", s.id()))}</span> })}
                                        " · "{n.actor.clone()}" · "{format_time(n.created_at)}
                                    </span>
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(e) => view! { <ErrorView error=e/> }.into_any(),
                })}
            </Suspense>
        </section>
    }
}
