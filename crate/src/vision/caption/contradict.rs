//! Hedged tags the other signals contradict (issue 13, item 5), dropped before wording.
//!
//! Only hedged tags ("possibly", "probably") that one model names alone are judged here: a sure
//! tag, or one both models name, stands. Two contradictions, chosen on the tune half of
//! eval/photos (eval/photos/false-mentions-tune.md):
//!
//! * **a man-made thing in nature**: the classifier puts more of its top-20 mass on nature
//!   (animals, plants, natural scenes) than on man-made things (objects, vehicles, drinks, text,
//!   built places), at least [`NATURE_MIN`], yet a hedged man-made thing is named: a vase box
//!   on a frangipani the classifier calls plants, a "megalith" on a heath it fills with grazing
//!   animals. The "bottle on a carpet of leaves". Text-bearing things are left to the
//!   OCR, which must have read a line for a hedged one to be named;
//! * **two animals**: the classifier's hedged animal guess and a detected animal of another
//!   concept, the box calibrated higher than the guess (a wombat guess under a "bear" box on a
//!   quokka): the models disagree on the animal, and the guess is the weaker claim (a group
//!   the guess backed off to, "an animal", agrees with a box of any of its members). The box
//!   itself is judged by the classifier in `tags.rs` (`OTHER_ANIMAL_MIN`).

use super::tags::{Level, Source, Tag, NATURAL_SCENES};
use crate::vision::concepts::{group_of, Concept, Kind};

/// Nature must get at least this much of the classifier's mass to contradict anything: what a
/// classifier concept needs to be named at all (the 0.15 bin of `CLS_CALIBRATION`).
pub const NATURE_MIN: f32 = 0.15;

/// Made by people: the kinds of thing a photo of nature contradicts when one model names it
/// weakly. Food is neither (a fruit on a branch), nor are persons.
fn is_man_made(concept: &Concept) -> bool {
    match concept.kind {
        Kind::Object | Kind::Vehicle | Kind::Drink | Kind::Text => true,
        Kind::Scene => !is_natural_scene(concept),
        Kind::Person | Kind::Animal | Kind::Food | Kind::Plant => false,
    }
}

/// A hedged text-bearing thing (a sign, a menu) is named only when the OCR read a line
/// (compose.rs): a third model backs it, so nature does not contradict it (a trail sign).
fn nature_contradicts(concept: &Concept) -> bool {
    is_man_made(concept) && concept.kind != Kind::Text
}

fn is_natural_scene(concept: &Concept) -> bool {
    concept.kind == Kind::Scene && (NATURAL_SCENES.contains(&concept.key) || concept.key == "landscape")
}

fn is_nature(concept: &Concept) -> bool {
    matches!(concept.kind, Kind::Animal | Kind::Plant) || is_natural_scene(concept)
}

/// What the classifier sees, summed over its concepts (top-20 labels): nature and man-made.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Outlook {
    pub nature: f32,
    pub man_made: f32,
}

impl Outlook {
    /// From the classifier's concept tags, before any derived tag (the landscape) is added.
    pub fn of(classifier: &[Tag]) -> Self {
        let sum = |keep: fn(&Concept) -> bool| classifier.iter().filter(|t| keep(t.concept)).map(|t| t.score).sum();
        Self { nature: sum(is_nature), man_made: sum(is_man_made) }
    }

    fn is_nature(&self) -> bool {
        self.nature >= NATURE_MIN && self.nature > self.man_made
    }
}

/// A detected animal, as the detector saw it (before the classifier judged the box).
#[derive(Debug, Clone, Copy)]
pub struct AnimalBox {
    pub concept: &'static Concept,
    pub confidence: f32,
}

/// Whether `tag` is contradicted and should not be named.
pub fn contradicted(tag: &Tag, outlook: Outlook, animal_boxes: &[AnimalBox]) -> bool {
    if tag.level() >= Level::Sure || tag.source == Source::Both {
        return false;
    }
    if nature_contradicts(tag.concept) && outlook.is_nature() {
        return true;
    }
    // A box of a member of the tag's group (a bear under "an animal") agrees with it.
    let agrees = |b: &AnimalBox| std::ptr::eq(b.concept, tag.concept) || group_of(b.concept).is_some_and(|g| std::ptr::eq(g, tag.concept));
    tag.source == Source::Classifier
        && tag.kind() == Kind::Animal
        && animal_boxes.iter().any(|b| !agrees(b) && b.confidence > tag.confidence)
}

