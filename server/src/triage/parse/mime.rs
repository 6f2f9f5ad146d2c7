//! MIME header decoding for the values Postfix logs: RFC 2047
//! encoded-words, RFC 2231 parameters, and address/display-name splitting.
//!
//! Seed 001 (slide 24) shows an attachment name logged as
//! `name="=?Shift_JIS?B?gXmDfYOLlOmBeozai3GP7pXxgUkuZXhl=?="`, which is
//! `【マル秘】顧客情報！.exe`: Japanese mail uses Shift_JIS, ISO-2022-JP,
//! EUC-JP and UTF-8, in `B` (base64) or `Q` encoding. Decoding is lenient
//! in the ways real mailers need:
//!
//! * Adjacent encoded-words of one charset are joined at the byte level
//!   before decoding, so a multi-byte character split across two words
//!   (common with Shift_JIS) still decodes; the whitespace between them is
//!   dropped as RFC 2047 says.
//! * Postfix writes each non-printable byte of a logged header as `?`, so a
//!   folded header `…;\n\tname=` appears as `…;?? name=`: runs of `?`
//!   between encoded-words and between parameters count as whitespace.
//! * Encoded-words inside quoted strings (`name="=?UTF-8?B?…?="`, as
//!   Outlook writes) are decoded; an encoded-word cut short by Postfix's
//!   200-character limit is decoded as far as it goes.
//! * Charset labels are looked up with encoding_rs (WHATWG labels) plus
//!   `cp932`/`ms932`/`windows-31j`; RFC 2231 language suffixes
//!   (`UTF-8*ja`) are ignored; an unknown charset is read as UTF-8, lossily.

use std::borrow::Cow;

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use encoding_rs::Encoding;

use super::util::Needle;

/// Base64 that accepts missing or extra padding and stray trailing bits.
const B64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// The encoding for a MIME charset label.
pub(crate) fn encoding_for(label: &[u8]) -> Option<&'static Encoding> {
    let label = match label.iter().position(|&b| b == b'*') {
        Some(i) => &label[..i],
        None => label,
    };
    Encoding::for_label(label).or_else(|| {
        let l = label.to_ascii_lowercase();
        match l.as_slice() {
            b"cp932" | b"ms932" | b"windows-31j" | b"x-ms-cp932" | b"shift-jis" => {
                Some(encoding_rs::SHIFT_JIS)
            }
            b"eucjp" | b"x-euc-jp" | b"euc_jp" => Some(encoding_rs::EUC_JP),
            b"iso2022jp" | b"iso-2022-jp-2" | b"csiso2022jp" => Some(encoding_rs::ISO_2022_JP),
            _ => None,
        }
    })
}

/// Decodes `bytes` in the charset `label` (lossy; UTF-8 when unknown).
pub(crate) fn decode_charset(label: &[u8], bytes: &[u8]) -> String {
    match encoding_for(label) {
        Some(enc) => enc.decode_without_bom_handling(bytes).0.into_owned(),
        None => String::from_utf8_lossy(bytes).into_owned(),
    }
}

/// One parsed encoded-word.
struct Word<'a> {
    charset: &'a [u8],
    bytes: Vec<u8>,
    /// Index just past the word.
    end: usize,
}

/// Parses an encoded-word starting at `s[at..]` (which begins with `=?`).
fn encoded_word(s: &[u8], at: usize) -> Option<Word<'_>> {
    let body = &s[at + 2..];
    let q1 = body.iter().take(64).position(|&b| b == b'?')?;
    let charset = &body[..q1];
    if charset.is_empty()
        || !charset
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':' | b'*'))
    {
        return None;
    }
    let enc = *body.get(q1 + 1)?;
    if body.get(q1 + 2) != Some(&b'?') {
        return None;
    }
    let text_start = q1 + 3;
    let rest = &body[text_start..];
    // The text runs to `?=`; none contains blanks. A word cut off at the
    // end of the value (Postfix truncates logged headers) runs to the end.
    let stop = rest
        .iter()
        .position(|&b| b == b'?' || b == b' ' || b == b'\t' || b == b'"')
        .unwrap_or(rest.len());
    let (text, end) = if rest.get(stop) == Some(&b'?') && rest.get(stop + 1) == Some(&b'=') {
        (&rest[..stop], at + 2 + text_start + stop + 2)
    } else if stop == rest.len() {
        (rest, s.len())
    } else {
        return None;
    };
    let bytes = match enc {
        b'B' | b'b' => decode_b(text)?,
        b'Q' | b'q' => decode_q(text),
        _ => return None,
    };
    Some(Word {
        charset,
        bytes,
        end,
    })
}

