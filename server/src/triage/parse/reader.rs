//! Streaming line reader: gzip-transparent, bounded memory, byte offsets.
//!
//! * The input is sniffed for the gzip magic `1f 8b`; a gzip stream (any
//!   number of members, as `cat a.gz b.gz` or logrotate produce) is
//!   decompressed on the fly with flate2.
//! * After decompression, a UTF-16 byte-order mark (`FF FE` / `FE FF`, as
//!   Windows PowerShell 5's `>` redirection writes) switches on
//!   transcoding to UTF-8; offsets then count UTF-8 bytes of the
//!   transcoded text. A UTF-8 BOM is kept in the stream (so offsets stay
//!   true) but stripped from the first line.
//! * Lines are cut at `\n`; a trailing `\r` is removed. Offsets are those of
//!   the first byte of each line in the decompressed stream.
//! * A line longer than [`MAX_LINE`] is never held whole: once that many
//!   bytes are buffered without a newline the reader reports
//!   [`Event::TooLong`] and discards input up to the next newline, so memory
//!   stays at about `MAX_LINE + CHUNK` whatever the input.

use std::io::{self, BufReader, Cursor, Read};

use crate::triage::record::At;

/// Lines longer than this (without the newline) are skipped.
pub(crate) const MAX_LINE: usize = 1 << 20;
/// Read size and initial buffer size.
pub(crate) const CHUNK: usize = 256 * 1024;
/// Never read into less free space than this.
const MIN_READ: usize = 16 * 1024;

/// What [`LineReader::next_line`] yields.
pub(crate) enum Event<'a> {
    Line(&'a [u8]),
    /// A line over [`MAX_LINE`] was skipped.
    TooLong,
}

/// Opens `input`: sniffs gzip and UTF-16 and returns the byte source of
/// the (decompressed, UTF-8) text and whether it was gzip.
pub(crate) fn open<'a, R: Read + 'a>(mut input: R) -> io::Result<(Box<dyn Read + 'a>, bool)> {
    let head = read_head(&mut input, 2)?;
    let gzip = head.starts_with(&[0x1f, 0x8b]);
    let joined = Cursor::new(head).chain(input);
    let mut text: Box<dyn Read + 'a> = if gzip {
        Box::new(flate2::bufread::MultiGzDecoder::new(
            BufReader::with_capacity(CHUNK, joined),
        ))
    } else {
        Box::new(joined)
    };
    let head = read_head(&mut text, 2)?;
    let utf16 = match head.as_slice() {
        [0xff, 0xfe, ..] => Some(encoding_rs::UTF_16LE),
        [0xfe, 0xff, ..] => Some(encoding_rs::UTF_16BE),
        _ => None,
    };
    let joined = Cursor::new(head).chain(text);
    let out: Box<dyn Read + 'a> = match utf16 {
        Some(enc) => Box::new(Transcode::new(joined, enc)),
        None => Box::new(joined),
    };
    Ok((out, gzip))
}

/// Reads up to `n` bytes (fewer only at end of input).
fn read_head(r: &mut impl Read, n: usize) -> io::Result<Vec<u8>> {
    let mut head = vec![0; n];
    let mut got = 0;
    while got < n {
        match r.read(&mut head[got..]) {
            Ok(0) => break,
            Ok(k) => got += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    head.truncate(got);
    Ok(head)
}

/// UTF-16 → UTF-8 transcoding reader (encoding_rs; the BOM is removed,
/// unpaired surrogates become U+FFFD).
struct Transcode<R> {
    inner: R,
    decoder: encoding_rs::Decoder,
    buf: Box<[u8]>,
    start: usize,
    end: usize,
    eof: bool,
    done: bool,
}

impl<R: Read> Transcode<R> {
    fn new(inner: R, enc: &'static encoding_rs::Encoding) -> Self {
        Self {
            inner,
            decoder: enc.new_decoder_with_bom_removal(),
            buf: vec![0; 64 * 1024].into_boxed_slice(),
            start: 0,
            end: 0,
            eof: false,
            done: false,
        }
    }
}

impl<R: Read> Read for Transcode<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if out.len() < 8 {
            // encoding_rs needs room for a whole character; callers here
            // always offer much more.
            return Err(io::Error::other("transcoding read buffer too small"));
        }
        loop {
            if self.done {
                return Ok(0);
            }
            if self.start == self.end && !self.eof {
                self.start = 0;
                self.end = 0;
                loop {
                    match self.inner.read(&mut self.buf) {
                        Ok(0) => self.eof = true,
                        Ok(n) => self.end = n,
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                        Err(e) => return Err(e),
                    }
                    break;
                }
            }
            let (result, read, written, _) =
                self.decoder
                    .decode_to_utf8(&self.buf[self.start..self.end], out, self.eof);
            self.start += read;
            if self.eof && result == encoding_rs::CoderResult::InputEmpty {
                self.done = true;
            }
            if written > 0 {
                return Ok(written);
            }
        }
    }
}

