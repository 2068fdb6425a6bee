use super::*;

#[test]
fn simd_kernels_match_the_scalar_reference_on_random_shapes() {
    check::simd_matches_scalar(0x5eed_0001, 300).unwrap();
}

#[test]
fn native_runs_use_the_simd_path_when_the_cpu_has_it() {
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma") {
        assert_eq!(simd_path(), "x86-avx2");
    }
}

#[test]
fn quantized_matvec_is_close_to_the_f32_product() {
    // Quantization error bound, not a SIMD check: Q8 blocks keep ~2-3 significant digits.
    let mut rng = check::Rng::new(7);
    let (rows, cols) = (16, 256);
    let w = rng.vec(rows * cols, 1.0);
    let x = rng.vec(cols, 1.0);
    let mut got = vec![0.0; rows];
    matvec_q8(&Q8Matrix::from_f32(&w, rows, cols), &Q8Vector::from_f32(&x), 0..rows, &mut got);
    for r in 0..rows {
        let exact: f32 = w[r * cols..(r + 1) * cols].iter().zip(&x).map(|(a, b)| a * b).sum();
        assert!((got[r] - exact).abs() < 0.05 * (cols as f32).sqrt() * 0.2, "row {r}: {} vs {exact}", got[r]);
    }
}
