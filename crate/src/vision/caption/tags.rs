//! Classifier top-k + detector boxes → concept-level tags the composer can word, each with a
//! calibrated confidence and the wording level it earns.
//!
//! Rules (the thresholds are the constants below):
//! * detections scoring ≥ [`DET_MIN`] are counted per concept (two cat boxes → `cat ×2`);
//! * classifier labels are grouped by concept (scores of labels sharing a concept add up:
//!   "Egyptian cat" + "tabby cat" → cat);
//! * when the classifier (≥ [`AGREE_CLS_MIN`]) and the detector name the same concept the tags
//!   merge (count and box from the detector, fine-grained wording from the classifier);
//! * a drink the classifier names (≥ [`CLS_MIN`]) absorbs the cup or glass the detector found
//!   ("espresso" + "cup" → one cup of espresso);
//! * a confident classifier concept ([`CLS_STRONG`]) beats a weak detection ([`DET_STRONG`])
//!   of a different concept of the same kind (a cat photo's stray "dog 0.40" box is dropped);
//! * a detection the classifier does not back is calibrated on its own table (right 25 % of the
//!   time below 0.45 on tune, so dropped, against 100 % for boxes the classifier backs);
//! * a classifier concept spread over [`SPREAD_LABELS`] or more of the top-20 labels without
//!   summing to [`SPREAD_MAX`] is a family guess (14 weak bird labels on blossoms, 5 butterflies
//!   on flowers): right 1 time in 16 on tune, so it gets the bound of 1/16 ([`SPREAD_TUNE`]) and is dropped;
//! * a detected animal the classifier does not back while it gives [`OTHER_ANIMAL_MIN`] to other
//!   animals is contradicted (a "bear" box on a quokka the classifier calls a wombat): dropped
//!   unless the box is sure on its own ([`CONTRADICTED_MAX`]);
//! * a hedged tag that one model names alone and the other signals contradict is dropped
//!   (`contradict.rs`): a man-made thing in a photo the classifier sees as nature, a classifier
//!   animal guess under a box of another animal calibrated higher;
//! * when no scene is likely, the natural scenes' scores ([`NATURAL_SCENES`]: volcano, valley,
//!   seashore …) summed from [`LANDSCAPE_MIN`] make a `landscape` scene ([`LANDSCAPE_TUNE`]):
//!   the classifier's way of saying "hills under a sky" is often "volcano";
//! * an unsure guess backs off to its group (`labels/groups.tsv`): the classifier's labels summed
//!   by group from [`GROUP_MIN`] on ([`GROUP_CALIBRATION`]) replace hedged classifier-only members
//!   the group is surer than ("An animal." for wombat 0.18 + wolves 0.12 + wallaby 0.05 on a
//!   quokka; "A fruit." for Granny Smith 0.64 on a kiwi), unless a member is sure or boxed by the
//!   detector, the best member is a family guess of natural things (bird labels on blossoms;
//!   [`FAMILY_BLOCKS_GROUP`]), or another concept outscores the whole group;
//! * every tag gets a confidence: a lower bound ([`lower_bound`]) of how often a concept with that
//!   score was right on the tune half of eval/photos ([`CLS_CALIBRATION`], [`DET_CALIBRATION`],
//!   [`AGREE_CALIBRATION`], [`SCENE_CALIBRATION`]: counts per bin, so a thin bin vouches for
//!   less), and a [`Level`]: stated plainly (sure), "probably" (likely),
//!   "possibly" (possible); a tag below the possible level is dropped.

use super::contradict::{contradicted, AnimalBox, Outlook};
use crate::vision::concepts::{group_of, ClassLabel, Concept, Kind};

/// Lowest detector score counted as an object.
pub const DET_MIN: f32 = 0.35;
/// A drink label needs this much to absorb a detected cup or glass.
pub const CLS_MIN: f32 = 0.25;
/// A classifier concept this confident overrules weak detections of the same kind.
pub const CLS_STRONG: f32 = 0.6;
/// Detections below this can be overruled by a [`CLS_STRONG`] classifier concept.
pub const DET_STRONG: f32 = 0.6;
/// The classifier's fine-grained name ("espresso", "tabby cat") is used when its own
/// label scores at least this.
pub const FINE_MIN: f32 = 0.4;
/// The classifier backs a detection of the same concept from this summed probability on.
pub const AGREE_CLS_MIN: f32 = 0.05;

