//! Log parsers for triage: turn an uploaded log file into [`Record`]s.
//!
//! The formats are the ones JPCERT/CC's 「高度サイバー攻撃への対処における
//! ログの活用と分析方法」 (seed 001) uses to hunt targeted attacks, plus the
//! Windows exports a CSIRT is usually handed:
//!
//! | [`Format`] | module | where seed 001 shows it (line of its text) |
//! | --- | --- | --- |
//! | `Postfix` | `postfix.rs`, `mime.rs` | ~597–606: header_checks / mime_header_checks WARN lines; ~620–634: their configuration |
//! | `Netscreen` | `netscreen.rs` | ~688–701: Juniper SSG traffic log behind an rsyslog stamp |
//! | `SquidNative`, `SquidCombined` | `squid.rs` | ~745–750, ~814–822: access.log; ~810 and ~833: `logformat combined` |
//! | `Bind` | `bind.rs` | ~870: BIND 9 query log; ~880–890: its `logging` block |
//! | `WindowsCsv`, `WindowsXml` | `windows.rs` | ~900–990: the AD Security events to look for (no raw lines) |
//! | `WindowsEvtx` | `evtx.rs` | the same events in the binary log file itself |
//!
//! [`parse`] streams: it reads 256 KiB at a time, decompresses gzip
//! transparently, hands each record to a callback with its line number
//! and byte offset ([`At`]), and never holds more than one line (at most
//! 1 MiB) plus a buffer in memory, so a multi-gigabyte upload is fine.
//! Lines that cannot be parsed are counted and sampled, never fatal.
//! [`parse_borrowed`] does the same but lends each record, which spares
//! the line formats an allocation per field and line.
//!
//! Counting: `lines` counts physical lines (blank and too-long ones too).
//! For the single-line formats every non-blank line is one of `parsed`
//! (a record was delivered), `ignored` (a well-formed line with nothing
//! the detectors read, such as Postfix's `connect from` or another
//! program's line in a syslog file) or `unparsed`. For the Windows
//! formats the three count events (logical records, which may span
//! lines) rather than lines.
//!
//! The binary `.evtx` log is no text: recognised by its magic (or given as
//! the format), it is read by chunks instead of lines, see `evtx.rs`.

mod bind;
mod evtx;
mod mime;
mod netscreen;
mod postfix;
mod reader;
mod squid;
mod syslog;
mod util;
mod windows;

use std::fmt;
use std::io::{self, Read};

use serde::{Deserialize, Serialize};

pub use crate::triage::record::{At, Format, Record};
use reader::{Event, LineReader};

/// How many non-blank lines detection looks at.
const DETECT_LINES: usize = 50;
/// …and at most this many bytes of them.
const DETECT_BYTES: usize = 4 << 20;
/// Unparsed lines kept as samples.
const MAX_SAMPLES: usize = 5;
/// Characters kept of a sample.
const SAMPLE_CHARS: usize = 200;

/// How to read a log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    /// The format, or `None` to detect it from the first lines.
    pub format: Option<Format>,
    /// The year of the first line, for syslog stamps that have none
    /// (`Feb 16 11:43:32`). A later line whose month is more than half a
    /// year before the previous line's moves to the next year.
    pub year: i32,
    /// The zone the log's local times are in, in minutes east of UTC
    /// (540 for JST). Times that carry their own offset (RFC 3339 syslog
    /// stamps, Squid's `[%tl]`, Windows XML) and Squid's epoch times are
    /// not affected. All times come out in UTC.
    pub utc_offset_minutes: i32,
}

impl Default for Options {
    /// Detect the format; this year; UTC.
    fn default() -> Self {
        use chrono::Datelike as _;
        Self {
            format: None,
            year: chrono::Utc::now().year(),
            utc_offset_minutes: 0,
        }
    }
}

/// What [`parse`] found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub format: Format,
    /// Bytes read, after decompression.
    pub bytes: u64,
    /// Physical lines read.
    pub lines: u64,
    /// Records delivered to the callback.
    pub parsed: u64,
    /// Lines (events for the Windows formats) that could not be parsed.
    pub unparsed: u64,
    /// Well-formed lines that carry nothing the detectors read.
    pub ignored: u64,
    /// Lines longer than 1 MiB, skipped.
    pub too_long: u64,
    /// The first five unparsed lines, at most 200 characters each.
    pub samples: Vec<Sample>,
    /// The input was gzip-compressed.
    pub gzip: bool,
}

