//! Budget (issue 17): a 50-page PDF report under 2 s. The built-in
//! internal report, in Japanese and in English, rendered from a made-up
//! incident large enough for 50 pages or more (`reports::sample_data`:
//! a long timeline, many measures, evidence items and findings) through the
//! same steps as a real report: the template, the Markdown-to-typst
//! conversion, the layout and the PDF. Each run starts with typst's
//! layout cache empty, as every real report does (`pdf::render` empties
//! it after each). The first run also loads the font data it uses (a
//! server lists the fonts at start and loads a face at its first use);
//! then median and worst of ten.
//! Run with `cargo bench -p server --bench reports`.

use std::time::{Duration, Instant};

use app::domain::report::ReportTemplate;
use app::i18n::Lang;
use server::reports::{Templates, sample_data};

const RUNS: usize = 10;

fn main() {
    let templates = Templates::load(None).expect("the built-in templates");
    let started = Instant::now();
    let japanese = server::pdf::warm();
    println!(
        "fonts listed in {:.0} ms (Japanese: {japanese})",
        ms(started.elapsed())
    );
    for lang in [Lang::Ja, Lang::En] {
        if lang == Lang::Ja && !japanese {
            println!("ja: skipped, no Japanese font installed");
            continue;
        }
        let markdown = templates
            .render(ReportTemplate::Internal, lang, &sample_data(220), "")
            .expect("the report renders");
        let mut times = Vec::new();
        let mut pages = 0;
        for _ in 0..=RUNS {
            let started = Instant::now();
            let pdf = server::pdf::render(&markdown, lang, "INC-2026-0001").expect("laid out");
            times.push(started.elapsed());
            pages = pdf.pages;
        }
        let first = times.remove(0);
        times.sort();
        println!(
            "{}: {pages} pages, {} KB of Markdown: first {:.0} ms, median {:.0} ms, worst {:.0} ms (budget 2000 ms for 50 pages)",
            lang.code(),
            markdown.len() / 1024,
            ms(first),
            ms(times[times.len() / 2]),
            ms(*times.last().unwrap()),
        );
        assert!(pages >= 50, "the bench report must have 50 pages or more");
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