/// The line reader. See the module docs.
pub(crate) struct LineReader<'a> {
    src: Box<dyn Read + 'a>,
    buf: Vec<u8>,
    /// Start of the current (unreturned) data.
    start: usize,
    /// End of valid data.
    end: usize,
    /// Everything in `start..scanned` is known to hold no newline.
    scanned: usize,
    /// Stream offset of `buf[start]`.
    offset: u64,
    /// Lines returned (including skipped ones).
    line: u64,
    eof: bool,
}

impl<'a> LineReader<'a> {
    pub(crate) fn new(src: Box<dyn Read + 'a>) -> Self {
        Self {
            src,
            buf: vec![0; CHUNK],
            start: 0,
            end: 0,
            scanned: 0,
            offset: 0,
            line: 0,
            eof: false,
        }
    }

    /// Bytes consumed so far (decompressed), including a buffered partial
    /// line.
    pub(crate) fn bytes(&self) -> u64 {
        self.offset + (self.end - self.start) as u64
    }

    /// Lines returned so far.
    pub(crate) fn lines(&self) -> u64 {
        self.line
    }

    fn next_at(&mut self, len_with_newline: usize) -> At {
        self.line += 1;
        let at = At {
            line: self.line,
            offset: self.offset,
        };
        self.offset += len_with_newline as u64;
        at
    }