/// A classifier concept spread over this many of the top-20 labels…
pub const SPREAD_LABELS: usize = 4;
/// …summing to less than this is a family guess (tune: 1 of 16 right; the 3 from 0.7 on, car and
/// bird labels on cars and a robin, all right).
pub const SPREAD_MAX: f32 = 0.7;
/// A detected animal the classifier does not back is dropped when the classifier gives at least
/// this much to other animals (tune: 4 such boxes, all wrong; the unbacked animal boxes that were
/// right had ≤ 0.01 of other animals).
pub const OTHER_ANIMAL_MIN: f32 = 0.3;
/// …unless the box is sure on its own (unbacked boxes from 0.7 on were all right on tune).
pub const CONTRADICTED_MAX: f32 = 0.7;
/// Scenes of open country; their summed scores make a `landscape` when no scene is likely.
pub const NATURAL_SCENES: &[&str] =
    &["volcano", "mountain", "valley", "cliff", "promontory", "seashore", "lakeside", "geyser", "coral_reef", "rapeseed_field"];
/// Summed natural-scene score from which a landscape is named (chosen on the first 66 tune
/// photos: 3 with no likely scene reach it, volcano 0.20–0.36 on a sunset, fog over fields and
/// hills at dusk; all three are landscapes).
pub const LANDSCAPE_MIN: f32 = 0.3;
/// Its confidence: right on 4 of the 7 tune photos it was named on (three sunsets and fog over
/// hills, a clifftop castle; wrong on a clifftop town, a park pond and a volcano across a bay),
/// stated at the lower bound [`lower_bound`]`(4, 7)` = 0.39 ("possibly"). On the first 66 tune
/// photos it was 3 of 3 ("probably"), a claim that held on 3 of 7 check photos: aerial towns and
/// lakes sum the same natural scenes, and no rule on tune tells them apart.
pub const LANDSCAPE_TUNE: (u32, u32) = (4, 7);
/// A family guess ([`SPREAD_LABELS`]) was right on 1 of 16 tune photos: confidence
/// [`lower_bound`]`(1, 16)` = 0.02, not named.
pub const SPREAD_TUNE: (u32, u32) = (1, 16);

/// A group (`labels/groups.tsv`) whose members' labels sum to this is a candidate for naming.
pub const GROUP_MIN: f32 = 0.2;
/// Groups a family guess does not back off to: natural things, whose hundreds of fine ImageNet
/// classes (birds, butterflies, mushrooms) fire weakly on any foliage or petals (14 bird labels
/// on blossoms are no surer as "a bird"). The man-made families (church labels on a tower, boat
/// labels in a harbour) are shapes the classifier does see, so they back off like other guesses.
pub const FAMILY_BLOCKS_GROUP: &[Kind] = &[Kind::Animal, Kind::Plant, Kind::Food];

/// One bin of a reliability table: concepts scoring from `lo` on were right `right` times out of
/// `n` on the tune half of eval/photos.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bin {
    pub lo: f32,
    pub right: u32,
    pub n: u32,
}

const fn bin(lo: f32, right: u32, n: u32) -> Bin {
    Bin { lo, right, n }
}

/// Reliability tables fitted on the **tune** half of eval/photos (its first 66 photos; refitted on
/// all 81 they named unsure scenes and lost hits on tune, so were not kept: README) by
/// `node eval/photos/calibrate.mjs --native-bin target/release/qingyu` (eval/photos/calibration.json,
/// its `coarse` tables): per coarse score bin, how many of the concepts in it were in the photo's
/// `accept` ∪ `present`. A tag's confidence is not the bin's share right but its lower bound
/// ([`lower_bound`]): a bin of 5 photos right 4 times is stated at 0.58, not 0.80. The raw shares
/// (0.80 for "probably") were right on the tune photos by construction and did not hold on
/// photos they were not fitted on; the bound shrinks thin bins most.
/// Classifier concept, probabilities of its top-20 labels summed (non-scene concepts).
pub const CLS_CALIBRATION: &[Bin] = &[bin(0.0, 36, 176), bin(0.10, 4, 13), bin(0.15, 24, 42), bin(0.6, 4, 5), bin(0.7, 17, 18)];
/// Detector concept the classifier does not back (its sum < [`AGREE_CLS_MIN`]), by its best
/// box score: a weak box the classifier does not see is wrong 3 times in 4, so it is dropped.
pub const DET_CALIBRATION: &[Bin] = &[bin(0.2, 5, 28), bin(0.35, 3, 12), bin(0.45, 8, 11), bin(0.7, 5, 5)];
/// Both models name the concept (classifier ≥ [`AGREE_CLS_MIN`]), by the best box score.
pub const AGREE_CALIBRATION: &[Bin] = &[bin(0.2, 2, 5), bin(0.35, 10, 10)];
/// A group none of whose members is sure, boxed or a family guess and that no other concept
/// outscores, by its members' summed labels (calibrate.mjs `coarse.groups`): 0.2–0.5 right 7 of
/// 10 on tune (0.54, "possibly"), from 0.5 5 of 5 (0.83, sure). Groups of man-made families
/// ([`FAMILY_BLOCKS_GROUP`], added later) add one photo of the first 66 (a tower's church
/// labels as a building, 0.58, right); on all 81 tune photos the bins are 9 of 12 and 8 of 8,
/// not refitted (the other tables are the first 66's too).
pub const GROUP_CALIBRATION: &[Bin] = &[bin(0.2, 7, 10), bin(0.5, 5, 5)];
/// Scene concepts (classifier).
pub const SCENE_CALIBRATION: &[Bin] = &[bin(0.0, 4, 15), bin(0.05, 4, 13), bin(0.5, 5, 5)];

