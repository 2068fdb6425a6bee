//! Words a period follows without ending the sentence (Dr., Inc., U.S., initials): what both
//! the source's sentence splitter and the cutting of model text into units must not split at.

/// Words that end with a period without ending the sentence (compared lowercase, no dot).
const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "mt", "ft", "inc", "ltd", "co", "corp", "dept", "univ", "gov",
    "gen", "col", "lt", "sgt", "capt", "rep", "sen", "rev", "vs", "etc", "approx", "est", "no", "nos", "fig", "vol",
    "pp", "ed", "eds", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "mon",
    "tue", "wed", "thu", "fri", "sat", "sun", "e.g", "i.e", "u.s", "u.k", "u.n", "a.m", "p.m", "ph.d", "b.a", "m.a",
];

/// Whether a period right after `before` belongs to an abbreviation ("Inc", "Dr", "U.S") or an
/// initial ("J") rather than ending a sentence.
pub fn ends_with_abbreviation(before: &str) -> bool {
    let word: String = before.chars().rev().take_while(|c| !c.is_whitespace() && !"(\"“".contains(*c)).collect::<Vec<_>>().into_iter().rev().collect();
    let lower = word.to_lowercase();
    if ABBREVIATIONS.contains(&lower.as_str()) {
        return true;
    }
    // Initials: "J. Smith", "U.S" style single letters.
    let letters: Vec<char> = word.chars().filter(|c| c.is_alphabetic()).collect();
    letters.len() == 1 && letters[0].is_uppercase() && word.len() <= 2
}