    /// Reads into the free tail of the buffer, making room first.
    fn fill(&mut self) -> io::Result<()> {
        if self.buf.len() - self.end < MIN_READ {
            if self.start > 0 {
                self.buf.copy_within(self.start..self.end, 0);
                self.end -= self.start;
                self.scanned -= self.start;
                self.start = 0;
            }
            if self.buf.len() - self.end < MIN_READ {
                let grown = (self.buf.len() * 2).min(MAX_LINE + CHUNK);
                self.buf.resize(grown.max(self.end + MIN_READ), 0);
            }
        }
        loop {
            match self.src.read(&mut self.buf[self.end..]) {
                Ok(0) => self.eof = true,
                Ok(n) => self.end += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
            return Ok(());
        }
    }

    /// Discards input up to and including the next newline (or the end).
    fn skip_line(&mut self) -> io::Result<()> {
        let mut skipped = (self.end - self.start) as u64;
        self.start = 0;
        self.end = 0;
        self.scanned = 0;
        loop {
            self.fill()?;
            if self.eof && self.end == 0 {
                break;
            }
            if let Some(i) = memchr::memchr(b'\n', &self.buf[..self.end]) {
                skipped += (i + 1) as u64;
                self.start = i + 1;
                self.scanned = i + 1;
                break;
            }
            skipped += self.end as u64;
            self.end = 0;
            if self.eof {
                break;
            }
        }
        self.line += 1;
        self.offset += skipped;
        Ok(())
    }

    /// The next line, `None` at the end of input. Returns the line's
    /// position; a `TooLong` line still gets a line number.
    pub(crate) fn next_line(&mut self) -> io::Result<Option<(At, Event<'_>)>> {
        let (at, from, to) = loop {
            if let Some(i) = memchr::memchr(b'\n', &self.buf[self.scanned..self.end]) {
                let nl = self.scanned + i;
                let from = self.start;
                if nl - from > MAX_LINE {
                    let at = At {
                        line: self.line + 1,
                        offset: self.offset,
                    };
                    self.line += 1;
                    self.offset += (nl + 1 - from) as u64;
                    self.start = nl + 1;
                    self.scanned = nl + 1;
                    return Ok(Some((at, Event::TooLong)));
                }
                let at = self.next_at(nl + 1 - from);
                self.start = nl + 1;
                self.scanned = nl + 1;
                break (at, from, nl);
            }
            self.scanned = self.end;
            if self.end - self.start > MAX_LINE {
                let at = At {
                    line: self.line + 1,
                    offset: self.offset,
                };
                self.skip_line()?;
                return Ok(Some((at, Event::TooLong)));
            }
            if self.eof {
                if self.start == self.end {
                    return Ok(None);
                }
                let from = self.start;
                let to = self.end;
                let at = self.next_at(to - from);
                self.start = to;
                break (at, from, to);
            }
            self.fill()?;
        };
        let mut line = &self.buf[from..to];
        if let [rest @ .., b'\r'] = line {
            line = rest;
        }
        if at.line == 1 {
            line = line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line);
        }
        Ok(Some((at, Event::Line(line))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(data: &[u8]) -> Vec<(At, Option<Vec<u8>>)> {
        let (src, _) = open(data).unwrap();
        let mut r = LineReader::new(src);
        let mut v = Vec::new();
        while let Some((at, ev)) = r.next_line().unwrap() {
            v.push((
                at,
                match ev {
                    Event::Line(l) => Some(l.to_vec()),
                    Event::TooLong => None,
                },
            ));
        }
        v
    }

    #[test]
    fn offsets_crlf_and_last_line() {
        let v = collect(b"ab\r\n\ncd\nlast");
        assert_eq!(v.len(), 4);
        assert_eq!(v[0], (At { line: 1, offset: 0 }, Some(b"ab".to_vec())));
        assert_eq!(v[1], (At { line: 2, offset: 4 }, Some(b"".to_vec())));
        assert_eq!(v[2], (At { line: 3, offset: 5 }, Some(b"cd".to_vec())));
        assert_eq!(v[3], (At { line: 4, offset: 8 }, Some(b"last".to_vec())));
    }

    #[test]
    fn utf8_bom_stripped_from_first_line_only() {
        let v = collect(b"\xEF\xBB\xBFa\nb\n");
        assert_eq!(v[0].1.as_deref(), Some(&b"a"[..]));
        assert_eq!(v[1].0.offset, 5);
    }

    #[test]
    fn utf16_is_transcoded() {
        let mut data = vec![0xff, 0xfe];
        for u in "ログ,4624\r\nx\r\n".encode_utf16() {
            data.extend_from_slice(&u.to_le_bytes());
        }
        let v = collect(&data);
        assert_eq!(v.len(), 2);
        assert_eq!(v[0].1.as_deref(), Some("ログ,4624".as_bytes()));
        assert_eq!(v[1].1.as_deref(), Some(&b"x"[..]));
    }

    #[test]
    fn long_lines_are_skipped_and_offsets_continue() {
        let mut data = b"first\n".to_vec();
        data.extend(std::iter::repeat_n(b'x', MAX_LINE + 10));
        data.extend_from_slice(b"\nafter\n");
        // Exactly at the cap is still a line.
        data.extend(std::iter::repeat_n(b'y', MAX_LINE));
        data.extend_from_slice(b"\nend");
        let v = collect(&data);
        assert_eq!(v.len(), 5);
        assert_eq!(v[1].1, None);
        assert_eq!(v[2].0.offset, (6 + MAX_LINE + 11) as u64);
        assert_eq!(v[2].1.as_deref(), Some(&b"after"[..]));
        assert_eq!(v[3].1.as_ref().map(Vec::len), Some(MAX_LINE));
        assert_eq!(v[4].1.as_deref(), Some(&b"end"[..]));
        assert_eq!(v[4].0.line, 5);
    }

    /// A reader yielding one byte per call exercises every refill path.
    struct Trickle<'a>(&'a [u8]);
    impl Read for Trickle<'_> {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            if self.0.is_empty() || out.is_empty() {
                return Ok(0);
            }
            out[0] = self.0[0];
            self.0 = &self.0[1..];
            Ok(1)
        }
    }

    #[test]
    fn trickling_input() {
        let data = b"one\ntwo\r\nthree";
        let (src, _) = open(Trickle(data)).unwrap();
        let mut r = LineReader::new(src);
        let mut got = Vec::new();
        while let Some((_, Event::Line(l))) = r.next_line().unwrap() {
            got.push(String::from_utf8(l.to_vec()).unwrap());
        }
        assert_eq!(got, ["one", "two", "three"]);
        assert_eq!(r.bytes(), data.len() as u64);
    }
}
