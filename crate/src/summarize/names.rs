//! How names cross between Chinese and English in a translated summary.
//!
//! A 0.5B model translating a sentence invents spellings (程雨桐 → "Cheng Yuting") and
//! transliterates English names into characters nobody uses. So names are rendered here,
//! deterministically, before the model sees the sentence:
//! - a name with a standard rendering (阿里巴巴 ↔ Alibaba, 杭州 ↔ Hangzhou) uses it;
//! - any other Chinese name becomes Hanyu Pinyin (the official romanization): people as
//!   "Surname Given" (程雨桐 → "Cheng Yutong"), places with their kind ("Qingxi Town"), and the
//!   source spelling follows in parentheses at its first mention: "Qingxi Town (青溪镇)";
//! - any other English name stays in Latin letters inside the Chinese sentence.

use super::guard::{chinese_name_tags, chinese_word_tags, in_dictionary, is_name_tag, latin_names};
use crate::text::language::is_han;
use pinyin::ToPinyin;

/// One name and how it is written in the output language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendering {
    pub source: String,
    pub target: String,
    /// The source spelling is added in parentheses at the first mention (no standard
    /// rendering is known).
    pub show_source: bool,
}

/// Standard renderings, both directions (names a reader knows in both languages).
const KNOWN: &[(&str, &str)] = &[
    // countries and regions
    ("中国", "China"), ("美国", "the United States"), ("英国", "Britain"), ("日本", "Japan"), ("韩国", "South Korea"),
    ("德国", "Germany"), ("法国", "France"), ("加拿大", "Canada"), ("澳大利亚", "Australia"), ("印度", "India"),
    ("俄罗斯", "Russia"), ("欧洲", "Europe"), ("亚洲", "Asia"), ("非洲", "Africa"), ("欧盟", "the EU"),
    ("新加坡", "Singapore"), ("香港", "Hong Kong"), ("澳门", "Macao"), ("台湾", "Taiwan"), ("意大利", "Italy"),
    ("西班牙", "Spain"), ("巴西", "Brazil"), ("墨西哥", "Mexico"), ("越南", "Vietnam"), ("泰国", "Thailand"),
    ("印度尼西亚", "Indonesia"), ("印尼", "Indonesia"), ("马来西亚", "Malaysia"), ("菲律宾", "the Philippines"),
    // provinces and cities whose pinyin differs from the usual English or that are common
    ("北京", "Beijing"), ("上海", "Shanghai"), ("广州", "Guangzhou"), ("深圳", "Shenzhen"), ("杭州", "Hangzhou"),
    ("南京", "Nanjing"), ("成都", "Chengdu"), ("重庆", "Chongqing"), ("武汉", "Wuhan"), ("西安", "Xi'an"),
    ("天津", "Tianjin"), ("苏州", "Suzhou"), ("长沙", "Changsha"), ("厦门", "Xiamen"), ("青岛", "Qingdao"),
    ("内蒙古", "Inner Mongolia"), ("西藏", "Tibet"), ("陕西", "Shaanxi"), ("山西", "Shanxi"), ("广东", "Guangdong"),
    ("浙江", "Zhejiang"), ("江苏", "Jiangsu"), ("四川", "Sichuan"), ("云南", "Yunnan"), ("福建", "Fujian"),
    ("长江", "the Yangtze River"), ("黄河", "the Yellow River"),
    ("纽约", "New York"), ("伦敦", "London"), ("巴黎", "Paris"), ("东京", "Tokyo"), ("首尔", "Seoul"),
    ("洛杉矶", "Los Angeles"), ("旧金山", "San Francisco"), ("硅谷", "Silicon Valley"), ("柏林", "Berlin"),
    // companies and organisations
    ("阿里巴巴", "Alibaba"), ("阿里", "Alibaba"), ("腾讯", "Tencent"), ("百度", "Baidu"), ("华为", "Huawei"),
    ("小米", "Xiaomi"), ("字节跳动", "ByteDance"), ("京东", "JD.com"), ("比亚迪", "BYD"), ("联想", "Lenovo"),
    ("苹果", "Apple"), ("谷歌", "Google"), ("微软", "Microsoft"), ("亚马逊", "Amazon"), ("特斯拉", "Tesla"),
    ("三星", "Samsung"), ("英伟达", "Nvidia"), ("英特尔", "Intel"), ("索尼", "Sony"), ("丰田", "Toyota"),
    ("通义千问", "Qwen"), ("联合国", "the United Nations"), ("世界卫生组织", "the WHO"), ("国务院", "the State Council"),
    ("春节", "Spring Festival"), ("国庆", "National Day"),
];

