//! External parties on the pages: the administrator's organisations page,
//! the officer's engagement panel on an incident, the reports that feed
//! phase F, and what an engaged vendor or ISP sees of its engagement.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::external::{CreateOrganisation, list_organisations};
use crate::domain::external::{EngagementState, EngagementView, ReportParts, ReportView};
use crate::domain::incident::IncidentDetail;
use crate::i18n::{scope_text, t};
use crate::ui::fields::{Field, Input, errors_of};
use crate::ui::incidents::format_time;
use crate::ui::workspace::{Acts, answer};
use crate::ui::{ErrorView, use_lang};

// ---- /admin/organisations --------------------------------------------------------------

#[component]
pub fn OrganisationsPage() -> impl IntoView {
    let lang = use_lang();
    let create = ServerAction::<CreateOrganisation>::new();
    let list = Resource::new(move || create.version().get(), |_| list_organisations());
    let errors = errors_of(create.value());
    let created = move || {
        matches!(
            create.value().get(),
            Some(Ok(crate::domain::FormResult::Done(_)))
        )
    };
    // Officers read the list; recording is the administrator's.
    let user = Resource::new(|| (), |_| crate::api::auth::me());
    let admin = move || {
        user.get()
            .and_then(Result::ok)
            .flatten()
            .is_some_and(|u| u.nav.organisations)
    };
    view! {
        <Title text=t(lang, "ext.orgs_title")/>
        <section class="panel">
            <h1>{t(lang, "ext.orgs_title")}</h1>
            <p class="muted">{t(lang, "ext.orgs_intro")}</p>
            <Suspense>
                {move || list.get().map(|r| match r {
                    Ok(orgs) if orgs.is_empty() => view! { <p class="muted">{t(lang, "ext.no_orgs")}</p> }.into_any(),
                    Ok(orgs) => view! {
                        <table class="organisations">
                            <thead><tr>
                                <th scope="col">{t(lang, "ext.name")}</th>
                                <th scope="col">{t(lang, "ext.kind")}</th>
                                <th scope="col">{t(lang, "ext.contract_ref")}</th>
                                <th scope="col">{t(lang, "ext.contact")}</th>
                                <th scope="col">{t(lang, "ext.members")}</th>
                            </tr></thead>
                            <tbody>
                                {orgs.into_iter().map(|o| view! {
                                    <tr data-org=o.name_en.clone()>
                                        <td>{o.name_ja.clone()}<br/><span class="small">{o.name_en.clone()}</span></td>
                                        <td>{t(lang, &format!("ok.{}", o.kind.id()))}</td>
                                        <td>{o.contract_ref.clone()}</td>
                                        <td>{o.contact.clone()}</td>
                                        <td>{o.members.join(", ")}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any(),
                    Err(e) => view! { <ErrorView error=e/> }.into_any(),
                })}
            </Suspense>
            <Suspense>
            <div class:hidden=move || !admin()>
            <h2>{t(lang, "ext.add_org")}</h2>
            {move || created().then(|| view! { <p class="ok" role="status">{t(lang, "ext.org_created")}</p> })}
            <ActionForm action=create attr:class="stack">
                <Field name="form[name_ja]" field="name_ja" label="ext.name_ja" errors/>
                <Field name="form[name_en]" field="name_en" label="ext.name_en" errors/>
                <div class="field">
                    <label for="f-kind">{t(lang, "ext.kind")}</label>
                    <select id="f-kind" name="form[kind]">
                        <option value="forensics_vendor">{t(lang, "ok.forensics_vendor")}</option>
                        <option value="isp">{t(lang, "ok.isp")}</option>
                    </select>
                </div>
                <Field name="form[contract_ref]" field="contract_ref" label="ext.contract_ref" errors/>
                <Field name="form[contact]" field="contact" label="ext.contact" errors/>
                <button type="submit">{t(lang, "ext.add_org")}</button>
            </ActionForm>
            </div>
            </Suspense>
        </section>
    }
}

// ---- the incident page ---------------------------------------------------------------

/// The officer's engagement panel and the reports of the full
/// investigation, for handlers. Nothing for external readers.
#[component]
pub fn ExternalParties(id: String, incident: IncidentDetail) -> impl IntoView {
    let lang = use_lang();
    if incident.external.is_some()
        || (incident.engagements.is_empty() && incident.reports.is_empty() && !incident.may.engage)
    {
        return ().into_any();
    }
    let acts = expect_context::<Acts>();
    let engage_errors = errors_of(acts.engage.value());
    let engage_message = answer(acts.engage.value());
    let officer = incident.may.engage;
    let may_revoke = incident.may.revoke;
    let tz = RwSignal::new(String::new());
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        tz.set(js_sys::Date::new_0().get_timezone_offset().to_string());
    });
    view! {
        <section class="panel external" id="external">
            <h2>{t(lang, "ext.title")}</h2>
            {if incident.engagements.is_empty() {
                view! { <p class="muted">{t(lang, "ext.none")}</p> }.into_any()
            } else {
                view! {
                    <ul class="engagements">
                        {incident.engagements.iter().cloned().map(|e| view! {
                            <EngagementItem id=id.clone() e=e may_revoke=may_revoke/>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            {officer.then(|| view! {
                <details class="engage">
                    <summary>{t(lang, "ext.engage")}</summary>
                    <ActionForm action=acts.engage attr:class="stack">
                        <input type="hidden" name="id" value=id.clone()/>
                        <input type="hidden" name="form[tz_offset]" prop:value=tz/>
                        <div class="field">
                            <label for="f-organisation">{t(lang, "ext.organisation")}</label>
                            <select id="f-organisation" name="form[organisation]">
                                <option value="">{t(lang, "choose")}</option>
                                {incident.organisations.iter().map(|o| view! {
                                    <option value=o.id.to_string()>
                                        {format!("{} ({})", lang.pick(&o.name_en, &o.name_ja), t(lang, &format!("ok.{}", o.kind.id())))}
                                    </option>
                                }).collect_view()}
                            </select>
                            <p class="field-error" role="alert">{move || crate::domain::form::error_for(&engage_errors.get(), "organisation").map(|c| crate::i18n::error_text(lang, c))}</p>
                        </div>
                        <fieldset class="phases">
                            <legend>{t(lang, "ext.phases")}</legend>
                            {crate::domain::Phase::ALL.into_iter().map(|p| view! {
                                <label><input type="checkbox" name="form[phases][]" value=p.id() checked=p == crate::domain::Phase::E/>" "{p.id()}</label>
                            }).collect_view()}
                        </fieldset>
                        <label><input type="checkbox" name="form[evidence]" value="on" checked=true/>" "{t(lang, "ext.see_evidence")}</label>
                        {(!incident.evidence.is_empty()).then(|| view! {
                            <fieldset class="evidence-items">
                                <legend>{t(lang, "ext.evidence_items")}</legend>
                                {incident.evidence.iter().map(|e| view! {
                                    <label><input type="checkbox" name="form[evidence_items][]" value=e.id.to_string()/>" "{e.file_name.clone()}</label>
                                }).collect_view()}
                            </fieldset>
                        })}
                        <label><input type="checkbox" name="form[containment]" value="on"/>" "{t(lang, "ext.see_containment")}</label>
                        <label><input type="checkbox" name="form[timeline]" value="on"/>" "{t(lang, "ext.see_timeline")}</label>
                        <Field name="form[starts_at]" field="starts_at" label="ext.starts_at" errors=engage_errors input=Input::DateTime/>
                        <Field name="form[expires_at]" field="expires_at" label="ext.expires_at" errors=engage_errors input=Input::DateTime/>
                        <button type="submit">{t(lang, "ext.engage")}</button>
                        <p class="error" role="alert">{engage_message}</p>
                    </ActionForm>
                </details>
            })}
            <h3 id="reports">{t(lang, "ext.reports")}</h3>
            {if incident.reports.is_empty() {
                view! { <p class="muted">{t(lang, "ext.no_reports")}</p> }.into_any()
            } else {
                incident.reports.iter().cloned().map(|r| view! { <Report r=r/> }).collect_view().into_any()
            }}
        </section>
    }
    .into_any()
}

#[component]
fn EngagementItem(id: String, e: EngagementView, may_revoke: bool) -> impl IntoView {
    let lang = use_lang();
    let acts = expect_context::<Acts>();
    let message = answer(acts.revoke.value());
    let live = !e.state.is_ended();
    let eid = e.id.to_string();
    view! {
        <li class=format!("engagement state-{}", e.state.id()) data-org=e.organisation.clone()>
            <p>
                <strong>{lang.pick(&e.organisation, &e.organisation_ja).to_string()}</strong>" "
                <span class="badge">{t(lang, &format!("ok.{}", e.kind.id()))}</span>" "
                <span class=format!("state {}", e.state.id())>{t(lang, &format!("es.{}", e.state.id()))}</span>
            </p>
            <p class="small">{scope_text(lang, &e.scope)}</p>
            <p class="small">
                {format_time(e.starts_at)}" → "{format_time(e.expires_at)}
                {e.granted_by.clone().map(|g| format!(" · {} {g}", t(lang, "ext.granted_by")))}
            </p>
            {(e.state == EngagementState::Revoked).then(|| view! {
                <p class="small">{t(lang, "ext.revoked_by")}" "{e.revoked_by.clone()}" · "{e.revoke_reason.clone()}</p>
            })}
            {(may_revoke && live).then(|| view! {
                <ActionForm action=acts.revoke attr:class="inline">
                    <input type="hidden" name="id" value=id.clone()/>
                    <input type="hidden" name="engagement" value=eid.clone()/>
                    <label for=format!("rv-{eid}")>{t(lang, "ct.reason")}</label>
                    <input id=format!("rv-{eid}") type="text" name="reason"/>
                    <button type="submit" class="danger">{t(lang, "ext.revoke")}</button>
                    <p class="error" role="alert">{message}</p>
                </ActionForm>
            })}
        </li>
    }
}

#[component]
fn Report(r: ReportView) -> impl IntoView {
    view! {
        <article class="investigation-report">
            <p class="small">
                {r.organisation.clone()}" · "{r.submitted_by.clone()}" · "{format_time(r.submitted_at)}
            </p>
            <ReportPartsView parts=r.parts/>
        </article>
    }
}

#[component]
fn ReportPartsView(parts: ReportParts) -> impl IntoView {
    let lang = use_lang();
    view! {
        <dl class="report-parts">
            <dt>{t(lang, "rp.intrusion_path")}</dt><dd>{parts.intrusion_path}</dd>
            <dt>{t(lang, "rp.spread")}</dt><dd>{parts.spread}</dd>
            <dt>{t(lang, "rp.exfiltration")}</dt><dd>{parts.exfiltration}</dd>
            <dt>{t(lang, "rp.recovery")}</dt><dd>{parts.recovery}</dd>
        </dl>
    }
}

/// What an external reader sees of its own engagement, and the vendor's
/// report form.
#[component]
pub fn Engaged(id: String, incident: IncidentDetail) -> impl IntoView {
    let lang = use_lang();
    let Some(x) = incident.external.clone() else {
        return ().into_any();
    };
    let acts = expect_context::<Acts>();
    let errors = errors_of(acts.report.value());
    let message = answer(acts.report.value());
    let saved = move || {
        matches!(
            acts.report.value().get(),
            Some(Ok(crate::domain::FormResult::Done(_)))
        )
    };
    let prior = x.report.clone().unwrap_or_default();
    view! {
        <section class="panel engaged" id="engagement">
            <h2>{t(lang, "ext.your_engagement")}</h2>
            <p>
                <span class="badge">{t(lang, &format!("ok.{}", x.kind.id()))}</span>" "
                {scope_text(lang, &x.scope)}
            </p>
            <p class="small">{t(lang, "ext.until")}" "{format_time(x.expires_at)}</p>
            {incident.may.report.then(|| view! {
                <h3>{t(lang, "ext.report_title")}</h3>
                <p class="muted">{t(lang, "ext.report_intro")}</p>
                {move || saved().then(|| view! { <p class="ok" role="status">{t(lang, "ext.report_saved")}</p> })}
                <ActionForm action=acts.report attr:class="stack report-form">
                    <input type="hidden" name="id" value=id.clone()/>
                    <Field name="parts[intrusion_path]" field="intrusion_path" label="rp.intrusion_path" errors input=Input::Area value=prior.intrusion_path.clone()/>
                    <Field name="parts[spread]" field="spread" label="rp.spread" errors input=Input::Area value=prior.spread.clone()/>
                    <Field name="parts[exfiltration]" field="exfiltration" label="rp.exfiltration" errors input=Input::Area value=prior.exfiltration.clone()/>
                    <Field name="parts[recovery]" field="recovery" label="rp.recovery" errors input=Input::Area value=prior.recovery.clone()/>
                    <button type="submit">{t(lang, "ext.submit_report")}</button>
                    <p class="error" role="alert">{message}</p>
                </ActionForm>
            })}
        </section>
    }
    .into_any()
}
