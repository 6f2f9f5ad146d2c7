//! `/intel`: the threat-intelligence store — indicators imported from STIX
//! 2.1 bundles, with their validity and whether their pattern is compared
//! automatically; the officer imports a bundle here.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::campaigns::campaigns;
use crate::api::observables::{campaign_proposals, intel};
use crate::i18n::t;
use crate::ui::campaigns::ConfirmForm;
use crate::ui::incidents::format_time;
use crate::ui::{ErrorView, use_lang};

#[component]
pub fn IntelPage() -> impl IntoView {
    let lang = use_lang();
    // One resource per page for everything the store shows (a resource made
    // inside a branch that appears later can leave an async server render
    // waiting): the subscriptions come with the page, and their forms
    // refetch it.
    let subscribe = ServerAction::<crate::api::observables::Subscribe>::new();
    let unsubscribe = ServerAction::<crate::api::observables::Unsubscribe>::new();
    let poll = ServerAction::<crate::api::observables::PollSubscription>::new();
    let page = Resource::new(
        move || {
            (
                subscribe.version().get(),
                unsubscribe.version().get(),
                poll.version().get(),
            )
        },
        |_| intel(),
    );
    let proposals = Resource::new(|| (), |_| campaign_proposals());
    let confirmed = Resource::new(|| (), |_| campaigns());
    let query = use_query_map();
    let imported = move || query.with(|q| q.get("imported"));
    let failed = move || query.with(|q| q.get("import_error").is_some());
    let officer = Resource::new(|| (), |_| crate::api::auth::me());
    let may_import = move || {
        officer
            .get()
            .and_then(Result::ok)
            .flatten()
            .is_some_and(|u| u.nav.import_intel)
    };
    view! {
        <Title text=t(lang, "ti.title")/>
        <section class="panel">
            <h1>{t(lang, "ti.title")}</h1>
            <p class="muted">{t(lang, "ti.intro")}</p>
            {move || imported().map(|n| view! { <p class="ok" role="status">{t(lang, "ti.imported").replace("{n}", &n)}</p> })}
            {move || failed().then(|| view! { <p class="error" role="alert">{t(lang, "ti.import_failed")}</p> })}
            <Suspense>
                {move || may_import().then(|| view! {
                    <form method="post" action="/api/intel/import" enctype="multipart/form-data" class="stack import-form">
                        <label for="ti-source">{t(lang, "ti.source")}</label>
                        <input id="ti-source" type="text" name="source"/>
                        <label for="ti-bundle">{t(lang, "ti.bundle")}</label>
                        <input id="ti-bundle" type="file" name="bundle" accept=".json,application/json"/>
                        <button type="submit">{t(lang, "ti.import")}</button>
                    </form>
                })}
                {move || may_import().then(|| page.get().and_then(Result::ok).map(|p| view! {
                    <crate::ui::subscriptions::Subscriptions
                        items=p.subscriptions add=subscribe remove=unsubscribe poll=poll/>
                }))}
                <h2>{t(lang, "cp.list")}</h2>
                {move || confirmed.get().map(|r| match r {
                    Ok(list) if list.is_empty() => view! { <p class="muted">{t(lang, "cp.none")}</p> }.into_any(),
                    Ok(list) => view! {
                        <ul class="confirmed-campaigns">
                            {list.into_iter().map(|c| view! {
                                <li>
                                    <a href=format!("/campaigns/{}", c.id)>{c.name}</a>
                                    " · "{t(lang, "cp.n_incidents").replace("{n}", &c.incidents.to_string())}
                                    {(!c.threat_actor.is_empty()).then(|| format!(" · {}", c.threat_actor))}
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(e) => view! { <ErrorView error=e/> }.into_any(),
                })}
                <h2>{t(lang, "ti.campaigns")}</h2>
                <p class="muted">{t(lang, "ti.campaigns_intro")}</p>
                {move || proposals.get().map(|r| match r {
                    Ok(list) if list.is_empty() => view! { <p class="muted">{t(lang, "ti.no_campaigns")}</p> }.into_any(),
                    Ok(list) => view! {
                        <ul class="campaigns">
                            {list.into_iter().enumerate().map(|(n, p)| {
                                let members: Vec<String> = p.incidents.iter().map(|i| i.human_id.clone()).collect();
                                view! {
                                <li class="campaign">
                                    <strong>{t(lang, "ti.score").replace("{n}", &p.score.to_string())}</strong>" · "
                                    {p.incidents.into_iter().map(|i| view! {
                                        <a href=format!("/incidents/{}", i.human_id) title=i.title.clone()>{i.human_id.clone()}</a>" "
                                    }).collect_view()}
                                    <p class="small">{t(lang, "ti.shared")}" "
                                        {p.shared.into_iter().map(|(v, _)| view! { <code>{v}</code>" " }).collect_view()}
                                    </p>
                                    {may_import().then(|| view! {
                                        <ConfirmForm incidents=members.clone() n=n/>
                                    })}
                                </li>
                            }}).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(e) => view! { <ErrorView error=e/> }.into_any(),
                })}
                <h2>{t(lang, "ti.indicators")}</h2>
                {move || page.get().map(|r| match r {
                    Ok(p) => view! {
                        <div class="taxii-info">
                            <h3>{t(lang, "ti.taxii")}</h3>
                            <p class="small">{t(lang, "ti.taxii_help")}" "<code>{p.taxii_root.clone()}</code></p>
                            <ul class="small">
                                {p.collections.iter().map(|(id, title)| view! { <li>{title.clone()}": "<code>{id.clone()}</code></li> }).collect_view()}
                            </ul>
                        </div>
                        <p>{t(lang, "ti.total").replace("{n}", &p.total.to_string())}</p>
                        <table class="intel">
                            <thead><tr>
                                <th scope="col">{t(lang, "ti.name")}</th>
                                <th scope="col">{t(lang, "ti.pattern")}</th>
                                <th scope="col">{t(lang, "ti.source")}</th>
                                <th scope="col">{t(lang, "ti.valid")}</th>
                            </tr></thead>
                            <tbody>
                                {p.newest.into_iter().map(|i| view! {
                                    <tr>
                                        <td>{i.name}</td>
                                        <td><code>{i.pattern}</code>
                                            {(!i.automatic).then(|| view! { <p class="small muted">{t(lang, "ti.not_automatic")}" "{i.unread.clone()}</p> })}
                                        </td>
                                        <td>{i.source}</td>
                                        <td>{format_time(i.valid_from)}" – "{i.valid_until.map(format_time).unwrap_or_default()}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any(),
                    Err(e) => view! { <ErrorView error=e/> }.into_any(),
                })}
            </Suspense>
        </section>
    }
}
