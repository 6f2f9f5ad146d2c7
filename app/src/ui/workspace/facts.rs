//! The side column of the incident page: the report as filed with the time
//! spent in each phase, classification, affected assets, assignment and
//! recurrence prevention.

use leptos::prelude::*;

use super::{Acts, answer};
use crate::domain::Phase;
use crate::domain::classification::{AssetType, AttackRoute, AttackStage, AttackerType, Tlp};
use crate::domain::incident::IncidentDetail;
use crate::domain::workspace::PersonRef;
use crate::i18n::{Lang, discovery_label, t};
use crate::ui::incidents::{format_time, severity_options};
use crate::ui::raw_text::raw_text;
use crate::ui::{use_lang, use_model};

#[component]
pub(super) fn Facts(incident: IncidentDetail) -> impl IntoView {
    let lang = use_lang();
    let model = use_model();
    let i = incident;
    view! {
        <section class="panel">
            <h2>{t(lang, "ws.report")}</h2>
            <dl class="facts">
                <dt>{t(lang, "incident.discovery")}</dt><dd>{discovery_label(lang, i.discovery)}</dd>
                <dt>{t(lang, "incident.noticed")}</dt><dd>{format_time(i.noticed_at)}</dd>
                <dt>{t(lang, "incident.location")}</dt><dd class="pre">{i.location}</dd>
                // An external party is not told who reported it.
                {(i.external.is_none()).then(|| view! {
                    <dt>{t(lang, "incident.reported_by")}</dt><dd>{i.reporter.clone()}" ("{i.reporter_username.clone()}") · "{format_time(i.created_at)}</dd>
                    <dt>{t(lang, "incident.contact")}</dt><dd>{i.reporter_contact.clone()}</dd>
                })}
            </dl>
            {(!i.notices.is_empty()).then(|| view! {
                <h3>{t(lang, "notice.heading")}</h3>
                <dl class="facts" data-testid="outside-notice">
                    {i.notices.iter().map(|n| view! {
                        <dt>{t(lang, "notice.organisation")}</dt><dd>{n.notifier.organisation.clone()}</dd>
                        <dt>{t(lang, "notice.person")}</dt><dd>{n.notifier.person.clone()}</dd>
                        <dt>{t(lang, "notice.contact")}</dt><dd>{n.notifier.contact.clone()}</dd>
                        <dt>{t(lang, "notice.their_reference")}</dt><dd>{n.notifier.their_reference.clone()}</dd>
                        <dt>{t(lang, "notice.reference")}</dt><dd class="mono">{n.reference.clone()}" · "{t(lang, &format!("notice.via.{}", n.via.id()))}" · "{format_time(n.created_at)}</dd>
                    }).collect_view()}
                </dl>
            })}
            <h3>{t(lang, "incident.observed")}</h3>
            <p class="pre">{i.observed}</p>
            {i.decision.map(|d| view! {
                <h3>{t(lang, "ws.decision")}</h3>
                <p>{t(lang, &format!("decision.{}", d.id()))}" — "{i.decision_reason.clone().unwrap_or_default()}</p>
            })}
            <h3>{t(lang, "ws.durations")}</h3>
            <table class="durations">
                <tbody>
                    {i.phases.iter().map(|p| {
                        let end = p.left_at;
                        let mins = end.unwrap_or_else(chrono::Utc::now).signed_duration_since(p.entered_at).num_minutes();
                        let phase = p.phase;
                        view! {
                            <tr>
                                <td>{phase.id()}" "{move || model().phase_name(lang, phase)}</td>
                                <td>{format_time(p.entered_at)}</td>
                                <td>{format_duration(mins)}{end.is_none().then_some(" …")}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            <p class="muted small">{t(lang, "ws.playbook")}" "{i.playbook_hash.chars().take(12).collect::<String>()}</p>
        </section>
    }
    .into_any()
}

fn format_duration(minutes: i64) -> String {
    match minutes {
        m if m < 60 => format!("{m} min"),
        m if m < 48 * 60 => format!("{} h {} min", m / 60, m % 60),
        m => format!("{} d {} h", m / (24 * 60), (m / 60) % 24),
    }
}

fn option_list<T: Copy + PartialEq + Send + Sync + 'static>(
    lang: Lang,
    prefix: &'static str,
    all: &'static [T],
    id: fn(T) -> &'static str,
    selected: Option<T>,
) -> impl IntoView {
    view! {
        <option value="">"—"</option>
        {all.iter().map(move |v| view! {
            <option value=id(*v) selected=selected == Some(*v)>{t(lang, &format!("{prefix}.{}", id(*v)))}</option>
        }).collect_view()}
    }
}

#[component]
pub(super) fn Classification(id: String, incident: IncidentDetail) -> impl IntoView {
    let lang = use_lang();
    let acts = expect_context::<Acts>();
    let message = answer(acts.classify.value());
    let i = incident;
    if !i.may.classify {
        return view! {
            <section class="panel">
                <h2>{t(lang, "ws.classification")}</h2>
                <dl class="facts">
                    <dt>{t(lang, "col.tlp")}</dt><dd>{i.tlp.label()}</dd>
                    <dt>{t(lang, "ws.stage")}</dt><dd>{stage_names(lang, &i.attack_stages)}</dd>
                    <dt>{t(lang, "ws.attacker")}</dt><dd>{i.attacker_type.map(|a| t(lang, &format!("attacker.{}", a.id())))}</dd>
                    <dt>{t(lang, "ws.route")}</dt><dd>{i.attack_route.map(|r| t(lang, &format!("route.{}", r.id())))}</dd>
                </dl>
                <StageModels incident=i.clone()/>
            </section>
        }
        .into_any();
    }
    let models = i.clone();
    view! {
        <section class="panel">
            <h2>{t(lang, "ws.classification")}</h2>
            <ActionForm action=acts.classify attr:class="stack">
                <input type="hidden" name="id" value=id/>
                <label for="c-tlp">{t(lang, "col.tlp")}</label>
                <select id="c-tlp" name="tlp">
                    {Tlp::ALL.iter().map(|v| view! { <option value=v.id() selected=*v == i.tlp>{v.label()}</option> }).collect_view()}
                </select>
                {i.may.set_severity.then(|| view! {
                    <label for="c-severity">{t(lang, "col.severity")}</label>
                    <select id="c-severity" name="severity">
                        <option value="">"—"</option>
                        {severity_options(lang).into_iter().map(|(v, l)| view! {
                            <option value=v selected=i.severity.map(|s| s.id()) == Some(v)>{l}</option>
                        }).collect_view()}
                    </select>
                })}
                <fieldset class="stages" data-testid="stages">
                    <legend>{t(lang, "ws.stage")}</legend>
                    {AttackStage::ALL.iter().map(|s| {
                        let box_id = format!("c-stage-{}", s.id());
                        let label_for = box_id.clone();
                        view! {
                            <label for=label_for class="check">
                                <input type="checkbox" id=box_id name="stages[]" value=s.id() checked=i.attack_stages.contains(s)/>
                                {t(lang, &format!("stage.{}", s.id()))}
                            </label>
                        }
                    }).collect_view()}
                </fieldset>
                <label for="c-attacker">{t(lang, "ws.attacker")}</label>
                <select id="c-attacker" name="attacker">{option_list(lang, "attacker", AttackerType::ALL, AttackerType::id, i.attacker_type)}</select>
                <p class="muted small">{t(lang, "ws.attacker_hint")}</p>
                <label for="c-route">{t(lang, "ws.route")}</label>
                <select id="c-route" name="route">{option_list(lang, "route", AttackRoute::ALL, AttackRoute::id, i.attack_route)}</select>
                <button type="submit">{t(lang, "ws.save")}</button>
                <p class="error" role="alert">{message}</p>
            </ActionForm>
            <StageModels incident=models/>
        </section>
    }
    .into_any()
}

fn stage_names(lang: Lang, stages: &[AttackStage]) -> String {
    stages
        .iter()
        .map(|s| t(lang, &format!("stage.{}", s.id())))
        .collect::<Vec<_>>()
        .join(" · ")
}

/// The recorded stages in the alternative models (the kill chain of seed
/// 001, seed 004's five phases): the same facts in the terms a partner uses.
#[component]
fn StageModels(incident: IncidentDetail) -> impl IntoView {
    let lang = use_lang();
    if incident.attack_stages.is_empty() {
        return ().into_any();
    }
    view! {
        <dl class="facts small" data-testid="stage-models">
            {incident.stage_models.into_iter().map(|m| view! {
                <dt title=m.cite.clone()>{m.name.get(lang.code()).to_string()}</dt>
                <dd>{m.reached.iter().map(|l| l.get(lang.code()).to_string()).collect::<Vec<_>>().join(" · ")}</dd>
            }).collect_view()}
        </dl>
    }
    .into_any()
}

#[component]
pub(super) fn Assets(id: String, incident: IncidentDetail) -> impl IntoView {
    let lang = use_lang();
    let acts = expect_context::<Acts>();
    let message = answer(acts.add_asset.value());
    let editable = incident.may.classify;
    let add_id = id.clone();
    view! {
        <section class="panel">
            <h2>{t(lang, "ws.assets")}</h2>
            <ul class="assets">
                {incident.assets.iter().map(|a| {
                    let id = id.clone();
                    let aid = a.id.to_string();
                    view! {
                        <li>
                            <span class="badge">{t(lang, &format!("asset.{}", a.asset_type.id()))}</span>" "
                            <strong>{a.identifier.clone()}</strong>" "<span class="muted">{a.note.clone()}</span>
                            {editable.then(|| view! {
                                <ActionForm action=acts.remove_asset attr:class="inline">
                                    <input type="hidden" name="id" value=id.clone()/>
                                    <input type="hidden" name="asset" value=aid.clone()/>
                                    <button type="submit" class="link">{t(lang, "ws.remove")}</button>
                                </ActionForm>
                            })}
                        </li>
                    }
                }).collect_view()}
            </ul>
            {editable.then(|| view! {
                <ActionForm action=acts.add_asset attr:class="stack">
                    <input type="hidden" name="id" value=add_id.clone()/>
                    <label for="a-type">{t(lang, "ws.asset_type")}</label>
                    <select id="a-type" name="asset_type">
                        {AssetType::ALL.iter().map(|v| view! { <option value=v.id()>{t(lang, &format!("asset.{}", v.id()))}</option> }).collect_view()}
                    </select>
                    <label for="a-identifier">{t(lang, "ws.identifier")}</label>
                    <input id="a-identifier" type="text" name="identifier"/>
                    <label for="a-note">{t(lang, "ws.note")}</label>
                    <input id="a-note" type="text" name="note"/>
                    <button type="submit">{t(lang, "ws.add_asset")}</button>
                    <p class="error" role="alert">{message}</p>
                </ActionForm>
            })}
        </section>
    }
    .into_any()
}

/// The options of a person select: none, then each person.
fn person_options(people: &[PersonRef], selected: Option<uuid::Uuid>) -> impl IntoView + use<> {
    let options = people
        .iter()
        .map(|p| view! { <option value=p.id.to_string() selected=Some(p.id) == selected>{p.display_name.clone()}</option> })
        .collect_view();
    view! { <option value="">"—"</option> {options} }
}

#[component]
pub(super) fn Assignment(id: String, incident: IncidentDetail) -> impl IntoView {
    let lang = use_lang();
    let acts = expect_context::<Acts>();
    let message = answer(acts.assign.value());
    let i = incident;
    let name = |p: &Option<PersonRef>| {
        p.as_ref()
            .map(|p| p.display_name.clone())
            .unwrap_or_else(|| "—".into())
    };
    let current = view! {
        <dl class="facts">
            <dt>{t(lang, "ws.responder")}</dt><dd>{name(&i.responder)}</dd>
            <dt>{t(lang, "ws.officer")}</dt><dd>{name(&i.officer)}</dd>
        </dl>
    };
    let responder = i.responder.as_ref().map(|p| p.id);
    let officer = i.officer.as_ref().map(|p| p.id);
    let officers: Vec<_> = i
        .people
        .iter()
        .filter(|p| crate::domain::policy::roles::is_officer(&p.roles))
        .cloned()
        .collect();
    view! {
        <section class="panel">
            <h2>{t(lang, "ws.assignment")}</h2>
            {current}
            {i.may.assign.then(|| view! {
                <ActionForm action=acts.assign attr:class="stack">
                    <input type="hidden" name="id" value=id/>
                    <label for="as-responder">{t(lang, "ws.responder")}</label>
                    <select id="as-responder" name="responder">{person_options(&i.people, responder)}</select>
                    <label for="as-officer">{t(lang, "ws.officer")}</label>
                    <select id="as-officer" name="officer">{person_options(&officers, officer)}</select>
                    <button type="submit">{t(lang, "ws.save")}</button>
                    <p class="error" role="alert">{message}</p>
                </ActionForm>
            })}
        </section>
    }
    .into_any()
}

#[component]
pub(super) fn Prevention(id: String, incident: IncidentDetail) -> impl IntoView {
    let lang = use_lang();
    let acts = expect_context::<Acts>();
    let message = answer(acts.prevention.value());
    let i = incident;
    let relevant = i.phase >= Phase::F
        || i.prevention_technical.is_some()
        || i.prevention_operational.is_some();
    if !relevant {
        return ().into_any();
    }
    let technical = i.prevention_technical.clone().unwrap_or_default();
    let operational = i.prevention_operational.clone().unwrap_or_default();
    view! {
        <section class="panel">
            <h2>{t(lang, "ws.prevention")}</h2>
            {if i.may.classify {
                view! {
                    <ActionForm action=acts.prevention attr:class="stack">
                        <input type="hidden" name="id" value=id/>
                        <label for="p-technical">{t(lang, "ws.prevention_technical")}</label>
                        <textarea id="p-technical" name="technical" rows="3">{raw_text(technical)}</textarea>
                        <label for="p-operational">{t(lang, "ws.prevention_operational")}</label>
                        <textarea id="p-operational" name="operational" rows="3">{raw_text(operational)}</textarea>
                        <button type="submit">{t(lang, "ws.save")}</button>
                        <p class="error" role="alert">{message}</p>
                    </ActionForm>
                }.into_any()
            } else {
                view! {
                    <h3>{t(lang, "ws.prevention_technical")}</h3><p class="pre">{technical}</p>
                    <h3>{t(lang, "ws.prevention_operational")}</h3><p class="pre">{operational}</p>
                }.into_any()
            }}
        </section>
    }
    .into_any()
}
