//! `cargo bench --bench process` (or `scripts/bench`): whole-process timings of the release
//! `tfc`, for the README's "Performance" section, judged against the goals of issue 19.
//!
//! Each case runs the real binary several times; the table shows the median CPU time (user +
//! system), the least CPU time of any run (on a shared machine, interference only ever adds
//! time: the spread between the two is the noise), wall time and peak resident memory of the
//! process, read from the kernel's own
//! accounting of each child (`wait4`'s rusage, which GNU `time -v` reads too, to the
//! microsecond rather than its printed hundredths). A bench rather than a Python or shell
//! script because the peak would otherwise be the launcher's: Linux counts the memory a child
//! had before `exec` (a copy of its parent's) in its peak, and this process is small.
//!
//! Generated specs: half the tasks event-triggered with an environment override, half scheduled
//! (as `benches/check.rs` builds them). CloudFormation and CDK refuse a stack beyond
//! CloudFormation's quotas (500 resources, 200 outputs: about 62 tasks), so their large cases
//! compile the same number of tasks as specs of 50 tasks each, in one process (`tfc compile
//! a.yaml b.yaml … -o '{stem}/'`), as a repository of stacks does; `cargo bench --bench check`
//! renders one plan of 1,000 tasks in-process for every target.
//!
//! Options (after `--`): `--quick` runs small cases once (CI: the bench cannot rot; no
//! verdicts); `--runs N` (default 5; one-task cases run four times as often); `--only TEXT`
//! runs the cases whose name holds TEXT. Timings are printed, never asserted.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

const TFC: &str = env!("CARGO_BIN_EXE_tfc");

#[path = "common/spec.rs"]
mod generated;
use generated::spec;

/// One run's CPU seconds, wall seconds and peak MiB (for a case: the medians, and the least
/// CPU of any run).
#[derive(Clone, Copy, Default)]
struct Sample {
    cpu: f64,
    wall: f64,
    peak: f64,
    cpu_min: f64,
}

// The child is waited for by `wait4`, which std's lint cannot see.
#[allow(clippy::zombie_processes)]
fn run_once(args: &[String], cwd: &Path) -> Sample {
    let stderr = tempfile(cwd);
    let start = Instant::now();
    let child = Command::new(TFC)
        .args(args)
        .current_dir(cwd)
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&stderr).expect("stderr file"))
        .spawn()
        .expect("tfc starts");
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value of the plain C struct, which wait4 fills in.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `child` is our own child, not yet waited for (std only waits when asked).
    let pid = unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) };
    let wall = start.elapsed().as_secs_f64();
    assert_eq!(pid, child.id() as libc::pid_t, "wait4 failed");
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -1
    };
    if code != 0 {
        let err = std::fs::read_to_string(&stderr).unwrap_or_default();
        let tail: String = err
            .chars()
            .rev()
            .take(3000)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        panic!("tfc {} exited {code}:\n{tail}", args.join(" "));
    }
    let _ = std::fs::remove_file(&stderr);
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    Sample {
        cpu: secs(usage.ru_utime) + secs(usage.ru_stime),
        cpu_min: secs(usage.ru_utime) + secs(usage.ru_stime),
        wall,
        // ru_maxrss is in KiB on Linux.
        peak: usage.ru_maxrss as f64 / 1024.0,
    }
}

