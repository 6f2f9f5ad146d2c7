//! `/metrics`: the handling KPIs, derived from the timeline, with the
//! formula of each written beside it. Every chart is SVG drawn on the
//! server (readable without JavaScript) with its numbers in a table next
//! to it, and every table downloads as CSV with the same filters.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

use crate::api::metrics::metrics;
use crate::domain::FormResult;
use crate::domain::metrics::{
    Dimension, Every, Mean, MetricsForm, MetricsView, SEED_OUTSIDE_SHARE, Table, human_duration,
};
use crate::i18n::{Lang, t};
use crate::ui::fields::{Choice, Field, Input};
use crate::ui::incidents::{kind_options, severity_options};
use crate::ui::{ErrorView, use_lang, use_model};

const FILTERS: [&str; 5] = ["from", "to", "kind", "severity", "every"];

#[component]
pub fn MetricsPage() -> impl IntoView {
    let lang = use_lang();
    let query = use_query_map();
    let form = move || {
        query.with(|q| {
            let get = |k: &str| q.get(k).unwrap_or_default();
            MetricsForm {
                from: get("from"),
                to: get("to"),
                kind: get("kind"),
                severity: get("severity"),
                every: get("every"),
            }
        })
    };
    let page = Resource::new(form, metrics);
    let errors = Signal::derive(move || match page.get() {
        Some(Ok(FormResult::Invalid(e))) => e,
        _ => Vec::new(),
    });
    // The same filters for each table's CSV.
    let csv_query = move || {
        query.with(|q| {
            FILTERS
                .iter()
                .filter_map(|k| q.get(k).map(|v| format!("{k}={}", urlencode(&v))))
                .collect::<Vec<_>>()
                .join("&")
        })
    };
    let typed = move |k: &str| query.with(|q| q.get(k)).unwrap_or_default();
    let every_options = vec![
        (Every::Month.id(), t(lang, "mt.every.month").to_string()),
        (Every::Week.id(), t(lang, "mt.every.week").to_string()),
    ];
    view! {
        <Title text=t(lang, "mt.title")/>
        <section class="panel metrics">
            <h1>{t(lang, "mt.title")}</h1>
            <p class="muted">{t(lang, "mt.intro")}</p>
            // Drawn with the figures: the field errors come with them, and
            // the values shown are those of the query just answered.
            <Suspense>
                {move || page.get().map(|_| {
                    let every_options = every_options.clone();
                    view! {
                    <Form method="GET" action="" attr:class="filters" attr:aria-label=t(lang, "mt.filter")>
                        <Field name="from" field="from" label="mt.from" errors=errors input=Input::Date value=typed("from")/>
                        <Field name="to" field="to" label="mt.to" errors=errors input=Input::Date value=typed("to")/>
                        <Choice name="kind" field="kind" label="col.kind" errors=errors
                            options=kind_options(lang) selected=typed("kind") empty="list.all"/>
                        <Choice name="severity" field="severity" label="col.severity" errors=errors
                            options=severity_options(lang) selected=typed("severity") empty="list.all"/>
                        <Choice name="every" field="every" label="mt.every" errors=errors
                            options=every_options selected=typed("every") empty="mt.every.default"/>
                        <button type="submit">{t(lang, "list.filter")}</button>
                    </Form>
                    }
                })}
            </Suspense>
            <Suspense fallback=|| view! { <p class="muted">"…"</p> }>
                {move || page.get().map(|r| match r {
                    Ok(FormResult::Done(v)) => view! { <Figures v=v csv=csv_query()/> }.into_any(),
                    Ok(FormResult::Invalid(_)) => view! {
                        <p class="error" role="alert">{t(lang, "mt.fix_filters")}</p>
                    }.into_any(),
                    Err(e) => view! { <ErrorView error=e/> }.into_any(),
                })}
            </Suspense>
        </section>
    }
}

