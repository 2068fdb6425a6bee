//! A team of pool threads that stays awake for one forward pass.
//!
//! A decode step is ~170 products of a few hundred microseconds each. Handed to rayon one by
//! one, each product wakes sleeping threads, and in the browser a wake-up (an `Atomics.notify`
//! reaching a parked Web Worker) costs about as much as the product saves: wasm decoding on two
//! threads ran at 1.04× one thread. So `run` starts helpers once per pass; they spin, waiting
//! for the leader to post a product's parts (`for_each`), and claim parts alongside it until the
//! pass ends. This is how llama.cpp's threads wait between operations too.

use std::cell::Cell;
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicUsize, Ordering::SeqCst};

/// One posted `for_each`: a type-erased "run part i" and its part counters. It lives on the
/// leader's stack; the leader does not return before every helper has let go of it.
struct Job {
    run: *const (dyn Fn(usize) + Sync),
    parts: usize,
    next: AtomicUsize,
    done: AtomicUsize,
}

pub struct Team {
    job: AtomicPtr<Job>,
    /// Bumped for every posted job, so a waiting helper sees something new.
    epoch: AtomicUsize,
    /// Helpers between reading `job` and letting go of it.
    holding: AtomicUsize,
    over: AtomicBool,
}

thread_local! {
    /// The team this thread leads, while its pass runs.
    static LEADING: Cell<*const Team> = const { Cell::new(std::ptr::null()) };
}

/// Whether this thread is leading a team now.
pub fn leading() -> bool {
    LEADING.with(|l| !l.get().is_null())
}

/// Runs `f` (one forward pass) on the calling thread, which leads, with `helpers` pool threads
/// spinning beside it, ready for its `for_each` calls. The caller need not be a pool thread
/// (the page's engine worker, the CLI's main thread): it works too, so `threads() - 1` helpers
/// make `threads()` threads computing.
pub fn run<R: Send>(helpers: usize, f: impl FnOnce() -> R + Send) -> R {
    let team = Team { job: AtomicPtr::new(std::ptr::null_mut()), epoch: AtomicUsize::new(0), holding: AtomicUsize::new(0), over: AtomicBool::new(false) };
    rayon::in_place_scope(|scope| {
        for _ in 0..helpers {
            scope.spawn(|_| team.help());
        }
        LEADING.with(|l| l.set(&team));
        // Helpers must be released even if the pass panics (a panic in wasm aborts anyway).
        struct Release<'a>(&'a Team);
        impl Drop for Release<'_> {
            fn drop(&mut self) {
                LEADING.with(|l| l.set(std::ptr::null()));
                self.0.over.store(true, SeqCst);
            }
        }
        let _release = Release(&team);
        f()
    })
}

/// Splits `items` over the team this thread leads; false when it leads none.
pub fn for_each<T: Send>(items: &mut [T], f: &(impl Fn(usize, &mut T) + Sync)) -> bool {
    let team = LEADING.with(|l| l.get());
    if team.is_null() {
        return false;
    }
    // SAFETY: set by `run` on this thread for the duration of the pass that calls us.
    let team = unsafe { &*team };
    let base = SendPtr(items.as_mut_ptr());
    // Each index is claimed by exactly one thread (`next`), so no two threads touch one item.
    let run_part = move |i: usize| {
        let base = &base;
        // SAFETY: i < items.len(), claimed once.
        f(i, unsafe { &mut *base.0.add(i) })
    };
    let run_ref: &(dyn Fn(usize) + Sync) = &run_part;
    let job = Job {
        // SAFETY: the lifetime is erased; the leader waits below until no helper holds the job.
        run: unsafe { std::mem::transmute::<&(dyn Fn(usize) + Sync), &'static (dyn Fn(usize) + Sync)>(run_ref) },
        parts: items.len(),
        next: AtomicUsize::new(0),
        done: AtomicUsize::new(0),
    };
    team.job.store(&job as *const Job as *mut Job, SeqCst);
    team.epoch.fetch_add(1, SeqCst);
    job.work();
    while job.done.load(SeqCst) < job.parts {
        std::hint::spin_loop();
    }
    team.job.store(std::ptr::null_mut(), SeqCst);
    while team.holding.load(SeqCst) > 0 {
        std::hint::spin_loop();
    }
    true
}

struct SendPtr<T>(*mut T);
// SAFETY: used only to hand disjoint items to the threads of one `for_each`.
unsafe impl<T: Send> Send for SendPtr<T> {}
unsafe impl<T: Send> Sync for SendPtr<T> {}

impl Job {
    /// Claims and runs parts until none is left.
    fn work(&self) {
        loop {
            let i = self.next.fetch_add(1, SeqCst);
            if i >= self.parts {
                return;
            }
            // SAFETY: `run` outlives the job (see `for_each`).
            unsafe { (*self.run)(i) };
            self.done.fetch_add(1, SeqCst);
        }
    }
}

// SAFETY: the raw closure pointer is only dereferenced while the leader keeps it alive.
unsafe impl Sync for Job {}
unsafe impl Sync for Team {}
unsafe impl Send for Team {}

impl Team {
    /// A helper: spin until a job is posted, help with it, repeat until the pass is over.
    fn help(&self) {
        let mut seen = 0;
        while !self.over.load(SeqCst) {
            let epoch = self.epoch.load(SeqCst);
            if epoch == seen {
                std::hint::spin_loop();
                continue;
            }
            seen = epoch;
            self.holding.fetch_add(1, SeqCst);
            let job = self.job.load(SeqCst);
            if !job.is_null() {
                // SAFETY: the leader clears `job` and then waits for `holding` to reach 0.
                unsafe { (*job).work() };
            }
            self.holding.fetch_sub(1, SeqCst);
        }
    }
}
