//! Cross-language summaries are made in two steps: a summary in the source's language (what a
//! 0.5B model does best), then each of its sentences translated on its own (a short, literal
//! task it does far better than "summarize and translate at once"). This module holds the
//! translation step: its prompt (names already rendered, see `names`), its decoding
//! constraints, and the check a translated sentence must pass before a reader sees it.

use super::guard::{latin_names, numbers};
use super::language::{is_han, Language};
use super::names::{self, Rendering};
use crate::llm::constraint::{Constraints, Script};
use crate::llm::session::chatml;
use crate::tokenizer::Tokenizer;
use serde::Serialize;

/// Latin abbreviations a Chinese sentence may use without the source having them.
const ZH_LATIN_OK: &[&str] = &["km", "kg", "cm", "mm", "kwh", "mw", "gw", "gb", "tb", "mb", "ai", "app", "usb", "gps", "led", "ceo", "cfo", "cto", "vr", "ar", "suv", "ev"];

/// Capitalized English words a translation may use though no name backs them.
const EN_CAPITALIZED_OK: &[&str] = &[
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december",
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "chinese", "english", "i",
];

const MONTHS: &[&str] = &["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

/// Titles before a name ("Dr. Helen Marsh": Helen is the name to keep).
const TITLES: &[&str] = &["dr", "mr", "mrs", "ms", "prof", "sir", "st", "the"];

/// Scale words after a number, English and Chinese.
const SCALES: &[(&str, f64)] = &[
    ("trillion", 1e12), ("billion", 1e9), ("million", 1e6), ("thousand", 1e3), ("bn", 1e9), ("mn", 1e6),
    ("万亿", 1e12), ("千亿", 1e11), ("百亿", 1e10), ("亿", 1e8), ("千万", 1e7), ("百万", 1e6), ("万", 1e4),
];

/// Byte length of the number `tail` starts with: digits with inner "." or "," ("12,400", "96.4").
fn number_len(tail: &str) -> usize {
    tail.char_indices()
        .take_while(|&(i, c)| c.is_ascii_digit() || ((c == '.' || c == ',') && tail[i + 1..].starts_with(|d: char| d.is_ascii_digit())))
        .last()
        .map_or(0, |(i, c)| i + c.len_utf8())
}

/// Each digit number with its value after a scale word: ("96.4", 96_400_000.0) for "96.4 million",
/// ("1.24", 12_400.0) for "1.24万"; "%" and plain numbers keep their value.
pub fn quantities(text: &str) -> Vec<(String, f64)> {
    let narrow: String = text.chars().map(|c| if c == '，' { ',' } else { c }).collect();
    let mut out = Vec::new();
    let mut rest = narrow.as_str();
    while let Some(start) = rest.find(|c: char| c.is_ascii_digit()) {
        let tail = &rest[start..];
        let len = number_len(tail);
        let digits = &tail[..len];
        let normalized: String = digits.chars().filter(|&c| c != ',').collect();
        let after = tail[len..].trim_start().trim_start_matches('-').to_lowercase();
        let scale = SCALES.iter().find(|(w, _)| after.starts_with(w)).map_or(1.0, |(_, s)| *s);
        if let Ok(v) = normalized.parse::<f64>() {
            out.push((normalized, v * scale));
        }
        rest = &tail[len.max(1)..];
    }
    out
}

/// Why a translated (or same-language) sentence was not shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "text", rename_all = "kebab-case")]
pub enum Problem {
    /// Letters of the other script ("prowess" inside a Chinese sentence, 杭州 in an English one).
    WrongScript(String),
    /// A number the source sentence does not have.
    AddedNumber(String),
    /// A number of the source sentence the translation lost.
    LostNumber(String),
    /// A name of the source sentence the translation does not render as given.
    LostName(String),
    /// A capitalized name no source name backs.
    AddedName(String),
    /// Empty, or far longer than the source sentence (the model ran on).
    Length(String),
}

impl Problem {
    pub fn reason(&self) -> String {
        match self {
            Problem::WrongScript(t) => format!("wrong script: {t}"),
            Problem::AddedNumber(t) => format!("number not in the source: {t}"),
            Problem::LostNumber(t) => format!("number lost in translation: {t}"),
            Problem::LostName(t) => format!("name lost in translation: {t}"),
            Problem::AddedName(t) => format!("name not in the source: {t}"),
            Problem::Length(t) => format!("length: {t}"),
        }
    }
}

/// One sentence to translate.
pub struct Request {
    /// The source sentence with names already rendered in the target language.
    pub prepared: String,
    pub names: Vec<Rendering>,
    pub from: Language,
    pub to: Language,
}

impl Request {
    pub fn new(sentence: &str, from: Language, to: Language) -> Self {
        let names = match to {
            Language::En => names::zh_names_in(sentence),
            _ => names::en_names_in(sentence),
        };
        let prepared = render_quantities(&names::substitute(sentence, &names), to);
        Self { prepared: render_dates(&prepared, to), names, from, to }
    }

    /// ChatML prompt: a fixed system prompt per direction (cached between sentences).
    pub fn prompt(&self) -> String {
        match self.to {
            Language::En => chatml(
                "You are a professional translator from Chinese to English. Translate faithfully and completely; keep every number and every name exactly as written.",
                &format!("Translate into English. Output only the translation.\n\n{}", self.prepared),
            ),
            _ => chatml(
                "你是一名专业的英译中翻译。忠实、完整地翻译，数字和名字保持原样，英文人名和机构名保留英文原文。",
                &format!("把下面的英文翻译成中文，只输出译文。\n\n{}", self.prepared),
            ),
        }
    }

    pub fn max_tokens(&self, tokenizer: &Tokenizer) -> usize {
        16 + 2 * tokenizer.encode(&self.prepared, false).len()
    }

    /// The script mask for the target language (Latin names the translation may keep).
    pub fn constraints(&self, tokenizer: &Tokenizer) -> Constraints {
        match self.to {
            Language::En => Constraints::for_script(tokenizer, Script::Latin, &[]),
            _ => Constraints::for_script(tokenizer, Script::Han, &self.allowed_latin()),
        }
    }

    fn allowed_latin(&self) -> Vec<String> {
        let mut allowed: Vec<String> = latin_words(&self.prepared).into_iter().filter(|w| w.chars().next().is_some_and(|c| c.is_ascii_uppercase())).collect();
        allowed.extend(self.names.iter().filter(|r| r.target.is_ascii()).map(|r| r.target.clone()));
        allowed.extend(ZH_LATIN_OK.iter().map(|s| s.to_string()));
        allowed
    }

    /// The names a translation must keep: each rendered Chinese name; of each run of
    /// capitalized English words ("Silver Pine", "Harlow Creek Town Council") at least one word
    /// — the rest may be translated ("银 Pine", "Harlow Creek镇议会"). Titles, days and months
    /// do not count.
    fn required_names(&self) -> Vec<Vec<String>> {
        if self.to == Language::En {
            return self.names.iter().map(|r| vec![r.target.clone()]).collect();
        }
        let names = latin_names(&self.prepared);
        let mut runs: Vec<Vec<String>> = Vec::new();
        let mut current: Vec<String> = Vec::new();
        for word in self.prepared.split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | ':' | '(' | ')' | '"' | '“' | '”')) {
            let bare = word.trim_matches(|c: char| !c.is_alphanumeric());
            let lower = bare.to_lowercase();
            let skip = EN_CAPITALIZED_OK.contains(&lower.as_str()) || MONTHS.contains(&lower.as_str()) || TITLES.contains(&lower.as_str());
            let capital = bare.chars().next().is_some_and(|c| c.is_ascii_uppercase());
            if capital && !skip && bare.len() >= 2 && names.iter().any(|n| n == bare) {
                current.push(bare.to_string());
            } else if !(capital && skip) && !current.is_empty() {
                runs.push(std::mem::take(&mut current));
            }
        }
        if !current.is_empty() {
            runs.push(current);
        }
        // Known names were replaced by their Chinese rendering, which must be kept instead.
        runs.extend(self.names.iter().filter(|r| !r.target.is_ascii()).map(|r| vec![r.target.clone()]));
        runs.dedup();
        runs
    }

    /// Problems of `translation` (trimmed model output) against the source sentence.
    pub fn check(&self, source_sentence: &str, translation: &str) -> Vec<Problem> {
        let mut out = Vec::new();
        let t = translation.trim();
        let source_len = source_sentence.chars().count().max(1);
        let ratio = t.chars().count() as f64 / source_len as f64;
        let (low, high) = if self.to == Language::En { (0.8, 8.0) } else { (0.12, 1.5) };
        if t.is_empty() || ratio < low || ratio > high {
            out.push(Problem::Length(format!("{} characters for {source_len}", t.chars().count())));
        }
        out.extend(script_problems(t, self.to, &self.allowed_latin()));
        if self.to == Language::Zh && !t.chars().any(is_han) {
            out.push(Problem::WrongScript("no Chinese at all".into()));
        }
        // Quantities with their scale: "$96.4 million" is 9,640万, never 96.4亿.
        let source_q = quantities(source_sentence);
        let found_q = quantities(t);
        // A scaled quantity must match by value; a plain number may also be a month or a
        // Chinese numeral of the other side (三月 → March, 四成 → 40%).
        let plain = number_values(source_sentence);
        let same = |a: f64, b: f64| (a - b).abs() <= 1e-6 * a.abs().max(b.abs()).max(1.0);
        let scaled = |text: &str, q: f64| text.parse::<f64>().map_or(true, |v| !same(v, q));
        for (text, q) in &found_q {
            if !source_q.iter().any(|(_, s)| same(*s, *q)) && (scaled(text, *q) || !plain.contains(text)) {
                out.push(Problem::AddedNumber(text.clone()));
            }
        }
        let found_plain = number_values(t);
        for (text, q) in &source_q {
            if !found_q.iter().any(|(_, f)| same(*f, *q)) && (scaled(text, *q) || !found_plain.contains(text)) {
                out.push(Problem::LostNumber(text.clone()));
            }
        }
        for run in self.required_names() {
            let kept = run.iter().any(|name| if self.to == Language::En { t.to_lowercase().contains(&name.to_lowercase()) } else { t.contains(name.as_str()) });
            if !kept {
                out.push(Problem::LostName(run.join(" ")));
            }
        }
        if self.to == Language::En {
            let backed = self.prepared.to_lowercase();
            for name in latin_names(t) {
                let lower = name.to_lowercase();
                // A capitalized English word ("Middle School") is the translator's; a romanized
                // Chinese name it made up itself ("Chuanlian", "Zhang") is not backed by the source.
                if !backed.contains(&lower) && !EN_CAPITALIZED_OK.contains(&lower.as_str()) && is_pinyin(&lower) {
                    out.push(Problem::AddedName(name));
                }
            }
        }
        out.dedup();
        out
    }
}

