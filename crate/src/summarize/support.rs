//! Is a generated sentence supported by the source? The number/name guard only asks whether
//! each fact occurs somewhere; a small model also glues facts to the wrong subject ("程雨桐
//! 比两年前提高了12.3个百分点", where 12.3 belongs to a survey). This check aligns the
//! sentence to the source:
//! - **coverage**: the share of its content words (jieba terms, stop words out; English words
//!   by a short stem) found in its best-matching window of adjacent source sentences;
//!   a unit joining several claims with "；" is covered part by part;
//! - **novel clauses**: a clause (between commas) of three or more content words, most of them
//!   words the source never uses, adds a claim of its own ("…，实现了教育资源的均衡分配");
//! - **attachment**: within one clause, every name of a person or organisation and every
//!   number of the same claim (up to a semicolon or sentence end) must occur together in some
//!   window of the source — a fact may not move to a subject the source never puts next to
//!   it. Places ("Fenwick County", 青溪镇) and titles in 《》 carry no facts.
//!
//! The thresholds (`MIN_COVERAGE`, `WINDOW`, `CLAUSE_MAX_NOVEL`, `CLAUSE_MIN_TERMS`) were chosen
//! on the tuning half of the labelled set in `eval/support/` and are reported on its check half
//! (`eval/support/score.mjs`).

use super::guard::{chinese_name_tags, chinese_names, latin_names, numbers};
use super::terms::terms;
use serde::Serialize;
use std::collections::HashSet;

/// Adjacent source sentences a claim may draw on together.
pub const WINDOW: usize = 1;
/// Minimum share of a sentence's content words that its best window must contain.
pub const MIN_COVERAGE: f64 = 0.5;
/// A clause with at least `CLAUSE_MIN_TERMS` content words, more than `CLAUSE_MAX_NOVEL` of
/// them words the source never uses, adds a claim of its own ("…，实现了教育资源的均衡分配").
pub const CLAUSE_MAX_NOVEL: f64 = 0.5;
pub const CLAUSE_MIN_TERMS: usize = 3;

/// The checker's thresholds (the shipped ones by default; the scorer sweeps others).
#[derive(Debug, Clone, Copy)]
pub struct Thresholds {
    pub window: usize,
    pub min_coverage: f64,
    pub clause_max_novel: f64,
    pub clause_min_terms: usize,
    /// The translation check's lexicon word check (when a lexicon is installed), for
    /// translations into Chinese and into English.
    pub words_zh: super::lexicon::WordThresholds,
    pub words_en: super::lexicon::WordThresholds,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self { window: WINDOW, min_coverage: MIN_COVERAGE, clause_max_novel: CLAUSE_MAX_NOVEL, clause_min_terms: CLAUSE_MIN_TERMS, words_zh: super::lexicon::WordThresholds::into(super::Language::Zh), words_en: super::lexicon::WordThresholds::into(super::Language::En) }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum SupportProblem {
    /// Too few of the sentence's words are in any part of the source.
    Coverage { coverage: f64 },
    /// A name and a fact that no part of the source states together.
    Attachment { name: String, fact: String },
    /// A clause made mostly of words the source never uses.
    Clause { clause: String, novel: Vec<String> },
}

impl SupportProblem {
    pub fn reason(&self) -> String {
        match self {
            SupportProblem::Coverage { coverage } => format!("not supported by the source (coverage {coverage:.2})"),
            SupportProblem::Attachment { name, fact } => format!("{fact} is not attached to {name} in the source"),
            SupportProblem::Clause { clause, novel } => format!("clause not in the source: \"{clause}\" ({} not in the source)", novel.join(", ")),
        }
    }
}

struct SourceSentence {
    stems: HashSet<String>,
    anchors: HashSet<String>,
    /// For a sentence that names nobody: the names of the nearest earlier sentence that had
    /// any — who "the company" / "公司" / "she" most likely is.
    carried: HashSet<String>,
}

/// The source, indexed once per summary.
pub struct SupportIndex {
    sentences: Vec<SourceSentence>,
    /// The whole source, for Chinese words segmented differently than in the summary.
    text: String,
    thresholds: Thresholds,
}

/// A content word in comparable form: English words cut to 6 letters (recall/recalled/
/// recalling), Chinese words as they are.
fn stem(word: &str) -> String {
    if word.is_ascii() {
        word.chars().take(6).collect()
    } else {
        word.to_string()
    }
}

/// Numbers that are not part of a name: "Route 9", "Mate 80", "Aria T3" are names, not facts
/// to attach to a subject.
fn free_numbers(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut prev_word = String::new();
    let mut word = String::new();
    let flush = |word: &mut String, prev: &mut String, out: &mut Vec<String>| {
        if word.is_empty() {
            return;
        }
        let is_number = word.starts_with(|c: char| c.is_ascii_digit());
        let after_name = prev.chars().next().is_some_and(|c| c.is_ascii_uppercase());
        if is_number && !after_name {
            out.extend(numbers(word));
        }
        *prev = std::mem::take(word);
    };
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || matches!(c, '.' | ',' | '%') && !word.is_empty() {
            word.push(c);
        } else if c == ' ' {
            flush(&mut word, &mut prev_word, &mut out);
        } else {
            flush(&mut word, &mut prev_word, &mut out);
            prev_word.clear();
            if c.is_numeric() {
                word.push(c);
            }
        }
    }
    flush(&mut word, &mut prev_word, &mut out);
    out
}