/// Regions with standard renderings. Their characters also occur across word boundaries
/// (集中东部 holds 中东, 湖南美食 南美, 东南亚 南亚), so in Chinese they count only where
/// jieba makes them one word.
const REGIONS: &[(&str, &str)] = &[
    ("东南亚", "Southeast Asia"), ("中东", "the Middle East"), ("北美", "North America"), ("北美洲", "North America"),
    ("南美", "South America"), ("南美洲", "South America"), ("拉丁美洲", "Latin America"), ("东亚", "East Asia"),
    ("南亚", "South Asia"), ("中亚", "Central Asia"), ("东盟", "ASEAN"),
];

/// Every standard rendering: the names, then the regions.
fn standard_renderings() -> impl Iterator<Item = &'static (&'static str, &'static str)> {
    KNOWN.iter().chain(REGIONS)
}

/// Common words jieba's dictionary tags as places (ns, frequency > 3,000): a translator
/// renders them by meaning ("城市" is "city", not "Cheng City").
const NOT_NAMES: &[&str] = &[
    "城市", "上市", "东西", "南北", "哥哥", "外国", "大桥", "太阳", "平原", "建国", "海洋", "湖泊", "爱国", "美丽", "英雄",
    "高原", "朝廷", "江南", "华北", "东北", "东南", "西北", "西南", "自治县", "自治州",
];

/// Words that, right after a name, make it an institution's ("明川大学" is Mingchuan
/// University, not a person called Ming Chuan).
const INSTITUTIONS: &[&str] = &[
    "大学", "学院", "中学", "小学", "学校", "公司", "集团", "科技", "医院", "银行", "研究院", "研究所", "实验室",
    "合作社", "协会", "基金会", "博物馆", "图书馆", "委员会", "政府",
];

/// Chinese compound surnames (the rest take one character).
const COMPOUND_SURNAMES: &[&str] =
    &["欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "夏侯", "令狐", "长孙", "宇文", "司徒", "端木"];

/// Place suffixes and their English words ("青溪镇" → "Qingxi Town").
const PLACE_KINDS: &[(&str, &str)] = &[
    ("自治区", "Autonomous Region"), ("街道", "Subdistrict"), ("省", "Province"), ("市", "City"), ("县", "County"),
    ("区", "District"), ("镇", "Town"), ("乡", "Township"), ("村", "Village"), ("湖", "Lake"), ("山", "Mountain"),
    ("河", "River"), ("岛", "Island"), ("湾", "Bay"),
];

pub fn known_en(zh: &str) -> Option<&'static str> {
    standard_renderings().find(|(z, _)| *z == zh).map(|(_, e)| *e)
}

/// The English of every name with a standard rendering ("the United States", "Apple", …).
pub fn known_en_names() -> impl Iterator<Item = &'static str> {
    standard_renderings().map(|(_, e)| *e)
}

pub fn known_zh(en: &str) -> Option<&'static str> {
    let en = en.trim_start_matches("the ");
    standard_renderings().find(|(_, e)| e.trim_start_matches("the ").eq_ignore_ascii_case(en)).map(|(z, _)| *z)
}

/// Characters whose first dictionary reading (the `pinyin` crate's) is not the one names use:
/// 长 is "zhang" (to grow) but "chang" in 长宁, 长春 and given names; 都 "dou" (all) but "du"
/// in 成都-like places; 厦 "sha" but "xia" (厦门); 曾 "ceng" (once) but "zeng" as a name.
const NAME_READINGS: &[(char, &str)] = &[('长', "chang"), ('都', "du"), ('厦', "xia"), ('曾', "zeng"), ('藏', "zang")];

/// Surnames read otherwise than their first reading (单 is "Shan", 解 "Xie", 仇 "Qiu" …).
const SURNAME_READINGS: &[(char, &str)] = &[
    ('单', "shan"), ('解', "xie"), ('查', "zha"), ('仇', "qiu"), ('朴', "piao"), ('区', "ou"), ('乐', "yue"),
    ('缪', "miao"), ('覃', "qin"), ('种', "chong"), ('召', "shao"), ('翟', "zhai"), ('秘', "bi"), ('盖', "ge"),
    ('员', "yun"),
];

/// Pinyin without tones, syllables joined, first letter capital: 雨桐 → "Yutong"; an
/// apostrophe before a, o, e inside a word (西安 → "Xi'an"), as pinyin's rules write it.
pub fn pinyin_word(han: &str) -> String {
    pinyin_of(han, &[])
}

