//! The incident page: the phases A–G as a stepper with what is still needed to
//! leave the current one, that phase's tasks grouped by role, classification,
//! assets, assignment, recurrence prevention, the timeline — and only the
//! actions the reader may take.
//!
//! This module holds the page, its actions (`Acts`) and what refreshes it after
//! an accepted change; the parts are in `phases` (the phase commands and the
//! triage decision), `tasks`, `facts` (the side column: report, classification,
//! assets, assignment, prevention) and `timeline`.

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
use crate::domain::form::{ErrorCode, FormResult};
use crate::domain::incident::IncidentDetail;
use crate::domain::workflow::Status;
use crate::domain::{AppError, Phase};
use crate::i18n::{error_text, kind_label, t};
use crate::model::label;
use crate::ui::incidents::{format_time, severity_name};
use crate::ui::{ErrorView, use_lang, use_model};

mod facts;
mod phases;
mod prevention;
mod tasks;
mod timeline;

use facts::{Assets, Assignment, Classification, Facts, Prevention};
use phases::Commands;
use tasks::TaskBoard;
use timeline::Timeline;

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
    pub add_observable: ServerAction<crate::api::observables::AddObservable>,
    pub paste_observables: ServerAction<crate::api::observables::PasteObservables>,
    pub edit_observable: ServerAction<crate::api::observables::EditObservable>,
    pub remove_observable: ServerAction<crate::api::observables::RemoveObservable>,
    pub share_observable: ServerAction<crate::api::observables::ShareObservable>,
    command: ServerAction<IncidentCommand>,
    task: ServerAction<UpdateTask>,
    waive: ServerAction<WaiveTask>,
    assign_task: ServerAction<AssignTask>,
    classify: ServerAction<ClassifyIncident>,
    add_asset: ServerAction<AddAsset>,
    remove_asset: ServerAction<RemoveAsset>,
    assign: ServerAction<AssignIncident>,
    prevention: ServerAction<RecordPrevention>,
    pub decide_prevention: ServerAction<crate::api::workflow::DecidePrevention>,
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
        on_done(self.add_observable.value(), refresh);
        on_done(self.paste_observables.value(), refresh);
        on_done(self.edit_observable.value(), refresh);
        on_done(self.remove_observable.value(), refresh);
        on_done(self.share_observable.value(), refresh);
        on_done(self.command.value(), refresh);
        on_done(self.task.value(), refresh);
        on_done(self.waive.value(), refresh);
        on_done(self.assign_task.value(), refresh);
        on_done(self.classify.value(), refresh);
        on_done(self.add_asset.value(), refresh);
        on_done(self.remove_asset.value(), refresh);
        on_done(self.assign.value(), refresh);
        on_done(self.prevention.value(), refresh);
        on_done(self.decide_prevention.value(), refresh);
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
        add_observable: ServerAction::new(),
        paste_observables: ServerAction::new(),
        edit_observable: ServerAction::new(),
        remove_observable: ServerAction::new(),
        share_observable: ServerAction::new(),
        command: ServerAction::new(),
        task: ServerAction::new(),
        waive: ServerAction::new(),
        assign_task: ServerAction::new(),
        classify: ServerAction::new(),
        add_asset: ServerAction::new(),
        remove_asset: ServerAction::new(),
        assign: ServerAction::new(),
        prevention: ServerAction::new(),
        decide_prevention: ServerAction::new(),
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
                Ok(i) => view! { <Workspace incident=i refresh=refresh/> }.into_any(),
                Err(e) => view! { <section class="panel"><ErrorView error=e/></section> }.into_any(),
            })}
        </Transition>
    }
}

#[component]
fn Workspace(incident: IncidentDetail, refresh: RwSignal<usize>) -> impl IntoView {
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
    let sees_timeline = i.may.see_timeline;
    let sees_internal = i.may.see_internal;
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
            <Commands id=id.clone() available=i.may.commands.clone()/>
        </section>
        <div class="columns">
            <div class="main-col">
                <crate::ui::external::Engaged id=id.clone() incident=i.clone()/>
                <TaskBoard id=id.clone() tasks=i.tasks.clone() current=current closed=closed/>
                <crate::ui::containment::Containment id=id.clone() incident=i.clone()/>
                <crate::ui::evidence::Evidence id=id.clone() incident=i.clone()/>
                <crate::ui::triage::Triage id=id.clone() incident=i.clone() refresh=refresh/>
                <prevention::PreventionChecklist id=id.clone() incident=i.clone()/>
                <crate::ui::reports::Reports id=id.clone() incident=i.clone() refresh=refresh/>
                <crate::ui::observables::Observables id=id.clone() incident=i.clone()/>
                <crate::ui::external::ExternalParties id=id.clone() incident=i.clone()/>
                {sees_timeline.then(|| view! { <Timeline id=id.clone() incident=i.clone()/> })}
            </div>
            <aside class="side-col">
                <Facts incident=i.clone()/>
                <Classification id=id.clone() incident=i.clone()/>
                <Assets id=id.clone() incident=i.clone()/>
                {sees_internal.then(|| view! {
                    <Assignment id=id.clone() incident=i.clone()/>
                    <Prevention id=id.clone() incident=i.clone()/>
                })}
            </aside>
        </div>
    }
    .into_any()
}
