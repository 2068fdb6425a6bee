//! Cleaning the model's raw text into units (bullets, sentences, a headline) and enforcing
//! the length rules even when the model ignores them.

use crate::text::{is_han, jieba};
use super::{Format, Language, SummaryType};

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

/// Headline length: words for English, characters / 2 for Chinese (Chrome's rule). Cuts at a
/// word boundary (or, in Chinese, at a comma when one is close to the limit).
pub fn limit_headline(headline: &str, words: usize) -> String {
    let headline = headline.lines().next().unwrap_or("").trim().trim_end_matches(['。', '.']);
    let han = headline.chars().filter(|&c| is_han(c)).count();
    if han * 2 > headline.chars().count() {
        let max = words * 2;
        let chars: Vec<char> = headline.chars().collect();
        if chars.len() <= max {
            return headline.to_string();
        }
        let cut = chars[..max].iter().rposition(|&c| matches!(c, '，' | '：' | '、' | ' ')).filter(|&i| i >= max / 2).unwrap_or(max);
        return chars[..cut].iter().collect::<String>().trim_end_matches(['，', '：', '、']).to_string();
    }
    headline.split_whitespace().take(words).collect::<Vec<_>>().join(" ").trim_end_matches([',', ':', ';']).to_string()
}

/// English words that make a headline a sentence (auxiliaries and common headline verbs that
/// carry no -s / -ed ending).
const EN_VERBS: &[&str] = &[
    "is", "are", "was", "were", "will", "can", "may", "must", "has", "have", "had", "to", "get", "set", "win", "hit",
    "cut", "put", "let", "run", "see", "say", "take", "make", "open", "close", "plan", "face", "push", "urge", "warn",
    "add", "drop", "rise", "fall", "hire", "sell", "buy", "pay", "back", "ban", "bring", "keep", "launch", "join",
];

/// Why `headline` is not one news sentence: 6–14 words (English) or 10–24 characters
/// (Chinese), no colon splice, and a verb (jieba's tags for Chinese; for English a known verb
/// or a word ending in -s / -ed after the first word — "Kestrel Home Recalls 12,400 Units").
pub fn headline_problems(headline: &str, language: Language) -> Vec<String> {
    let mut out = Vec::new();
    if headline.contains([':', '：', ';', '；']) {
        out.push("headline: not one sentence (colon)".to_string());
    }
    if language == Language::Zh {
        let chars = headline.chars().filter(|c| !c.is_whitespace()).count();
        if !(10..=24).contains(&chars) {
            out.push(format!("headline: {chars} characters (10–24)"));
        }
        let has_verb = jieba().tag(headline, true).iter().any(|t| t.tag.starts_with('v'));
        if !has_verb {
            out.push("headline: no verb".to_string());
        }
    } else {
        let words: Vec<String> = headline.split_whitespace().map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()).to_lowercase()).filter(|w| !w.is_empty()).collect();
        if !(6..=14).contains(&words.len()) {
            out.push(format!("headline: {} words (6–14)", words.len()));
        }
        let verb = words.iter().enumerate().any(|(i, w)| {
            EN_VERBS.contains(&w.as_str())
                || (i > 0 && w.len() > 3 && w.chars().all(|c| c.is_ascii_alphabetic()) && (w.ends_with("ed") || (w.ends_with('s') && !w.ends_with("ss"))))
        });
        if !verb {
            out.push("headline: no verb".to_string());
        }
    }
    out
}

/// How many units the length allows.
pub fn unit_limit(kind: SummaryType, length: super::Length) -> usize {
    match kind {
        SummaryType::KeyPoints => length.key_points(),
        SummaryType::Tldr | SummaryType::Teaser => length.sentences(),
        SummaryType::Headline => 1,
    }
}

/// The separator written before a unit that is not the first one.
pub fn join_units(kind: SummaryType, format: Format, language: Language, units: &[String]) -> String {
    let mut out = String::new();
    for (i, u) in units.iter().enumerate() {
        out.push_str(&unit_prefix(kind, format, language, i));
        out.push_str(u);
    }
    out
}

pub fn unit_prefix(kind: SummaryType, format: Format, language: Language, index: usize) -> String {
    match kind {
        SummaryType::KeyPoints => {
            let bullet = if format == Format::Markdown { "- " } else { "• " };
            if index == 0 { bullet.to_string() } else { format!("\n{bullet}") }
        }
        _ if index == 0 => String::new(),
        _ if language == Language::Zh => String::new(),
        _ => " ".to_string(),
    }
}

