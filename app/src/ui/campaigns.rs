//! `/campaigns/:id`: a confirmed campaign (攻撃キャンペーン) — its incidents,
//! the values they share, the attack stages reached, the threat actor and
//! techniques, one timeline of all its incidents, and its STIX 2.1 export.
//! The officer renames it, adds and removes incidents here; a proposal is
//! confirmed from `/intel` (`ConfirmForm`).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use uuid::Uuid;

use crate::api::campaigns::{
    AddToCampaign, ConfirmCampaign, RemoveFromCampaign, UpdateCampaign, campaign,
};
use crate::domain::campaign::CampaignView;
use crate::domain::classification::Tlp;
use crate::domain::form::error_for;
use crate::i18n::{error_text, t};
use crate::ui::fields::errors_of;
use crate::ui::incidents::{format_time, severity_name};
use crate::ui::observables::TlpSelect;
use crate::ui::{ErrorView, use_lang, use_model};

/// Confirms a proposal as a campaign: a name for the incidents it links.
#[component]
pub fn ConfirmForm(incidents: Vec<String>, n: usize) -> impl IntoView {
    let lang = use_lang();
    let confirm = ServerAction::<ConfirmCampaign>::new();
    let errors = errors_of(confirm.value());
    let error = move |f: &'static str| error_for(&errors.get(), f).map(|c| error_text(lang, c));
    let done = move || match confirm.value().get() {
        Some(Ok(crate::domain::FormResult::Done(id))) => Some(id),
        _ => None,
    };
    let name_id = format!("cf-name-{n}");
    view! {
        <ActionForm action=confirm attr:class="inline confirm-campaign">
            <input type="hidden" name="incidents" value=incidents.join(",")/>
            <label for=name_id.clone()>{t(lang, "cp.name")}</label>
            <input id=name_id type="text" name="form[name]"/>
            <button type="submit">{t(lang, "cp.confirm")}</button>
            <span class="error" role="alert">{move || error("name").or_else(|| error("incidents"))}</span>
            {move || done().map(|id| view! {
                <a class="ok" href=format!("/campaigns/{id}")>{t(lang, "cp.confirmed")}</a>
            })}
        </ActionForm>
    }
}

#[component]
pub fn CampaignPage() -> impl IntoView {
    let lang = use_lang();
    let params = use_params_map();
    let update = ServerAction::<UpdateCampaign>::new();
    let add = ServerAction::<AddToCampaign>::new();
    let remove = ServerAction::<RemoveFromCampaign>::new();
    let id = move || params.with(|p| p.get("id").and_then(|s| Uuid::parse_str(&s).ok()));
    let page = Resource::new(
        move || {
            (
                id(),
                update.version().get(),
                add.version().get(),
                remove.version().get(),
            )
        },
        |(id, ..)| async move {
            match id {
                Some(id) => campaign(id).await,
                None => Err(crate::domain::AppError::NotFound),
            }
        },
    );
    view! {
        <Title text=t(lang, "cp.title")/>
        <Suspense>
            {move || page.get().map(|r| match r {
                Ok(c) => view! { <Campaign c=c update=update add=add remove=remove/> }.into_any(),
                Err(e) => view! { <section class="panel"><ErrorView error=e/></section> }.into_any(),
            })}
        </Suspense>
    }
}

