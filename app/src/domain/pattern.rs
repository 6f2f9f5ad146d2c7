//! Reading STIX 2.1 patterns, the subset used in practice: observation
//! expressions in brackets joined by `OR` or `AND`, each a comparison or
//! several joined by `OR`/`AND`, with `=` or `IN (…)`, over
//! `domain-name:value`, `ipv4-addr:value`, `ipv6-addr:value`, `url:value`,
//! `email-addr:value`, `file:hashes.*` and `file:name`. What an indicator
//! names is turned into the match keys observables are compared by; a
//! pattern outside the subset is kept and shown as not matched
//! automatically, never dropped.

use super::observable::{MatchKey, ValueKind, normalise};

/// Why a pattern is not read automatically.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Unread {
    /// Not STIX pattern syntax as this reader knows it.
    Syntax(String),
    /// A property or operator outside the subset (`process:pid`, `LIKE`,
    /// `MATCHES`, qualifiers like `WITHIN`…).
    Unsupported(String),
}

/// The match keys of every value a pattern compares with.
pub fn keys(pattern: &str) -> Result<Vec<MatchKey>, Unread> {
    let mut p = Parser {
        s: pattern.as_bytes(),
        at: 0,
    };
    let mut keys = Vec::new();
    p.observations(&mut keys)?;
    p.space();
    if p.at != p.s.len() {
        return Err(Unread::Unsupported(format!(
            "text after the pattern: {}",
            String::from_utf8_lossy(&p.s[p.at..])
        )));
    }
    if keys.is_empty() {
        return Err(Unread::Syntax("no comparison".into()));
    }
    keys.sort();
    keys.dedup();
    Ok(keys)
}

struct Parser<'a> {
    s: &'a [u8],
    at: usize,
}

impl Parser<'_> {
    fn space(&mut self) {
        while self.at < self.s.len() && self.s[self.at].is_ascii_whitespace() {
            self.at += 1;
        }
    }

    fn eat(&mut self, token: &str) -> bool {
        self.space();
        let t = token.as_bytes();
        let end = self.at + t.len();
        if end <= self.s.len() && self.s[self.at..end].eq_ignore_ascii_case(t) {
            // A keyword must end there (`OR` is not the start of `ORDER`).
            let word = t.iter().all(|b| b.is_ascii_alphabetic());
            if word && end < self.s.len() && self.s[end].is_ascii_alphanumeric() {
                return false;
            }
            self.at = end;
            true
        } else {
            false
        }
    }

    /// `[…] (OR|AND|FOLLOWEDBY [...])*`, parentheses allowed around groups.
    fn observations(&mut self, keys: &mut Vec<MatchKey>) -> Result<(), Unread> {
        loop {
            if self.eat("(") {
                self.observations(keys)?;
                if !self.eat(")") {
                    return Err(Unread::Syntax("unclosed (".into()));
                }
            } else if self.eat("[") {
                self.comparisons(keys)?;
                if !self.eat("]") {
                    return Err(Unread::Syntax("unclosed [".into()));
                }
            } else {
                return Err(Unread::Syntax("expected [".into()));
            }
            for q in ["WITHIN", "REPEATS", "START"] {
                if self.eat(q) {
                    return Err(Unread::Unsupported(format!("qualifier {q}")));
                }
            }
            if self.eat("FOLLOWEDBY") {
                return Err(Unread::Unsupported("FOLLOWEDBY".into()));
            }
            if !(self.eat("OR") || self.eat("AND")) {
                return Ok(());
            }
        }
    }

    /// `path op value ((OR|AND) path op value)*`, parentheses allowed.
    fn comparisons(&mut self, keys: &mut Vec<MatchKey>) -> Result<(), Unread> {
        loop {
            if self.eat("(") {
                self.comparisons(keys)?;
                if !self.eat(")") {
                    return Err(Unread::Syntax("unclosed (".into()));
                }
            } else {
                self.comparison(keys)?;
            }
            if !(self.eat("OR") || self.eat("AND")) {
                return Ok(());
            }
        }
    }

    fn comparison(&mut self, keys: &mut Vec<MatchKey>) -> Result<(), Unread> {
        let path = self.path()?;
        let kind = kind_of(&path).ok_or_else(|| Unread::Unsupported(path.clone()))?;
        if self.eat("NOT") {
            return Err(Unread::Unsupported("NOT".into()));
        }
        let values = if self.eat("=") {
            vec![self.string()?]
        } else if self.eat("IN") {
            if !self.eat("(") {
                return Err(Unread::Syntax("IN without (".into()));
            }
            let mut v = vec![self.string()?];
            while self.eat(",") {
                v.push(self.string()?);
            }
            if !self.eat(")") {
                return Err(Unread::Syntax("unclosed IN (".into()));
            }
            v
        } else {
            let rest = String::from_utf8_lossy(&self.s[self.at..]);
            let op: String = rest.split_whitespace().next().unwrap_or("").into();
            return Err(Unread::Unsupported(format!("operator {op}")));
        };
        for v in values {
            let n = normalise(kind, &v).map_err(|_| Unread::Syntax(format!("bad value {v:?}")))?;
            keys.push(MatchKey::of(kind, &n));
        }
        Ok(())
    }

    /// `object-type:property(.property|.'quoted'|[n])*`, as written.
    fn path(&mut self) -> Result<String, Unread> {
        self.space();
        let start = self.at;
        let mut quoted = false;
        while self.at < self.s.len() {
            let c = self.s[self.at];
            if c == b'\'' {
                quoted = !quoted;
            } else if !(quoted || c.is_ascii_alphanumeric() || b"-_:.*[]".contains(&c)) {
                break;
            }
            self.at += 1;
        }
        let p = String::from_utf8_lossy(&self.s[start..self.at]).to_string();
        if p.is_empty() || !p.contains(':') {
            return Err(Unread::Syntax(format!(
                "expected an object path at {start}"
            )));
        }
        Ok(p)
    }

    /// `'…'` with `\'` and `\\` escapes.
    fn string(&mut self) -> Result<String, Unread> {
        self.space();
        if self.s.get(self.at) != Some(&b'\'') {
            return Err(Unread::Unsupported("a value that is not a string".into()));
        }
        self.at += 1;
        let mut out = Vec::new();
        while self.at < self.s.len() {
            match self.s[self.at] {
                b'\\' if self.at + 1 < self.s.len() => {
                    out.push(self.s[self.at + 1]);
                    self.at += 2;
                }
                b'\'' => {
                    self.at += 1;
                    return String::from_utf8(out).map_err(|_| Unread::Syntax("not UTF-8".into()));
                }
                c => {
                    out.push(c);
                    self.at += 1;
                }
            }
        }
        Err(Unread::Syntax("unclosed string".into()))
    }
}