/// [`pinyin_word`], with `readings` overriding the name readings for the characters they list.
fn pinyin_of(han: &str, readings: &[(char, &str)]) -> String {
    let mut out = String::new();
    for (c, p) in han.chars().zip(han.to_pinyin()) {
        let fixed = readings.iter().chain(NAME_READINGS).find(|(r, _)| *r == c).map(|(_, s)| *s);
        let syllable = match (fixed, p) {
            (Some(s), _) => s.to_string(),
            (None, Some(p)) => p.plain().to_string(),
            (None, None) => c.to_string(),
        };
        if !out.is_empty() && syllable.starts_with(['a', 'o', 'e']) {
            out.push('\'');
        }
        out.push_str(&syllable);
    }
    capitalize(&out)
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

/// Whether `s` is one of the compound surnames (欧阳, 司马 …).
pub fn is_compound_surname(s: &str) -> bool {
    COMPOUND_SURNAMES.contains(&s)
}

/// A Chinese person's name in English: "Surname Given" (程雨桐 → "Cheng Yutong").
pub fn person_en(name: &str) -> String {
    let surname_len = if COMPOUND_SURNAMES.iter().any(|s| name.starts_with(s)) && name.chars().count() > 2 { 2 } else { 1 };
    let surname: String = name.chars().take(surname_len).collect();
    let given: String = name.chars().skip(surname_len).collect();
    // Compound surnames have their own readings (长孙 "Zhangsun", 尉迟 "Yuchi"); single ones the table's.
    let surname_en = if surname_len == 2 { pinyin_of(&surname, &[('长', "zhang"), ('尉', "yu")]) } else { pinyin_of(&surname, SURNAME_READINGS) };
    if given.is_empty() {
        surname_en
    } else {
        format!("{} {}", surname_en, pinyin_word(&given))
    }
}

/// A Chinese place or organisation: known rendering, else pinyin with its kind ("Qingxi Town").
pub fn place_en(name: &str) -> (String, bool) {
    if let Some(known) = known_en(name) {
        return (known.to_string(), false);
    }
    for (suffix, kind) in PLACE_KINDS {
        // A one-character stem is rarely a place ("城市" is a word): only stems of two or more.
        if let Some(stem) = name.strip_suffix(suffix).filter(|s| s.chars().count() >= 2) {
            let stem_en = known_en(stem).map_or_else(|| pinyin_word(stem), str::to_string);
            return (format!("{stem_en} {kind}"), true);
        }
    }
    (pinyin_word(name), true)
}

/// The Chinese names in `text` with their English renderings, longest first so replacing them
/// never splits a longer one: the known table; the words jieba tags as proper nouns (an unseen
/// one before an institution word is the institution's name); unseen words ending in an
/// administrative unit; and the article's places (`article_places`, from [`zh_places_in`])
/// wherever the text writes them.
pub fn zh_names_in(text: &str, article_places: &[String]) -> Vec<Rendering> {
    let mut out: Vec<Rendering> = Vec::new();
    let mut push = |r: Rendering| {
        if !out.iter().any(|o| o.source == r.source) {
            out.push(r);
        }
    };
    // Longest first, each blanked out once found: 印度 inside 印度尼西亚 is not India.
    let mut rest = text.to_string();
    let mut known: Vec<&(&str, &str)> = KNOWN.iter().collect();
    known.sort_by_key(|(zh, _)| std::cmp::Reverse(zh.chars().count()));
    for (zh, en) in known {
        if rest.contains(zh) {
            rest = rest.replace(zh, "\u{3000}");
            push(Rendering { source: zh.to_string(), target: en.to_string(), show_source: false });
        }
    }
    if REGIONS.iter().any(|(zh, _)| text.contains(zh)) {
        let words = chinese_word_tags(text);
        for (zh, en) in REGIONS.iter().filter(|(zh, _)| words.iter().any(|(w, _)| w == zh)) {
            push(Rendering { source: zh.to_string(), target: en.to_string(), show_source: false });
        }
    }
    for (word, tag) in chinese_name_tags(text) {
        if known_en(&word).is_some() || NOT_NAMES.contains(&word.as_str()) || is_institution_kind(&word) || is_miscut_person(text, &word, &tag) {
            continue;
        }
        let person = tag.starts_with("nr") && !ends_in_administrative_unit(&word) && !names_an_institution(text, &word);
        let (target, show_source) = if person { (person_en(&word), true) } else { place_en(&word) };
        push(Rendering { source: word, target, show_source });
    }
    for place in zh_places_in(text).iter().chain(article_places) {
        if text.contains(place.as_str()) && known_en(place).is_none() {
            let (target, show_source) = place_en(place);
            push(Rendering { source: place.clone(), target, show_source });
        }
    }
    out.sort_by_key(|r| std::cmp::Reverse(r.source.chars().count()));
    out
}

/// A Chinese article's own names for its sentences' translations, from one tagging of the whole
/// text: its places and companies or institutions ([`zh_places_in`], then
/// [`zh_institution_names_in`]), and its quoted product names ([`zh_quoted_names_in`]).
pub fn zh_article_names(text: &str) -> (Vec<String>, Vec<String>) {
    let tags = chinese_word_tags(text);
    let mut places = places_in(&tags);
    for name in institution_names_in(&tags) {
        if !places.contains(&name) {
            places.push(name);
        }
    }
    (places, quoted_names_in(&tags))
}

/// The places a Chinese text names with an administrative unit though jieba's dictionary has
/// never seen them (霖川市, which its model may tag as a common noun), and their stems (霖川):
/// an article that writes 霖川市 once means the same place where it writes 霖川.
pub fn zh_places_in(text: &str) -> Vec<String> {
    places_in(&chinese_word_tags(text))
}

/// [`zh_places_in`] over a text's words and tags.
fn places_in(tags: &[(String, String)]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (word, _) in tags {
        if !ends_in_administrative_unit(word) || !word.chars().all(is_han) || in_dictionary(word) {
            continue;
        }
        let stem: String = word.chars().take(word.chars().count() - 1).collect();
        for w in [word.clone(), stem] {
            if !out.contains(&w) && !in_dictionary(&w) {
                out.push(w);
            }
        }
    }
    out
}

/// The company and institution names a Chinese text writes right before an institution word
/// (科技, 公司, 大学 …) though jieba's dictionary has never seen them and its model does not tag
/// them as names (鹭岸科技, 澜舟科技, 云岫科技有限公司): a 0.5B translator renders them by meaning
/// or swaps in a company it knows ("Lawn Technology", "Lenovo"). A name here is the two or three
/// characters before the institution word, written as one word or as two one-character nouns,
/// that do not together make a dictionary word (人工智能科技, 新能源科技, 这家公司 are not names).
pub fn zh_institution_names_in(text: &str) -> Vec<String> {
    institution_names_in(&chinese_word_tags(text))
}

/// [`zh_institution_names_in`] over a text's words and tags.
fn institution_names_in(tags: &[(String, String)]) -> Vec<String> {
    let institution = |w: &str| INSTITUTIONS.contains(&w) || w.ends_with("公司");
    let nounish = |tag: &str| tag.starts_with('n') || tag == "x" || tag == "j";
    let mut out: Vec<String> = Vec::new();
    for i in 1..tags.len() {
        if !institution(&tags[i].0) {
            continue;
        }
        let (word, tag) = &tags[i - 1];
        let one_char = |(w, t): &(String, String)| w.chars().count() == 1 && w.chars().all(is_han) && nounish(t);
        let name = match word.chars().count() {
            2 | 3 if word.chars().all(is_han) && nounish(tag) => word.clone(),
            1 if i >= 2 && one_char(&tags[i - 1]) && one_char(&tags[i - 2]) => format!("{}{}", tags[i - 2].0, word),
            _ => continue,
        };
        if !in_dictionary(&name) && !INSTITUTIONS.iter().any(|inst| name.ends_with(inst)) && !out.contains(&name) {
            out.push(name);
        }
    }
    out
}

/// The product, brand and project names a Chinese text gives in quotes (“衡芯S2”, 平台“栖木”):
/// a 0.5B translator renders them by meaning ("the S2 balance chip") or drops them, so they
/// are spelled out beforehand like other names. A quoted span is a name when it is
/// - two to four Han characters followed by Latin letters or digits (衡芯S2, 澜思2.0, 青禾7号:
///   not 20年一遇 or 90后), or
/// - two or three Han characters right after a noun (芯片, 平台, 品牌, 民宿 …) that jieba's
///   dictionary does not have as an everyday word (驿栈, 禾味坊; not 满意 or 一步到位).
/// Longer quoted phrases (共享菜圃, report titles, slogans) are translated by meaning.
pub fn zh_quoted_names_in(text: &str) -> Vec<String> {
    quoted_names_in(&chinese_word_tags(text))
}

/// [`zh_quoted_names_in`] over a text's words and tags.
fn quoted_names_in(tags: &[(String, String)]) -> Vec<String> {
    const MAX_QUOTED_WORDS: usize = 8;
    let mut out: Vec<String> = Vec::new();
    for (i, (word, _)) in tags.iter().enumerate() {
        if word != "“" {
            continue;
        }
        // A name is a few words long: looking no further keeps a text of unclosed quotes linear.
        let inner: Vec<&(String, String)> = tags[i + 1..].iter().take(MAX_QUOTED_WORDS).take_while(|(w, _)| w != "”").collect();
        let span: String = inner.iter().map(|(w, _)| w.as_str()).collect();
        let closed = tags.get(i + 1 + inner.len()).is_some_and(|(w, _)| w == "”");
        if !closed || out.contains(&span) {
            continue;
        }
        let han = span.chars().take_while(|c| is_han(*c)).count();
        let rest: String = span.chars().skip(han).collect();
        let coded = (2..=4).contains(&han)
            && rest.starts_with(|c: char| c.is_ascii_alphanumeric())
            && rest.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || (is_han(c) && "号型代款".contains(c)));
        let after_noun = i > 0 && tags[i - 1].1.starts_with('n');
        let proper = |w: &(String, String)| matches!(w.1.as_str(), "nr" | "ns" | "nz" | "nt");
        let coined = rest.is_empty() && (2..=3).contains(&han) && after_noun && (!in_dictionary(&span) || (inner.len() == 1 && proper(inner[0])));
        if coded || coined {
            out.push(span);
        }
    }
    out
}

