//! `/admin/log-sources`: the systems that keep logs and how long they
//! actually keep them, beside the retention JPCERT/CC recommends. The
//! preservation checklists and their deadlines are computed from these.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::evidence::{SaveLogSource, log_sources};
use crate::domain::evidence::OrgLogSource;
use crate::i18n::t;
use crate::model::label;
use crate::ui::workspace::answer;
use crate::ui::{ErrorView, use_lang, use_model};

#[component]
pub fn LogSourcesPage() -> impl IntoView {
    let lang = use_lang();
    let save = ServerAction::<SaveLogSource>::new();
    let list = Resource::new(move || save.version().get(), |_| log_sources());
    let message = answer(save.value());
    view! {
        <Title text=t(lang, "ls.title")/>
        <section class="panel">
            <h1>{t(lang, "ls.title")}</h1>
            <p class="muted">{t(lang, "ls.intro")}</p>
            <Suspense>
                {move || list.get().map(|r| match r {
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
                            <tbody>{items.into_iter().map(|s| view! { <Row s=s save=save/> }).collect_view()}</tbody>
                        </table>
                    }.into_any(),
                    Err(e) => view! { <ErrorView error=e/> }.into_any(),
                })}
            </Suspense>
            <p class="error" role="alert">{message}</p>
            <h2>{t(lang, "ls.add")}</h2>
            <SourceForm save=save/>
        </section>
    }
}

#[component]
fn Row(s: OrgLogSource, save: ServerAction<SaveLogSource>) -> impl IntoView {
    let lang = use_lang();
    let model = use_model();
    let source = StoredValue::new(s.source.clone());
    let declared = s.retention_days;
    let recommended = move || {
        model()
            .log_sources
            .iter()
            .find(|d| source.with_value(|s| d.id == *s))
            .map(|d| (label(lang, &d.name), d.retention_online))
    };
    let form_id = format!("ls-{}", s.id);
    view! {
        <tr>
            <td>
                {move || recommended().map(|(n, _)| n)}
                <ActionForm action=save attr:id=form_id.clone()>
                    <input type="hidden" name="source_id" value=s.id.to_string()/>
                    <input type="hidden" name="source" value=s.source.clone()/>
                </ActionForm>
            </td>
            <td><input type="text" name="system" form=form_id.clone() value=s.system.clone() aria-label=t(lang, "ls.system")/></td>
            <td>
                <input type="number" min="1" max="3650" name="retention_days" form=form_id.clone() value=s.retention_days.to_string() aria-label=t(lang, "ls.retention")/>
                <span class="small muted">{move || recommended().map(|(_, r)| format!(" {} {}", t(lang, "ls.recommended"), retention_text(lang, r)))}</span>
                {move || recommended()
                    .and_then(|(_, r)| r)
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
fn SourceForm(save: ServerAction<SaveLogSource>) -> impl IntoView {
    let lang = use_lang();
    let model = use_model();
    view! {
        <ActionForm action=save attr:class="stack">
            <label for="ls-source">{t(lang, "ls.source")}</label>
            <select id="ls-source" name="source">
                {move || model().log_sources.into_iter().map(|d| view! {
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