/// An unparsed line, for showing the user what went wrong.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sample {
    pub at: At,
    /// The line's start, lossy UTF-8, at most 200 characters.
    pub text: String,
}

/// Why [`parse`] gave up.
#[derive(Debug)]
pub enum ParseError {
    /// Reading or decompressing failed (a truncated or corrupt gzip file
    /// is `UnexpectedEof` or `InvalidInput`/`InvalidData`). The records
    /// before the failure have been delivered; the inner error is a
    /// [`ReadFailure`] (reach it with `get_ref()`/`downcast`) saying how far
    /// the read got.
    Io(io::Error),
    /// The format was not given and the first lines match none; the first
    /// five non-blank lines are included.
    UnknownFormat { samples: Vec<Sample> },
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Io(e) => write!(f, "reading the log failed: {e}"),
            Self::UnknownFormat { .. } => f.write_str("the log's format was not recognised"),
        }
    }
}

impl std::error::Error for ParseError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Io(e) => Some(e),
            Self::UnknownFormat { .. } => None,
        }
    }
}

/// The inner error of [`ParseError::Io`]: the underlying error and how
/// far the read had got.
#[derive(Debug)]
pub struct ReadFailure {
    /// Decompressed bytes read before the failure.
    pub bytes: u64,
    /// Complete lines read before the failure.
    pub lines: u64,
    /// Records delivered before the failure.
    pub parsed: u64,
    pub gzip: bool,
    pub source: io::Error,
}

impl fmt::Display for ReadFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = if self.gzip {
            "truncated or corrupt gzip data"
        } else {
            "read error"
        };
        write!(
            f,
            "{what}: {} (after {} lines, {} bytes{}; {} records were read)",
            self.source,
            self.lines,
            self.bytes,
            if self.gzip { " decompressed" } else { "" },
            self.parsed
        )
    }
}

impl std::error::Error for ReadFailure {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

/// What a line parser made of one line.
pub(crate) enum Outcome<'a> {
    /// A record, lent from the parser's own reusable one: the parsers fill
    /// it in place, so that a line costs no allocation once its strings
    /// have grown to size.
    Record(&'a Record),
    /// Well-formed for this format but nothing to deliver.
    Ignored,
    /// Well-formed syslog, but another program's (counts as ignored, but
    /// is no evidence for the format when detecting).
    Other,
    Unparsed,
}

/// Where records go: [`parse`] hands them over, [`parse_borrowed`] lends
/// them. Parsers that build a fresh record give it ([`Sink::owned`]), the
/// line parsers lend their reusable one ([`Sink::lent`]); each caller's
/// sink makes of either what its callback takes, so a record is cloned
/// only when a borrowed one must be handed over.
trait Sink {
    fn owned(&mut self, at: At, record: Record);
    fn lent(&mut self, at: At, record: &Record);
}

/// The sink of [`parse`].
struct Owning<F>(F);

impl<F: FnMut(At, Record)> Sink for Owning<F> {
    #[inline]
    fn owned(&mut self, at: At, record: Record) {
        (self.0)(at, record);
    }

    #[inline]
    fn lent(&mut self, at: At, record: &Record) {
        (self.0)(at, record.clone());
    }
}

/// The sink of [`parse_borrowed`].
struct Lending<F>(F);

impl<F: FnMut(At, &Record)> Sink for Lending<F> {
    #[inline]
    fn owned(&mut self, at: At, record: Record) {
        (self.0)(at, &record);
    }

    #[inline]
    fn lent(&mut self, at: At, record: &Record) {
        (self.0)(at, record);
    }
}

/// Format detection only counts.
struct Discard;

impl Sink for Discard {
    fn owned(&mut self, _: At, _: Record) {}
    fn lent(&mut self, _: At, _: &Record) {}
}

/// Where parsers put their results: the sink, counters and samples.
pub(crate) struct Out<'a> {
    sink: &'a mut dyn Sink,
    parsed: u64,
    unparsed: u64,
    ignored: u64,
    /// Ignored lines that are positive evidence of the format.
    recognised: u64,
    samples: Vec<Sample>,
}

impl<'a> Out<'a> {
    fn new(sink: &'a mut dyn Sink) -> Self {
        Self {
            sink,
            parsed: 0,
            unparsed: 0,
            ignored: 0,
            recognised: 0,
            samples: Vec::new(),
        }
    }

    #[inline]
    pub(crate) fn record(&mut self, at: At, record: Record) {
        self.parsed += 1;
        self.sink.owned(at, record);
    }

