//! What a written description says is in the photo: the objects, animals, people and places it
//! names, the counts it gives and the text it quotes, so that `describe` can drop a sentence
//! that adds anything the vision models did not find.
//!
//! Names are recognised from the project's label tables (every concept's en/plural/zh name and
//! every ImageNet/COCO class name, which map to their concept) plus a short list of everyday
//! nouns the models never confirm (sky, grass, tree, 男人, 桌子…), so "a cat on the grass" is
//! caught when only the cat was seen. English is matched word by word (longest phrase first);
//! Chinese names of two or more characters by longest match, one-character names only as
//! jieba words of their own, so 令人 does not count as 人.

use crate::text::{is_han, jieba};
use crate::vision::concepts::{all_concepts, coco, imagenet};
use std::collections::HashMap;
use std::sync::OnceLock;

/// A concept key, or `extra:<word>` for an everyday noun outside the tables.
pub type ConceptKey = String;

/// Extra nouns → the concept they stand for (`person` for people words) or an `extra:` key
/// that no tag can back (the models cannot see sky or grass).
const EXTRA_EN: &[(&str, &str)] = &[
    ("man", "person"), ("men", "person"), ("woman", "person"), ("women", "person"), ("boy", "person"),
    ("boys", "person"), ("girl", "person"), ("girls", "person"), ("child", "person"), ("children", "person"),
    ("kid", "person"), ("kids", "person"), ("baby", "person"), ("lady", "person"), ("gentleman", "person"),
    ("sea", "seashore"), ("ocean", "seashore"), ("beach", "seashore"), ("lake", "lakeside"),
    ("mountain", "mountain"), ("sky", "extra:sky"), ("cloud", "extra:cloud"), ("clouds", "extra:cloud"),
    ("grass", "extra:grass"), ("tree", "extra:tree"), ("trees", "extra:tree"), ("road", "extra:road"),
    ("river", "extra:river"), ("sand", "extra:sand"), ("snow", "extra:snow"), ("floor", "extra:floor"),
    ("sun", "extra:sun"),
];
const EXTRA_ZH: &[(&str, &str)] = &[
    ("男人", "person"), ("女人", "person"), ("男子", "person"), ("女子", "person"), ("男孩", "person"),
    ("女孩", "person"), ("孩子", "person"), ("儿童", "person"), ("小孩", "person"), ("婴儿", "person"),
    ("人们", "person"), ("人物", "person"), ("男士", "person"), ("女士", "person"), ("行人", "person"),
    ("海", "seashore"), ("大海", "seashore"), ("海滩", "seashore"), ("湖", "lakeside"), ("山", "mountain"),
    ("山脉", "mountain"), ("天空", "extra:sky"), ("云", "extra:cloud"), ("云朵", "extra:cloud"),
    ("草地", "extra:grass"), ("草坪", "extra:grass"), ("树", "extra:tree"), ("树木", "extra:tree"),
    ("道路", "extra:road"), ("马路", "extra:road"), ("河", "extra:river"), ("河流", "extra:river"),
    ("沙滩", "extra:sand"), ("雪", "extra:snow"), ("地板", "extra:floor"), ("太阳", "extra:sun"),
];

/// Words that are class names but mostly mean something else in a description.
const NOT_OBJECTS_EN: &[&str] = &["stage", "screen", "web site", "pole", "switch", "space", "wall", "fence", "plate"];
const NOT_OBJECTS_ZH: &[&str] = &["屏幕", "舞台", "墙"];

struct Vocabulary {
    /// Lower-case English phrase (1–4 words) → concept.
    en: HashMap<String, ConceptKey>,
    /// Chinese name → concept.
    zh: HashMap<String, ConceptKey>,
    longest_en_phrase: usize,
    /// Characters in the longest Chinese name.
    longest_zh_name: usize,
}