/// Names and numbers, comparable across sentences (lowercased names).
fn anchors(text: &str) -> Vec<String> {
    let mut out = numbers(text);
    out.extend(names_in(text));
    out
}

/// The names of a text as anchors: Chinese names as written, Latin names lowercased.
fn names_in(text: &str) -> Vec<String> {
    let mut out = chinese_names(text);
    out.extend(latin_names(text).into_iter().map(|n| n.to_lowercase()));
    out
}

impl SupportIndex {
    pub fn new(sentences: &[String]) -> Self {
        Self::with_thresholds(sentences, Thresholds::default())
    }

    /// With other thresholds than the tuned ones (what the labelled set's scorer sweeps).
    pub fn with_thresholds(sentences: &[String], thresholds: Thresholds) -> Self {
        let mut carried = HashSet::new();
        let mut indexed = Vec::with_capacity(sentences.len());
        for s in sentences {
            let anchors: HashSet<String> = anchors(s).into_iter().collect();
            let names: HashSet<String> = names_in(s).into_iter().collect();
            // Only a sentence that names nobody itself carries the earlier subject over.
            let carried_here = if names.is_empty() { carried.clone() } else { HashSet::new() };
            indexed.push(SourceSentence { stems: terms(s).iter().map(|w| stem(w)).collect(), anchors, carried: carried_here });
            if !names.is_empty() {
                carried = names;
            }
        }
        Self { thresholds, text: sentences.concat().to_lowercase(), sentences: indexed }
    }

