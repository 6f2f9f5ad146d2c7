//! The timeline of the incident page: the comment form and the events, newest
//! first.

use leptos::prelude::*;

use super::{Acts, answer};
use crate::domain::incident::IncidentDetail;
use crate::i18n::t;
use crate::model::label;
use crate::ui::incidents::format_time;
use crate::ui::use_lang;

#[component]
pub(super) fn Timeline(id: String, incident: IncidentDetail) -> impl IntoView {
    let lang = use_lang();
    let acts = expect_context::<Acts>();
    let message = answer(acts.comment.value());
    let audiences = incident.may.comment_audiences.clone();
    let mut events = incident.events;
    events.reverse();
    let current = incident.phase;
    let tasks: Vec<(String, String)> = incident
        .tasks
        .iter()
        .filter(|t| t.phase == current)
        .map(|t| (t.id.to_string(), label(lang, &t.name)))
        .collect();
    view! {
        <section class="panel">
            <h2>{t(lang, "ws.timeline")}</h2>
            <ActionForm action=acts.comment attr:class="stack">
                <input type="hidden" name="id" value=id/>
                <label for="comment-text">{t(lang, "ws.comment")}</label>
                <textarea id="comment-text" name="text" rows="2"></textarea>
                <label for="comment-task">{t(lang, "ws.about_task")}</label>
                <select id="comment-task" name="task">
                    <option value="">"—"</option>
                    {tasks.into_iter().map(|(v, l)| view! { <option value=v>{l}</option> }).collect_view()}
                </select>
                {(!audiences.is_empty()).then(|| view! {
                    <label for="comment-audience">{t(lang, "ws.audience")}</label>
                    <select id="comment-audience" name="audience">
                        {audiences.iter().map(|a| view! {
                            <option value=a.id()>{t(lang, &format!("aud.{}", a.id()))}</option>
                        }).collect_view()}
                    </select>
                })}
                <button type="submit">{t(lang, "ws.post")}</button>
                <p class="error" role="alert">{message}</p>
            </ActionForm>
            <ol class="timeline">
                {events.into_iter().map(|e| {
                    let text = e.detail.get("text").cloned();
                    let details: Vec<String> = e.detail.iter()
                        .filter(|(k, v)| k.as_str() != "text" && !v.is_empty())
                        .map(|(k, v)| format!("{k}: {v}"))
                        .collect();
                    view! {
                        <li class=format!("event ev-{}", e.kind)>
                            <span class="muted">"#"{e.seq}" · "{format_time(e.at)}" · "{e.actor.clone().unwrap_or_default()}</span>
                            <div><strong>{t(lang, &format!("ev.{}", e.kind))}</strong>{e.task.clone().map(|tk| format!(" ({tk})"))}</div>
                            {text.map(|tx| view! { <p class="pre">{tx}</p> })}
                            {(!details.is_empty()).then(|| view! { <p class="small muted">{details.join(" · ")}</p> })}
                        </li>
                    }
                }).collect_view()}
            </ol>
        </section>
    }
    .into_any()
}
