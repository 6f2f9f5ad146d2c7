//! Binary Windows event logs (`.evtx`, as Windows keeps them under
//! `%SystemRoot%\System32\winevt\Logs`), read as a stream.
//!
//! Seed 001's AD events (see `windows.rs`) are most often handed over as the
//! log file itself rather than an export. Its layout (MS-EVEN6): a 4 KiB file
//! header starting `ElfFile\0`, then 64 KiB chunks, each with a 512-byte
//! header (`ElfChnk\0`, the range of record ids, CRC32s of the header and of
//! the records) followed by records of BinXML. A chunk is self-contained —
//! its records refer only to names and templates inside it — so the chunks
//! are read one at a time, in file order, from any [`Read`]: no seeking, so
//! it works behind the gzip-transparent reader, and memory stays at one
//! chunk (plus what the `evtx` crate allocates to decode it) whatever the
//! file's size.
//!
//! Each record is rendered by the `evtx` crate as JSON and read straight
//! into the XML export's `Fields` (`windows.rs`), with the names and the
//! precedence of its `xml_event`, so both forms of a log give the same
//! events (a test holds the two mappings to that on the sample logs). JSON
//! rather than XML by measure (`benches/evtx.rs`): the crate renders both
//! equally fast, about 140 MB/s per core, but `xml_event` on the rendered
//! XML took twice as long again (42 MB/s in all), while reading only the
//! fields needed from the JSON costs about as much as rendering (65–73 MB/s).
//!
//! Positions: [`At::line`] is the record's `EventRecordID`, the id Event
//! Viewer and `Get-WinEvent` show, and [`At::offset`] the offset of the
//! record in the (decompressed) file, so an analyst can find it either way.
//! The id is taken from the rendered record rather than its binary header:
//! the two are equal, except in a log saved from a selection of events
//! ("Save Selected Events…"), whose headers are renumbered from 1 while the
//! events keep the ids of the log they came from. A record that cannot be
//! rendered has its header's id. Problems not tied to a record (the file
//! header, a whole chunk) have line 0 and the offset of what they concern.
//!
//! Counting: `lines` counts the records met, `parsed` those delivered and
//! `unparsed` the records that could not be read or mapped, plus one for
//! each damaged file header or chunk, each with a sample saying what
//! happened (`chunk 3 at offset 200704: …`). Nothing is fatal:
//!
//! * a chunk without the chunk magic, or whose header cannot be read, is
//!   skipped; an all-zero chunk (space Windows reserved but never wrote) is
//!   skipped silently;
//! * a chunk whose CRC32 does not match is counted, and its records are read
//!   anyway: the chunk being written when a live log is copied can have a
//!   stale CRC, and it holds the newest events, which matter most in an
//!   incident; each record is still checked on its own as it is decoded;
//! * a file that ends inside a chunk (a truncated copy) ends cleanly: the
//!   records wholly inside the part read are delivered, one cut short is
//!   unparsed, and the chunk is counted as truncated.
//!
//! Chunks come in file order, so a log that has wrapped around (where
//! Windows overwrote its oldest chunks with new events) is read with one
//! jump back in time, at the chunk it wrapped at; only the hourly counts of
//! authentication requests (`directory.rs`) notice, as a few hours out of
//! order.

use std::borrow::Cow;
use std::error::Error;
use std::fmt;
use std::io::{self, Cursor, Read};
use std::marker::PhantomData;
use std::sync::Arc;

use evtx::err::EvtxError;
use evtx::{EvtxChunkData, EvtxChunkHeader, EvtxFileHeader, EvtxRecord, ParserSettings};
use serde::Deserialize;
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::triage::record::{At, Format, Record, WinEvent};

use super::util;
use super::windows::{Fields, ip_of, meaningful};
use super::{Out, ParseError, ReadFailure, Sink, Summary};

/// What an `.evtx` file starts with.
const MAGIC: &[u8; 8] = b"ElfFile\0";
/// The file header block; chunks start after it.
const FILE_HEADER: usize = 4096;
/// A chunk, the unit Windows writes and this reads.
const CHUNK: usize = 65536;
/// A chunk's own header, before its records.
const CHUNK_HEADER: usize = 512;
/// A record's header (magic, size, id, time), before its BinXML.
const RECORD_HEADER: u64 = 24;

/// Peeks at the start of `src` and gives it back whole, with whether it
/// starts with the `.evtx` magic.
pub(super) fn sniff<'a>(mut src: Box<dyn Read + 'a>) -> io::Result<(Box<dyn Read + 'a>, bool)> {
    let mut head = Vec::with_capacity(MAGIC.len());
    src.by_ref()
        .take(MAGIC.len() as u64)
        .read_to_end(&mut head)?;
    let magic = head == MAGIC;
    Ok((Box::new(Cursor::new(head).chain(src)), magic))
}