    /// Windows of `WINDOW` adjacent sentences (fewer when the source is shorter).
    fn windows(&self) -> impl Iterator<Item = std::ops::Range<usize>> + '_ {
        let n = self.sentences.len();
        let w = self.thresholds.window.min(n).max(1);
        (0..=n.saturating_sub(w)).map(move |i| i..i + w)
    }

    fn window_has(&self, range: &std::ops::Range<usize>, anchor: &str) -> bool {
        self.sentences[range.clone()].iter().any(|s| s.anchors.contains(anchor))
    }

    /// Whether the source uses `word` (a content term): by stem in some sentence, or for a
    /// Chinese word anywhere in the text (jieba may cut "教育资源" as one word here, two there).
    fn uses(&self, word: &str) -> bool {
        let stem = stem(word);
        self.sentences.iter().any(|s| s.stems.contains(&stem)) || (!word.is_ascii() && self.text.contains(word))
    }

    /// Coverage of `unit` by its best window (1.0 when it has no content words).
    pub fn coverage(&self, unit: &str) -> f64 {
        let stems: HashSet<String> = terms(unit).iter().map(|w| stem(w)).collect();
        if stems.is_empty() || self.sentences.is_empty() {
            return 1.0;
        }
        self.windows()
            .map(|r| {
                let found = stems.iter().filter(|s| self.sentences[r.clone()].iter().any(|x| x.stems.contains(*s))).count();
                found as f64 / stems.len() as f64
            })
            .fold(0.0, f64::max)
    }

    /// Records an attachment problem when no window of the source has both `name` and `fact`
    /// (pairs with a member the source lacks are the guard's business).
    fn check_pair(&self, name: &str, fact: &str, out: &mut Vec<SupportProblem>) {
        let known = |a: &str| self.sentences.iter().any(|s| s.anchors.contains(a));
        let together = self.windows().any(|r| self.window_has(&r, name) && self.window_has(&r, fact));
        // "江禾食品发布年报。公司全年收入增长8.7%": 8.7 belongs to the name the text carries over.
        let carried = self.sentences.iter().any(|s| s.carried.contains(name) && s.anchors.contains(fact));
        if !known(name) || !known(fact) || together || carried {
            return;
        }
        let problem = SupportProblem::Attachment { name: name.to_string(), fact: fact.to_string() };
        let mirrored = SupportProblem::Attachment { name: fact.to_string(), fact: name.to_string() };
        if !out.contains(&problem) && !out.contains(&mirrored) {
            out.push(problem);
        }
    }

    /// What is wrong with `unit` (empty: supported).
    pub fn check(&self, unit: &str) -> Vec<SupportProblem> {
        let mut out = Vec::new();
        // A unit joining several claims with "；" (a Chinese summary often copies two or three
        // source sentences that way) is covered part by part, each by its own best window.
        let parts: Vec<&str> = unit.split(['；', ';', '。', '！', '？']).filter(|p| terms(p).len() >= 3).collect();
        let coverage = if parts.len() > 1 { parts.iter().map(|p| self.coverage(p)).fold(1.0, f64::min) } else { self.coverage(unit) };
        if coverage < self.thresholds.min_coverage {
            out.push(SupportProblem::Coverage { coverage: (coverage * 100.0).round() / 100.0 });
        }
        for clause in unit.split(['，', ',', '；', ';', '：', ':', '—']) {
            let words = terms(clause);
            if words.len() < self.thresholds.clause_min_terms {
                continue;
            }
            let novel: Vec<String> = words.iter().filter(|w| !self.uses(w)).cloned().collect();
            if novel.len() as f64 > self.thresholds.clause_max_novel * words.len() as f64 {
                out.push(SupportProblem::Clause { clause: clause.trim().to_string(), novel });
            }
        }
        // A number belongs to the sentence's subject even across commas (Chinese carries the
        // subject over: "程雨桐种植蔬菜，比两年前提高了12.3个百分点"), but not across a semicolon
        // or a sentence end ("…上限为3000人；杨桂芳介绍，…"): each such part is its own claim. Two
        // names only pair within a clause ("A said X, B did Y" is fine).
        for part in unit.split(['；', ';', '。', '！', '？']) {
            let part_numbers = free_numbers(part);
            for clause in part.split(['，', ',', '：', ':']) {
                let names = subjects(clause);
                for name in &names {
                    for fact in part_numbers.iter().chain(names.iter().filter(|n| *n != name)) {
                        self.check_pair(name, fact, &mut out);
                    }
                }
            }
        }
        out
    }
}

/// English words that make the name before them a place ("Fenwick County", "Mill River").
const PLACE_WORDS: &[&str] = &[
    "county", "city", "town", "township", "village", "district", "province", "state", "river", "lake", "bay", "island",
    "valley", "mountain", "mountains", "park", "street", "avenue", "road", "coast", "region",
];