/// A quoted name in English: pinyin for its Han part, its Latin letters and digits as written
/// ("衡芯S2" → "Hengxin S2", "青禾7号" → "Qinghe No. 7", "驿栈" → "Yizhan").
pub fn quoted_name_en(name: &str) -> String {
    let han: String = name.chars().take_while(|c| is_han(*c)).collect();
    let rest: String = name.chars().skip(han.chars().count()).collect();
    let head = pinyin_word(&han);
    if rest.is_empty() {
        return head;
    }
    match rest.strip_suffix('号') {
        Some(number) if number.chars().all(|c| c.is_ascii_digit()) => format!("{head} No. {number}"),
        _ => {
            let rest: String = rest.chars().map(|c| if is_han(c) { pinyin_word(&c.to_string()) } else { c.to_string() }).collect();
            format!("{head} {rest}")
        }
    }
}

/// `names` (from [`zh_names_in`]) with the article's quoted names (`quoted`, from
/// [`zh_quoted_names_in`]) that `text` writes, quoted or not, longest first. A name inside a
/// quoted one (青禾 of 青禾7号) is left out where the text has it only there.
pub fn with_quoted_names(text: &str, mut names: Vec<Rendering>, quoted: &[String]) -> Vec<Rendering> {
    let present: Vec<&String> = quoted.iter().filter(|q| text.contains(q.as_str())).collect();
    if present.is_empty() {
        return names;
    }
    let mut rest = text.to_string();
    for q in &present {
        rest = rest.replace(q.as_str(), "\u{3000}");
    }
    // A name that is the quoted one keeps its rendering (“阿里” is Alibaba, not "Ali").
    let inside = |r: &Rendering| present.iter().any(|q| q.contains(r.source.as_str()) && **q != r.source);
    names.retain(|r| !inside(r) || rest.contains(r.source.as_str()));
    for q in present {
        if !names.iter().any(|r| &r.source == q) {
            names.push(Rendering { source: q.clone(), target: quoted_name_en(q), show_source: true });
        }
    }
    names.sort_by_key(|r| std::cmp::Reverse(r.source.chars().count()));
    names
}