/// Reads an `.evtx` stream (see the module docs), delivering its events to
/// `sink`. Only a read error (or a broken gzip stream) stops it, as
/// [`ParseError::Io`], after the events before it were delivered.
pub(super) fn parse(
    mut src: Box<dyn Read + '_>,
    gzip: bool,
    sink: &mut dyn Sink,
) -> Result<Summary, ParseError> {
    let mut out = Out::new(sink);
    let mut reader = Reader {
        // Compact: indentation would only cost time here.
        settings: Arc::new(ParserSettings::new().indent(false)),
        bytes: 0,
        records: 0,
    };
    let result = reader.read_all(&mut src, &mut out);
    if let Err(source) = result {
        return Err(ParseError::Io(io::Error::new(
            source.kind(),
            ReadFailure {
                bytes: reader.bytes,
                lines: reader.records,
                parsed: out.parsed,
                gzip,
                source,
            },
        )));
    }
    Ok(Summary {
        format: Format::WindowsEvtx,
        bytes: reader.bytes,
        lines: reader.records,
        parsed: out.parsed,
        unparsed: out.unparsed,
        ignored: out.ignored,
        too_long: 0,
        samples: out.samples,
        gzip,
    })
}

/// The state of one read: how to render, and how far it got (for the
/// summary, or for the error that stops it).
struct Reader {
    settings: Arc<ParserSettings>,
    /// Bytes read so far.
    bytes: u64,
    /// Records met so far, read or not.
    records: u64,
}

impl Reader {
    fn read_all(&mut self, src: &mut dyn Read, out: &mut Out<'_>) -> io::Result<()> {
        let mut buf = Vec::with_capacity(CHUNK);
        let header_at = At { line: 0, offset: 0 };
        let len = self.fill(src, &mut buf, FILE_HEADER)?;
        if len == 0 {
            return Ok(());
        }
        if len < FILE_HEADER {
            out.unparsed(
                header_at,
                format!("file header: the file ends after {len} of its {FILE_HEADER} bytes")
                    .as_bytes(),
            );
            return Ok(());
        }
        match EvtxFileHeader::from_bytes(&buf) {
            // Chunks are read at the offsets of this layout, whatever the
            // header says; one that says otherwise is no log Windows wrote.
            Ok(h) if h.major_version != 3 || usize::from(h.header_block_size) != FILE_HEADER => {
                let problem = format!(
                    "file header: not the layout of Windows' logs (version {}.{}, block of {} bytes)",
                    h.major_version, h.minor_version, h.header_block_size
                );
                out.unparsed(header_at, problem.as_bytes());
            }
            Ok(h) if h.validate_checksum() => {}
            Ok(h) => out.unparsed(
                header_at,
                format!(
                    "file header: bad checksum (CRC32 stored {:#010x}, computed {:#010x})",
                    h.checksum, h.computed_checksum
                )
                .as_bytes(),
            ),
            // Read on: chunks carry their own magic, so a file whose header
            // was overwritten (or a run of carved chunks) still yields them.
            Err(e) => out.unparsed(header_at, format!("file header: {}", chain(&e)).as_bytes()),
        }
        for number in 0_u64.. {
            let len = self.fill(src, &mut buf, CHUNK)?;
            if len == 0 {
                break;
            }
            let offset = FILE_HEADER as u64 + number * CHUNK as u64;
            buf = self.chunk(number, offset, buf, len, out);
            if len < CHUNK {
                break;
            }
        }
        Ok(())
    }

    /// Reads up to `n` bytes into `buf` (fewer only at the end of input).
    fn fill(&mut self, src: &mut dyn Read, buf: &mut Vec<u8>, n: usize) -> io::Result<usize> {
        buf.clear();
        let result = src.take(n as u64).read_to_end(buf);
        // What came before an error counts too: `read_to_end` keeps it.
        self.bytes += buf.len() as u64;
        result
    }

