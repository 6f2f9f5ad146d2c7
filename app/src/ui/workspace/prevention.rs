//! Phase G's recurrence-prevention checklist: the measures the playbooks
//! offer for the incident's kind (seed 003 (1)–(8) and its exit measures,
//! seed 000's prior measures, seed 004's countermeasures), each accepted,
//! rejected with a reason, or scheduled with an owner and a due date. The
//! incident closes once every one is decided.

use leptos::prelude::*;

use super::Acts;
use crate::domain::Phase;
use crate::domain::form::{FormResult, error_for};
use crate::domain::incident::IncidentDetail;
use crate::domain::prevention::{PreventionDecision, PreventionView};
use crate::domain::workflow::Status;
use crate::i18n::{Lang, error_text, t};
use crate::ui::incidents::format_time;
use crate::ui::raw_text::raw_text;
use crate::ui::use_lang;

#[component]
pub(super) fn PreventionChecklist(id: String, incident: IncidentDetail) -> impl IntoView {
    let lang = use_lang();
    let i = incident;
    let decided = i.prevention.iter().filter(|p| p.decision.is_some()).count();
    let relevant = i.phase >= Phase::F || decided > 0;
    if i.prevention.is_empty() || !relevant {
        return ().into_any();
    }
    let total = i.prevention.len();
    let editable = i.may.classify && i.status == Status::Open;
    let people = i.people.clone();
    view! {
        <section class="panel" data-testid="prevention-checklist">
            <h2>{t(lang, "pv.heading")}</h2>
            <p class="muted">{t(lang, "pv.intro")}</p>
            <p data-testid="prevention-progress">
                {t(lang, "pv.progress").replace("{n}", &decided.to_string()).replace("{total}", &total.to_string())}
            </p>
            {(editable && decided < total).then(|| view! { <DecideRest id=id.clone() people=people.clone() lang=lang/> })}
            <ol class="prevention">
                {i.prevention.into_iter().map(|p| {
                    view! { <Measure id=id.clone() p=p editable=editable people=people.clone() lang=lang/> }
                }).collect_view()}
            </ol>
        </section>
    }
    .into_any()
}

/// The field errors of the last decision that name the form `prefix`
/// (`<item>/` or `*/`, as the server function prefixes them), unprefixed:
/// the answer shows beside the form that was sent.
fn errors_under(acts: Acts, prefix: String) -> Signal<Vec<crate::domain::FieldError>> {
    Signal::derive(move || match acts.decide_prevention.value().get() {
        Some(Ok(FormResult::Invalid(errors))) => errors
            .into_iter()
            .filter_map(|e| {
                e.field
                    .strip_prefix(&prefix)
                    .map(|f| crate::domain::FieldError {
                        field: f.to_string(),
                        code: e.code.clone(),
                    })
            })
            .collect(),
        _ => Vec::new(),
    })
}

