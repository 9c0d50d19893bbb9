//! Loading on several threads: [`map_in_order`] runs one function over a
//! slice on every core and returns the results in the slice's order, so
//! what is built from them (rule order, sids, errors and warnings) does
//! not depend on how many threads ran or which finished first.
//!
//! Work is handed out in small chunks from a shared counter, so one slow
//! item (a pcre that takes milliseconds to compile) does not hold up a
//! thread's whole share. Small inputs run on the calling thread alone.
//! A panic in a worker is resumed on the caller, as if it ran there.

use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Threads to use for `items` items when each thread should get at least
/// `min_per_thread` of them: every core, fewer for small inputs, at least 1.
pub(crate) fn threads_for(items: usize, min_per_thread: usize) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, NonZeroUsize::get);
    cores.min(items / min_per_thread.max(1)).max(1)
}

/// `items.iter().map(|t| f(&mut state, t))` on [`threads_for`] threads,
/// each with its own `state` from `init` (a cache the function may fill),
/// results in the order of `items`.
pub(crate) fn map_in_order<T, S, R, I, F>(
    items: &[T],
    min_per_thread: usize,
    init: I,
    f: F,
) -> Vec<R>
where
    T: Sync,
    R: Send,
    I: Fn() -> S + Sync,
    F: Fn(&mut S, &T) -> R + Sync,
{
    let threads = threads_for(items.len(), min_per_thread);
    if threads <= 1 {
        let mut state = init();
        return items.iter().map(|t| f(&mut state, t)).collect();
    }
    // Eight chunks per thread: small enough to even out slow items, large
    // enough that the counter is not contended.
    let chunk = (items.len() / (threads * 8)).max(1);
    let next = AtomicUsize::new(0);
    let work = || {
        let mut state = init();
        let mut done: Vec<(usize, Vec<R>)> = Vec::new();
        loop {
            let start = next.fetch_add(chunk, Ordering::Relaxed);
            let Some(part) = items.get(start..(start + chunk).min(items.len())) else {
                break;
            };
            if part.is_empty() {
                break;
            }
            done.push((start, part.iter().map(|t| f(&mut state, t)).collect()));
        }
        done
    };
    let mut parts: Vec<(usize, Vec<R>)> = std::thread::scope(|s| {
        let helpers: Vec<_> = (1..threads).map(|_| s.spawn(work)).collect();
        let mut parts = work();
        for h in helpers {
            match h.join() {
                Ok(p) => parts.extend(p),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        parts
    });
    parts.sort_unstable_by_key(|p| p.0);
    let mut out = Vec::with_capacity(items.len());
    for (_, p) in parts {
        out.extend(p);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_keep_input_order() {
        let items: Vec<u32> = (0..10_000).collect();
        let out = map_in_order(
            &items,
            1,
            || 0u32,
            |calls, &x| {
                *calls += 1;
                x * 2
            },
        );
        let want: Vec<u32> = (0..10_000).map(|x| x * 2).collect();
        assert_eq!(out, want);
    }

    #[test]
    fn empty_and_small_inputs() {
        let none: Vec<u8> = Vec::new();
        assert!(map_in_order(&none, 1, || (), |_, &x| x).is_empty());
        assert_eq!(map_in_order(&[7u8], 64, || (), |_, &x| x + 1), vec![8]);
    }

    #[test]
    fn thread_count_bounds() {
        let cores = std::thread::available_parallelism().map_or(1, NonZeroUsize::get);
        // Fewer items than one thread's minimum: the caller alone.
        assert_eq!(threads_for(0, 10), 1);
        assert_eq!(threads_for(5, 10), 1);
        // 25 items, at least 10 each: at most 2 threads.
        assert_eq!(threads_for(25, 10), cores.min(2));
        // Plenty of work: every core. A minimum of 0 counts as 1.
        assert_eq!(threads_for(1_000_000, 1), cores);
        assert_eq!(threads_for(3, 0), cores.min(3));
    }

    #[test]
    #[should_panic(expected = "boom")]
    fn worker_panic_reaches_the_caller() {
        let items: Vec<u32> = (0..4096).collect();
        map_in_order(
            &items,
            1,
            || (),
            |_, &x| {
                assert!(x != 4000, "boom");
                x
            },
        );
    }
}
