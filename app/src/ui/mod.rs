//! The pages. Every page is server-rendered (async mode, so the HTTP status can
//! reflect a refusal) and hydrated; forms are `ActionForm`s that also work as
//! plain HTML forms.

mod account;
mod allowlist;
mod campaigns;
mod containment;
mod evidence;
mod external;
mod fields;
mod incidents;
mod intel;
mod layout;
mod log_sources;
mod login;
mod mail_admin;
mod metrics;
mod notifications;
mod notify;
mod observables;
mod raw_text;
mod reports;
mod subscriptions;
mod tasks;
mod triage;
mod users;
mod workspace;

use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{SsrMode, path};

use crate::domain::AppError;
use crate::i18n::{Lang, t};
use crate::model::SharedModel;
use std::sync::Arc;

pub fn shell(options: LeptosOptions) -> impl IntoView {
    let lang = request_lang();
    view! {
        <!DOCTYPE html>
        <html lang=lang.code()>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The page language: on the server from the request (decided by the
/// server's middleware), in the browser from `<html lang>`.
fn request_lang() -> Lang {
    #[cfg(feature = "ssr")]
    {
        use_context::<http::request::Parts>()
            .and_then(|p| p.extensions.get::<Lang>().copied())
            .unwrap_or_default()
    }
    #[cfg(not(feature = "ssr"))]
    {
        document()
            .document_element()
            .and_then(|e| e.get_attribute("lang"))
            .and_then(|code| Lang::from_code(&code))
            .unwrap_or_default()
    }
}

pub fn use_lang() -> Lang {
    use_context::<Lang>().unwrap_or_default()
}

/// The handling model (phase and role names), loaded once per page and
/// shared: a component reading it takes a reference count, not a copy (a
/// list page reads it once per row).
#[derive(Clone, Copy)]
pub struct Model(pub Resource<Result<SharedModel, AppError>>);

pub fn use_model() -> impl Fn() -> SharedModel + Copy {
    let m = expect_context::<Model>().0;
    move || m.get().and_then(Result::ok).unwrap_or_default()
}

/// The catalogues, for a form that chooses from them: fetched with the
/// page that shows the form, read inside that page's Suspense; `None`
/// until they arrive (empty if they cannot be read).
pub fn use_catalogue() -> impl Fn() -> Option<crate::model::Catalogue> + Copy {
    let r = Resource::new(|| (), |_| crate::api::auth::catalogue());
    move || r.get().map(Result::unwrap_or_default)
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let lang = request_lang();
    provide_context(lang);
    provide_context(Model(Resource::new(
        || (),
        |_| async {
            crate::api::auth::handling_model()
                .await
                .map(|m| SharedModel(Arc::new(m)))
        },
    )));
    // Browser tests wait for this marker: clicks before hydration are lost.
    Effect::new(move |_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });

    view! {
        <Stylesheet id="leptos" href="/pkg/hikeshi.css"/>
        // The one formatter: every page's title is escaped on the server.
        <Title formatter=raw_text::title text=t(lang, "app.name")/>
        <Router>
            <layout::Layout>
                <Routes fallback=|| view! { <NotFound/> }>
                    <Route path=path!("/") view=layout::Home ssr=SsrMode::Async/>
                    <Route path=path!("/login") view=login::LoginPage ssr=SsrMode::Async/>
                    <Route path=path!("/notify") view=notify::NotifyPage ssr=SsrMode::Async/>
                    <Route path=path!("/incidents") view=incidents::IncidentList ssr=SsrMode::Async/>
                    <Route path=path!("/incidents/new") view=incidents::ReportPage ssr=SsrMode::Async/>
                    <Route path=path!("/incidents/:id") view=workspace::IncidentPage ssr=SsrMode::Async/>
                    <Route path=path!("/tasks") view=tasks::MyTasksPage ssr=SsrMode::Async/>
                    <Route path=path!("/notifications") view=notifications::NotificationsPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/users") view=users::UsersPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/log-sources") view=log_sources::LogSourcesPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/mail") view=mail_admin::MailAdminPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/organisations") view=external::OrganisationsPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/allowlist") view=allowlist::AllowlistPage ssr=SsrMode::Async/>
                    <Route path=path!("/intel") view=intel::IntelPage ssr=SsrMode::Async/>
                    <Route path=path!("/metrics") view=metrics::MetricsPage ssr=SsrMode::Async/>
                    <Route path=path!("/reports/verify") view=reports::VerifyPage ssr=SsrMode::Async/>
                    <Route path=path!("/campaigns/:id") view=campaigns::CampaignPage ssr=SsrMode::Async/>
                    <Route path=path!("/account") view=account::AccountPage ssr=SsrMode::Async/>
                </Routes>
            </layout::Layout>
        </Router>
    }
}

#[component]
fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.set_status(http::StatusCode::NOT_FOUND);
    }
    let lang = use_lang();
    view! { <section class="panel"><h1>{t(lang, "error.not_found")}</h1></section> }
}

/// How a page shows a failed request: sign-in prompts redirect, the rest are
/// messages without internal detail.
#[component]
pub fn ErrorView(error: AppError) -> impl IntoView {
    let lang = use_lang();
    match error {
        AppError::Unauthenticated => {
            view! { <leptos_router::components::Redirect path="/login"/> }.into_any()
        }
        AppError::Conflict(code) => {
            view! { <p class="error" role="alert">{crate::i18n::error_text(lang, &code)}</p> }
                .into_any()
        }
        e => {
            let key = match e {
                AppError::Forbidden => "error.forbidden",
                AppError::NotFound => "error.not_found",
                _ => "error.internal",
            };
            view! { <p class="error" role="alert">{t(lang, key)}</p> }.into_any()
        }
    }
}
