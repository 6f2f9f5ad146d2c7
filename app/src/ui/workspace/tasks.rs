//! The tasks of the incident page: the current phase's tasks grouped by role,
//! each with the actions the reader may take on it, and the other phases' tasks
//! in one table.

use leptos::prelude::*;

use super::{Acts, answer};
use crate::domain::workflow::TaskStatus;
use crate::domain::workspace::TaskView;
use crate::domain::{Phase, Role};
use crate::i18n::t;
use crate::model::label;
use crate::ui::{use_lang, use_model};

#[component]
pub(super) fn TaskBoard(
    id: String,
    tasks: Vec<TaskView>,
    current: Phase,
    closed: bool,
) -> impl IntoView {
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
                <span class="badge raci" title=t(lang, "ws.raci")>{t(lang, &format!("raci.{}", task.raci.id()))}</span>
                <span class="badge status">{t(lang, &format!("task.{}", task.status.id()))}</span>
            </div>
            <p class="muted">{label(lang, &task.description)}</p>
            {(!task.waiting_on.is_empty() && !finished).then(|| view! {
                <p class="waiting" data-testid="task-waiting">{t(lang, "ws.waiting_for")}" "{task.waiting_on.iter().map(|o| label(lang, o)).collect::<Vec<_>>().join(" / ")}</p>
            })}
            {(!task.inputs.is_empty()).then(|| view! {
                <p class="inputs small">{t(lang, "ws.inputs")}": "{task.inputs.iter().map(|o| label(lang, o)).collect::<Vec<_>>().join(" / ")}</p>
            })}
            {(!task.outputs.is_empty()).then(|| view! {
                <p class="outputs">{t(lang, "ws.outputs")}": "{task.outputs.iter().map(|o| label(lang, o)).collect::<Vec<_>>().join(" / ")}</p>
            })}
            {(!task.skills.is_empty()).then(|| view! {
                <p class="skills small">{t(lang, "ws.skills")}": "{task.skills.iter().map(|o| label(lang, o)).collect::<Vec<_>>().join(" / ")}</p>
            })}
            {(!task.checklist.is_empty()).then(|| view! {
                <details class="task-checklist">
                    <summary>{t(lang, "ws.checklist")}" ("{task.checklist.len()}")"</summary>
                    <ul>{task.checklist.iter().map(|c| view! { <li>{label(lang, c)}</li> }).collect_view()}</ul>
                </details>
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