fn tempfile(dir: &Path) -> PathBuf {
    dir.join(format!(".stderr-{}", std::process::id()))
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// The median of each measure over `runs` runs.
fn measure(args: &[String], cwd: &Path, runs: usize) -> Sample {
    let samples: Vec<Sample> = (0..runs).map(|_| run_once(args, cwd)).collect();
    Sample {
        cpu: median(samples.iter().map(|s| s.cpu).collect()),
        wall: median(samples.iter().map(|s| s.wall).collect()),
        peak: median(samples.iter().map(|s| s.peak).collect()),
        cpu_min: samples.iter().map(|s| s.cpu).fold(f64::INFINITY, f64::min),
    }
}

struct Bench {
    work: PathBuf,
    runs: usize,
    only: Option<String>,
    rows: Vec<(String, String, Sample)>,
    results: std::collections::HashMap<String, Sample>,
}

impl Bench {
    fn case(&mut self, key: &str, name: &str, tasks: &str, args: &[&str], dir: &str, runs: usize) {
        if self
            .only
            .as_deref()
            .is_some_and(|o| !name.contains(o) && !key.contains(o))
        {
            return;
        }
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        let m = measure(&args, &self.work.join(dir), runs);
        eprintln!(
            "bench: {name} (tasks: {tasks}): {:.1} ms CPU",
            m.cpu * 1000.0
        );
        self.rows.push((name.to_string(), tasks.to_string(), m));
        self.results.insert(key.to_string(), m);
    }
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, text).expect("write");
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let flag = |f: &str| {
        args.iter()
            .position(|a| a == f)
            .and_then(|i| args.get(i + 1).cloned())
    };
    let quick = args.iter().any(|a| a == "--quick");
    let runs = if quick {
        1
    } else {
        flag("--runs").map_or(5, |r| r.parse().expect("--runs N"))
    };
    let work = std::env::temp_dir().join(format!("tfc-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    let mut b = Bench {
        work: work.clone(),
        runs,
        only: flag("--only"),
        rows: Vec::new(),
        results: Default::default(),
    };

    let sizes: &[usize] = if quick {
        &[1, 100]
    } else {
        &[1, 100, 500, 1000, 5000]
    };
    for n in sizes {
        write(
            &work.join("one").join(format!("spec-{n}.yaml")),
            &spec(*n, 0),
        );
    }
    // Start-up: a one-task spec, run more often (a few milliseconds each).
    let startup = if quick { 1 } else { b.runs * 4 };
    b.case(
        "check-1",
        "check",
        "1",
        &["check", "spec-1.yaml"],
        "one",
        startup,
    );
    for target in ["terraform", "cloudformation", "cdk"] {
        let out = format!("out-{target}-1/");
        b.case(
            &format!("compile-{target}-1"),
            &format!("compile --target {target}"),
            "1",
            &["compile", "spec-1.yaml", "--target", target, "-o", &out],
            "one",
            startup,
        );
    }
    for n in &sizes[1..] {
        let file = format!("spec-{n}.yaml");
        let runs = b.runs;
        b.case(
            &format!("check-{n}"),
            "check",
            &n.to_string(),
            &["check", &file],
            "one",
            runs,
        );
        let out = format!("out-terraform-{n}/");
        b.case(
            &format!("compile-terraform-{n}"),
            "compile --target terraform",
            &n.to_string(),
            &["compile", &file, "--target", "terraform", "-o", &out],
            "one",
            runs,
        );
    }
    // CloudFormation and CDK: specs of 50 tasks, compiled in one process.
    let stacks: &[usize] = if quick { &[2] } else { &[2, 20, 100] };
    for count in stacks {
        let dir = format!("stacks-{count}");
        let mut files = Vec::new();
        for s in 0..*count {
            let name = format!("s{s:03}.yaml");
            write(&work.join(&dir).join(&name), &spec(50, s * 50));
            files.push(name);
        }
        for target in ["cloudformation", "cdk"] {
            let out = format!("out-{target}/{{stem}}/");
            let mut a: Vec<&str> = vec!["compile"];
            a.extend(files.iter().map(String::as_str));
            a.extend(["--target", target, "-o", &out]);
            let runs = b.runs;
            b.case(
                &format!("compile-{target}-stacks-{count}"),
                &format!("compile --target {target}, {count} specs of 50"),
                &(count * 50).to_string(),
                &a,
                &dir,
                runs,
            );
        }
    }
    // Many files: a repository's specs checked in one run.
    let many: &[usize] = if quick { &[100] } else { &[2000, 10000] };
    let ten = spec(10, 0);
    for files in many {
        let dir = format!("many-{files}");
        let names: Vec<String> = (0..*files).map(|i| format!("s{i:05}.yaml")).collect();
        for n in &names {
            write(&work.join(&dir).join(n), &ten);
        }
        let mut a: Vec<&str> = vec!["check"];
        a.extend(names.iter().map(String::as_str));
        let runs = b.runs;
        b.case(
            &format!("many-{files}"),
            &format!("check, {files} files"),
            "10 each",
            &a,
            &dir,
            runs,
        );
    }
    let _ = std::fs::remove_dir_all(&work);

    println!("{}", machine());
    println!();
    println!("| work | tasks | CPU (ms) | least CPU (ms) | wall (ms) | peak (MiB) |\n|---|---|---|---|---|---|");
    for (name, tasks, m) in &b.rows {
        println!(
            "| {name} | {tasks} | {:.1} | {:.1} | {:.1} | {:.1} |",
            m.cpu * 1000.0,
            m.cpu_min * 1000.0,
            m.wall * 1000.0,
            m.peak
        );
    }
    if !quick {
        println!();
        println!("| goal (issue 19) | measured | met |\n|---|---|---|");
        for (goal, measured, met) in verdicts(&b.results) {
            println!(
                "| {goal} | {measured} | {} |",
                if met { "yes" } else { "**no**" }
            );
        }
    }
}

/// Each goal of issue 19 that the cases measured: what it asks, what was measured, whether met.
fn verdicts(r: &std::collections::HashMap<String, Sample>) -> Vec<(String, String, bool)> {
    let mut out = Vec::new();
    let ms = |v: f64| format!("{:.1} ms", v * 1000.0);
    let mut goal = |text: String,
                    key: &str,
                    value: fn(&Sample) -> f64,
                    limit: f64,
                    show: &dyn Fn(f64) -> String| {
        if let Some(s) = r.get(key) {
            let v = value(s);
            out.push((text, show(v), v <= limit));
        }
    };
    let cpu: fn(&Sample) -> f64 = |s| s.cpu;
    let peak: fn(&Sample) -> f64 = |s| s.peak;
    let wall: fn(&Sample) -> f64 = |s| s.wall;
    let mib = |v: f64| format!("{v:.1} MiB");
    goal(
        "compile --target terraform, 1,000 tasks: ≤ 100 ms CPU".into(),
        "compile-terraform-1000",
        cpu,
        0.100,
        &ms,
    );
    goal(
        "compile --target terraform, 1,000 tasks: ≤ 40 MiB".into(),
        "compile-terraform-1000",
        peak,
        40.0,
        &mib,
    );
    for t in ["cloudformation", "cdk"] {
        let key = format!("compile-{t}-stacks-20");
        goal(
            format!("compile --target {t}, 1,000 tasks (20 specs): ≤ 100 ms CPU"),
            &key,
            cpu,
            0.100,
            &ms,
        );
        goal(
            format!("compile --target {t}, 1,000 tasks (20 specs): ≤ 40 MiB"),
            &key,
            peak,
            40.0,
            &mib,
        );
    }
    goal(
        "check, 10,000 files of 10 tasks: ≤ 2 s wall".into(),
        "many-10000",
        wall,
        2.0,
        &|v| format!("{v:.2} s"),
    );
    goal(
        "check, 1 task: ≤ 4 ms CPU".into(),
        "check-1",
        cpu,
        0.004,
        &ms,
    );
    for t in ["terraform", "cloudformation", "cdk"] {
        goal(
            format!("compile --target {t}, 1 task: ≤ 4 ms CPU"),
            &format!("compile-{t}-1"),
            cpu,
            0.004,
            &ms,
        );
    }
    for (name, small, large) in [
        ("check", "check-500", "check-5000"),
        (
            "compile --target terraform",
            "compile-terraform-500",
            "compile-terraform-5000",
        ),
        (
            "compile --target cloudformation",
            "compile-cloudformation-stacks-2",
            "compile-cloudformation-stacks-20",
        ),
        (
            "compile --target cdk",
            "compile-cdk-stacks-2",
            "compile-cdk-stacks-20",
        ),
    ] {
        if let (Some(s), Some(l)) = (r.get(small), r.get(large)) {
            let ratio = l.cpu / s.cpu;
            out.push((
                format!("{name}: 10× the tasks ≤ 11× the CPU"),
                format!("{ratio:.1}×"),
                ratio <= 11.0,
            ));
        }
    }
    out
}

fn machine() -> String {
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, m)| m.trim().to_string())
        })
        .unwrap_or_default();
    format!(
        "Machine: {cpus} cores ({model}); median of each case's runs; CPU is user + system time."
    )
}
