//! The phase actions of the incident page: the commands open to the reader
//! (each with why it is blocked, if it is) and the triage decision form.

use leptos::prelude::*;

use super::{Acts, answer};
use crate::domain::form::error_for;
use crate::domain::workflow::Decision;
use crate::domain::workspace::{Available, CommandKind};
use crate::i18n::{error_text, t};
use crate::model::label;
use crate::ui::fields::errors_of;
use crate::ui::incidents::severity_options;
use crate::ui::{use_lang, use_model};

#[component]
pub(super) fn Commands(id: String, available: Vec<Available>) -> impl IntoView {
    let lang = use_lang();
    let acts = expect_context::<Acts>();
    let message = answer(acts.command.value());
    if available.is_empty() {
        return view! { <p class="muted">{t(lang, "ws.no_commands")}</p> }.into_any();
    }
    view! {
        <div class="commands">
            {available.into_iter().map(|a| {
                let id = id.clone();
                let blocked = a.blocked.clone().map(|r| crate::i18n::refusal_text(lang, &r));
                let disabled = blocked.is_some();
                let label_key = format!("cmd.{}", a.command.id());
                match a.command {
                    CommandKind::Decide => view! { <DecideForm id=id.clone()/> }.into_any(),
                    CommandKind::Reopen => view! {
                        <ActionForm action=acts.command attr:class="command">
                            <input type="hidden" name="id" value=id.clone()/>
                            <input type="hidden" name="command" value="reopen"/>
                            <label for="reopen-reason">{t(lang, "ws.reason")}</label>
                            <textarea id="reopen-reason" name="reason" rows="2"></textarea>
                            <button type="submit">{t(lang, &label_key)}</button>
                        </ActionForm>
                    }.into_any(),
                    kind => view! {
                        <ActionForm action=acts.command attr:class="command">
                            <input type="hidden" name="id" value=id.clone()/>
                            <input type="hidden" name="command" value=kind.id()/>
                            <button type="submit" disabled=disabled>{t(lang, &label_key)}</button>
                            {blocked.map(|b| view! { <p class="blocked">{b}</p> })}
                        </ActionForm>
                    }.into_any(),
                }
            }).collect_view()}
            <p class="error" role="alert">{message}</p>
        </div>
    }
    .into_any()
}

#[component]
fn DecideForm(id: String) -> impl IntoView {
    let lang = use_lang();
    let model = use_model();
    let acts = expect_context::<Acts>();
    let errors = errors_of(acts.command.value());
    let err = move |f: &'static str| error_for(&errors.get(), f).map(|c| error_text(lang, c));
    view! {
        <ActionForm action=acts.command attr:class="decide" attr:aria-label=t(lang, "cmd.decide")>
            <h3>{t(lang, "cmd.decide")}</h3>
            <input type="hidden" name="id" value=id/>
            <input type="hidden" name="command" value="decide"/>
            <fieldset>
                <legend>{t(lang, "ws.decision")}</legend>
                {Decision::ALL.iter().map(|d| view! {
                    <label class="check"><input type="radio" name="decision" value=d.id()/>{t(lang, &format!("decision.{}", d.id()))}</label>
                }).collect_view()}
                <p class="field-error" role="alert">{move || err("decision")}</p>
            </fieldset>
            <label for="decide-severity">{t(lang, "col.severity")}</label>
            <select id="decide-severity" name="severity">
                <option value="">{t(lang, "choose")}</option>
                {severity_options(lang).into_iter().map(|(v, l)| view! { <option value=v>{l}</option> }).collect_view()}
            </select>
            <p class="field-error" role="alert">{move || err("severity")}</p>
            <details class="definitions">
                <summary>{t(lang, "ws.severity_definitions")}</summary>
                <dl>
                    {move || model().severities.clone().into_iter().map(|s| view! {
                        <dt>{label(lang, &s.name)}</dt>
                        <dd>{label(lang, &s.definition)}</dd>
                    }).collect_view()}
                </dl>
            </details>
            <label for="decide-reason">{t(lang, "ws.reason")}</label>
            <textarea id="decide-reason" name="reason" rows="3"></textarea>
            <p class="field-error" role="alert">{move || err("reason")}</p>
            <button type="submit">{t(lang, "ws.record_decision")}</button>
        </ActionForm>
    }
    .into_any()
}
