//! GPT-2's byte-level alphabet: every byte is written as one printable Unicode character so
//! BPE vocabularies can be stored as text. Printable Latin-1 bytes (`!`..=`~`, `¡`..=`¬`,
//! `®`..=`ÿ`) stand for themselves; the other 68 bytes (controls, space, DEL, NBSP, soft
//! hyphen) become U+0100, U+0101, … in byte order (so a space is `Ġ`, a newline `Ċ`).

fn is_self_printing(b: u8) -> bool {
    matches!(b, b'!'..=b'~' | 0xA1..=0xAC | 0xAE..=0xFF)
}

/// The bytes that do not print as themselves, in byte order; index i is written U+0100 + i.
const SHIFTED: [u8; 68] = {
    let mut out = [0u8; 68];
    let (mut b, mut n) = (0usize, 0usize);
    while b < 256 {
        let byte = b as u8;
        if !matches!(byte, b'!'..=b'~' | 0xA1..=0xAC | 0xAE..=0xFF) {
            out[n] = byte;
            n += 1;
        }
        b += 1;
    }
    out
};

/// The character that stands for `b` in vocabulary strings.
pub(super) fn byte_to_char(b: u8) -> char {
    if is_self_printing(b) {
        b as char
    } else {
        let i = SHIFTED.iter().position(|&s| s == b).expect("every byte is either printable or shifted");
        char::from_u32(0x100 + i as u32).unwrap()
    }
}

/// The byte a vocabulary character stands for, or `None` for a character outside the alphabet.
pub(super) fn char_to_byte(c: char) -> Option<u8> {
    let cp = c as u32;
    if cp < 0x100 && is_self_printing(cp as u8) {
        Some(cp as u8)
    } else if (0x100..0x100 + SHIFTED.len() as u32).contains(&cp) {
        Some(SHIFTED[(cp - 0x100) as usize])
    } else {
        None
    }
}

/// Decodes a vocabulary string to its bytes; `None` when a character is outside the alphabet.
pub(super) fn decode_str(s: &str) -> Option<Vec<u8>> {
    s.chars().map(char_to_byte).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_byte() {
        let mut seen = std::collections::HashSet::new();
        for b in 0..=255u8 {
            let c = byte_to_char(b);
            assert!(seen.insert(c), "{c:?} used twice");
            assert_eq!(char_to_byte(c), Some(b));
        }
        assert_eq!(byte_to_char(b' '), 'Ġ');
        assert_eq!(byte_to_char(b'\n'), 'Ċ');
        assert_eq!(byte_to_char(b'a'), 'a');
        assert_eq!(char_to_byte('中'), None);
    }
}
