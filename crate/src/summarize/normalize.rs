//! Input clean-up before anything else: HTML to text, full-width letters/digits to ASCII,
//! whitespace collapsed (paragraph breaks kept).

/// Full-width ASCII letters and digits (Ａ１) → ASCII; the ideographic space → a space.
/// Full-width punctuation (，。！) is left alone: it carries Chinese sentence structure.
fn narrow(c: char) -> char {
    match c {
        '\u{FF10}'..='\u{FF19}' | '\u{FF21}'..='\u{FF3A}' | '\u{FF41}'..='\u{FF5A}' => {
            char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)
        }
        '\u{3000}' | '\u{00A0}' => ' ',
        _ => c,
    }
}

/// True when the text looks like markup rather than prose.
pub fn looks_like_html(text: &str) -> bool {
    let tags = text.matches('<').filter(|_| true).count();
    tags >= 2 && (text.contains("</") || text.contains("<br") || text.contains("<p"))
}

/// Drops tags (and the contents of script/style), turns block tags into line breaks and
/// decodes the common entities.
pub fn html_to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        out.push_str(&decode_entities(&rest[..open]));
        let after = &rest[open..];
        let close = after.find('>').map_or(after.len(), |i| i + 1);
        let tag = after[..close].trim_start_matches('<').trim_start_matches('/').to_ascii_lowercase();
        let name: String = tag.chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
        rest = &after[close..];
        if (name == "script" || name == "style") && !after.starts_with("</") {
            let end_tag = format!("</{name}");
            let end = rest.to_ascii_lowercase().find(&end_tag).unwrap_or(rest.len());
            rest = &rest[end..];
            continue;
        }
        if matches!(name.as_str(), "p" | "br" | "div" | "li" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "tr" | "blockquote" | "section" | "article") {
            out.push('\n');
        }
    }
    out.push_str(&decode_entities(rest));
    out
}

fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp..];
        // Bytes, not a str slice: 12 bytes in may fall inside a character (`&推…`).
        let end = after.as_bytes()[..after.len().min(12)].iter().position(|&b| b == b';');
        let decoded = end.and_then(|e| {
            let name = &after[1..e];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" | "#39" => Some('\''),
                "nbsp" => Some(' '),
                _ if name.starts_with("#x") || name.starts_with("#X") => u32::from_str_radix(&name[2..], 16).ok().and_then(char::from_u32),
                _ if name.starts_with('#') => name[1..].parse().ok().and_then(char::from_u32),
                _ => None,
            };
            c.map(|c| (c, e + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &after[len..];
            }
            None => {
                out.push('&');
                rest = &after[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The text every later stage sees: HTML stripped if it is HTML, control characters dropped,
/// full-width letters/digits narrowed, spaces collapsed, at most one blank line between
/// paragraphs, trimmed.
pub fn normalize(text: &str) -> String {
    let text = if looks_like_html(text) { html_to_text(text) } else { text.to_string() };
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    let mut newlines = 0;
    for c in text.replace("\r\n", "\n").chars().map(narrow) {
        if c == '\n' {
            newlines += 1;
            pending_space = false;
            continue;
        }
        if c.is_whitespace() {
            pending_space = true;
            continue;
        }
        if c.is_control() || c == '\u{FEFF}' || c == '\u{200B}' {
            continue;
        }
        if !out.is_empty() {
            if newlines > 0 {
                out.push_str(if newlines > 1 { "\n\n" } else { "\n" });
            } else if pending_space {
                out.push(' ');
            }
        }
        newlines = 0;
        pending_space = false;
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn narrows_full_width_letters_and_digits_but_keeps_chinese_punctuation() {
        assert_eq!(normalize("ＡＩ助手２０２６年，发布！"), "AI助手2026年，发布！");
        assert_eq!(normalize("a\u{3000}b"), "a b");
    }

    #[test]
    fn collapses_whitespace_and_keeps_paragraphs() {
        assert_eq!(normalize("  one   two \r\n\r\n\r\n three\n four  "), "one two\n\nthree\nfour");
    }

    #[test]
    fn strips_html_and_decodes_entities() {
        let html = "<article><h1>Title</h1><p>Fish &amp; chips cost &#36;5.</p><script>var x = '<p>';</script><p>Second&nbsp;para &lt;ok&gt;</p></article>";
        assert_eq!(normalize(html), "Title\n\nFish & chips cost $5.\n\nSecond para <ok>");
        assert!(!looks_like_html("3 < 4 and 5 > 2"));
    }
}
