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
            <h2>{t(lang, "rp.title")}" "<a class="small" href="/reports/verify">{t(lang, "rv.title")}</a></h2>
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
                <div class="field" class:has-error=move || error("format").is_some()>
                    <label for="rp-format">{t(lang, "rp.format")}</label>
                    <select id="rp-format" name="form[format]" aria-describedby="rp-format-error">
                        {crate::domain::report::ReportFormat::ALL.iter().map(|f| view! {
                            <option value=f.id()>{t(lang, &format!("rp.format.{}", f.id()))}</option>
                        }).collect_view()}
                    </select>
                    <p class="field-error" id="rp-format-error" role="alert">{move || error("format")}</p>
                </div>
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
                                <td>{t(lang, &format!("rp.template.{}", r.template.id()))}" ("{r.lang.clone()}", "{r.format.clone()}")"</td>
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

/// `/reports/verify`: a report file (or its SHA-256) checked against the
/// database: the timeline event it committed to and the evidence hashes it
/// lists, each difference named.
#[component]
pub fn VerifyPage() -> impl IntoView {
    use leptos_router::components::Form;
    use leptos_router::hooks::use_query_map;
    let lang = use_lang();
    let query = use_query_map();
    let sha = move || {
        query
            .with(|q| q.get("sha256"))
            .filter(|s| !s.trim().is_empty())
    };
    let result = Resource::new(sha, |sha| async move {
        match sha {
            Some(s) => Some(crate::api::reports::verify_report(s).await),
            None => None,
        }
    });
    view! {
        <leptos_meta::Title text=t(lang, "rv.title")/>
        <section class="panel verify-report">
            <h1>{t(lang, "rv.title")}</h1>
            <p class="muted">{t(lang, "rv.intro")}</p>
            <form method="post" action="/api/reports/verify-file" enctype="multipart/form-data" class="verify-file">
                <label for="rv-file">{t(lang, "rv.file")}</label>
                <input id="rv-file" type="file" name="file" required/>
                <button type="submit">{t(lang, "rv.check")}</button>
            </form>
            <Form method="GET" action="" attr:class="verify-hash">
                <label for="rv-sha">{t(lang, "rv.sha")}</label>
                <input id="rv-sha" type="text" name="sha256" value=move || sha().unwrap_or_default()/>
                <button type="submit">{t(lang, "rv.check")}</button>
            </Form>
            <Suspense>
                {move || result.get().flatten().map(|r| match r {
                    Ok(v) => {
                        let ok = v.ok();
                        let lines = v.lines();
                        let m = v.manifest.clone();
                        view! {
                            <div class="verdict" data-ok=ok.to_string() role="status">
                                {if ok {
                                    view! { <p class="ok"><strong>{t(lang, "rv.ok")}</strong></p> }.into_any()
                                } else {
                                    view! { <p class="error"><strong>{t(lang, "rv.differs")}</strong></p> }.into_any()
                                }}
                                {m.map(|m| view! {
                                    <p>
                                        {m.incident.clone()}" · v"{m.version}" · "{m.template.clone()}" · "{format_time(m.generated_at)}
                                        <br/><span class="small">{t(lang, "rv.head")}" #"{m.chain_seq}": "<code class="hash">{m.chain_head.clone()}</code></span>
                                    </p>
                                })}
                                <ul class="differences">
                                    {lines.into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}
                                </ul>
                            </div>
                        }.into_any()
                    }
                    Err(e) => view! { <crate::ui::ErrorView error=e/> }.into_any(),
                })}
            </Suspense>
        </section>
    }
}
