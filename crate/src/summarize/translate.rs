//! Cross-language summaries are made in two steps: a summary in the source's language (what a
//! 0.5B model does best), then each of its sentences translated on its own (a short, literal
//! task it does far better than "summarize and translate at once"). This module holds the
//! translation step: its prompt (names already rendered, see `names`), its decoding
//! constraints, and the check a translated sentence must pass before a reader sees it.

use super::guard::{chinese_word_tags, latin_names, numbers};
use crate::text::{is_han, Language};
use super::names::{self, Rendering};
use crate::guarded::script_mask;
use crate::llm::constraint::Constraints;
use crate::llm::session::chatml;
use crate::tokenizer::Tokenizer;
use super::lexicon::WordThresholds;
use serde::Serialize;
use std::collections::HashSet;

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
    /// A number kept with another unit ("310 miles" → "310公里", "60亩" → "60 acres",
    /// "1200万元" → "$12 million", "12.3个百分点" → "12.3%").
    UnitChanged(String),
    /// Words that stand for no word of the source sentence by the installed zh–en lexicon
    /// ("urchins" → 乌鸦, crows): a mistranslation that keeps every number and name.
    Unbacked(String),
    /// One side negated and the other not ("None of the infants has died" → 所有婴儿都已死亡).
    Polarity(String),
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
            Problem::UnitChanged(t) => format!("unit changed: {t}"),
            Problem::Unbacked(t) => format!("words the source sentence does not have (lexicon): {t}"),
            Problem::Polarity(t) => format!("negation {t} in translation"),
        }
    }
}

/// The Latin words an article uses as names — what a Chinese sentence may keep in Latin
/// letters. Being capitalized is not enough: a title-case headline ("Council Approves
/// Pedestrian Footbridge"), a sentence start, a month or a day capitalizes ordinary English
/// words, and "批准 Pedestrian Footbridge" is an English phrase inside Chinese, not a name.
/// So: the name words `guard::latin_names` finds in the article's prose sentences (in a
/// title-case line, only those the article never writes in lowercase), plus the tokens written
/// with a digit or an inner capital ("T3", "iPhone", "Halcyon-3", "Q3", "EV"), all lowercased.
#[derive(Debug, Clone, Default)]
pub struct ArticleNames {
    words: HashSet<String>,
    /// Places a Chinese article names with an administrative unit, and their stems
    /// (`names::zh_places_in`): 霖川 is a place in a sentence that does not say 霖川市; and the
    /// companies and institutions it names before 科技, 公司, 大学 … (`names::zh_institution_names_in`):
    /// 鹭岸 is a name where a sentence writes 鹭岸 alone.
    zh_places: Vec<String>,
    /// Product and brand names a Chinese article gives in quotes (`names::zh_quoted_names_in`):
    /// “衡芯S2” is a name in a sentence that writes it without quotes too.
    zh_quoted: Vec<String>,
}

impl ArticleNames {
    /// From the article's sentences (`Prepared::sentences`).
    pub fn of(sentences: &[String]) -> Self {
        let stem = |w: &str| w.to_lowercase().chars().take(6).collect::<String>();
        // Words the article also writes in lowercase ("pedestrian", "approved"), by a short stem.
        let lowercase: HashSet<String> =
            sentences.iter().flat_map(|s| latin_words(s)).filter(|w| w.starts_with(|c: char| c.is_ascii_lowercase())).map(|w| stem(&w)).collect();
        let mut words = HashSet::new();
        for sentence in sentences {
            for w in latin_words(sentence) {
                let inner_capital = w.chars().skip(1).any(|c| c.is_ascii_uppercase());
                if w.chars().any(|c| c.is_ascii_digit()) || inner_capital {
                    words.insert(w);
                }
            }
            // In a title-case line only the words the article never writes in lowercase.
            let title = is_title_case(sentence);
            let mut found: Vec<String> = latin_names(sentence).into_iter().filter(|n| !title || !lowercase.contains(&stem(n))).collect();
            if !title {
                found.extend(name_runs(sentence, &found));
            }
            for name in found {
                // "Halcyon-3" → also "Halcyon", as the token mask and `latin_words` split it;
                // "Ridgeport-based" → "Ridgeport" only.
                let part_name = |p: &&str| p.starts_with(|c: char| c.is_ascii_uppercase()) || p.chars().any(|c| c.is_ascii_digit());
                for part in name.split(['-', '\'']).filter(part_name) {
                    words.insert(part.to_string());
                }
                words.insert(name);
            }
        }
        let text = sentences.concat();
        let (zh_places, zh_quoted) = names::zh_article_names(&text);
        Self { words, zh_places, zh_quoted }
    }

    /// Whether `word` is a name word of the article as written there, or capitalized ("Growers"
    /// of "Orrin Valley Growers Association" is a name; "樱桃 growers" is English).
    pub fn has(&self, word: &str) -> bool {
        self.words.contains(word) || (word.starts_with(|c: char| c.is_ascii_uppercase()) && self.words.iter().any(|w| w.eq_ignore_ascii_case(word)))
    }
}

/// The capitalized words next to a name in prose, which are part of it even when common
/// words on their own: "Kestrel Home Inc.", "New York", "First Street" (not months or days).
fn name_runs(sentence: &str, names: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    let mut run: Vec<&str> = Vec::new();
    let mut flush = |run: &mut Vec<&str>| {
        // "The Harlow Creek Town Council": a leading article or title is not part of the name.
        let start = run.iter().take_while(|w| TITLES.contains(&w.to_lowercase().as_str()) || matches!(**w, "A" | "An")).count();
        let run_names = &run[start..];
        if run_names.len() > 1 && run_names.iter().any(|w| names.iter().any(|n| n == w)) {
            out.extend(run_names.iter().map(|w| w.to_string()));
        }
        run.clear();
    };
    for token in sentence.split_whitespace() {
        let word = token.trim_start_matches(|c: char| !c.is_ascii_alphanumeric());
        let core = word.trim_end_matches(|c: char| !c.is_ascii_alphanumeric());
        let bare = core.strip_suffix("'s").unwrap_or(core);
        if word.len() < token.len() {
            flush(&mut run); // an opening quote or bracket starts a new run
        }
        let capital = bare.starts_with(|c: char| c.is_ascii_uppercase()) && !EN_CAPITALIZED_OK.contains(&bare.to_lowercase().as_str());
        if capital {
            run.push(bare);
        } else {
            flush(&mut run);
        }
        if core.len() < word.len() {
            flush(&mut run); // "Inc., a": punctuation closes the run
        }
    }
    flush(&mut run);
    out
}

/// A headline-style line: three or more words and no lowercase word of four letters or more
/// ("Measles Outbreak Reaches 38 Cases in Fenwick County"). Prose always has one ("voted").
fn is_title_case(sentence: &str) -> bool {
    let words: Vec<String> = latin_words(sentence);
    words.len() >= 3 && !words.iter().any(|w| w.len() >= 4 && w.starts_with(|c: char| c.is_ascii_lowercase()))
}

/// One sentence to translate.
pub struct Request {
    /// The source sentence with names already rendered in the target language.
    pub prepared: String,
    pub names: Vec<Rendering>,
    pub from: Language,
    pub to: Language,
    /// Name words of the whole article (for a Chinese translation: the Latin it may keep).
    article: ArticleNames,
}

