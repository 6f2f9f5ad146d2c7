//! The evidence panel of the incident page: the preservation checklist with
//! its deadlines (lost and near items flagged loudly), the upload form, and
//! the registry with each item's hash, integrity and chain of custody.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::domain::evidence::{
    ChecklistStatus, ChecklistView, EvidenceKind, EvidenceView, Integrity, Urgency,
};
use crate::domain::incident::IncidentDetail;
use crate::i18n::t;
use crate::model::label;
use crate::ui::incidents::format_time;
use crate::ui::use_lang;
use crate::ui::workspace::{Acts, answer};

fn size_text(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = bytes as f64;
    let mut unit = 0;
    while v >= 1024.0 && unit < UNITS.len() - 1 {
        v /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{v:.1} {}", UNITS[unit])
    }
}

#[component]
pub fn Evidence(id: String, incident: IncidentDetail) -> impl IntoView {
    let lang = use_lang();
    if !incident.may.handle_evidence {
        return ().into_any();
    }
    let query = use_query_map();
    let upload_error = move || query.with(|q| q.get("upload_error"));
    let uploaded = move || query.with(|q| q.get("uploaded").is_some());
    let alarm = incident
        .evidence
        .iter()
        .any(|e| e.integrity == Integrity::Mismatch);
    let officer = incident.may.set_severity;
    let closed = incident.status == crate::domain::workflow::Status::Closed;
    // An external party downloads and uploads; the checklist, the exports
    // and the custody records are the organisation's.
    let internal = incident.external.is_none();
    let open_items: Vec<ChecklistView> = incident
        .checklist
        .iter()
        .filter(|c| c.status == ChecklistStatus::Open)
        .cloned()
        .collect();
    view! {
        <section class="panel evidence" id="evidence">
            <h2>{t(lang, "evd.title")}</h2>
            {alarm.then(|| view! { <p class="alarm" role="alert">{t(lang, "evd.alarm")}</p> })}
            {internal.then(|| view! { <h3>{t(lang, "evd.checklist")}</h3> })}
            {if !internal {
                ().into_any()
            } else if incident.checklist.is_empty() {
                view! { <p class="muted">{t(lang, "evd.checklist_empty")}</p> }.into_any()
            } else {
                view! {
                    <ul class="checklist">
                        {incident.checklist.iter().cloned().map(|c| view! { <ChecklistItem id=id.clone() c=c officer=officer && !closed/> }).collect_view()}
                    </ul>
                }.into_any()
            }}
            {(!closed).then(|| view! {
                <h3>{t(lang, "evd.upload")}</h3>
                {move || uploaded().then(|| view! { <p class="ok" role="status">{t(lang, "evd.uploaded")}</p> })}
                {move || upload_error().map(|f| view! {
                    <p class="error" role="alert">{t(lang, "evd.upload_failed")}" ("{f}")"</p>
                })}
                <UploadForm id=id.clone() open_items=open_items.clone()/>
            })}
            <h3>{t(lang, "evd.registry")}</h3>
            {internal.then(|| view! {
                <p class="exports">
                    <a href=format!("/api/incidents/{id}/custody-report") rel="external">{t(lang, "evd.custody_report")}</a>" · "
                    <a href=format!("/api/incidents/{id}/evidence-bundle") rel="external">{t(lang, "evd.bundle")}</a>
                </p>
            })}
            <ul class="registry">
                {incident.evidence.iter().cloned().map(|e| view! { <EvidenceItem id=id.clone() e=e officer=officer closed=closed || !internal/> }).collect_view()}
            </ul>
        </section>
    }
    .into_any()
}