/// The z of [`lower_bound`]: one standard error (a one-sided 84 % bound).
pub const BOUND_Z: f32 = 1.0;

/// Wilson score lower bound of a share right `right` of `n` at [`BOUND_Z`]: what a bin of the
/// tune photos vouches for on photos it was not fitted on (0 for an empty bin).
pub fn lower_bound(right: u32, n: u32) -> f32 {
    if n == 0 {
        return 0.0;
    }
    let (n, p, z2) = (n as f32, right as f32 / n as f32, BOUND_Z * BOUND_Z);
    let centre = p + z2 / (2.0 * n);
    let spread = BOUND_Z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    ((centre - spread) / (1.0 + z2 / n)).max(0.0)
}

/// Calibrated confidence a tag needs to be stated plainly ("A canoe on a lake."): the classifier
/// from 0.7 (17/18 right on tune → 0.86), both models agreeing (10/10 → 0.91), a box from 0.7
/// (5/5 → 0.83), a scene from 0.5 (5/5 → 0.83).
pub const SURE: f32 = 0.8;
/// …to be stated with "probably" ("Probably a pier by the water."): bins whose bound reaches it;
/// none does on tune now (the landscape was 3/3 → 0.75 until the tune half grew, see
/// [`LANDSCAPE_TUNE`]); the classifier at 0.6–0.7 (4/5 → 0.58) and unbacked boxes at 0.45–0.7
/// (8/11 → 0.58) are "possibly".
pub const LIKELY: f32 = 0.6;
/// …to be named at all, with "possibly" ("Possibly a lampshade."); the classifier at 0.15–0.6
/// (24/42 → 0.49) reaches it; weak unbacked boxes (3/12 → 0.15), the classifier below 0.15
/// (4/13 → 0.20), unsure scenes (4/13 → 0.20) stay unnamed.
pub const POSSIBLE: f32 = 0.35;

/// The calibrated confidence of `score`: the lower bound of its bin (0 below the first bin).
pub fn calibrated(table: &[Bin], score: f32) -> f32 {
    table.iter().rev().find(|b| score >= b.lo).map_or(0.0, |b| lower_bound(b.right, b.n))
}

/// How a tag may be worded, from its calibrated confidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    None,
    Possible,
    Likely,
    Sure,
}

impl Level {
    pub fn of(confidence: f32) -> Level {
        if confidence >= SURE {
            Level::Sure
        } else if confidence >= LIKELY {
            Level::Likely
        } else if confidence >= POSSIBLE {
            Level::Possible
        } else {
            Level::None
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Level::None => "none",
            Level::Possible => "possible",
            Level::Likely => "likely",
            Level::Sure => "sure",
        }
    }
}

/// One classifier output, resolved to the bilingual tables.
#[derive(Debug, Clone, Copy)]
pub struct ClassScore {
    pub class: &'static ClassLabel,
    pub score: f32,
}

/// One detector output, resolved to the bilingual tables; `bbox` is `[x0, y0, x1, y1]`.
#[derive(Debug, Clone, Copy)]
pub struct ObjectBox {
    pub class: &'static ClassLabel,
    pub score: f32,
    pub bbox: [f32; 4],
}

/// Which model(s) support a tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Classifier,
    Detector,
    Both,
}

/// A concept seen in the photo, with what the composer needs to word it.
#[derive(Debug, Clone)]
pub struct Tag {
    pub concept: &'static Concept,
    /// The classifier's finer class when it refines the concept confidently (espresso for
    /// coffee, tabby cat for cat) and there is one instance; wording uses it.
    pub fine: Option<&'static ClassLabel>,
    pub score: f32,
    /// Instances (detector boxes; 1 for classifier-only tags).
    pub count: usize,
    /// The best box, when the detector found the concept.
    pub bbox: Option<[f32; 4]>,
    pub source: Source,
    /// Indices into the detections given to [`build_tags`] that this tag stands for.
    pub objects: Vec<usize>,
    /// How often a tag like this was right on the tune photos (see [`CLS_CALIBRATION`]).
    pub confidence: f32,
}

impl Tag {
    pub fn level(&self) -> Level {
        Level::of(self.confidence)
    }

    /// Stated plainly rather than hedged.
    pub fn is_sure(&self) -> bool {
        self.level() == Level::Sure
    }

    pub fn kind(&self) -> Kind {
        self.concept.kind
    }
}