impl Request {
    /// A sentence translated on its own (its own names are the article's).
    pub fn new(sentence: &str, from: Language, to: Language) -> Self {
        Self::in_article(sentence, from, to, &ArticleNames::of(&[sentence.to_string()]))
    }

    /// A sentence of a summary of an article whose Latin names are `article`: an English
    /// word is kept in a Chinese translation only when the article uses it as a name.
    pub fn in_article(sentence: &str, from: Language, to: Language, article: &ArticleNames) -> Self {
        let mut names = match to {
            Language::En => names::with_quoted_names(sentence, names::zh_names_in(sentence, &article.zh_places), &article.zh_quoted),
            _ => names::en_names_in(sentence),
        };
        if to == Language::Zh {
            // "Approves" in a title-case summary headline is not a name to keep in Latin letters.
            names.retain(|r| !r.target.is_ascii() || article.has(&r.source));
        }
        // In this order: race times and numeral words before the quantities read their digits.
        let renderings: [fn(&str, Language) -> String; 7] =
            [render_race_times, render_tenths, render_fractions, render_doublings, render_quantities, render_units, render_dates];
        let prepared = renderings.iter().fold(names::substitute(sentence, &names), |text, render| render(&text, to));
        Self { prepared, names, from, to, article: article.clone() }
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

    /// The script mask for the target language (Latin names the translation may keep), and a
    /// copy bias towards what the check requires: the names (begun or not) and the numbers of
    /// the prepared sentence (once their first digit is written).
    pub fn constraints(&self, tokenizer: &Tokenizer) -> Constraints {
        let mut c = script_mask(tokenizer, self.to, &self.allowed_latin());
        for run in self.required_names() {
            c.copy_span(tokenizer, &run.join(" "), true);
        }
        let mut rest = self.prepared.as_str();
        while let Some(start) = rest.find(|ch: char| ch.is_ascii_digit()) {
            let len = number_len(&rest[start..]).max(1);
            if len > 1 {
                c.copy_span(tokenizer, &rest[start..start + len], false);
            }
            rest = &rest[start + len..];
        }
        c
    }

    /// Latin words a Chinese translation may contain: the sentence's words that the article
    /// uses as names, the kept Latin renderings, and units/abbreviations (`ZH_LATIN_OK`).
    fn allowed_latin(&self) -> Vec<String> {
        let mut allowed: Vec<String> = latin_words(&self.prepared).into_iter().filter(|w| self.article.has(w)).collect();
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
            if capital && !skip && bare.len() >= 2 && names.iter().any(|n| n == bare) && self.article.has(bare) {
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
        self.check_with(source_sentence, translation, WordThresholds::into(self.to))
    }

    /// `check` with other thresholds for the lexicon's word check (what the scorer sweeps).
    pub fn check_with(&self, source_sentence: &str, translation: &str, words: WordThresholds) -> Vec<Problem> {
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
        // Clock and race times are one number each ("2:11:37"): kept whole, none invented, and
        // their digits vouch for no loose number ("2:11:37" does not back "2月11日").
        // A Chinese "11小时40分" is as often a duration the source writes in words ("11 hours and
        // 40 minutes"): it may stand for a source time, but is not one of its own.
        let source_times: Vec<ClockTime> = clock_times(source_sentence).into_iter().filter(|c| c.colon).collect();
        let (source_sentence, t) = if source_times.is_empty() {
            (source_sentence.to_string(), t.to_string())
        } else {
            let found_times = clock_times(t);
            let in_source = |f: &ClockTime| source_times.iter().any(|s| s.same_as(f));
            for time in found_times.iter().filter(|f| f.colon && !in_source(f)) {
                out.push(Problem::AddedNumber(time.text.clone()));
            }
            for time in source_times.iter().filter(|s| !found_times.iter().any(|f| s.same_as(f))) {
                out.push(Problem::LostNumber(time.text.clone()));
            }
            (without_times(source_sentence, |c| c.colon), without_times(t, |c| c.colon || in_source(c)))
        };
        let (source_sentence, t) = (source_sentence.as_str(), t.as_str());
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
        // A number inside a name ("衡芯S2", "Aria T3") is the name's: leaving the name out is an
        // omission, not a changed fact.
        let in_names = numbers_in_words(source_sentence);
        for (text, q) in &source_q {
            if in_names.contains(text) {
                continue;
            }
            if !found_q.iter().any(|(_, f)| same(*f, *q)) && (scaled(text, *q) || !found_plain.contains(text)) {
                out.push(Problem::LostNumber(text.clone()));
            }
        }
        out.extend(unit_changes(source_sentence, t));
        for run in self.required_names() {
            let kept = run.iter().any(|name| if self.to == Language::En { pinyin_kept(t, name) } else { t.contains(name.as_str()) });
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
                // A spelling of the source's own characters is the translator's too: a name
                // jieba did not find whole, so not rendered beforehand (邵明远, cut 邵 / 明远:
                // "Mingyuan").
                // The adjective of a name the source has is backed by it ("Asian" by "Southeast Asia").
                let adjective = ["n", "an"].iter().any(|s| lower.strip_suffix(s).is_some_and(|stem| stem.len() >= 4 && backed.contains(stem)));
                // A Chinese article's "our country", "domestic", "nationwide" are China.
                let home = lower == "china" && ["我国", "国内", "全国"].iter().any(|w| source_sentence.contains(w));
                if !backed.contains(&lower) && !adjective && !home && !EN_CAPITALIZED_OK.contains(&lower.as_str()) && is_pinyin(&lower)
                    && !names::is_pinyin_of_run(source_sentence, &lower)
                {
                    out.push(Problem::AddedName(name));
                }
            }
        }
        if self.to == Language::En {
            out.extend(added_known_names(&self.prepared, t).into_iter().map(Problem::AddedName));
        }
        if let Some(how) = super::polarity::mismatch(source_sentence, self.from, t, self.to) {
            out.push(Problem::Polarity(how.into()));
        }
        if let Some(lexicon) = super::lexicon::installed() {
            // The request's own renderings (英里/小时 for "mph", "yuan" for 元) back a word too.
            let source = format!("{source_sentence}\n{}", self.prepared);
            let (unbacked, judged) = match self.to {
                Language::En => lexicon.unbacked_en(&source, t, words),
                _ => lexicon.unbacked_zh(&source, t, words),
            };
            if super::lexicon::flags(unbacked.len(), judged, words) {
                out.push(Problem::Unbacked(unbacked.join(", ")));
            }
        }
        out.dedup();
        out
    }
}

/// Units a number may carry, in both languages, by kind: a translation must keep the kind
/// ("miles" is 英里, never 公里; 亩 is "mu", not "acres"). Longer spellings first.
const UNITS: &[(&str, &str)] = &[
    // Chinese
    ("英里/小时", "mph"), ("英里每小时", "mph"), ("公里/小时", "km/h"), ("公里每小时", "km/h"), ("千米/小时", "km/h"),
    ("千米每小时", "km/h"), ("个百分点", "points"), ("百分点", "points"), ("平方英尺", "sq ft"), ("平方公里", "km²"),
    ("平方千米", "km²"), ("平方米", "m²"), ("英里", "miles"), ("公里", "km"), ("千米", "km"), ("英亩", "acres"),
    ("公顷", "hectares"), ("亩", "mu"), ("英尺", "feet"), ("厘米", "cm"), ("毫米", "mm"), ("米", "m"), ("美元", "dollars"),
    ("欧元", "euros"), ("英镑", "pounds sterling"), ("日元", "yen"), ("美分", "cents"), ("元", "yuan"), ("吨", "tons"),
    ("公斤", "kg"), ("千克", "kg"), ("毫克", "mg"), ("微克", "µg"), ("磅", "lb"), ("%", "%"), ("％", "%"),
    // English (lowercased, whole words)
    ("percentage points", "points"), ("percentage point", "points"), ("points", "points"), ("point", "points"),
    ("percent", "%"), ("per cent", "%"), ("mph", "mph"), ("km/h", "km/h"), ("square feet", "sq ft"), ("sq ft", "sq ft"),
    ("square kilometers", "km²"), ("square kilometres", "km²"), ("square meters", "m²"), ("square metres", "m²"),
    ("miles", "miles"), ("mile", "miles"), ("kilometers", "km"), ("kilometres", "km"), ("kilometer", "km"), ("km", "km"),
    ("acres", "acres"), ("acre", "acres"), ("hectares", "hectares"), ("hectare", "hectares"), ("mu", "mu"),
    ("feet", "feet"), ("foot", "feet"), ("centimeters", "cm"), ("cm", "cm"), ("millimeters", "mm"), ("mm", "mm"),
    ("meters", "m"), ("metres", "m"), ("meter", "m"), ("dollars", "dollars"), ("dollar", "dollars"), ("cents", "cents"),
    ("cent", "cents"), ("euros", "euros"),
    ("yen", "yen"), ("yuan", "yuan"), ("rmb", "yuan"), ("tons", "tons"), ("tonnes", "tons"), ("ton", "tons"),
    ("kilograms", "kg"), ("kilogram", "kg"), ("kg", "kg"), ("pounds", "lb"), ("lbs", "lb"), ("lb", "lb"),
];

/// Each number with the kind of unit written with it ("$" before it, or the unit word after
/// it and its scale word: "1200万元" → yuan, "$12 million" → dollars, "12.3个百分点" → points).
pub fn quantity_units(text: &str) -> Vec<(f64, &'static str, String)> {
    let narrow: String = text.chars().map(|c| if c == '，' { ',' } else { c }).collect();
    let mut out = Vec::new();
    let mut rest = narrow.as_str();
    let mut before_len = 0;
    while let Some(start) = rest.find(|c: char| c.is_ascii_digit()) {
        let tail = &rest[start..];
        let len = number_len(tail);
        let digits: String = tail[..len].chars().filter(|&c| c != ',').collect();
        let raw_before = &narrow[..before_len + start];
        let before = raw_before.trim_end();
        let mut after = tail[len..].trim_start();
        let lower_after = after.to_lowercase();
        let mut scale = 1.0;
        if let Some((w, f)) = SCALES.iter().find(|(w, _)| lower_after.starts_with(w)) {
            scale = *f;
            after = after[w.len()..].trim_start_matches('-').trim_start();
        }
        let lower = after.to_lowercase();
        let after_unit = UNITS.iter().find(|(w, _)| {
            lower.starts_with(w) && (!w.is_ascii() || !lower[w.len()..].starts_with(|c: char| c.is_ascii_alphabetic()))
        });
        let prefix_unit = if before.ends_with('$') {
            Some("dollars")
        } else if before.ends_with('¥') || before.ends_with('￥') || before.to_lowercase().ends_with("rmb") {
            Some("yuan")
        } else if before.ends_with('€') {
            Some("euros")
        } else {
            None
        };
        // A number inside a word ("T3", "Halcyon-3") or a date part carries no unit here.
        let letter = |t: &str| t.ends_with(|c: char| c.is_ascii_alphabetic());
        let in_word = letter(raw_before) || raw_before.strip_suffix('-').is_some_and(letter);
        if let (Ok(v), Some(unit), false) = (digits.parse::<f64>(), prefix_unit.or(after_unit.map(|(_, k)| *k)), in_word) {
            out.push((v * scale, unit, tail[..len].to_string()));
        }
        before_len += start + len.max(1);
        rest = &tail[len.max(1)..];
    }
    out
}

/// Numbers the translation keeps with a different kind of unit than the source sentence.
fn unit_changes(source: &str, translation: &str) -> Vec<Problem> {
    let src = quantity_units(source);
    let same = |a: f64, b: f64| (a - b).abs() <= 1e-6 * a.abs().max(b.abs()).max(1.0);
    let mut out = Vec::new();
    for (v, unit, text) in quantity_units(translation) {
        let matches: Vec<&(f64, &str, String)> = src.iter().filter(|(s, _, _)| same(*s, v)).collect();
        if !matches.is_empty() && !matches.iter().any(|(_, u, _)| *u == unit) {
            out.push(Problem::UnitChanged(format!("{} {} → {text} {unit}", matches[0].2, matches[0].1)));
        }
    }
    out
}

/// A number in the target language's way of scaling it, so the model only has to copy it:
/// "$96.4 million" → "9640万美元", "1.38 billion" → "13.8亿"; "9640万" → "96.4 million",
/// "1.24万" → "12,400". Plain numbers stay as they are.
/// Units the small translator converts instead of translating ("20 mph" → "20公里每小时",
/// "12.3个百分点" → "12.3%"), written for it in the target language after their number. Longer
/// spellings first; English ones are whole lowercase words.
const UNIT_RENDERINGS: &[(&str, &str, Language)] = &[
    ("mph", "英里/小时", Language::Zh), ("miles", "英里", Language::Zh), ("mile", "英里", Language::Zh),
    ("square feet", "平方英尺", Language::Zh), ("feet", "英尺", Language::Zh), ("acres", "英亩", Language::Zh),
    ("cents", "美分", Language::Zh), ("美分", " cents", Language::En),
    ("percentage points", "个百分点", Language::Zh), ("个百分点", " percentage points", Language::En),
    ("亩", " mu", Language::En), ("公里", " km", Language::En), ("公斤", " kg", Language::En),
    // A temperature scale is a unit, not a name to keep in Latin letters ("4 degrees Celsius"
    // is 4摄氏度; written in Latin, the check would ask for "Celsius" in the Chinese sentence).
    ("degrees Celsius", "摄氏度", Language::Zh), ("degrees Fahrenheit", "华氏度", Language::Zh),
    ("摄氏度", " degrees Celsius", Language::En), ("华氏度", " degrees Fahrenheit", Language::En),
];

/// The request's units in the target language, right after their number ("20 mph" → "20英里/小时").
pub fn render_units(text: &str, to: Language) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    while let Some(start) = rest.find(|c: char| c.is_ascii_digit()) {
        let len = number_len(&rest[start..]).max(1);
        out.push_str(&rest[..start + len]);
        rest = &rest[start + len..];
        let spaced = rest.trim_start();
        let unit = UNIT_RENDERINGS.iter().find(|(from, _, lang)| {
            *lang == to
                && spaced.starts_with(from)
                && (!from.is_ascii() || !spaced[from.len()..].starts_with(|c: char| c.is_ascii_alphanumeric()))
        });
        if let Some((from, rendered, _)) = unit {
            out.push_str(rendered);
            rest = &spaced[from.len()..];
        }
    }
    out.push_str(rest);
    out
}

