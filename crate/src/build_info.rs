//! What this build is: version, SIMD, and which tract matrix kernels it will run.
//!
//! tract registers its wasm kernels through link-time constructors; if they were dropped it
//! would silently fall back to generic code. The browser test asserts on `matmul_kernels()`.

use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct BuildInfo {
    pub version: &'static str,
    pub target_arch: &'static str,
    /// Compiled with `target-feature=+simd128` (only meaningful on wasm32).
    pub simd128: bool,
    /// Names of the tract matrix-multiply kernels built and runnable on this machine (none in
    /// a module built without vision).
    pub matmul_kernels: Vec<String>,
    /// What the module holds: "full" (text and vision) or "text" (LLM and summaries only).
    pub modules: &'static str,
    /// Built with wasm threads (`+atomics`, the `threads` feature): kernels can use a pool.
    pub threads: bool,
    /// The LLM's weight-product kernels in this build (`kernels::simd_path`).
    pub llm_kernels: &'static str,
}

pub fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

pub fn simd128() -> bool {
    cfg!(target_feature = "simd128")
}

#[cfg(not(feature = "vision"))]
pub fn matmul_kernels() -> Vec<String> {
    Vec::new()
}

#[cfg(feature = "vision")]
pub fn matmul_kernels() -> Vec<String> {
    let isa = tract_linalg::isa::native();
    tract_linalg::mmm_routines::runnable_for(&isa)
        .into_iter()
        .filter(|kernel| kernel.built())
        .map(|kernel| kernel.name().to_string())
        .collect()
}

pub fn build_info() -> BuildInfo {
    BuildInfo {
        version: version(),
        target_arch: std::env::consts::ARCH,
        simd128: simd128(),
        matmul_kernels: matmul_kernels(),
        modules: if cfg!(feature = "vision") { "full" } else { "text" },
        threads: cfg!(feature = "threads"),
        llm_kernels: crate::kernels::simd_path(),
    }
}
