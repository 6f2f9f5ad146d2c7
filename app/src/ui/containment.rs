//! The containment panel of the incident page: what is in force on which
//! target and since when, the combined C/I/A effect, every measure with its
//! history and the steps open to the reader, and the proposal form with the
//! catalogue entry's side effects and the evidence to preserve first.

use leptos::prelude::*;
use playbooks::{Impact, MeasureDef};

use crate::domain::classification::Asset;
use crate::domain::containment::{Cia, Effect, MeasureStatus, StepKind, combined};
use crate::domain::incident::IncidentDetail;
use crate::domain::workspace::MeasureView;
use crate::i18n::{Lang, t};
use crate::model::label;
use crate::ui::incidents::format_time;
use crate::ui::workspace::{Acts, answer};
use crate::ui::{use_lang, use_model};

#[component]
pub fn Containment(id: String, incident: IncidentDetail) -> impl IntoView {
    let lang = use_lang();
    // An external party sees the panel only when its scope covers
    // containment or (an ISP) a request is addressed to it.
    if incident
        .external
        .as_ref()
        .is_some_and(|x| !x.scope.containment && incident.measures.is_empty())
    {
        return ().into_any();
    }
    let active: Vec<MeasureView> = incident
        .measures
        .iter()
        .filter(|m| m.status.is_active())
        .cloned()
        .collect();
    let cia = combined(active.iter().map(|m| m.def.impact));
    let measures = incident.measures.clone();
    let waiting = awaiting(&incident);
    view! {
        <section class="panel containment" id="containment">
            <h2>
                {t(lang, "ct.title")}
                {(waiting > 0).then(|| view! { " " <span class="badge required">{waiting}" "{t(lang, "ct.pending_approval")}</span> })}
            </h2>
            <h3>{t(lang, "ct.in_force")}</h3>
            <InForce active=active/>
            <CiaTable cia=cia/>
            {(!measures.is_empty()).then(|| view! { <h3>{t(lang, "ct.measures")}</h3> })}
            <ul class="measures">
                {measures.into_iter().map(|m| view! { <MeasureCard id=id.clone() m=m/> }).collect_view()}
            </ul>
            {incident.may.propose.then(|| view! {
                // The officer (who may set severity on an open incident) also
                // gets the emergency path.
                <ProposeForm id=id.clone() assets=incident.assets.clone() officer=incident.may.set_severity/>
            })}
        </section>
    }
    .into_any()
}