fn vocabulary() -> &'static Vocabulary {
    static VOCABULARY: OnceLock<Vocabulary> = OnceLock::new();
    VOCABULARY.get_or_init(|| {
        let mut en = HashMap::new();
        let mut zh = HashMap::new();
        let mut add = |e: &str, z: &str, key: &str| {
            let e = e.to_lowercase();
            if !NOT_OBJECTS_EN.contains(&e.as_str()) {
                en.entry(e.clone()).or_insert_with(|| key.to_string());
                if !e.ends_with('s') {
                    en.entry(format!("{e}s")).or_insert_with(|| key.to_string());
                }
            }
            if !z.is_empty() && !NOT_OBJECTS_ZH.contains(&z) {
                zh.entry(z.to_string()).or_insert_with(|| key.to_string());
            }
        };
        // Concepts first: their own names win over a class name spelled the same.
        for c in all_concepts() {
            add(c.en, c.zh, c.key);
            add(c.en_plural, "", c.key);
        }
        for class in (0..).map_while(imagenet).chain((0..).map_while(coco)) {
            add(class.en, class.zh, class.concept.key);
        }
        for (word, key) in EXTRA_EN {
            add(word, "", key);
        }
        for (word, key) in EXTRA_ZH {
            add("", word, key);
        }
        let longest_en_phrase = en.keys().map(|k| k.split(' ').count()).max().unwrap_or(1).min(4);
        let longest_zh_name = zh.keys().map(|k| k.chars().count()).max().unwrap_or(1);
        Vocabulary { en, zh, longest_en_phrase, longest_zh_name }
    })
}

/// The concepts a text names, in order of appearance (repeats kept).
pub fn named_concepts(text: &str) -> Vec<ConceptKey> {
    let unquoted = without_quotes(text);
    let mut out = english_names(&unquoted);
    if unquoted.chars().any(is_han) {
        out.extend(chinese_names(&unquoted));
    }
    out
}

fn english_names(text: &str) -> Vec<ConceptKey> {
    let v = vocabulary();
    let words: Vec<String> = text
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '\''))
        .filter(|w| !w.is_empty())
        .map(|w| w.trim_end_matches("'s").to_ascii_lowercase())
        .collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let found = (1..=v.longest_en_phrase.min(words.len() - i))
            .rev()
            .find_map(|n| v.en.get(&words[i..i + n].join(" ")).map(|key| (n, key)));
        match found {
            Some((n, key)) => {
                out.push(key.clone());
                i += n;
            }
            None => i += 1,
        }
    }
    out
}

fn chinese_names(text: &str) -> Vec<ConceptKey> {
    let v = vocabulary();
    let chars: Vec<char> = text.chars().collect();
    // Names of two or more characters: the longest match at each position (jieba may split
    // 钻井平台 into 钻井 + 平台). `found` keeps (char offset, concept) in text order.
    let mut found: Vec<(usize, ConceptKey)> = Vec::new();
    let mut covered = vec![false; chars.len()];
    let mut i = 0;
    while i < chars.len() {
        let hit = (2..=v.longest_zh_name.min(chars.len() - i))
            .rev()
            .find_map(|n| v.zh.get(&chars[i..i + n].iter().collect::<String>()).map(|key| (n, key)));
        match hit {
            Some((n, key)) => {
                found.push((i, key.clone()));
                covered[i..i + n].iter_mut().for_each(|c| *c = true);
                i += n;
            }
            None => i += 1,
        }
    }
    // One-character names (猫, 人, 树) only as a word of their own (小猫 too), so 令人 is not a
    // person.
    for token in jieba().cut(text, true) {
        if covered[token.start..token.end].iter().any(|&c| c) {
            continue;
        }
        let word = token.word;
        let bare = word.strip_prefix('小').or_else(|| word.strip_suffix('们')).or_else(|| word.strip_suffix('儿')).unwrap_or(word);
        if let Some(key) = [word, bare].into_iter().filter(|w| w.chars().count() == 1).find_map(|w| v.zh.get(w)) {
            found.push((token.start, key.clone()));
        }
    }
    found.sort_by_key(|(at, _)| *at);
    found.into_iter().map(|(_, key)| key).collect()
}

/// The text with quoted passages ("…", “…”, 「…」) removed: what a photo's sign says is
/// checked against OCR, not as object names.
pub fn without_quotes(text: &str) -> String {
    split_quotes(text).0
}

/// The passages the text quotes.
pub fn quotes(text: &str) -> Vec<String> {
    split_quotes(text).1
}