    /// Reads one chunk of which `len` bytes are in `data` (fewer than a
    /// chunk when the file ends); hands the buffer back for the next one.
    fn chunk(
        &mut self,
        number: u64,
        offset: u64,
        mut data: Vec<u8>,
        len: usize,
        out: &mut Out<'_>,
    ) -> Vec<u8> {
        let at = At { line: 0, offset };
        let what = |problem: &str| format!("chunk {number} at offset {offset}: {problem}");
        if data.iter().all(|&b| b == 0) {
            return data;
        }
        let truncated = len < CHUNK;
        if len < CHUNK_HEADER {
            out.unparsed(at, what("the file ends inside its header").as_bytes());
            return data;
        }
        // Zeros past the end read as the end of the records, so what was
        // read can be decoded as usual (names and templates are defined
        // before the records that use them, so those present are intact).
        data.resize(CHUNK, 0);
        let header = match EvtxChunkHeader::from_bytes(&data) {
            Ok(h) => h,
            Err(e) => {
                out.unparsed(at, what(&chain(&e)).as_bytes());
                return data;
            }
        };
        let mut chunk = EvtxChunkData {
            header,
            data,
            number: Some(number),
        };
        if !truncated {
            let bad = if !chunk.validate_header_checksum() {
                Some("header")
            } else if !chunk.validate_data_checksum() {
                Some("records")
            } else {
                None
            };
            if let Some(part) = bad {
                let problem = format!("bad checksum of its {part} (CRC32); its records were read");
                out.unparsed(at, what(&problem).as_bytes());
            }
        }
        match chunk.parse(self.settings.clone()) {
            Ok(mut parsed) => {
                for item in parsed.iter() {
                    self.records += 1;
                    match item {
                        Ok(record) => {
                            if !deliver(record, offset, len, out) {
                                break;
                            }
                        }
                        Err(e) => {
                            let at = match &e {
                                EvtxError::FailedToReadRecordAt { offset: o, .. } => At {
                                    line: 0,
                                    offset: offset + o,
                                },
                                _ => at,
                            };
                            out.unparsed(at, what(&chain(&e)).as_bytes());
                        }
                    }
                }
            }
            Err(e) => out.unparsed(at, what(&chain(&e)).as_bytes()),
        }
        if truncated {
            let problem = format!("the file ends after {len} of its {CHUNK} bytes");
            out.unparsed(at, what(&problem).as_bytes());
        }
        chunk.data
    }
}

/// Renders and maps one record of the chunk at `chunk_offset`, of which
/// `len` bytes were read. False when the record is cut short by the end of
/// the file, so nothing after it is there.
fn deliver(record: EvtxRecord<'_>, chunk_offset: u64, len: usize, out: &mut Out<'_>) -> bool {
    let start = record.binxml_offset - RECORD_HEADER;
    // The record ends with a copy of its size, after the BinXML.
    let end = record.binxml_offset + u64::from(record.binxml_size) + 4;
    let id = record.event_record_id;
    let at = At {
        line: id,
        offset: chunk_offset + start,
    };
    if end > len as u64 {
        let text = format!("record {id}: cut short by the end of the file");
        out.unparsed(at, text.as_bytes());
        return false;
    }
    let json = match record.into_json_bytes() {
        Ok(json) => json.data,
        Err(e) => {
            out.unparsed(at, format!("record {id}: {}", chain(&e)).as_bytes());
            return true;
        }
    };
    match serde_json::from_slice::<Rendered>(&json) {
        Ok(Rendered(Some((record_id, event)))) => out.record(
            At {
                line: record_id.unwrap_or(id),
                ..at
            },
            Record::Windows(event),
        ),
        Ok(Rendered(None)) => out.unparsed(at, &json),
        Err(e) => out.unparsed(at, format!("record {id}: {e}").as_bytes()),
    }
    true
}

// ------------------------------------------------- the record as JSON ---
//
// The crate's JSON mirrors the XML: `{"Event": {"System": {…}, "EventData":
// {"TargetUserName": …}}}`, an element with attributes as `{"#attributes":
// {…}, "#text": …}`. What is read is what `xml_event` reads.

/// The `Data` (or `UserData` element) names `xml_event` reads, in the order
/// of [`Found`]'s slots.
const NAMES: [&str; 9] = [
    "TargetUserName",
    "SubjectUserName",
    "LogonType",
    "WorkstationName",
    "Workstation",
    "IpAddress",
    "ServiceName",
    "TargetServerName",
    "ObjectName",
];

/// A record's `EventRecordID`, if it has one, and its event.
type Mapped = (Option<u64>, WinEvent);

/// A rendered record, mapped; `None` when it has no `EventID` (as for
/// `xml_event`).
struct Rendered(Option<Mapped>);

