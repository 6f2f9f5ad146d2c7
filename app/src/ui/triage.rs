//! Log triage on the incident page: "Analyse" on an evidence item runs the
//! parsers and detectors of seed 001 in the background; the panel shows each
//! run's progress while it works (asking the server every two seconds, the
//! rest of the page untouched) and the findings once it is done, each with
//! the lines it rests on, "record as observable" for the values it
//! implicates, and "dismiss" with a reason.

use leptos::prelude::*;

use crate::api::evidence::{AnalyseEvidence, CancelAnalysis, DismissFinding, PromoteFinding};
use crate::domain::evidence::Integrity;
use crate::domain::form::FormResult;
use crate::domain::incident::IncidentDetail;
use crate::domain::triage::{FORMATS, FindingStatus, FindingView, RunStatus, RunView};
use crate::i18n::{Lang, t};
use crate::ui::incidents::format_time;
use crate::ui::use_lang;
use crate::ui::workspace::answer;

#[component]
pub fn Triage(id: String, incident: IncidentDetail, refresh: RwSignal<usize>) -> impl IntoView {
    let lang = use_lang();
    if !incident.may.handle_evidence {
        return ().into_any();
    }
    let items: Vec<(uuid::Uuid, String)> = incident
        .evidence
        .iter()
        .filter(|e| e.integrity != Integrity::Disposed)
        .map(|e| (e.id, e.file_name.clone()))
        .collect();
    if items.is_empty() {
        return ().into_any();
    }
    let analyse = ServerAction::<AnalyseEvidence>::new();
    let cancel = ServerAction::<CancelAnalysis>::new();
    let promote = ServerAction::<PromoteFinding>::new();
    let dismiss = ServerAction::<DismissFinding>::new();
    let promote_message = answer(promote.value());
    let dismiss_message = answer(dismiss.value());
    // Runs as the page got them; refreshed by polling while one works.
    let runs = RwSignal::new(incident.triage_runs.clone());
    let active = move || runs.with(|r| r.iter().any(|r| r.status.is_active()));
    for done in [promote.value(), dismiss.value()] {
        Effect::new(move |_| {
            if matches!(done.get(), Some(Ok(FormResult::Done(_)))) {
                refresh.update(|n| *n += 1);
            }
        });
    }
    Effect::new(move |_| {
        if matches!(analyse.value().get(), Some(Ok(_)))
            || matches!(cancel.value().get(), Some(Ok(_)))
        {
            refresh.update(|n| *n += 1);
        }
    });
    #[cfg(feature = "hydrate")]
    poll(id.clone(), runs, refresh);
    let findings = incident.findings.clone();
    let open = findings
        .iter()
        .filter(|f| f.status == FindingStatus::Open)
        .count();
    let tlp = incident.tlp.id().to_string();
    view! {
        <section class="panel triage" id="triage" data-testid="triage">
            <h2>{t(lang, "tr.title")}</h2>
            <p class="muted small">{t(lang, "tr.intro")}</p>
            <ActionForm action=analyse attr:class="inline-form">
                <label for="tr-evidence">{t(lang, "tr.item")}</label>
                <select id="tr-evidence" name="evidence">
                    {items.iter().map(|(eid, name)| view! { <option value=eid.to_string()>{name.clone()}</option> }).collect_view()}
                </select>
                <label for="tr-format">{t(lang, "tr.format")}</label>
                <select id="tr-format" name="format">
                    <option value="">{t(lang, "tr.detect")}</option>
                    {FORMATS.iter().map(|f| view! { <option value=*f>{t(lang, &format!("tr.fmt.{f}"))}</option> }).collect_view()}
                </select>
                <button type="submit">{t(lang, "tr.analyse")}</button>
            </ActionForm>
            {move || (!runs.get().is_empty()).then(|| view! {
                <table class="runs" data-testid="triage-runs">
                    <thead><tr>
                        <th scope="col">{t(lang, "tr.item")}</th>
                        <th scope="col">{t(lang, "tr.status")}</th>
                        <th scope="col">{t(lang, "tr.progress")}</th>
                        <th scope="col">{t(lang, "tr.findings")}</th>
                        <th scope="col"></th>
                    </tr></thead>
                    <tbody>
                        {runs.get().into_iter().map(|r| view! { <RunRow run=r cancel=cancel lang=lang/> }).collect_view()}
                    </tbody>
                </table>
            })}
            {move || active().then(|| view! { <p class="muted small" role="status">{t(lang, "tr.working")}</p> })}
            <p class="error" role="alert">{promote_message}{dismiss_message}</p>
            {(!findings.is_empty()).then(|| view! {
                <h3>{t(lang, "tr.findings")}" ("{open}" "{t(lang, "tr.open")}")"</h3>
                <ol class="findings" data-testid="findings">
                    {findings.into_iter().map(|f| view! {
                        <FindingItem id=id.clone() finding=f promote=promote dismiss=dismiss tlp=tlp.clone() lang=lang/>
                    }).collect_view()}
                </ol>
            })}
        </section>
    }
    .into_any()
}

