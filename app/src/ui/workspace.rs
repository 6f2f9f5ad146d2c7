//! The incident page: the phases A–G as a stepper with what is still needed to
//! leave the current one, that phase's tasks grouped by role, classification,
//! assets, assignment, recurrence prevention, the timeline — and only the
//! actions the reader may take.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::api::containment::{ContainmentStep, ProposeContainment};
use crate::api::evidence::{RecordCustody, VerifyEvidence, WaiveChecklistItem};
use crate::api::incidents::get_incident;
use crate::api::workflow::{
    AddAsset, AssignIncident, AssignTask, ClassifyIncident, CommentIncident, IncidentCommand,
    RecordPrevention, RemoveAsset, UpdateTask, WaiveTask,
};
use crate::domain::classification::{AssetType, AttackRoute, AttackStage, Tlp};
use crate::domain::form::{ErrorCode, FormResult, error_for};
use crate::domain::incident::IncidentDetail;
use crate::domain::workflow::{Decision, Status, TaskStatus};
use crate::domain::workspace::{Available, CommandKind, PersonRef, TaskView};
use crate::domain::{AppError, Phase, Role};
use crate::i18n::{Lang, discovery_label, error_text, kind_label, t};
use crate::model::label;
use crate::ui::fields::errors_of;
use crate::ui::incidents::{format_time, severity_name, severity_options};
use crate::ui::raw_text::raw_text;
use crate::ui::{ErrorView, use_lang, use_model};

/// Every action of the page. An accepted change refreshes the incident; a
/// refused one leaves the page (and what was typed) as it is, with the
/// message next to the form.
#[derive(Clone, Copy)]
pub(crate) struct Acts {
    pub propose: ServerAction<ProposeContainment>,
    pub step: ServerAction<ContainmentStep>,
    pub waive_item: ServerAction<WaiveChecklistItem>,
    pub custody: ServerAction<RecordCustody>,
    pub verify: ServerAction<VerifyEvidence>,
    pub engage: ServerAction<crate::api::external::Engage>,
    pub revoke: ServerAction<crate::api::external::RevokeEngagement>,
    pub report: ServerAction<crate::api::external::SubmitInvestigationReport>,
    command: ServerAction<IncidentCommand>,
    task: ServerAction<UpdateTask>,
    waive: ServerAction<WaiveTask>,
    assign_task: ServerAction<AssignTask>,
    classify: ServerAction<ClassifyIncident>,
    add_asset: ServerAction<AddAsset>,
    remove_asset: ServerAction<RemoveAsset>,
    assign: ServerAction<AssignIncident>,
    prevention: ServerAction<RecordPrevention>,
    comment: ServerAction<CommentIncident>,
}

impl Acts {
    /// Bumps `refresh` whenever any action's answer is an accepted change.
    fn refresh_on_done(&self, refresh: RwSignal<usize>) {
        on_done(self.propose.value(), refresh);
        on_done(self.step.value(), refresh);
        on_done(self.waive_item.value(), refresh);
        on_done(self.custody.value(), refresh);
        on_done(self.verify.value(), refresh);
        on_done(self.engage.value(), refresh);
        on_done(self.revoke.value(), refresh);
        on_done(self.report.value(), refresh);
        on_done(self.command.value(), refresh);
        on_done(self.task.value(), refresh);
        on_done(self.waive.value(), refresh);
        on_done(self.assign_task.value(), refresh);
        on_done(self.classify.value(), refresh);
        on_done(self.add_asset.value(), refresh);
        on_done(self.remove_asset.value(), refresh);
        on_done(self.assign.value(), refresh);
        on_done(self.prevention.value(), refresh);
        on_done(self.comment.value(), refresh);
    }
}