/// A word jieba's dictionary tags as an organisation that names a kind of institution: one of
/// the common words it tags as places before 公司, 大学 … (上市公司 "listed company").
fn is_institution_kind(word: &str) -> bool {
    INSTITUTIONS.iter().filter_map(|inst| word.strip_suffix(inst)).any(|prefix| NOT_NAMES.contains(&prefix))
}

/// A person's name jieba cut out of two common words: 现金红利 ("cash dividend") read as 现 +
/// 金红利, a name in its dictionary. Where the name always follows a character that makes a
/// common word with its surname (现金) and the rest is a word too (红利), it is those words.
fn is_miscut_person(text: &str, word: &str, tag: &str) -> bool {
    let mut chars = word.chars();
    let (Some(surname), rest) = (chars.next(), chars.as_str()) else { return false };
    if !tag.starts_with("nr") || rest.chars().count() < 2 || !in_dictionary(rest) {
        return false;
    }
    // 研究员林卉 holds 员林, a place: the word before must not be a name.
    let common = |w: &str| in_dictionary(w) && chinese_word_tags(w).iter().all(|(_, t)| !is_name_tag(t));
    let mut found = text.match_indices(word).peekable();
    found.peek().is_some()
        && found.all(|(i, _)| text[..i].chars().next_back().is_some_and(|before| is_han(before) && common(&format!("{before}{surname}"))))
}

/// Whether `name` is written in `text` right before an institution word (明川大学).
fn names_an_institution(text: &str, name: &str) -> bool {
    text.match_indices(name).any(|(i, _)| INSTITUTIONS.iter().any(|inst| text[i + name.len()..].starts_with(inst)))
}