/// Chinese tenths as percentages for an English translation: 四成 → 40%, 两成 → 20%. The
/// small translator writes 一成 as "one in a hundred" or drops it, and a percentage is what it
/// copies. Only jieba's numeral words (一成不变, 三成立, 五成熟 are other words), not before 半
/// (一成半 is 15 %), and not 八成 before a verb, where it means "most likely" (八成是忘了).
pub fn render_tenths(text: &str, to: Language) -> String {
    if to != Language::En || !text.contains('成') {
        return text.to_string();
    }
    let tags = chinese_word_tags(text);
    let mut out = String::with_capacity(text.len() + 8);
    for (i, (word, tag)) in tags.iter().enumerate() {
        let next = tags.get(i + 1).map(|(w, t)| (w.as_str(), t.as_str()));
        let tenths = word.strip_suffix('成').filter(|_| tag == "m").and_then(|n| match n {
            "两" => Some(2),
            _ => "一二三四五六七八九".chars().position(|c| n == c.to_string()).map(|k| k + 1),
        });
        let half = next.is_some_and(|(w, _)| w.starts_with('半'));
        let likely = word == "八成" && next.is_some_and(|(_, t)| t.starts_with('v'));
        match tenths {
            Some(n) if !half && !likely => out.push_str(&format!("{}%", n * 10)),
            _ => out.push_str(word),
        }
    }
    out
}