/// The page is rebuilt in place after an accepted change, and text typed
/// into a form would stay: clear the form that was just submitted, and only
/// that one.
#[cfg(feature = "hydrate")]
fn clear_submitted_form(refresh: RwSignal<usize>) {
    use leptos::wasm_bindgen::JsCast;
    let last = StoredValue::new_local(None::<web_sys::HtmlFormElement>);
    let handle = window_event_listener(leptos::ev::submit, move |ev| {
        let form = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlFormElement>().ok());
        last.set_value(form);
    });
    on_cleanup(move || handle.remove());
    Effect::new(move |seen: Option<usize>| {
        let now = refresh.get();
        if seen.is_some_and(|s| s != now)
            && let Some(form) = last.get_value()
        {
            form.reset();
        }
        now
    });
}

fn on_done<T, S>(value: S, refresh: RwSignal<usize>)
where
    T: Clone + Send + Sync + 'static,
    S: Get<Value = Option<Result<FormResult<T>, AppError>>> + Send + Sync + Copy + 'static,
{
    Effect::new(move |_| {
        if matches!(value.get(), Some(Ok(FormResult::Done(_)))) {
            refresh.update(|n| *n += 1);
        }
    });
}

/// The message of the last answer of an action: a refused rule or the first
/// field error.
pub(crate) fn answer<T, S>(value: S) -> impl Fn() -> Option<String> + Send + Sync + Copy + 'static
where
    T: Clone + Send + Sync + 'static,
    S: Get<Value = Option<Result<FormResult<T>, AppError>>> + Send + Sync + Copy + 'static,
{
    let lang = use_lang();
    move || match value.get() {
        Some(Ok(FormResult::Invalid(errors))) => errors.first().map(|e| {
            let text = error_text(lang, &e.code);
            if matches!(e.code, ErrorCode::Refused(_)) || e.field == "command" {
                text
            } else {
                format!("{}: {text}", e.field)
            }
        }),
        Some(Err(AppError::Forbidden)) => Some(t(lang, "error.forbidden").into()),
        Some(Err(AppError::NotFound)) => Some(t(lang, "error.not_found").into()),
        Some(Err(_)) => Some(t(lang, "error.internal").into()),
        _ => None,
    }
}

#[component]
pub fn IncidentPage() -> impl IntoView {
    let params = use_params_map();
    let acts = Acts {
        propose: ServerAction::new(),
        step: ServerAction::new(),
        waive_item: ServerAction::new(),
        custody: ServerAction::new(),
        verify: ServerAction::new(),
        engage: ServerAction::new(),
        revoke: ServerAction::new(),
        report: ServerAction::new(),
        command: ServerAction::new(),
        task: ServerAction::new(),
        waive: ServerAction::new(),
        assign_task: ServerAction::new(),
        classify: ServerAction::new(),
        add_asset: ServerAction::new(),
        remove_asset: ServerAction::new(),
        assign: ServerAction::new(),
        prevention: ServerAction::new(),
        comment: ServerAction::new(),
    };
    provide_context(acts);
    let refresh = RwSignal::new(0usize);
    acts.refresh_on_done(refresh);
    #[cfg(feature = "hydrate")]
    clear_submitted_form(refresh);
    let incident = Resource::new(
        move || (params.get().get("id").unwrap_or_default(), refresh.get()),
        |(id, _)| get_incident(id),
    );
    view! {
        <Transition>
            {move || incident.get().map(|r| match r {
                Ok(i) => view! { <Workspace incident=i/> }.into_any(),
                Err(e) => view! { <section class="panel"><ErrorView error=e/></section> }.into_any(),
            })}
        </Transition>
    }
}

