//! Mail server (Postfix `header_checks` / `mime_header_checks` WARN lines),
//! seed 001 §4 「メールサーバにおけるポイント」.

use std::borrow::Cow;
use std::hash::BuildHasher as _;

use rustc_hash::{FxBuildHasher, FxHashMap, FxHashSet};

use super::finding::{
    Finding, Label, ObservableKind, Observables, Severity, is_bidi_control, visible,
};
use super::stats::{Tally, count, list_of, opt_millis};
use crate::triage::record::{At, MailEvent, MailLine};

/// A From header whose display name is itself an e-mail address other
/// than the real one, as in the seed's log example
/// `header From: "sample@example.co.jp" <attack@example.com>`.
///
/// Seed 001 §4 (メールサーバ), 「Fromフィールドの表示名偽装」:
/// 「送信元を偽装したメールを送り付けて、油断させて開かせる」, found by
/// 「受信メールの送信者情報の不自然な設定」. Envelope and header sender
/// differing alone is normal for mailing lists and bulk senders, so the
/// rule fires on the display name and reports the envelope as context.
pub const DISPLAY_NAME_SPOOF: &str = "mail.display_name_spoof";

/// An attachment whose name is executable (`.exe`, `.scr`, `.lnk`, …), has
/// a document extension in front of the real one (`report.pdf.exe`, also
/// with blanks in between), or contains bidi controls such as U+202E
/// RIGHT-TO-LEFT OVERRIDE.
///
/// Seed 001 §4 (メールサーバ), 「実行ファイル添付」: 「マルウエアである実行
/// ファイルを添付したメールを送り付ける」, found by 「ファイル名の拡張子が
/// 実行形式であるものを抽出」 (the seed's example decodes to
/// 「【マル秘】顧客情報！.exe」).
pub const EXECUTABLE_ATTACHMENT: &str = "mail.executable_attachment";

/// Distinct senders/recipients remembered per finding.
const MAX_PARTIES: usize = 20;

/// Extensions Windows runs (or mounts, or opens as an installer) on a
/// double click.
const EXECUTABLE: &[&str] = &[
    "exe",
    "scr",
    "com",
    "pif",
    "bat",
    "cmd",
    "js",
    "jse",
    "vbs",
    "vbe",
    "vb",
    "wsf",
    "wsh",
    "wsc",
    "ws",
    "sct",
    "hta",
    "lnk",
    "url",
    "scf",
    "cpl",
    "msi",
    "msp",
    "msc",
    "msix",
    "msixbundle",
    "appx",
    "appxbundle",
    "appinstaller",
    "application",
    "appref-ms",
    "gadget",
    "ps1",
    "psm1",
    "psd1",
    "ps1xml",
    "jar",
    "dll",
    "reg",
    "inf",
    "chm",
    "xll",
    "settingcontent-ms",
    "iso",
    "img",
    "vhd",
    "vhdx",
];

/// Extensions a victim expects to open harmlessly: the decoy in
/// `report.pdf.exe`.
const DOCUMENT: &[&str] = &[
    "pdf", "doc", "docx", "docm", "xls", "xlsx", "xlsm", "ppt", "pptx", "rtf", "txt", "csv", "jtd",
    "jtdc", "jpg", "jpeg", "png", "gif", "bmp", "htm", "html", "zip", "rar", "7z", "lzh", "mp3",
    "mp4", "wav", "avi",
];

/// This many blank characters before the real extension push it out of
/// sight in a file list.
const PADDING: usize = 3;

/// What makes an attachment name dangerous.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct NameRisk {
    /// The executable extension, lower-case.
    pub executable: Option<String>,
    /// The document extension in front of it (`pdf` in `x.pdf.exe`).
    pub decoy: Option<String>,
    /// Blank characters right before the real extension.
    pub padding: usize,
    /// Bidi formatting characters in the name.
    pub bidi: Vec<char>,
}

