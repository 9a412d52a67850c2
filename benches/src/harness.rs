//! Paired rounds: every round runs each contender of a world on the same workload back to
//! back, in rotating order, so that the drift of a small shared machine (two cores, the
//! database servers on the same cores) falls on all of them alike; a ratio is taken within
//! each round, and reported as its median and quartiles over the rounds. Every operation
//! is also timed on its own, and each contender's per-operation latency is reported as its
//! minimum, median and 99th percentile over every operation of every timed round.
//!
//! Contenders implement [`Blocking`] or [`Async`]. Between timed runs the [`Fixture`]
//! prepares and cleans up, untimed. Each run's results are summed and compared with the
//! first contender's, so a contender that skips work stops the benchmark.

use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, Instant};

use crate::alloc;
use crate::models::Fixture;
use crate::workload::{Check, Op};

/// A boxed future, what [`Async::run`] returns (not `Send`: contenders run on the
/// harness's own task).
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + 'a>>;

/// A blocking contender: one way of running every workload.
pub trait Blocking {
    /// Its name in tables (`"diesel (r2d2)"`).
    fn name(&self) -> String;
    /// Whether it runs `op` (every workload unless it says otherwise).
    fn supports(&self, op: Op) -> bool {
        let _ = op;
        true
    }
    /// Runs operation number `i` of `op`; panics on a database error (a benchmark with a
    /// failing contender means nothing).
    fn run(&mut self, op: Op, i: usize) -> Check;
}

/// An async contender.
pub trait Async {
    /// Its name in tables (`"sqlx (pool)"`).
    fn name(&self) -> String;
    /// Whether it runs `op`.
    fn supports(&self, op: Op) -> bool {
        let _ = op;
        true
    }
    /// Runs operation number `i` of `op`, as a future; panics on a database error.
    fn run(&mut self, op: Op, i: usize) -> BoxFuture<'_, Check>;
}

/// The times of one workload on one backend: `times[round][contender]` is the time per
/// operation of that contender's run in that round.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Measurement {
    /// `blocking` or `async`.
    pub world: String,
    /// `SQLite (file)`, `PostgreSQL`, `MariaDB`.
    pub backend: String,
    /// The workload.
    pub op: Op,
    /// The workload's name.
    pub workload: String,
    /// The contenders, the first one the baseline of the ratios.
    pub contenders: Vec<String>,
    /// Seconds per operation, per round and contender.
    pub times: Vec<Vec<f64>>,
    /// Each contender's largest heap growth over a run (bytes), for the streaming workload.
    pub peak_heap: Option<Vec<u64>>,
    /// Each contender's per-operation latency over all timed rounds.
    pub latency: Vec<Latency>,
}

/// The distribution of single operations' times (seconds), pooled over the timed rounds.
#[derive(Debug, Clone, Copy, serde::Serialize, serde::Deserialize)]
pub struct Latency {
    /// The fastest operation.
    pub min: f64,
    /// The median operation.
    pub median: f64,
    /// The 99th percentile (nearest rank): 1 operation in 100 took longer.
    pub p99: f64,
    /// How many operations were timed.
    pub samples: usize,
}

impl Latency {
    /// The latency distribution of `values` (at least one).
    pub fn of(mut values: Vec<f64>) -> Latency {
        values.sort_by(f64::total_cmp);
        let n = values.len();
        let rank = |p: f64| values[((p * n as f64).ceil() as usize).clamp(1, n) - 1];
        Latency {
            min: values[0],
            median: rank(0.5),
            p99: rank(0.99),
            samples: n,
        }
    }
}

/// A distribution's median and quartiles.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct Spread {
    /// The first quartile.
    pub q1: f64,
    /// The median.
    pub median: f64,
    /// The third quartile.
    pub q3: f64,
}

impl Spread {
    /// The quartiles of `values`.
    pub fn of(mut values: Vec<f64>) -> Spread {
        values.sort_by(f64::total_cmp);
        let q = |k: usize| values[(values.len() - 1) * k / 4];
        Spread {
            q1: q(1),
            median: q(2),
            q3: q(3),
        }
    }
}