#[component]
fn ChecklistItem(id: String, c: ChecklistView, officer: bool) -> impl IntoView {
    let lang = use_lang();
    let acts = expect_context::<Acts>();
    let message = answer(acts.waive_item.value());
    let (cls, flag) = match c.urgency {
        Urgency::Lost => ("check lost", Some("evd.lost")),
        Urgency::Near => ("check near", Some("evd.near")),
        Urgency::Ok => ("check", None),
        Urgency::Settled => ("check settled", None),
    };
    let item_id = c.id.to_string();
    view! {
        <li class=cls data-source=c.source.clone() data-status=c.status.id()>
            <p>
                <strong>{label(lang, &c.source_name)}</strong>" — "{c.system.clone()}" "
                {c.importance.clone().map(|l| view! {
                    <span class=format!("badge imp imp-{l}") title=t(lang, "imp.label")>{t(lang, "imp.label")}": "{t(lang, &format!("imp.{l}"))}</span>" "
                })}
                <span class=format!("cs cs-{}", c.status.id())>{t(lang, &format!("cs.{}", c.status.id()))}</span>
                {flag.map(|f| view! { " " <span class="flag">{t(lang, f)}</span> })}
            </p>
            <p class="small">
                {t(lang, "evd.window")}": "{format_time(c.window_start)}" → · "
                {t(lang, "evd.deadline")}": "<strong>{format_time(c.deadline)}</strong>
                " ("{c.retention_days}" "{t(lang, "evd.days_kept")}")"
            </p>
            {c.recommended.filter(|r| c.retention_days < r.min_days).map(|r| view! {
                <p class="small warn short-retention">{t(lang, "evd.below_recommended").replace("{n}", &r.days_text())}</p>
            })}
            <ul class="small">{c.items.iter().map(|i| view! { <li>{label(lang, i)}</li> }).collect_view()}</ul>
            {(!c.events.is_empty()).then(|| view! {
                <details class="small events">
                    <summary>{t(lang, "evd.events")}</summary>
                    <ul>{c.events.iter().map(|e| view! {
                        <li><code>{e.id}</code>" "<span class=format!("crit crit-{}", e.criticality)>{t(lang, &format!("crit.{}", e.criticality))}</span>" "{label(lang, &e.meaning)}</li>
                    }).collect_view()}</ul>
                </details>
            })}
            {if c.default_on {
                view! { <p class="small muted">{label(lang, &c.enable)}</p> }.into_any()
            } else {
                view! { <p class="small warn">{t(lang, "evd.not_default")}" "{label(lang, &c.enable)}</p> }.into_any()
            }}
            {c.evidence_name.clone().map(|n| view! { <p class="small ok">{t(lang, "evd.fulfilled_by")}" "{n}</p> })}
            {c.waive_reason.clone().map(|r| view! { <p class="small">{t(lang, "ws.waived_because")}" "{r}</p> })}
            {(officer && c.status == ChecklistStatus::Open).then(|| view! {
                <ActionForm action=acts.waive_item attr:class="inline">
                    <input type="hidden" name="id" value=id.clone()/>
                    <input type="hidden" name="item" value=item_id.clone()/>
                    <input type="text" name="reason" aria-label=t(lang, "ws.waive_reason") placeholder=t(lang, "ws.waive_reason")/>
                    <button type="submit" class="secondary">{t(lang, "ws.waive")}</button>
                    <span class="error" role="alert">{message}</span>
                </ActionForm>
            })}
        </li>
    }
}

#[component]
fn UploadForm(id: String, open_items: Vec<ChecklistView>) -> impl IntoView {
    let lang = use_lang();
    let tz = RwSignal::new(String::new());
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        tz.set(js_sys::Date::new_0().get_timezone_offset().to_string());
    });
    view! {
        <form class="stack upload-form" method="post" enctype="multipart/form-data" action=format!("/api/incidents/{id}/evidence")>
            <label for="ev-item" class:hidden=open_items.is_empty()>{t(lang, "evd.for_item")}</label>
            <select id="ev-item" name="checklist_item" class:hidden=open_items.is_empty()>
                <option value="">"—"</option>
                {open_items.iter().map(|c| view! {
                    <option value=c.id.to_string()>{format!("{} — {}", label(lang, &c.source_name), c.system)}</option>
                }).collect_view()}
            </select>
            <label for="ev-kind">{t(lang, "evd.kind")}</label>
            <select id="ev-kind" name="kind">
                {EvidenceKind::ALL.iter().map(|k| view! { <option value=k.id()>{t(lang, &format!("ek.{}", k.id()))}</option> }).collect_view()}
            </select>
            <label for="ev-description">{t(lang, "evd.description")}</label>
            <input id="ev-description" type="text" name="description" required/>
            <label for="ev-host">{t(lang, "evd.source_host")}</label>
            <input id="ev-host" type="text" name="source_host"/>
            <label for="ev-how">{t(lang, "evd.acquired_how")}</label>
            <input id="ev-how" type="text" name="acquired_how" required/>
            <label for="ev-by">{t(lang, "evd.acquired_by")}</label>
            <input id="ev-by" type="text" name="acquired_by"/>
            <label for="ev-at">{t(lang, "evd.acquired_at")}</label>
            <input id="ev-at" type="datetime-local" name="acquired_at" required/>
            <input type="hidden" name="tz_offset" prop:value=tz/>
            <label for="ev-file">{t(lang, "evd.file")}</label>
            <input id="ev-file" type="file" name="file" required/>
            <button type="submit">{t(lang, "evd.upload")}</button>
        </form>
    }
}