/// Chinese fractions, "Y of X parts": 四分之一 (1/4), 三分之二, 百分之三十 (30/100), numerals or
/// digits on both sides: each with its byte range, numerator and denominator. One written with a
/// decimal (百分之三点五) is left out: its rendering would end mid-number.
fn chinese_fractions(text: &str) -> Vec<(std::ops::Range<usize>, u64, u64)> {
    let numeral = |c: char| c.is_ascii_digit() || "〇零一二两三四五六七八九十百千万".contains(c);
    let value = |run: &str| -> Option<u64> {
        if run.chars().all(|c| c.is_ascii_digit()) {
            return run.parse().ok();
        }
        match chinese_numerals(run).as_slice() {
            [v] if run.chars().all(|c| !c.is_ascii_digit()) => Some(*v),
            _ => None,
        }
    };
    let mut out = Vec::new();
    for (at, _) in text.match_indices("分之") {
        let start = text[..at].char_indices().rev().take_while(|&(_, c)| numeral(c)).last().map_or(at, |(i, _)| i);
        let after = at + "分之".len();
        let end = text[after..].char_indices().find(|&(_, c)| !numeral(c)).map_or(text.len(), |(i, _)| after + i);
        if text[end..].starts_with(['点', '.']) {
            continue;
        }
        if let (Some(den), Some(num)) = (value(&text[start..at]), value(&text[after..end])) {
            if den > 0 {
                out.push((start..end, num, den));
            }
        }
    }
    out
}

/// A fraction as a percentage when it is one to a tenth of a point (1/4 → 25, 1/8 → 12.5).
fn fraction_percent(num: u64, den: u64) -> Option<f64> {
    let percent = num as f64 * 100.0 / den as f64;
    ((percent * 10.0).fract().abs() < 1e-9).then_some(percent)
}

/// For English: Chinese fractions as numbers the small translator copies — a percentage where
/// it is exact (四分之一 → 25%, 百分之三十 → 30%), else digits (三分之二 → 2/3). It writes
/// 四分之一 as "one in four", "a fourth" or "4%" otherwise, and nothing checks a word fraction.
pub fn render_fractions(text: &str, to: Language) -> String {
    if to != Language::En || !text.contains("分之") {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + 8);
    let mut last = 0;
    for (range, num, den) in chinese_fractions(text) {
        out.push_str(&text[last..range.start]);
        match fraction_percent(num, den) {
            Some(p) => out.push_str(&format!("{}%", short_number(p))),
            None => out.push_str(&format!("{num}/{den}")),
        }
        last = range.end;
    }
    out.push_str(&text[last..]);
    out
}

/// For English: a race time written in Chinese as the clock-style time English writes
/// (1分55秒82 → 1:55.82), which the translator copies; it writes "155 seconds" otherwise.
pub fn render_race_times(text: &str, to: Language) -> String {
    if to != Language::En || !text.contains('秒') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for (time, range) in clock_times_at(text) {
        if time.colon && time.parts.len() == 3 && time.text.contains('分') {
            out.push_str(&text[last..range.start]);
            out.push_str(&format!("{}:{:02}.{}", time.parts[0], time.parts[1], &time.text[time.text.rfind('秒').map_or(0, |i| i + '秒'.len_utf8())..]));
            last = range.end;
        }
    }
    out.push_str(&text[last..]);
    out
}

/// Chinese doublings, as the percentage rise they state: 翻了一番 ("doubled") is 100 %, 翻两番
/// ("quadrupled") 300 %. The small translator renders 翻了一番 "increased by a factor of one".
const DOUBLINGS: &[(&str, u32)] = &[("翻了一番", 100), ("翻一番", 100), ("翻了两番", 300), ("翻两番", 300), ("翻了三番", 700), ("翻三番", 700)];

/// For English: the doublings as "增长了100%" (the rise they state; see [`DOUBLINGS`]).
pub fn render_doublings(text: &str, to: Language) -> String {
    if to != Language::En || !text.contains('番') {
        return text.to_string();
    }
    DOUBLINGS.iter().fold(text.to_string(), |t, (words, rise)| t.replace(words, &format!("增长了{rise}%")))
}

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

/// Whether an English translation keeps the rendered name `name`, however it spaces the
/// syllables: "Xing Heng Technology" keeps "Xingheng" (a pinyin name is one word, but a
/// translator may split it as people's names are split).
fn pinyin_kept(translation: &str, name: &str) -> bool {
    let squash = |s: &str| s.chars().filter(|c| !matches!(c, ' ' | '-' | '\'')).flat_map(char::to_lowercase).collect::<String>();
    // Squashing both sides also covers the plain case-insensitive match.
    squash(translation).contains(&squash(name))
}

/// Whether a lowercase word is a run of Hanyu Pinyin syllables ("chuanlian", "zhang",
/// "weishengyuan"), i.e. looks like a romanized Chinese name rather than an English word.
/// Only real syllables count (any initial with any final would also read "teaching" as
/// te-a-ching).
pub fn is_pinyin(word: &str) -> bool {
    let w = word.as_bytes();
    if w.len() < 2 || !w.iter().all(u8::is_ascii_lowercase) {
        return false;
    }
    let syllables = pinyin_syllables();
    // ok[i]: the first i letters split into syllables (none is longer than six letters).
    let mut ok = vec![false; w.len() + 1];
    ok[0] = true;
    for i in 0..w.len() {
        if ok[i] {
            for j in i + 1..=(i + 6).min(w.len()) {
                if syllables.contains(&word[i..j]) {
                    ok[j] = true;
                }
            }
        }
    }
    ok[w.len()]
}