fn decode_b(text: &[u8]) -> Option<Vec<u8>> {
    // Padding is optional here, and some mailers add too much (seed 001's
    // sample has 32 characters plus a `=`): drop it all.
    let mut t = &text[..text.iter().rposition(|&b| b != b'=').map_or(0, |i| i + 1)];
    // A truncated word may leave one dangling character; drop it.
    if t.len() % 4 == 1 {
        t = &t[..t.len() - 1];
    }
    B64.decode(t).ok()
}

fn decode_q(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        match text[i] {
            b'_' => out.push(b' '),
            b'=' => match hex_pair(&text[i + 1..]) {
                Some(v) => {
                    out.push(v);
                    i += 2;
                }
                None => out.push(b'='),
            },
            b => out.push(b),
        }
        i += 1;
    }
    out
}

fn hex_pair(s: &[u8]) -> Option<u8> {
    let h = |b: u8| (b as char).to_digit(16);
    match s {
        [a, b, ..] => Some((h(*a)? * 16 + h(*b)?) as u8),
        _ => None,
    }
}

/// Whitespace between encoded-words, including Postfix's `?` for the
/// control characters of a folded header.
fn is_gap(s: &[u8]) -> bool {
    s.iter()
        .all(|&b| matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b'?'))
}

/// The start of an encoded-word, searched once per header (and display
/// name): a searcher built once, as setting one up per call cost more
/// than the search.
static WORD_START: Needle = Needle::new(b"=?");

/// Decodes every RFC 2047 encoded-word in `s`; the rest is kept as is.
pub(crate) fn decode_words(s: &str) -> Cow<'_, str> {
    let b = s.as_bytes();
    let Some(mut next) = WORD_START.find(b) else {
        return Cow::Borrowed(s);
    };
    let mut out = String::with_capacity(s.len());
    let mut copied = 0; // bytes of `s` accounted for
    let mut pending: Option<(&[u8], Vec<u8>)> = None;
    loop {
        match encoded_word(b, next) {
            Some(w) => {
                let gap = &s[copied..next];
                let joins = pending.is_some() && is_gap(gap.as_bytes());
                match &mut pending {
                    Some((cs, bytes)) if joins && cs.eq_ignore_ascii_case(w.charset) => {
                        bytes.extend_from_slice(&w.bytes);
                    }
                    _ => {
                        if let Some((cs, bytes)) = pending.take() {
                            out.push_str(&decode_charset(cs, &bytes));
                        }
                        if !joins {
                            out.push_str(gap);
                        }
                        pending = Some((w.charset, w.bytes));
                    }
                }
                copied = w.end;
                next = w.end;
            }
            None => next += 2,
        }
        match WORD_START.find(&b[next..]) {
            Some(i) => next += i,
            None => break,
        }
    }
    if let Some((cs, bytes)) = pending {
        out.push_str(&decode_charset(cs, &bytes));
    }
    out.push_str(&s[copied..]);
    Cow::Owned(out)
}

/// A parameter of a structured header value (`name="x"`).
#[derive(Debug)]
struct Param<'a> {
    /// Lower-cased attribute, e.g. `filename`, `filename*`, `name*0*`.
    name: String,
    value: Cow<'a, str>,
}

/// Splits `type/subtype; a=b; c="d"` into its parameters (the first part,
/// the type or disposition, is skipped).
fn params(v: &str) -> Vec<Param<'_>> {
    let b = v.as_bytes();
    let mut out = Vec::new();
    // Skip the leading type or disposition.
    let Some(mut i) = b.iter().position(|&c| c == b';') else {
        return out;
    };
    while i < b.len() {
        // Gap: separators, blanks, and Postfix's `?` for folding.
        while i < b.len() && matches!(b[i], b';' | b' ' | b'\t' | b'?' | b'\r' | b'\n') {
            i += 1;
        }
        let name_start = i;
        while i < b.len() && !matches!(b[i], b'=' | b';') {
            i += 1;
        }
        if i >= b.len() || b[i] != b'=' {
            continue;
        }
        let name = v[name_start..i].trim().to_ascii_lowercase();
        i += 1;
        while i < b.len() && matches!(b[i], b' ' | b'\t') {
            i += 1;
        }
        let value: Cow<'_, str> = if b.get(i) == Some(&b'"') {
            i += 1;
            let start = i;
            let mut has_escape = false;
            while i < b.len() && b[i] != b'"' {
                if b[i] == b'\\' {
                    has_escape = true;
                    i += 1;
                }
                i += 1;
            }
            let raw = &v[start..i.min(b.len())];
            i += 1;
            if has_escape {
                Cow::Owned(unescape_quoted(raw))
            } else {
                Cow::Borrowed(raw)
            }
        } else {
            let start = i;
            while i < b.len() && b[i] != b';' {
                i += 1;
            }
            Cow::Borrowed(v[start..i].trim_end())
        };
        if !name.is_empty() {
            out.push(Param { name, value });
        }
    }
    out
}