#[component]
fn EvidenceItem(id: String, e: EvidenceView, officer: bool, closed: bool) -> impl IntoView {
    let lang = use_lang();
    let acts = expect_context::<Acts>();
    let custody_message = answer(acts.custody.value());
    let eid = e.id.to_string();
    let disposed = e.integrity == Integrity::Disposed;
    let sample = e.kind == EvidenceKind::MalwareSample;
    let download = format!("/api/evidence/{eid}/download");
    view! {
        <li class=format!("item integrity-{}", e.integrity.id()) data-file=e.file_name.clone()>
            <p>
                <strong>{e.file_name.clone()}</strong>" "
                <span class="badge">{t(lang, &format!("ek.{}", e.kind.id()))}</span>" "
                <span class=format!("integrity {}", e.integrity.id())>{t(lang, &format!("in.{}", e.integrity.id()))}</span>
                " · "{size_text(e.size)}
            </p>
            <p class="small">{e.description.clone()}</p>
            <p class="small mono">"SHA-256 "{e.sha256.clone()}</p>
            <p class="small">
                {t(lang, "evd.acquired")}": "{format_time(e.acquired_at)}" · "{e.acquired_by.clone()}" · "{e.source_host.clone()}" · "{e.acquired_how.clone()}<br/>
                {t(lang, "evd.uploaded_by")}": "{e.uploaded_by.clone()}" · "{format_time(e.uploaded_at)}
            </p>
            {(!disposed).then(|| if sample {
                view! {
                    <details class="sample">
                        <summary class="warn">{t(lang, "evd.sample_warning")}</summary>
                        <a href=format!("{download}?deliberate=1") rel="external">{t(lang, "evd.download_sample")}</a>
                    </details>
                }.into_any()
            } else {
                view! { <a href=download.clone() rel="external" class="download">{t(lang, "evd.download")}</a> }.into_any()
            })}
            {(!disposed && !closed).then(|| {
                let (vid, veid) = (id.clone(), eid.clone());
                let (cid, ceid) = (id.clone(), eid.clone());
                view! {
                <ActionForm action=acts.verify attr:class="inline">
                    <input type="hidden" name="id" value=vid/>
                    <input type="hidden" name="evidence" value=veid/>
                    <button type="submit" class="secondary">{t(lang, "evd.verify")}</button>
                </ActionForm>
                <details>
                    <summary>{t(lang, "evd.record_custody")}</summary>
                    <ActionForm action=acts.custody attr:class="stack">
                        <input type="hidden" name="id" value=cid/>
                        <input type="hidden" name="evidence" value=ceid.clone()/>
                        <label for=format!("ck-{ceid}")>{t(lang, "evd.custody_kind")}</label>
                        <select id=format!("ck-{ceid}") name="kind">
                            <option value="transferred">{t(lang, "cu.transferred")}</option>
                            <option value="returned">{t(lang, "cu.returned")}</option>
                            {officer.then(|| view! { <option value="disposed">{t(lang, "cu.disposed")}</option> })}
                        </select>
                        <label for=format!("cf-{ceid}")>{t(lang, "evd.from")}</label>
                        <input id=format!("cf-{ceid}") type="text" name="from"/>
                        <label for=format!("ct-{ceid}")>{t(lang, "evd.to")}</label>
                        <input id=format!("ct-{ceid}") type="text" name="to"/>
                        <label for=format!("cr-{ceid}")>{t(lang, "ct.reason")}</label>
                        <input id=format!("cr-{ceid}") type="text" name="reason"/>
                        <button type="submit">{t(lang, "evd.record_custody")}</button>
                        <p class="error" role="alert">{custody_message}</p>
                    </ActionForm>
                </details>
            }})}
            <ol class="custody">
                {e.custody.iter().map(|c| view! {
                    <li data-kind=c.kind.id()>
                        <strong>{t(lang, &format!("cu.{}", c.kind.id()))}</strong>" "{format_time(c.at)}" "
                        {c.actor.clone()}
                        {(!c.from.is_empty() || !c.to.is_empty()).then(|| format!(" · {} → {}", c.from, c.to))}
                        {(!c.reason.is_empty()).then(|| format!(" · {}", c.reason))}
                        {(!c.detail.is_empty()).then(|| view! { <span class="small muted">" · "{c.detail.clone()}</span> })}
                    </li>
                }).collect_view()}
            </ol>
        </li>
    }
}
