//! Reports on the incident page: generate one from a template (internal,
//! management summary, the targeted-e-mail report to IPA), in Japanese or
//! English, for someone; every version generated stays downloadable, with
//! its SHA-256 for `hikeshi report verify`.

use leptos::prelude::*;

use crate::api::reports::GenerateReport;
use crate::domain::form::{FormResult, error_for};
use crate::domain::incident::IncidentDetail;
use crate::i18n::{error_text, t};
use crate::ui::fields::errors_of;
use crate::ui::incidents::format_time;
use crate::ui::use_lang;

#[component]
pub fn Reports(id: String, incident: IncidentDetail, refresh: RwSignal<usize>) -> impl IntoView {
    let lang = use_lang();
    if incident.report_templates.is_empty() {
        return ().into_any();
    }
    let generate = ServerAction::<GenerateReport>::new();
    let errors = errors_of(generate.value());
    let error = move |f: &'static str| error_for(&errors.get(), f).map(|c| error_text(lang, c));
    Effect::new(move |_| {
        if let Some(Ok(FormResult::Done(_))) = generate.value().get() {
            refresh.update(|n| *n += 1);
        }
    });
    let fresh = move || match generate.value().get() {
        Some(Ok(FormResult::Done(rid))) => Some(rid),
        _ => None,
    };
    let templates = incident.report_templates.clone();
    let records = incident.report_records.clone();
    view! {
        <section class="panel reports" data-testid="reports">
            <h2>{t(lang, "rp.title")}</h2>
            <ActionForm action=generate attr:class="report-form">
                <input type="hidden" name="id" value=id/>
                <div class="field" class:has-error=move || error("template").is_some()>
                    <label for="rp-template">{t(lang, "rp.template")}</label>
                    <select id="rp-template" name="form[template]" aria-describedby="rp-template-error">
                        {templates.into_iter().map(|tp| view! {
                            <option value=tp.id()>{t(lang, &format!("rp.template.{}", tp.id()))}</option>
                        }).collect_view()}
                    </select>
                    <p class="field-error" id="rp-template-error" role="alert">{move || error("template")}</p>
                </div>
                <div class="field" class:has-error=move || error("lang").is_some()>
                    <label for="rp-lang">{t(lang, "rp.lang")}</label>
                    <select id="rp-lang" name="form[lang]" aria-describedby="rp-lang-error">
                        <option value="ja" selected=lang == crate::i18n::Lang::Ja>"日本語"</option>
                        <option value="en" selected=lang == crate::i18n::Lang::En>"English"</option>
                    </select>
                    <p class="field-error" id="rp-lang-error" role="alert">{move || error("lang")}</p>
                </div>
                <input type="hidden" name="form[format]" value="markdown"/>
                <div class="field" class:has-error=move || error("audience").is_some()>
                    <label for="rp-audience">{t(lang, "rp.audience")}</label>
                    <input id="rp-audience" type="text" name="form[audience]"
                        aria-invalid=move || error("audience").is_some().then_some("true")
                        aria-describedby="rp-audience-error"/>
                    <p class="field-error" id="rp-audience-error" role="alert">{move || error("audience")}</p>
                </div>
                <button type="submit">{t(lang, "rp.generate")}</button>
            </ActionForm>
            {move || fresh().map(|rid| view! {
                <p class="ok" role="status">
                    {t(lang, "rp.ready")}" "
                    <a href=format!("/api/reports/{rid}/download") download="">{t(lang, "rp.download")}</a>
                </p>
            })}
            {(!records.is_empty()).then(|| view! {
                <table class="report-versions">
                    <thead><tr>
                        <th scope="col">{t(lang, "rp.version")}</th>
                        <th scope="col">{t(lang, "rp.template")}</th>
                        <th scope="col">{t(lang, "rp.audience")}</th>
                        <th scope="col">{t(lang, "rp.by")}</th>
                        <th scope="col">"SHA-256"</th>
                    </tr></thead>
                    <tbody>
                        {records.into_iter().map(|r| view! {
                            <tr data-version=r.version.to_string()>
                                <td><a href=format!("/api/reports/{}/download", r.id) download="">{format!("v{}", r.version)}</a></td>
                                <td>{t(lang, &format!("rp.template.{}", r.template.id()))}" ("{r.lang.clone()}")"</td>
                                <td>{r.audience.clone()}</td>
                                <td>{r.generated_by.clone()}<br/><span class="muted small">{format_time(r.generated_at)}</span></td>
                                <td><code class="hash">{r.sha256.clone()}</code></td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            })}
        </section>
    }
    .into_any()
}