impl NameRisk {
    /// Judges a decoded attachment file name; `None` when harmless.
    pub fn of(name: &str) -> Option<Self> {
        let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
        // Windows drops trailing dots and spaces: `a.exe. ` is `a.exe`.
        let base = base.trim_end_matches(|c: char| c == '.' || c.is_whitespace());
        let mut bidi: Vec<char> = base.chars().filter(|&c| is_bidi_control(c)).collect();
        bidi.sort_unstable();
        bidi.dedup();
        let (stem, ext) = base.rsplit_once('.').unwrap_or((base, ""));
        let ext = ext.to_lowercase();
        let executable = EXECUTABLE.contains(&ext.as_str()).then_some(ext);
        let (mut decoy, mut padding) = (None, 0);
        if executable.is_some() {
            let trimmed = stem.trim_end_matches(|c: char| c.is_whitespace() || c == '_');
            padding = stem[trimmed.len()..].chars().count();
            if let Some((_, inner)) = trimmed.rsplit_once('.') {
                let inner = inner.to_lowercase();
                decoy = DOCUMENT.contains(&inner.as_str()).then_some(inner);
            }
        }
        (executable.is_some() || !bidi.is_empty()).then_some(Self {
            executable,
            decoy,
            padding,
            bidi,
        })
    }

    fn describe(&self) -> (Vec<String>, Vec<String>) {
        let (mut ja, mut en) = (Vec::new(), Vec::new());
        if let Some(ext) = &self.executable {
            ja.push(format!("拡張子 .{ext} は実行ファイル形式です"));
            en.push(format!("the extension .{ext} is executable"));
        }
        if let (Some(decoy), Some(ext)) = (&self.decoy, &self.executable) {
            ja.push(format!(
                "文書に見せかける二重拡張子（.{decoy} の後に .{ext}）です"
            ));
            en.push(format!(
                "it has a double extension (.{decoy} followed by .{ext}) posing as a document"
            ));
        }
        if self.padding >= PADDING {
            ja.push(format!(
                "本当の拡張子の前に {} 文字の空白があり、一覧表示では隠れます",
                self.padding
            ));
            en.push(format!(
                "{} blank characters before the real extension hide it in a file list",
                self.padding
            ));
        }
        if !self.bidi.is_empty() {
            let codes: Vec<String> = self.bidi.iter().map(|&c| bidi_name(c)).collect();
            ja.push(format!(
                "表示順を入れ替える制御文字（{}）を含み、拡張子を偽って見せます",
                codes.join("、")
            ));
            en.push(format!(
                "it contains bidirectional control characters ({}) that make it display a false extension",
                codes.join(", ")
            ));
        }
        (ja, en)
    }
}

fn bidi_name(c: char) -> String {
    let name = match c {
        '\u{202E}' => "RIGHT-TO-LEFT OVERRIDE",
        '\u{202D}' => "LEFT-TO-RIGHT OVERRIDE",
        '\u{202B}' => "RIGHT-TO-LEFT EMBEDDING",
        '\u{202A}' => "LEFT-TO-RIGHT EMBEDDING",
        '\u{202C}' => "POP DIRECTIONAL FORMATTING",
        '\u{2066}' => "LEFT-TO-RIGHT ISOLATE",
        '\u{2067}' => "RIGHT-TO-LEFT ISOLATE",
        '\u{2068}' => "FIRST STRONG ISOLATE",
        '\u{2069}' => "POP DIRECTIONAL ISOLATE",
        '\u{200E}' => "LEFT-TO-RIGHT MARK",
        '\u{200F}' => "RIGHT-TO-LEFT MARK",
        _ => "ARABIC LETTER MARK",
    };
    format!("U+{:04X} {name}", c as u32)
}

/// The first e-mail address written inside a display name, lower-case
/// (a full-width ＠ counts as @). Borrowed from `display` when it is
/// written that way already, as it nearly always is.
pub(crate) fn address_in(display: &str) -> Option<Cow<'_, str>> {
    display
        .split(|c: char| {
            c.is_whitespace()
                || matches!(
                    c,
                    '<' | '>' | '"' | '\'' | '(' | ')' | ',' | ';' | ':' | '[' | ']'
                )
        })
        .map(|t| {
            if t.contains('＠') {
                Cow::Owned(t.replace('＠', "@"))
            } else {
                Cow::Borrowed(t)
            }
        })
        .find(|t| {
            t.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty() && domain.contains('.') && !domain.ends_with('.')
            })
        })
        .map(lower)
}