#[component]
fn Workspace(incident: IncidentDetail) -> impl IntoView {
    let lang = use_lang();
    let model = use_model();
    let i = incident;
    let current = i.phase;
    let closed = i.status == Status::Closed;
    let open_required: Vec<String> = i
        .tasks
        .iter()
        .filter(|t| t.phase == current && t.required && !t.status.is_finished())
        .map(|t| label(lang, &t.name))
        .collect();
    let id = i.human_id.clone();
    let outsider = i.external.is_some();
    let sees_timeline = i.external.as_ref().is_none_or(|x| x.scope.timeline);
    view! {
        <Title text=format!("{} {}", i.human_id, i.title)/>
        <section class="panel">
            <p class="muted">
                {i.human_id.clone()}" · "<span class=format!("tlp tlp-{}", i.tlp.id())>{i.tlp.label()}</span>
                {i.severity.map(|s| view! { " · " <span class=format!("sev sev-{}", s.id())>{severity_name(lang, s)}</span> })}
                " · "{kind_label(lang, i.kind)}
            </p>
            <h1>{i.title.clone()}</h1>
            {closed.then(|| {
                let reason = i.close_reason.map(|r| t(lang, &format!("close.{}", r.id()))).unwrap_or_default();
                view! { <p class="closed-banner" role="status">{t(lang, "ws.closed")}" — "{reason}</p> }
            })}
            <ul class="targets">
                {i.targets.iter().map(|s| {
                    let cls = if s.overdue { "target overdue" } else if s.met_at.is_some() { "target met" } else { "target" };
                    view! {
                        <li class=cls>
                            {t(lang, &format!("target.{}", s.target.id()))}": "{format_time(s.due_at)}
                            {s.met_at.map(|m| format!(" ✓ {}", format_time(m)))}
                            {s.overdue.then(|| view! { " " <strong>{t(lang, "badge.overdue")}</strong> })}
                        </li>
                    }
                }).collect_view()}
            </ul>
            <ol class="stepper" aria-label=t(lang, "incident.phase")>
                {Phase::ALL.into_iter().map(|p| {
                    let state = if p == current && !closed { "current" } else if p < current || (closed && p == current) { "done" } else { "todo" };
                    view! {
                        <li class=state aria-current=(p == current).then_some("step")>
                            <span class="letter">{p.id()}</span>
                            <span class="name">{move || model().phase_name(lang, p)}</span>
                        </li>
                    }
                }).collect_view()}
            </ol>
            <p class="purpose">{move || model().phase_purpose(lang, current)}</p>
            {(!closed).then(|| view! {
                <div class="needed">
                    <h2>{t(lang, "ws.to_leave")}</h2>
                    {if open_required.is_empty() {
                        view! { <p class="ok">{t(lang, "ws.outputs_done")}</p> }.into_any()
                    } else {
                        view! { <ul>{open_required.into_iter().map(|n| view! { <li>{n}</li> }).collect_view()}</ul> }.into_any()
                    }}
                </div>
            })}
            <Commands id=id.clone() available=i.available.clone()/>
        </section>
        <div class="columns">
            <div class="main-col">
                <crate::ui::external::Engaged id=id.clone() incident=i.clone()/>
                <TaskBoard id=id.clone() tasks=i.tasks.clone() current=current closed=closed/>
                <crate::ui::containment::Containment id=id.clone() incident=i.clone()/>
                <crate::ui::evidence::Evidence id=id.clone() incident=i.clone()/>
                <crate::ui::external::ExternalParties id=id.clone() incident=i.clone()/>
                {sees_timeline.then(|| view! { <Timeline id=id.clone() incident=i.clone()/> })}
            </div>
            <aside class="side-col">
                <Facts incident=i.clone()/>
                <Classification id=id.clone() incident=i.clone()/>
                <Assets id=id.clone() incident=i.clone()/>
                {(!outsider).then(|| view! {
                    <Assignment id=id.clone() incident=i.clone()/>
                    <Prevention id=id.clone() incident=i.clone()/>
                })}
            </aside>
        </div>
    }
    .into_any()
}