/// Percent-encodes a filter value for the CSV links.
fn urlencode(v: &str) -> String {
    v.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn mean_text(m: &Mean) -> String {
    m.seconds.map(human_duration).unwrap_or_else(|| "—".into())
}

#[component]
fn Figures(v: MetricsView, csv: String) -> impl IntoView {
    let lang = use_lang();
    let model = use_model();
    let link = move |table: Table| {
        let q = if csv.is_empty() {
            String::new()
        } else {
            format!("?{csv}")
        };
        view! {
            <a class="csv" href=format!("/api/metrics/{}.csv{q}", table.id()) download="">
                {t(lang, "mt.csv")}
            </a>
        }
    };
    let share = v.outside_share;
    let kpi_bars: Vec<Bar> = v
        .kpis
        .iter()
        .map(|(k, m)| Bar::hours(t(lang, &format!("mt.kpi.{}", k.id())), m))
        .collect();
    let phase_bars: Vec<Bar> = v
        .phases
        .iter()
        .map(|(p, m)| Bar::hours(format!("{} {}", p.id(), model().phase_name(lang, *p)), m))
        .collect();
    let trend_bars: Vec<Bar> = v
        .trend
        .iter()
        .map(|p| Bar {
            label: p.label.clone(),
            value: p.reported as f64,
            text: p.reported.to_string(),
        })
        .collect();
    view! {
        <section class="summary" data-testid="mt-summary">
            <p>
                <strong data-testid="mt-incidents">{v.incidents}</strong>" "{t(lang, "mt.incidents")}
                " · "{v.open}" "{t(lang, "mt.open")}
                " · "{v.reopened}" "{t(lang, "mt.reopened")}
            </p>
            {share.map(|s| view! {
                <p data-testid="mt-outside">
                    {t(lang, "mt.outside")
                        .replace("{ours}", &format!("{:.0}%", s * 100.0))
                        .replace("{seed}", &format!("{:.0}%", SEED_OUTSIDE_SHARE * 100.0))}
                </p>
            })}
        </section>

        <section class="metric" data-table="kpis">
            <h2>{t(lang, "mt.kpis")}" "{link(Table::Kpis)}</h2>
            <div class="chart-pair">
                <Chart id="chart-kpis" title=t(lang, "mt.kpis").to_string() bars=kpi_bars unit=t(lang, "mt.unit.hours").to_string()/>
                <table class="numbers">
                    <thead><tr>
                        <th scope="col">{t(lang, "mt.measure")}</th>
                        <th scope="col">{t(lang, "mt.formula")}</th>
                        <th scope="col">{t(lang, "mt.n")}</th>
                        <th scope="col">{t(lang, "mt.mean")}</th>
                    </tr></thead>
                    <tbody>
                        {v.kpis.iter().map(|(k, m)| view! {
                            <tr data-kpi=k.id()>
                                <th scope="row">{t(lang, &format!("mt.kpi.{}", k.id()))}</th>
                                <td class="small">{t(lang, &format!("mt.formula.{}", k.id()))}</td>
                                <td class="num">{m.n}</td>
                                <td class="num" data-seconds=m.seconds.map(|s| format!("{s:.0}"))>{mean_text(m)}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>

        <section class="metric" data-table="phases">
            <h2>{t(lang, "mt.phases")}" "{link(Table::Phases)}</h2>
            <p class="muted small">{t(lang, "mt.phases_how")}</p>
            <div class="chart-pair">
                <Chart id="chart-phases" title=t(lang, "mt.phases").to_string() bars=phase_bars unit=t(lang, "mt.unit.hours").to_string()/>
                <table class="numbers">
                    <thead><tr>
                        <th scope="col">{t(lang, "col.phase")}</th>
                        <th scope="col">{t(lang, "mt.n")}</th>
                        <th scope="col">{t(lang, "mt.mean")}</th>
                    </tr></thead>
                    <tbody>
                        {v.phases.iter().map(|(p, m)| view! {
                            <tr data-phase=p.id()>
                                <th scope="row">{p.id()}" "{model().phase_name(lang, *p)}</th>
                                <td class="num">{m.n}</td>
                                <td class="num" data-seconds=m.seconds.map(|s| format!("{s:.0}"))>{mean_text(m)}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>

        <section class="metric" data-table="breaches">
            <h2>{t(lang, "mt.breaches")}" "{link(Table::Breaches)}</h2>
            <p class="muted small">{t(lang, "mt.breaches_how")}</p>
            <table class="numbers">
                <thead><tr>
                    <th scope="col">{t(lang, "col.severity")}</th>
                    <th scope="col">{t(lang, "mt.incidents")}</th>
                    <th scope="col">{t(lang, "mt.breach.triage")}</th>
                    <th scope="col">{t(lang, "mt.breach.response")}</th>
                </tr></thead>
                <tbody>
                    {v.breaches.iter().map(|b| view! {
                        <tr data-severity=b.severity.clone()>
                            <th scope="row">{value_name(lang, Dimension::Severity, &b.severity)}</th>
                            <td class="num">{b.incidents}</td>
                            <td class="num">{b.triage}</td>
                            <td class="num">{b.response}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </section>

        <section class="metric" data-table="counts">
            <h2>{t(lang, "mt.counts")}" "{link(Table::Counts)}</h2>
            <div class="breakdowns">
                {v.breakdowns.into_iter().map(|b| {
                    let title = t(lang, &format!("mt.dim.{}", b.by.id())).to_string();
                    let bars: Vec<Bar> = b.counts.iter().map(|c| Bar {
                        label: value_name(lang, b.by, &c.id),
                        value: c.incidents as f64,
                        text: c.incidents.to_string(),
                    }).collect();
                    view! {
                        <div class="breakdown" data-by=b.by.id()>
                            <h3>{title.clone()}</h3>
                            <Chart id=format!("chart-{}", b.by.id()) title=title bars=bars unit=t(lang, "mt.incidents").to_string()/>
                            <table class="numbers">
                                <tbody>
                                    {b.counts.into_iter().map(|c| view! {
                                        <tr data-value=c.id.clone()>
                                            <th scope="row">{value_name(lang, b.by, &c.id)}</th>
                                            <td class="num">{c.incidents}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }
                }).collect_view()}
            </div>
        </section>

        <section class="metric" data-table="trend">
            <h2>{t(lang, "mt.trend")}" "{link(Table::Trend)}</h2>
            <div class="chart-pair">
                <Chart id="chart-trend" title=t(lang, "mt.trend").to_string() bars=trend_bars unit=t(lang, "mt.incidents").to_string()/>
                <table class="numbers">
                    <thead><tr>
                        <th scope="col">{t(lang, "mt.period")}</th>
                        <th scope="col">{t(lang, "mt.reported")}</th>
                        <th scope="col">{t(lang, "mt.closed")}</th>
                        <th scope="col">{t(lang, "mt.kpi.to_decision")}</th>
                    </tr></thead>
                    <tbody>
                        {v.trend.iter().map(|p| view! {
                            <tr data-period=p.label.clone()>
                                <th scope="row">{p.label.clone()}</th>
                                <td class="num">{p.reported}</td>
                                <td class="num">{p.closed}</td>
                                <td class="num">{mean_text(&p.to_decision)}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>

        <section class="metric" data-table="waits">
            <h2>{t(lang, "mt.waits")}" "{link(Table::Waits)}</h2>
            <table class="numbers">
                <tbody>
                    <tr data-wait="proposal_to_decision">
                        <th scope="row">{t(lang, "mt.wait.proposal")}</th>
                        <td class="num">{v.waits.proposal_decision.n}</td>
                        <td class="num">{mean_text(&v.waits.proposal_decision)}</td>
                    </tr>
                    <tr data-wait="proposals_pending">
                        <th scope="row">{t(lang, "mt.wait.pending")}</th>
                        <td class="num">{v.waits.proposals_pending}</td>
                        <td class="num">{v.waits.oldest_pending_seconds.map(|s| human_duration(s as f64)).unwrap_or_else(|| "—".into())}</td>
                    </tr>
                    <tr data-wait="engagement_to_report">
                        <th scope="row">{t(lang, "mt.wait.vendor")}</th>
                        <td class="num">{v.waits.engagement_report.n}</td>
                        <td class="num">{mean_text(&v.waits.engagement_report)}</td>
                    </tr>
                    <tr data-wait="engagements_open">
                        <th scope="row">{t(lang, "mt.wait.open")}</th>
                        <td class="num">{v.waits.engagements_open}</td>
                        <td class="num"></td>
                    </tr>
                </tbody>
            </table>
        </section>
    }
}

/// The name of a value of a dimension in the reader's language.
fn value_name(lang: Lang, by: Dimension, id: &str) -> String {
    if id.is_empty() {
        return t(lang, "mt.none").to_string();
    }
    use crate::domain::classification::{AttackRoute, Severity};
    use crate::domain::incident::{Discovery, IncidentKind};
    let name = match by {
        Dimension::Phase if id == "closed" => Some(t(lang, "mt.closed").to_string()),
        Dimension::Phase => Some(id.to_string()),
        Dimension::Kind => {
            IncidentKind::from_id(id).map(|k| crate::i18n::kind_label(lang, k).to_string())
        }
        Dimension::Severity => {
            Severity::from_id(id).map(|s| crate::ui::incidents::severity_name(lang, s).to_string())
        }
        Dimension::Discovery => {
            Discovery::from_id(id).map(|d| crate::i18n::discovery_label(lang, d).to_string())
        }
        Dimension::Route => {
            AttackRoute::from_id(id).map(|r| t(lang, &format!("route.{}", r.id())).to_string())
        }
    };
    name.unwrap_or_else(|| id.to_string())
}

/// One bar: its label, its length and the number written at its end.
#[derive(Clone, Debug, PartialEq)]
struct Bar {
    label: String,
    value: f64,
    text: String,
}

impl Bar {
    /// A mean duration, drawn in hours.
    fn hours(label: impl Into<String>, m: &Mean) -> Bar {
        Bar {
            label: label.into(),
            value: m.seconds.unwrap_or(0.0) / 3600.0,
            text: mean_text(m),
        }
    }
}

const WIDTH: f64 = 600.0;
const LABEL: f64 = 260.0;
const ROW: f64 = 24.0;

/// A horizontal bar chart as plain SVG: one row per bar, the longest bar
/// filling the width, the number at the end of each. `role="img"` with a
/// title; the table beside it carries the same numbers for screen readers.
/// Written as a string of well-formed XML (the view's own markup would
/// carry hydration markers inside `<svg>`), every text escaped here.
#[component]
fn Chart(#[prop(into)] id: String, title: String, bars: Vec<Bar>, unit: String) -> impl IntoView {
    view! { <div class="chart-box" inner_html=svg(&id, &title, &bars, &unit)></div> }
}

fn svg(id: &str, title: &str, bars: &[Bar], unit: &str) -> String {
    use std::fmt::Write as _;
    let max = bars.iter().map(|b| b.value).fold(0.0_f64, f64::max);
    let span = WIDTH - LABEL - 90.0;
    let height = (bars.len() as f64 * ROW + 8.0).max(ROW);
    let (id, title, unit) = (xml(id), xml(title), xml(unit));
    let mut out = format!(
        "<svg class=\"chart\" id=\"{id}\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" \
         aria-labelledby=\"{id}-title\" width=\"{WIDTH}\" height=\"{height}\" \
         viewBox=\"0 0 {WIDTH} {height}\" data-unit=\"{unit}\"><title id=\"{id}-title\">{title}</title>"
    );
    for (i, b) in bars.iter().enumerate() {
        let y = 4.0 + i as f64 * ROW;
        let w = if max > 0.0 && b.value > 0.0 {
            (b.value / max * span).max(1.0)
        } else {
            0.0
        };
        let _ = write!(
            out,
            "<g class=\"bar\" data-value=\"{:.3}\"><text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>\
             <rect x=\"{LABEL}\" y=\"{}\" width=\"{w:.1}\" height=\"{}\"/>\
             <text x=\"{:.1}\" y=\"{}\" class=\"value\">{}</text></g>",
            b.value,
            LABEL - 6.0,
            y + 16.0,
            xml(&b.label),
            y + 3.0,
            ROW - 8.0,
            LABEL + w + 6.0,
            y + 16.0,
            xml(&b.text),
        );
    }
    out.push_str("</svg>");
    out
}

/// Text and attribute values escaped for XML.
fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::Bar;

    #[test]
    fn a_chart_escapes_its_labels_and_scales_to_the_longest_bar() {
        let bars = [
            Bar {
                label: "<b>\"x\" & y</b>".into(),
                value: 2.0,
                text: "2".into(),
            },
            Bar {
                label: "zero".into(),
                value: 0.0,
                text: "0".into(),
            },
        ];
        let s = super::svg("c\"1", "T & T", &bars, "h");
        assert!(
            s.contains("&lt;b&gt;&quot;x&quot; &amp; y&lt;/b&gt;"),
            "{s}"
        );
        assert!(s.contains("id=\"c&quot;1\""));
        assert!(s.contains("<title id=\"c&quot;1-title\">T &amp; T</title>"));
        assert!(
            s.contains("width=\"250.0\""),
            "the longest fills the span: {s}"
        );
        assert!(s.contains("width=\"0.0\""));
        assert!(!s.contains("<b>"));
    }

    #[test]
    fn csv_links_encode_what_was_typed() {
        assert_eq!(super::urlencode("2026-11-01"), "2026-11-01");
        assert_eq!(super::urlencode("a&b=<c>"), "a%26b%3D%3Cc%3E");
    }
}
