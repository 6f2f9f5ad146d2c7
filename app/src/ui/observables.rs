//! The observables panel of the incident page (観測事象): what was recorded,
//! each with the other incidents that share it, the forms to add one or to
//! paste a block (with a preview of every line before saving), and the
//! flags to change.

use leptos::prelude::*;

use crate::api::observables::PreviewObservables;
use crate::domain::classification::Tlp;
use crate::domain::form::error_for;
use crate::domain::incident::IncidentDetail;
use crate::domain::observable::{ObservableType, ObservableView, Pap};
use crate::i18n::{error_text, t};
use crate::ui::fields::errors_of;
use crate::ui::use_lang;
use crate::ui::workspace::{Acts, answer};

#[component]
pub fn Observables(id: String, incident: IncidentDetail) -> impl IntoView {
    let lang = use_lang();
    if !incident.may.see_observables {
        return ().into_any();
    }
    let may_add = incident.may.observe;
    let may_share = incident.may.share;
    let list = incident.observables.clone();
    view! {
        <section class="panel observables" id="observables">
            <h2>{t(lang, "ob.title")}</h2>
            {if list.is_empty() {
                view! { <p class="muted">{t(lang, "ob.none")}</p> }.into_any()
            } else {
                view! {
                    <table class="observables">
                        <thead><tr>
                            <th>{t(lang, "ob.kind")}</th>
                            <th>{t(lang, "ob.value")}</th>
                            <th>{t(lang, "ob.flags")}</th>
                            <th>{t(lang, "ob.also_in")}</th>
                        </tr></thead>
                        <tbody>
                            {list.into_iter().map(|o| view! { <Row id=id.clone() o=o editable=may_add shareable=may_share/> }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
            {(!incident.observables.is_empty()).then(|| view! { <ExportForm id=id.clone()/> })}
            {may_add.then(|| view! {
                <AddForm id=id.clone()/>
                <PasteForm id=id.clone()/>
            })}
        </section>
    }
    .into_any()
}

#[component]
fn Row(id: String, o: ObservableView, editable: bool, shareable: bool) -> impl IntoView {
    let lang = use_lang();
    let acts = expect_context::<Acts>();
    let also = o.also_in.clone();
    let flags = {
        let mut f = vec![
            o.tlp.label().to_string(),
            format!("PAP:{}", o.pap.id().to_uppercase()),
        ];
        if o.indicator {
            f.push(t(lang, "ob.indicator").to_string());
        }
        if o.sighted {
            f.push(t(lang, "ob.sighted").to_string());
        }
        if o.allowlisted {
            f.push(t(lang, "ob.allowlisted").to_string());
        }
        if o.shared {
            f.push(t(lang, "ob.shared").to_string());
        }
        f.join(" · ")
    };
    let oid = o.id.to_string();
    let (id_share, oid_share) = (id.clone(), oid.clone());
    let share_form = (shareable && o.indicator && !o.allowlisted && o.tlp <= Tlp::Amber).then(move || {
        let on = !o.shared;
        view! {
            <ActionForm action=acts.share_observable attr:class="inline share-form">
                <input type="hidden" name="id" value=id_share/>
                <input type="hidden" name="observable" value=oid_share/>
                {on.then(|| view! { <input type="hidden" name="share" value="true"/> })}
                <button type="submit" class="link">{t(lang, if on { "ob.share" } else { "ob.unshare" })}</button>
            </ActionForm>
        }
    });
    let (id_edit, id_remove) = (id.clone(), id);
    let (oid_edit, oid_remove) = (oid.clone(), oid.clone());
    view! {
        <tr>
            <td>
                <input type="checkbox" name="observable" value=o.id.to_string() form="ob-export"
                    aria-label=format!("{} {}", t(lang, "ob.select"), o.value)/>
                " "{t(lang, &format!("obt.{}", o.kind.id()))}
            </td>
            <td><code class="value">{o.value.clone()}</code>
                {(!o.note.is_empty()).then(|| view! { <p class="small">{o.note.clone()}</p> })}
                {(!o.tags.is_empty()).then(|| view! { <p class="small tags">{o.tags.join(", ")}</p> })}
            </td>
            <td>{flags}
                {o.known.iter().map(|k| view! {
                    <p class="small known">{t(lang, "ob.known")}" "{k.name.clone()}" ("{k.source.clone()}")"</p>
                }).collect_view()}
                {share_form}
            </td>
            <td>
                {if also.is_empty() {
                    view! { <span class="muted">"—"</span> }.into_any()
                } else {
                    view! {
                        <span class="also">{t(lang, "ob.also_in_n").replace("{n}", &also.len().to_string())}" "</span>
                        {also.into_iter().map(|s| view! {
                            <a href=format!("/incidents/{}", s.human_id) title=s.title.clone()>{s.human_id.clone()}</a>" "
                        }).collect_view()}
                    }.into_any()
                }}
            </td>
        </tr>
        {editable.then(|| view! {
            <tr class="edit">
                <td colspan="4">
                    <details>
                        <summary>{t(lang, "ob.edit")}</summary>
                        <ActionForm action=acts.edit_observable attr:class="inline">
                            <input type="hidden" name="id" value=id_edit/>
                            <input type="hidden" name="observable" value=oid_edit/>
                            <TlpPap tlp=o.tlp pap=o.pap prefix=format!("e-{oid}")/>
                            <label class="check"><input type="checkbox" name="indicator" value="true" checked=o.indicator/>{t(lang, "ob.indicator")}</label>
                            <label class="check"><input type="checkbox" name="sighted" value="true" checked=o.sighted/>{t(lang, "ob.sighted")}</label>
                            <input type="text" name="note" value=o.note.clone() aria-label=t(lang, "ob.note")/>
                            <button type="submit">{t(lang, "ob.save")}</button>
                        </ActionForm>
                        <ActionForm action=acts.remove_observable attr:class="inline">
                            <input type="hidden" name="id" value=id_remove/>
                            <input type="hidden" name="observable" value=oid_remove/>
                            <button type="submit" class="danger">{t(lang, "ob.remove")}</button>
                        </ActionForm>
                    </details>
                </td>
            </tr>
        })}
    }
}

/// TLP and PAP as two labelled selects, these levels chosen; the fields
/// are named `tlp` and `pap` unless a form nests them (`form[tlp]`).
#[component]
fn TlpPap(
    prefix: String,
    #[prop(default = Tlp::Amber)] tlp: Tlp,
    #[prop(default = Pap::Amber)] pap: Pap,
    #[prop(default = "tlp")] tlp_name: &'static str,
    #[prop(default = "pap")] pap_name: &'static str,
) -> impl IntoView {
    let lang = use_lang();
    let tlp_id = format!("{prefix}-tlp");
    let pap_id = format!("{prefix}-pap");
    view! {
        <label for=tlp_id.clone()>"TLP"</label>
        <TlpSelect id=tlp_id name=tlp_name chosen=tlp/>
        <label for=pap_id.clone()>"PAP"</label>
        <select id=pap_id name=pap_name title=t(lang, "ob.pap_help")>
            {Pap::ALL.iter().map(|p| view! { <option value=p.id() selected=*p == pap>{format!("PAP:{}", p.id().to_uppercase())}</option> }).collect_view()}
        </select>
    }
}

/// The TLP 2.0 levels, one chosen.
#[component]
pub(crate) fn TlpSelect(id: String, name: &'static str, chosen: Tlp) -> impl IntoView {
    view! {
        <select id=id name=name>
            {Tlp::ALL.iter().map(|l| view! { <option value=l.id() selected=*l == chosen>{l.label()}</option> }).collect_view()}
        </select>
    }
}

/// The STIX 2.1 bundle of what the reader sees, up to a chosen TLP: a plain
/// download.
#[component]
fn ExportForm(id: String) -> impl IntoView {
    let lang = use_lang();
    view! {
        <form method="get" action=format!("/api/incidents/{id}/stix") class="inline export-form" id="ob-export">
            <p class="small muted">{t(lang, "ob.export_selection")}</p>
            <label for="ob-export-tlp">{t(lang, "ob.export")}</label>
            <TlpSelect id="ob-export-tlp".to_string() name="tlp" chosen=Tlp::Amber/>
            <button type="submit">{t(lang, "ob.export_submit")}</button>
        </form>
    }
}

#[component]
fn AddForm(id: String) -> impl IntoView {
    let lang = use_lang();
    let acts = expect_context::<Acts>();
    let errors = errors_of(acts.add_observable.value());
    let message = answer(acts.add_observable.value());
    let error = move |f: &'static str| error_for(&errors.get(), f).map(|c| error_text(lang, c));
    view! {
        <h3>{t(lang, "ob.add")}</h3>
        <ActionForm action=acts.add_observable attr:class="stack observable-form">
            <input type="hidden" name="id" value=id/>
            <label for="ob-kind">{t(lang, "ob.kind")}</label>
            <select id="ob-kind" name="form[kind]">
                {ObservableType::ALL.iter().map(|k| view! { <option value=k.id()>{t(lang, &format!("obt.{}", k.id()))}</option> }).collect_view()}
            </select>
            <p class="error">{move || error("kind")}</p>
            <label for="ob-value">{t(lang, "ob.value")}</label>
            <input id="ob-value" type="text" name="form[value]" placeholder="evil[.]example.com" aria-describedby="ob-value-error"/>
            <p class="error" id="ob-value-error">{move || error("value")}</p>
            <TlpPap prefix="ob".to_string() tlp_name="form[tlp]" pap_name="form[pap]"/>
            <label class="check"><input type="checkbox" name="form[indicator]" value="true"/>{t(lang, "ob.indicator")}</label>
            <label class="check"><input type="checkbox" name="form[sighted]" value="true"/>{t(lang, "ob.sighted")}</label>
            <label for="ob-confidence">{t(lang, "ob.confidence")}</label>
            <input id="ob-confidence" type="number" min="0" max="100" name="form[confidence]"/>
            <p class="error">{move || error("confidence")}</p>
            <label for="ob-tags">{t(lang, "ob.tags")}</label>
            <input id="ob-tags" type="text" name="form[tags]"/>
            <p class="error">{move || error("tags")}</p>
            <label for="ob-source">{t(lang, "ob.source")}</label>
            <input id="ob-source" type="text" name="form[source]"/>
            <label for="ob-note">{t(lang, "ob.note")}</label>
            <input id="ob-note" type="text" name="form[note]"/>
            <button type="submit">{t(lang, "ob.add_submit")}</button>
            <p class="error" role="alert">{message}</p>
        </ActionForm>
    }
}

#[component]
fn PasteForm(id: String) -> impl IntoView {
    let lang = use_lang();
    let acts = expect_context::<Acts>();
    let preview = ServerAction::<PreviewObservables>::new();
    let errors = errors_of(acts.paste_observables.value());
    let block_errors = move || {
        errors
            .get()
            .into_iter()
            .filter(|e| e.field == "block")
            .map(|e| error_text(lang, &e.code))
            .collect::<Vec<_>>()
    };
    let message = answer(acts.paste_observables.value());
    let text = RwSignal::new(String::new());
    let id2 = id.clone();
    view! {
        <h3>{t(lang, "ob.paste")}</h3>
        <p class="muted small">{t(lang, "ob.paste_help")}</p>
        <ActionForm action=acts.paste_observables attr:class="stack paste-form">
            <input type="hidden" name="id" value=id/>
            <label for="ob-block">{t(lang, "ob.block")}</label>
            <textarea id="ob-block" name="form[block]" rows="8"
                on:input=move |ev| text.set(event_target_value(&ev))></textarea>
            <ul class="error" aria-live="polite">
                {move || block_errors().into_iter().map(|m| view! { <li>{m}</li> }).collect_view()}
            </ul>
            <TlpPap prefix="paste".to_string() tlp_name="form[tlp]" pap_name="form[pap]"/>
            <label class="check"><input type="checkbox" name="form[indicator]" value="true"/>{t(lang, "ob.indicator")}</label>
            <label class="check"><input type="checkbox" name="form[sighted]" value="true"/>{t(lang, "ob.sighted")}</label>
            <label for="paste-tags">{t(lang, "ob.tags")}</label>
            <input id="paste-tags" type="text" name="form[tags]"/>
            <label for="paste-source">{t(lang, "ob.source")}</label>
            <input id="paste-source" type="text" name="form[source]"/>
            <div class="buttons">
                <button type="button" on:click=move |_| {
                    preview.dispatch(PreviewObservables { id: id2.clone(), block: text.get_untracked() });
                }>{t(lang, "ob.preview")}</button>
                <button type="submit">{t(lang, "ob.paste_submit")}</button>
            </div>
            <p class="error" role="alert">{message}</p>
        </ActionForm>
        {move || preview.value().get().map(|r| match r {
            Ok(lines) => view! {
                <table class="preview">
                    <thead><tr><th>"#"</th><th>{t(lang, "ob.kind")}</th><th>{t(lang, "ob.value")}</th></tr></thead>
                    <tbody>
                        {lines.into_iter().map(|l| {
                            let kind = l.kind.map(|k| t(lang, &format!("obt.{}", k.id()))).unwrap_or("?");
                            match l.value {
                                Ok(v) => view! { <tr><td>{l.line}</td><td>{kind}</td><td><code>{v}</code></td></tr> }.into_any(),
                                Err(code) => view! {
                                    <tr class="bad"><td>{l.line}</td><td>{kind}</td><td><code>{l.raw}</code>" — "<span class="error">{error_text(lang, &code)}</span></td></tr>
                                }.into_any(),
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            }.into_any(),
            Err(_) => view! { <p class="error">{t(lang, "error.internal")}</p> }.into_any(),
        })}
    }
}