/// Whether the lower-case `word` is the Hanyu Pinyin of a run of `text`'s Han characters
/// ("kunming" of 昆明, "linchuan" of 临川), by each character's first reading or its name
/// reading: a translator's spelling of a name the source has, not one it made up. (It cannot
/// tell a name from a word: "Chuanlian" for 串联, "to link up", spells the source too.)
pub fn is_pinyin_of_run(text: &str, word: &str) -> bool {
    let word = word.replace('\'', "");
    let syllables: Vec<Vec<String>> = text
        .chars()
        .zip(text.to_pinyin())
        .map(|(c, p)| {
            let mut readings: Vec<String> = p.map(|p| p.plain().to_string()).into_iter().collect();
            readings.extend(NAME_READINGS.iter().chain(SURNAME_READINGS).filter(|(r, _)| *r == c).map(|(_, s)| s.to_string()));
            readings
        })
        .collect();
    // From character `i`, does a run of at least `min` more characters spell `rest` exactly?
    fn spells(syllables: &[Vec<String>], i: usize, rest: &str, min: usize) -> bool {
        if rest.is_empty() {
            return min == 0;
        }
        let next = |r: &String| rest.strip_prefix(r.as_str()).is_some_and(|tail| spells(syllables, i + 1, tail, min.saturating_sub(1)));
        syllables.get(i).is_some_and(|rs| rs.iter().any(next))
    }
    // Two characters at least: one syllable ("An", "Lu") spells something in most sentences.
    (0..syllables.len()).any(|i| spells(&syllables, i, &word, 2))
}

/// A word of three or more characters ending in 省市县区镇乡 is a place even where jieba's model
/// calls an unseen word a person (鹿鸣县 is "Luming County", not "Lu Mingxian"): given names
/// do not end in an administrative unit.
fn ends_in_administrative_unit(word: &str) -> bool {
    word.chars().count() >= 3 && word.ends_with(['省', '市', '县', '区', '镇', '乡'])
}

/// The English names in `text` with their Chinese rendering: the known table, else the name
/// itself (kept in Latin letters).
pub fn en_names_in(text: &str) -> Vec<Rendering> {
    let mut out: Vec<Rendering> = Vec::new();
    // Longest first, so "Asia" inside "Southeast Asia" is not a name of its own.
    let mut standard: Vec<_> = standard_renderings().map(|(zh, en)| (*zh, en.trim_start_matches("the "))).collect();
    standard.sort_by_key(|(_, en)| std::cmp::Reverse(en.len()));
    for (zh, bare) in standard {
        if contains_word(text, bare) && !out.iter().any(|o| o.source == bare || contains_word(&o.source, bare)) {
            out.push(Rendering { source: bare.to_string(), target: zh.to_string(), show_source: false });
        }
    }
    for name in latin_names(text) {
        if !out.iter().any(|o| o.source.contains(&name)) {
            out.push(Rendering { target: name.clone(), source: name, show_source: false });
        }
    }
    out.sort_by_key(|r| std::cmp::Reverse(r.source.len()));
    out
}

/// `word` as a whole word of `text` (ASCII word boundaries).
pub fn contains_word(text: &str, word: &str) -> bool {
    let is_word = |c: char| c.is_ascii_alphanumeric();
    text.match_indices(word).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + word.len()..].chars().next();
        !before.is_some_and(is_word) && !after.is_some_and(is_word)
    })
}

/// `text` with each name replaced by its rendering (what the translator is given). A Latin
/// rendering gets spaces around it so neighbouring names do not run together
/// ("临川市青溪镇" → "Linchuan City Qingxi Town").
pub fn substitute(text: &str, names: &[Rendering]) -> String {
    let mut out = text.to_string();
    for r in names {
        if r.source != r.target {
            let target = if r.target.is_ascii() { format!(" {} ", r.target) } else { r.target.clone() };
            out = out.replace(&r.source, &target);
        }
    }
    // No space at the ends or doubled, none before punctuation.
    let mut tidy = String::with_capacity(out.len());
    for c in out.trim().chars() {
        if c == ' ' && tidy.ends_with(' ') {
            continue;
        }
        if matches!(c, '，' | '。' | '、' | '；' | '：' | ',' | '.' | '）' | ')' | '”' | '！' | '？') && tidy.ends_with(' ') {
            tidy.pop();
        }
        tidy.push(c);
    }
    tidy
}

