//! Incident pages: the list, the report form (phase A) and the incident page.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{A, Form};
use leptos_router::hooks::use_query_map;

use crate::api::incidents::{ReportIncident, list_incidents};
use crate::domain::Phase;
use crate::domain::classification::{Severity, Tlp};
use crate::domain::incident::{Discovery, IncidentKind, IncidentPage};
use crate::domain::workflow::Status;
use crate::i18n::{Lang, discovery_label, kind_label, t};
use crate::ui::fields::{Choice, Field, FormStatus, Input, errors_of};
use crate::ui::{ErrorView, use_lang, use_model};

pub use crate::domain::dates::format_utc as format_time;
pub use crate::i18n::severity_label as severity_name;

pub fn severity_options(lang: Lang) -> Vec<(&'static str, String)> {
    Severity::ALL
        .iter()
        .map(|s| (s.id(), severity_name(lang, *s).to_string()))
        .collect()
}

pub fn kind_options(lang: Lang) -> Vec<(&'static str, String)> {
    IncidentKind::ALL
        .iter()
        .map(|k| (k.id(), kind_label(lang, *k).to_string()))
        .collect()
}

#[component]
pub fn IncidentList() -> impl IntoView {
    let lang = use_lang();
    let model = use_model();
    let query = use_query_map();
    let page = Resource::new(
        move || query.get(),
        |q| {
            list_incidents(
                q.get("phase"),
                q.get("kind"),
                q.get("reporter"),
                q.get("severity"),
                q.get("tlp"),
                q.get("overdue"),
                q.get("mine"),
                q.get("after"),
                q.get("before"),
            )
        },
    );
    let selected = move |key: &str| query.with_untracked(|q| q.get(key));
    let phase_options = move || {
        Phase::ALL
            .into_iter()
            .map(|p| {
                (
                    p.id(),
                    format!("{} — {}", p.id(), model().phase_name(lang, p)),
                )
            })
            .collect::<Vec<_>>()
    };
    view! {
        <Title text=t(lang, "list.title")/>
        <section class="panel">
            <h1>{t(lang, "list.title")}</h1>
            <Form method="GET" action="" attr:class="filters" attr:aria-label=t(lang, "list.filter")>
                <Suspense>
                    {move || {
                        let none = Signal::derive(Vec::new);
                        view! {
                            <Choice name="phase" field="phase" label="col.phase" errors=none
                                options=phase_options() selected=selected("phase").unwrap_or_default() empty="list.all"/>
                        }
                    }}
                </Suspense>
                <Choice name="kind" field="kind" label="col.kind" errors=Signal::derive(Vec::new)
                    options=kind_options(lang) selected=selected("kind").unwrap_or_default() empty="list.all"/>
                <Field name="reporter" field="reporter" label="list.reporter" errors=Signal::derive(Vec::new)
                    value=selected("reporter").unwrap_or_default()/>
                <Choice name="severity" field="severity" label="col.severity" errors=Signal::derive(Vec::new)
                    options=severity_options(lang) selected=selected("severity").unwrap_or_default() empty="list.all"/>
                <Choice name="tlp" field="tlp" label="col.tlp" errors=Signal::derive(Vec::new)
                    options=Tlp::ALL.iter().map(|t| (t.id(), t.label().to_string())).collect() selected=selected("tlp").unwrap_or_default() empty="list.all"/>
                <label class="check"><input type="checkbox" name="overdue" value="1" checked=selected("overdue").is_some()/>{t(lang, "list.overdue")}</label>
                <label class="check"><input type="checkbox" name="mine" value="1" checked=selected("mine").is_some()/>{t(lang, "list.mine")}</label>
                <button type="submit">{t(lang, "list.filter")}</button>
            </Form>
            <Suspense fallback=|| view! { <p class="muted">"…"</p> }>
                {move || page.get().map(|r| match r {
                    Ok(p) => view! { <IncidentTable page=p/> }.into_any(),
                    Err(e) => view! { <ErrorView error=e/> }.into_any(),
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn IncidentTable(page: IncidentPage) -> impl IntoView {
    let lang = use_lang();
    let model = use_model()();
    let query = use_query_map();
    // The same filters, from another place in the list (none: the newest).
    let link = move |place: Option<(&'static str, &str)>| {
        let mut q = query.get_untracked();
        q.remove("after");
        q.remove("before");
        if let Some((key, cursor)) = place {
            q.replace(key, cursor.to_string());
        }
        format!("/incidents{}", q.to_query_string())
    };
    if page.rows.is_empty() {
        return view! { <p class="muted">{t(lang, "list.empty")}</p> }.into_any();
    }
    let total = if page.more_than_total {
        format!("{}+", page.total)
    } else {
        page.total.to_string()
    };
    let newest = query.with_untracked(|q| q.get("after").is_some() || q.get("before").is_some());
    view! {
        <p class="muted">{total}" "{t(lang, "list.count")}</p>
        <table class="incidents">
            <thead>
                <tr>
                    <th scope="col">{t(lang, "col.id")}</th>
                    <th scope="col">{t(lang, "col.title")}</th>
                    <th scope="col">{t(lang, "col.phase")}</th>
                    <th scope="col">{t(lang, "col.kind")}</th>
                    <th scope="col">{t(lang, "col.severity")}</th>
                    <th scope="col">{t(lang, "col.tlp")}</th>
                    <th scope="col">{t(lang, "col.reporter")}</th>
                    <th scope="col">{t(lang, "col.reported")}</th>
                </tr>
            </thead>
            <tbody>
                {page.rows.into_iter().map(|r| {
                    let href = format!("/incidents/{}", r.human_id);
                    let phase_title = model.phase_name(lang, r.phase);
                    view! {
                        <tr class:closed=r.status == Status::Closed>
                            <td>
                                <A href=href.clone()>{r.human_id.clone()}</A>
                                {r.overdue.then(|| view! { <span class="badge overdue">{t(lang, "badge.overdue")}</span> })}
                                {(r.status == Status::Closed).then(|| view! { <span class="badge">{t(lang, "badge.closed")}</span> })}
                            </td>
                            <td><A href=href>{r.title}</A></td>
                            <td><span class="phase-badge" title=phase_title>{r.phase.id()}</span></td>
                            <td>{kind_label(lang, r.kind)}</td>
                            <td>{r.severity.map(|s| severity_name(lang, s))}</td>
                            <td><span class=format!("tlp tlp-{}", r.tlp.id())>{r.tlp.label()}</span></td>
                            <td>{r.reporter}</td>
                            <td>{format_time(r.created_at)}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        <nav class="pager" aria-label=t(lang, "list.page")>
            {newest.then(|| view! { <A href=link(None)>{t(lang, "list.newest")}</A> })}
            {page.prev.map(|c| view! { <A href=link(Some(("before", &c))) attr:rel="prev">{t(lang, "list.prev")}</A> })}
            {page.next.map(|c| view! { <A href=link(Some(("after", &c))) attr:rel="next">{t(lang, "list.next")}</A> })}
        </nav>
    }
    .into_any()
}

#[component]
pub fn ReportPage() -> impl IntoView {
    let lang = use_lang();
    let report = ServerAction::<ReportIncident>::new();
    let errors = errors_of(report.value());
    // The browser knows the reporter's time zone; the server does not.
    let tz = RwSignal::new(String::new());
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        tz.set(js_sys::Date::new_0().get_timezone_offset().to_string());
    });
    let discovery_options = Discovery::ALL
        .iter()
        .map(|d| (d.id(), discovery_label(lang, *d).to_string()))
        .collect::<Vec<_>>();
    // Reporting needs a signed-in user: the form is not shown to anyone else.
    let user = Resource::new(|| (), |_| crate::api::auth::me());
    view! {
        <Suspense>
            {move || user.get().map(|u| matches!(u, Ok(None)).then(|| view! {
                <leptos_router::components::Redirect path="/login"/>
            }))}
        </Suspense>
        <Title text=t(lang, "report.title")/>
        <section class="panel">
            <h1>{t(lang, "report.title")}</h1>
            <p class="muted">{t(lang, "report.intro")}</p>
            <ActionForm action=report attr:novalidate=true attr:class="report">
                <FormStatus errors/>
                <Field name="form[title]" field="title" label="report.f.title" errors/>
                <Field name="form[observed]" field="observed" label="report.f.observed" errors input=Input::Area/>
                <Field name="form[noticed_at]" field="noticed_at" label="report.f.noticed_at" errors input=Input::DateTime/>
                <input type="hidden" name="form[tz_offset]" prop:value=tz/>
                <Field name="form[location]" field="location" label="report.f.location" errors input=Input::Area/>
                <Choice name="form[discovery]" field="discovery" label="report.f.discovery" errors options=discovery_options/>
                <Choice name="form[kind]" field="kind" label="report.f.kind" errors options=kind_options(lang)/>
                <Field name="form[reporter_contact]" field="reporter_contact" label="report.f.reporter_contact" errors/>
                // Seed 001 §5: with an outside notification, who sent it.
                <fieldset class="notifier" data-testid="notifier">
                    <legend>{t(lang, "report.notifier")}</legend>
                    <p class="muted small">{t(lang, "report.notifier_hint")}</p>
                    <Field name="form[notifier][organisation]" field="notifier_organisation" label="notice.organisation" errors/>
                    <Field name="form[notifier][person]" field="notifier_person" label="notice.person" errors/>
                    <Field name="form[notifier][contact]" field="notifier_contact" label="notice.contact" errors/>
                    <Field name="form[notifier][their_reference]" field="notifier_their_reference" label="notice.their_reference" errors/>
                </fieldset>
                <button type="submit">{t(lang, "report.submit")}</button>
            </ActionForm>
        </section>
    }
}
