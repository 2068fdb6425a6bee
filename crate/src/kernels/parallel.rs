//! Splitting kernel work across threads: rayon's pool natively and in the threaded wasm build
//! (`threads` feature: Web Workers sharing the memory, started by wasm-bindgen-rayon through
//! `startThreads`); the single-thread wasm build runs every part on the caller.
//!
//! Only *where* a row is computed changes with the thread count, never *how*, so every
//! result is bit-identical to the one-thread result.

use std::ops::Range;

/// rayon's pool with one team per forward pass (`team.rs`): natively, and in the threaded wasm
/// build, where the engine worker leads and may block at the end of a pass while the helpers
/// return to the pool (a worker may; the page's main thread may not, which is why the engine
/// lives in a worker). Only `threads()` differs between the two.
#[cfg(any(not(target_arch = "wasm32"), feature = "threads"))]
mod pool {
    use super::super::team;

    #[cfg(not(target_arch = "wasm32"))]
    pub fn threads() -> usize {
        rayon::current_num_threads()
    }

    /// In the browser the pool exists only once the page has started it (`startThreads`):
    /// until then everything runs on the caller, and rayon's global pool is never touched
    /// (touching it would build a default one that the page's workers could no longer join).
    #[cfg(target_arch = "wasm32")]
    pub fn threads() -> usize {
        started::get()
    }

    #[cfg(target_arch = "wasm32")]
    pub mod started {
        use std::sync::atomic::{AtomicUsize, Ordering};

        static STARTED: AtomicUsize = AtomicUsize::new(0);

        /// Called once the pool's workers are up.
        pub fn set(threads: usize) {
            STARTED.store(threads, Ordering::Release);
        }

        pub fn get() -> usize {
            STARTED.load(Ordering::Acquire).max(1)
        }
    }

    pub fn for_each<T: Send>(items: &mut [T], f: impl Fn(usize, &mut T) + Sync) {
        if threads() <= 1 {
            return items.iter_mut().enumerate().for_each(|(i, item)| f(i, item));
        }
        if !team::for_each(items, &f) {
            use rayon::prelude::*;
            items.par_iter_mut().enumerate().for_each(|(i, item)| f(i, item));
        }
    }

    pub fn enter<R: Send>(f: impl FnOnce() -> R + Send) -> R {
        if threads() <= 1 || team::leading() {
            return f();
        }
        team::run(threads() - 1, f)
    }
}

#[cfg(all(target_arch = "wasm32", not(feature = "threads")))]
mod pool {
    pub fn threads() -> usize {
        1
    }

    pub fn for_each<T: Send>(items: &mut [T], f: impl Fn(usize, &mut T) + Sync) {
        for (i, item) in items.iter_mut().enumerate() {
            f(i, item);
        }
    }

    pub fn enter<R: Send>(f: impl FnOnce() -> R + Send) -> R {
        f()
    }
}

pub use pool::{enter, for_each, threads};
/// Called by `startThreads` once the page's pool of workers is up.
#[cfg(all(target_arch = "wasm32", feature = "threads"))]
pub use pool::started::set as started;

/// Natively: size the pool before first use (`--threads`); by default it has one thread per
/// core. In the browser the page's worker sizes it (`startThreads`).
#[cfg(not(target_arch = "wasm32"))]
pub fn start_pool(threads: usize) -> Result<(), String> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build_global()
        .map_err(|e| format!("thread pool: {e}"))
}

/// Multiply-adds below which a product runs on one thread: handing work to another thread
/// costs microseconds, a 128 × 896 decode product (K, V) takes about as long.
const MIN_WORK_PER_PART: usize = 1 << 18;

/// Rows per part are a multiple of this: the SIMD kernels take rows four at a time.
const ROW_ALIGN: usize = 4;

/// How to split `rows` rows of a product of `work_per_row` multiply-adds per row: one range
/// when it is small or there is one thread; otherwise a few parts per thread, so a thread
/// that was late to start does not hold the others up.
pub fn row_parts(rows: usize, work_per_row: usize) -> Vec<Range<usize>> {
    split_rows(rows, work_per_row, threads())
}