    pub(crate) fn unparsed(&mut self, at: At, text: &[u8]) {
        self.unparsed += 1;
        if self.samples.len() < MAX_SAMPLES {
            self.samples.push(Sample {
                at,
                text: util::truncate_chars(text, SAMPLE_CHARS),
            });
        }
    }

    #[inline]
    pub(crate) fn ignored(&mut self) {
        self.ignored += 1;
        self.recognised += 1;
    }

    /// A sign of the format that is no line of its own (the start of a
    /// multi-line event): counts for detection only.
    #[inline]
    pub(crate) fn evidence(&mut self) {
        self.recognised += 1;
    }

    #[inline]
    fn other(&mut self) {
        self.ignored += 1;
    }

    #[inline]
    pub(crate) fn outcome(&mut self, at: At, line: &[u8], outcome: Outcome<'_>) {
        match outcome {
            Outcome::Record(r) => {
                self.parsed += 1;
                self.sink.lent(at, r);
            }
            Outcome::Ignored => self.ignored(),
            Outcome::Other => self.other(),
            Outcome::Unparsed => self.unparsed(at, line),
        }
    }
}

/// A format's reader: sees every physical line in order.
pub(crate) trait Lines {
    fn line(&mut self, at: At, line: &[u8], out: &mut Out<'_>);
    /// A physical line was too long and skipped.
    fn too_long(&mut self, _at: At, _out: &mut Out<'_>) {}
    /// End of input.
    fn finish(&mut self, _out: &mut Out<'_>) {}
}

/// A format whose records are single lines.
pub(crate) trait LineParser {
    fn parse_line(&mut self, line: &[u8]) -> Outcome<'_>;
}

/// Adapts a [`LineParser`]: blank lines are skipped.
struct Single<P>(P);

impl<P: LineParser> Lines for Single<P> {
    #[inline]
    fn line(&mut self, at: At, line: &[u8], out: &mut Out<'_>) {
        if line.iter().all(u8::is_ascii_whitespace) {
            return;
        }
        let outcome = self.0.parse_line(line);
        out.outcome(at, line, outcome);
    }
}

fn reader_for(format: Format, opts: &Options) -> Box<dyn Lines> {
    match format {
        Format::Postfix => Box::new(Single(postfix::Parser::new(opts))),
        Format::Netscreen => Box::new(Single(netscreen::Parser::new(opts))),
        Format::SquidNative => Box::new(Single(squid::Native::new())),
        Format::SquidCombined => Box::new(Single(squid::Combined::new())),
        Format::Bind => Box::new(Single(bind::Parser::new(opts))),
        Format::WindowsCsv => Box::new(windows::Csv::new(opts)),
        Format::WindowsXml => Box::new(windows::Xml::new()),
        Format::WindowsEvtx => unreachable!("parse() reads .evtx before any line reader"),
    }
}

/// Every format read by lines, in the order detection prefers on a tie.
const ALL: [Format; 7] = [
    Format::Postfix,
    Format::Netscreen,
    Format::SquidNative,
    Format::SquidCombined,
    Format::Bind,
    Format::WindowsCsv,
    Format::WindowsXml,
];

/// Guesses the format from the first lines of a log (those after the
/// first 50 non-blank ones are not looked at): the format that parses or
/// recognises the most of them. `None` if none recognises any.
pub fn detect(lines: &[&[u8]]) -> Option<Format> {
    let opts = Options {
        format: None,
        year: 2000, // a leap year, so `Feb 29` parses
        utc_offset_minutes: 0,
    };
    let mut n = 0;
    let end = lines
        .iter()
        .position(|l| {
            if !l.trim_ascii().is_empty() {
                n += 1;
            }
            n > DETECT_LINES
        })
        .unwrap_or(lines.len());
    let lines = &lines[..end];
    let mut best: Option<(Format, u64)> = None;
    for format in ALL {
        let mut discard = Discard;
        let mut out = Out::new(&mut discard);
        let mut reader = reader_for(format, &opts);
        for (i, line) in lines.iter().enumerate() {
            let line = if i == 0 {
                line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line)
            } else {
                line
            };
            let at = At {
                line: i as u64 + 1,
                offset: 0,
            };
            reader.line(at, line, &mut out);
        }
        reader.finish(&mut out);
        let score = out.parsed + out.recognised;
        if score > 0 && best.is_none_or(|(_, s)| score > s) {
            best = Some((format, score));
        }
    }
    best.map(|(f, _)| f)
}

/// A line read ahead for detection.
enum Ahead {
    Line(At, Vec<u8>),
    TooLong(At),
}

/// Parses a log, calling `on_record` for each record in file order.
///
/// `input` may be plain or gzip-compressed; see the module docs for how
/// lines are read and counted. With `opts.format` unset the format is
/// detected from the first 50 non-blank lines, unless the input is an
/// `.evtx` log.
pub fn parse<R: Read>(
    input: R,
    opts: &Options,
    on_record: impl FnMut(At, Record),
) -> Result<Summary, ParseError> {
    run(input, opts, &mut Owning(on_record))
}

/// [`parse`], lending each record to `on_record` instead of giving it:
/// the line formats then reuse one record's strings from line to line and
/// allocate nothing per line, which is what keeps [`crate::triage::analyse`]
/// within its throughput budget. Use it whenever the callback only reads
/// the record.
pub fn parse_borrowed<R: Read>(
    input: R,
    opts: &Options,
    on_record: impl FnMut(At, &Record),
) -> Result<Summary, ParseError> {
    run(input, opts, &mut Lending(on_record))
}

fn run<R: Read>(input: R, opts: &Options, sink: &mut dyn Sink) -> Result<Summary, ParseError> {
    let io_err = |source: io::Error, bytes, lines, parsed, gzip| {
        ParseError::Io(io::Error::new(
            source.kind(),
            ReadFailure {
                bytes,
                lines,
                parsed,
                gzip,
                source,
            },
        ))
    };
    let (src, gzip) = reader::open(input).map_err(|e| io_err(e, 0, 0, 0, false))?;
    let (src, is_evtx) = evtx::sniff(src).map_err(|e| io_err(e, 0, 0, 0, gzip))?;
    if opts.format.map_or(is_evtx, |f| f == Format::WindowsEvtx) {
        return evtx::parse(src, gzip, sink);
    }
    let mut rd = LineReader::new(src);

    let mut ahead = Vec::new();
    let format = match opts.format {
        Some(f) => f,
        None => {
            let (mut non_blank, mut bytes) = (0, 0);
            while non_blank < DETECT_LINES && bytes < DETECT_BYTES {
                let next = match rd.next_line() {
                    Ok(n) => n,
                    Err(e) => return Err(io_err(e, rd.bytes(), rd.lines(), 0, gzip)),
                };
                match next {
                    None => break,
                    Some((at, Event::Line(l))) => {
                        if !l.trim_ascii().is_empty() {
                            non_blank += 1;
                        }
                        bytes += l.len();
                        ahead.push(Ahead::Line(at, l.to_vec()));
                    }
                    Some((at, Event::TooLong)) => ahead.push(Ahead::TooLong(at)),
                }
            }
            let lines: Vec<&[u8]> = ahead
                .iter()
                .filter_map(|a| match a {
                    Ahead::Line(_, l) => Some(l.as_slice()),
                    Ahead::TooLong(_) => None,
                })
                .collect();
            match detect(&lines) {
                Some(f) => f,
                None => {
                    let samples = ahead
                        .iter()
                        .filter_map(|a| match a {
                            Ahead::Line(at, l) if !l.trim_ascii().is_empty() => Some(Sample {
                                at: *at,
                                text: util::truncate_chars(l, SAMPLE_CHARS),
                            }),
                            _ => None,
                        })
                        .take(MAX_SAMPLES)
                        .collect();
                    return Err(ParseError::UnknownFormat { samples });
                }
            }
        }
    };

    let mut reader = reader_for(format, opts);
    let mut out = Out::new(sink);
    let mut too_long = 0;
    for a in ahead {
        match a {
            Ahead::Line(at, l) => reader.line(at, &l, &mut out),
            Ahead::TooLong(at) => {
                too_long += 1;
                reader.too_long(at, &mut out);
            }
        }
    }
    loop {
        match rd.next_line() {
            Ok(None) => break,
            Ok(Some((at, Event::Line(l)))) => reader.line(at, l, &mut out),
            Ok(Some((at, Event::TooLong))) => {
                too_long += 1;
                reader.too_long(at, &mut out);
            }
            Err(e) => return Err(io_err(e, rd.bytes(), rd.lines(), out.parsed, gzip)),
        }
    }
    reader.finish(&mut out);
    Ok(Summary {
        format,
        bytes: rd.bytes(),
        lines: rd.lines(),
        parsed: out.parsed,
        unparsed: out.unparsed,
        ignored: out.ignored,
        too_long,
        samples: out.samples,
        gzip,
    })
}

#[cfg(test)]
mod tests;