#[component]
fn Commands(id: String, available: Vec<Available>) -> impl IntoView {
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
                    {move || model().severities.into_iter().map(|s| view! {
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

#[component]
fn TaskBoard(id: String, tasks: Vec<TaskView>, current: Phase, closed: bool) -> impl IntoView {
    let lang = use_lang();
    let model = use_model();
    let acts = expect_context::<Acts>();
    let message = answer(acts.task.value());
    let waive_message = answer(acts.waive.value());
    let (now, rest): (Vec<TaskView>, Vec<TaskView>) =
        tasks.into_iter().partition(|t| t.phase == current);
    let groups: Vec<(Role, Vec<TaskView>)> = Role::ALL
        .into_iter()
        .map(|r| {
            (
                r,
                now.iter()
                    .filter(|t| t.role == r)
                    .cloned()
                    .collect::<Vec<_>>(),
            )
        })
        .filter(|(_, ts)| !ts.is_empty())
        .collect();
    view! {
        <section class="panel">
            <h2>{t(lang, "ws.tasks")}" — "{current.id()}</h2>
            {closed.then(|| view! { <p class="muted">{t(lang, "ws.closed")}</p> })}
            <p class="error" role="alert">{message}{waive_message}</p>
            {groups.into_iter().map(|(role, ts)| view! {
                <h3 class="role-heading">{move || model().role_name(lang, role)}</h3>
                <ul class="tasks">
                    {ts.into_iter().map(|task| view! { <TaskCard id=id.clone() task/> }).collect_view()}
                </ul>
            }).collect_view()}
            <details>
                <summary>{t(lang, "ws.all_tasks")}" ("{rest.len()}")"</summary>
                <table class="all-tasks">
                    <tbody>
                        {rest.into_iter().map(|task| view! {
                            <tr>
                                <td>{task.phase.id()}</td>
                                <td>{move || model().role_name(lang, task.role)}</td>
                                <td>{label(lang, &task.name)}</td>
                                <td>{t(lang, &format!("task.{}", task.status.id()))}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </details>
        </section>
    }
    .into_any()
}

#[component]
fn TaskCard(id: String, task: TaskView) -> impl IntoView {
    let lang = use_lang();
    let acts = expect_context::<Acts>();
    let tid = task.id.to_string();
    let (wid, wtid) = (id.clone(), tid.clone());
    let (take_id, take_tid) = (id.clone(), tid.clone());
    let finished = task.status.is_finished();
    view! {
        <li class=format!("task task-{}", task.status.id()) data-action=task.action_id.clone()>
            <div class="task-head">
                <strong>{label(lang, &task.name)}</strong>
                {task.required.then(|| view! { <span class="badge required">{t(lang, "badge.required")}</span> })}
                {task.kind_specific.then(|| view! { <span class="badge kind">{t(lang, "badge.kind")}</span> })}
                <span class="badge status">{t(lang, &format!("task.{}", task.status.id()))}</span>
            </div>
            <p class="muted">{label(lang, &task.description)}</p>
            {(!task.outputs.is_empty()).then(|| view! {
                <p class="outputs">{t(lang, "ws.outputs")}": "{task.outputs.iter().map(|o| label(lang, o)).collect::<Vec<_>>().join(" / ")}</p>
            })}
            {task.assignee.clone().map(|a| view! { <p class="small">{t(lang, "ws.assignee")}": "{a}</p> })}
            {task.output_note.clone().map(|n| view! { <p class="note">{n}</p> })}
            {(task.may_take && !finished).then(|| view! {
                <ActionForm action=acts.assign_task attr:class="task-form">
                    <input type="hidden" name="id" value=take_id.clone()/>
                    <input type="hidden" name="task" value=take_tid.clone()/>
                    <input type="hidden" name="assignee" value="me"/>
                    <button type="submit" class="secondary">{t(lang, "ws.take")}</button>
                </ActionForm>
            })}
            {task.waive_reason.clone().map(|n| view! { <p class="note">{t(lang, "ws.waived_because")}" "{n}</p> })}
            {task.may_progress.then(|| view! {
                <ActionForm action=acts.task attr:class="task-form">
                    <input type="hidden" name="id" value=id.clone()/>
                    <input type="hidden" name="task" value=tid.clone()/>
                    <select name="status" aria-label=t(lang, "ws.status")>
                        {[TaskStatus::Open, TaskStatus::InProgress, TaskStatus::Done].into_iter().map(|s| view! {
                            <option value=s.id() selected=s == task.status>{t(lang, &format!("task.{}", s.id()))}</option>
                        }).collect_view()}
                    </select>
                    <input type="text" name="note" aria-label=t(lang, "ws.note") placeholder=t(lang, "ws.note")/>
                    <button type="submit">{t(lang, "ws.save")}</button>
                </ActionForm>
            })}
            {(task.may_waive && !finished).then(|| view! {
                <ActionForm action=acts.waive attr:class="task-form">
                    <input type="hidden" name="id" value=wid.clone()/>
                    <input type="hidden" name="task" value=wtid.clone()/>
                    <input type="text" name="reason" aria-label=t(lang, "ws.waive_reason") placeholder=t(lang, "ws.waive_reason")/>
                    <button type="submit" class="secondary">{t(lang, "ws.waive")}</button>
                </ActionForm>
            })}
        </li>
    }
    .into_any()
}

#[component]
fn Facts(incident: IncidentDetail) -> impl IntoView {
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
fn Classification(id: String, incident: IncidentDetail) -> impl IntoView {
    let lang = use_lang();
    let acts = expect_context::<Acts>();
    let message = answer(acts.classify.value());
    let i = incident;
    if !i.may_classify {
        return view! {
            <section class="panel">
                <h2>{t(lang, "ws.classification")}</h2>
                <dl class="facts">
                    <dt>{t(lang, "col.tlp")}</dt><dd>{i.tlp.label()}</dd>
                    <dt>{t(lang, "ws.stage")}</dt><dd>{i.attack_stage.map(|s| t(lang, &format!("stage.{}", s.id())))}</dd>
                    <dt>{t(lang, "ws.route")}</dt><dd>{i.attack_route.map(|r| t(lang, &format!("route.{}", r.id())))}</dd>
                </dl>
            </section>
        }
        .into_any();
    }
    view! {
        <section class="panel">
            <h2>{t(lang, "ws.classification")}</h2>
            <ActionForm action=acts.classify attr:class="stack">
                <input type="hidden" name="id" value=id/>
                <label for="c-tlp">{t(lang, "col.tlp")}</label>
                <select id="c-tlp" name="tlp">
                    {Tlp::ALL.iter().map(|v| view! { <option value=v.id() selected=*v == i.tlp>{v.label()}</option> }).collect_view()}
                </select>
                {i.may_set_severity.then(|| view! {
                    <label for="c-severity">{t(lang, "col.severity")}</label>
                    <select id="c-severity" name="severity">
                        <option value="">"—"</option>
                        {severity_options(lang).into_iter().map(|(v, l)| view! {
                            <option value=v selected=i.severity.map(|s| s.id()) == Some(v)>{l}</option>
                        }).collect_view()}
                    </select>
                })}
                <label for="c-stage">{t(lang, "ws.stage")}</label>
                <select id="c-stage" name="stage">{option_list(lang, "stage", AttackStage::ALL, AttackStage::id, i.attack_stage)}</select>
                <label for="c-route">{t(lang, "ws.route")}</label>
                <select id="c-route" name="route">{option_list(lang, "route", AttackRoute::ALL, AttackRoute::id, i.attack_route)}</select>
                <button type="submit">{t(lang, "ws.save")}</button>
                <p class="error" role="alert">{message}</p>
            </ActionForm>
        </section>
    }
    .into_any()
}

#[component]
fn Assets(id: String, incident: IncidentDetail) -> impl IntoView {
    let lang = use_lang();
    let acts = expect_context::<Acts>();
    let message = answer(acts.add_asset.value());
    let editable = incident.may_classify;
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
fn Assignment(id: String, incident: IncidentDetail) -> impl IntoView {
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
        .filter(|p| p.roles.contains(&Role::SecurityOfficer))
        .cloned()
        .collect();
    view! {
        <section class="panel">
            <h2>{t(lang, "ws.assignment")}</h2>
            {current}
            {i.may_assign.then(|| view! {
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
fn Prevention(id: String, incident: IncidentDetail) -> impl IntoView {
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
            {if i.may_classify {
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

#[component]
fn Timeline(id: String, incident: IncidentDetail) -> impl IntoView {
    let lang = use_lang();
    let acts = expect_context::<Acts>();
    let message = answer(acts.comment.value());
    let audiences = incident.comment_audiences.clone();
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
