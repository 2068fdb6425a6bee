//! Bilingual class names and coarse concepts for the caption composer.
//!
//! Three tab-separated tables under `labels/` are compiled in and parsed once:
//!
//! * `imagenet.tsv`: the classifier's 1,000 ImageNet classes, `index en zh concept`;
//! * `coco.tsv`: the detector's 80 COCO classes, same columns;
//! * `concepts.tsv`: the coarse concepts both tables point to,
//!   `key en en_plural zh measure_zh kind`;
//! * `groups.tsv`: broader groups of concepts (`group members`: insect, fruit, building, …),
//!   each group itself a concept, for captions that back off from an unsure guess to what it
//!   surely is ("An animal." rather than "Possibly a wombat.").
//!
//! A class label keeps its specific name ("golden retriever / 金毛寻回犬"); its concept is the
//! coarse thing the classifier and the detector can agree on ("dog / 狗", counted with 只).
//! The tables are part of the source: a malformed row is a programming error, so parsing
//! panics with the file and line, and the unit tests below parse everything.

use std::collections::HashMap;
use std::sync::OnceLock;

/// Number of rows in `imagenet.tsv` (the classifier's classes).
pub const IMAGENET_CLASSES: usize = 1000;
/// Number of rows in `coco.tsv` (the detector's classes).
pub const COCO_CLASSES: usize = 80;

const CONCEPTS_TSV: &str = include_str!("labels/concepts.tsv");
const IMAGENET_TSV: &str = include_str!("labels/imagenet.tsv");
const COCO_TSV: &str = include_str!("labels/coco.tsv");
const GROUPS_TSV: &str = include_str!("labels/groups.tsv");

const CONCEPTS_HEADER: &str = "key\ten\ten_plural\tzh\tmeasure_zh\tkind";
const CLASSES_HEADER: &str = "index\ten\tzh\tconcept";
const GROUPS_HEADER: &str = "group\tmembers";

/// What sort of thing a concept is; the composer words each kind differently
/// (a scene is "at the seashore / 在海边", a drink is counted in cups, and so on).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Person,
    Animal,
    Vehicle,
    Food,
    Drink,
    Plant,
    Object,
    Scene,
    Text,
}

impl Kind {
    pub const ALL: [Kind; 9] = [
        Kind::Person,
        Kind::Animal,
        Kind::Vehicle,
        Kind::Food,
        Kind::Drink,
        Kind::Plant,
        Kind::Object,
        Kind::Scene,
        Kind::Text,
    ];

    /// The spelling used in `concepts.tsv`.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Person => "person",
            Kind::Animal => "animal",
            Kind::Vehicle => "vehicle",
            Kind::Food => "food",
            Kind::Drink => "drink",
            Kind::Plant => "plant",
            Kind::Object => "object",
            Kind::Scene => "scene",
            Kind::Text => "text",
        }
    }

    fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A coarse concept shared by the classifier's and the detector's classes.
#[derive(Debug, PartialEq, Eq)]
pub struct Concept {
    /// Stable key, e.g. `dog`, `coffee`, `seashore`.
    pub key: &'static str,
    /// English singular ("person", "pair of scissors"; for scenes the place noun, "seashore").
    pub en: &'static str,
    /// English plural ("people", "pairs of scissors").
    pub en_plural: &'static str,
    /// Chinese name ("人"; for scenes the place, "海边").
    pub zh: &'static str,
    /// Chinese measure word for counting ("只", "辆", "杯", ...).
    pub measure_zh: &'static str,
    pub kind: Kind,
}

/// One class of a model: its own bilingual name and the concept it belongs to.
#[derive(Debug)]
pub struct ClassLabel {
    pub en: &'static str,
    pub zh: &'static str,
    pub concept: &'static Concept,
}

struct ConceptTable {
    list: Vec<Concept>,
    by_key: HashMap<&'static str, usize>,
}

/// Splits a compiled-in table into rows of exactly `columns` non-empty fields, checking the
/// header. Yields (line number, fields).
fn rows(
    file: &'static str,
    text: &'static str,
    header: &str,
    columns: usize,
) -> impl Iterator<Item = (usize, Vec<&'static str>)> {
    let mut lines = text.lines().enumerate();
    match lines.next() {
        Some((_, first)) if first == header => {}
        other => panic!(
            "{file}:1: expected header {header:?}, found {:?}",
            other.map(|(_, l)| l)
        ),
    }
    lines.map(move |(i, line)| {
        let line_no = i + 1;
        let fields: Vec<&'static str> = line.split('\t').collect();
        if fields.len() != columns {
            panic!(
                "{file}:{line_no}: expected {columns} tab-separated fields, found {}",
                fields.len()
            );
        }
        for (n, f) in fields.iter().enumerate() {
            if f.trim().is_empty() || f.trim() != *f {
                panic!("{file}:{line_no}: field {} is empty or has surrounding spaces", n + 1);
            }
        }
        (line_no, fields)
    })
}

