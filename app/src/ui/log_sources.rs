//! `/admin/log-sources`: the systems that keep logs and how long they
//! actually keep them, beside the retention JPCERT/CC recommends. The
//! preservation checklists and their deadlines are computed from these.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::evidence::{SaveDetectionSettings, SaveLogSource, detection_settings, log_sources};
use crate::domain::evidence::OrgLogSource;
use crate::domain::form::FormResult;
use crate::domain::triage::DetectionSettings;
use crate::i18n::t;
use crate::model::Catalogue;
use crate::model::label;
use crate::ui::fields::{FormStatus, errors_of};
use crate::ui::incidents::format_time;
use crate::ui::raw_text::raw_text;
use crate::ui::workspace::answer;
use crate::ui::{ErrorView, use_lang};
use playbooks::LogSourceDef;

#[component]
pub fn LogSourcesPage() -> impl IntoView {
    let lang = use_lang();
    let save = ServerAction::<SaveLogSource>::new();
    let list = Resource::new(move || save.version().get(), |_| log_sources());
    let catalogue = crate::ui::use_catalogue();
    let message = answer(save.value());
    view! {
        <Title text=t(lang, "ls.title")/>
        <section class="panel">
            <h1>{t(lang, "ls.title")}</h1>
            <p class="muted">{t(lang, "ls.intro")}</p>
            <Suspense>
                {move || list.get().zip(catalogue()).map(|(r, catalogue)| match r {
                    Ok(items) if items.is_empty() => view! { <p class="muted">{t(lang, "ls.none")}</p> }.into_any(),
                    Ok(items) => view! {
                        <table class="log-sources">
                            <thead><tr>
                                <th scope="col">{t(lang, "ls.source")}</th>
                                <th scope="col">{t(lang, "ls.system")}</th>
                                <th scope="col">{t(lang, "ls.retention")}</th>
                                <th scope="col">{t(lang, "ls.note")}</th>
                                <th scope="col">{t(lang, "ls.active")}</th>
                            </tr></thead>
                            <tbody>{items.into_iter().map(|s| {
                                let def = catalogue.log_sources.iter().find(|d| d.id == s.source).cloned();
                                view! { <Row s=s save=save def=def/> }
                            }).collect_view()}</tbody>
                        </table>
                    }.into_any(),
                    Err(e) => view! { <ErrorView error=e/> }.into_any(),
                })}
            </Suspense>
            <p class="error" role="alert">{message}</p>
            <h2>{t(lang, "ls.add")}</h2>
            <Suspense>
                {move || catalogue().map(|c| view! { <SourceForm save=save catalogue=c/> })}
            </Suspense>
        </section>
        <Detection/>
    }
}

#[component]
fn Row(
    s: OrgLogSource,
    save: ServerAction<SaveLogSource>,
    /// The catalogue's entry for the source, if it has one.
    def: Option<LogSourceDef>,
) -> impl IntoView {
    let lang = use_lang();
    let declared = s.retention_days;
    let recommended = def.map(|d| (label(lang, &d.name), d.retention_online));
    let name = recommended.as_ref().map(|(n, _)| n.clone());
    let recommended_text = recommended.as_ref().map(|(_, r)| {
        format!(
            " {} {}",
            t(lang, "ls.recommended"),
            retention_text(lang, *r)
        )
    });
    let retention = recommended.and_then(|(_, r)| r);
    let form_id = format!("ls-{}", s.id);
    view! {
        <tr>
            <td>
                {name}
                <ActionForm action=save attr:id=form_id.clone()>
                    <input type="hidden" name="source_id" value=s.id.to_string()/>
                    <input type="hidden" name="source" value=s.source.clone()/>
                </ActionForm>
            </td>
            <td><input type="text" name="system" form=form_id.clone() value=s.system.clone() aria-label=t(lang, "ls.system")/></td>
            <td>
                <input type="number" min="1" max="3650" name="retention_days" form=form_id.clone() value=s.retention_days.to_string() aria-label=t(lang, "ls.retention")/>
                <span class="small muted">{recommended_text}</span>
                {retention
                    .filter(|r| declared < r.min_days)
                    .map(|r| view! { <p class="small warn short-retention">{t(lang, "evd.below_recommended").replace("{n}", &r.days_text())}</p> })}
            </td>
            <td><input type="text" name="note" form=form_id.clone() value=s.note.clone() aria-label=t(lang, "ls.note")/></td>
            <td>
                <input type="checkbox" name="active" value="true" form=form_id.clone() checked=s.active aria-label=t(lang, "ls.active")/>
                <button type="submit" form=form_id.clone()>{t(lang, "ls.save")}</button>
            </td>
        </tr>
    }
}

/// A recommended retention in days, or "not stated" (seed 001: N/A).
fn retention_text(lang: crate::i18n::Lang, r: Option<playbooks::Retention>) -> String {
    match r {
        Some(r) => format!("{} {}", r.days_text(), t(lang, "evd.days_kept")),
        None => t(lang, "ls.not_stated").to_string(),
    }
}

