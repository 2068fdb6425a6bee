//! Whether a sentence is negated: the translation check compares it across languages, since
//! the small translator drops or adds a "not" and keeps every number and name ("None of the
//! infants has died" → 所有婴儿都已死亡, "all the infants have died").

use super::guard::chinese_word_tags;
use super::Language;

/// Chinese words that negate what follows, as jieba cuts them.
const ZH_NEGATIONS: &[&str] = &[
    "不", "没", "没有", "未", "无", "非", "别", "勿", "莫", "不会", "不能", "不是", "不再", "不要", "不得", "不可", "不必", "不用",
    "不肯", "不愿", "不该", "不曾", "未能", "未曾", "尚未", "从未", "并未", "并非", "无法", "没能", "从不", "决不", "绝不", "毫无",
    "毫不",
];

/// English words that negate; any "n't" contraction counts too ("didn't", "won't").
const EN_NEGATIONS: &[&str] = &["not", "no", "none", "never", "nobody", "nothing", "neither", "nor", "without", "cannot", "nowhere"];

/// English words that say "not" within themselves (unable, failed, lacks); with the un- words
/// below they stand for a Chinese negation without being one.
const EN_NEGATIVE_WORDS: &[&str] = &["unable", "fail", "fails", "failed", "lack", "lacks", "lacked", "refuse", "refused", "refuses", "less"];

/// Words spelled un- that are not un- + a word.
const EN_NOT_UN: &[&str] = &["under", "unit", "union", "univers", "uniq", "unveil", "uniform", "unanim", "unif", "until"];

/// How a sentence negates: `strict` by a word that negates (not, 没有), `soft` by a word that
/// carries the negation in itself ("unvaccinated", "unable", 未接种, 不确定, and the
/// non-negating words that open with a negating character: 不少, 不同, 无论 — they only ever
/// excuse a mismatch, never make one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Negation {
    pub strict: bool,
    pub soft: bool,
}

pub fn negation(text: &str, language: Language) -> Negation {
    if language == Language::Zh {
        let words = chinese_word_tags(text);
        return Negation {
            strict: words.iter().any(|(w, _)| ZH_NEGATIONS.contains(&w.as_str())),
            soft: words.iter().any(|(w, _)| w.chars().count() > 1 && w.starts_with(['不', '没', '未', '无', '非'])),
        };
    }
    // "No. 4" is a number; "not only" (不仅) adds rather than negates.
    let lower = text.to_lowercase().replace('’', "'").replace("no. ", "number ");
    let words: Vec<&str> = lower.split(|c: char| !(c.is_ascii_alphabetic() || c == '\'')).filter(|w| !w.is_empty()).collect();
    let strict = words.iter().enumerate().any(|(i, w)| {
        (w.ends_with("n't") || EN_NEGATIONS.contains(w)) && !(*w == "not" && words.get(i + 1) == Some(&"only"))
    });
    // un- and non- words ("unvaccinated", "nonstop", "non-profit") say "not" in one word: 未接种, 非停止.
    let soft = words.iter().any(|w| {
        EN_NEGATIVE_WORDS.contains(w)
            || *w == "non"
            || (w.len() >= 6 && w.starts_with("non"))
            || (w.len() >= 6 && w.starts_with("un") && !EN_NOT_UN.iter().any(|p| w.starts_with(p)))
    });
    Negation { strict, soft }
}

/// The translation's negation against its source sentence's: "lost" when the source negates and
/// the translation has no negation at all, "added" when the translation negates and the source
/// has none (soft ones included: "unvaccinated" is 未接种).
pub fn mismatch(source: &str, from: Language, translation: &str, to: Language) -> Option<&'static str> {
    let (s, t) = (negation(source, from), negation(translation, to));
    if s.strict && !t.strict && !t.soft {
        Some("lost")
    } else if t.strict && !s.strict && !s.soft {
        Some("added")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Sentences written for this test (not from eval/articles).
    #[test]
    fn negations_in_both_languages() {
        for t in ["None of the infants has died.", "The bridge will not reopen before May.", "Officials didn't say.", "He never ran."] {
            assert!(negation(t, Language::En).strict, "{t}");
        }
        for t in ["All four infants are recovering.", "Not only buses but also trams run.", "Nothingham", "Route No. 4 runs.", "212 unvaccinated students"] {
            assert!(!negation(t, Language::En).strict, "{t}");
        }
        for t in ["没有一名婴儿死亡。", "大桥五月前不会重新开放。", "此事尚未决定。", "居民无法预约。", "这并非免费。"] {
            assert!(negation(t, Language::Zh).strict, "{t}");
        }
        for t in ["所有婴儿都已死亡。", "不少居民反映预约困难。", "不到两成的人反对。", "未来价格还会上涨。", "不同意见很多。", "是否愿意还有待观察。"] {
            assert!(!negation(t, Language::Zh).strict, "{t}");
        }
    }

    #[test]
    fn a_lost_or_added_negation_is_a_mismatch() {
        let (en, zh) = (Language::En, Language::Zh);
        assert_eq!(mismatch("None of the infants has died.", en, "所有婴儿都已死亡。", zh), Some("lost"));
        assert_eq!(mismatch("None of the infants has died.", en, "没有一名婴儿死亡。", zh), None);
        assert_eq!(mismatch("四名婴儿都在康复。", zh, "The four infants are not recovering.", en), Some("added"));
        // A negation carried inside a word on the other side is no mismatch.
        assert_eq!(mismatch("School officials barred 212 unvaccinated students.", en, "学校禁止212名未接种的学生上课。", zh), None);
        assert_eq!(mismatch("居民无法在周末预约。", zh, "Residents are unable to book at weekends.", en), None);
        assert_eq!(mismatch("The airline will begin nonstop flights.", en, "航空公司将开通非停止航班。", zh), None);
        assert_eq!(mismatch("A non-profit group runs it.", en, "一家非营利组织负责运营。", zh), None);
    }
}