/// Every toneless Hanyu Pinyin syllable with a vowel ("zhuang", "lv"; not the interjections
/// "m", "n", "hm"): the readings the `pinyin` crate gives the CJK block, ü written v.
fn pinyin_syllables() -> &'static HashSet<String> {
    static SYLLABLES: std::sync::OnceLock<HashSet<String>> = std::sync::OnceLock::new();
    SYLLABLES.get_or_init(|| {
        use pinyin::ToPinyin;
        ('\u{4e00}'..='\u{9fff}')
            .filter_map(|c| c.to_pinyin())
            .map(|p| p.plain().replace('ü', "v"))
            .filter(|s| s.contains(['a', 'e', 'i', 'o', 'u', 'v']))
            .collect()
    })
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
            // A name is kept as the source writes it (or capitalized): "Growers" of a name is not
            // the English word "growers". Units and abbreviations in any case.
            let kept = |w: &str| {
                let capital = w.starts_with(|c: char| c.is_ascii_uppercase());
                ZH_LATIN_OK.contains(&w.to_lowercase().as_str())
                    || allowed_latin.iter().any(|a| {
                        a.split(|c: char| !(c.is_ascii_alphanumeric() || c == '\'')).any(|p| p == w || (capital && p.eq_ignore_ascii_case(w)))
                    })
            };
            latin_words(text)
                .into_iter()
                // Single letters: "7:55 a.m.", "A股", "B站".
                .filter(|w| w.chars().count() > 1 && !kept(w))
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

/// A clock or race time as written ("2:11:37", "7:55", "2小时11分37秒", "7点55分").
#[derive(Debug, Clone, PartialEq)]
struct ClockTime {
    text: String,
    parts: Vec<u32>,
    /// Written h:mm[:ss] (not with Chinese units).
    colon: bool,
}

impl ClockTime {
    /// The same time: as many parts, equal minutes (and seconds), hours equal on a 12-hour
    /// clock ("7:55 p.m." may be written 19:55).
    fn same_as(&self, other: &ClockTime) -> bool {
        self.parts.len() == other.parts.len()
            && self.parts[0] % 12 == other.parts[0] % 12
            && self.parts[1..] == other.parts[1..]
    }
}

/// Chinese words after a time's hours (2小时11分, 2时11分, 7点55分).
const ZH_HOURS: &[&str] = &["小时", "时", "点"];

/// The times `text` writes as h:mm[:ss] (the hours one or two digits, not part of a longer
/// number or ratio) or, in Chinese, as h小时|时|点 m分 [s秒], with their byte spans.
fn clock_times_at(text: &str) -> Vec<(ClockTime, std::ops::Range<usize>)> {
    let bytes = text.as_bytes();
    let digits_at = |i: usize| bytes[i..].iter().take_while(|b| b.is_ascii_digit()).count();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let n = digits_at(i);
        let starts = n > 0 && (i == 0 || !(bytes[i - 1].is_ascii_digit() || bytes[i - 1] == b':' || bytes[i - 1] == b'.'));
        if !starts {
            i += n.max(1);
            continue;
        }
        let number = |at: usize, len: usize| text[at..at + len].parse::<u32>().ok();
        let mut parts = vec![];
        let mut end = i + n;
        let mut colon = false;
        if n <= 2 {
            parts.push(number(i, n));
            // h:mm[:ss]
            while parts.len() < 3 && bytes.get(end) == Some(&b':') && digits_at(end + 1) == 2 {
                parts.push(number(end + 1, 2));
                end += 3;
                colon = true;
            }
            // A race time's hundredths: m:ss.cc ("1:55.82").
            if parts.len() == 2 && bytes.get(end) == Some(&b'.') && (1..=2).contains(&digits_at(end + 1)) {
                let c = digits_at(end + 1);
                parts.push(number(end + 1, c));
                end += 1 + c;
            }
            // m分ss秒cc, a race time written in Chinese (1分55秒82): as precise as "1:55.82".
            if parts.len() == 1 && text[end..].starts_with('分') {
                let s_at = end + '分'.len_utf8();
                let s = digits_at(s_at);
                let c_at = s_at + s + '秒'.len_utf8();
                if s == 2 && text[s_at + s..].starts_with('秒') && (1..=2).contains(&digits_at(c_at)) {
                    let c = digits_at(c_at);
                    parts.extend([number(s_at, s), number(c_at, c)]);
                    end = c_at + c;
                    colon = true;
                }
            }
            if parts.len() == 1 {
                // h小时m分[s秒]
                if let Some(unit) = ZH_HOURS.iter().find(|u| text[end..].starts_with(**u)) {
                    let m_at = end + unit.len();
                    let m = digits_at(m_at);
                    if (1..=2).contains(&m) && text[m_at + m..].starts_with('分') {
                        parts.push(number(m_at, m));
                        end = m_at + m + '分'.len_utf8();
                        let s = digits_at(end);
                        if (1..=2).contains(&s) && text[end + s..].starts_with('秒') {
                            parts.push(number(end, s));
                            end += s + '秒'.len_utf8();
                        }
                    }
                }
            }
        }
        let whole = parts.len() >= 2 && !bytes.get(end).is_some_and(|b| b.is_ascii_digit() || *b == b':');
        match parts.into_iter().collect::<Option<Vec<u32>>>() {
            Some(parts) if whole => {
                out.push((ClockTime { text: text[i..end].to_string(), parts, colon }, i..end));
                i = end;
            }
            _ => i += n,
        }
    }
    out
}

fn clock_times(text: &str) -> Vec<ClockTime> {
    clock_times_at(text).into_iter().map(|(t, _)| t).collect()
}

/// `text` with its times that `blank` picks blanked out (a space each), so their digits count
/// as no other number.
fn without_times(text: &str, blank: impl Fn(&ClockTime) -> bool) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (_, span) in clock_times_at(text).into_iter().filter(|(c, _)| blank(c)) {
        out.push_str(&text[at..span.start]);
        out.push(' ');
        at = span.end;
    }
    out.push_str(&text[at..]);
    out
}

/// Names with a standard English rendering that an English translation writes though its
/// request does not have them: the small translator puts in a country or a company it knows
/// ("sold in the United States" for 国内, "Apple launches …" for an unknown phone maker).
/// "China" is left to the romanized-name check, which already reads it as pinyin; the
/// continents too, since a region named after one writes it without its Chinese name (东南亚
/// is "Southeast Asia", 西欧 "Western Europe").
fn added_known_names(prepared: &str, translation: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for en in names::known_en_names().map(|e| e.trim_start_matches("the ")) {
        if !matches!(en, "China" | "Asia" | "Europe" | "Africa") && names::contains_word(translation, en) && !names::contains_word(prepared, en) && !out.iter().any(|o| o == en) {
            out.push(en.to_string());
        }
    }
    out
}

/// The digit numbers written inside a word ("S2", "T3", "Halcyon-3"), as `quantities` writes them.
fn numbers_in_words(text: &str) -> HashSet<String> {
    let mut out = HashSet::new();
    for token in text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '.')) {
        if token.starts_with(|c: char| c.is_ascii_alphabetic()) {
            out.extend(quantities(token).into_iter().map(|(t, _)| t));
        }
    }
    out
}