/// Containers a drink is served in; the drink tag absorbs them.
const DRINK_CONTAINERS: &[&str] = &["cup", "wine_glass"];

/// Builds tags from the classifier's top-k (any order; the calibration used the top 20) and
/// the detector's boxes; the result is ordered most-salient first (by level, then
/// detector-backed before classifier-only, then by confidence and score). Tags below
/// [`POSSIBLE`] are left out.
pub fn build_tags(labels: &[ClassScore], objects: &[ObjectBox]) -> Vec<Tag> {
    // Classifier: labels grouped by concept (scores summed), best label first.
    let mut labels: Vec<ClassScore> = labels.iter().copied().filter(|l| l.score > 0.0).collect();
    labels.sort_by(|a, b| b.score.total_cmp(&a.score));
    let mut cls: Vec<Tag> = Vec::new();
    // Concepts the classifier only guesses at as a family (see SPREAD_LABELS).
    let mut family: Vec<&'static Concept> = Vec::new();
    // Labels per concept (parallel to `cls`).
    let mut spread: Vec<usize> = Vec::new();
    for l in &labels {
        match cls.iter().position(|t| std::ptr::eq(t.concept, l.class.concept)) {
            Some(i) => {
                cls[i].score += l.score;
                spread[i] += 1;
            }
            None => {
                spread.push(1);
                cls.push(Tag {
                    concept: l.class.concept,
                    fine: (l.score >= FINE_MIN && l.class.en != l.class.concept.en).then_some(l.class),
                    score: l.score,
                    count: 1,
                    bbox: None,
                    source: Source::Classifier,
                    objects: Vec::new(),
                    confidence: 0.0,
                });
            }
        }
    }
    for (t, &n) in cls.iter_mut().zip(&spread) {
        t.score = t.score.min(1.0);
        let table = if t.kind() == Kind::Scene { SCENE_CALIBRATION } else { CLS_CALIBRATION };
        t.confidence = calibrated(table, t.score);
        if n >= SPREAD_LABELS && t.score < SPREAD_MAX {
            t.confidence = lower_bound(SPREAD_TUNE.0, SPREAD_TUNE.1);
            family.push(t.concept);
        }
    }
    let outlook = Outlook::of(&cls);
    // No likely scene: open country summed up as a landscape.
    if !cls.iter().any(|t| t.kind() == Kind::Scene && Level::of(t.confidence) >= Level::Likely) {
        let natural: f32 = cls.iter().filter(|t| NATURAL_SCENES.contains(&t.concept.key)).map(|t| t.score).sum();
        if let Some(concept) = crate::vision::concepts::concept("landscape").filter(|_| natural >= LANDSCAPE_MIN) {
            cls.push(Tag {
                concept,
                fine: None,
                score: natural.min(1.0),
                count: 1,
                bbox: None,
                source: Source::Classifier,
                objects: Vec::new(),
                confidence: lower_bound(LANDSCAPE_TUNE.0, LANDSCAPE_TUNE.1),
            });
        }
    }

    // Detector: boxes ≥ DET_MIN counted per concept.
    let mut det: Vec<Tag> = Vec::new();
    let mut order: Vec<usize> = (0..objects.len()).filter(|&i| objects[i].score >= DET_MIN).collect();
    order.sort_by(|&a, &b| objects[b].score.total_cmp(&objects[a].score));
    for i in order {
        let o = &objects[i];
        match det.iter_mut().find(|t| std::ptr::eq(t.concept, o.class.concept)) {
            Some(t) => {
                t.count += 1;
                t.objects.push(i);
            }
            None => det.push(Tag {
                concept: o.class.concept,
                fine: None,
                score: o.score,
                count: 1,
                bbox: Some(o.bbox),
                source: Source::Detector,
                objects: vec![i],
                confidence: calibrated(DET_CALIBRATION, o.score),
            }),
        }
    }

    // A confident classifier concept overrules weak detections of another concept of its kind.
    if let Some(top) = cls.iter().filter(|t| t.kind() != Kind::Scene).max_by(|a, b| a.score.total_cmp(&b.score)) {
        if top.score >= CLS_STRONG && matches!(top.kind(), Kind::Animal | Kind::Vehicle | Kind::Food | Kind::Drink) {
            let (concept, kind) = (top.concept, top.kind());
            det.retain(|d| d.concept.kind != kind || std::ptr::eq(d.concept, concept) || d.score >= DET_STRONG);
        }
    }

    // The animals the detector saw, before the classifier judges the boxes (contradict.rs).
    let animal_boxes: Vec<AnimalBox> = det
        .iter()
        .filter(|d| d.kind() == Kind::Animal)
        .map(|d| AnimalBox { concept: d.concept, confidence: d.confidence })
        .collect();

    // A detected animal the classifier does not back, while it sees other animals, is contradicted.
    let backing = |concept: &Concept| cls.iter().find(|t| std::ptr::eq(t.concept, concept)).map_or(0.0, |t| t.score);
    let other_animals = |concept: &Concept| -> f32 {
        cls.iter().filter(|t| t.kind() == Kind::Animal && !std::ptr::eq(t.concept, concept)).map(|t| t.score).sum()
    };
    det.retain(|d| {
        d.kind() != Kind::Animal
            || d.score >= CONTRADICTED_MAX
            || backing(d.concept) >= AGREE_CLS_MIN
            || other_animals(d.concept) < OTHER_ANIMAL_MIN
    });

    // Merge: same concept (the classifier backing it at all), or a drink and its container.
    let mut tags: Vec<Tag> = Vec::new();
    for mut c in cls {
        let same = det.iter().position(|d| std::ptr::eq(d.concept, c.concept)).filter(|_| c.score >= AGREE_CLS_MIN);
        let container = || {
            (c.concept.kind == Kind::Drink && c.score >= CLS_MIN)
                .then(|| det.iter().position(|d| DRINK_CONTAINERS.contains(&d.concept.key)))
                .flatten()
        };
        if let Some(i) = same.or_else(container) {
            let d = det.remove(i);
            c.confidence = c.confidence.max(d.confidence).max(calibrated(AGREE_CALIBRATION, d.score));
            c.score = c.score.max(d.score);
            c.count = d.count;
            c.bbox = d.bbox;
            c.objects = d.objects;
            c.source = Source::Both;
            if c.count > 1 && c.concept.kind != Kind::Drink {
                // One fine label does not name every instance.
                c.fine = None;
            }
        }
        tags.push(c);
    }
    tags.extend(det);
    back_off_to_groups(&mut tags, &labels, &family);
    tags.retain(|t| t.level() >= Level::Possible && !contradicted(t, outlook, &animal_boxes));
    for t in &mut tags {
        if t.level() < Level::Sure || t.score < FINE_MIN {
            // A hedged tag is worded by its coarse concept ("possibly a sled", not "bobsled").
            if t.source == Source::Classifier {
                t.fine = None;
            }
        }
    }
    let backed = |t: &Tag| t.source != Source::Classifier;
    tags.sort_by(|a, b| {
        b.level()
            .cmp(&a.level())
            .then(backed(b).cmp(&backed(a)))
            .then(b.confidence.total_cmp(&a.confidence))
            .then(b.score.total_cmp(&a.score))
    });
    tags
}

