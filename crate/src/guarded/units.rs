//! Cutting the model's text into units as it streams in: bullets end at a line break,
//! sentences at their final punctuation, a headline only when the model stops. Each unit is
//! cleaned of list markers, labels, markdown emphasis and wrapping quotes.

use crate::text::abbreviations::ends_with_abbreviation;

/// Where one unit of the model's text ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cut {
    /// Bullets / key points: at each line break.
    Lines,
    /// Sentences: at 。！？, at . ! ? before white space (not after an abbreviation) and at a
    /// line break; closing quotes stay with their sentence.
    Sentences,
    /// The whole text is one unit (a headline).
    Whole,
}

/// Labels a small model writes before its answer ("Summary:", "标题：").
const LABELS: &[&str] = &[
    "summary:", "tl;dr:", "tldr:", "headline:", "title:", "teaser:", "key points:", "要点：", "要点:", "总结：", "总结:",
    "摘要：", "摘要:", "标题：", "标题:", "概括：", "概括:", "导语：", "导语:",
];

/// One unit without list markers, labels, markdown emphasis or wrapping quotes.
pub fn clean_unit(raw: &str) -> String {
    let mut s = raw.trim().replace("**", "");
    loop {
        let before = s.clone();
        let t = s.trim_start();
        let t = t.strip_prefix("- ").or_else(|| t.strip_prefix("* ")).or_else(|| t.strip_prefix("• ")).or_else(|| t.strip_prefix('•')).unwrap_or(t);
        // "1. ", "2、", "(3) ", "（4）"
        let digits = t.chars().take_while(|c| c.is_ascii_digit()).count();
        let t = if digits > 0 && digits < 3 {
            let rest = &t[digits..];
            let marker = rest.strip_prefix(". ").or_else(|| rest.strip_prefix('、')).or_else(|| rest.strip_prefix(") "));
            // "1.Text" is a marker, "3.2万" a number.
            let bare_dot = rest.strip_prefix('.').filter(|r| !r.starts_with(|c: char| c.is_ascii_digit()));
            marker.or(bare_dot).unwrap_or(t)
        } else {
            t
        };
        let lower = t.to_lowercase();
        let t = LABELS.iter().find(|l| lower.starts_with(*l)).map_or(t, |l| &t[l.len()..]);
        s = t.trim().to_string();
        if s == before {
            break;
        }
    }
    unwrap_quotes(&s).to_string()
}

/// "“标题”" → "标题", but "他说：“好。”" keeps its quote.
fn unwrap_quotes(s: &str) -> &str {
    for (open, close) in [('"', '"'), ('“', '”'), ('《', '》'), ('「', '」')] {
        if let Some(inner) = s.strip_prefix(open).and_then(|r| r.strip_suffix(close)) {
            if !inner.contains([open, close]) {
                return inner.trim();
            }
        }
    }
    s
}

/// Splits text produced so far into finished units and the unfinished rest (byte offset where
/// the rest starts). Lines end at a line break; sentences at 。！？ or at . ! ? followed by
/// white space (so "4.1" is not split); a whole text only when it is done. `done`: the
/// generation ended, the rest is a unit too.
pub fn finished_units(cut: Cut, text: &str, done: bool) -> (Vec<String>, usize) {
    let mut units = Vec::new();
    let mut start = 0;
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    for (k, &(i, c)) in chars.iter().enumerate() {
        let next = chars.get(k + 1).map(|&(_, n)| n);
        let end = match cut {
            Cut::Whole => None,
            Cut::Lines => (c == '\n').then_some(i + 1),
            Cut::Sentences => {
                let closer_follows = next.is_some_and(|n| matches!(n, '”' | '"' | '’' | '）' | ')'));
                if matches!(c, '。' | '！' | '？') && !closer_follows {
                    Some(i + c.len_utf8())
                } else if matches!(c, '.' | '!' | '?') && next.is_some_and(char::is_whitespace) && !(c == '.' && ends_with_abbreviation(&text[start..i])) {
                    Some(i + 1)
                } else if c == '\n' {
                    Some(i + 1)
                } else if matches!(c, '”' | '"' | '）' | ')') && k > 0 && matches!(chars[k - 1].1, '。' | '！' | '？' | '.' | '!' | '?') {
                    Some(i + c.len_utf8())
                } else {
                    None
                }
            }
        };
        if let Some(end) = end {
            let unit = clean_unit(&text[start..end]);
            if !unit.is_empty() {
                units.push(unit);
            }
            start = end;
        }
    }
    if done {
        let unit = clean_unit(&text[start..]);
        if !unit.is_empty() {
            units.push(unit);
        }
        start = text.len();
    }
    (units, start)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_lose_markers_and_labels() {
        assert_eq!(clean_unit("- **青溪1路**正式开通。"), "青溪1路正式开通。");
        assert_eq!(clean_unit("2、票价为1元。"), "票价为1元。");
        assert_eq!(clean_unit("Summary: Sales rose."), "Sales rose.");
        assert_eq!(clean_unit("标题：“青溪镇开通微循环公交”"), "青溪镇开通微循环公交");
        assert_eq!(clean_unit("3.2万名居民受益"), "3.2万名居民受益");
    }

    #[test]
    fn streaming_units_wait_for_their_end() {
        let (u, rest) = finished_units(Cut::Sentences, "Sales rose 4.", false);
        assert!(u.is_empty() && rest == 0);
        let (u, rest) = finished_units(Cut::Sentences, "Sales rose 4.1 percent. Then", false);
        assert_eq!(u, ["Sales rose 4.1 percent."]);
        assert_eq!(&"Sales rose 4.1 percent. Then"[rest..], " Then");
        let (u, _) = finished_units(Cut::Sentences, "他说：“一趟就到。”然后", false);
        assert_eq!(u, ["他说：“一趟就到。”"]);
        let (u, _) = finished_units(Cut::Sentences, "Kestrel Home Inc. recalled 12,400 units. Dr. Marsh said so. Then", false);
        assert_eq!(u, ["Kestrel Home Inc. recalled 12,400 units.", "Dr. Marsh said so."]);
        let (u, _) = finished_units(Cut::Lines, "- 一\n- 二\n- 三", true);
        assert_eq!(u, ["一", "二", "三"]);
        let (u, rest) = finished_units(Cut::Whole, "青溪镇开通。新线路", false);
        assert!(u.is_empty() && rest == 0);
        assert_eq!(finished_units(Cut::Whole, "标题：青溪镇开通。", true).0, ["青溪镇开通。"]);
    }
}
