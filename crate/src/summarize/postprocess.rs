//! The shape of a summary's units: where they end (`cut`), the length rules the model may
//! ignore (headline words, unit counts) and how units are joined into the text.

use super::{Format, Language, SummaryType};
use crate::guarded::Cut;
use crate::text::{is_han, jieba};

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

/// Where a unit of this type ends in the model's text.
pub fn cut(kind: SummaryType) -> Cut {
    match kind {
        SummaryType::KeyPoints => Cut::Lines,
        SummaryType::Tldr | SummaryType::Teaser => Cut::Sentences,
        SummaryType::Headline => Cut::Whole,
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::summarize::Length;

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
    fn unit_counts_follow_the_length() {
        assert_eq!(unit_limit(SummaryType::KeyPoints, Length::Long), 7);
        assert_eq!(unit_limit(SummaryType::Headline, Length::Long), 1);
    }
}