#[component]
fn SourceForm(save: ServerAction<SaveLogSource>, catalogue: Catalogue) -> impl IntoView {
    let lang = use_lang();
    view! {
        <ActionForm action=save attr:class="stack">
            <label for="ls-source">{t(lang, "ls.source")}</label>
            <select id="ls-source" name="source">
                {catalogue.log_sources.into_iter().map(|d| view! {
                    <option value=d.id.clone()>{format!("{} ({} {})", label(lang, &d.name), t(lang, "ls.recommended"), retention_text(lang, d.retention_online))}</option>
                }).collect_view()}
            </select>
            <label for="ls-system">{t(lang, "ls.system")}</label>
            <input id="ls-system" type="text" name="system"/>
            <label for="ls-retention">{t(lang, "ls.retention")}</label>
            <input id="ls-retention" type="number" min="1" max="3650" name="retention_days"/>
            <label for="ls-note">{t(lang, "ls.note")}</label>
            <input id="ls-note" type="text" name="note"/>
            <button type="submit">{t(lang, "ls.add")}</button>
        </ActionForm>
    }
}

/// What the organisation declares for the log-triage detectors, as TOML
/// (the text `hikeshi triage --config` reads), beside the playbook's
/// detectors with the seed rule each implements and the thresholds.
#[component]
fn Detection() -> impl IntoView {
    let lang = use_lang();
    let save = ServerAction::<SaveDetectionSettings>::new();
    // Fetched again only after a save went through: a refused text stays
    // in the box as typed, with the error under it.
    let saved = RwSignal::new(0usize);
    Effect::new(move |_| {
        if matches!(save.value().get(), Some(Ok(FormResult::Done(_)))) {
            saved.update(|n| *n += 1);
        }
    });
    let current = Resource::new(move || saved.get(), |_| detection_settings());
    let errors = errors_of(save.value());
    let message = move || {
        errors
            .get()
            .first()
            .map(|e| crate::i18n::error_text(lang, &e.code))
    };
    let done = move || matches!(save.value().get(), Some(Ok(FormResult::Done(_))));
    view! {
        <section class="panel" id="detection" data-testid="detection-settings">
            <h2>{t(lang, "det.title")}</h2>
            <p class="muted">{t(lang, "det.intro")}</p>
            <Suspense>
                {move || current.get().map(|r| match r {
                    Ok(s) => view! { <DetectionForm s=s save=save message=Signal::derive(message) errors=errors done=Signal::derive(done)/> }.into_any(),
                    Err(e) => view! { <ErrorView error=e/> }.into_any(),
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn DetectionForm(
    s: DetectionSettings,
    save: ServerAction<SaveDetectionSettings>,
    message: Signal<Option<String>>,
    errors: Signal<Vec<crate::domain::form::FieldError>>,
    done: Signal<bool>,
) -> impl IntoView {
    let lang = use_lang();
    let invalid = move || message.get().is_some().then_some("true");
    let by = s.updated_by.clone().zip(s.updated_at).map(|(who, at)| {
        t(lang, "det.updated")
            .replace("{who}", &who)
            .replace("{at}", &format_time(at))
    });
    let thresholds = s.thresholds.clone();
    view! {
        <ActionForm action=save attr:class="stack">
            <FormStatus errors=errors/>
            <label for="det-text">{t(lang, "det.text")}</label>
            <textarea id="det-text" name="text" rows="14" class="mono" spellcheck="false"
                aria-invalid=invalid aria-describedby="det-text-error"
                placeholder=EXAMPLE>{raw_text(s.text.clone())}</textarea>
            <p class="field-error" id="det-text-error" role="alert">{message}</p>
            {by.map(|b| view! { <p class="small muted">{b}</p> })}
            {move || done.get().then(|| view! { <p class="ok" role="status">{t(lang, "det.saved")}</p> })}
            <button type="submit">{t(lang, "det.save")}</button>
        </ActionForm>
        <details>
            <summary>{t(lang, "det.example")}</summary>
            <pre class="small">{EXAMPLE}</pre>
        </details>
        <h3>{t(lang, "det.detectors")}</h3>
        <table class="detectors" data-testid="detectors">
            <thead><tr>
                <th scope="col">{t(lang, "det.detector")}</th>
                <th scope="col">{t(lang, "ls.source")}</th>
                <th scope="col">{t(lang, "det.rule")}</th>
                <th scope="col">{t(lang, "det.parameters")}</th>
            </tr></thead>
            <tbody>
                {s.detectors.into_iter().map(|d| view! {
                    <tr data-detector=d.id.clone()>
                        <td>{label(lang, &d.name)}<br/><code class="small">{d.id.clone()}</code></td>
                        <td>{d.source.clone()}</td>
                        <td>{label(lang, &d.rule)}<br/><span class="small muted">{d.cite.clone()}</span></td>
                        <td class="small">{d.parameters.iter().map(|p| view! { <code>{p.clone()}</code>" " }).collect_view()}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
        <h3>{t(lang, "det.thresholds")}</h3>
        <table class="thresholds">
            <thead><tr>
                <th scope="col">{t(lang, "det.parameter")}</th>
                <th scope="col">{t(lang, "det.builtin")}</th>
            </tr></thead>
            <tbody>
                {thresholds.into_iter().map(|th| view! {
                    <tr>
                        <td>{label(lang, &th.name)}<br/><code class="small">{format!("thresholds.{}", th.id)}</code></td>
                        <td>{th.value.clone()}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// What a declaration looks like (shown as the empty box's placeholder).
const EXAMPLE: &str = r#"proxies = ["10.0.0.8"]
internal_zones = ["Trust", "DMZ"]
standard_user_agents = ["Edg/", "Chrome/"]
business_hours = [9, 18]
holidays = ["2026-12-29", "2026-12-30"]
maintenance_windows = [{ on = "Sat", start = "02:00", end = "05:00" }]
admin_hosts = [["administrator", ["ADMIN-PC01", "10.0.5.10"]]]

[thresholds]
beacon_min_requests = 24"#;
