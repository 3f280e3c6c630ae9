//! Work on several threads at once, for one query: the cores a laptop
//! has idle while one query runs.

use std::sync::atomic::{AtomicUsize, Ordering};

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