/// A number in the target language's way of scaling it, so the model only has to copy it:
/// "$96.4 million" → "9640万美元", "1.38 billion" → "13.8亿"; "9640万" → "96.4 million",
/// "1.24万" → "12,400". Plain numbers stay as they are.
pub fn render_quantities(text: &str, to: Language) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    while let Some(start) = rest.find(|c: char| c.is_ascii_digit()) {
        let (before, tail) = rest.split_at(start);
        let len = number_len(tail);
        let digits: String = tail[..len].chars().filter(|&c| c != ',').collect();
        let after = &tail[len..];
        // "96.4 million", "14-billion-parameter"
        let spaced = after.trim_start().strip_prefix('-').unwrap_or(after.trim_start());
        let lower = spaced.to_lowercase();
        let scale = SCALES.iter().find(|(w, _)| lower.starts_with(w) && !lower[w.len()..].starts_with(|c: char| c.is_ascii_alphabetic()));
        let value = digits.parse::<f64>().ok();
        match (scale, value) {
            (Some((word, factor)), Some(v)) if word.is_ascii() == (to == Language::Zh) => {
                let dollars = before.ends_with('$');
                let mut head = before.to_string();
                if dollars {
                    head.pop();
                }
                out.push_str(&head);
                let consumed = after.len() - spaced.len() + word.len();
                let mut rendered = match to {
                    Language::Zh => zh_amount(v * factor),
                    _ => en_amount(v * factor),
                };
                if dollars {
                    rendered.push_str(if to == Language::Zh { "美元" } else { " dollars" });
                }
                out.push_str(&rendered);
                rest = &after[consumed..];
            }
            _ => {
                out.push_str(before);
                out.push_str(&tail[..len.max(1)]);
                rest = &tail[len.max(1)..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Up to four significant decimals, no trailing zeros: 13.8, 9640, 0.87.
fn short_number(v: f64) -> String {
    let s = format!("{:.4}", v);
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn zh_amount(v: f64) -> String {
    if v >= 1e8 {
        format!("{}亿", short_number(v / 1e8))
    } else if v >= 1e4 {
        format!("{}万", short_number(v / 1e4))
    } else {
        short_number(v)
    }
}

fn en_amount(v: f64) -> String {
    if v >= 1e9 {
        format!("{} billion", short_number(v / 1e9))
    } else if v >= 1e6 {
        format!("{} million", short_number(v / 1e6))
    } else if v.fract() == 0.0 && v >= 1e4 {
        let digits = format!("{}", v as u64);
        let mut grouped = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(c);
        }
        grouped
    } else {
        short_number(v)
    }
}

const MONTH_NAMES: &[&str] = &["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

/// Dates in the target language's form: "Aug. 2025" → "2025年8月", "March 2, 2026" →
/// "2026年3月2日"; "2026年3月2日" → "March 2, 2026", "3月2日" → "March 2".
pub fn render_dates(text: &str, to: Language) -> String {
    match to {
        Language::Zh => en_dates_to_zh(text),
        _ => zh_dates_to_en(text),
    }
}

fn en_dates_to_zh(text: &str) -> String {
    let words: Vec<&str> = text.split(' ').collect();
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    let number = |w: &str, max: u32| -> Option<u32> {
        let d = w.trim_end_matches([',', '.', ';']);
        d.parse::<u32>().ok().filter(|n| *n >= 1 && *n <= max && d.len() <= 4)
    };
    while i < words.len() {
        let w = words[i].trim_end_matches([',', '.']);
        let month = MONTH_NAMES.iter().position(|m| m.eq_ignore_ascii_case(w) || (w.len() >= 3 && m[..3].eq_ignore_ascii_case(w) && words[i].ends_with('.')) || (w.eq_ignore_ascii_case("sept") && m.starts_with("Sep")));
        if let Some(m) = month {
            let day = words.get(i + 1).and_then(|d| number(d, 31).filter(|_| !d.trim_end_matches([',', '.']).starts_with('0')));
            let year_at = if day.is_some() { i + 2 } else { i + 1 };
            let year = words.get(year_at).and_then(|y| number(y, 2200).filter(|y| *y >= 1900));
            let (rendered, used, tail_word) = match (day, year) {
                (Some(d), Some(y)) => (format!("{y}年{}月{d}日", m + 1), 3, words[year_at]),
                (Some(d), None) => (format!("{}月{d}日", m + 1), 2, words[i + 1]),
                (None, Some(y)) => (format!("{y}年{}月", m + 1), 2, words[year_at]),
                (None, None) => (String::new(), 0, ""),
            };
            if used > 0 {
                let trailing: String = tail_word.chars().rev().take_while(|c| matches!(c, ',' | '.' | ';')).collect();
                out.push(format!("{rendered}{trailing}"));
                i += used;
                continue;
            }
        }
        out.push(words[i].to_string());
        i += 1;
    }
    out.join(" ")
}

fn zh_dates_to_en(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    let digits_at = |k: usize| -> (Option<u32>, usize) {
        let n = chars[k..].iter().take_while(|c| c.is_ascii_digit()).count();
        (chars[k..k + n].iter().collect::<String>().parse().ok(), n)
    };
    while i < chars.len() {
        if !chars[i].is_ascii_digit() || (i > 0 && (chars[i - 1].is_ascii_digit() || chars[i - 1] == '.')) {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let (mut year, mut month, mut day) = (None, None, None);
        let mut k = i;
        let (v, n) = digits_at(k);
        if chars.get(k + n) == Some(&'年') && n == 4 {
            year = v;
            k += n + 1;
        }
        let (v, n) = if k < chars.len() { digits_at(k) } else { (None, 0) };
        if n > 0 && n <= 2 && chars.get(k + n) == Some(&'月') && v.is_some_and(|m| (1..=12).contains(&m)) {
            month = v;
            k += n + 1;
            let (v, n) = if k < chars.len() { digits_at(k) } else { (None, 0) };
            if n > 0 && n <= 2 && matches!(chars.get(k + n), Some('日') | Some('号')) && v.is_some_and(|d| (1..=31).contains(&d)) {
                day = v;
                k += n + 1;
            }
        }
        let rendered = match (year, month, day) {
            (Some(y), Some(m), Some(d)) => format!("{} {d}, {y}", MONTH_NAMES[m as usize - 1]),
            (Some(y), Some(m), None) => format!("{} {y}", MONTH_NAMES[m as usize - 1]),
            (None, Some(m), Some(d)) => format!("{} {d}", MONTH_NAMES[m as usize - 1]),
            (None, Some(m), None) => MONTH_NAMES[m as usize - 1].to_string(),
            _ => String::new(),
        };
        if rendered.is_empty() {
            out.push(chars[i]);
            i += 1;
        } else {
            out.push_str(&rendered);
            i = k;
        }
    }
    out
}

/// Whether a lowercase word is a run of Hanyu Pinyin syllables ("chuanlian", "zhang",
/// "weishengyuan"), i.e. looks like a romanized Chinese name rather than an English word.
pub fn is_pinyin(word: &str) -> bool {
    const INITIALS: &[&str] = &["zh", "ch", "sh", "b", "p", "m", "f", "d", "t", "n", "l", "g", "k", "h", "j", "q", "x", "r", "z", "c", "s", "y", "w", ""];
    const FINALS: &[&str] = &[
        "iang", "iong", "uang", "ang", "eng", "ing", "ong", "ian", "iao", "uai", "uan", "ai", "ei", "ui", "ao", "ou", "iu", "ie",
        "ue", "er", "an", "en", "in", "un", "ia", "ua", "uo", "a", "o", "e", "i", "u", "v",
    ];
    let w = word.as_bytes();
    if w.len() < 2 || !w.iter().all(u8::is_ascii_lowercase) {
        return false;
    }
    // ok[i]: the first i letters split into syllables.
    let mut ok = vec![false; w.len() + 1];
    ok[0] = true;
    for i in 0..w.len() {
        if !ok[i] {
            continue;
        }
        for initial in INITIALS {
            if !w[i..].starts_with(initial.as_bytes()) {
                continue;
            }
            let j = i + initial.len();
            for fin in FINALS {
                if w[j..].starts_with(fin.as_bytes()) {
                    ok[j + fin.len()] = true;
                }
            }
        }
    }
    ok[w.len()]
}

/// Letters of the wrong script: Han in English text; in Chinese text, Latin words that are
/// not in `allowed_latin` (names of the source, units) — "基于其技术prowess" is a violation.
pub fn script_problems(text: &str, language: Language, allowed_latin: &[String]) -> Vec<Problem> {
    match language {
        Language::En => {
            let han: String = text.chars().filter(|&c| is_han(c)).collect();
            if han.is_empty() { vec![] } else { vec![Problem::WrongScript(han)] }
        }
        _ => {
            let allowed: Vec<String> = allowed_latin.iter().map(|a| a.to_lowercase()).collect();
            latin_words(text)
                .into_iter()
                .filter(|w| {
                    let lower = w.to_lowercase();
                    // Single letters: "7:55 a.m.", "A股", "B站".
                    w.chars().count() > 1 && !allowed.iter().any(|a| names::contains_word(a, &lower) || *a == lower)
                })
                .map(Problem::WrongScript)
                .collect()
        }
    }
}

/// Runs of ASCII letters (with inner digits, e.g. "T3", "iPhone").
pub fn latin_words(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '\''))
        .filter(|w| w.chars().any(|c| c.is_ascii_alphabetic()))
        .map(|w| w.trim_matches('\'').to_string())
        .filter(|w| !w.is_empty())
        .collect()
}

/// Every number a sentence states: its digits, its Chinese numerals (四成 → 4 and 40, 两 → 2)
/// and its month names (March → 3), normalized as `guard::numbers` writes them.
pub fn number_values(text: &str) -> Vec<String> {
    let mut out = numbers(text);
    out.extend(chinese_numerals(text).into_iter().map(|v| v.to_string()));
    let lower = text.to_lowercase();
    for word in lower.split(|c: char| !c.is_ascii_alphabetic()).filter(|w| w.len() >= 3) {
        if let Some(m) = MONTHS.iter().position(|m| word.starts_with(m) && (word.len() == 3 || full_month(word))) {
            out.push((m + 1).to_string());
        }
    }
    out
}

fn full_month(word: &str) -> bool {
    EN_CAPITALIZED_OK[..12].contains(&word) || word == "sept"
}

/// Values of Chinese numeral runs (一千二百 → 1200); a run followed by 成 also as tenths (四成 → 40).
fn chinese_numerals(text: &str) -> Vec<u64> {
    let digit = |c: char| {
        Some(match c {
            '〇' | '零' => 0,
            '一' => 1,
            '二' | '两' => 2,
            '三' => 3,
            '四' => 4,
            '五' => 5,
            '六' => 6,
            '七' => 7,
            '八' => 8,
            '九' => 9,
            _ => return None,
        })
    };
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let start = i;
        let (mut total, mut section, mut current) = (0u64, 0u64, 0u64);
        while i < chars.len() {
            let c = chars[i];
            if let Some(d) = digit(c) {
                current = d;
            } else {
                let unit = match c {
                    '十' => 10,
                    '百' => 100,
                    '千' => 1000,
                    '万' => 10_000,
                    '亿' => 100_000_000,
                    _ => break,
                };
                if unit >= 10_000 {
                    total += (section + current).max(1) * unit;
                    section = 0;
                } else {
                    section += current.max(1) * unit;
                }
                current = 0;
            }
            i += 1;
        }
        if i == start {
            i += 1;
            continue;
        }
        let value = total + section + current;
        out.push(value);
        if chars.get(i) == Some(&'成') {
            out.push(value * 10);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_numerals_and_months_count_as_numbers() {
        assert_eq!(chinese_numerals("增长了约四成，两名客服，一千二百人"), [4, 40, 2, 1200]);
        assert_eq!(chinese_numerals("三万五千"), [35000]);
        assert!(number_values("on March 2, 2026").contains(&"3".to_string()));
        assert!(number_values("2026年3月2日").contains(&"3".to_string()));
    }

    #[test]
    fn quantities_and_dates_are_rendered_for_the_target_language() {
        assert_eq!(render_quantities("Net income came to $96.4 million, up from $1.38 billion.", Language::Zh), "Net income came to 9640万美元, up from 13.8亿美元.");
        assert_eq!(render_quantities("a 14-billion-parameter model", Language::Zh), "a 140亿-parameter model");
        assert_eq!(render_quantities("营收1.24万元，投资300万元，共2300名", Language::En), "营收12,400元，投资3 million元，共2300名");
        assert_eq!(render_dates("sold between Aug. 2025 and Jan. 2026, and on March 2, 2026.", Language::Zh), "sold between 2025年8月 and 2026年1月, and on 2026年3月2日.");
        assert_eq!(render_dates("2026年3月2日开通，3月5日起，2025年12月完成", Language::En), "March 2, 2026开通，March 5起，December 2025完成");
    }

    #[test]
    fn romanized_names_are_told_from_english_words() {
        for p in ["chuanlian", "zhang", "weishengyuan", "qingxi", "xian", "hangzhou"] {
            assert!(is_pinyin(p), "{p}");
        }
        for e in ["town", "middle", "school", "market", "railway", "station", "council", "street"] {
            assert!(!is_pinyin(e), "{e}");
        }
    }

    #[test]
    fn quantities_keep_their_scale() {
        assert_eq!(quantities("$96.4 million and 12,400 units"), [("96.4".to_string(), 96.4e6), ("12400".to_string(), 12400.0)]);
        assert_eq!(quantities("9640万美元，1.24万台"), [("9640".to_string(), 9.64e7), ("1.24".to_string(), 12400.0)]);
        let source = "Net income came to $96.4 million, or $0.87 per share.";
        let r = Request::new(source, Language::En, Language::Zh);
        assert_eq!(r.check(source, "净利润为9640万美元，合每股0.87美元。"), vec![]);
        assert!(r.check(source, "净利润为96.4亿美元，合每股0.87美元。").contains(&Problem::AddedNumber("96.4".into())));
    }

    #[test]
    fn only_the_distinctive_word_of_an_english_name_must_stay() {
        let source = "The Harlow Creek Town Council approved the bridge on Tuesday, said Dr. Helen Marsh.";
        let r = Request::new(source, Language::En, Language::Zh);
        assert_eq!(r.required_names(), [vec!["Harlow", "Creek", "Town", "Council"], vec!["Helen", "Marsh"]]);
        assert_eq!(r.check(source, "Harlow Creek镇议会周二批准了这座桥，Helen Marsh博士说。"), vec![]);
    }

    #[test]
    fn a_faithful_translation_passes_and_a_garbled_one_does_not() {
        let source = "程雨桐在杭州的阳台上种了三年菜，花费86元。";
        let r = Request::new(source, Language::Zh, Language::En);
        assert!(r.prepared.contains("Cheng Yutong") && r.prepared.contains("Hangzhou"), "{}", r.prepared);
        let good = "Cheng Yutong has grown vegetables on her balcony in Hangzhou for three years, spending 86 yuan.";
        assert_eq!(r.check(source, good), vec![]);
        let bad = r.check(source, "Cheng Yuting spent 96 yuan in 杭州 with Zhang Wei.");
        assert!(bad.contains(&Problem::AddedNumber("96".into())), "{bad:?}");
        assert!(bad.contains(&Problem::LostNumber("86".into())), "{bad:?}");
        assert!(bad.contains(&Problem::LostName("Cheng Yutong".into())), "{bad:?}");
        let silver = "Silver Pine is a sleeper train of Northern Lines.";
        let r = Request::new(silver, Language::En, Language::Zh);
        assert_eq!(r.check(silver, "银 Pine是北方 Lines的卧铺列车。"), vec![], "one word of each name is enough");
        assert!(bad.iter().any(|p| matches!(p, Problem::WrongScript(_))), "{bad:?}");
        assert!(bad.contains(&Problem::AddedName("Zhang".into())), "{bad:?}");
    }

    #[test]
    fn english_words_inside_chinese_are_wrong_script_unless_names() {
        let source = "Kestrel Home recalls 12,400 Aria T3 thermostats, said Helen Marsh.";
        let r = Request::new(source, Language::En, Language::Zh);
        assert_eq!(r.check(source, "Kestrel Home召回12,400台Aria T3恒温器，Helen Marsh说。"), vec![]);
        let bad = r.check(source, "基于其技术prowess，Kestrel召回12400台Aria T3恒温器，Helen Marsh说。");
        assert!(bad.contains(&Problem::WrongScript("prowess".into())), "{bad:?}");
    }
}
