//! Work on several threads at once, for one query: the cores a laptop
//! has idle while one query runs.

use std::sync::atomic::{AtomicUsize, Ordering};

use tantivy::collector::Collector;
use tantivy::query::{EnableScoring, Query};
use tantivy::Searcher;

/// `a()` and `b()`, `a` on a thread of its own while `b` runs on this one
/// (both here, one after the other, if no thread can be had).
pub fn beside<A: Send, B>(a: impl Fn() -> A + Sync, b: impl FnOnce() -> B) -> (A, B) {
    std::thread::scope(
        |scope| match std::thread::Builder::new().spawn_scoped(scope, &a) {
            Ok(thread) => {
                let b = b();
                (a_result(thread.join()), b)
            }
            Err(_) => (a(), b()),
        },
    )
}

/// `f(0)` to `f(n - 1)`, their results in that order: each but the first
/// on a thread of its own (run here after `f(0)` if no thread can be had).
pub fn at_once<T: Send>(n: usize, f: impl Fn(usize) -> T + Sync) -> Vec<T> {
    if n <= 1 {
        return (0..n).map(&f).collect();
    }
    let f = &f;
    std::thread::scope(|scope| {
        let threads: Vec<_> = (1..n)
            .map(|t| {
                let thread = std::thread::Builder::new().spawn_scoped(scope, move || f(t));
                (t, thread.ok())
            })
            .collect();
        let mut out = vec![f(0)];
        for (t, thread) in threads {
            out.push(match thread {
                Some(thread) => a_result(thread.join()),
                None => f(t),
            });
        }
        out
    })
}

/// `f(i)` for every part `i` of some work, their results in part order:
/// on up to `threads` threads at once, each given parts of about equal
/// total size (`sizes[i]`: a segment's passages, say).
pub fn parts_at_once<T: Send>(
    threads: usize,
    sizes: &[u64],
    f: impl Fn(usize) -> T + Sync,
) -> Vec<T> {
    let mut done: Vec<(usize, T)> = shares_at_once(threads, sizes, |share| {
        share.iter().map(|&i| (i, f(i))).collect::<Vec<_>>()
    })
    .into_iter()
    .flatten()
    .collect();
    done.sort_unstable_by_key(|d| d.0);
    done.into_iter().map(|d| d.1).collect()
}

/// `f(share)` on up to `threads` threads at once, one per share of the
/// parts of some work (`sizes[i]` the size of part `i`): every part is in
/// one share, and the shares are of about equal total size. The results
/// come in the order of the shares; each share lists its parts largest
/// first.
pub fn shares_at_once<T: Send>(
    threads: usize,
    sizes: &[u64],
    f: impl Fn(&[usize]) -> T + Sync,
) -> Vec<T> {
    let threads = threads.clamp(1, sizes.len().max(1));
    // Largest first, each to the share with the least yet.
    let mut order: Vec<usize> = (0..sizes.len()).collect();
    order.sort_by_key(|&i| (std::cmp::Reverse(sizes[i]), i));
    let mut shares: Vec<(u64, Vec<usize>)> = vec![(0, Vec::new()); threads];
    for i in order {
        if let Some(share) = shares.iter_mut().min_by_key(|s| s.0) {
            share.0 += sizes[i];
            share.1.push(i);
        }
    }
    at_once(threads, |t| f(&shares[t].1))
}

/// `searcher.search(query, collector)` with the segments searched on up to
/// `threads` threads at once; the same result (tantivy merges the segments'
/// results in segment order either way).
pub fn search<C: Collector>(
    searcher: &Searcher,
    query: &dyn Query,
    collector: &C,
    threads: usize,
) -> tantivy::Result<C::Fruit> {
    if threads <= 1 {
        return searcher.search(query, collector);
    }
    let scoring = if collector.requires_scoring() {
        EnableScoring::enabled_from_searcher(searcher)
    } else {
        EnableScoring::disabled_from_searcher(searcher)
    };
    let weight = query.weight(scoring)?;
    let segments = searcher.segment_readers();
    let sizes: Vec<u64> = segments.iter().map(|s| u64::from(s.max_doc())).collect();
    let fruits = parts_at_once(threads, &sizes, |ord| {
        collector.collect_segment(weight.as_ref(), ord as u32, &segments[ord])
    });
    collector.merge_fruits(fruits.into_iter().collect::<tantivy::Result<_>>()?)
}

/// How many of some work are running now.
#[derive(Debug, Default)]
pub struct Running(AtomicUsize);

/// One of the work running, until dropped.
pub struct Entered<'r> {
    running: &'r Running,
    count: usize,
}

impl Running {
    /// Counts one more running until the guard is dropped.
    pub fn enter(&self) -> Entered<'_> {
        let count = self.0.fetch_add(1, Ordering::Relaxed) + 1;
        Entered {
            running: self,
            count,
        }
    }
}

impl Entered<'_> {
    /// How many were running, this one included, when it began.
    pub fn count(&self) -> usize {
        self.count
    }
}

impl Drop for Entered<'_> {
    fn drop(&mut self) {
        self.running.0.fetch_sub(1, Ordering::Relaxed);
    }
}

/// A thread's result; its panic goes on here.
fn a_result<T>(joined: std::thread::Result<T>) -> T {
    joined.unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn beside_gives_both_results_and_runs_them_at_once() {
        // Each waits for the other to start: run one after the other, they
        // would wait forever (the test would time out).
        let started = std::sync::Barrier::new(2);
        let (a, b) = beside(
            || {
                started.wait();
                1
            },
            || {
                started.wait();
                "two"
            },
        );
        assert_eq!((a, b), (1, "two"));
    }

    #[test]
    fn at_once_keeps_the_order_and_runs_all_at_once() {
        let started = std::sync::Barrier::new(3);
        let out = at_once(3, |t| {
            started.wait();
            t * 10
        });
        assert_eq!(out, [0, 10, 20]);
        assert_eq!(at_once(1, |t| t + 1), [1]);
        assert!(at_once(0, |t| t).is_empty());
    }

    #[test]
    fn parts_are_shared_evenly_and_come_back_in_order() {
        let sizes = [5, 40, 10, 30, 15];
        let shares = shares_at_once(2, &sizes, |share| share.to_vec());
        assert_eq!(shares, [vec![1, 2], vec![3, 4, 0]]);
        let total = |share: &[usize]| share.iter().map(|&i| sizes[i]).sum::<u64>();
        assert_eq!((total(&shares[0]), total(&shares[1])), (50, 50));
        // Two threads that wait for each other: the parts run at once.
        let started = std::sync::Barrier::new(2);
        let out = parts_at_once(2, &sizes, |i| {
            if i < 2 {
                started.wait();
            }
            i * 10
        });
        assert_eq!(out, [0, 10, 20, 30, 40]);
        assert_eq!(parts_at_once(8, &sizes, |i| i), [0, 1, 2, 3, 4]);
        assert!(parts_at_once(2, &[], |i| i).is_empty());
    }

    #[test]
    fn running_counts_what_has_not_ended() {
        let running = Running::default();
        let first = running.enter();
        assert_eq!(first.count(), 1);
        {
            let second = running.enter();
            assert_eq!(second.count(), 2);
        }
        assert_eq!(running.enter().count(), 2);
        drop(first);
        assert_eq!(running.enter().count(), 1);
    }

    #[test]
    #[should_panic(expected = "counting failed")]
    fn a_panic_beside_is_not_lost() {
        beside(|| panic!("counting failed"), || ());
    }
}