impl Measurement {
    /// The index of the contender named `name`.
    pub fn index(&self, name: &str) -> Option<usize> {
        self.contenders.iter().position(|c| c == name)
    }

    /// The median time per operation of contender `c`.
    pub fn median(&self, c: usize) -> Duration {
        Duration::from_secs_f64(Spread::of(self.times.iter().map(|r| r[c]).collect()).median)
    }

    /// `time(a) / time(b)` within each round; below 1, `a` is faster.
    pub fn ratio(&self, a: usize, b: usize) -> Spread {
        Spread::of(self.times.iter().map(|r| r[a] / r[b]).collect())
    }

    /// Like [`Measurement::ratio`], with each side the fastest of several contenders in
    /// that round (e.g. ambidex's handles against sqlx through its pool or held).
    pub fn ratio_best(&self, a: &[usize], b: &[usize]) -> Spread {
        let best =
            |r: &Vec<f64>, set: &[usize]| set.iter().map(|&c| r[c]).fold(f64::INFINITY, f64::min);
        Spread::of(self.times.iter().map(|r| best(r, a) / best(r, b)).collect())
    }
}

/// How many paired rounds per workload (and the warm-up count of operations).
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    /// Timed rounds.
    pub rounds: usize,
    /// The count of operations per run is `op.per_run() * scale`, at least 1.
    pub scale: f64,
}

impl Plan {
    /// 15 rounds, or 5 under `--quick` (with half the operations per run); `--rounds N`
    /// sets the count of rounds either way.
    pub fn from_args() -> Plan {
        let mut plan = if crate::quick() {
            Plan {
                rounds: 5,
                scale: 0.5,
            }
        } else {
            Plan {
                rounds: 15,
                scale: 1.0,
            }
        };
        let args: Vec<String> = std::env::args().collect();
        if let Some(k) = args.iter().position(|a| a == "--rounds") {
            plan.rounds = args
                .get(k + 1)
                .and_then(|n| n.parse().ok())
                .filter(|&n: &usize| n > 0)
                .expect("--rounds takes a positive whole number");
        }
        plan
    }

    fn count(&self, op: Op) -> usize {
        ((op.per_run() as f64 * self.scale) as usize).max(1)
    }
}

/// One contender's timed run: seconds per operation, each operation's time, the sum of its
/// checks, the heap growth.
struct Run {
    per_op: f64,
    each: Vec<f64>,
    sum: Check,
    heap: u64,
}

/// Times `n` operations one by one, as one run. The latency buffer is allocated before the
/// heap is measured, so it counts toward no contender.
struct Timer {
    each: Vec<f64>,
    sum: Check,
    base: usize,
    start: Instant,
}

impl Timer {
    fn start(n: usize) -> Timer {
        let each = Vec::with_capacity(n);
        let base = alloc::heap_reset();
        Timer {
            each,
            sum: 0,
            base,
            start: Instant::now(),
        }
    }

    /// Records one operation that began at `began` and answered `check`.
    #[inline]
    fn record(&mut self, began: Instant, check: Check) {
        self.each.push(began.elapsed().as_secs_f64());
        self.sum += check;
    }

    fn finish(self) -> Run {
        let elapsed = self.start.elapsed();
        Run {
            per_op: elapsed.as_secs_f64() / self.each.len().max(1) as f64,
            heap: alloc::heap_peak_since(self.base) as u64,
            each: self.each,
            sum: self.sum,
        }
    }
}

fn timed(n: usize, mut f: impl FnMut(usize) -> Check) -> Run {
    let mut timer = Timer::start(n);
    for i in 0..n {
        let began = Instant::now();
        let check = f(i);
        timer.record(began, check);
    }
    timer.finish()
}

