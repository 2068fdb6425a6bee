//! Tests on small synthetic GGUF files built here byte by byte.

use super::*;

/// Writes a GGUF v3 with the given metadata strings and one Q8_0 tensor of `rows`×32.
fn synthetic_gguf(rows: u64) -> Vec<u8> {
    let mut b = Vec::new();
    let string = |b: &mut Vec<u8>, s: &str| {
        b.extend((s.len() as u64).to_le_bytes());
        b.extend(s.as_bytes());
    };
    b.extend(b"GGUF");
    b.extend(3u32.to_le_bytes());
    b.extend(1u64.to_le_bytes()); // tensors
    b.extend(3u64.to_le_bytes()); // metadata
    string(&mut b, "general.architecture");
    b.extend(8u32.to_le_bytes());
    string(&mut b, "qwen2");
    string(&mut b, "qwen2.block_count");
    b.extend(4u32.to_le_bytes());
    b.extend(24u32.to_le_bytes());
    string(&mut b, "tokenizer.ggml.tokens");
    b.extend(9u32.to_le_bytes());
    b.extend(8u32.to_le_bytes());
    b.extend(2u64.to_le_bytes());
    string(&mut b, "你好");
    string(&mut b, "Ġworld");
    // tensor info
    string(&mut b, "blk.0.attn_q.weight");
    b.extend(2u32.to_le_bytes());
    b.extend(32u64.to_le_bytes());
    b.extend(rows.to_le_bytes());
    b.extend(8u32.to_le_bytes()); // Q8_0
    b.extend(0u64.to_le_bytes());
    while b.len() % 32 != 0 {
        b.push(0);
    }
    for row in 0..rows {
        b.extend(half::f16::from_f32(0.5).to_le_bytes());
        b.extend((0..32).map(|i| (i as i8 - row as i8) as u8));
    }
    b
}

#[test]
fn parses_metadata_and_tensor_table() {
    let bytes = synthetic_gguf(3);
    let g = Gguf::parse(&bytes).unwrap();
    assert_eq!(g.version, 3);
    assert_eq!(g.get_str("general.architecture").unwrap(), "qwen2");
    assert_eq!(g.get_u64("qwen2.block_count").unwrap(), 24);
    let tokens = g.get("tokenizer.ggml.tokens").unwrap().as_array().unwrap();
    assert_eq!(tokens[0].as_str(), Some("你好"));
    let t = g.tensor("blk.0.attn_q.weight").unwrap();
    assert_eq!((t.dims.clone(), t.ty, t.len), (vec![32, 3], GgmlType::Q8_0, 3 * 34));
    assert_eq!(t.start % 32, 0);
    let data = g.data(t);
    assert_eq!(data[2] as i8, 0);
    assert_eq!(data[34 + 2] as i8, -1);
}

#[test]
fn bad_magic_is_a_clear_error() {
    let mut bytes = synthetic_gguf(1);
    bytes[0] = b'X';
    let err = Gguf::parse(&bytes).err().unwrap().to_string();
    assert!(err.contains("bad magic"), "{err}");
}

#[test]
fn every_truncation_is_an_error_never_a_panic() {
    let bytes = synthetic_gguf(2);
    for cut in 0..bytes.len() {
        let err = Gguf::parse(&bytes[..cut]).err().unwrap_or_else(|| panic!("cut at {cut} parsed"));
        assert!(err.to_string().contains("truncated") || err.to_string().contains("magic"), "cut {cut}: {err}");
    }
}

#[test]
fn unknown_tensor_type_is_named() {
    let mut bytes = synthetic_gguf(1);
    // The type id is the u32 right after the two dims of the tensor info.
    let name = b"blk.0.attn_q.weight";
    let at = bytes.windows(name.len()).position(|w| w == name).unwrap() + name.len() + 4 + 16;
    bytes[at..at + 4].copy_from_slice(&99u32.to_le_bytes());
    let err = Gguf::parse(&bytes).err().unwrap().to_string();
    assert!(err.contains("unknown ggml type 99"), "{err}");
}

#[test]
fn random_garbage_never_panics() {
    let mut seed = 0x9e3779b97f4a7c15u64;
    for len in [0usize, 3, 4, 24, 100, 1000] {
        for _ in 0..50 {
            let mut bytes: Vec<u8> = (0..len)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    seed as u8
                })
                .collect();
            if len >= 8 {
                bytes[..4].copy_from_slice(b"GGUF");
                bytes[4..8].copy_from_slice(&3u32.to_le_bytes());
            }
            let _ = Gguf::parse(&bytes);
        }
    }
}
