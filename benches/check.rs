//! `cargo bench --bench check`: the cost of each stage in-process — load (YAML to a document
//! with positions), check (load, schema, parse, validate, and the stack quotas, which lower the
//! plan), lower (model and plan) and render per target — for generated specs of 1, 100,
//! 1,000 and 5,000 tasks (half event-triggered with an environment override, half scheduled,
//! as `scripts/bench` generates them), and the examples.
//!
//! Each cell is the mean time over repeated runs, the peak of heap memory the stage held at
//! once and the number of allocations of one run (a counting allocator wraps the system one:
//! bytes allocated and not yet freed, above what was live when the stage began).
//!
//! Options (after `--`): `--quick` runs each case once at 1 and 100 tasks (CI runs it so the
//! suite cannot rot); `--tasks 1000,5000` chooses the generated sizes; `--stage render-cdk`
//! (any part of a column name: `check`, `lower`, `render`, `terraform`, …) chooses columns.
//! Timings live here, not in tests; whole-process numbers come from `scripts/bench`.

use std::alloc::{GlobalAlloc, Layout as AllocLayout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use tfc::targets::{Format, Layout, Target};

/// The system allocator, counting the bytes live now and the most live since the last reset.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static ALLOCS: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: AllocLayout) -> *mut u8 {
        let p = System.alloc(layout);
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        if !p.is_null() {
            let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(live, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: AllocLayout) {
        System.dealloc(ptr, layout);
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: AllocLayout, new_size: usize) -> *mut u8 {
        let p = System.realloc(ptr, layout, new_size);
        if !p.is_null() {
            if new_size >= layout.size() {
                let grow = new_size - layout.size();
                let live = LIVE.fetch_add(grow, Ordering::Relaxed) + grow;
                PEAK.fetch_max(live, Ordering::Relaxed);
            } else {
                LIVE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

#[path = "common/spec.rs"]
mod generated;

/// One measured stage: the mean time of `f` over enough runs to take about `budget` (at least
/// one), and the peak heap bytes one run held above what was live before it.
struct Measured {
    time: Duration,
    peak: usize,
    allocs: usize,
}

fn measure(budget: Duration, mut f: impl FnMut()) -> Measured {
    let before = LIVE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let allocs_before = ALLOCS.load(Ordering::Relaxed);
    let start = Instant::now();
    f();
    let once = start.elapsed();
    let peak = PEAK.load(Ordering::Relaxed).saturating_sub(before);
    let allocs = ALLOCS.load(Ordering::Relaxed) - allocs_before;
    let runs = (budget.as_secs_f64() / once.as_secs_f64().max(1e-9)).clamp(1.0, 2000.0) as u32;
    let time = if runs <= 1 {
        once
    } else {
        let start = Instant::now();
        for _ in 0..runs {
            f();
        }
        start.elapsed() / runs
    };
    Measured { time, peak, allocs }
}

fn cell(m: &Option<Measured>) -> String {
    match m {
        None => "-".into(),
        Some(m) => format!(
            "{:.2?}, {:.1} MiB, {} allocs",
            m.time,
            m.peak as f64 / (1024.0 * 1024.0),
            m.allocs
        ),
    }
}

/// The value following `flag` on the command line.
fn option(args: &[String], flag: &str) -> Option<String> {
    args.iter()
        .position(|a| a == flag)
        .and_then(|i| args.get(i + 1).cloned())
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let quick = args.iter().any(|a| a == "--quick");
    let budget = if quick {
        Duration::ZERO
    } else {
        Duration::from_millis(500)
    };
    let sizes: Vec<usize> = match option(&args, "--tasks") {
        Some(list) => list
            .split(',')
            .map(|n| {
                n.trim()
                    .parse()
                    .expect("--tasks takes numbers, e.g. 100,1000")
            })
            .collect(),
        None if quick => vec![1, 100],
        None => vec![1, 100, 1000, 5000],
    };
    let stage = option(&args, "--stage");
    let columns = [
        "load",
        "check",
        "lower",
        "render cloudformation",
        "render terraform",
        "render cdk",
    ];
    let wanted = |column: &str| {
        stage
            .as_deref()
            .is_none_or(|s| column.contains(&s.replace('-', " ")))
    };
    let mut cases: Vec<(String, Vec<u8>)> = sizes
        .iter()
        .map(|n| {
            let label = if *n == 1 {
                "1 task".to_string()
            } else {
                format!("{n} tasks")
            };
            (label, generated::spec(*n, 0).into_bytes())
        })
        .collect();
    if option(&args, "--tasks").is_none() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        for name in ["django-manage", "nightly-report", "spot-jobs"] {
            let bytes =
                std::fs::read(root.join("examples").join(name).join("spec.yaml")).expect("example");
            cases.push((name.to_string(), bytes));
        }
    }
    // Warm up (builds the JSON Schema validator once per process, as the CLI does).
    assert!(!tfc::check(&cases[0].1).has_errors());
    println!(
        "| case | {} |\n|---|{}",
        columns.join(" | "),
        "---|".repeat(columns.len())
    );
    for (name, bytes) in &cases {
        let checked = tfc::check(bytes);
        assert!(!checked.has_errors(), "{name}: {:?}", checked.diagnostics);
        let spec = checked.spec.expect("valid");
        let mut cells: Vec<Option<Measured>> = Vec::new();
        cells.push(wanted(columns[0]).then(|| {
            measure(budget, || {
                std::hint::black_box(tfc::spec::load::load(std::hint::black_box(bytes)).is_ok());
            })
        }));
        cells.push(wanted(columns[1]).then(|| {
            measure(budget, || {
                std::hint::black_box(tfc::check(std::hint::black_box(bytes)));
            })
        }));
        cells.push(wanted(columns[2]).then(|| {
            measure(budget, || {
                std::hint::black_box(tfc::plan::lower(&tfc::model::lower(&spec)));
            })
        }));
        let plan = tfc::plan::lower(&tfc::model::lower(&spec));
        for (target, column) in Target::ALL.iter().zip(&columns[3..]) {
            cells.push(wanted(column).then(|| {
                measure(budget, || {
                    std::hint::black_box(
                        target
                            .backend()
                            .render(&plan, Layout::Directory, Format::Yaml)
                            .expect("render"),
                    );
                })
            }));
        }
        println!(
            "| {name} | {} |",
            cells.iter().map(cell).collect::<Vec<_>>().join(" | ")
        );
    }
}