/// `s` lower-cased, borrowed when it already is.
fn lower(s: Cow<'_, str>) -> Cow<'_, str> {
    let upper = if s.is_ascii() {
        s.bytes().any(|b| b.is_ascii_uppercase())
    } else {
        s.chars().any(char::is_uppercase)
    };
    if upper {
        Cow::Owned(s.to_lowercase())
    } else {
        s
    }
}

/// Distinct values of one kind (senders, recipients): all counted, the
/// first [`MAX_PARTIES`] kept to be named. Values are told apart by a
/// 64-bit hash, so that memory per value stays a few bytes however many
/// there are; a collision would undercount by one, which an explanation
/// can bear.
#[derive(Default)]
struct Parties {
    seen: FxHashSet<u64>,
    first: Vec<String>,
}

impl Parties {
    fn add(&mut self, value: &str) {
        if value.is_empty() || !self.seen.insert(FxBuildHasher.hash_one(value)) {
            return;
        }
        if self.first.len() < MAX_PARTIES {
            self.first.push(value.to_owned());
        }
    }

    fn count(&self) -> usize {
        self.seen.len()
    }

    /// The first `max` named, with how many more there are.
    fn list(&self, max: usize) -> (String, String) {
        list_of(&self.first, self.count(), max)
    }

    /// 「a@x」 / "a@x" for one, 「3 件（a@x、b@y ほか 1 件）」 /
    /// "3 senders (a@x, b@y and 1 more)" for several.
    fn describe(&self, max: usize, noun: &str) -> (String, String) {
        let (ja, en) = self.list(max);
        match self.count() {
            0 => ("（不明）".to_owned(), "(unknown)".to_owned()),
            1 => (ja, en),
            k => (format!("{k} 件（{ja}）"), format!("{k} {noun} ({en})")),
        }
    }

    fn observe(&self, obs: &mut Observables) {
        self.first
            .iter()
            .for_each(|e| obs.push(ObservableKind::Email, e.as_str()));
    }
}

/// Counts messages rather than lines: one message logs several WARN lines
/// in a row under one queue id.
#[derive(Default)]
struct Messages {
    count: u64,
    last_queue_id: String,
}

impl Messages {
    fn add(&mut self, queue_id: &str) {
        if queue_id.is_empty() || queue_id != self.last_queue_id {
            self.count += 1;
            self.last_queue_id.clear();
            self.last_queue_id.push_str(queue_id);
        }
    }
}

#[derive(Default)]
struct Spoof {
    tally: Tally,
    messages: Messages,
    /// The first display name seen claiming the address.
    display: String,
    /// The addresses really in the From headers.
    real: Parties,
    envelope_from: Parties,
    recipients: Parties,
}

#[derive(Default)]
struct Attachment {
    tally: Tally,
    messages: Messages,
    senders: Parties,
    recipients: Parties,
}

/// Spoofed display names, one finding per address claimed (the person or
/// service impersonated, however many real senders claim it), and
/// dangerous attachments, one finding per file name (one piece of malware,
/// however many senders spread it).
#[derive(Default)]
pub(crate) struct MailDetector {
    spoofs: FxHashMap<Box<str>, Spoof>,
    attachments: FxHashMap<Box<str>, Attachment>,
}

/// The group of `key` in `map`, made on first sight: the key is copied
/// only then.
fn group<'a, V: Default>(map: &'a mut FxHashMap<Box<str>, V>, key: &str) -> &'a mut V {
    if !map.contains_key(key) {
        map.insert(key.into(), V::default());
    }
    map.get_mut(key).expect("inserted above")
}

impl MailDetector {
    pub fn feed(&mut self, at: At, line: &MailLine) {
        let time = opt_millis(&line.time);
        match &line.event {
            MailEvent::HeaderFrom {
                display: Some(display),
                address,
                envelope_from,
                envelope_to,
                ..
            } => {
                let Some(claimed) = address_in(display) else {
                    return;
                };
                let real = lower(Cow::Borrowed(address.trim()));
                if claimed == real {
                    return;
                }
                let s = group(&mut self.spoofs, &claimed);
                s.tally.add(at, time);
                s.messages.add(&line.queue_id);
                if s.display.is_empty() {
                    s.display.clone_from(display);
                }
                s.real.add(&real);
                s.envelope_from.add(envelope_from);
                s.recipients.add(envelope_to);
            }
            MailEvent::Attachment {
                name,
                envelope_from,
                envelope_to,
            } => {
                let a = match self.attachments.get_mut(name.as_str()) {
                    Some(a) => a,
                    // Judged again at the end; here only so that harmless
                    // names are never stored.
                    None if NameRisk::of(name).is_some() => group(&mut self.attachments, name),
                    None => return,
                };
                a.tally.add(at, time);
                a.messages.add(&line.queue_id);
                a.senders.add(envelope_from);
                a.recipients.add(envelope_to);
            }
            _ => {}
        }
    }

