//! The frame around every page: header with navigation for the signed-in
//! user's roles, language switch, sign-out.

use leptos::prelude::*;
use leptos_router::components::{A, Redirect};
use leptos_router::hooks::use_location;

use crate::api::auth::{Logout, me};
use crate::i18n::{Lang, t};
use crate::ui::use_lang;

#[component]
pub fn Layout(children: Children) -> impl IntoView {
    let lang = use_lang();
    let location = use_location();
    // Refetched on every navigation so the header follows sign-in and sign-out.
    let user = Resource::new(move || location.pathname.get(), |_| me());
    let unread = Resource::new(
        move || location.pathname.get(),
        |_| crate::api::containment::unread_notifications(),
    );
    let logout = ServerAction::<Logout>::new();
    let other = match lang {
        Lang::Ja => Lang::En,
        Lang::En => Lang::Ja,
    };
    let switch_href = move || format!("/lang/{}?next={}", other.code(), location.pathname.get());
    view! {
        <header class="top">
            <a class="brand" href="/">
                <span class="mark" aria-hidden="true">"火"</span>
                {t(lang, "app.name")}
            </a>
            <nav aria-label="main">
                <Suspense>
                    {move || {
                        user.get()
                            .and_then(Result::ok)
                            .flatten()
                            .map(|u| {
                                let nav = u.nav;
                                view! {
                                    <A href="/incidents" exact=true>{t(lang, "nav.incidents")}</A>
                                    <A href="/tasks">{t(lang, "nav.tasks")}</A>
                                    <A href="/notifications">
                                        {t(lang, "nav.notifications")}
                                        {move || unread.get().and_then(Result::ok).filter(|n| *n > 0).map(|n| view! {
                                            " " <span class="count" aria-label=t(lang, "nav.notifications")>{n}</span>
                                        })}
                                    </A>
                                    <A href="/incidents/new">{t(lang, "nav.report")}</A>
                                    {nav.users.then(|| view! { <A href="/admin/users">{t(lang, "nav.users")}</A> })}
                                    {nav.mail.then(|| view! { <A href="/admin/mail">{t(lang, "nav.mail")}</A> })}
                                    {nav.organisations.then(|| view! { <A href="/admin/organisations">{t(lang, "nav.organisations")}</A> })}
                                    {nav.log_sources.then(|| view! { <A href="/admin/log-sources">{t(lang, "nav.log_sources")}</A> })}
                                    {nav.intel.then(|| view! { <A href="/intel">{t(lang, "nav.intel")}</A> })}
                                    {nav.metrics.then(|| view! { <A href="/metrics">{t(lang, "nav.metrics")}</A> })}
                                    {nav.allowlist.then(|| view! { <A href="/admin/allowlist">{t(lang, "nav.allowlist")}</A> })}
                                    <A href="/account">{t(lang, "nav.account")}</A>
                                    <span class="who">{u.display_name}" ("{u.username}")"</span>
                                    <ActionForm action=logout attr:class="inline">
                                        <button type="submit" class="link">{t(lang, "nav.signout")}</button>
                                    </ActionForm>
                                }
                            })
                    }}
                </Suspense>
                <a class="lang" href=switch_href rel="external nofollow">{t(lang, "nav.language")}</a>
            </nav>
        </header>
        <main>{children()}</main>
    }
}

/// `/`: the incident list for the signed-in, the sign-in page otherwise.
#[component]
pub fn Home() -> impl IntoView {
    let user = Resource::new(|| (), |_| me());
    view! {
        <Suspense>
            {move || {
                user.get()
                    .map(|u| {
                        let target = if matches!(u, Ok(Some(_))) { "/incidents" } else { "/login" };
                        view! { <Redirect path=target/> }
                    })
            }}
        </Suspense>
    }
}
