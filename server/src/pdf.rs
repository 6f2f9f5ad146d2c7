//! PDF reports (issue 17): the Markdown a report template wrote, laid out
//! by typst used as a library. The Markdown is read with pulldown-cmark
//! and written out again as typst markup in which every piece of text is
//! inert: each ASCII punctuation character is escaped, and code and link
//! targets are string literals, so nothing a person typed can become a
//! typst instruction. typst has no file system here: the one source is the
//! markup, and the fonts are the ones typst ships (Latin, monospace) and
//! the installed ones (Japanese: Noto CJK from `fonts-noto-cjk`).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use pulldown_cmark::{Alignment, CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime};
use typst::layout::PagedDocument;
use typst::syntax::{FileId, Source, VirtualPath};
use typst::text::{Font, FontBook, FontInfo};
use typst::utils::LazyHash;
use typst::{Library, World};

use app::i18n::Lang;

/// Where installed fonts are looked for.
const FONT_DIRS: [&str; 2] = ["/usr/share/fonts", "/usr/local/share/fonts"];

/// A character every Japanese font has, to tell whether one is installed.
const JAPANESE_PROBE: char = '火';

/// A laid-out report.
pub struct Pdf {
    pub bytes: Vec<u8>,
    pub pages: usize,
}

/// Why a report could not be laid out.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("no installed font has Japanese characters (install fonts-noto-cjk)")]
    NoJapaneseFont,
    #[error("typst: {0}")]
    Layout(String),
}

/// The fonts and the standard library, loaded once per process: the font
/// files are read once to list what they hold, and a font's data is kept
/// from the first report that uses it.
struct Fonts {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    slots: Vec<Slot>,
    japanese: bool,
}

struct Slot {
    data: FontData,
    index: u32,
    font: OnceLock<Option<Font>>,
}

enum FontData {
    Shipped(&'static [u8]),
    File(PathBuf),
}

impl Slot {
    fn font(&self) -> Option<Font> {
        self.font
            .get_or_init(|| {
                let bytes = match &self.data {
                    FontData::Shipped(data) => Bytes::new(*data),
                    FontData::File(path) => Bytes::new(std::fs::read(path).ok()?),
                };
                Font::new(bytes, self.index)
            })
            .clone()
    }
}

fn font_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            font_files(&path, out);
        } else if path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
            matches!(
                e.to_ascii_lowercase().as_str(),
                "ttf" | "otf" | "ttc" | "otc"
            )
        }) {
            out.push(path);
        }
    }
}

impl Fonts {
    fn load() -> Fonts {
        let mut book = FontBook::new();
        let mut slots = Vec::new();
        let mut japanese = false;
        let mut add = |data: &[u8], source: &dyn Fn() -> FontData| {
            // A collection's faces by index, until one is missing.
            for index in 0.. {
                let Some(info) = FontInfo::new(data, index) else {
                    break;
                };
                japanese |= info.coverage.contains(JAPANESE_PROBE as u32);
                book.push(info);
                slots.push(Slot {
                    data: source(),
                    index,
                    font: OnceLock::new(),
                });
            }
        };
        for data in typst_assets::fonts() {
            add(data, &|| FontData::Shipped(data));
        }
        let mut files = Vec::new();
        for dir in FONT_DIRS {
            font_files(Path::new(dir), &mut files);
        }
        files.sort();
        for path in files {
            if let Ok(data) = std::fs::read(&path) {
                add(&data, &|| FontData::File(path.clone()));
            }
        }
        Fonts {
            library: LazyHash::new(Library::default()),
            book: LazyHash::new(book),
            slots,
            japanese,
        }
    }
}

fn fonts() -> &'static Fonts {
    static FONTS: OnceLock<Fonts> = OnceLock::new();
    FONTS.get_or_init(Fonts::load)
}

/// Loads the fonts now rather than at the first PDF (startup calls this
/// off the request path), and says whether Japanese can be laid out.
pub fn warm() -> bool {
    fonts().japanese
}

/// One document to lay out: the markup as the only source.
struct Document {
    fonts: &'static Fonts,
    main: Source,
    today: Option<Datetime>,
}

