//! `cargo bench --bench check`: the cost of each stage in-process — check (load, schema, parse,
//! validate), lower (model and plan) and render per target — for generated specs of 1, 100,
//! 1,000 and 5,000 tasks (half event-triggered with an environment override, half scheduled,
//! as `scripts/bench` generates them), and the examples. `cargo bench --bench check -- --quick`
//! runs each case once at 1 and 100 tasks (CI runs it so the suite cannot rot). Timings live
//! here, not in tests; whole-process numbers come from `scripts/bench`.

use std::time::{Duration, Instant};

use tfc::targets::{Format, Layout, Target};

/// The generated spec of `n` tasks (the same text `scripts/bench` writes).
fn spec(n: usize) -> String {
    let mut s = String::from(
        "version: 1\nname: bench\ndefaults:\n  image: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1\n  network:\n    subnets: [subnet-0123456789abcdef0]\ntasks:\n",
    );
    for i in 0..n {
        if i % 2 == 0 {
            s.push_str(&format!(
                "  t{i}:\n    trigger:\n      event:\n        source: [com.acme]\n        detail-type: [T{i}]\n    overrides:\n      environment:\n        X: {{ from: $.detail.x }}\n"
            ));
        } else {
            s.push_str(&format!(
                "  t{i}:\n    trigger:\n      schedule: cron({} 3 * * ? *)\n",
                i % 60
            ));
        }
    }
    s
}

/// The mean time of `f` over enough runs to take about `budget` (at least one).
fn time(budget: Duration, mut f: impl FnMut()) -> Duration {
    let start = Instant::now();
    f();
    let once = start.elapsed();
    let runs = (budget.as_secs_f64() / once.as_secs_f64().max(1e-9)).clamp(1.0, 2000.0) as u32;
    let start = Instant::now();
    for _ in 0..runs {
        f();
    }
    start.elapsed() / runs
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let budget = if quick {
        Duration::ZERO
    } else {
        Duration::from_millis(500)
    };
    let sizes: &[usize] = if quick {
        &[1, 100]
    } else {
        &[1, 100, 1000, 5000]
    };
    let mut cases: Vec<(String, Vec<u8>)> = sizes
        .iter()
        .map(|n| (format!("{n} tasks"), spec(*n).into_bytes()))
        .collect();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    for name in ["django-manage", "nightly-report", "spot-jobs"] {
        let bytes =
            std::fs::read(root.join("examples").join(name).join("spec.yaml")).expect("example");
        cases.push((name.to_string(), bytes));
    }
    // Warm up (builds the JSON Schema validator once per process, as the CLI does).
    assert!(!tfc::check(&cases[0].1).has_errors());
    println!(
        "| case | check | lower | render cloudformation | render terraform | render cdk |\n|---|---|---|---|---|---|"
    );
    for (name, bytes) in &cases {
        let checked = tfc::check(bytes);
        assert!(!checked.has_errors(), "{name}: {:?}", checked.diagnostics);
        let spec = checked.spec.expect("valid");
        let check = time(budget, || {
            std::hint::black_box(tfc::check(std::hint::black_box(bytes)));
        });
        let lower = time(budget, || {
            std::hint::black_box(tfc::plan::lower(&tfc::model::lower(&spec)));
        });
        let plan = tfc::plan::lower(&tfc::model::lower(&spec));
        let render: Vec<Duration> = Target::ALL
            .iter()
            .map(|target| {
                time(budget, || {
                    std::hint::black_box(
                        target
                            .backend()
                            .render(&plan, Layout::Directory, Format::Yaml)
                            .expect("render"),
                    );
                })
            })
            .collect();
        println!(
            "| {name} | {check:.2?} | {lower:.2?} | {:.2?} | {:.2?} | {:.2?} |",
            render[0], render[1], render[2]
        );
    }
}