/// Replaces hedged classifier-only guesses with their group where the group is at least as
/// sure (see [`GROUP_CALIBRATION`]): the classifier that cannot tell a wombat from a wallaby
/// still puts half its mass on animals. A group is left alone when one of its members is sure
/// or boxed by the detector (that member says more), when its best member is a family guess of
/// natural things (`family`, [`FAMILY_BLOCKS_GROUP`]: weak bird labels on blossoms are no surer
/// as "a bird"), and when another classifier concept outscores the whole group.
fn back_off_to_groups(tags: &mut Vec<Tag>, labels: &[ClassScore], family: &[&'static Concept]) {
    let mut groups: Vec<(&'static Concept, f32)> = Vec::new();
    for l in labels {
        if let Some(g) = group_of(l.class.concept) {
            match groups.iter_mut().find(|(c, _)| std::ptr::eq(*c, g)) {
                Some(entry) => entry.1 += l.score,
                None => groups.push((g, l.score)),
            }
        }
    }
    groups.sort_by(|a, b| b.1.total_cmp(&a.1));
    for (group, score) in groups.into_iter().take_while(|&(_, s)| s >= GROUP_MIN) {
        let score = score.min(1.0);
        let member = |t: &Tag| group_of(t.concept).is_some_and(|g| std::ptr::eq(g, group));
        if tags.iter().any(|t| member(t) && (t.is_sure() || t.source != Source::Classifier)) {
            continue;
        }
        let best = tags.iter().filter(|t| member(t)).max_by(|a, b| a.score.total_cmp(&b.score));
        let family_guess = best.is_some_and(|b| family.iter().any(|f| std::ptr::eq(*f, b.concept)));
        if family_guess && FAMILY_BLOCKS_GROUP.contains(&group.kind) {
            continue;
        }
        // The group backs off from the classifier's best reading, not from a runner-up.
        let rival = tags
            .iter()
            .filter(|t| t.source == Source::Classifier && t.kind() != Kind::Scene && !member(t))
            .any(|t| t.score > score);
        if rival {
            continue;
        }
        let confidence = calibrated(GROUP_CALIBRATION, score);
        if Level::of(confidence) < Level::Possible || best.is_some_and(|b| b.confidence > confidence) {
            continue;
        }
        // Scenes stay: a likely shop front is still the place.
        tags.retain(|t| !member(t) || t.kind() == Kind::Scene);
        tags.push(Tag {
            concept: group,
            fine: None,
            score,
            count: 1,
            bbox: None,
            source: Source::Classifier,
            objects: Vec::new(),
            confidence,
        });
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::vision::concepts;

    pub(crate) fn inet(en: &str, score: f32) -> ClassScore {
        let class = (0..concepts::IMAGENET_CLASSES)
            .filter_map(concepts::imagenet)
            .find(|l| l.en == en)
            .unwrap_or_else(|| panic!("no ImageNet class {en:?}"));
        ClassScore { class, score }
    }

    pub(crate) fn coco(en: &str, score: f32, bbox: [f32; 4]) -> ObjectBox {
        let class = (0..concepts::COCO_CLASSES)
            .filter_map(concepts::coco)
            .find(|l| l.en == en)
            .unwrap_or_else(|| panic!("no COCO class {en:?}"));
        ObjectBox { class, score, bbox }
    }

    const B: [f32; 4] = [10.0, 10.0, 100.0, 100.0];

    #[test]
    fn detections_are_counted_per_concept_above_threshold() {
        let tags = build_tags(&[], &[coco("cat", 0.8, B), coco("cat", 0.5, B), coco("cat", 0.3, B), coco("dog", 0.34, B)]);
        assert_eq!(tags.len(), 1, "{tags:?}");
        assert_eq!((tags[0].concept.key, tags[0].count, tags[0].source), ("cat", 2, Source::Detector));
        assert_eq!(tags[0].objects, vec![0, 1]);
    }

    #[test]
    fn nothing_below_the_possible_level_is_kept() {
        // classifier 0.14 → 0.31, a box of 0.44 the classifier does not back → 0.25: both dropped
        let tags = build_tags(&[inet("bobsled", 0.14), inet("cup", 0.1)], &[coco("person", 0.44, B)]);
        assert!(tags.is_empty(), "{tags:?}");
        let tags = build_tags(&[inet("bobsled", 0.15)], &[coco("person", 0.45, B)]);
        assert_eq!(tags.len(), 2);
        assert!(tags.iter().all(|t| t.level() >= Level::Possible));
    }

    #[test]
    fn confidence_is_the_lower_bound_of_the_bin() {
        let near = |a: f32, b: f32| (a - b).abs() < 0.005;
        // Wilson, z = 1: 4 of 5 vouches for 0.58, 17 of 18 for 0.86, 10 of 10 for 0.91.
        assert!(near(lower_bound(4, 5), 0.579), "{}", lower_bound(4, 5));
        assert!(near(lower_bound(17, 18), 0.864), "{}", lower_bound(17, 18));
        assert!(near(lower_bound(10, 10), 0.909), "{}", lower_bound(10, 10));
        assert!(near(lower_bound(3, 3), 0.75), "{}", lower_bound(3, 3));
        assert_eq!(lower_bound(0, 0), 0.0);
        assert!(lower_bound(0, 7) < 1e-6);
        // More evidence for the same share vouches for more.
        assert!(lower_bound(8, 10) < lower_bound(80, 100) && lower_bound(80, 100) < 0.8);
        assert!(near(calibrated(CLS_CALIBRATION, 0.05), lower_bound(36, 176)));
        assert!(near(calibrated(DET_CALIBRATION, 0.5), lower_bound(8, 11)));
        assert_eq!(calibrated(&[bin(0.2, 1, 2)], 0.1), 0.0, "below the first bin");
    }

    #[test]
    fn levels_follow_the_calibration() {
        let level = |labels: &[ClassScore], boxes: &[ObjectBox]| build_tags(labels, boxes)[0].level();
        assert_eq!(level(&[inet("tabby cat", 0.75)], &[]), Level::Sure);
        // The thin 0.6–0.7 classifier bin (4 of 5) and unbacked boxes at 0.45–0.7 (8 of 11) do
        // not vouch for "probably".
        assert_eq!(level(&[inet("lampshade", 0.65)], &[]), Level::Possible);
        assert_eq!(level(&[inet("lampshade", 0.3)], &[]), Level::Possible);
        assert_eq!(level(&[], &[coco("cat", 0.75, B)]), Level::Sure);
        assert_eq!(level(&[], &[coco("cat", 0.5, B)]), Level::Possible);
        // The classifier backing a weak box (≥ 0.05) makes it sure: agreement was right 10/10.
        let tags = build_tags(&[inet("tabby cat", 0.06)], &[coco("cat", 0.4, B)]);
        assert_eq!((tags[0].source, tags[0].level()), (Source::Both, Level::Sure));
        assert_eq!(level(&[inet("seashore", 0.55)], &[]), Level::Sure);
        assert!(build_tags(&[inet("seashore", 0.25)], &[]).is_empty(), "unsure scenes stay unnamed");
        // Classifier labels of one concept add up: 0.45 + 0.3 → 0.75, sure.
        assert_eq!(level(&[inet("tabby cat", 0.45), inet("tiger cat", 0.3)], &[]), Level::Sure);
        // A hedged classifier tag is worded by its coarse concept.
        assert!(build_tags(&[inet("lampshade", 0.45)], &[])[0].fine.is_none());
    }

    #[test]
    fn agreement_merges_and_keeps_the_fine_name() {
        let tags = build_tags(&[inet("Egyptian cat", 0.79), inet("tiger cat", 0.09)], &[coco("cat", 0.47, B)]);
        assert_eq!(tags.len(), 1, "{tags:?}");
        let t = &tags[0];
        assert_eq!((t.concept.key, t.source, t.count), ("cat", Source::Both, 1));
        assert_eq!(t.fine.unwrap().en, "Egyptian cat");
        assert!((t.score - 0.88).abs() < 1e-6, "cat labels add up");
        assert_eq!(t.bbox, Some(B));
    }

    #[test]
    fn confident_classifier_beats_a_weak_detection_of_another_animal() {
        let tags = build_tags(&[inet("Egyptian cat", 0.79)], &[coco("dog", 0.5, B)]);
        assert_eq!(tags.len(), 1, "{tags:?}");
        assert_eq!(tags[0].concept.key, "cat");
        // A confident detection stays; so does a weak one of another kind.
        let tags = build_tags(&[inet("Egyptian cat", 0.79)], &[coco("dog", 0.9, B), coco("person", 0.5, B)]);
        let keys: Vec<&str> = tags.iter().map(|t| t.concept.key).collect();
        assert!(keys.contains(&"dog") && keys.contains(&"person") && keys.contains(&"cat"), "{keys:?}");
        // An unsure classifier does not overrule anything (below OTHER_ANIMAL_MIN it does not
        // contradict either; from it on the weak box is dropped, see the contradiction test).
        // Its hedged guess yields to the box, calibrated higher (contradict.rs): the dog stays…
        let tags = build_tags(&[inet("Egyptian cat", 0.25)], &[coco("dog", 0.5, B)]);
        assert_eq!(tags.iter().map(|t| t.concept.key).collect::<Vec<_>>(), ["dog"]);
        // …and from OTHER_ANIMAL_MIN on each contradicts the other: neither animal is named, only
        // what both models agree on.
        let tags = build_tags(&[inet("Egyptian cat", 0.4)], &[coco("dog", 0.5, B)]);
        assert_eq!(tags.iter().map(|t| t.concept.key).collect::<Vec<_>>(), ["animal"]);
    }

    #[test]
    fn a_drink_absorbs_its_cup() {
        let tags = build_tags(&[inet("espresso", 0.9), inet("cup", 0.03)], &[coco("cup", 0.58, B)]);
        assert_eq!(tags.len(), 1, "{tags:?}");
        assert_eq!((tags[0].concept.key, tags[0].source), ("coffee", Source::Both));
        assert_eq!(tags[0].fine.unwrap().en, "espresso");
        assert_eq!(tags[0].bbox, Some(B));
    }

    #[test]
    fn several_instances_drop_the_fine_name() {
        let tags = build_tags(&[inet("tabby cat", 0.7)], &[coco("cat", 0.8, B), coco("cat", 0.7, B)]);
        assert_eq!((tags[0].count, tags[0].fine.map(|f| f.en)), (2, None));
    }

    #[test]
    fn a_concept_spread_over_many_weak_labels_is_not_named() {
        // Five bird labels summing to 0.45 on a photo of blossoms: a family guess.
        let birds = ["house finch", "brambling", "magpie", "bee eater", "indigo bunting"];
        let labels: Vec<ClassScore> = birds.iter().map(|b| inet(b, 0.09)).collect();
        assert!(build_tags(&labels, &[]).is_empty(), "{:?}", build_tags(&labels, &[]));
        // Three labels are a concept, not a spread; and a spread from 0.7 on stands.
        assert_eq!(build_tags(&labels[..3], &[]).len(), 1);
        let labels: Vec<ClassScore> = birds.iter().map(|b| inet(b, 0.15)).collect();
        assert_eq!(build_tags(&labels, &[])[0].level(), Level::Sure);
        // A box of the concept still counts: the detector backs it.
        let labels: Vec<ClassScore> = birds.iter().map(|b| inet(b, 0.09)).collect();
        let tags = build_tags(&labels, &[coco("bird", 0.6, B)]);
        assert_eq!((tags[0].concept.key, tags[0].source), ("bird", Source::Both));
    }

    #[test]
    fn an_animal_box_the_classifier_contradicts_is_dropped() {
        // "bear" box, classifier: wombat and wolves.
        let labels = [inet("wombat", 0.2), inet("white wolf", 0.06), inet("timber wolf", 0.06)];
        let tags = build_tags(&labels, &[coco("bear", 0.66, B)]);
        assert!(tags.iter().all(|t| t.concept.key != "bear"), "{tags:?}");
        // Without other animals it stays (sheep on a mountain the classifier calls a peak).
        let tags = build_tags(&[inet("alpine peak", 0.76)], &[coco("sheep", 0.49, B)]);
        assert!(tags.iter().any(|t| t.concept.key == "sheep"), "{tags:?}");
        // A box sure on its own stays (a cat and a dog, the classifier naming one).
        let tags = build_tags(&labels, &[coco("bear", 0.75, B)]);
        assert!(tags.iter().any(|t| t.concept.key == "bear"), "{tags:?}");
        // Not an animal: a box of another kind is not judged by the classifier's animals.
        let tags = build_tags(&labels, &[coco("person", 0.8, B)]);
        assert!(tags.iter().any(|t| t.concept.key == "person"), "{tags:?}");
    }

    #[test]
    fn open_country_is_a_landscape_when_no_scene_is_likely() {
        let tags = build_tags(&[inet("volcano", 0.2), inet("seashore", 0.08), inet("alpine peak", 0.04)], &[]);
        assert_eq!(tags.len(), 1, "{tags:?}");
        assert_eq!((tags[0].concept.key, tags[0].level()), ("landscape", Level::Possible));
        assert!(build_tags(&[inet("volcano", 0.2), inet("seashore", 0.05)], &[]).is_empty(), "below 0.3");
        // A likely scene is the place itself.
        let tags = build_tags(&[inet("lakeside", 0.6), inet("valley", 0.1)], &[]);
        assert_eq!(tags.iter().map(|t| t.concept.key).collect::<Vec<_>>(), ["lakeside"]);
    }

    #[test]
    fn an_unsure_guess_backs_off_to_its_group() {
        let keys = |tags: &[Tag]| tags.iter().map(|t| (t.concept.key, t.level())).collect::<Vec<_>>();
        // Wombat, wolves and a wallaby: the classifier is unsure which animal, sure it is one.
        let quokka = [inet("wombat", 0.18), inet("white wolf", 0.07), inet("timber wolf", 0.07), inet("wallaby", 0.2)];
        assert_eq!(keys(&build_tags(&quokka, &[])), [("animal", Level::Sure)]);
        // A single weak guess becomes its group, hedged (0.54 against 0.49 for the guess).
        assert_eq!(keys(&build_tags(&[inet("Granny Smith apple", 0.3)], &[])), [("fruit", Level::Possible)]);
        // A sure member says more than its group.
        assert_eq!(keys(&build_tags(&[inet("Granny Smith apple", 0.75)], &[]))[0].0, "apple");
        // So does a member the detector boxed: it is counted.
        let tags = build_tags(&[inet("wombat", 0.3), inet("Egyptian cat", 0.3)], &[coco("cat", 0.8, B)]);
        assert_eq!(tags[0].concept.key, "cat");
        assert!(tags.iter().all(|t| t.concept.key != "animal"), "{:?}", keys(&tags));
        // A concept outscoring the whole group keeps the lead; the group backs off from the top.
        let tags = build_tags(&[inet("lampshade", 0.3), inet("cup", 0.2)], &[]);
        assert_eq!(tags[0].concept.key, "lamp");
        assert!(tags.iter().all(|t| t.concept.key != "tableware"), "{:?}", keys(&tags));
        // A family guess stays a family guess: five weak bird labels are no surer as "a bird".
        let birds = ["house finch", "brambling", "magpie", "bee eater", "indigo bunting"];
        let labels: Vec<ClassScore> = birds.iter().map(|b| inet(b, 0.09)).collect();
        assert!(build_tags(&labels, &[]).is_empty());
        // A family of man-made things backs off like other guesses: four church labels on a
        // tower are a building.
        let churches = [inet("bell cote", 0.3), inet("church", 0.06), inet("monastery", 0.02), inet("altar", 0.02)];
        assert_eq!(keys(&build_tags(&churches, &[])), [("building", Level::Possible)]);
        let tower = [&churches[..], &[inet("stupa", 0.1), inet("palace", 0.05)]].concat();
        assert_eq!(keys(&build_tags(&tower, &[])), [("building", Level::Sure)]);
        // Below GROUP_MIN nothing is named.
        assert!(build_tags(&[inet("Granny Smith apple", 0.1), inet("banana", 0.05)], &[]).is_empty());
    }

    #[test]
    fn order_is_detector_backed_first() {
        let tags = build_tags(&[inet("bobsled", 0.28)], &[coco("person", 0.61, B)]);
        assert_eq!(tags[0].concept.key, "person");
        assert!(!tags[1].is_sure());
    }
}