impl World for Document {
    fn library(&self) -> &LazyHash<Library> {
        &self.fonts.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.fonts.book
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else {
            Err(FileError::NotFound(id.vpath().as_rootless_path().into()))
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        Err(FileError::NotFound(id.vpath().as_rootless_path().into()))
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.fonts.slots.get(index)?.font()
    }

    fn today(&self, _offset: Option<i64>) -> Option<Datetime> {
        self.today
    }
}

/// Lays out a report's Markdown as a PDF, A4, in the report's language.
/// Blocking and CPU-bound (a 50-page report is a fraction of a second in a
/// release build): call it from `spawn_blocking`.
pub fn render(markdown: &str, lang: Lang, title: &str) -> Result<Pdf, PdfError> {
    let fonts = fonts();
    if lang == Lang::Ja && !fonts.japanese {
        return Err(PdfError::NoJapaneseFont);
    }
    let markup = format!("{}{}", preamble(lang, title), markup(markdown));
    let today = chrono::Utc::now().date_naive();
    let doc = Document {
        fonts,
        main: Source::new(FileId::new(None, VirtualPath::new("/report.typ")), markup),
        today: {
            use chrono::Datelike;
            Datetime::from_ymd(today.year(), today.month() as u8, today.day() as u8)
        },
    };
    let laid_out = typst::compile::<PagedDocument>(&doc).output;
    // typst memoises layout work; reports are rare and each is new, so
    // nothing is kept for the next one (and an idle server holds no
    // layout cache).
    typst::comemo::evict(0);
    let laid_out = laid_out.map_err(|e| layout_error(&e))?;
    let bytes = typst_pdf::pdf(&laid_out, &typst_pdf::PdfOptions::default())
        .map_err(|e| layout_error(&e))?;
    Ok(Pdf {
        bytes,
        pages: laid_out.pages.len(),
    })
}

/// typst's diagnostics as one message.
fn layout_error(errors: &[typst::diag::SourceDiagnostic]) -> PdfError {
    PdfError::Layout(
        errors
            .iter()
            .map(|e| e.message.to_string())
            .collect::<Vec<_>>()
            .join("; "),
    )
}

/// The page, fonts and table style of every report.
fn preamble(lang: Lang, title: &str) -> String {
    let (code, fonts) = match lang {
        // Latin letters in Libertinus; kana and kanji in Noto Serif CJK
        // (or Sans, or IPA, whichever is installed).
        Lang::En => (
            "en",
            r#"("Libertinus Serif", "Noto Serif CJK JP", "Noto Sans CJK JP", "IPAexMincho")"#,
        ),
        Lang::Ja => (
            "ja",
            r#"("Noto Serif CJK JP", "Noto Sans CJK JP", "IPAexMincho", "Libertinus Serif")"#,
        ),
    };
    format!(
        r##"#set document(title: {title})
#set page(paper: "a4", margin: (x: 2cm, y: 2.2cm), numbering: "1 / 1")
#set text(font: {fonts}, size: 10pt, lang: "{code}")
#set par(justify: false)
#show heading: set text(font: ("Noto Sans CJK JP", "Libertinus Serif"))
#show heading: set block(above: 1.3em, below: 0.7em)
#show raw: set text(font: "DejaVu Sans Mono", size: 0.85em)
#set table(stroke: 0.4pt + luma(160), inset: (x: 4pt, y: 3pt))
#show table: set text(size: 8pt)
"##,
        title = string(title),
    )
}

/// A typst string literal.
fn string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Text as inert typst markup: every ASCII punctuation character escaped
/// (markup's `*`, `_`, `#`, `$`, `@`, `<`, `=`, `-`, `/`, `` ` ``, `[`,
/// quotes…), line ends and tabs as spaces.
fn text(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_ascii_punctuation() => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
}

/// Markdown (CommonMark with tables and strikethrough) as typst markup.
/// Lists, quotes and tables are written as function calls whose items are
/// content blocks, so an item may hold paragraphs without indentation
/// rules; a table's header row repeats on each page; an empty header row
/// (a key–value table) is left out; an image is shown by its alt text (a
/// report has no files to load).
pub fn markup(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len() * 2);
    // Inside a code block, its text goes into one string literal.
    let mut in_code = false;
    // Inside a table's header row: where it starts, whether it has text.
    let mut head: Option<(usize, bool)> = None;
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    for event in Parser::new_ext(markdown, options) {
        if let (Some((_, filled)), Event::Text(_) | Event::Code(_)) = (head.as_mut(), &event) {
            *filled = true;
        }
        match event {
            Event::Start(tag) => match tag {
                Tag::Heading { level, .. } => {
                    let n = match level {
                        HeadingLevel::H1 => 1,
                        HeadingLevel::H2 => 2,
                        HeadingLevel::H3 => 3,
                        HeadingLevel::H4 => 4,
                        HeadingLevel::H5 => 5,
                        HeadingLevel::H6 => 6,
                    };
                    out.push('\n');
                    out.push_str(&"=".repeat(n));
                    out.push(' ');
                }
                Tag::BlockQuote(_) => out.push_str("#quote(block: true)["),
                Tag::CodeBlock(kind) => {
                    out.push_str("#raw(block: true, ");
                    if let CodeBlockKind::Fenced(lang) = kind
                        && !lang.is_empty()
                    {
                        out.push_str(&format!("lang: {}, ", string(&lang)));
                    }
                    out.push('"');
                    in_code = true;
                }
                Tag::List(None) => out.push_str("#list("),
                Tag::List(Some(start)) => out.push_str(&format!("#enum(start: {start}, ")),
                Tag::TableCell if head.is_some() => out.push_str("[#strong["),
                Tag::Item | Tag::TableCell => out.push('['),
                Tag::Table(alignments) => {
                    let align: Vec<&str> = alignments
                        .iter()
                        .map(|a| match a {
                            Alignment::Right => "right",
                            Alignment::Center => "center",
                            Alignment::Left | Alignment::None => "left",
                        })
                        .collect();
                    out.push_str(&format!(
                        "#table(columns: {}, align: ({},), ",
                        alignments.len(),
                        align.join(", ")
                    ));
                }
                Tag::TableHead => {
                    head = Some((out.len(), false));
                    out.push_str("table.header(");
                }
                Tag::Emphasis => out.push_str("#emph["),
                Tag::Strong => out.push_str("#strong["),
                Tag::Strikethrough => out.push_str("#strike["),
                Tag::Link { dest_url, .. } => {
                    out.push_str(&format!("#link({})[", string(&dest_url)));
                }
                _ => {}
            },
            Event::End(tag) => match tag {
                TagEnd::Paragraph | TagEnd::Heading(_) => out.push_str("\n\n"),
                TagEnd::BlockQuote(_) => out.push_str("]\n\n"),
                TagEnd::CodeBlock => {
                    in_code = false;
                    out.push_str("\")\n\n");
                }
                TagEnd::List(_) | TagEnd::Table => out.push_str(")\n\n"),
                TagEnd::TableCell if head.is_some() => out.push_str("]], "),
                TagEnd::Item | TagEnd::TableCell => out.push_str("], "),
                TagEnd::TableHead => match head.take() {
                    Some((at, false)) => out.truncate(at),
                    _ => out.push_str("), "),
                },
                TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough | TagEnd::Link => {
                    out.push(']');
                }
                _ => {}
            },
            Event::Text(t) if in_code => {
                let s = string(&t);
                out.push_str(&s[1..s.len() - 1]);
            }
            Event::Text(t) => text(&t, &mut out),
            Event::Code(c) => out.push_str(&format!("#raw({})", string(&c))),
            Event::Html(h) | Event::InlineHtml(h) => text(&h, &mut out),
            Event::InlineMath(m) | Event::DisplayMath(m) => text(&m, &mut out),
            Event::FootnoteReference(f) => text(&f, &mut out),
            Event::SoftBreak => out.push(' '),
            Event::HardBreak => out.push_str("#linebreak()"),
            Event::Rule => out.push_str("#line(length: 100%)\n\n"),
            Event::TaskListMarker(done) => out.push_str(if done { "☑ " } else { "☐ " }),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_text_stays_text() {
        let m = markup(
            "# T\n\n\\#import \"/etc/passwd\" \\*x\\* $y$ @ref <lbl> // c\n\n`a\"b\\c` [l](https://e.x/\"q)\n",
        );
        assert_eq!(
            m,
            "\n= T\n\n\\#import \\\"\\/etc\\/passwd\\\" \\*x\\* \\$y\\$ \\@ref \\<lbl\\> \\/\\/ c\n\n\
             #raw(\"a\\\"b\\\\c\") #link(\"https://e.x/\\\"q\")[l]\n\n"
        );
    }

    #[test]
    fn lists_tables_and_breaks() {
        let m = markup("- a\n- b  \n  c\n\n3. x\n\n| | |\n|---|--:|\n| k | v |\n");
        assert_eq!(
            m,
            "#list([a], [b#linebreak()c], )\n\n#enum(start: 3, [x], )\n\n\
             #table(columns: 2, align: (left, right,), [k], [v], )\n\n"
        );
        let m = markup("| h1 | h2 |\n|---|---|\n| 1 | 2 |\n");
        assert!(
            m.contains("table.header([#strong[h1]], [#strong[h2]], ), [1], [2], "),
            "{m}"
        );
        let m = markup("```sh\nrm -rf \"/\"\n```\n");
        assert_eq!(
            m,
            "#raw(block: true, lang: \"sh\", \"rm -rf \\\"/\\\"\\n\")\n\n"
        );
    }

    #[test]
    fn a_report_with_japanese_is_laid_out_and_hostile_text_is_printed() {
        assert!(
            warm(),
            "no Japanese font installed: make setup-test installs fonts-noto-cjk"
        );
        let pdf = render(
            "# インシデント報告書\n\n\\#set page(width: 1cm) `#panic()` 火消し\n",
            Lang::Ja,
            "\"#panic()",
        )
        .unwrap();
        assert!(pdf.bytes.starts_with(b"%PDF-"));
        assert_eq!(pdf.pages, 1);
        let pdf = render(&"A line of a long report.\n\n".repeat(400), Lang::En, "x").unwrap();
        assert!(pdf.pages > 3, "{} pages", pdf.pages);
    }
}
