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

#[test]
fn packed_q5_gives_the_same_bits_as_its_expanded_form() {
    // Same integer sums, same float order: the packed path must not change a single logit.
    let mut rng = check::Rng::new(0x0051);
    let (rows, cols, tokens) = (13, 7 * BLOCK, 6);
    let values: Vec<i8> = (0..rows * cols).map(|_| (rng.below(32) as i32 - 16) as i8).collect();
    let q5 = Q5Matrix::from_values(&values, rng.vec(rows * cols / BLOCK, 0.05), rows, cols);
    let xs: Vec<Q8Vector> = (0..tokens).map(|_| Q8Vector::from_f32(&rng.vec(cols, 3.0))).collect();
    let (mut packed, mut expanded) = (vec![0.0; rows * tokens], vec![0.0; rows * tokens]);
    matmul_q5(&q5, &xs, 0..q5.rows, &mut packed);
    matmul_q8(&q5.to_q8(), &xs, 0..q5.rows, &mut expanded);
    assert_eq!(packed, expanded);
    let (mut packed, mut expanded) = (vec![0.0; 5], vec![0.0; 5]);
    matvec_q5(&q5, &xs[1], 3..8, &mut packed);
    matvec_q8(&q5.to_q8(), &xs[1], 3..8, &mut expanded);
    assert_eq!(packed, expanded);
}

#[test]
fn packed_q6_gives_the_same_bits_as_its_expanded_form() {
    let mut rng = check::Rng::new(0x0066);
    let (rows, cols, tokens) = (11, 16 * BLOCK, 6);
    let q6 = check::random_q6(&mut rng, rows, cols);
    let xs: Vec<Q8Vector> = (0..tokens).map(|_| Q8Vector::from_f32(&rng.vec(cols, 3.0))).collect();
    let (mut packed, mut expanded) = (vec![0.0; rows * tokens], vec![0.0; rows * tokens]);
    matmul_q6(&q6, &xs, 0..q6.rows, &mut packed);
    matmul_q8(&q6.to_q8(), &xs, 0..q6.rows, &mut expanded);
    assert_eq!(packed, expanded);
    let (mut packed, mut expanded) = (vec![0.0; 6], vec![0.0; 6]);
    matvec_q6(&q6, &xs[2], 4..10, &mut packed);
    matvec_q8(&q6.to_q8(), &xs[2], 4..10, &mut expanded);
    assert_eq!(packed, expanded);
}

#[test]
fn rows_split_across_threads_give_the_same_bits_as_one_thread() {
    let parts = check::split_matches_one_thread(0x7ead).unwrap();
    if parallel::threads() > 1 {
        assert!(parts > 1, "the products in the check are big enough to split");
    }
}