fn concept_table() -> &'static ConceptTable {
    static TABLE: OnceLock<ConceptTable> = OnceLock::new();
    TABLE.get_or_init(|| {
        let file = "labels/concepts.tsv";
        let mut list = Vec::new();
        let mut by_key = HashMap::new();
        for (line_no, f) in rows(file, CONCEPTS_TSV, CONCEPTS_HEADER, 6) {
            let kind = Kind::parse(f[5]).unwrap_or_else(|| panic!("{file}:{line_no}: unknown kind {:?}", f[5]));
            if by_key.insert(f[0], list.len()).is_some() {
                panic!("{file}:{line_no}: duplicate concept key {:?}", f[0]);
            }
            list.push(Concept {
                key: f[0],
                en: f[1],
                en_plural: f[2],
                zh: f[3],
                measure_zh: f[4],
                kind,
            });
        }
        ConceptTable { list, by_key }
    })
}

fn parse_classes(file: &'static str, text: &'static str, expected: usize) -> Vec<ClassLabel> {
    let concepts = concept_table();
    let mut out = Vec::with_capacity(expected);
    for (line_no, f) in rows(file, text, CLASSES_HEADER, 4) {
        if f[0].parse::<usize>().ok() != Some(out.len()) {
            panic!("{file}:{line_no}: index {:?}, expected {}", f[0], out.len());
        }
        let concept = match concepts.by_key.get(f[3]) {
            Some(&i) => &concepts.list[i],
            None => panic!("{file}:{line_no}: unknown concept {:?}", f[3]),
        };
        out.push(ClassLabel {
            en: f[1],
            zh: f[2],
            concept,
        });
    }
    if out.len() != expected {
        panic!("{file}: {} classes, expected {expected}", out.len());
    }
    out
}

fn imagenet_table() -> &'static [ClassLabel] {
    static TABLE: OnceLock<Vec<ClassLabel>> = OnceLock::new();
    TABLE.get_or_init(|| parse_classes("labels/imagenet.tsv", IMAGENET_TSV, IMAGENET_CLASSES))
}

fn coco_table() -> &'static [ClassLabel] {
    static TABLE: OnceLock<Vec<ClassLabel>> = OnceLock::new();
    TABLE.get_or_init(|| parse_classes("labels/coco.tsv", COCO_TSV, COCO_CLASSES))
}

/// The classifier's class `index` (ImageNet order), or `None` past the end.
pub fn imagenet(index: usize) -> Option<&'static ClassLabel> {
    imagenet_table().get(index)
}

/// The detector's class `index` (COCO 80-class order), or `None` past the end.
pub fn coco(index: usize) -> Option<&'static ClassLabel> {
    coco_table().get(index)
}

/// Concepts no class maps to, used by the caption composer itself (a page or a screen of
/// text, recognised from the OCR lines; a landscape, from the natural scenes' summed scores).
pub const COMPOSER_CONCEPTS: [&str; 3] = ["document", "screenshot", "landscape"];

/// Concept index → the index of its group's concept, from `groups.tsv`.
fn group_table() -> &'static HashMap<usize, usize> {
    static TABLE: OnceLock<HashMap<usize, usize>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let file = "labels/groups.tsv";
        let concepts = concept_table();
        let index = |line_no: usize, key: &str| match concepts.by_key.get(key) {
            Some(&i) => i,
            None => panic!("{file}:{line_no}: unknown concept {key:?}"),
        };
        let mut groups = HashMap::new();
        for (line_no, f) in rows(file, GROUPS_TSV, GROUPS_HEADER, 2) {
            let group = index(line_no, f[0]);
            for member in f[1].split(' ') {
                if groups.insert(index(line_no, member), group).is_some() {
                    panic!("{file}:{line_no}: concept {member:?} is in two groups");
                }
            }
        }
        groups
    })
}

