//! Classifier top-k + detector boxes → concept-level tags the composer can word.
//!
//! Rules (the thresholds are the constants below):
//! * detections scoring ≥ [`DET_MIN`] are counted per concept (two cat boxes → `cat ×2`);
//! * classifier labels scoring ≥ [`CLS_MIN`] are mapped to their concepts (scores of labels
//!   sharing a concept add up: "Egyptian cat" + "tabby cat" → cat);
//! * when the classifier and the detector name the same concept the tags merge (count and
//!   box from the detector, fine-grained wording from the classifier);
//! * a drink the classifier names absorbs the cup or glass the detector found ("espresso" +
//!   "cup" → one cup of espresso);
//! * a confident classifier concept ([`CLS_STRONG`]) beats a weak detection ([`DET_STRONG`])
//!   of a different concept of the same kind (a cat photo's stray "dog 0.40" box is dropped);
//! * nothing below its threshold is ever kept.

use crate::vision::concepts::{ClassLabel, Concept, Kind};

/// Lowest detector score counted as an object.
pub const DET_MIN: f32 = 0.35;
/// Lowest classifier probability mapped to a concept.
pub const CLS_MIN: f32 = 0.25;
/// A classifier-only tag at or above this is stated plainly; below it is hedged
/// ("a photo of …").
pub const CLS_SURE: f32 = 0.5;
/// A classifier concept this confident overrules weak detections of the same kind.
pub const CLS_STRONG: f32 = 0.6;
/// Detections below this can be overruled by a [`CLS_STRONG`] classifier concept.
pub const DET_STRONG: f32 = 0.6;
/// The classifier's fine-grained name ("espresso", "tabby cat") is used when its own
/// label scores at least this.
pub const FINE_MIN: f32 = 0.4;

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
}

impl Tag {
    /// Stated plainly (detector-backed, or a confident classifier label) rather than hedged.
    pub fn is_sure(&self) -> bool {
        self.source != Source::Classifier || self.score >= CLS_SURE
    }

    pub fn kind(&self) -> Kind {
        self.concept.kind
    }
}

/// Containers a drink is served in; the drink tag absorbs them.
const DRINK_CONTAINERS: &[&str] = &["cup", "wine_glass"];

/// Builds tags from the classifier's top-k (any order) and the detector's boxes; the result
/// is ordered most-salient first (detector-backed before classifier-only, then by score).
pub fn build_tags(labels: &[ClassScore], objects: &[ObjectBox]) -> Vec<Tag> {
    // Classifier: labels ≥ CLS_MIN grouped by concept, best label first.
    let mut labels: Vec<ClassScore> = labels.iter().copied().filter(|l| l.score >= CLS_MIN).collect();
    labels.sort_by(|a, b| b.score.total_cmp(&a.score));
    let mut cls: Vec<Tag> = Vec::new();
    for l in &labels {
        match cls.iter_mut().find(|t| std::ptr::eq(t.concept, l.class.concept)) {
            Some(t) => t.score += l.score,
            None => cls.push(Tag {
                concept: l.class.concept,
                fine: (l.score >= FINE_MIN && l.class.en != l.class.concept.en).then_some(l.class),
                score: l.score,
                count: 1,
                bbox: None,
                source: Source::Classifier,
                objects: Vec::new(),
            }),
        }
    }
    for t in &mut cls {
        t.score = t.score.min(1.0);
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
            }),
        }
    }

    // A confident classifier concept overrules weak detections of another concept of its kind.
    if let Some(top) = cls.first().filter(|t| t.score >= CLS_STRONG) {
        let (concept, kind) = (top.concept, top.concept.kind);
        if matches!(kind, Kind::Animal | Kind::Vehicle | Kind::Food | Kind::Drink) {
            det.retain(|d| d.concept.kind != kind || std::ptr::eq(d.concept, concept) || d.score >= DET_STRONG);
        }
    }

    // Merge: same concept, or a drink and its container.
    let mut tags: Vec<Tag> = Vec::new();
    for mut c in cls {
        let same = det.iter().position(|d| std::ptr::eq(d.concept, c.concept));
        let container = || {
            (c.concept.kind == Kind::Drink)
                .then(|| det.iter().position(|d| DRINK_CONTAINERS.contains(&d.concept.key)))
                .flatten()
        };
        if let Some(i) = same.or_else(container) {
            let d = det.remove(i);
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
    let rank = |t: &Tag| match t.source {
        Source::Both => 2,
        Source::Detector => 1,
        Source::Classifier if t.is_sure() => 1,
        Source::Classifier => 0,
    };
    tags.sort_by(|a, b| rank(b).cmp(&rank(a)).then(b.score.total_cmp(&a.score)));
    tags
}

#[cfg(test)]
mod tests {
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
    fn nothing_below_its_threshold_is_kept() {
        let tags = build_tags(&[inet("bobsled", 0.24), inet("cup", 0.1)], &[coco("person", 0.349, B)]);
        assert!(tags.is_empty(), "{tags:?}");
        let tags = build_tags(&[inet("bobsled", 0.25)], &[coco("person", 0.35, B)]);
        assert_eq!(tags.len(), 2);
        assert!(tags.iter().all(|t| t.score >= CLS_MIN));
    }

    #[test]
    fn agreement_merges_and_keeps_the_fine_name() {
        let tags = build_tags(&[inet("Egyptian cat", 0.79), inet("tiger cat", 0.09)], &[coco("cat", 0.47, B)]);
        assert_eq!(tags.len(), 1, "{tags:?}");
        let t = &tags[0];
        assert_eq!((t.concept.key, t.source, t.count), ("cat", Source::Both, 1));
        assert_eq!(t.fine.unwrap().en, "Egyptian cat");
        assert!((t.score - 0.79).abs() < 1e-6);
        assert_eq!(t.bbox, Some(B));
    }

    #[test]
    fn confident_classifier_beats_a_weak_detection_of_another_animal() {
        let tags = build_tags(&[inet("Egyptian cat", 0.79)], &[coco("dog", 0.4, B)]);
        assert_eq!(tags.len(), 1, "{tags:?}");
        assert_eq!(tags[0].concept.key, "cat");
        // A confident detection stays; so does a weak one of another kind.
        let tags = build_tags(&[inet("Egyptian cat", 0.79)], &[coco("dog", 0.9, B), coco("person", 0.4, B)]);
        let keys: Vec<&str> = tags.iter().map(|t| t.concept.key).collect();
        assert!(keys.contains(&"dog") && keys.contains(&"person") && keys.contains(&"cat"), "{keys:?}");
        // An unsure classifier does not overrule anything.
        let tags = build_tags(&[inet("Egyptian cat", 0.4)], &[coco("dog", 0.4, B)]);
        assert_eq!(tags.len(), 2);
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
    fn order_is_detector_backed_first() {
        let tags = build_tags(&[inet("bobsled", 0.28)], &[coco("person", 0.61, B)]);
        assert_eq!(tags[0].concept.key, "person");
        assert!(!tags[1].is_sure());
    }
}