/// What is blocked, isolated or disabled now, by target.
#[component]
fn InForce(active: Vec<MeasureView>) -> impl IntoView {
    let lang = use_lang();
    if active.is_empty() {
        return view! { <p class="muted">{t(lang, "ct.none_in_force")}</p> }.into_any();
    }
    let mut rows = active;
    rows.sort_by(|a, b| (&a.target, a.executed_at).cmp(&(&b.target, b.executed_at)));
    view! {
        <table class="in-force">
            <thead><tr>
                <th scope="col">{t(lang, "ct.target")}</th>
                <th scope="col">{t(lang, "ct.measure")}</th>
                <th scope="col">{t(lang, "ws.status")}</th>
                <th scope="col">{t(lang, "ct.since")}</th>
                <th scope="col">{t(lang, "ct.by")}</th>
            </tr></thead>
            <tbody>
                {rows.into_iter().map(|m| view! {
                    <tr data-target=m.target.clone()>
                        <td><span class="badge">{t(lang, &format!("asset.{}", m.target_type.id()))}</span>" "<strong>{m.target.clone()}</strong></td>
                        <td>{label(lang, &m.def.name)}{m.emergency.then(|| view! { " " <span class="flag">{t(lang, "ct.emergency_flag")}</span> })}</td>
                        <td><span class=format!("ms ms-{}", m.status.id())>{t(lang, &format!("ms.{}", m.status.id()))}</span></td>
                        <td>{m.executed_at.map(format_time)}</td>
                        <td>{m.executed_by.clone()}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

fn effect_text(lang: Lang, e: Effect) -> String {
    let mut parts = Vec::new();
    if e.protects > 0 {
        parts.push(format!("▲{} {}", e.protects, t(lang, "ct.protects")));
    }
    if e.degrades > 0 {
        parts.push(format!("▼{} {}", e.degrades, t(lang, "ct.degrades")));
    }
    if parts.is_empty() {
        "—".into()
    } else {
        parts.join(" / ")
    }
}

#[component]
fn CiaTable(cia: Cia) -> impl IntoView {
    let lang = use_lang();
    let row = |key: &'static str, e: Effect| {
        let cls = if e.degrades >= 2 { "cia bad" } else { "cia" };
        view! { <tr class=cls><th scope="row">{t(lang, key)}</th><td>{effect_text(lang, e)}</td></tr> }
    };
    view! {
        <table class="cia-summary" aria-label=t(lang, "ct.combined")>
            <caption>{t(lang, "ct.combined")}</caption>
            <tbody>
                {row("ct.confidentiality", cia.c)}
                {row("ct.integrity", cia.i)}
                {row("ct.availability", cia.a)}
            </tbody>
        </table>
    }
}

fn impact_text(i: Impact) -> String {
    let one = |name: &str, v: i8| match v {
        0 => format!("{name} 0"),
        v if v > 0 => format!("{name} ▲{v}"),
        v => format!("{name} ▼{}", -v),
    };
    [one("C", i.c), one("I", i.i), one("A", i.a)].join(" · ")
}

/// The catalogue entry: impact, side effects, evidence lost, what to preserve
/// first, reversibility and who executes it.
#[component]
fn MeasureFacts(def: MeasureDef) -> impl IntoView {
    let lang = use_lang();
    let model = use_model();
    let executor = crate::domain::Role::from_id(&def.executor);
    view! {
        <dl class="measure-facts">
            <dt>{t(lang, "ct.impact")}</dt><dd>{impact_text(def.impact)}</dd>
            <dt>{t(lang, "ct.side_effects")}</dt><dd>{label(lang, &def.side_effects)}</dd>
            {def.evidence_lost.as_ref().map(|l| view! {
                <dt class="warn">{t(lang, "ct.evidence_lost")}</dt><dd class="warn">{label(lang, l)}</dd>
            })}
            {(!def.preserve_first.is_empty()).then(|| view! {
                <dt>{t(lang, "ct.preserve_first")}</dt>
                <dd><ul class="preserve">{def.preserve_first.iter().map(|p| view! { <li>{label(lang, p)}</li> }).collect_view()}</ul></dd>
            })}
            <dt>{if def.reversible { t(lang, "ct.reversible") } else { t(lang, "ct.irreversible") }}</dt>
            <dd>{label(lang, &def.reversal)}</dd>
            <dt>{t(lang, "ct.executor")}</dt>
            <dd>{move || executor.map(|r| model().role_name(lang, r)).unwrap_or_default()}</dd>
        </dl>
    }
}

#[component]
fn MeasureCard(id: String, m: MeasureView) -> impl IntoView {
    let lang = use_lang();
    let acts = expect_context::<Acts>();
    let message = answer(acts.step.value());
    let history = [
        Some((
            "ct.proposed",
            Some(m.proposed_by.clone()),
            Some(m.proposed_at),
            Some(m.reason.clone()),
        )),
        m.decided_at.map(|at| {
            (
                "ct.decided",
                m.decided_by.clone(),
                Some(at),
                m.decision_note.clone(),
            )
        }),
        m.executed_at.map(|at| {
            (
                "ct.executed",
                m.executed_by.clone(),
                Some(at),
                m.execution_note.clone(),
            )
        }),
        m.verified_at.map(|at| {
            let outcome = if m.effective == Some(false) {
                "ct.not_effective"
            } else {
                "ct.effective"
            };
            let note = match &m.verification_note {
                Some(n) => format!("{} — {n}", t(lang, outcome)),
                None => t(lang, outcome).to_string(),
            };
            ("ct.verified", m.verified_by.clone(), Some(at), Some(note))
        }),
        m.ended_at
            .map(|at| ("ct.ended", m.ended_by.clone(), Some(at), m.end_note.clone())),
    ];
    let steps = m.steps.clone();
    let needs_confirm = m.def.destroys_evidence()
        && steps
            .iter()
            .any(|s| matches!(s, StepKind::Approve | StepKind::Emergency));
    let verify = steps.contains(&StepKind::Verify);
    let mid = m.id.to_string();
    view! {
        <li class=format!("measure ms-{}", m.status.id()) data-measure=m.def.id.clone()>
            <p>
                <strong>{label(lang, &m.def.name)}</strong>" → "
                <span class="badge">{t(lang, &format!("asset.{}", m.target_type.id()))}</span>" "{m.target.clone()}" "
                <span class=format!("ms ms-{}", m.status.id())>{t(lang, &format!("ms.{}", m.status.id()))}</span>
                {m.emergency.then(|| view! { " " <span class="flag">{t(lang, "ct.emergency_flag")}</span> })}
            </p>
            <p class="muted">{t(lang, "ct.expected_effect")}": "{m.expected_effect.clone()}</p>
            <ol class="history">
                {history.into_iter().flatten().map(|(key, who, at, note)| view! {
                    <li>
                        <strong>{t(lang, key)}</strong>" "{at.map(format_time)}" "{who}
                        {note.filter(|n| !n.is_empty()).map(|n| view! { <span class="note">" — "{n}</span> })}
                    </li>
                }).collect_view()}
            </ol>
            <details>
                <summary>{label(lang, &m.def.description)}</summary>
                <MeasureFacts def=m.def.clone()/>
            </details>
            {(!steps.is_empty()).then(|| view! {
                <ActionForm action=acts.step attr:class="stack step-form">
                    <input type="hidden" name="id" value=id.clone()/>
                    <input type="hidden" name="measure" value=mid.clone()/>
                    {needs_confirm.then(|| view! {
                        <div class="confirm-evidence">
                            <p class="warn">{t(lang, "ct.evidence_lost")}": "{m.def.evidence_lost.as_ref().map(|l| label(lang, l))}</p>
                            <p>{t(lang, "ct.preserve_first")}":"</p>
                            <ul class="preserve">{m.def.preserve_first.iter().map(|p| view! { <li>{label(lang, p)}</li> }).collect_view()}</ul>
                            <label class="check">
                                <input type="checkbox" name="confirm_evidence" value="true"/>
                                {t(lang, "ct.confirm_evidence")}
                            </label>
                        </div>
                    })}
                    {verify.then(|| view! {
                        <label for=format!("eff-{mid}")>{t(lang, "ct.verified")}</label>
                        <select id=format!("eff-{mid}") name="effective">
                            <option value="true">{t(lang, "ct.effective")}</option>
                            <option value="false">{t(lang, "ct.not_effective")}</option>
                        </select>
                    })}
                    <label for=format!("note-{mid}")>{t(lang, "ct.note")}</label>
                    <textarea id=format!("note-{mid}") name="note" rows="2"></textarea>
                    <div class="buttons">
                        {steps.into_iter().map(|s| view! {
                            <button type="submit" name="step" value=s.id() class=format!("step-{}", s.id())>{t(lang, &format!("step.{}", s.id()))}</button>
                        }).collect_view()}
                    </div>
                    <p class="error" role="alert">{message}</p>
                </ActionForm>
            })}
        </li>
    }
}

#[component]
fn ProposeForm(id: String, assets: Vec<Asset>, officer: bool) -> impl IntoView {
    let lang = use_lang();
    let catalogue = crate::ui::use_catalogue();
    let acts = expect_context::<Acts>();
    let value = acts.propose.value();
    let message = answer(value);
    let field_error = move |f: &'static str| {
        value.with(|v| match v {
            Some(Ok(crate::domain::form::FormResult::Invalid(errors))) => {
                crate::domain::form::error_for(errors, f).map(|c| crate::i18n::error_text(lang, c))
            }
            _ => None,
        })
    };
    if assets.is_empty() {
        return view! {
            <h3>{t(lang, "ct.propose")}</h3>
            <p class="muted">{t(lang, "ct.no_assets")}</p>
        }
        .into_any();
    }
    let chosen = RwSignal::new(String::new());
    let emergency = RwSignal::new(false);
    let def = move || catalogue()?.measure(&chosen.get()).cloned();
    let targets = playbooks::CONTAINMENT_TARGETS;
    view! {
        <h3>{t(lang, "ct.propose")}</h3>
        <ActionForm action=acts.propose attr:class="stack propose-form">
            <input type="hidden" name="id" value=id/>
            <label for="ct-asset">{t(lang, "ct.target")}</label>
            <select id="ct-asset" name="asset">
                <option value="">{t(lang, "ct.choose")}</option>
                {assets.iter().map(|a| view! {
                    <option value=a.id.to_string()>{format!("{} — {}", t(lang, &format!("asset.{}", a.asset_type.id())), a.identifier)}</option>
                }).collect_view()}
            </select>
            <p class="error">{move || field_error("asset")}</p>
            <label for="ct-measure">{t(lang, "ct.measure")}</label>
            <select id="ct-measure" name="measure" on:change=move |ev| chosen.set(event_target_value(&ev))>
                <option value="">{t(lang, "ct.choose")}</option>
                {move || {
                    let m = catalogue().unwrap_or_default();
                    targets.iter().map(|target| {
                        let group = t(lang, &format!("asset.{target}"));
                        let options = m.measures.iter().filter(|d| d.target == *target).map(|d| view! {
                            <option value=d.id.clone()>{label(lang, &d.name)}</option>
                        }).collect_view();
                        view! { <optgroup label=group>{options}</optgroup> }
                    }).collect_view()
                }}
            </select>
            <p class="error">{move || field_error("measure")}</p>
            {move || def().map(|d| view! { <p class="muted">{label(lang, &d.description)}</p> <MeasureFacts def=d/> })}
            <label for="ct-reason">{t(lang, "ct.reason")}</label>
            <textarea id="ct-reason" name="reason" rows="2"></textarea>
            <p class="error">{move || field_error("reason")}</p>
            <label for="ct-effect">{t(lang, "ct.expected_effect")}</label>
            <textarea id="ct-effect" name="expected_effect" rows="2"></textarea>
            <p class="error">{move || field_error("expected_effect")}</p>
            {officer.then(|| view! {
                <label class="check">
                    <input type="checkbox" name="emergency" value="true" on:change=move |ev| emergency.set(event_target_checked(&ev))/>
                    {t(lang, "ct.emergency")}
                </label>
                <div class="emergency" class:hidden=move || !emergency.get()>
                    <label for="ct-justification">{t(lang, "ct.justification")}</label>
                    <textarea id="ct-justification" name="justification" rows="2"></textarea>
                    <p class="error">{move || field_error("justification")}</p>
                    <label class="check">
                        <input type="checkbox" name="confirm_evidence" value="true"/>
                        {t(lang, "ct.confirm_evidence")}
                    </label>
                </div>
            })}
            <button type="submit">{t(lang, "ct.propose")}</button>
            <p class="error" role="alert">{message}</p>
        </ActionForm>
    }
    .into_any()
}

/// How many proposals wait for a decision.
fn awaiting(incident: &IncidentDetail) -> usize {
    incident
        .measures
        .iter()
        .filter(|m| m.status == MeasureStatus::Proposed)
        .count()
}