/// The broader group `c` belongs to (`wombat` → `animal`, `church` → `building`), if any; a
/// group may contain the concept of the same name (`insect` → `insect`).
pub fn group_of(c: &Concept) -> Option<&'static Concept> {
    let table = concept_table();
    let i = *table.by_key.get(c.key)?;
    group_table().get(&i).map(|&g| &table.list[g])
}

/// The concept with this key, e.g. `concept("dog")`.
pub fn concept(key: &str) -> Option<&'static Concept> {
    let table = concept_table();
    table.by_key.get(key).map(|&i| &table.list[i])
}

/// All concepts, in table order.
pub fn all_concepts() -> &'static [Concept] {
    &concept_table().list
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn is_han(c: char) -> bool {
        matches!(c, '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}' | '\u{20000}'..='\u{2FA1F}')
    }

    fn all_labels() -> impl Iterator<Item = (&'static str, usize, &'static ClassLabel)> {
        let inet = (0..IMAGENET_CLASSES).map(|i| ("imagenet", i, imagenet(i).unwrap()));
        let coco = (0..COCO_CLASSES).map(|i| ("coco", i, coco(i).unwrap()));
        inet.chain(coco)
    }

    #[test]
    #[should_panic(expected = "bad.tsv:3: expected 4 tab-separated fields, found 3")]
    fn malformed_rows_name_file_and_line() {
        let text = "index\ten\tzh\tconcept\n0\tcat\t猫\tcat\n1\tdog\t狗\n";
        for _ in rows("bad.tsv", text, CLASSES_HEADER, 4) {}
    }

    #[test]
    #[should_panic(expected = "bad.tsv:1: expected header")]
    fn wrong_header_is_caught() {
        for _ in rows("bad.tsv", "key\ten\n", CLASSES_HEADER, 4) {}
    }

    #[test]
    fn tables_have_every_class_in_index_order() {
        for (text, n) in [(IMAGENET_TSV, IMAGENET_CLASSES), (COCO_TSV, COCO_CLASSES)] {
            let indices: Vec<&str> = text.lines().skip(1).map(|l| l.split('\t').next().unwrap()).collect();
            let expected: Vec<String> = (0..n).map(|i| i.to_string()).collect();
            assert_eq!(indices, expected);
        }
        assert!(imagenet(IMAGENET_CLASSES - 1).is_some() && imagenet(IMAGENET_CLASSES).is_none());
        assert!(coco(COCO_CLASSES - 1).is_some() && coco(COCO_CLASSES).is_none());
        assert!(!all_concepts().is_empty());
    }

    #[test]
    fn no_empty_fields_and_chinese_is_chinese() {
        for c in all_concepts() {
            for f in [c.key, c.en, c.en_plural, c.zh, c.measure_zh] {
                assert!(!f.trim().is_empty(), "{c:?}");
            }
            assert!(c.zh.chars().any(is_han), "concept {} zh {:?}", c.key, c.zh);
            assert!(
                c.measure_zh.chars().count() == 1 && c.measure_zh.chars().all(is_han),
                "concept {} measure {:?}",
                c.key,
                c.measure_zh
            );
            assert!(
                c.key.chars().all(|ch| ch.is_ascii_lowercase() || ch == '_'),
                "key {:?}",
                c.key
            );
            assert!(!c.en.chars().any(is_han) && !c.en_plural.chars().any(is_han), "{c:?}");
        }
        for (table, i, l) in all_labels() {
            assert!(!l.en.trim().is_empty() && !l.zh.trim().is_empty(), "{table} {i}");
            assert!(
                l.zh.chars().any(is_han),
                "{table} {i}: zh {:?} has no Han characters",
                l.zh
            );
            assert!(!l.en.chars().any(is_han), "{table} {i}: en {:?}", l.en);
        }
    }

    #[test]
    fn every_concept_is_used_and_every_kind_occurs() {
        let mut used: HashSet<&str> = all_labels().map(|(_, _, l)| l.concept.key).collect();
        // No class maps to these: the caption composer names pages and screens from the OCR and
        // landscapes from the natural scenes.
        used.extend(COMPOSER_CONCEPTS);
        // Groups are named by the caption when it backs off from an unsure member.
        used.extend(all_concepts().iter().filter_map(group_of).map(|g| g.key));
        for c in all_concepts() {
            assert!(used.contains(c.key), "concept {} is not used by any class", c.key);
            assert!(std::ptr::eq(concept(c.key).unwrap(), c));
        }
        for kind in Kind::ALL {
            assert!(
                all_concepts().iter().any(|c| c.kind == kind),
                "no concept of kind {kind:?}"
            );
        }
        let n = all_concepts().len();
        assert!((250..=480).contains(&n), "{n} concepts: coarser or finer than intended");
        assert!(concept("no such concept").is_none());
    }

    #[test]
    fn groups_hold_concepts_of_their_sort() {
        let group = |key: &str| group_of(concept(key).unwrap()).map(|g| g.key);
        assert_eq!(group("wombat"), Some("animal"));
        assert_eq!(group("butterfly"), Some("insect"));
        assert_eq!(group("insect"), Some("insect"));
        assert_eq!(group("penguin"), Some("bird"));
        assert_eq!(group("church"), Some("building"));
        assert_eq!(group("apple"), Some("fruit"));
        assert_eq!(group("person"), None);
        // A group of living things holds living things; a group never mixes food and objects.
        for c in all_concepts() {
            if let Some(g) = group_of(c) {
                let same = c.kind == g.kind || (g.key == "building" && c.kind == Kind::Scene);
                assert!(same, "{} ({:?}) in group {} ({:?})", c.key, c.kind, g.key, g.kind);
            }
        }
    }

    fn inet(en: &str) -> &'static ClassLabel {
        (0..IMAGENET_CLASSES)
            .map(|i| imagenet(i).unwrap())
            .find(|l| l.en == en)
            .unwrap_or_else(|| panic!("no ImageNet class {en:?}"))
    }

    fn coco_named(en: &str) -> &'static ClassLabel {
        (0..COCO_CLASSES)
            .map(|i| coco(i).unwrap())
            .find(|l| l.en == en)
            .unwrap_or_else(|| panic!("no COCO class {en:?}"))
    }

    #[test]
    fn classifier_and_detector_share_concepts() {
        let same = |a: &str, b: &str, key: &str| {
            let (a, b) = (inet(a), coco_named(b));
            assert_eq!(a.concept.key, key, "{a:?}");
            assert!(std::ptr::eq(a.concept, b.concept), "{a:?} vs {b:?}");
        };
        same("Egyptian cat", "cat", "cat");
        same("tabby cat", "cat", "cat");
        same("golden retriever", "dog", "dog");
        same("Chihuahua", "dog", "dog");
        same("sports car", "car", "car");
        same("taxi", "car", "car");
        same("coffee mug", "cup", "cup");
        same("pickup truck", "truck", "truck");
        same("school bus", "bus", "bus");
        same("airliner", "airplane", "airplane");
        same("canoe", "boat", "boat");
        same("polar bear", "bear", "bear");
        same("tennis ball", "ball", "ball");
        same("television", "TV", "tv");
        same("computer mouse", "mouse", "mouse");
        same("baseball player", "person", "person");
        // Every dog breed (ImageNet 151..=268) is a dog; wolves, foxes and wild dogs are not.
        for i in 151..=268 {
            assert_eq!(imagenet(i).unwrap().concept.key, "dog", "{i}");
        }
        for i in 269..=280 {
            assert_ne!(imagenet(i).unwrap().concept.key, "dog", "{i}");
        }
        // Big cats keep their own concepts; domestic cats are cats.
        for i in 281..=285 {
            assert_eq!(imagenet(i).unwrap().concept.key, "cat", "{i}");
        }
        for (en, key) in [
            ("tiger", "tiger"),
            ("lion", "lion"),
            ("leopard", "leopard"),
            ("cheetah", "cheetah"),
        ] {
            assert_eq!(inet(en).concept.key, key);
        }
        // A drink is not its container.
        let espresso = inet("espresso").concept;
        assert_eq!((espresso.key, espresso.kind), ("coffee", Kind::Drink));
        assert_eq!(espresso.measure_zh, "杯");
        assert_eq!(inet("cup").concept.kind, Kind::Object);
        // Scenes.
        let shore = inet("seashore").concept;
        assert_eq!((shore.kind, shore.en, shore.zh), (Kind::Scene, "seashore", "海边"));
        for en in [
            "alpine peak",
            "cliff",
            "coral reef",
            "lakeside",
            "valley",
            "volcano",
            "library",
            "restaurant",
        ] {
            assert_eq!(inet(en).concept.kind, Kind::Scene, "{en}");
        }
    }

    #[test]
    fn plurals_and_measure_words_are_sane() {
        let c = |k: &str| concept(k).unwrap_or_else(|| panic!("no concept {k}"));
        assert_eq!((c("person").en, c("person").en_plural), ("person", "people"));
        assert_eq!(c("mouse").en_plural, "mice");
        assert_eq!(c("sheep").en_plural, "sheep");
        assert_eq!(c("knife").en_plural, "knives");
        for (key, m) in [
            ("dog", "只"),
            ("cat", "只"),
            ("car", "辆"),
            ("horse", "匹"),
            ("cow", "头"),
            ("elephant", "头"),
            ("coffee", "杯"),
            ("chair", "把"),
            ("umbrella", "把"),
            ("table", "张"),
            ("bed", "张"),
            ("tv", "台"),
            ("laptop", "台"),
            ("book", "本"),
            ("boat", "艘"),
            ("airplane", "架"),
            ("phone", "部"),
        ] {
            assert_eq!(c(key).measure_zh, m, "{key}");
        }
        // Irregular and unchanged plurals; everything else must follow the regular rules.
        let irregular: HashMap<&str, &str> = [
            ("person", "people"),
            ("mouse", "mice"),
            ("goose", "geese"),
            ("fish", "fish"),
            ("sheep", "sheep"),
            ("jellyfish", "jellyfish"),
            ("starfish", "starfish"),
            ("mountains", "mountains"),
            ("mortar and pestle", "mortars and pestles"),
        ]
        .into_iter()
        .collect();
        let regular = |s: &str| -> Vec<String> {
            let mut v = vec![format!("{s}s"), format!("{s}es")];
            if let Some(stem) = s.strip_suffix('y') {
                v.push(format!("{stem}ies"));
            }
            if let Some(stem) = s.strip_suffix("fe").or_else(|| s.strip_suffix('f')) {
                v.push(format!("{stem}ves"));
            }
            v
        };
        for c in all_concepts() {
            let ok = match irregular.get(c.en) {
                Some(p) => *p == c.en_plural,
                None => match c.en.split_once(" of ") {
                    // "pair of scissors" -> "pairs of scissors", "suit of armor" -> "suits of armor"
                    Some((head, tail)) => regular(head).iter().any(|h| c.en_plural == format!("{h} of {tail}")),
                    None => regular(c.en).iter().any(|p| *p == c.en_plural),
                },
            };
            assert!(ok, "concept {}: plural {:?} of {:?}", c.key, c.en_plural, c.en);
        }
    }

    /// Lower-case letters and digits only, for loose comparisons.
    fn norm(s: &str) -> String {
        s.chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .map(|c| c.to_ascii_lowercase())
            .collect()
    }

    /// ImageNet classes whose `en` is deliberately not one of the official synonyms (the
    /// official first synonym is obscure, a brand, or ambiguous).
    const RENAMED: &[usize] = &[7, 152, 303, 354, 385, 419, 493, 521, 584, 638, 639, 705, 921, 930];

    fn names_file(name: &str) -> Option<Vec<String>> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../models/dist")
            .join(name);
        match std::fs::read(&path) {
            Ok(bytes) => Some(serde_json::from_slice(&bytes).expect("label file is a JSON list")),
            Err(_) => {
                eprintln!("skipping: {} not found (run models/fetch.py)", path.display());
                None
            }
        }
    }

    #[test]
    fn english_names_follow_the_official_labels() {
        assert!(RENAMED.len() <= 20);
        if let Some(official) = names_file("imagenet-labels.json") {
            assert_eq!(official.len(), IMAGENET_CLASSES);
            for (i, names) in official.iter().enumerate() {
                let en = norm(imagenet(i).unwrap().en);
                let synonyms: Vec<String> = names.split(',').map(norm).collect();
                let first = &synonyms[0];
                let matches =
                    synonyms.iter().any(|s| *s == en) || en.contains(first.as_str()) || first.contains(en.as_str());
                assert!(
                    matches || RENAMED.contains(&i),
                    "ImageNet {i}: {:?} does not match {names:?}",
                    imagenet(i).unwrap().en
                );
                assert!(
                    !matches || !RENAMED.contains(&i),
                    "ImageNet {i} matches now; drop it from RENAMED"
                );
            }
        }
        if let Some(official) = names_file("coco-labels.json") {
            assert_eq!(official.len(), COCO_CLASSES);
            for (i, name) in official.iter().enumerate() {
                let (en, off) = (norm(coco(i).unwrap().en), norm(name));
                assert!(
                    en.contains(&off) || off.contains(&en) || (off == "hairdrier" && en == "hairdryer"),
                    "COCO {i}: {:?} vs {name:?}",
                    coco(i).unwrap().en
                );
            }
        }
    }
}