#[component]
fn Campaign(
    c: CampaignView,
    update: ServerAction<UpdateCampaign>,
    add: ServerAction<AddToCampaign>,
    remove: ServerAction<RemoveFromCampaign>,
) -> impl IntoView {
    let lang = use_lang();
    let model = use_model();
    let errors = errors_of(update.value());
    let error = move |f: &'static str| error_for(&errors.get(), f).map(|c| error_text(lang, c));
    let add_errors = errors_of(add.value());
    let add_error = move || error_for(&add_errors.get(), "incidents").map(|c| error_text(lang, c));
    let id = c.id.to_string();
    let (id_add, id_edit) = (id.clone(), id.clone());
    let v = c.campaign.clone();
    let techniques: Vec<String> = v
        .techniques
        .iter()
        .chain(
            c.techniques_seen
                .iter()
                .filter(|t| !v.techniques.contains(t)),
        )
        .cloned()
        .collect();
    view! {
        <section class="panel campaign-page">
            <p class="muted small"><a href="/intel">{t(lang, "ti.title")}</a></p>
            <h1>{v.name.clone()}" "<span class=format!("tlp tlp-{}", v.tlp.id())>{v.tlp.label()}</span></h1>
            {(!v.description.is_empty()).then(|| view! { <p class="pre">{v.description.clone()}</p> })}
            <dl class="facts">
                <dt>{t(lang, "cp.actor")}</dt>
                <dd>{if v.threat_actor.is_empty() { "—".to_string() } else { v.threat_actor.clone() }}</dd>
                <dt>{t(lang, "cp.techniques")}</dt>
                <dd class="techniques">
                    {techniques.is_empty().then_some("—")}
                    {techniques.into_iter().map(|tq| view! { <code>{tq}</code>" " }).collect_view()}
                </dd>
                <dt>{t(lang, "cp.stages")}</dt>
                <dd class="stages">
                    {c.stages.is_empty().then_some("—")}
                    {c.stages.iter().map(|s| view! { <span class="stage">{t(lang, &format!("stage.{}", s.id()))}</span>" " }).collect_view()}
                </dd>
            </dl>
            <form method="get" action=format!("/api/campaigns/{id}/stix") class="inline export-form">
                <label for="cp-export-tlp">{t(lang, "ob.export")}</label>
                <TlpSelect id="cp-export-tlp".to_string() name="tlp" chosen=Tlp::Amber/>
                <button type="submit">{t(lang, "ob.export_submit")}</button>
            </form>
        </section>
        <section class="panel">
            <h2>{t(lang, "cp.incidents")}</h2>
            <table class="campaign-incidents">
                <thead><tr>
                    <th scope="col">"ID"</th>
                    <th scope="col">{t(lang, "cp.incident_title")}</th>
                    <th scope="col">{t(lang, "cp.phase")}</th>
                    <th scope="col">{t(lang, "cp.severity")}</th>
                    <th scope="col">{t(lang, "cp.stage")}</th>
                    {c.may_manage.then(|| view! { <th scope="col"></th> })}
                </tr></thead>
                <tbody>
                    {c.incidents.iter().map(|m| {
                        let human = m.human_id.clone();
                        let cid = id.clone();
                        view! {
                            <tr>
                                <td><a href=format!("/incidents/{}", m.human_id)>{m.human_id.clone()}</a></td>
                                <td>{m.title.clone()}</td>
                                <td>{format!("{} — {}", m.phase.id(), model().phase_name(lang, m.phase))}</td>
                                <td>{m.severity.map(|s| severity_name(lang, s)).unwrap_or("—")}</td>
                                <td>{m.stages.iter().map(|s| t(lang, &format!("stage.{}", s.id()))).collect::<Vec<_>>().join(", ")}</td>
                                {c.may_manage.then(|| view! {
                                    <td>
                                        <ActionForm action=remove attr:class="inline">
                                            <input type="hidden" name="id" value=cid/>
                                            <input type="hidden" name="incident" value=human/>
                                            <button type="submit" class="link">{t(lang, "cp.remove")}</button>
                                        </ActionForm>
                                    </td>
                                })}
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            {c.may_manage.then(|| view! {
                <ActionForm action=add attr:class="inline add-incidents">
                    <input type="hidden" name="id" value=id_add/>
                    <label for="cp-add">{t(lang, "cp.add")}</label>
                    <input id="cp-add" type="text" name="incidents" placeholder="INC-2026-0001, INC-2026-0002"/>
                    <button type="submit">{t(lang, "cp.add_submit")}</button>
                    <span class="error" role="alert">{add_error}</span>
                </ActionForm>
            })}
        </section>
        <section class="panel">
            <h2>{t(lang, "cp.shared")}</h2>
            {if c.shared.is_empty() {
                view! { <p class="muted">{t(lang, "cp.none_shared")}</p> }.into_any()
            } else {
                view! {
                    <table class="shared-values">
                        <thead><tr>
                            <th scope="col">{t(lang, "ob.kind")}</th>
                            <th scope="col">{t(lang, "ob.value")}</th>
                            <th scope="col">{t(lang, "cp.incidents")}</th>
                        </tr></thead>
                        <tbody>
                            {c.shared.iter().map(|s| view! {
                                <tr>
                                    <td>{t(lang, &format!("obt.{}", s.kind.id()))}</td>
                                    <td><code>{s.value.clone()}</code></td>
                                    <td>{s.incidents.join(", ")}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </section>
        {c.may_manage.then(|| view! {
            <section class="panel">
                <h2>{t(lang, "cp.edit")}</h2>
                <ActionForm action=update attr:class="stack campaign-form">
                    <input type="hidden" name="id" value=id_edit/>
                    <label for="cp-name">{t(lang, "cp.name")}</label>
                    <input id="cp-name" type="text" name="form[name]" value=v.name.clone()/>
                    <p class="error" role="alert">{move || error("name")}</p>
                    <label for="cp-actor">{t(lang, "cp.actor")}</label>
                    <input id="cp-actor" type="text" name="form[threat_actor]" value=v.threat_actor.clone()/>
                    <p class="error" role="alert">{move || error("threat_actor")}</p>
                    <label for="cp-techniques">{t(lang, "cp.techniques_help")}</label>
                    <textarea id="cp-techniques" name="form[techniques]" rows="4">{crate::ui::raw_text::raw_text(v.techniques.join("\n"))}</textarea>
                    <p class="error" role="alert">{move || error("techniques")}</p>
                    <label for="cp-description">{t(lang, "cp.description")}</label>
                    <textarea id="cp-description" name="form[description]" rows="4">{crate::ui::raw_text::raw_text(v.description.clone())}</textarea>
                    <p class="error" role="alert">{move || error("description")}</p>
                    <label for="cp-tlp">"TLP"</label>
                    <TlpSelect id="cp-tlp".to_string() name="form[tlp]" chosen=v.tlp/>
                    <button type="submit">{t(lang, "cp.save")}</button>
                </ActionForm>
            </section>
        })}
        <section class="panel">
            <h2>{t(lang, "cp.timeline")}</h2>
            <ol class="timeline campaign-timeline">
                {c.timeline.into_iter().map(|e| {
                    let text = e.event.detail.get("text").cloned();
                    view! {
                        <li class=format!("event ev-{}", e.event.kind)>
                            <span class="muted">
                                <a href=format!("/incidents/{}", e.human_id)>{e.human_id.clone()}</a>
                                " #"{e.event.seq}" · "{format_time(e.event.at)}" · "{e.event.actor.clone().unwrap_or_default()}
                            </span>
                            <div><strong>{t(lang, &format!("ev.{}", e.event.kind))}</strong></div>
                            {text.map(|tx| view! { <p class="pre">{tx}</p> })}
                        </li>
                    }
                }).collect_view()}
            </ol>
        </section>
    }
}
