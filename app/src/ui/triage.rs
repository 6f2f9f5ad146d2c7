//! Log triage on the incident page: "Analyse" on an evidence item runs the
//! parsers and detectors of seed 001 in the background; the panel shows each
//! run's progress while it works (asking the server every two seconds, the
//! rest of the page untouched) and the findings once it is done, each with
//! the lines it rests on, "record as observable" for the values it
//! implicates, and "dismiss" with a reason.

use leptos::prelude::*;

use crate::api::evidence::{
    AnalyseEvidence, CancelAnalysis, DismissFinding, PromoteFinding, TaskFromFinding,
};
use crate::api::workflow::AddAsset;
use crate::domain::Role;
use crate::domain::evidence::Integrity;
use crate::domain::form::FormResult;
use crate::domain::incident::IncidentDetail;
use crate::domain::triage::{FORMATS, FindingStatus, FindingView, RunStatus, RunView, asset_type};
use crate::i18n::{Lang, t};
use crate::ui::incidents::format_time;
use crate::ui::workspace::answer;
use crate::ui::{use_lang, use_model};

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
    let asset = ServerAction::<AddAsset>::new();
    let task = ServerAction::<TaskFromFinding>::new();
    let acts = Acts {
        id: StoredValue::new(id.clone()),
        tlp: StoredValue::new(incident.tlp.id().to_string()),
        promote,
        dismiss,
        asset,
        task,
        may_handle: incident.may.classify,
        may_promote: incident.may.observe,
    };
    let messages = [
        answer(promote.value()),
        answer(dismiss.value()),
        answer(asset.value()),
        answer(task.value()),
    ];
    // Runs as the page got them; refreshed by polling while one works.
    let runs = RwSignal::new(incident.triage_runs.clone());
    let active = move || runs.with(|r| r.iter().any(|r| r.status.is_active()));
    for done in [
        promote.value(),
        dismiss.value(),
        asset.value(),
        task.value(),
    ] {
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
            <p class="error" role="alert">{messages}</p>
            {(!findings.is_empty()).then(|| view! { <Findings findings=findings acts=acts/> })}
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

/// What a finding's buttons do, shared by every item.
#[derive(Clone, Copy)]
struct Acts {
    id: StoredValue<String>,
    tlp: StoredValue<String>,
    promote: ServerAction<PromoteFinding>,
    dismiss: ServerAction<DismissFinding>,
    asset: ServerAction<AddAsset>,
    task: ServerAction<TaskFromFinding>,
    /// The reader may add assets and open tasks: a handler, while open.
    may_handle: bool,
    /// The reader may record observables now.
    may_promote: bool,
}

/// The findings, grouped by detector (most severe group first) and, under
/// each, by the host or address they are about, with filters on severity,
/// status, detector and text.
#[component]
fn Findings(findings: Vec<FindingView>, acts: Acts) -> impl IntoView {
    let lang = use_lang();
    let open = findings
        .iter()
        .filter(|f| f.status == FindingStatus::Open)
        .count();
    let mut detectors: Vec<(String, String)> = findings
        .iter()
        .map(|f| {
            (
                f.detector.clone(),
                f.detector_name.get(lang.code()).to_string(),
            )
        })
        .collect();
    detectors.sort();
    detectors.dedup();
    let all = StoredValue::new(findings);
    let severity = RwSignal::new(String::new());
    let status = RwSignal::new(String::new());
    let detector = RwSignal::new(String::new());
    let text = RwSignal::new(String::new());
    let shown = move || {
        let (sev, st, det) = (severity.get(), status.get(), detector.get());
        let q = text.get().to_lowercase();
        all.with_value(|fs| {
            fs.iter()
                .filter(|f| sev.is_empty() || f.severity == sev)
                .filter(|f| st.is_empty() || f.status.id() == st)
                .filter(|f| det.is_empty() || f.detector == det)
                .filter(|f| q.is_empty() || matches_text(f, &q))
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    let picked = |s: RwSignal<String>| move |ev| s.set(event_target_value(&ev));
    view! {
        <h3>{t(lang, "tr.findings")}" ("{open}" "{t(lang, "tr.open")}")"</h3>
        <div class="filters inline-form" role="search" data-testid="finding-filters">
            <label for="tf-severity">{t(lang, "tr.f.severity")}</label>
            <select id="tf-severity" on:change=picked(severity)>
                <option value="">{t(lang, "tr.f.any")}</option>
                {["high", "medium", "low"].map(|v| view! { <option value=v>{t(lang, &format!("tr.sev.{v}"))}</option> }).collect_view()}
            </select>
            <label for="tf-status">{t(lang, "tr.status")}</label>
            <select id="tf-status" on:change=picked(status)>
                <option value="">{t(lang, "tr.f.any")}</option>
                {FindingStatus::ALL.iter().map(|v| view! { <option value=v.id()>{t(lang, &format!("tr.fs.{}", v.id()))}</option> }).collect_view()}
            </select>
            <label for="tf-detector">{t(lang, "tr.f.detector")}</label>
            <select id="tf-detector" on:change=picked(detector)>
                <option value="">{t(lang, "tr.f.any")}</option>
                {detectors.into_iter().map(|(id, name)| view! { <option value=id>{name}</option> }).collect_view()}
            </select>
            <label for="tf-text">{t(lang, "tr.f.text")}</label>
            <input id="tf-text" type="search" on:input=picked(text)/>
        </div>
        {move || {
            let groups = group(shown(), lang);
            if groups.is_empty() {
                return view! { <p class="muted">{t(lang, "tr.f.none")}</p> }.into_any();
            }
            view! {
                <div class="findings" data-testid="findings">
                    {groups.into_iter().map(|(name, detector, hosts)| {
                        let n: usize = hosts.iter().map(|(_, fs)| fs.len()).sum();
                        view! {
                            <section class="finding-group" data-group=detector>
                                <h4>{name}" ("{n}")"</h4>
                                {hosts.into_iter().map(|(host, fs)| view! {
                                    <h5 class="mono small">{host.unwrap_or_else(|| t(lang, "tr.no_host").to_string())}</h5>
                                    <ol class="findings">
                                        {fs.into_iter().map(|f| view! { <FindingItem finding=f acts=acts lang=lang/> }).collect_view()}
                                    </ol>
                                }).collect_view()}
                            </section>
                        }
                    }).collect_view()}
                </div>
            }
            .into_any()
        }}
    }
}

/// A finding (or one of its values) mentions the lower-cased text.
fn matches_text(f: &FindingView, q: &str) -> bool {
    [
        &f.title.ja,
        &f.title.en,
        &f.explanation.ja,
        &f.explanation.en,
        &f.evidence_name,
    ]
    .iter()
    .any(|s| s.to_lowercase().contains(q))
        || f.observables
            .iter()
            .any(|o| o.value.to_lowercase().contains(q))
}

/// Findings by detector (the most severe group first, then by name), then
/// by host in order of first appearance.
#[allow(clippy::type_complexity, reason = "a local grouping, named by its use")]
fn group(
    fs: Vec<FindingView>,
    lang: Lang,
) -> Vec<(String, String, Vec<(Option<String>, Vec<FindingView>)>)> {
    let rank = |s: &str| match s {
        "high" => 0,
        "medium" => 1,
        _ => 2,
    };
    let lang_name = |f: &FindingView| f.detector_name.get(lang.code()).to_string();
    let mut out: Vec<(u8, String, String, Vec<(Option<String>, Vec<FindingView>)>)> = Vec::new();
    for f in fs {
        let r = rank(&f.severity);
        let i = match out.iter().position(|g| g.2 == f.detector) {
            Some(i) => i,
            None => {
                out.push((r, lang_name(&f), f.detector.clone(), Vec::new()));
                out.len() - 1
            }
        };
        let g = &mut out[i];
        g.0 = g.0.min(r);
        match g.3.iter_mut().find(|(h, _)| *h == f.host) {
            Some((_, list)) => list.push(f),
            None => g.3.push((f.host.clone(), vec![f])),
        }
    }
    out.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    out.into_iter().map(|(_, n, d, h)| (n, d, h)).collect()
}

#[component]
fn FindingItem(finding: FindingView, acts: Acts, lang: Lang) -> impl IntoView {
    let f = finding;
    let fid = f.id.to_string();
    let open = f.status == FindingStatus::Open;
    let id = acts.id.get_value();
    let implicated: Vec<_> = f
        .observables
        .clone()
        .into_iter()
        .map(|o| {
            let promote_form = (open && acts.may_promote && !o.recorded).then_some(o.kind).flatten().map(|k| {
                let (id, fid, value) = (id.clone(), fid.clone(), o.value.clone());
                view! {
                    <ActionForm action=acts.promote attr:class="inline">
                        <input type="hidden" name="id" value=id/>
                        <input type="hidden" name="finding" value=fid/>
                        <input type="hidden" name="kind" value=k.id()/>
                        <input type="hidden" name="value" value=value/>
                        <input type="hidden" name="tlp" value=acts.tlp.get_value()/>
                        <button type="submit" class="secondary">{t(lang, "tr.promote")}</button>
                    </ActionForm>
                }
            });
            let asset_form = asset_type(&o.found_as).filter(|_| acts.may_handle).map(|a| {
                let note = format!("{}: {}", f.detector, f.title.get(lang.code()));
                let (id, value) = (id.clone(), o.value.clone());
                view! {
                    <ActionForm action=acts.asset attr:class="inline">
                        <input type="hidden" name="id" value=id/>
                        <input type="hidden" name="asset_type" value=a.id()/>
                        <input type="hidden" name="identifier" value=value/>
                        <input type="hidden" name="note" value=note/>
                        <button type="submit" class="secondary">{t(lang, "tr.add_asset")}</button>
                    </ActionForm>
                }
            });
            let known = o.known.into_iter().map(|k| view! {
                <span class="badge known" title=k.source>{t(lang, "tr.known")}" "{k.name}</span>" "
            }).collect_view();
            let also = (!o.also_in.is_empty()).then(|| view! {
                <span class="small">{t(lang, "tr.also_in")}" "
                    {o.also_in.into_iter().map(|s| view! {
                        <a href=format!("/incidents/{}", s.human_id) title=s.title>{s.human_id.clone()}</a>" "
                    }).collect_view()}
                </span>
            });
            view! {
                <li>
                    <span class="muted small">{o.found_as}</span>" "<code>{o.value}</code>" "
                    {known}
                    {o.recorded.then(|| view! { <span class="badge">{t(lang, "tr.recorded")}</span>" " })}
                    {also}
                    {promote_form}
                    {asset_form}
                </li>
            }
        })
        .collect();
    let lines: Vec<String> = f
        .lines
        .iter()
        .map(|l| format!("{}@{}", l.line, l.offset))
        .collect();
    let model = use_model();
    let task_form = (open && acts.may_handle && f.task.is_none()).then(|| {
        let (id, fid) = (id.clone(), fid.clone());
        view! {
            <ActionForm action=acts.task attr:class="inline-form">
                <input type="hidden" name="id" value=id/>
                <input type="hidden" name="finding" value=fid/>
                <select name="role" aria-label=t(lang, "tr.task_role")>
                    {Role::ALL.iter().filter(|r| r.is_internal_handler()).map(|r| view! {
                        <option value=r.id() selected=*r == Role::ItLanAdmin>{model().role_name(lang, *r)}</option>
                    }).collect_view()}
                </select>
                <button type="submit" class="secondary">{t(lang, "tr.open_task")}</button>
            </ActionForm>
        }
    });
    view! {
        <li class=format!("finding sev-{} fs-{}", f.severity, f.status.id()) data-detector=f.detector.clone()>
            <p>
                <span class=format!("badge sev-{}", f.severity)>{t(lang, &format!("tr.sev.{}", f.severity))}</span>" "
                <strong>{f.title.get(lang.code()).to_string()}</strong>" "
                <span class="muted small">{f.detector.clone()}" · "{f.evidence_name.clone()}</span>
                {(!open).then(|| view! { " "<span class="badge">{t(lang, &format!("tr.fs.{}", f.status.id()))}</span> })}
                {f.task.map(|_| view! { " "<span class="badge task-opened">{t(lang, "tr.task_opened")}</span> })}
            </p>
            <p>{f.explanation.get(lang.code()).to_string()}</p>
            <p class="small mono">{t(lang, "tr.cited").replace("{n}", &f.line_count.to_string())}" "{lines.join(", ")}</p>
            {(!f.note.is_empty()).then(|| view! { <p class="small note">{f.note.clone()}</p> })}
            <ul class="implicated">{implicated}</ul>
            {task_form}
            {(open && acts.may_handle).then(|| view! {
                <ActionForm action=acts.dismiss attr:class="inline-form">
                    <input type="hidden" name="id" value=id.clone()/>
                    <input type="hidden" name="finding" value=fid.clone()/>
                    <input type="text" name="reason" aria-label=t(lang, "tr.dismiss_reason") placeholder=t(lang, "tr.dismiss_reason")/>
                    <button type="submit" class="secondary">{t(lang, "tr.dismiss")}</button>
                </ActionForm>
            })}
        </li>
    }
}
