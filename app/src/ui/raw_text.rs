//! User text inside `<textarea>` and `<title>`.
//!
//! The HTML parser reads both as escapable raw text: markup inside is not
//! parsed, but the element's own end tag is, so `</textarea><script>…` ends
//! the element and starts a script. tachys renders the children of
//! `textarea` (like `script` and `style`) without escaping
//! (`ESCAPE_CHILDREN = false`), and leptos_meta writes the `<Title>` text into
//! the head as it is. So the server escapes that text here. In the browser the
//! same text goes into a DOM text node or `document.title`, where nothing is
//! parsed and escaping would show up as `&lt;`; there it passes unchanged.
//! Textarea children are not hydrated, so the two renderings never meet.

/// Text for the inside of a `<textarea>` or `<title>`, as the renderer of
/// this build needs it.
pub fn raw_text(text: impl Into<String>) -> String {
    let text = text.into();
    if cfg!(feature = "ssr") {
        escape_raw_text(&text)
    } else {
        text
    }
}

/// `&`, `<` and `>` as character references, which the parser decodes back
/// inside escapable raw text. A leading newline gets a second one: the
/// parser drops the first newline after `<textarea>`.
pub fn escape_raw_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    if text.starts_with('\n') || text.starts_with("\r\n") {
        out.push('\n');
    }
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// The `<Title>` formatter: every page title passes through it.
pub fn title(text: String) -> String {
    raw_text(text)
}

#[cfg(test)]
mod tests {
    use super::escape_raw_text;

    #[test]
    fn end_tags_and_references_cannot_leave_the_element() {
        assert_eq!(
            escape_raw_text("</textarea><script>alert(1)</script>"),
            "&lt;/textarea&gt;&lt;script&gt;alert(1)&lt;/script&gt;"
        );
        assert_eq!(
            escape_raw_text("Phish</title><img src=x onerror=alert(1)>"),
            "Phish&lt;/title&gt;&lt;img src=x onerror=alert(1)&gt;"
        );
        // A literal reference stays literal text after the parser decodes it.
        assert_eq!(escape_raw_text("a &lt; b & c"), "a &amp;lt; b &amp; c");
        assert_eq!(escape_raw_text("日本語 \"ok\""), "日本語 \"ok\"");
    }

    #[test]
    fn a_leading_newline_survives_the_parser() {
        assert_eq!(escape_raw_text("\nline"), "\n\nline");
        assert_eq!(escape_raw_text("line\n"), "line\n");
    }
}
