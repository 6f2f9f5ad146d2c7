//! Account administration: create users, set roles, deactivate, reset passwords.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::users::{CreateUser, ResetUserPassword, SetUserActive, SetUserRoles, list_users};
use crate::domain::Role;
use crate::domain::account::UserRow;
use crate::domain::form::FormResult;
use crate::i18n::t;
use crate::ui::fields::{Field, FormStatus, Input, errors_of};
use crate::ui::incidents::format_time;
use crate::ui::{ErrorView, use_lang, use_model};

#[component]
pub fn UsersPage() -> impl IntoView {
    let lang = use_lang();
    let create = ServerAction::<CreateUser>::new();
    let roles = ServerAction::<SetUserRoles>::new();
    let active = ServerAction::<SetUserActive>::new();
    let reset = ServerAction::<ResetUserPassword>::new();
    let member = ServerAction::<crate::api::external::SetUserOrganisation>::new();
    let users = Resource::new(
        move || {
            (
                create.version().get(),
                roles.version().get(),
                active.version().get(),
                reset.version().get(),
                member.version().get(),
            )
        },
        |_| list_users(),
    );
    let orgs = Resource::new(|| (), |_| crate::api::external::list_organisations());
    let orgs_now = move || orgs.get().and_then(Result::ok).unwrap_or_default();
    let errors = errors_of(create.value());
    let created = move || matches!(create.value().get(), Some(Ok(FormResult::Done(_))));
    view! {
        <Title text=t(lang, "users.title")/>
        <section class="panel">
            <h1>{t(lang, "users.title")}</h1>
            <Transition>
                {move || users.get().map(|r| match r {
                    Ok(list) => view! { <UserTable users=list roles active reset member orgs=orgs_now()/> }.into_any(),
                    Err(e) => view! { <ErrorView error=e/> }.into_any(),
                })}
            </Transition>
        </section>
        <section class="panel narrow">
            <h2>{t(lang, "users.create")}</h2>
            <ActionForm action=create attr:novalidate=true>
                <FormStatus errors/>
                {move || created().then(|| view! { <p class="ok" role="status">{t(lang, "users.created")}</p> })}
                <Field name="form[username]" field="username" label="users.f.username" errors autocomplete="off"/>
                <Field name="form[display_name]" field="display_name" label="users.f.display_name" errors/>
                <Field name="form[email]" field="email" label="users.f.email" errors/>
                <Field name="form[password]" field="password" label="users.f.password" errors input=Input::Password autocomplete="new-password"/>
                <RoleBoxes name="form[roles][]" checked=vec![] errors/>
                <div class="field">
                    <label for="f-organisation">{t(lang, "ext.organisation")}</label>
                    <select id="f-organisation" name="form[organisation]">
                        <option value="">{t(lang, "ext.no_organisation")}</option>
                        {move || orgs_now().into_iter().map(|o| view! {
                            <option value=o.id.to_string()>{o.name_en.clone()}</option>
                        }).collect_view()}
                    </select>
                </div>
                <button type="submit">{t(lang, "users.submit")}</button>
            </ActionForm>
        </section>
    }
}

#[component]
fn RoleBoxes(
    name: &'static str,
    checked: Vec<Role>,
    errors: Signal<Vec<crate::domain::FieldError>>,
) -> impl IntoView {
    let lang = use_lang();
    let model = use_model();
    let message = move || {
        crate::domain::form::error_for(&errors.get(), "roles")
            .map(|c| crate::i18n::error_text(lang, c))
    };
    view! {
        <fieldset class="roles">
            <legend>{t(lang, "users.f.roles")}</legend>
            {Role::ALL.into_iter().map(|r| {
                let on = checked.contains(&r);
                view! {
                    <label class="check">
                        <input type="checkbox" name=name value=r.id() checked=on/>
                        {move || model().role_name(lang, r)}
                    </label>
                }
            }).collect_view()}
            <p class="field-error" role="alert">{message}</p>
        </fieldset>
    }
}

#[component]
fn UserTable(
    users: Vec<UserRow>,
    roles: ServerAction<SetUserRoles>,
    active: ServerAction<SetUserActive>,
    reset: ServerAction<ResetUserPassword>,
    member: ServerAction<crate::api::external::SetUserOrganisation>,
    orgs: Vec<crate::domain::external::OrganisationView>,
) -> impl IntoView {
    let lang = use_lang();
    let model = use_model();
    view! {
        <table class="users">
            <thead>
                <tr>
                    <th scope="col">{t(lang, "users.f.username")}</th>
                    <th scope="col">{t(lang, "users.f.display_name")}</th>
                    <th scope="col">{t(lang, "users.f.roles")}</th>
                    <th scope="col">{t(lang, "users.status")}</th>
                    <th scope="col">{t(lang, "col.reported")}</th>
                </tr>
            </thead>
            <tbody>
                {users.into_iter().map(|u| {
                    let (id_roles, id_reset, id_active) = (u.id.to_string(), u.id.to_string(), u.id.to_string());
                    let role_names = u.roles.iter().map(|r| model().role_name(lang, *r)).collect::<Vec<_>>().join(", ");
                    let no_errors = Signal::derive(Vec::new);
                    let orgs = orgs.clone();
                    view! {
                        <tr class:inactive=!u.is_active>
                            <td>{u.username.clone()}</td>
                            <td>{u.display_name.clone()}</td>
                            <td>
                                <details>
                                    <summary>{role_names}</summary>
                                    <ActionForm action=roles>
                                        <input type="hidden" name="user" value=id_roles.clone()/>
                                        <RoleBoxes name="roles[]" checked=u.roles.clone() errors=no_errors/>
                                        <button type="submit">{t(lang, "users.save_roles")}</button>
                                    </ActionForm>
                                    <ActionForm action=reset attr:novalidate=true>
                                        <input type="hidden" name="user" value=id_reset.clone()/>
                                        <label>{t(lang, "users.new_password")}
                                            <input type="password" name="password" autocomplete="new-password"/>
                                        </label>
                                        <button type="submit">{t(lang, "users.reset")}</button>
                                    </ActionForm>
                                    <ActionForm action=member>
                                        <input type="hidden" name="user" value=u.id.to_string()/>
                                        <label>{t(lang, "ext.organisation")}
                                            <select name="organisation">
                                                <option value="">{t(lang, "ext.no_organisation")}</option>
                                                {orgs.iter().map(|o| view! {
                                                    <option value=o.id.to_string() selected=u.organisation == Some(o.id)>{o.name_en.clone()}</option>
                                                }).collect_view()}
                                            </select>
                                        </label>
                                        <button type="submit">{t(lang, "ext.set_organisation")}</button>
                                    </ActionForm>
                                </details>
                            </td>
                            <td>
                                {if u.is_active { t(lang, "users.active") } else { t(lang, "users.inactive") }}
                                <ActionForm action=active attr:class="inline">
                                    <input type="hidden" name="user" value=id_active.clone()/>
                                    <input type="hidden" name="active" value=(!u.is_active).to_string()/>
                                    <button type="submit" class="link">
                                        {if u.is_active { t(lang, "users.deactivate") } else { t(lang, "users.activate") }}
                                    </button>
                                </ActionForm>
                            </td>
                            <td>{format_time(u.created_at)}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}