/// The names in a clause that can carry facts: people and organisations. A place
/// ("临川市青溪镇…覆盖约3.2万名居民", "in Fenwick County… 34 unvaccinated") is where facts happen,
/// and merging a place with its facts is not a misattribution; a title in 《》 names a report.
fn subjects(clause: &str) -> Vec<String> {
    let mut text = String::with_capacity(clause.len());
    let mut depth = 0usize;
    for c in clause.chars() {
        match c {
            '《' => depth += 1,
            '》' => depth = depth.saturating_sub(1),
            _ if depth > 0 => {}
            _ => text.push(c),
        }
    }
    let mut names: Vec<String> = chinese_name_tags(&text).into_iter().filter(|(_, tag)| tag != "ns").map(|(w, _)| w).collect();
    let latin: Vec<String> = latin_names(&text).into_iter().map(|n| n.to_lowercase()).collect();
    let place = |w: &str| PLACE_WORDS.contains(&w);
    for (i, n) in latin.iter().enumerate() {
        if !place(n) && !latin.get(i + 1).is_some_and(|next| place(next)) {
            names.push(n.clone());
        }
    }
    names
}

/// Every check a shown sentence passes, for one sentence on its own: the script, the
/// number/name guard and the support check for a sentence in the source's language; for a
/// translation, the translation check against the source-language sentence it came from plus
/// that sentence's checks. What `eval/support/score.mjs` scores against the hand labels.
pub fn verdict(source: &str, sentence: &str, translated_from: Option<&str>, headline: bool, thresholds: Thresholds) -> crate::Result<Vec<String>> {
    use super::translate::{latin_words, script_problems, ArticleNames, Request};
    let prepared = super::prepare(source)?;
    let index = SupportIndex::with_thresholds(&prepared.sentences, thresholds);
    let guard = super::guard::Source::new(&prepared.text);
    let latin = latin_words(&prepared.text);
    let mut reasons = Vec::new();
    let own = translated_from.unwrap_or(sentence);
    reasons.extend(script_problems(own, prepared.language, &latin).iter().map(|p| p.reason()));
    reasons.extend(guard.check(own).iter().map(|v| format!("not in the source: {}", v.text)));
    reasons.extend(index.check(own).iter().map(|p| p.reason()));
    if let Some(unit) = translated_from {
        let to = if prepared.language == super::Language::Zh { super::Language::En } else { super::Language::Zh };
        // The shown sentence carries the source spellings the job added after its check.
        let shown = without_source_spellings(sentence);
        let problems = Request::in_article(unit, prepared.language, to, &ArticleNames::of(&prepared.sentences)).check_with(unit, &shown, if to == super::Language::En { thresholds.words_en } else { thresholds.words_zh });
        reasons.extend(
            problems
                .iter()
                // A headline is cut to its length after the check: what it lost there is by design.
                .filter(|p| !headline || !matches!(p, super::translate::Problem::LostNumber(_) | super::translate::Problem::Length(_)))
                .map(|p| p.reason()),
        );
    }
    Ok(reasons)
}