#[component]
fn Measure(
    id: String,
    p: PreventionView,
    editable: bool,
    people: Vec<crate::domain::workspace::PersonRef>,
    lang: Lang,
) -> impl IntoView {
    let acts = expect_context::<Acts>();
    let item = p.def.id.clone();
    let testid = format!("pv-{item}");
    let errors = errors_under(acts, format!("{item}/"));
    let field_error = move |field: &'static str| {
        move || error_for(&errors.get(), field).map(|c| error_text(lang, c))
    };
    let refused = move || {
        errors
            .get()
            .iter()
            .find(|e| !matches!(e.field.as_str(), "decision" | "note" | "owner" | "due"))
            .map(|e| error_text(lang, &e.code))
    };
    let status = match p.decision {
        Some(d) => t(lang, &format!("pv.decision.{}", d.id())).to_string(),
        None => t(lang, "pv.undecided").to_string(),
    };
    let class = match p.decision {
        Some(PreventionDecision::Accepted) => "pv accepted",
        Some(PreventionDecision::Rejected) => "pv rejected",
        Some(PreventionDecision::Scheduled) if p.overdue => "pv scheduled overdue",
        Some(PreventionDecision::Scheduled) => "pv scheduled",
        None => "pv undecided",
    };
    let form_id = format!("pv-{}", item.replace('.', "-"));
    let current = p.decision.map(|d| d.id()).unwrap_or("undecided");
    let owner_now = p.owner.clone();
    view! {
        <li class=class data-testid=testid>
            <details>
                <summary>
                    <strong>{p.def.name.get(lang.code()).to_string()}</strong>
                    " "<span class="badge">{status}</span>
                    " "<span class="muted small">{t(lang, &format!("pv.category.{}", p.def.category))}" · "{t(lang, &format!("pv.layer.{}", p.def.layer))}</span>
                </summary>
                <p>{p.def.description.get(lang.code()).to_string()}</p>
                <p class="muted small">{t(lang, "pv.cite")}" "{p.def.cite.clone()}</p>
            </details>
            {p.decision.map(|_| view! {
                <p class="small">
                    {(!p.note.is_empty()).then(|| view! { <span class="pre">{p.note.clone()}</span><br/> })}
                    {p.owner.clone().map(|o| view! { {t(lang, "pv.owner")}": "{o}" " })}
                    {p.due_on.map(|d| view! { {t(lang, "pv.due")}": "{d.to_string()}" " })}
                    {p.overdue.then(|| view! { <strong>{t(lang, "badge.overdue")}</strong>" " })}
                    <span class="muted">{p.decided_by.clone().unwrap_or_default()}" · "{p.decided_at.map(format_time).unwrap_or_default()}</span>
                </p>
            })}
            {editable.then(|| view! {
                <details class="pv-decide">
                <summary>{t(lang, if p.decision.is_some() { "pv.change" } else { "pv.decide" })}</summary>
                <ActionForm action=acts.decide_prevention attr:class="inline-form">
                    <input type="hidden" name="id" value=id.clone()/>
                    <input type="hidden" name="item" value=item.clone()/>
                    <label for=format!("{form_id}-decision")>{t(lang, "pv.decision")}</label>
                    <select id=format!("{form_id}-decision") name="form[decision]">
                        {["undecided", "accepted", "rejected", "scheduled"].into_iter().map(|d| view! {
                            <option value=d selected=d == current>{t(lang, &format!("pv.choice.{d}"))}</option>
                        }).collect_view()}
                    </select>
                    <label for=format!("{form_id}-note")>{t(lang, "pv.note")}</label>
                    <textarea id=format!("{form_id}-note") name="form[note]" rows="2"
                        aria-invalid=move || field_error("note")().map(|_| "true")>{raw_text(p.note.clone())}</textarea>
                    <span class="error">{field_error("note")}</span>
                    <label for=format!("{form_id}-owner")>{t(lang, "pv.owner")}</label>
                    <select id=format!("{form_id}-owner") name="form[owner]">
                        <option value="">"—"</option>
                        {people.iter().map(|u| view! {
                            <option value=u.id.to_string() selected=owner_now.as_deref() == Some(u.display_name.as_str())>{u.display_name.clone()}</option>
                        }).collect_view()}
                    </select>
                    <span class="error">{field_error("owner")}</span>
                    <label for=format!("{form_id}-due")>{t(lang, "pv.due")}</label>
                    <input type="date" id=format!("{form_id}-due") name="form[due]"
                        value=p.due_on.map(|d| d.to_string()).unwrap_or_default()/>
                    <span class="error">{field_error("due")}</span>
                    <button type="submit">{t(lang, "ws.save")}</button>
                    <span class="error" role="alert">{refused}</span>
                </ActionForm>
                </details>
            })}
        </li>
    }
}

/// One decision for every measure still undecided: a measure the
/// organisation already has, or one that does not apply, decided at once.
#[component]
fn DecideRest(
    id: String,
    people: Vec<crate::domain::workspace::PersonRef>,
    lang: Lang,
) -> impl IntoView {
    let acts = expect_context::<Acts>();
    let errors = errors_under(acts, "*/".into());
    let field_error = move |field: &'static str| {
        move || error_for(&errors.get(), field).map(|c| error_text(lang, c))
    };
    view! {
        <details class="decide-rest" data-testid="prevention-rest">
            <summary>{t(lang, "pv.rest")}</summary>
            <ActionForm action=acts.decide_prevention attr:class="inline-form">
                <input type="hidden" name="id" value=id/>
                <input type="hidden" name="item" value="*"/>
                <label for="pv-rest-decision">{t(lang, "pv.decision")}</label>
                <select id="pv-rest-decision" name="form[decision]">
                    {["accepted", "rejected", "scheduled"].into_iter().map(|d| view! {
                        <option value=d selected=d == "rejected">{t(lang, &format!("pv.choice.{d}"))}</option>
                    }).collect_view()}
                </select>
                <label for="pv-rest-note">{t(lang, "pv.note")}</label>
                <textarea id="pv-rest-note" name="form[note]" rows="2"></textarea>
                <span class="error">{field_error("note")}</span>
                <label for="pv-rest-owner">{t(lang, "pv.owner")}</label>
                <select id="pv-rest-owner" name="form[owner]">
                    <option value="">"—"</option>
                    {people.iter().map(|u| view! { <option value=u.id.to_string()>{u.display_name.clone()}</option> }).collect_view()}
                </select>
                <span class="error">{field_error("owner")}</span>
                <label for="pv-rest-due">{t(lang, "pv.due")}</label>
                <input type="date" id="pv-rest-due" name="form[due]"/>
                <span class="error">{field_error("due")}</span>
                <button type="submit">{t(lang, "pv.rest_submit")}</button>
            </ActionForm>
        </details>
    }
}