/// (the text outside quotes, the non-empty quoted passages); an unclosed quote runs to the end
/// and is not a passage.
fn split_quotes(text: &str) -> (String, Vec<String>) {
    let mut outside = String::with_capacity(text.len());
    let mut passages = Vec::new();
    let mut current: Option<(char, String)> = None;
    for c in text.chars() {
        match &mut current {
            Some((close, q)) if c == *close => {
                let q = std::mem::take(q);
                if !q.trim().is_empty() {
                    passages.push(q.trim().to_string());
                }
                current = None;
            }
            Some((_, q)) => q.push(c),
            None => match c {
                '"' => current = Some(('"', String::new())),
                '“' => current = Some(('”', String::new())),
                '「' => current = Some(('」', String::new())),
                _ => outside.push(c),
            },
        }
    }
    (outside, passages)
}

/// Colour words: no model here sees colour, so a colour in a description is a guess.
pub fn colours(text: &str) -> Vec<String> {
    const EN: &[&str] = &[
        "red", "orange", "yellow", "green", "blue", "purple", "pink", "brown", "black", "white", "gray", "grey", "golden",
    ];
    const ZH: &[&str] = &["红色", "橙色", "黄色", "绿色", "蓝色", "紫色", "粉色", "棕色", "褐色", "黑色", "白色", "灰色", "金色", "银色"];
    let text = without_quotes(text);
    let mut out: Vec<String> = text
        .split(|c: char| !c.is_ascii_alphabetic())
        .map(|w| w.to_ascii_lowercase())
        .filter(|w| EN.contains(&w.as_str()))
        .collect();
    out.extend(ZH.iter().filter(|c| text.contains(*c)).map(|c| c.to_string()));
    out
}

/// Counts of two or more the text states: "two cats", "3 cups", "两只猫", "三个人".
pub fn stated_counts(text: &str) -> Vec<usize> {
    const EN: &[&str] = &["two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"];
    const ZH: &str = "两二三四五六七八九十";
    const MEASURES: &str = "个只辆位头条张杯把台部棵朵匹架艘本件块名";
    let text = without_quotes(text);
    let mut out = Vec::new();
    for word in text.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()) {
        let lower = word.to_ascii_lowercase();
        if let Some(i) = EN.iter().position(|w| *w == lower) {
            out.push(i + 2);
        } else if let Ok(n) = word.parse::<usize>() {
            if n >= 2 {
                out.push(n);
            }
        }
    }
    let chars: Vec<char> = text.chars().collect();
    for pair in chars.windows(2) {
        if let (Some(i), true) = (ZH.chars().position(|c| c == pair[0]), MEASURES.contains(pair[1])) {
            out.push(if i == 0 { 2 } else { i + 1 });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_names_map_to_concepts() {
        assert_eq!(named_concepts("An Egyptian cat sits next to two coffee mugs."), ["cat", "cup"]);
        assert_eq!(named_concepts("A man stands under a clear sky."), ["person", "extra:sky"]);
        assert_eq!(named_concepts("The photo shows a scene with soft light."), Vec::<String>::new());
        assert_eq!(named_concepts("A sign reads \"cat cafe\"."), Vec::<String>::new(), "quoted text is OCR, not objects");
    }

    #[test]
    fn chinese_names_map_to_concepts_by_token() {
        assert_eq!(named_concepts("一只埃及猫趴在地上。"), ["cat"]);
        assert!(named_concepts("画面令人感到平静。").is_empty(), "令人 is not a person");
        assert_eq!(named_concepts("一个男人和一只小猫。"), ["person", "cat"]);
        assert_eq!(named_concepts("照片中有一座钻井平台。"), ["drilling_platform"], "jieba splits 钻井平台");
        assert!(named_concepts("天空很蓝。").contains(&"extra:sky".to_string()));
    }

    #[test]
    fn counts_and_quotes() {
        assert_eq!(stated_counts("Two cats and 3 cups, one dog."), [2, 3]);
        assert_eq!(stated_counts("两只猫和三个人，一辆车。"), [2, 3]);
        assert_eq!(stated_counts("A sign reading \"2 for 1\"."), Vec::<usize>::new());
        assert_eq!(quotes("一块写着“禁止游泳”的牌子，和 \"EXIT\"。"), ["禁止游泳", "EXIT"]);
        assert_eq!(without_quotes("a \"b\" c"), "a  c");
        assert_eq!(colours("A black cat on a White mat, \"RED\" sign."), ["black", "white"]);
        assert_eq!(colours("一只黑色的猫，白天。"), ["黑色"]);
    }
}