fn unescape_quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(n) = chars.next() {
                out.push(n);
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn percent_decode(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && let Some(v) = hex_pair(&b[i + 1..])
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    out
}

/// The value of parameter `attr` (`filename` or `name`), decoded: the
/// RFC 2231 forms (`attr*=charset'lang'%XX…`, `attr*0*=…; attr*1*=…`,
/// `attr*0="…"`) take precedence over the plain one, whose encoded-words
/// are decoded.
fn param_value(ps: &[Param<'_>], attr: &str) -> Option<String> {
    // RFC 2231 continuations and the single extended form.
    let mut parts: Vec<(u32, bool, &str)> = Vec::new();
    for p in ps {
        let Some(rest) = p.name.strip_prefix(attr) else {
            continue;
        };
        let Some(rest) = rest.strip_prefix('*') else {
            continue;
        };
        if rest.is_empty() {
            parts.push((0, true, &p.value));
            continue;
        }
        let (num, ext) = match rest.strip_suffix('*') {
            Some(n) => (n, true),
            None => (rest, false),
        };
        if let Ok(n) = num.parse::<u32>() {
            parts.push((n, ext, &p.value));
        }
    }
    if !parts.is_empty() {
        parts.sort_by_key(|p| p.0);
        let mut charset: &str = "utf-8";
        let mut bytes = Vec::new();
        for (i, &(_, ext, value)) in parts.iter().enumerate() {
            if ext {
                let mut v = value;
                if i == 0 {
                    let mut it = value.splitn(3, '\'');
                    if let (Some(cs), Some(_lang), Some(rest)) = (it.next(), it.next(), it.next()) {
                        if !cs.is_empty() {
                            charset = cs;
                        }
                        v = rest;
                    }
                }
                bytes.extend(percent_decode(v));
            } else {
                bytes.extend_from_slice(value.as_bytes());
            }
        }
        return Some(decode_words(&decode_charset(charset.as_bytes(), &bytes)).into_owned());
    }
    ps.iter()
        .find(|p| p.name == attr)
        .map(|p| decode_words(&p.value).into_owned())
}

/// The attachment file name in a `Content-Type` (`name=`) or
/// `Content-Disposition` (`filename=`) header value, decoded.
pub(crate) fn attachment_name(value: &str) -> Option<String> {
    let ps = params(value);
    param_value(&ps, "filename")
        .or_else(|| param_value(&ps, "name"))
        .filter(|n| !n.trim().is_empty())
}

/// Splits a `From:` value into (display name, address). The display name
/// has its quotes and escapes removed and encoded-words decoded; `None`
/// when there is none. Accepts `"Name" <a@b>`, `Name <a@b>`, `<a@b>`,
/// `a@b`, `a@b (Name)` and a value cut off inside the angle brackets.
pub(crate) fn split_address(value: &str) -> (Option<String>, String) {
    let v = value.trim();
    let (display, address) = match v.rfind('<') {
        Some(lt) => {
            let inner = &v[lt + 1..];
            let addr = inner.split('>').next().unwrap_or(inner);
            (&v[..lt], addr.trim())
        }
        None => match (v.find('('), v.rfind(')')) {
            (Some(open), Some(close)) if open < close => (&v[open + 1..close], v[..open].trim()),
            _ => ("", v),
        },
    };
    let display = unquote_phrase(display.trim());
    let display = decode_words(&display).trim().to_owned();
    ((!display.is_empty()).then_some(display), address.to_owned())
}

/// Removes the double quotes (and backslash escapes inside them) of a
/// phrase such as `"Yamada, Taro" (Sales)` → `Yamada, Taro (Sales)`.
fn unquote_phrase(s: &str) -> Cow<'_, str> {
    if !s.contains('"') {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut in_quotes = false;
    let mut rest = s;
    // Run by run between the ASCII quotes and (inside quotes) backslashes,
    // which are always character boundaries: copying runs whole is much
    // cheaper than pushing character by character.
    loop {
        let special = rest
            .bytes()
            .position(|b| b == b'"' || (in_quotes && b == b'\\'));
        let Some(i) = special else {
            out.push_str(rest);
            break;
        };
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        if rest.as_bytes()[i] == b'"' {
            in_quotes = !in_quotes;
            rest = after;
        } else {
            // An escape: the next character as it is.
            let Some(c) = after.chars().next() else {
                break;
            };
            out.push(c);
            rest = &after[c.len_utf8()..];
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b64(s: &[u8]) -> String {
        base64::engine::general_purpose::STANDARD.encode(s)
    }

    #[test]
    fn seed_shift_jis_attachment_name() {
        assert_eq!(
            decode_words("=?Shift_JIS?B?gXmDfYOLlOmBeozai3GP7pXxgUkuZXhl=?="),
            "【マル秘】顧客情報！.exe"
        );
        let v = r#"application/vnd.openxmlformats-officedocument.wordprocessingml.document;? name="=?Shift_JIS?B?gXmDfYOLlOmBeozai3GP7pXxgUkuZXhl=?=""#;
        assert_eq!(
            attachment_name(v).as_deref(),
            Some("【マル秘】顧客情報！.exe")
        );
    }

    #[test]
    fn iso_2022_jp_b() {
        let (bytes, _, _) = encoding_rs::ISO_2022_JP.encode("請求書.exe");
        let word = format!("=?ISO-2022-JP?B?{}?=", b64(&bytes));
        assert_eq!(decode_words(&word), "請求書.exe");
        assert_eq!(
            decode_words(&format!("=?iso-2022-jp?b?{}?=", b64(&bytes))),
            "請求書.exe"
        );
    }

    #[test]
    fn euc_jp_b_and_q() {
        let (bytes, _, _) = encoding_rs::EUC_JP.encode("見積書");
        assert_eq!(
            decode_words(&format!("=?EUC-JP?B?{}?=", b64(&bytes))),
            "見積書"
        );
        let q: String = bytes.iter().map(|b| format!("={b:02X}")).collect();
        assert_eq!(decode_words(&format!("=?euc-jp?Q?{q}?=")), "見積書");
    }

    #[test]
    fn q_encoding_utf8() {
        assert_eq!(
            decode_words("=?UTF-8?Q?=E4=BA=BA=E4=BA=8B_2024.zip?="),
            "人事 2024.zip"
        );
        assert_eq!(decode_words("=?utf-8?q?a=3Db?="), "a=b");
        // A lone `=` that is no escape stays.
        assert_eq!(decode_words("=?utf-8?q?a=?="), "a=");
    }

    #[test]
    fn adjacent_words_joined_even_mid_character() {
        let (bytes, _, _) = encoding_rs::SHIFT_JIS.encode("顧客情報");
        // Split in the middle of a two-byte character.
        let (a, b) = bytes.split_at(3);
        let s = format!("=?Shift_JIS?B?{}?= \t=?Shift_JIS?B?{}?=", b64(a), b64(b));
        assert_eq!(decode_words(&s), "顧客情報");
        // Postfix's `?` for a folded header.
        let s = format!("=?Shift_JIS?B?{}?=??=?Shift_JIS?B?{}?=", b64(a), b64(b));
        assert_eq!(decode_words(&s), "顧客情報");
        // Different charsets: each decoded on its own, gap dropped.
        let s = format!("=?UTF-8?B?{}?= =?UTF-8?Q?x?= plain", b64("顧客".as_bytes()));
        assert_eq!(decode_words(&s), "顧客x plain");
        let s = format!("A =?UTF-8?B?{}?= B", b64("顧客".as_bytes()));
        assert_eq!(decode_words(&s), "A 顧客 B");
    }

    #[test]
    fn not_encoded_words_left_alone() {
        assert_eq!(decode_words("what =? is this"), "what =? is this");
        assert_eq!(decode_words("=?bad charset?B?AA?="), "=?bad charset?B?AA?=");
        assert_eq!(decode_words("=?UTF-8?X?abc?="), "=?UTF-8?X?abc?=");
        assert_eq!(decode_words("plain.exe"), "plain.exe");
    }

    #[test]
    fn truncated_word_decoded_as_far_as_it_goes() {
        let full = b64("顧客情報.exe".as_bytes());
        let cut = &full[..full.len() - 5];
        let got = decode_words(&format!("=?UTF-8?B?{cut}")).into_owned();
        assert!(got.starts_with("顧客情報"), "{got}");
    }

    #[test]
    fn rfc2231_forms() {
        assert_eq!(
            attachment_name("attachment; filename*=UTF-8''%E8%AB%8B%E6%B1%82%E6%9B%B8.exe")
                .as_deref(),
            Some("請求書.exe")
        );
        assert_eq!(
            attachment_name(
                "attachment; filename*0*=UTF-8''%E8%AB%8B%E6; filename*1*=%B1%82%E6%9B%B8.exe"
            )
            .as_deref(),
            Some("請求書.exe")
        );
        assert_eq!(
            attachment_name(r#"attachment; filename*0="long"; filename*1="name.scr""#).as_deref(),
            Some("longname.scr")
        );
        let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode("資料");
        let pct: String = sjis.iter().map(|b| format!("%{b:02X}")).collect();
        assert_eq!(
            attachment_name(&format!("attachment; filename*=shift_jis'ja'{pct}.lnk")).as_deref(),
            Some("資料.lnk")
        );
        // Extended beats plain.
        assert_eq!(
            attachment_name(r#"attachment; filename="fallback.exe"; filename*=UTF-8''real.exe"#)
                .as_deref(),
            Some("real.exe")
        );
    }

    #[test]
    fn plain_and_unquoted_names() {
        assert_eq!(
            attachment_name("attachment; filename=invoice.pdf.exe").as_deref(),
            Some("invoice.pdf.exe")
        );
        assert_eq!(
            attachment_name(r#"application/octet-stream; name="a \"b\".exe""#).as_deref(),
            Some(r#"a "b".exe"#)
        );
        assert_eq!(attachment_name("multipart/mixed; boundary=\"xyz\""), None);
        assert_eq!(attachment_name("text/plain"), None);
        // Truncated quote.
        assert_eq!(
            attachment_name(r#"application/x-msdownload; name="setup.ex"#).as_deref(),
            Some("setup.ex")
        );
    }

    #[test]
    fn phrases_lose_their_quotes_and_escapes() {
        for (phrase, plain) in [
            (r#""Yamada, Taro" (Sales)"#, "Yamada, Taro (Sales)"),
            (r#""a\"b" c\d"#, r#"a"b c\d"#),
            (r#""山田\太郎""#, "山田太郎"),
            (r#""cut\"#, "cut"),
            ("no quotes", "no quotes"),
        ] {
            assert_eq!(unquote_phrase(phrase), plain, "{phrase}");
        }
    }

    #[test]
    fn addresses() {
        assert_eq!(
            split_address(r#""sample@example.co.jp" <attack@example.com>"#),
            (
                Some("sample@example.co.jp".to_owned()),
                "attack@example.com".to_owned()
            )
        );
        assert_eq!(
            split_address("<a@example.com>"),
            (None, "a@example.com".to_owned())
        );
        assert_eq!(
            split_address("a@example.com"),
            (None, "a@example.com".to_owned())
        );
        assert_eq!(
            split_address("a@example.com (Taro Yamada)"),
            (Some("Taro Yamada".to_owned()), "a@example.com".to_owned())
        );
        assert_eq!(
            split_address(r#""Yamada, \"Taro\"" <t@example.jp>"#),
            (
                Some(r#"Yamada, "Taro""#.to_owned()),
                "t@example.jp".to_owned()
            )
        );
        let (jis, _, _) = encoding_rs::ISO_2022_JP.encode("総務部");
        let v = format!("\"=?ISO-2022-JP?B?{}?=\" <soumu@example.jp>", b64(&jis));
        assert_eq!(
            split_address(&v),
            (Some("総務部".to_owned()), "soumu@example.jp".to_owned())
        );
        // Cut off by Postfix's 200-character limit.
        assert_eq!(
            split_address("Admin <admin@exam"),
            (Some("Admin".to_owned()), "admin@exam".to_owned())
        );
    }

    #[test]
    fn charset_aliases() {
        assert_eq!(encoding_for(b"CP932"), Some(encoding_rs::SHIFT_JIS));
        assert_eq!(encoding_for(b"UTF-8*ja"), Some(encoding_rs::UTF_8));
        assert_eq!(encoding_for(b"x-nonsense"), None);
        assert_eq!(decode_charset(b"x-nonsense", b"ok\xff"), "ok\u{fffd}");
    }
}