impl<'de> Deserialize<'de> for Rendered {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Doc<'a> {
            #[serde(rename = "Event", borrow)]
            event: Event<'a>,
        }
        let event = Doc::deserialize(d)?.event;
        let Some(system) = event.system else {
            return Ok(Self(None));
        };
        let Some(event_id) = system.event_id.0.and_then(|v| v.trim().parse().ok()) else {
            return Ok(Self(None));
        };
        let time = system
            .time_created
            .and_then(|t| t.attributes.system_time)
            .and_then(|t| util::parse_rfc3339(t.as_bytes()));
        let record_id = system.record_id.0.and_then(|v| v.trim().parse().ok());
        let [
            target,
            subject,
            logon,
            workstation,
            ws,
            ip,
            service,
            server,
            object,
        ] = event
            .found
            .0
            .map(|v| v.flatten().and_then(|v| meaningful(&v).map(str::to_owned)));
        let fields = Fields {
            target_account: target,
            subject_account: subject,
            logon_type: logon.and_then(|v| v.parse().ok()),
            source_host: workstation.or(ws),
            source_ip: ip.and_then(|v| ip_of(&v)),
            target: service,
            target_fallback: server.or(object),
        };
        let computer = system.computer.0.unwrap_or_default();
        Ok(Self(Some((
            record_id,
            fields.into_event(time, event_id, computer),
        ))))
    }
}

/// `Event`: its `System` and, from everything else, the [`NAMES`].
struct Event<'a> {
    system: Option<System<'a>>,
    found: Found,
}

impl<'de: 'a, 'a> Deserialize<'de> for Event<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Event<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an Event object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Event<'a>, A::Error> {
                let mut event = Event {
                    system: None,
                    found: Found::default(),
                };
                while let Some(key) = map.next_key::<Key>()? {
                    match key {
                        Key::System if event.system.is_none() => {
                            event.system = Some(map.next_value()?);
                        }
                        Key::Attributes => {
                            map.next_value::<IgnoredAny>()?;
                        }
                        key => map.next_value_seed(Seek {
                            found: &mut event.found,
                            deep: !matches!(key, Key::EventData),
                        })?,
                    }
                }
                Ok(event)
            }
        }
        d.deserialize_map(V(PhantomData))
    }
}

/// What `xml_event` reads of `<System>`.
#[derive(Deserialize)]
struct System<'a> {
    #[serde(rename = "EventID", default)]
    event_id: Text,
    #[serde(rename = "TimeCreated", borrow, default)]
    time_created: Option<TimeCreated<'a>>,
    #[serde(rename = "EventRecordID", default)]
    record_id: Text,
    #[serde(rename = "Computer", default)]
    computer: Text,
}

#[derive(Deserialize)]
struct TimeCreated<'a> {
    #[serde(rename = "#attributes", borrow, default)]
    attributes: TimeAttributes<'a>,
}

#[derive(Deserialize, Default)]
struct TimeAttributes<'a> {
    #[serde(rename = "SystemTime", borrow, default)]
    system_time: Option<Cow<'a, str>>,
}

/// An element's text, as `xml_event` reads it: a string or number as
/// written, the `#text` of an element with attributes; `None` for an empty
/// element (`null`) and for one holding others.
#[derive(Default)]
struct Text(Option<String>);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Text;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an element's text")
            }
            fn visit_str<E>(self, v: &str) -> Result<Text, E> {
                Ok(Text(Some(v.to_owned())))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Text, E> {
                Ok(Text(Some(v.to_string())))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Text, E> {
                Ok(Text(Some(v.to_string())))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Text, E> {
                Ok(Text(Some(v.to_string())))
            }
            fn visit_bool<E>(self, v: bool) -> Result<Text, E> {
                Ok(Text(Some(v.to_string())))
            }
            fn visit_unit<E>(self) -> Result<Text, E> {
                Ok(Text(None))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Text, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Text(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Text, A::Error> {
                let mut text = Text(None);
                while let Some(key) = map.next_key::<Key>()? {
                    match key {
                        Key::Text => text = map.next_value()?,
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(text)
            }
        }
        d.deserialize_any(V)
    }
}

/// The [`NAMES`] found, each the first in document order (for `xml_event`,
/// a `<Data Name=…>` first, but `EventData` comes before anything else
/// that could hold the names).
#[derive(Default)]
struct Found([Option<Option<String>>; NAMES.len()]);

/// Looks for the [`NAMES`] in a value: at any depth, or (`deep` false,
/// for `EventData`, which by its schema holds only `Data` side by side)
/// among its keys alone, skipping the other values unread — most of a
/// record is there, so that saves most of the time.
struct Seek<'f> {
    found: &'f mut Found,
    deep: bool,
}

impl<'de> DeserializeSeed<'de> for Seek<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Seek<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any value")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<Key>()? {
            match key {
                Key::Name(i) if self.found.0[i].is_none() => {
                    self.found.0[i] = Some(map.next_value::<Text>()?.0);
                }
                // Attributes are no elements: `xml_event` never reads them.
                Key::Attributes => {
                    map.next_value::<IgnoredAny>()?;
                }
                _ if !self.deep => {
                    map.next_value::<IgnoredAny>()?;
                }
                _ => map.next_value_seed(Seek {
                    found: &mut *self.found,
                    deep: true,
                })?,
            }
        }
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq
            .next_element_seed(Seek {
                found: &mut *self.found,
                deep: self.deep,
            })?
            .is_some()
        {}
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
}

/// An object key, told apart without allocating.
enum Key {
    System,
    EventData,
    Attributes,
    Text,
    Name(usize),
    Other,
}

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Key;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_str<E>(self, v: &str) -> Result<Key, E> {
                Ok(match v {
                    "System" => Key::System,
                    "EventData" => Key::EventData,
                    "#attributes" => Key::Attributes,
                    "#text" => Key::Text,
                    _ => NAMES
                        .iter()
                        .position(|n| *n == v)
                        .map_or(Key::Other, Key::Name),
                })
            }
        }
        d.deserialize_str(V)
    }
}