/// Splits text produced so far into finished units and the unfinished rest (byte offset where
/// the rest starts). Key points end at a line break; sentences at 。！？ or at . ! ? followed
/// by white space (so "4.1" is not split). `done`: the generation ended, the rest is a unit too.
pub fn finished_units(kind: SummaryType, text: &str, done: bool) -> (Vec<String>, usize) {
    let mut units = Vec::new();
    let mut start = 0;
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    for (k, &(i, c)) in chars.iter().enumerate() {
        let next = chars.get(k + 1).map(|&(_, n)| n);
        let end = match kind {
            SummaryType::Headline => None,
            SummaryType::KeyPoints => (c == '\n').then_some(i + 1),
            _ => {
                let closer_follows = next.is_some_and(|n| matches!(n, '”' | '"' | '’' | '）' | ')'));
                if matches!(c, '。' | '！' | '？') && !closer_follows {
                    Some(i + c.len_utf8())
                } else if matches!(c, '.' | '!' | '?') && next.is_some_and(char::is_whitespace) && !(c == '.' && crate::text::abbreviations::ends_with_abbreviation(&text[start..i])) {
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
    use crate::summarize::Length;

    #[test]
    fn units_lose_markers_and_labels() {
        assert_eq!(clean_unit("- **青溪1路**正式开通。"), "青溪1路正式开通。");
        assert_eq!(clean_unit("2、票价为1元。"), "票价为1元。");
        assert_eq!(clean_unit("Summary: Sales rose."), "Sales rose.");
        assert_eq!(clean_unit("标题：“青溪镇开通微循环公交”"), "青溪镇开通微循环公交");
        assert_eq!(clean_unit("3.2万名居民受益"), "3.2万名居民受益");
    }

    #[test]
    fn headline_limits_words_and_chinese_characters() {
        assert_eq!(limit_headline("One two three four five six seven eight nine ten eleven twelve thirteen", 12).split(' ').count(), 12);
        let zh = limit_headline("青溪镇首条社区微循环公交正式开通运营，串联十四个站点方便居民出行", 12);
        assert!(zh.chars().count() <= 24 && zh.starts_with("青溪镇"), "{zh}");
        assert_eq!(limit_headline("Short headline.", 12), "Short headline");
    }

    #[test]
    fn headlines_are_one_sentence_with_a_verb() {
        assert!(headline_problems("Kestrel Home recalls 12,400 smart thermostats over battery fires", Language::En).is_empty());
        assert!(!headline_problems("Apple's Q4 AI rollout: China and other languages will be partners", Language::En).is_empty());
        assert!(!headline_problems("New bus line", Language::En).is_empty());
        assert!(headline_problems("青溪镇首条社区微循环公交正式开通", Language::Zh).is_empty());
        assert!(!headline_problems("城市年轻人的种菜新风尚", Language::Zh).is_empty());
    }

    #[test]
    fn streaming_units_wait_for_their_end() {
        let (u, rest) = finished_units(SummaryType::Tldr, "Sales rose 4.", false);
        assert!(u.is_empty() && rest == 0);
        let (u, rest) = finished_units(SummaryType::Tldr, "Sales rose 4.1 percent. Then", false);
        assert_eq!(u, ["Sales rose 4.1 percent."]);
        assert_eq!(&"Sales rose 4.1 percent. Then"[rest..], " Then");
        let (u, _) = finished_units(SummaryType::Tldr, "他说：“一趟就到。”然后", false);
        assert_eq!(u, ["他说：“一趟就到。”"]);
        let (u, _) = finished_units(SummaryType::Tldr, "Kestrel Home Inc. recalled 12,400 units. Dr. Marsh said so. Then", false);
        assert_eq!(u, ["Kestrel Home Inc. recalled 12,400 units.", "Dr. Marsh said so."]);
        let (u, _) = finished_units(SummaryType::KeyPoints, "- 一\n- 二\n- 三", true);
        assert_eq!(u, ["一", "二", "三"]);
        assert_eq!(unit_limit(SummaryType::KeyPoints, Length::Long), 7);
    }
}