/// `row_parts` for a given thread count (the tests pick theirs).
pub fn split_rows(rows: usize, work_per_row: usize, threads: usize) -> Vec<Range<usize>> {
    let by_work = (rows * work_per_row) / MIN_WORK_PER_PART;
    let by_rows = rows / ROW_ALIGN;
    // A whole number of parts per thread, so no thread gets one part more than another.
    let parts = if by_work >= 2 * threads { 2 * threads } else if by_work >= threads { threads } else { 1 };
    let parts = parts.min(by_rows);
    if threads <= 1 || parts <= 1 {
        return vec![0..rows];
    }
    let per_part = rows.div_ceil(parts).next_multiple_of(ROW_ALIGN);
    (0..rows).step_by(per_part).map(|start| start..(start + per_part).min(rows)).collect()
}

/// How to split `items` consecutive items of uneven `cost` (multiply-adds each) over the
/// threads: as `row_parts` decides the number of parts from the total work, with each part's
/// items ending where its share of the total cost is reached (causal attention: a later
/// token sees more positions).
pub fn weighted_parts(items: usize, cost: impl Fn(usize) -> usize) -> Vec<Range<usize>> {
    split_weighted(items, cost, threads())
}

/// `weighted_parts` for a given thread count.
pub fn split_weighted(items: usize, cost: impl Fn(usize) -> usize, threads: usize) -> Vec<Range<usize>> {
    let total: usize = (0..items).map(&cost).sum();
    let by_work = total / MIN_WORK_PER_PART;
    let parts = if by_work >= 2 * threads { 2 * threads } else if by_work >= threads { threads } else { 1 };
    let parts = parts.min(items);
    if threads <= 1 || parts <= 1 {
        return vec![0..items];
    }
    let mut out = Vec::with_capacity(parts);
    let (mut start, mut done) = (0, 0);
    for i in 0..items {
        done += cost(i);
        // Part k ends once (k + 1) / parts of the work is done; the last takes the rest.
        if out.len() + 1 < parts && done * parts >= total * (out.len() + 1) {
            out.push(start..i + 1);
            start = i + 1;
        }
    }
    if start < items {
        out.push(start..items);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_cover_every_row_once_in_order() {
        for rows in [1, 3, 4, 5, 64, 127, 896, 4864, 151_936] {
            for threads in [1, 2, 3, 8] {
                let parts = split_rows(rows, 896, threads);
                assert_eq!(parts.first().unwrap().start, 0);
                assert_eq!(parts.last().unwrap().end, rows);
                for pair in parts.windows(2) {
                    assert_eq!(pair[0].end, pair[1].start);
                    assert_eq!(pair[0].len() % ROW_ALIGN, 0, "{rows} rows, {threads} threads: {parts:?}");
                }
                assert!(parts.len() <= 2 * threads, "{rows} rows, {threads} threads: {parts:?}");
            }
        }
    }

    #[test]
    fn weighted_parts_cover_every_item_once_with_even_work() {
        for items in [1, 14, 15, 14 * 64, 14 * 301] {
            for threads in [1, 2, 3, 8] {
                let cost = |i: usize| (i / 14 + 100) * 128;
                let parts = split_weighted(items, cost, threads);
                assert_eq!(parts.first().unwrap().start, 0);
                assert_eq!(parts.last().unwrap().end, items);
                assert!(parts.windows(2).all(|p| p[0].end == p[1].start && !p[0].is_empty()), "{parts:?}");
                assert!(parts.len() <= 2 * threads);
                let work: Vec<usize> = parts.iter().map(|r| r.clone().map(cost).sum()).collect();
                let (max, total) = (*work.iter().max().unwrap(), work.iter().sum::<usize>());
                // No part holds much more than its share plus one item.
                assert!(max <= total / parts.len() + cost(items - 1), "{items} items, {threads} threads: {work:?}");
            }
        }
        assert_eq!(split_weighted(14, |_| 100 * 128, 2), vec![0..14], "a short decode step stays on one thread");
    }

    #[test]
    fn small_products_stay_on_one_thread() {
        assert_eq!(split_rows(128, 896, 8), vec![0..128]);
        assert_eq!(split_rows(896, 896, 1), vec![0..896]);
        assert!(split_rows(4864, 896, 2).len() > 1);
    }
}