/// An error with its causes (`evtx` wraps the telling one in context).
fn chain(e: &dyn Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::super::windows::xml_event;
    use super::*;

    /// Each record of a log as this module maps it (from the JSON) and as
    /// the XML export's mapping does (from the XML of the same record).
    fn both_ways(file: &[u8]) -> Vec<(Rendered, Option<Mapped>)> {
        let settings = Arc::new(ParserSettings::new().indent(false));
        let mut got = Vec::new();
        for chunk in file[FILE_HEADER..].chunks(CHUNK) {
            let mut data = EvtxChunkData::new(chunk.to_vec(), true).unwrap();
            let mut parsed = data.parse(settings.clone()).unwrap();
            for record in parsed.iter() {
                let record = record.unwrap();
                let json = record.clone().into_json_bytes().unwrap().data;
                let xml = record.into_xml_bytes().unwrap().data;
                let tag = b"<EventRecordID>";
                let from = memchr::memmem::find(&xml, tag).unwrap() + tag.len();
                let to = from + memchr::memchr(b'<', &xml[from..]).unwrap();
                let id = std::str::from_utf8(&xml[from..to]).unwrap().parse().ok();
                let rendered = serde_json::from_slice::<Rendered>(&json).unwrap();
                got.push((rendered, xml_event(&xml).map(|e| (id, e))));
            }
        }
        got
    }

    #[test]
    fn the_json_gives_what_the_xml_export_mapping_gives() {
        for file in [
            &include_bytes!("../../../tests/data/evtx/Security_short_selected.evtx")[..],
            &include_bytes!("../../../tests/data/evtx/DE_RDP_Tunnel_5156.evtx")[..],
        ] {
            let got = both_ways(file);
            assert!(got.len() > 5);
            for (from_json, from_xml) in got {
                assert!(from_json.0.is_some());
                assert_eq!(from_json.0, from_xml);
            }
        }
    }

    #[test]
    fn element_text_is_read_in_every_form() {
        let text = |json: &str| serde_json::from_str::<Text>(json).unwrap().0;
        assert_eq!(text(r#""a""#).as_deref(), Some("a"));
        assert_eq!(text("3").as_deref(), Some("3"));
        assert_eq!(text("null"), None);
        assert_eq!(
            text(r##"{"#attributes":{"Qualifiers":16384},"#text":7045}"##).as_deref(),
            Some("7045")
        );
        assert_eq!(text(r#"{"Inner":"x"}"#), None);
        assert_eq!(text(r#"["x"]"#), None);
    }

    #[test]
    fn names_are_found_at_any_depth_first_one_first() {
        let json = r##"{"Event":{"System":{"EventID":{"#attributes":{"Qualifiers":0},"#text":4719},
            "Computer":"dc01"},
            "EventData":{"Data":{"#text":["a","b"]},"SubjectUserName":"-"},
            "UserData":{"Policy":{"#attributes":{"TargetUserName":"attr"},
            "SubjectUserName":"later","TargetUserName":"admin"}}}}"##;
        let Rendered(Some((id, e))) = serde_json::from_str(json).unwrap() else {
            panic!("no event")
        };
        assert_eq!((id, e.event_id, e.computer.as_str()), (None, 4719, "dc01"));
        // The first SubjectUserName is a placeholder; attributes are no
        // elements.
        assert_eq!(e.account.as_deref(), Some("admin"));
        let Rendered(none) = serde_json::from_str(r#"{"Event":{"System":{}}}"#).unwrap();
        assert!(none.is_none());
    }
}
