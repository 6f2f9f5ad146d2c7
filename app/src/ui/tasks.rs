//! "My tasks": the open tasks of the current phase of open incidents, for the
//! reader's roles or assigned to them.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::api::workflow::my_tasks;
use crate::i18n::t;
use crate::model::label;
use crate::ui::{ErrorView, use_lang, use_model};

#[component]
pub fn MyTasksPage() -> impl IntoView {
    let lang = use_lang();
    let model = use_model();
    let tasks = Resource::new(|| (), |_| my_tasks());
    view! {
        <Title text=t(lang, "tasks.title")/>
        <section class="panel">
            <h1>{t(lang, "tasks.title")}</h1>
            <Suspense>
                {move || tasks.get().map(|r| match r {
                    Ok(list) if list.is_empty() => view! { <p class="muted">{t(lang, "tasks.empty")}</p> }.into_any(),
                    Ok(list) => view! {
                        <table class="my-tasks">
                            <thead><tr>
                                <th scope="col">{t(lang, "col.id")}</th>
                                <th scope="col">{t(lang, "col.phase")}</th>
                                <th scope="col">{t(lang, "ws.tasks")}</th>
                                <th scope="col">{t(lang, "users.f.roles")}</th>
                                <th scope="col">{t(lang, "ws.status")}</th>
                            </tr></thead>
                            <tbody>
                                {list.into_iter().map(|task| view! {
                                    <tr>
                                        <td><A href=format!("/incidents/{}", task.human_id)>{task.human_id.clone()}</A><br/><span class="small muted">{task.incident_title.clone()}</span></td>
                                        <td><span class="phase-badge">{task.phase.id()}</span></td>
                                        <td>
                                            {label(lang, &task.name)}
                                            {task.required.then(|| view! { " " <span class="badge required">{t(lang, "badge.required")}</span> })}
                                            {task.assigned_to_me.then(|| view! { " " <span class="badge">{t(lang, "tasks.assigned")}</span> })}
                                        </td>
                                        <td>{move || model().role_name(lang, task.role)}</td>
                                        <td>{t(lang, &format!("task.{}", task.status.id()))}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any(),
                    Err(e) => view! { <ErrorView error=e/> }.into_any(),
                })}
            </Suspense>
        </section>
    }
}