/// The kind of value a path compares, in the subset.
fn kind_of(path: &str) -> Option<ValueKind> {
    let p = path.replace(' ', "");
    Some(match p.as_str() {
        "domain-name:value" => ValueKind::Domain,
        "ipv4-addr:value" | "ipv6-addr:value" => ValueKind::Ip,
        "url:value" => ValueKind::Url,
        "email-addr:value" => ValueKind::Email,
        "file:name" => ValueKind::FileName,
        "file:hashes.MD5" | "file:hashes.'MD5'" => ValueKind::Md5,
        "file:hashes.'SHA-1'" | "file:hashes.SHA1" | "file:hashes.'SHA1'" => ValueKind::Sha1,
        "file:hashes.'SHA-256'" | "file:hashes.SHA256" | "file:hashes.'SHA256'" => {
            ValueKind::Sha256
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(kind: ValueKind, v: &str) -> MatchKey {
        MatchKey::of(kind, v)
    }

    #[test]
    fn the_patterns_used_in_practice_give_their_values() {
        assert_eq!(
            keys("[domain-name:value = 'Evil.Example.com']"),
            Ok(vec![k(ValueKind::Domain, "evil.example.com")])
        );
        assert_eq!(
            keys("[ipv4-addr:value = '198.51.100.7' OR ipv4-addr:value = '198.51.100.8']"),
            Ok(vec![
                k(ValueKind::Ip, "198.51.100.7"),
                k(ValueKind::Ip, "198.51.100.8")
            ])
        );
        assert_eq!(
            keys(
                "[file:hashes.'SHA-256' = 'E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855'] OR [file:hashes.MD5 = 'd41d8cd98f00b204e9800998ecf8427e']"
            ),
            Ok(vec![
                k(ValueKind::Md5, "d41d8cd98f00b204e9800998ecf8427e"),
                k(
                    ValueKind::Sha256,
                    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
                ),
            ])
        );
        assert_eq!(
            keys("[url:value IN ('http://a.example/x', 'http://b.example/')]")
                .unwrap()
                .len(),
            2
        );
        assert_eq!(
            keys(r"[file:name = 'a\'b.exe' AND email-addr:value = 'x@EXAMPLE.com']"),
            Ok(vec![
                k(ValueKind::Email, "x@example.com"),
                k(ValueKind::FileName, "a'b.exe"),
            ])
        );
        assert_eq!(
            keys("([ipv6-addr:value = '2001:DB8::1'])"),
            Ok(vec![k(ValueKind::Ip, "2001:db8::1")])
        );
    }

    #[test]
    fn a_pattern_outside_the_subset_says_why() {
        assert!(matches!(
            keys("[process:pid = 4]"),
            Err(Unread::Unsupported(_))
        ));
        assert!(matches!(
            keys("[domain-name:value LIKE '%.example']"),
            Err(Unread::Unsupported(_))
        ));
        assert!(matches!(
            keys("[domain-name:value = 'a.example'] WITHIN 5 SECONDS"),
            Err(Unread::Unsupported(_))
        ));
        assert!(matches!(
            keys("domain-name:value = 'x'"),
            Err(Unread::Syntax(_))
        ));
        assert!(matches!(
            keys("[domain-name:value = 'x"),
            Err(Unread::Syntax(_))
        ));
        assert!(matches!(
            keys("[domain-name:value = 'not a domain']"),
            Err(Unread::Syntax(_))
        ));
        assert!(matches!(keys(""), Err(Unread::Syntax(_))));
    }
}