/// Asks for the runs every two seconds while one of them works, and
/// refreshes the page once the last one has finished (for its findings).
#[cfg(feature = "hydrate")]
fn poll(id: String, runs: RwSignal<Vec<RunView>>, refresh: RwSignal<usize>) {
    use leptos::task::spawn_local;
    let handle = set_interval_with_handle(
        move || {
            if !runs.with_untracked(|r| r.iter().any(|r| r.status.is_active())) {
                return;
            }
            let id = id.clone();
            spawn_local(async move {
                if let Ok(i) = crate::api::incidents::get_incident(id).await {
                    let still = i.triage_runs.iter().any(|r| r.status.is_active());
                    runs.set(i.triage_runs);
                    if !still {
                        refresh.update(|n| *n += 1);
                    }
                }
            });
        },
        std::time::Duration::from_secs(2),
    );
    if let Ok(h) = handle {
        on_cleanup(move || h.clear());
    }
}

#[component]
fn RunRow(run: RunView, cancel: ServerAction<CancelAnalysis>, lang: Lang) -> impl IntoView {
    let pct = (run.bytes_done.min(run.bytes_total) * 100)
        .checked_div(run.bytes_total)
        .unwrap_or(0) as u32;
    let status = t(lang, &format!("tr.st.{}", run.status.id()));
    let active = run.status.is_active();
    let rid = run.id.to_string();
    view! {
        <tr data-status=run.status.id()>
            <td>{run.evidence_name.clone()}<br/><span class="muted small">{run.started_by.clone()}" · "{format_time(run.created_at)}</span></td>
            <td>{status}{run.format.clone().map(|f| format!(" ({f})"))}{run.error.clone().map(|e| view! { <br/><span class="error">{e}</span> })}</td>
            <td>
                <progress max="100" value=pct.to_string()>{format!("{pct}%")}</progress>
                " "{format!("{pct}% · {} / {} B", run.bytes_done, run.bytes_total)}
                {(run.status == RunStatus::Done).then(|| view! {
                    <br/><span class="small muted">{t(lang, "tr.lines").replace("{lines}", &run.lines.to_string()).replace("{parsed}", &run.parsed.to_string()).replace("{unparsed}", &run.unparsed.to_string())}</span>
                })}
            </td>
            <td>{run.findings}</td>
            <td>{active.then(|| view! {
                <ActionForm action=cancel attr:class="inline">
                    <input type="hidden" name="run" value=rid.clone()/>
                    <button type="submit" class="secondary">{t(lang, "tr.cancel")}</button>
                </ActionForm>
            })}</td>
        </tr>
    }
}

#[component]
fn FindingItem(
    id: String,
    finding: FindingView,
    promote: ServerAction<PromoteFinding>,
    dismiss: ServerAction<DismissFinding>,
    tlp: String,
    lang: Lang,
) -> impl IntoView {
    let f = finding;
    let fid = f.id.to_string();
    let open = f.status == FindingStatus::Open;
    let implicated: Vec<_> = f
        .observables
        .iter()
        .map(|o| {
            let promote_form = o.kind.map(|k| {
                let (id, fid, tlp, value) = (id.clone(), fid.clone(), tlp.clone(), o.value.clone());
                view! {
                    <ActionForm action=promote attr:class="inline">
                        <input type="hidden" name="id" value=id/>
                        <input type="hidden" name="finding" value=fid/>
                        <input type="hidden" name="kind" value=k.id()/>
                        <input type="hidden" name="value" value=value/>
                        <input type="hidden" name="tlp" value=tlp/>
                        <button type="submit" class="secondary">{t(lang, "tr.promote")}</button>
                    </ActionForm>
                }
            });
            view! {
                <li>
                    <span class="muted small">{o.found_as.clone()}</span>" "<code>{o.value.clone()}</code>
                    {promote_form}
                </li>
            }
        })
        .collect();
    let lines: Vec<String> = f
        .lines
        .iter()
        .map(|l| format!("{}@{}", l.line, l.offset))
        .collect();
    view! {
        <li class=format!("finding sev-{} fs-{}", f.severity, f.status.id()) data-detector=f.detector.clone()>
            <p>
                <span class=format!("badge sev-{}", f.severity)>{t(lang, &format!("tr.sev.{}", f.severity))}</span>" "
                <strong>{f.title.get(lang.code()).to_string()}</strong>" "
                <span class="muted small">{f.detector.clone()}" · "{f.evidence_name.clone()}</span>
                {(!open).then(|| view! { " "<span class="badge">{t(lang, &format!("tr.fs.{}", f.status.id()))}</span> })}
            </p>
            <p>{f.explanation.get(lang.code()).to_string()}</p>
            <p class="small mono">{t(lang, "tr.cited").replace("{n}", &f.line_count.to_string())}" "{lines.join(", ")}</p>
            {(!f.note.is_empty()).then(|| view! { <p class="small note">{f.note.clone()}</p> })}
            {open.then(|| view! {
                <ul class="implicated">{implicated}</ul>
                <ActionForm action=dismiss attr:class="inline-form">
                    <input type="hidden" name="id" value=id.clone()/>
                    <input type="hidden" name="finding" value=fid.clone()/>
                    <input type="text" name="reason" aria-label=t(lang, "tr.dismiss_reason") placeholder=t(lang, "tr.dismiss_reason")/>
                    <button type="submit" class="secondary">{t(lang, "tr.dismiss")}</button>
                </ActionForm>
            })}
        </li>
    }
}
