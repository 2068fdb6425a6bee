//! The real Qwen GGUF: metadata, tensor table, and our lossless repacking of every weight
//! type it uses (expanded and packed layouts), against llama.cpp's own `gguf` package (fixture from
//! models/reference/dequant_fixture.py).

mod common;

use qingyu::gguf::{GgmlType, Gguf};
use qingyu::kernels::{Matrix, Q4Matrix, Q4Quads, Q5Matrix, Q5Quads, Q6Matrix, Q6Quads, Q8Matrix};
use qingyu::llm::Qwen2Config;

const GGUF: &str = "qwen2.5-coder-0.5b-instruct-q5_0-tied.gguf";

#[test]
fn reads_the_qwen2_hyper_parameters() {
    let bytes = common::model_file(GGUF);
    let g = Gguf::parse(&bytes).unwrap();
    let c = Qwen2Config::from_gguf(&g).unwrap();
    assert_eq!((c.n_layer, c.d_model, c.n_head, c.n_kv_head, c.head_dim, c.d_ffn), (24, 896, 14, 2, 64, 4864));
    assert_eq!(c.vocab, 151_936);
    assert_eq!(c.rope_theta, 1_000_000.0);
    assert!(g.tensor("output.weight").is_none(), "the tied file must not carry the output matrix");
    assert_eq!(g.tensors.len(), 290);
}

#[test]
fn truncated_model_file_is_a_clear_error() {
    let bytes = common::model_file(GGUF);
    let err = Gguf::parse(&bytes[..bytes.len() - 1000]).err().unwrap().to_string();
    assert!(err.starts_with("ModelLoad: GGUF is truncated"), "{err}");
}

#[test]
fn repacking_matches_llama_cpp_dequantization_for_every_weight_type() {
    let bytes = common::model_file(GGUF);
    let g = Gguf::parse(&bytes).unwrap();
    let fixture: serde_json::Value =
        serde_json::from_str(include_str!("fixtures/gguf_dequant.json")).unwrap();
    let mut types = Vec::new();
    for case in fixture["cases"].as_array().unwrap() {
        let t = g.tensor(case["tensor"].as_str().unwrap()).unwrap();
        let (cols, rows) = (t.dims[0] as usize, t.dims[1] as usize);
        let data = g.data(t);
        let expanded = Matrix::Expanded(
            match t.ty {
                GgmlType::Q5_0 => Q8Matrix::from_q5_0(data, rows, cols),
                GgmlType::Q8_0 => Q8Matrix::from_q8_0(data, rows, cols),
                GgmlType::Q4K => Q8Matrix::from_q4_k(data, rows, cols),
                GgmlType::Q6K => Q8Matrix::from_q6_k(data, rows, cols),
                other => panic!("unexpected type {other:?}"),
            }
            .unwrap(),
        );
        // Every packed layout the loader can pick: one row per block, and four (relaxed SIMD).
        let packed = match t.ty {
            GgmlType::Q5_0 => vec![
                Matrix::Q5(Q5Matrix::from_gguf(data, rows, cols).unwrap()),
                Matrix::Q5Quads(Q5Quads::from_gguf(data, rows, cols).unwrap()),
            ],
            GgmlType::Q4K => {
                let m = Q4Matrix::from_gguf(data, rows, cols).unwrap();
                vec![Matrix::Q4Quads(Q4Quads::from_q4(&m)), Matrix::Q4(m)]
            }
            GgmlType::Q6K => {
                let m = Q6Matrix::from_gguf(data, rows, cols).unwrap();
                vec![Matrix::Q6Quads(Q6Quads::from_q6(&m)), Matrix::Q6(m)]
            }
            _ => vec![],
        };
        types.push(format!("{:?}", t.ty));
        let mut row = vec![0f32; cols];
        for (r, m) in case["rows"].as_array().unwrap().iter().flat_map(|r| std::iter::once(&expanded).chain(&packed).map(move |m| (r, m))) {
            m.dequantize_row(r["row"].as_u64().unwrap() as usize, &mut row);
            for (i, want) in r["first"].as_array().unwrap().iter().enumerate() {
                let want = want.as_f64().unwrap() as f32;
                assert!((row[i] - want).abs() <= 1e-6 + 1e-6 * want.abs(), "{} row {r} [{i}]: {} vs {want}", t.name, row[i]);
            }
            let sum: f64 = row.iter().map(|&v| v as f64).sum();
            let sum_sq: f64 = row.iter().map(|&v| (v as f64).powi(2)).sum();
            let (ws, wq) = (r["sum"].as_f64().unwrap(), r["sum_sq"].as_f64().unwrap());
            assert!((sum - ws).abs() <= 1e-4 * (1.0 + ws.abs()), "{} row sum {sum} vs {ws}", t.name);
            assert!((sum_sq - wq).abs() <= 1e-5 * wq, "{} row sum_sq {sum_sq} vs {wq}", t.name);
        }
    }
    assert_eq!(types.len(), 4, "{types:?}");
}