/// "Qingxi Town (青溪镇) opened" → "Qingxi Town opened".
fn without_source_spellings(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find(" (") {
        let close = rest[open..].find(')').map(|c| open + c);
        match close {
            Some(close) if rest[open + 2..close].chars().any(crate::text::is_han) => {
                out.push_str(&rest[..open]);
                rest = &rest[close + 1..];
            }
            _ => {
                out.push_str(&rest[..open + 2]);
                rest = &rest[open + 2..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::summarize::prepare;

    const ARTICLE: &str = "周六早上七点，住在杭州的程雨桐已经在自家阳台上忙活了半个小时。两平方米见方的阳台上，整齐摆着十几个种植箱。这位29岁的软件测试工程师笑着说。\n\n像程雨桐这样在城市里种菜的年轻人正在变多。生活方式平台栖木今年2月发布的报告显示，在受访的2300名城市居民中，有41.7%表示过去一年曾种植过蔬菜，比两年前提高了12.3个百分点。";

    #[test]
    fn a_fact_moved_to_another_subject_is_caught() {
        let p = prepare(ARTICLE).unwrap();
        let index = SupportIndex::new(&p.sentences);
        assert_eq!(index.check("报告显示，41.7%的受访者种过蔬菜，比两年前提高了12.3个百分点。"), vec![]);
        let bad = index.check("程雨桐的比例比两年前提高了12.3个百分点。");
        assert!(bad.iter().any(|p| matches!(p, SupportProblem::Attachment { .. })), "{bad:?}");
    }

    #[test]
    fn a_fact_about_the_subject_carried_over_is_supported() {
        let p = prepare("江禾食品周五发布年度报告。公司全年实现营业收入46.3亿元，同比增长8.7%。分析师李明表示看好。").unwrap();
        let index = SupportIndex::new(&p.sentences);
        assert_eq!(index.check("江禾食品全年收入同比增长8.7%。"), vec![]);
        assert!(!index.check("李明的收入同比增长8.7%。").is_empty());
    }

    #[test]
    fn a_clause_of_words_the_source_never_uses_is_a_claim_of_its_own() {
        let p = prepare("城区名校的老师到山里上课，乡村学校的学生通过直播旁听城区课堂，这是鹿鸣县推行县域教共体一年来的日常。县财政每年安排专项经费2800万元。").unwrap();
        let index = SupportIndex::new(&p.sentences);
        assert_eq!(index.check("鹿鸣县推行县域教共体一年来，乡村学校的学生通过直播旁听城区课堂。"), vec![]);
        let bad = index.check("鹿鸣县推行县域教共体一年来，实现了教育资源的均衡分配。");
        assert!(bad.iter().any(|p| matches!(p, SupportProblem::Clause { .. })), "{bad:?}");
    }

    #[test]
    fn a_semicolon_ends_a_claim_and_places_carry_no_facts() {
        let p = prepare("云岭村实行预约限流，每天游客上限为3000人。杨桂芳介绍，旺季日均游客量控制在2600人左右。\n\nA measles outbreak in Fenwick County has grown to 38 confirmed cases, officials said. Of the 38 patients, 34 were unvaccinated.").unwrap();
        let index = SupportIndex::new(&p.sentences);
        // Two copied sentences joined by "；": 3000 is not claimed for 杨桂芳, and each part is covered.
        assert_eq!(index.check("云岭村实行预约限流，每天游客上限为3000人；杨桂芳介绍，旺季日均游客量控制在2600人左右。"), vec![]);
        assert!(!index.check("杨桂芳介绍，每天游客上限为3000人。").is_empty());
        // A county is where the cases are, not who has them.
        assert_eq!(index.check("A measles outbreak in Fenwick County has grown to 38 cases, with 34 unvaccinated."), vec![]);
    }

    #[test]
    fn numbers_inside_names_are_not_facts() {
        assert_eq!(free_numbers("Kids walk along Route 9 to the park, 60% of 2.4 million"), ["60", "2.4"]);
        assert_eq!(free_numbers("比两年前提高了12.3个百分点"), ["12.3"]);
    }

    #[test]
    fn words_the_source_never_uses_lower_coverage() {
        let p = prepare("Kestrel Home is recalling 12,400 smart thermostats after reports that the battery can overheat. No injuries have been reported.").unwrap();
        let index = SupportIndex::new(&p.sentences);
        assert!(index.check("Kestrel Home is recalling 12,400 thermostats because batteries can overheat.").is_empty());
        let bad = index.check("The company plans to open new factories in Europe to hire engineers.");
        assert!(matches!(bad[0], SupportProblem::Coverage { .. }), "{bad:?}");
    }
}