/// English number words a sentence may write for a digit of the other side ("two" → 2).
const EN_NUMBER_WORDS: &[&str] = &["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"];

/// Every number a sentence states: its digits, its Chinese numerals (四成 → 4 and 40, 两 → 2),
/// its English number words up to twelve (two → 2) and its month names (March → 3),
/// normalized as `guard::numbers` writes them.
pub fn number_values(text: &str) -> Vec<String> {
    let mut out = numbers(text);
    out.extend(chinese_numerals(text).into_iter().map(|v| v.to_string()));
    // 四分之一 states 25 % as well as its numerals.
    for (_, num, den) in chinese_fractions(text) {
        out.extend(fraction_percent(num, den).map(short_number));
    }
    // 翻了一番 states a 100 % rise and a factor of two (see `DOUBLINGS`).
    for (_, rise) in DOUBLINGS.iter().filter(|(w, _)| text.contains(w)) {
        out.extend([format!("{rise}%"), rise.to_string(), (rise / 100 + 1).to_string()]);
    }
    // A decade: "（上世纪）九十年代" is "the 1990s"; "二十年代" may be the 1920s or the 2020s.
    let chars: Vec<char> = text.chars().collect();
    for (i, window) in chars.windows(4).enumerate() {
        if window[1..] == ['十', '年', '代'] && !(i > 0 && "一二三四五六七八九十".contains(chars[i - 1])) {
            if let Some(d) = "一二三四五六七八九".chars().position(|c| c == window[0]) {
                out.push(format!("19{}0", d + 1));
                if d < 2 {
                    out.push(format!("20{}0", d + 1));
                }
            }
        }
    }
    let lower = text.to_lowercase();
    for word in lower.split(|c: char| !c.is_ascii_alphabetic()).filter(|w| w.len() >= 3) {
        if let Some(m) = MONTHS.iter().position(|m| word.starts_with(m) && (word.len() == 3 || full_month(word))) {
            out.push((m + 1).to_string());
        }
        if let Some(n) = EN_NUMBER_WORDS.iter().position(|w| *w == word) {
            out.push(n.to_string());
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
    fn known_names_the_source_does_not_have_are_added_names() {
        // Written for this test (not from eval/articles).
        let request = Request::new("她预计，今年国内支持本地大模型的手机出货量约为3000万台，占总出货量的一成左右。", Language::Zh, Language::En);
        let bad = request.check("她预计，今年国内支持本地大模型的手机出货量约为3000万台，占总出货量的一成左右。", "She expects about 30 million such phones to ship in the United States this year, about 10% of the total.");
        assert!(bad.contains(&Problem::AddedName("United States".into())), "{bad:?}");
        let fine = request.check("她预计，今年国内支持本地大模型的手机出货量约为3000万台，占总出货量的一成左右。", "She expects about 30 million such phones to ship domestically this year, about 10% of the total.");
        assert!(!fine.iter().any(|p| matches!(p, Problem::AddedName(_))), "{fine:?}");
        // A region named after a continent is not the continent added, and a region the source
        // names is the source's.
        assert!(added_known_names("产品销往东南亚。", "The products are sold in Southeast Asia.").iter().all(|n| n != "Asia"));
        let region = Request::new("产品已销往东南亚6个国家。", Language::Zh, Language::En);
        let ok = region.check("产品已销往东南亚6个国家。", "The products are sold in six Southeast Asian countries.");
        assert!(!ok.iter().any(|p| matches!(p, Problem::AddedName(_))), "{ok:?}");
        // "Our country" in a Chinese article is China.
        let home = Request::new("2025年我国电动汽车出口量达到210万辆。", Language::Zh, Language::En);
        let ok = home.check("2025年我国电动汽车出口量达到210万辆。", "In 2025, China exported 2.1 million electric vehicles.");
        assert!(!ok.iter().any(|p| matches!(p, Problem::AddedName(_))), "{ok:?}");
        // A name the source has is the source's.
        let apple = Request::new("苹果公司在深圳发布新机。", Language::Zh, Language::En);
        let ok = apple.check("苹果公司在深圳发布新机。", "Apple launched a new phone in Shenzhen.");
        assert!(!ok.iter().any(|p| matches!(p, Problem::AddedName(_))), "{ok:?}");
    }

    #[test]
    fn chinese_doublings_are_percentage_rises_for_english() {
        // Written for this test (not from eval/articles).
        let source = "中东市场的增长也很快，全年出口量比上一年翻了一番。";
        assert_eq!(render_doublings(source, Language::En), "中东市场的增长也很快，全年出口量比上一年增长了100%。");
        assert_eq!(render_doublings(source, Language::Zh), source);
        let request = Request::new(source, Language::Zh, Language::En);
        for fine in ["Exports to the Middle East rose 100% on the year before.", "Exports to the Middle East doubled from the year before."] {
            let found = request.check(source, fine);
            assert!(!found.iter().any(|p| matches!(p, Problem::AddedNumber(_) | Problem::LostNumber(_))), "{fine}: {found:?}");
        }
    }

    #[test]
    fn chinese_tenths_are_percentages_for_english() {
        // Written for this test (not from eval/articles).
        assert_eq!(render_tenths("约四成的受访者和两成的家长同意，只有一成的人反对。", Language::En), "约40%的受访者和20%的家长同意，只有10%的人反对。");
        // Other words with 成, a tenth and a half, and 八成 as "most likely" stay for the model.
        for t in ["规则一成不变。", "该村三成立了合作社。", "牛排五成熟。", "比去年提高一成半。", "他八成是忘了。", "对这一成果给予肯定。"] {
            assert_eq!(render_tenths(t, Language::En), t);
        }
        let mixed = "Lu'an (鹭岸) 科技 said 三成 of 12,400 users, 7:30 a.m.";
        assert_eq!(render_tenths(mixed, Language::En), "Lu'an (鹭岸) 科技 said 30% of 12,400 users, 7:30 a.m.");
        assert_eq!(render_tenths("约四成", Language::Zh), "约四成");
    }

    #[test]
    fn chinese_fractions_are_numbers_for_english() {
        // Written for this test (not from eval/articles).
        let source = "超过四分之一的受访者合租，三分之二的人支持，百分之三十反对，成本不到十分之一。";
        assert_eq!(render_fractions(source, Language::En), "超过25%的受访者合租，2/3的人支持，30%反对，成本不到10%。");
        assert_eq!(render_fractions(source, Language::Zh), source);
        // A decimal percentage and words that only look like one stay for the model.
        for t in ["占百分之三点五。", "他十分之好。", "二十分钟之后。"] {
            assert_eq!(render_fractions(t, Language::En), t);
        }
        assert_eq!(render_fractions("约八分之一，2分之1。", Language::En), "约12.5%，50%。");
        // The check counts a fraction as its percentage: "25%" passes, "4%" does not gain a pass.
        let request = Request::new("超过四分之一的受访者与他人合租。", Language::Zh, Language::En);
        let good = request.check("超过四分之一的受访者与他人合租。", "More than 25% of respondents share a flat with others.");
        assert!(!good.iter().any(|p| matches!(p, Problem::AddedNumber(_) | Problem::LostNumber(_))), "{good:?}");
        let bad = request.check("超过四分之一的受访者与他人合租。", "More than 40% of respondents share a flat with others.");
        assert!(bad.iter().any(|p| matches!(p, Problem::AddedNumber(_))), "{bad:?}");
        assert!(number_values("三分之二").contains(&"2".to_string()));
        assert!(number_values("四分之三").contains(&"75".to_string()));
    }

    #[test]
    fn race_times_are_kept_whole() {
        // Written for this test (not from eval/articles).
        let source = "宋知夏以1分55秒82的成绩夺冠，原纪录为1分56秒37。";
        assert_eq!(render_race_times(source, Language::En), "宋知夏以1:55.82的成绩夺冠，原纪录为1:56.37。");
        assert_eq!(render_race_times(source, Language::Zh), source);
        let request = Request::new(source, Language::Zh, Language::En);
        let numbers = |t: &str| request.check(source, t).into_iter().filter(|p| matches!(p, Problem::AddedNumber(_) | Problem::LostNumber(_))).collect::<Vec<_>>();
        assert_eq!(numbers("Song Zhixia won in 1:55.82; the old record was 1:56.37."), vec![]);
        assert!(!numbers("Song Zhixia won in 155 seconds; the old record was 1:56.37.").is_empty());
        // A duration without hundredths stays loose numbers, as before.
        assert_eq!(render_race_times("比赛用时5分30秒。", Language::En), "比赛用时5分30秒。");
        // English to Chinese: the same time either way it is written.
        let en = "She won in 1:55.82, ahead of the record.";
        let to_zh = Request::new(en, Language::En, Language::Zh);
        assert!(!to_zh.check(en, "她以1分55秒82的成绩获胜，超过纪录。").iter().any(|p| matches!(p, Problem::AddedNumber(_) | Problem::LostNumber(_))));
        assert!(to_zh.check(en, "她以1分55秒的成绩获胜，超过纪录。").iter().any(|p| matches!(p, Problem::LostNumber(_))));
    }

    #[test]
    fn cents_are_a_unit() {
        // Written for this test (not from eval/articles): "40 cents" came back as 40微克 (micrograms).
        let source = "Prices will rise by an average of 40 cents a cup.";
        assert_eq!(render_units(source, Language::Zh), "Prices will rise by an average of 40美分 a cup.");
        let request = Request::new(source, Language::En, Language::Zh);
        assert!(request.check(source, "价格将平均每杯上涨40微克。").iter().any(|p| matches!(p, Problem::UnitChanged(_))));
        assert!(!request.check(source, "价格将平均每杯上涨40美分。").iter().any(|p| matches!(p, Problem::UnitChanged(_))));
    }

    #[test]
    fn clock_times_are_one_number_each() {
        let times = |t: &str| clock_times(t).into_iter().map(|c| c.parts).collect::<Vec<_>>();
        assert_eq!(times("won in 2:11:37, the record of 2:12:05"), [vec![2, 11, 37], vec![2, 12, 5]]);
        assert_eq!(times("到达7:55 a.m.，用时2小时11分37秒，晚上7点55分"), [vec![7, 55], vec![2, 11, 37], vec![7, 55]]);
        // Not times: a score, a long number, a ratio with one digit after the colon.
        assert!(times("won 3:1, ratio 16:9, id 123:45, 1.5:30").is_empty(), "{:?}", times("won 3:1, ratio 16:9, id 123:45, 1.5:30"));
        assert_eq!(without_times("在2:11:37获胜", |_| true), "在 获胜");

        let source = "Tomas Reyes won the men's race in 2:11:37, breaking the course record of 2:12:05 set in 2019.";
        let numbers = |t: &str| number_problems(source, t);
        // Faithful, in either notation.
        assert_eq!(numbers("Tomas Reyes以2:11:37赢得男子比赛，打破了2019年创下的2:12:05赛道纪录。"), []);
        assert_eq!(numbers("Tomas Reyes以2小时11分37秒赢得男子比赛，打破了2019年创下的2小时12分5秒赛道纪录。"), []);
        // An invented time, and a date made of a time's digits.
        let bad = numbers("Tomas Reyes在2019年2月11日的男子赛中以2:12:05打破纪录，2:12:37获胜。");
        assert!(bad.contains(&Problem::AddedNumber("2:12:37".into())), "{bad:?}");
        assert!(bad.contains(&Problem::LostNumber("2:11:37".into())), "{bad:?}");
        assert!(bad.contains(&Problem::AddedNumber("11".into())), "{bad:?}");
        // A duration in words stays a pair of numbers, whichever way Chinese writes it.
        let source = "The route covers 640 miles and takes 11 hours and 40 minutes, arriving at 7:55 a.m.";
        let numbers = |t: &str| number_problems(source, t);
        assert_eq!(numbers("路线覆盖640英里，耗时11小时40分钟，早上7:55到达。"), []);
        assert_eq!(numbers("路线覆盖640英里，耗时11小时40分钟，早上7点55分到达。"), []);
        // "7点" for 7:55 loses the time, and its 7 is no number of the source's own.
        assert_eq!(numbers("路线覆盖640英里，耗时11小时40分钟，早上7点到达。"), [Problem::LostNumber("7:55".into()), Problem::AddedNumber("7".into())]);
        // 7:55 p.m. may be written on a 24-hour clock.
        assert_eq!(number_problems("The train leaves at 7:55 p.m.", "火车在19:55出发。"), []);
    }

    /// The number problems of an en→zh translation `t` of `source`.
    fn number_problems(source: &str, t: &str) -> Vec<Problem> {
        let r = Request::new(source, Language::En, Language::Zh);
        r.check(source, t).into_iter().filter(|p| matches!(p, Problem::AddedNumber(_) | Problem::LostNumber(_))).collect()
    }

    #[test]
    fn a_chinese_decade_is_a_year() {
        assert!(number_values("建于上世纪九十年代的老小区").contains(&"1990".to_string()));
        assert!(!number_values("九十年").contains(&"1990".to_string()));
        let r = Request::new("长宁区一个建于上世纪九十年代的老小区。", Language::Zh, Language::En);
        assert!(!r.check("长宁区一个建于上世纪九十年代的老小区。", "An old estate built in the 1990s.").iter().any(|p| matches!(p, Problem::AddedNumber(_))));
    }

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
    fn a_pinyin_name_is_kept_however_its_syllables_are_spaced() {
        assert!(pinyin_kept("Shenzhen Xing Heng Technology released a chip.", "Xingheng"));
        assert!(pinyin_kept("the Xingheng chip", "Xingheng"));
        assert!(!pinyin_kept("Shenzhen Heng Xing Technology", "Xingheng"));
    }

    #[test]
    fn romanized_names_are_told_from_english_words() {
        for p in ["chuanlian", "zhang", "weishengyuan", "qingxi", "xian", "hangzhou", "lvliang"] {
            assert!(is_pinyin(p), "{p}");
        }
        for e in ["town", "middle", "school", "market", "railway", "station", "council", "street", "teaching", "bus"] {
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

    const BRIDGE: &str = "Harlow Creek Council Approves Pedestrian Footbridge\nThe Harlow Creek Town Council voted 5-2 on Tuesday night to approve a $2.4 million pedestrian footbridge over the Mill River. Measles cases were not discussed. Construction begins in April, said Dana Ruiz. Kestrel Home sells the Aria T3 and the iPhone-compatible Halcyon-3 app.";

    fn bridge_names() -> ArticleNames {
        ArticleNames::of(&crate::summarize::prepare(BRIDGE).unwrap().sentences)
    }

    #[test]
    fn article_names_are_prose_names_not_capitalized_words() {
        let names = bridge_names();
        for name in ["Harlow", "Creek", "Town", "Council", "Mill", "River", "Dana", "Ruiz", "Kestrel", "Aria", "T3", "iPhone", "Halcyon-3", "Halcyon"] {
            assert!(names.has(name), "{name}");
        }
        // The title line, a sentence start, a month: capitalized, but not names.
        assert!(names.has("Home"), "a common word inside a name run is part of the name");
        for word in ["Approves", "Pedestrian", "Footbridge", "Measles", "Construction", "April", "Tuesday", "The"] {
            assert!(!names.has(word), "{word}");
        }
        assert!(is_title_case("Measles Outbreak Reaches 38 Cases in Fenwick County"));
        assert!(!is_title_case("The Harlow Creek Town Council voted on Tuesday."));
    }

    #[test]
    fn a_title_case_headline_does_not_license_english_words_in_chinese() {
        let names = bridge_names();
        let unit = "Harlow Creek Town Council Approves Pedestrian Footbridge";
        let r = Request::in_article(unit, Language::En, Language::Zh, &names);
        let bad = r.check(unit, "Harlow Creek Town Council批准 Pedestrian Footbridge");
        assert!(bad.contains(&Problem::WrongScript("Pedestrian".into())) && bad.contains(&Problem::WrongScript("Footbridge".into())), "{bad:?}");
        // Only the name words must stay; "Approves" is no longer a name to keep.
        assert_eq!(r.check(unit, "Harlow Creek镇议会批准修建人行天桥"), vec![]);
        assert!(!r.allowed_latin().iter().any(|w| w == "Approves" || w == "Pedestrian"), "{:?}", r.allowed_latin());
    }

    #[test]
    fn a_common_word_or_month_capitalized_in_the_source_unit_is_still_english() {
        let names = bridge_names();
        let unit = "Measles Cases Rise in Harlow Creek";
        let r = Request::in_article(unit, Language::En, Language::Zh, &names);
        let bad = r.check(unit, "在 Harlow Creek， measles病例增加");
        assert_eq!(bad, vec![Problem::WrongScript("measles".into())]);
        let unit = "Construction begins in April, said Dana Ruiz.";
        let r = Request::in_article(unit, Language::En, Language::Zh, &names);
        assert_eq!(r.check(unit, "Dana Ruiz说，工程于中-April开工。"), vec![Problem::WrongScript("April".into())]);
        assert_eq!(r.check(unit, "Dana Ruiz说，工程于4月开工。"), vec![]);
    }

    #[test]
    fn a_name_word_written_in_lowercase_is_english() {
        let names = ArticleNames::of(&crate::summarize::prepare("Cherry growers in the Orrin Valley expect less fruit, the Orrin Valley Growers Association said. Kestrel Home Inc., a Ridgeport-based maker, recalled devices.").unwrap().sentences);
        assert!(names.has("Growers") && names.has("Ridgeport") && !names.has("growers") && !names.has("based"));
        let unit = "Cherry growers in the Orrin Valley expect less fruit, the Orrin Valley Growers Association said.";
        let r = Request::in_article(unit, Language::En, Language::Zh, &names);
        assert_eq!(r.check(unit, "Orrin Valley Growers Association表示，Orrin Valley的樱桃种植者预计减产。"), vec![]);
        assert_eq!(r.check(unit, "Orrin Valley Growers Association表示，Orrin Valley的樱桃 growers预计减产。"), vec![Problem::WrongScript("growers".into())]);
    }

    #[test]
    fn names_the_article_has_stay_in_latin_letters() {
        let names = bridge_names();
        let unit = "Kestrel Home sells the Aria T3 and the Halcyon-3 app.";
        let r = Request::in_article(unit, Language::En, Language::Zh, &names);
        assert_eq!(r.check(unit, "Kestrel Home销售Aria T3和Halcyon-3 app。"), vec![]);
        assert_eq!(r.check(unit, "Kestrel Home销售Aria T3和Halcyon-3 smart应用。"), vec![Problem::WrongScript("smart".into())]);
    }

    #[test]
    fn numbers_inside_names_and_small_number_words() {
        let source = "发布会演示了搭载S2的样机，两名工程师用时不到90秒。";
        let r = Request::new(source, Language::Zh, Language::En);
        let problems = r.check(source, "Two engineers showed the prototype in under 90 seconds.");
        assert!(!problems.iter().any(|p| matches!(p, Problem::LostNumber(_))), "{problems:?}");
        let source = "Of the 38 patients, two had received only one dose.";
        let r = Request::new(source, Language::En, Language::Zh);
        assert_eq!(r.check(source, "38名患者中，2名只接种了一剂。"), vec![]);
    }

    #[test]
    fn a_number_must_keep_its_kind_of_unit() {
        let changed = |source: &str, translation: &str| unit_changes(source, translation).len();
        assert_eq!(changed("about 310 miles of streets, at 20 mph", "约310公里的街道，时速20公里每小时"), 2);
        assert_eq!(render_units("about 310 miles of streets, at 20 mph, 5 milestones", Language::Zh), "about 310英里 of streets, at 20英里/小时, 5 milestones");
        assert_eq!(render_units("提高了12.3个百分点，种了60亩", Language::En), "提高了12.3 percentage points，种了60 mu");
        assert_eq!(render_units("fell to minus 7 degrees Celsius (19 degrees Fahrenheit)", Language::Zh), "fell to minus 7摄氏度 (19华氏度)");
        assert_eq!(render_units("地表温度超过38摄氏度", Language::En), "地表温度超过38 degrees Celsius");
        let source = "Frost came at minus 7 degrees Celsius, said Ivo Brandt.";
        let r = Request::new(source, Language::En, Language::Zh);
        assert_eq!(r.check(source, "Ivo Brandt说，霜冻时气温为零下7摄氏度。"), vec![], "a temperature scale is not a name to keep");
        assert_eq!(changed("about 310 miles of streets, at 20 mph", "约310英里的街道，时速20英里/小时"), 0);
        assert_eq!(changed("去年种了60亩，投入1200万元", "grew 60 acres and invested $12 million"), 2);
        assert_eq!(changed("去年种了60亩，投入1200万元", "grew 60 mu and invested 12 million yuan"), 0);
        assert_eq!(changed("比两年前提高了12.3个百分点，占41.7%", "up 12.3% from two years ago, 41.7 percent"), 1);
        assert_eq!(changed("up 12.3 percentage points", "提高了12.3个百分点"), 0);
        // Numbers without a unit, inside names, or dates are not compared.
        assert_eq!(changed("the Aria T3 sold 12,400 units on March 3", "Aria T3售出12400台，3月3日"), 0);
        assert_eq!(changed("$96.4 million", "9640万美元"), 0);
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
