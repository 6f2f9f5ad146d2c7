//! What the parsers produce and the detectors read: one record per log
//! line that could be parsed, with where it was in the file.

use std::net::IpAddr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Where a line was: 1-based line number and the byte offset of its first
/// byte in the (decompressed) file, so anyone can re-read it. For an
/// `.evtx` log, the record's `EventRecordID` and the offset of the record.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct At {
    pub line: u64,
    pub offset: u64,
}

/// The formats recognised.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    Postfix,
    Netscreen,
    SquidNative,
    SquidCombined,
    Bind,
    /// Windows Security event log exported as CSV (Event Viewer "Save as
    /// CSV", or `Get-WinEvent | Export-Csv`).
    WindowsCsv,
    /// Windows event log exported as XML (`wevtutil qe /f:xml`), one
    /// `<Event>` per line or spread over lines.
    WindowsXml,
    /// Windows event log file itself (`.evtx`, binary XML in 64 KiB
    /// chunks), as copied from `%SystemRoot%\System32\winevt\Logs`.
    WindowsEvtx,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Record {
    Mail(MailLine),
    Firewall(Traffic),
    Proxy(Request),
    Dns(Query),
    Windows(WinEvent),
}

/// A Postfix line that matters: a header/MIME header WARN from cleanup
/// (header_checks / mime_header_checks), or the envelope of a message.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MailLine {
    /// Syslog time; the year is not in the line, the caller supplies it.
    pub time: Option<DateTime<Utc>>,
    pub host: String,
    /// `ABC123DEF` in `postfix/cleanup[123]: ABC123DEF: warning: ...`.
    pub queue_id: String,
    pub event: MailEvent,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum MailEvent {
    /// `warning: header From: "Display" <addr@x>` with the envelope
    /// `from=<...>` and `to=<...>` that Postfix appends to WARN lines.
    HeaderFrom {
        /// The header value decoded (MIME encoded-words decoded).
        value: String,
        /// The display name, decoded, if any.
        display: Option<String>,
        /// The address in angle brackets (or the bare address).
        address: String,
        envelope_from: String,
        envelope_to: String,
    },
    /// `warning: header Content-Type: ...; name="..."` or
    /// `header Content-Disposition: attachment; filename=...` (also
    /// mime_header_checks' `warning: header Content-Type:` lines).
    Attachment {
        /// The file name, decoded (RFC 2047 and RFC 2231 forms).
        name: String,
        envelope_from: String,
        envelope_to: String,
    },
    /// `qmgr ... from=<x>, size=..., nrcpt=...` or `smtp ... to=<x>, ... status=sent`.
    Envelope {
        from: Option<String>,
        to: Option<String>,
        status: Option<String>,
    },
}

/// A firewall traffic log line (Juniper SSG / NetScreen
/// `system-notification-00257(traffic)`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Traffic {
    pub time: Option<DateTime<Utc>>,
    /// `Permit`, `Deny`, `Reject`, … as written, lower-cased.
    pub action: String,
    pub src_zone: String,
    pub dst_zone: String,
    pub src: IpAddr,
    pub dst: IpAddr,
    pub src_port: Option<u16>,
    pub dst_port: Option<u16>,
    pub service: String,
    pub sent_bytes: Option<u64>,
    pub received_bytes: Option<u64>,
}

/// A proxy request (Squid native access.log or seed 001's combined format).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Request {
    pub time: DateTime<Utc>,
    pub client: IpAddr,
    /// `GET`, `POST`, `CONNECT`, …
    pub method: String,
    /// The URL as logged; for CONNECT `host:port`.
    pub url: String,
    /// Host name (lower-case) taken from the URL.
    pub host: String,
    /// Port from the URL (CONNECT host:port, or an explicit :port), else
    /// 80 for http and 443 for https.
    pub port: u16,
    /// HTTP status code.
    pub status: u16,
    /// Bytes sent to the client (Squid logs the reply size).
    pub bytes: u64,
    /// Request body size when the format has it (none in Squid native).
    pub request_bytes: Option<u64>,
    /// Only in the combined format.
    pub user_agent: Option<String>,
    /// Squid's result code, e.g. `TCP_MISS/200`, `TCP_DENIED/403`.
    pub result: String,
    pub user: Option<String>,
}

/// A DNS query (BIND 9 query log).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Query {
    pub time: Option<DateTime<Utc>>,
    pub client: IpAddr,
    pub client_port: Option<u16>,
    /// Lower-case, without the trailing dot.
    pub name: String,
    /// `A`, `AAAA`, `TXT`, …
    pub qtype: String,
}

/// A Windows event (Security log and the few System ones seed 001 names).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WinEvent {
    pub time: Option<DateTime<Utc>>,
    pub event_id: u32,
    /// The computer that logged it.
    pub computer: String,
    /// TargetUserName (or SubjectUserName when there is no target).
    pub account: Option<String>,
    /// Logon type for 4624/4625 (2 interactive, 3 network, 10 remote…).
    pub logon_type: Option<u32>,
    /// WorkstationName / source host.
    pub source_host: Option<String>,
    /// IpAddress.
    pub source_ip: Option<IpAddr>,
    /// Service name for 4769, or another target object.
    pub target: Option<String>,
}