    pub fn finish(self, out: &mut Vec<Finding>) {
        for (claimed, s) in self.spoofs {
            let (from_ja, from_en) = s.envelope_from.list(3);
            let (to_ja, to_en) = s.recipients.list(3);
            let display = visible(&s.display);
            let n = s.messages.count;
            let mut obs = Observables::default();
            s.real.observe(&mut obs);
            obs.push(ObservableKind::Email, &*claimed);
            s.envelope_from.observe(&mut obs);
            s.recipients.observe(&mut obs);
            let (ja, en) = if s.real.count() == 1 {
                let real = &s.real.first[0];
                (
                    format!(
                        "From ヘッダの表示名「{display}」は、実際の差出人アドレス {real} とは別のメールアドレスです\
                         （エンベロープ送信者 {from_ja}、宛先 {to_ja}、{n} 通）。"
                    ),
                    format!(
                        "The From header's display name \"{display}\" is an e-mail address other than the real \
                         sender {real} (envelope sender {from_en}, to {to_en}; {}).",
                        count(n, "message", "messages")
                    ),
                )
            } else {
                let (real_ja, real_en) = s.real.list(3);
                let k = s.real.count();
                (
                    format!(
                        "From ヘッダの表示名「{display}」は、実際の差出人アドレスとは別のメールアドレスです。\
                         この表示名で {k} 件の差出人アドレス（{real_ja}）から {n} 通が届いています\
                         （エンベロープ送信者 {from_ja}、宛先 {to_ja}）。"
                    ),
                    format!(
                        "The From header's display name \"{display}\" is an e-mail address other than the real \
                         sender's: {} from {k} different real senders ({real_en}) show it (envelope senders \
                         {from_en}, to {to_en}).",
                        count(n, "message", "messages")
                    ),
                )
            };
            out.push(Finding {
                detector: DISPLAY_NAME_SPOOF,
                severity: Severity::Medium,
                title: Label::new("差出人表示名の偽装", "Spoofed From display name"),
                explanation: Label::new(
                    format!("{ja}送信元を偽って受信者を油断させ、開かせる標的型メールの手口です。"),
                    format!(
                        "{en} Targeted mails fake their sender this way so the recipient lets their guard \
                         down and opens them."
                    ),
                ),
                lines: s.tally.lines.clone(),
                line_count: s.tally.count,
                observables: obs.into_vec(),
                first_seen: s.tally.first_seen(),
                last_seen: s.tally.last_seen(),
            });
        }
        for (name, a) in self.attachments {
            let Some(risk) = NameRisk::of(&name) else {
                continue;
            };
            let (why_ja, why_en) = risk.describe();
            let (from_ja, from_en) = a.senders.describe(3, "senders");
            let (to_ja, to_en) = a.recipients.describe(3, "recipients");
            let shown = visible(&name);
            let n = a.messages.count;
            let mut obs = Observables::default();
            obs.push(ObservableKind::FileName, &*name);
            a.senders.observe(&mut obs);
            a.recipients.observe(&mut obs);
            out.push(Finding {
                detector: EXECUTABLE_ATTACHMENT,
                severity: Severity::High,
                title: Label::new("実行ファイル形式の添付ファイル", "Executable attachment"),
                explanation: Label::new(
                    format!(
                        "添付ファイル「{shown}」: {}。送信者 {from_ja}、宛先 {to_ja}（{n} 通）。\
                         マルウエアを添付した標的型メールの可能性があります。",
                        why_ja.join("。")
                    ),
                    format!(
                        "Attachment \"{shown}\": {}. Sent by {from_en} to {to_en} ({}). \
                         This may be a targeted mail carrying malware.",
                        why_en.join("; "),
                        count(n, "message", "messages")
                    ),
                ),
                lines: a.tally.lines.clone(),
                line_count: a.tally.count,
                observables: obs.into_vec(),
                first_seen: a.tally.first_seen(),
                last_seen: a.tally.last_seen(),
            });
        }
    }
}