/// Runs the rounds of `ops` over `names.len()` contenders, calling `run(c, op, n)` for a
/// timed run of contender `c`, with the fixture's preparation around each.
#[allow(clippy::too_many_arguments)] // private; both worlds' entry points call it once
fn rounds(
    world: &str,
    backend: &str,
    plan: Plan,
    fixture: &Fixture,
    ops: &[Op],
    names: &[String],
    supported: &[Vec<bool>],
    run: &mut dyn FnMut(usize, Op, usize) -> Run,
) -> Vec<Measurement> {
    let mut out = Vec::new();
    for (k, &op) in ops.iter().enumerate() {
        let who: Vec<usize> = (0..names.len()).filter(|&c| supported[c][k]).collect();
        if who.is_empty() {
            continue;
        }
        let n = plan.count(op);
        let mut times = Vec::new();
        let mut heap = vec![0u64; who.len()];
        let mut each: Vec<Vec<f64>> = vec![Vec::new(); who.len()];
        eprint!("  {backend} {world} {}: ", op.name());
        // Round 0 warms statement caches and pools and is not kept.
        for round in 0..=plan.rounds {
            let mut row = vec![0.0; who.len()];
            let mut sums: Vec<Option<Check>> = vec![None; who.len()];
            for k in 0..who.len() {
                let slot = (k + round) % who.len();
                let count = if round == 0 { n.div_ceil(4) } else { n };
                fixture.prepare(op, count).expect("prepare");
                let r = run(who[slot], op, count);
                fixture.after(op).expect("clean up");
                row[slot] = r.per_op;
                sums[slot] = Some(r.sum);
                heap[slot] = heap[slot].max(r.heap);
                if round > 0 {
                    each[slot].extend(r.each);
                }
            }
            let first = sums[0];
            for (slot, sum) in sums.iter().enumerate() {
                assert_eq!(
                    *sum,
                    first,
                    "{backend} {world} {}: {} answered {:?} where {} answered {:?}",
                    op.name(),
                    names[who[slot]],
                    sum,
                    names[who[0]],
                    first
                );
            }
            if round > 0 {
                times.push(row);
                eprint!(".");
            }
        }
        eprintln!();
        out.push(Measurement {
            world: world.to_string(),
            backend: backend.to_string(),
            op,
            workload: op.name().to_string(),
            contenders: who.iter().map(|&c| names[c].clone()).collect(),
            times,
            peak_heap: (op == Op::Stream).then_some(heap),
            latency: each.into_iter().map(Latency::of).collect(),
        });
    }
    out
}

/// The contenders' names and, per contender, which of `ops` it runs (in `ops`' order).
fn roster<C: ?Sized>(
    contenders: &[Box<C>],
    ops: &[Op],
    name: impl Fn(&C) -> String,
    supports: impl Fn(&C, Op) -> bool,
) -> (Vec<String>, Vec<Vec<bool>>) {
    let names = contenders.iter().map(|c| name(c)).collect();
    let supported = contenders
        .iter()
        .map(|c| ops.iter().map(|&op| supports(c, op)).collect())
        .collect();
    (names, supported)
}

/// Runs every workload in `ops` over blocking contenders (the first is the baseline).
pub fn run_blocking(
    backend: &str,
    plan: Plan,
    fixture: &Fixture,
    ops: &[Op],
    contenders: &mut [Box<dyn Blocking>],
) -> Vec<Measurement> {
    let (names, supported) = roster(contenders, ops, |c| c.name(), |c, op| c.supports(op));
    rounds(
        "blocking",
        backend,
        plan,
        fixture,
        ops,
        &names,
        &supported,
        &mut |c, op, n| timed(n, |i| contenders[c].run(op, i)),
    )
}

/// Runs every workload in `ops` over async contenders on `runtime`: each timed run is one
/// `block_on` of a loop that awaits the operations one after another (the tasks the
/// engines spawn run on the runtime's workers).
pub fn run_async(
    backend: &str,
    plan: Plan,
    runtime: &tokio::runtime::Runtime,
    fixture: &Fixture,
    ops: &[Op],
    contenders: &mut [Box<dyn Async>],
) -> Vec<Measurement> {
    let (names, supported) = roster(contenders, ops, |c| c.name(), |c, op| c.supports(op));
    rounds(
        "async",
        backend,
        plan,
        fixture,
        ops,
        &names,
        &supported,
        &mut |c, op, n| {
            let contender = &mut contenders[c];
            runtime.block_on(async {
                let mut timer = Timer::start(n);
                for i in 0..n {
                    let began = Instant::now();
                    let check = contender.run(op, i).await;
                    timer.record(began, check);
                }
                timer.finish()
            })
        },
    )
}