/// Adds the source spelling after the first mention of each rendering that needs it:
/// "Qingxi Town" → "Qingxi Town (青溪镇)". `shown` remembers what earlier units already showed.
/// A name inside a longer one that is also there ("Qingxi" in "Qingxi Town") is left alone.
pub fn annotate(text: &str, names: &[Rendering], shown: &mut Vec<String>) -> String {
    let mut out = text.to_string();
    let mut ordered: Vec<&Rendering> = names.iter().filter(|r| r.show_source).collect();
    ordered.sort_by_key(|r| std::cmp::Reverse(r.target.len()));
    for r in ordered {
        if shown.contains(&r.source) {
            continue;
        }
        let inside_longer = names.iter().any(|o| o.target.len() > r.target.len() && o.target.contains(&r.target) && out.contains(&o.target));
        if inside_longer {
            continue;
        }
        if let Some(i) = out.find(&r.target) {
            let end = i + r.target.len();
            out.insert_str(end, &format!(" ({})", r.source));
            shown.push(r.source.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pinyin_people_and_places() {
        assert_eq!(person_en("程雨桐"), "Cheng Yutong");
        assert_eq!(person_en("欧阳明远"), "Ouyang Mingyuan");
        assert_eq!(place_en("青溪镇"), ("Qingxi Town".to_string(), true));
        assert_eq!(place_en("杭州"), ("Hangzhou".to_string(), false));
        assert_eq!(place_en("杭州市"), ("Hangzhou City".to_string(), true));
        assert_eq!(pinyin_word("西安"), "Xi'an");
        // Readings names use, not the characters' first dictionary readings.
        assert_eq!(place_en("长宁区"), ("Changning District".to_string(), true));
        assert_eq!(pinyin_word("长春"), "Changchun");
        assert_eq!(pinyin_word("京都"), "Jingdu");
        assert_eq!(person_en("曾文清"), "Zeng Wenqing");
        assert_eq!(person_en("单小楠"), "Shan Xiaonan");
        assert_eq!(person_en("解明"), "Xie Ming");
        assert_eq!(person_en("李长江"), "Li Changjiang");
        assert_eq!(person_en("长孙无忌"), "Zhangsun Wuji");
        assert_eq!(person_en("尉迟恭"), "Yuchi Gong");
        // A surname reading stays with the surname: 单 in a given name is "dan".
        assert_eq!(person_en("王单"), "Wang Dan");
    }

    #[test]
    fn names_are_substituted_and_annotated_once() {
        let names = vec![
            Rendering { source: "青溪镇".into(), target: "Qingxi Town".into(), show_source: true },
            Rendering { source: "杭州".into(), target: "Hangzhou".into(), show_source: false },
        ];
        assert_eq!(substitute("青溪镇和杭州", &names), "Qingxi Town 和 Hangzhou");
        assert_eq!(substitute("临川市青溪镇，", &[
            Rendering { source: "临川市".into(), target: "Linchuan City".into(), show_source: true },
            names[0].clone(),
        ]), "Linchuan City Qingxi Town，");
        let mut shown = Vec::new();
        let a = annotate("Qingxi Town is near Hangzhou.", &names, &mut shown);
        assert_eq!(a, "Qingxi Town (青溪镇) is near Hangzhou.");
        assert_eq!(annotate("Qingxi Town again.", &names, &mut shown), "Qingxi Town again.");
        let nested = vec![names[0].clone(), Rendering { source: "青溪".into(), target: "Qingxi".into(), show_source: true }];
        assert_eq!(annotate("Qingxi Town opened.", &nested, &mut Vec::new()), "Qingxi Town (青溪镇) opened.");
    }

    #[test]
    fn an_unseen_word_ending_in_an_administrative_unit_is_a_place() {
        assert!(ends_in_administrative_unit("鹿鸣县") && !ends_in_administrative_unit("程雨桐") && !ends_in_administrative_unit("市区"));
        assert_eq!(place_en("鹿鸣县"), ("Luming County".to_string(), true));
    }

    #[test]
    fn an_unseen_name_before_an_institution_word_is_the_institutions() {
        // Written for this test (not from eval/articles).
        let names = zh_names_in("明川大学邹铭泽教授说，邹铭泽团队明年扩招。", &[]);
        let get = |s: &str| names.iter().find(|r| r.source == s).map(|r| r.target.clone());
        assert_eq!(get("邹铭泽").as_deref(), Some("Zou Mingze"));
        // One word, as pinyin writes a place or a company ("Mingchuan University"), not a person's two.
        assert_eq!(get("明川").as_deref(), Some("Mingchuan"));
    }

    #[test]
    fn unseen_company_names_before_an_institution_word_are_names() {
        // Written for this test (not from eval/articles).
        let found = |t: &str| zh_institution_names_in(t);
        assert_eq!(found("手机厂商鹭岸科技发布新机，澜舟科技跟进。"), ["鹭岸", "澜舟"]);
        assert_eq!(found("上海云岫科技有限公司今天宣布。"), ["云岫"]);
        // Dictionary words and determiners before the institution word are not names.
        for t in ["一家人工智能科技公司成立。", "这家公司表示。", "新能源科技公司。", "是本公司的产品。", "保险公司和快递公司。", "蓝鲸科技集团宣布。"] {
            assert!(found(t).is_empty(), "{t}: {:?}", found(t));
        }
    }

    #[test]
    fn quoted_product_names_are_names() {
        // Written for this test (not from eval/articles).
        let article = "澜舟科技发布新款手机“澜舟X7”，搭载自研芯片“澜芯2”和模型“澜语”，品系“青禾7号”也来了。\
                       受访者表示“满意”，这是典型的“空心村”，标准从“20年一遇”提高，“90后”居多。澜舟X7售价4999元。";
        let quoted = zh_quoted_names_in(article);
        assert_eq!(quoted, ["澜舟X7", "澜芯2", "澜语", "青禾7号"]);
        assert_eq!(quoted_name_en("澜舟X7"), "Lanzhou X7");
        assert_eq!(quoted_name_en("青禾7号"), "Qinghe No. 7");
        assert_eq!(quoted_name_en("澜思2.0"), "Lansi 2.0");
        // Also where the sentence writes it without quotes.
        let names = with_quoted_names("澜舟X7售价4999元。", Vec::new(), &quoted);
        assert_eq!(names, vec![Rendering { source: "澜舟X7".into(), target: "Lanzhou X7".into(), show_source: true }]);
        // A name found inside a quoted one is not a name of its own there.
        let inner = vec![Rendering { source: "青禾".into(), target: "Qing He".into(), show_source: true }];
        let names = with_quoted_names("品系“青禾7号”试种成功。", inner, &quoted);
        assert_eq!(names.iter().map(|r| r.target.as_str()).collect::<Vec<_>>(), ["Qinghe No. 7"]);
        // A quoted name with a standard rendering keeps it.
        let known = vec![Rendering { source: "阿里".into(), target: "Alibaba".into(), show_source: false }];
        let names = with_quoted_names("平台“阿里”上线。", known.clone(), &["阿里".to_string()]);
        assert_eq!(names, known);
        // Unclosed quotes (hostile input) find nothing, and in linear time.
        assert!(zh_quoted_names_in(&"“澜舟X7".repeat(20_000)).is_empty());
    }

    #[test]
    fn an_article_place_is_a_place_where_it_is_written_bare() {
        let article = "6月3日，霖川市城区深层排水隧道完工。两年来，霖川改造老旧排水管网186公里。";
        let places = zh_places_in(article);
        assert_eq!(places, vec!["霖川市".to_string(), "霖川".to_string()]);
        let names = zh_names_in("两年来，霖川改造老旧排水管网186公里。", &places);
        assert_eq!(names, vec![Rendering { source: "霖川".into(), target: "Linchuan".into(), show_source: true }]);
        let names = zh_names_in("6月3日，霖川市城区深层排水隧道完工。", &places);
        assert_eq!(names.iter().map(|r| r.target.as_str()).collect::<Vec<_>>(), ["Linchuan City", "Linchuan"]);
        // Words the dictionary has are not places of the article (市区, 城区).
        assert!(zh_places_in("市区和城区的居民").is_empty());
    }

    #[test]
    fn a_spelling_of_the_sources_characters_is_backed() {
        assert!(is_pinyin_of_run("他在昆明和长宁区工作。", "kunming"));
        assert!(is_pinyin_of_run("他在昆明和长宁区工作。", "changning"));
        assert!(is_pinyin_of_run("西安的新区", "xi'an"));
        assert!(!is_pinyin_of_run("两年来，霖川改造老旧排水管网。", "liangzhou"));
        assert!(!is_pinyin_of_run("安全第一", "an"), "one syllable backs nothing");
    }

    #[test]
    fn english_names_keep_their_spelling_unless_known() {
        let names = en_names_in("Alibaba released Qwen 2.5 Max, said Helen Marsh in Hangzhou.");
        let get = |s: &str| names.iter().find(|r| r.source == s).map(|r| r.target.clone());
        assert_eq!(get("Alibaba").as_deref(), Some("阿里巴巴"));
        assert_eq!(get("Hangzhou").as_deref(), Some("杭州"));
        assert_eq!(get("Helen").as_deref(), Some("Helen"));
        assert!(contains_word("in China.", "China") && !contains_word("Chinatown", "China"));
    }

    #[test]
    fn regions_are_standard_renderings_where_they_are_whole_words() {
        let names = zh_names_in("产品已销往东南亚6个国家。", &[]);
        assert_eq!(names.iter().map(|r| (r.source.as_str(), r.target.as_str())).collect::<Vec<_>>(), [("东南亚", "Southeast Asia")]);
        assert!(zh_names_in("人口集中东部沿海，湖南美食也有名。", &[]).iter().all(|r| r.source != "中东" && r.source != "南美"));
        let names = zh_names_in("泰国和印度尼西亚是最大的买家。", &[]);
        assert!(names.iter().any(|r| r.target == "Indonesia") && !names.iter().any(|r| r.target == "India"), "{names:?}");
        let names = en_names_in("Sales in Southeast Asia rose.");
        assert_eq!(names.iter().map(|r| (r.source.as_str(), r.target.as_str())).collect::<Vec<_>>(), [("Southeast Asia", "东南亚")]);
    }

    #[test]
    fn a_listed_company_and_a_cash_dividend_are_not_names() {
        // Written for this test (not from eval/articles).
        let names = zh_names_in("上市公司股东的净利润下降，公司向股东派发现金红利每股2.5元。", &[]);
        assert!(names.is_empty(), "{names:?}");
        assert!(!is_miscut_person("记者金红利说，", "金红利", "nr"));
        assert!(!is_miscut_person("研究员林卉指出", "林卉", "nr"));
    }
}