#[cfg(test)]
mod tests {
    use super::super::tags::build_tags;
    use super::super::tags::tests::{coco, inet};

    const B: [f32; 4] = [10.0, 10.0, 100.0, 100.0];

    fn keys(tags: &[super::Tag]) -> Vec<&'static str> {
        tags.iter().map(|t| t.concept.key).collect()
    }

    #[test]
    fn a_weak_man_made_box_in_nature_is_dropped() {
        // A vase box on a flowering shrub the classifier sees only as plants.
        let plants = [inet("flowerpot", 0.23), inet("buckeye", 0.07), inet("yellow lady's slipper orchid", 0.06), inet("daisy", 0.05)];
        let tags = build_tags(&plants, &[coco("vase", 0.56, B)]);
        assert!(!keys(&tags).contains(&"vase"), "{:?}", keys(&tags));
        // A box sure on its own stands, and so does one the classifier backs.
        assert!(keys(&build_tags(&plants, &[coco("vase", 0.75, B)])).contains(&"vase"));
        let backed = [inet("vase", 0.06), inet("daisy", 0.3)];
        assert!(keys(&build_tags(&backed, &[coco("vase", 0.5, B)])).contains(&"vase"));
        // Indoors (more man-made mass than nature) the weak box stands.
        let indoors = [inet("flowerpot", 0.2), inet("dining table", 0.3)];
        assert!(keys(&build_tags(&indoors, &[coco("vase", 0.56, B)])).contains(&"vase"));
        // A hedged sign stands in nature: the OCR backs it (compose.rs names it only then).
        let trail = [inet("street sign", 0.3), inet("valley", 0.4), inet("alpine peak", 0.2)];
        assert!(keys(&build_tags(&trail, &[])).contains(&"street_sign"), "{:?}", keys(&build_tags(&trail, &[])));
        // An animal box in nature is no man-made thing.
        let alpine = [inet("alpine peak", 0.76)];
        assert!(keys(&build_tags(&alpine, &[coco("sheep", 0.49, B)])).contains(&"sheep"));
    }

    #[test]
    fn a_hedged_man_made_guess_in_nature_is_dropped() {
        // "megalith" on a heath the classifier fills with grazing animals (summed, they back off
        // to a hedged animal, tags.rs).
        let heath = [inet("megalith", 0.15), inet("African elephant", 0.12), inet("impala", 0.09), inet("ox", 0.08)];
        assert_eq!(keys(&build_tags(&heath, &[])), ["animal"]);
        // Without the animals the guess stands, hedged.
        assert_eq!(keys(&build_tags(&heath[..1], &[])), ["monument"]);
        // A sure man-made concept stands in nature.
        let boat = [inet("canoe", 0.8), inet("lakeside", 0.15)];
        assert!(keys(&build_tags(&boat, &[])).contains(&"boat"), "{:?}", keys(&build_tags(&boat, &[])));
        // A little nature (below NATURE_MIN) contradicts nothing.
        let little = [inet("megalith", 0.15), inet("impala", 0.1)];
        assert_eq!(keys(&build_tags(&little, &[])), ["monument"]);
    }

    #[test]
    fn a_weak_animal_guess_under_another_animal_box_is_dropped() {
        // Wombat and wolves from the classifier, a "bear" box: neither animal is named, only the
        // group both models agree on (tags.rs).
        let labels = [inet("wombat", 0.18), inet("white wolf", 0.07), inet("timber wolf", 0.07)];
        assert_eq!(keys(&build_tags(&labels, &[coco("bear", 0.66, B)])), ["animal"]);
        // The guess stands when the box is the weaker claim (a bird box of 0.39 on a squirrel,
        // which backs off to a sure animal, tags.rs)…
        let squirrel = [inet("fox squirrel", 0.66)];
        assert_eq!(keys(&build_tags(&squirrel, &[coco("bird", 0.39, B)])), ["animal"]);
        let squirrel = [inet("fox squirrel", 0.4)];
        let lone = [inet("fox squirrel", 0.4), inet("lampshade", 0.45)];
        assert_eq!(keys(&build_tags(&squirrel, &[coco("bird", 0.36, B)])), ["animal"]);
        assert_eq!(keys(&build_tags(&lone, &[coco("bird", 0.36, B)]))[..2], ["lamp", "squirrel"]);
        // …and without a box the three animals are one hedged animal.
        assert_eq!(keys(&build_tags(&labels, &[]))[0], "animal");
    }
}
