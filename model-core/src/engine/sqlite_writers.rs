//! Which async code holds a SQLite database's write lock, so that a blocking call that
//! waited for that lock in vain can say it waited for itself (issue 19, item 11).
//!
//! Every ambidex transaction on SQLite is `BEGIN IMMEDIATE`: while it is open its
//! connection holds the database file's write lock. An async engine's connection records
//! here, after each statement of an open transaction succeeded, the thread that polled it
//! and whether the code holding it can run only on that thread: the task of a
//! current-thread runtime, or the future a `block_on` drives itself (no task id). If that
//! same thread then makes a *blocking* write to the same file, the holder cannot run until
//! the blocking call returns, and the call can only time out. The blocking engines ask
//! [`self_deadlock`] when SQLite reported the database busy and, where it is such a
//! wait, return [`Error::WrongWorld`] saying so instead of the retryable `Conflict`
//! (retrying would wait again). Holders on a multi-threaded runtime's tasks are recorded
//! as uncertain (another worker may run them) and never named: ordinary contention
//! between threads keeps its `Conflict`.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread::ThreadId;

use crate::error::Error;

/// One recorded holder.
struct Holder {
    id: u64,
    file: std::sync::Arc<str>,
    thread: ThreadId,
}

/// The holders of every database file in the process (a handful at most).
static HOLDERS: Mutex<Vec<Holder>> = Mutex::new(Vec::new());
/// The next [`WriteHold`] id.
static NEXT: AtomicU64 = AtomicU64::new(1);

/// An async connection's entry in the registry: recorded by [`WriteHold::held`], removed by
/// [`WriteHold::released`] or when dropped with its connection.
#[derive(Debug)]
pub struct WriteHold {
    id: u64,
    file: Option<std::sync::Arc<str>>,
    recorded: bool,
}

impl WriteHold {
    /// The entry of a connection to the SQLite database `file` (`None`, or an in-memory
    /// database, for a connection that never holds a shared file's lock).
    pub fn new(file: Option<std::sync::Arc<str>>) -> WriteHold {
        WriteHold {
            id: NEXT.fetch_add(1, Ordering::Relaxed),
            file: file.filter(|f| !f.is_empty() && !f.starts_with(":memory:")),
            recorded: false,
        }
    }

    /// Records that the connection holds the write lock (a statement of its open
    /// transaction succeeded), polled on this thread; `pinned`: the code holding it can
    /// run only on this thread (see the module docs). An unpinned holder is removed.
    pub fn held(&mut self, pinned: bool) {
        let Some(file) = &self.file else { return };
        if !pinned {
            self.released();
            return;
        }
        let thread = std::thread::current().id();
        let mut holders = HOLDERS.lock().unwrap_or_else(|e| e.into_inner());
        match holders.iter_mut().find(|h| h.id == self.id) {
            Some(h) => h.thread = thread,
            None => holders.push(Holder {
                id: self.id,
                file: std::sync::Arc::clone(file),
                thread,
            }),
        }
        self.recorded = true;
    }

    /// Records that the connection no longer holds the lock (its transaction ended).
    pub fn released(&mut self) {
        if std::mem::take(&mut self.recorded) {
            let mut holders = HOLDERS.lock().unwrap_or_else(|e| e.into_inner());
            holders.retain(|h| h.id != self.id);
        }
    }
}

impl Drop for WriteHold {
    fn drop(&mut self) {
        self.released();
    }
}

std::thread_local! {
    /// Whether this thread is inside a blocking call of an async engine's connection
    /// ([`BlockingCall`]).
    static BLOCKING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Marks this thread, while alive, as blocked in a blocking handle's call that drives an
/// async engine's connection (`blocking::SqlxDb`), so that connection's busy failures are
/// checked by [`self_deadlock`] like the blocking engine's.
#[derive(Debug)]
pub struct BlockingCall(bool);

impl BlockingCall {
    /// Marks this thread until the result is dropped.
    pub fn enter() -> BlockingCall {
        BlockingCall(BLOCKING.with(|b| b.replace(true)))
    }
}

impl Drop for BlockingCall {
    fn drop(&mut self) {
        BLOCKING.with(|b| b.set(self.0));
    }
}

/// Whether this thread is inside a [`BlockingCall`].
pub fn in_blocking_call() -> bool {
    BLOCKING.with(std::cell::Cell::get)
}

/// For a blocking call on this thread that found the SQLite database `file` busy: the
/// error to return when the lock is held by async code only this thread can run.
pub fn self_deadlock(file: &str, busy: &Error) -> Option<Error> {
    if !matches!(busy, Error::Conflict { .. }) {
        return None;
    }
    let thread = std::thread::current().id();
    let holders = HOLDERS.lock().unwrap_or_else(|e| e.into_inner());
    holders
        .iter()
        .any(|h| h.thread == thread && &*h.file == file)
        .then(|| {
            Error::WrongWorld(
                format!(
                    "self-deadlock: a blocking write on this thread waited for the SQLite \
                     write lock of `{file}`, which a transaction of async code on this same \
                     thread holds (a task of this thread's current-thread runtime, or the \
                     future its `block_on` runs), and that code cannot run while this thread \
                     blocks; retrying would wait again. Use the async API (`.await`) there, \
                     or run the blocking call in `tokio::task::spawn_blocking` or a thread \
                     of its own ({busy})"
                )
                .into(),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn busy() -> Error {
        Error::Conflict {
            message: "database is locked".into(),
        }
    }

    #[test]
    fn only_a_pinned_holder_on_this_thread_and_file_is_a_self_deadlock() {
        let file: std::sync::Arc<str> = "/tmp/ambidex-writers-unit.db".into();
        let mut hold = WriteHold::new(Some(file.clone()));
        assert!(self_deadlock(&file, &busy()).is_none(), "no holder yet");
        hold.held(false);
        assert!(
            self_deadlock(&file, &busy()).is_none(),
            "an unpinned holder"
        );
        hold.held(true);
        assert!(matches!(
            self_deadlock(&file, &busy()),
            Some(Error::WrongWorld(_))
        ));
        assert!(
            self_deadlock("/tmp/other.db", &busy()).is_none(),
            "another file"
        );
        let other_thread = std::thread::spawn({
            let file = file.clone();
            move || self_deadlock(&file, &busy()).is_none()
        });
        assert!(
            other_thread.join().unwrap(),
            "another thread: ordinary contention"
        );
        hold.released();
        assert!(self_deadlock(&file, &busy()).is_none(), "released");
        hold.held(true);
        drop(hold);
        assert!(self_deadlock(&file, &busy()).is_none(), "dropped");
    }
}
