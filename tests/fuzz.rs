//! A mutation fuzzer over tfc's whole pipeline, on stable Rust and in-process: seeds from the
//! examples, the invalid corpus, the hostile spec and generated hostile specs; mutations that
//! flip and insert bytes, splice lines between seeds, and insert the sequences each target's
//! language treats specially. One target per stage:
//!
//! - `check`: any input gives diagnostics, never a panic or a hang;
//! - `cloudformation`, `terraform`, `cdk`: every spec `check` accepts renders, and the output
//!   parses (CloudFormation in-process with serde's YAML and JSON parsers; Terraform with
//!   HashiCorp's HCL parser and CDK with TypeScript's parser, in one batch at the end);
//! - `simulate`: an event built for each task, and mutations of it, simulate without a panic,
//!   and the event `tfc event` would print starts its task.
//!
//! The run is deterministic: `TFC_FUZZ_SEED` (default 1) and `TFC_FUZZ_ITERATIONS` per target
//! (default 20000) choose it, so a failure names what reproduces it. A failing input is written
//! to `target/fuzz-failures/`. Longer runs: `TFC_FUZZ_ITERATIONS=200000 cargo test --release
//! --test fuzz -- --include-ignored` (see the README).

mod common;

use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::hostile::Rng;
use common::root;
use serde_json::Value;
use tfc::targets::{Format, Layout, Target};

/// Longest any one input may take before the run counts as hung (debug builds are slow).
const HANG: Duration = Duration::from_secs(20);

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Seed inputs: every spec the repository has, plus generated hostile specs.
fn corpus() -> Vec<Vec<u8>> {
    let mut files: Vec<PathBuf> = common::all_example_specs();
    files.push(root().join("tests/hostile/spec.yaml"));
    for e in std::fs::read_dir(root().join("tests/invalid"))
        .unwrap()
        .flatten()
    {
        files.push(e.path());
    }
    files.sort();
    let mut seeds: Vec<Vec<u8>> = files.iter().map(|f| std::fs::read(f).unwrap()).collect();
    for seed in 0..8 {
        let spec = common::hostile::spec(seed, 2);
        seeds.push(common::hostile::to_yaml(&spec).into_bytes());
    }
    seeds
}

#[rustfmt::skip]
const DICTIONARY: &[&str] = &[
    "${", "$${", "%{", "{{resolve:ssm:x}}", "${Token[TOKEN.1]}", "\\", "\"", "'", "`", "\n", "\r\n",
    "\t", "\u{85}", "\u{2028}", "*", "?", "&a ", "*a", "<<: *a", "!Ref ", "- ", ": ", "{", "}", "[",
    "]", "#", "|\n", ">-\n", "---\n", "...\n", "~", "null", "0x10", "1e400", "-0", ".inf",
    "$.detail.x", "$.detail.x[131071]", "{ from: $.detail.a }", "{ prefix: a }",
    "{ numeric: [\">\", 0] }", "{ exists: false }", "$or: [{a: [1]}, {b: [2]}]", "Fn::GetAtt",
    "arn:aws:iam::123456789012:role/x", "arn:aws:sqs:eu-west-1:123456789012:q",
    "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1", "cron(0 3 * * ? *)", "rate(1 hour)",
    "cpu: 16384", "memory: 122880", "subnet-0123456789abcdef0", "sg-0123456789abcdef0",
    "command: [sh, -c, $X]", "task_definition: arn:aws:ecs:eu-west-1:123456789012:task-definition/x:1",
];

fn mutate(rng: &mut Rng, input: &[u8], seeds: &[Vec<u8>]) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..1 + rng.below(2) {
        let at = if out.is_empty() {
            0
        } else {
            rng.below(out.len() + 1)
        };
        match rng.below(12) {
            8..=11 => {
                // Replace a scalar value with a quoted hostile string (keeps the YAML valid, so
                // the renderers see it).
                let lines: Vec<Vec<u8>> = out.split(|b| *b == b'\n').map(<[u8]>::to_vec).collect();
                let candidates: Vec<usize> = (0..lines.len())
                    .filter(|i| {
                        let l = &lines[*i];
                        l.windows(2).any(|w| w == b": ")
                            && !l.ends_with(b":")
                            && !l.starts_with(b"#")
                    })
                    .collect();
                if candidates.is_empty() {
                    continue;
                }
                let i = candidates[rng.below(candidates.len())];
                let l = &lines[i];
                let colon = l.windows(2).position(|w| w == b": ").unwrap_or(0);
                let text = common::hostile::text(rng, 6, &[]);
                let mut line = l[..colon + 2].to_vec();
                line.extend(tfc::targets::json_pretty(&text).unwrap_or_default().bytes());
                let mut v = lines.clone();
                v[i] = line;
                out = v.join(&b'\n');
            }
            0 if !out.is_empty() => {
                let i = rng.below(out.len());
                out[i] ^= 1 << rng.below(8);
            }
            1 if !out.is_empty() => {
                let end = (at + rng.below(16)).min(out.len());
                out.drain(at.min(end)..end);
            }
            2 | 3 => {
                let piece = DICTIONARY[rng.below(DICTIONARY.len())].as_bytes();
                out.splice(at..at, piece.iter().copied());
            }
            4 => {
                // Splice a line from another seed at a line boundary.
                let other = &seeds[rng.below(seeds.len())];
                let lines: Vec<&[u8]> = other.split(|b| *b == b'\n').collect();
                let line = lines[rng.below(lines.len())];
                let start = out[..at]
                    .iter()
                    .rposition(|b| *b == b'\n')
                    .map_or(0, |p| p + 1);
                let mut piece = line.to_vec();
                piece.push(b'\n');
                out.splice(start..start, piece);
            }
            5 => {
                // Duplicate a line (keys, list items).
                let lines: Vec<Vec<u8>> = out.split(|b| *b == b'\n').map(<[u8]>::to_vec).collect();
                let i = rng.below(lines.len());
                let mut v = lines.clone();
                v.insert(i, lines[i].clone());
                out = v.join(&b'\n');
            }
            6 => {
                // Change a number.
                if let Some(p) = out.iter().position(|b| b.is_ascii_digit()) {
                    let n = ["0", "1", "999999999999999999999", "-1", "4096", "1.5"][rng.below(6)];
                    out.splice(p..p + 1, n.bytes());
                }
            }
            _ => out.insert(at, rng.next() as u8),
        }
    }
    out.truncate(64 * 1024);
    out
}

/// Runs `f` on every input of a deterministic stream, failing (with the input saved) on a panic
/// or an input that takes longer than [`HANG`].
fn fuzz(target: &str, mut f: impl FnMut(&[u8]) + Send + 'static) {
    common::progress(&format!("fuzzing {target}"));
    let seed = env_u64("TFC_FUZZ_SEED", 1);
    let iterations = env_u64("TFC_FUZZ_ITERATIONS", 20_000);
    let seeds = corpus();
    let current: Arc<Mutex<Vec<u8>>> = Arc::default();
    let done = Arc::new(AtomicU64::new(0));
    let (cur, count) = (current.clone(), done.clone());
    let salt = target.len() as u64;
    let worker = std::thread::spawn(move || {
        let mut rng = Rng::new(seed ^ salt);
        for i in 0..iterations + seeds.len() as u64 {
            let input = match seeds.get(i as usize) {
                Some(s) => s.clone(),
                None => {
                    let base = rng.below(seeds.len());
                    mutate(&mut rng, &seeds[base], &seeds)
                }
            };
            *cur.lock().unwrap() = input.clone();
            if let Err(e) = std::panic::catch_unwind(AssertUnwindSafe(|| f(&input))) {
                let message = e
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                return Err((input, message));
            }
            count.fetch_add(1, Ordering::SeqCst);
        }
        Ok(())
    });
    let mut last = (0, Instant::now());
    while !worker.is_finished() {
        std::thread::sleep(Duration::from_millis(50));
        let n = done.load(Ordering::SeqCst);
        if n != last.0 {
            last = (n, Instant::now());
        } else if last.1.elapsed() > HANG {
            let input = current.lock().unwrap().clone();
            let path = save(target, &input);
            panic!(
                "{target}: an input ran longer than {HANG:?} (seed {seed}, input {n}): {}",
                path.display()
            );
        }
    }
    if let Err((input, message)) = worker.join().unwrap() {
        let path = save(target, &input);
        panic!(
            "{target}: failed on {} (TFC_FUZZ_SEED={seed}): {message}",
            path.display()
        );
    }
}

fn save(target: &str, input: &[u8]) -> PathBuf {
    let dir = root().join("target/fuzz-failures");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{target}-{}.yaml", std::process::id()));
    std::fs::write(&path, input).unwrap();
    path
}

fn render(spec: &tfc::spec::Spec, target: Target, format: Format) -> String {
    let model = tfc::model::lower(spec);
    let files = target
        .backend()
        .render(&tfc::plan::lower(&model), Layout::Single, format)
        .unwrap_or_else(|e| panic!("{target:?} failed to render a valid spec: {e}"));
    files.into_iter().map(|f| f.contents).collect()
}

/// The spec, when `check` accepts the input (a spec with parameters with its defaults baked in,
/// as `compile --bake` without `--env` would).
fn valid(input: &[u8]) -> Option<tfc::spec::Spec> {
    let values = tfc::spec::params::Values {
        single: true,
        ..Default::default()
    };
    let checked = tfc::check_with(input, None, &values);
    if checked.has_errors() {
        None
    } else {
        Some(checked.spec.expect("a spec without errors parsed"))
    }
}

#[test]
fn fuzz_check() {
    fuzz("check", |input| {
        let checked = tfc::check(input);
        // Every error has a position or is about the whole document.
        for d in &checked.diagnostics {
            assert!(!d.message.is_empty(), "an empty message: {d:?}");
        }
    });
}

/// Values that sit on the edges of the schema's keywords: types, integer-valued doubles, the
/// numeric bounds of the spec, empty and long strings, strings that nearly match its patterns,
/// a parameter reference where a literal belongs.
fn edge_value(rng: &mut Rng) -> Value {
    let edges = [
        serde_json::json!(null),
        serde_json::json!(true),
        serde_json::json!(0),
        serde_json::json!(-1),
        serde_json::json!(1),
        serde_json::json!(1.0),
        serde_json::json!(1.5),
        serde_json::json!(10),
        serde_json::json!(11),
        serde_json::json!(256),
        serde_json::json!(512.0),
        serde_json::json!(4095),
        serde_json::json!(u64::MAX),
        serde_json::json!(""),
        serde_json::json!("x"),
        serde_json::json!("A"),
        serde_json::json!("a-b"),
        serde_json::json!("subnet-0123456789abcdef0"),
        serde_json::json!("subnet-0123456789abcdeF0"),
        serde_json::json!("sg-01234567"),
        serde_json::json!("/tmp/"),
        serde_json::json!("/tmp"),
        serde_json::json!("ünï\u{2028}"),
        serde_json::json!("x".repeat(129)),
        serde_json::json!("x".repeat(256)),
        serde_json::json!([]),
        serde_json::json!(["x"]),
        serde_json::json!({}),
        serde_json::json!({ "param": "x" }),
        serde_json::json!({ "from": "$.detail.x" }),
    ];
    edges[rng.below(edges.len())].clone()
}

/// Replaces, adds or removes a few values anywhere in `v`.
fn perturb(rng: &mut Rng, v: &mut Value, depth: usize) {
    match v {
        Value::Object(map) if !map.is_empty() => {
            let i = rng.below(map.len());
            let key = map.keys().nth(i).cloned().unwrap_or_default();
            match rng.below(8) {
                0 => {
                    map.shift_remove(&key);
                }
                1 => {
                    map.insert(key, edge_value(rng));
                }
                2 => {
                    map.insert(format!("{key}x"), edge_value(rng));
                }
                _ if depth < 12 => {
                    if let Some(child) = map.get_mut(&key) {
                        perturb(rng, child, depth + 1);
                    }
                }
                _ => {}
            }
        }
        Value::Array(items) if !items.is_empty() => {
            let i = rng.below(items.len());
            match rng.below(6) {
                0 => {
                    items.remove(i);
                }
                1 => items.push(edge_value(rng)),
                _ if depth < 12 => perturb(rng, &mut items[i], depth + 1),
                _ => {}
            }
        }
        other => *other = edge_value(rng),
    }
}

/// The schema screen (see `tfc::spec::screen`) never passes a document the JSON Schema validator
/// rejects: it would hide that document's diagnostics. Every loaded input, and values perturbed
/// at the edges of the schema's keywords, are judged by both.
#[test]
fn fuzz_schema_screen() {
    let passed = Arc::new(AtomicU64::new(0));
    let count = passed.clone();
    let mut rng = Rng::new(env_u64("TFC_FUZZ_SEED", 1));
    fuzz("schema-screen", move |input| {
        let Ok(doc) = tfc::spec::load::load(input) else {
            return;
        };
        let mut value = doc.value;
        for _ in 0..4 {
            if tfc::spec::screen::passes(&value) {
                count.fetch_add(1, Ordering::SeqCst);
                assert!(
                    tfc::spec::validator_accepts(&value),
                    "the screen passed a document the validator rejects: {value}"
                );
            }
            perturb(&mut rng, &mut value, 0);
        }
    });
    // The screen passes valid specs (else it would save nothing).
    let passed = passed.load(Ordering::SeqCst);
    eprintln!("the screen passed {passed} documents, each accepted by the validator");
    assert!(passed > 100, "the screen passed almost nothing");
}

#[test]
fn fuzz_compile_cloudformation() {
    let rendered = Arc::new(AtomicU64::new(0));
    let count = rendered.clone();
    let native = Arc::new(AtomicU64::new(0));
    let native_count = native.clone();
    fuzz("cloudformation", move |input| {
        // A spec with parameters that check accepts also renders them natively, in every
        // target, and the template still parses.
        let declares =
            tfc::spec::load::load(input).is_ok_and(|d| tfc::spec::params::declares(&d.value));
        if declares && !tfc::check(input).has_errors() {
            native_count.fetch_add(1, Ordering::SeqCst);
            let plan = tfc::native_plan(input, &Default::default())
                .unwrap_or_else(|e| panic!("a checked spec's parameters: {e}"));
            for target in Target::ALL {
                let files = target
                    .backend()
                    .render(&plan, Layout::Directory, Format::Json)
                    .unwrap_or_else(|e| panic!("{target:?} failed to render parameters: {e}"));
                if target == Target::Cloudformation {
                    let _: Value = serde_json::from_str(&files[0].contents)
                        .unwrap_or_else(|e| panic!("the JSON template does not parse: {e}"));
                }
            }
        }
        if let Some(spec) = valid(input) {
            count.fetch_add(1, Ordering::SeqCst);
            let yaml = render(&spec, Target::Cloudformation, Format::Yaml);
            let from_yaml: Value = serde_norway::from_str(&yaml)
                .unwrap_or_else(|e| panic!("the YAML template does not parse: {e}\n{yaml}"));
            let json = render(&spec, Target::Cloudformation, Format::Json);
            let from_json: Value = serde_json::from_str(&json)
                .unwrap_or_else(|e| panic!("the JSON template does not parse: {e}"));
            assert_eq!(from_yaml, from_json, "the YAML and JSON templates differ");
        }
    });
    // The mutations must leave enough specs valid for the renderer to be exercised.
    let n = rendered.load(Ordering::SeqCst);
    assert!(n >= 500, "only {n} fuzzed specs were valid");
    let n = native.load(Ordering::SeqCst);
    assert!(n >= 50, "only {n} fuzzed specs with parameters were valid");
}

/// Renders the valid inputs' outputs for `target`, keeping up to `keep` distinct ones for the
/// batch parse at the end.
fn collect_outputs(target: Target, keep: usize) -> Vec<String> {
    let kept: Arc<Mutex<Vec<String>>> = Arc::default();
    let sink = kept.clone();
    let name = match target {
        Target::Terraform => "terraform",
        _ => "cdk",
    };
    fuzz(name, move |input| {
        if let Some(spec) = valid(input) {
            let out = render(&spec, target, Format::Yaml);
            let mut k = sink.lock().unwrap();
            if k.len() < keep && !k.contains(&out) {
                k.push(out);
            }
        }
    });
    let out = kept.lock().unwrap().clone();
    assert!(out.len() >= 10, "only {} distinct valid outputs", out.len());
    out
}

#[test]
#[ignore = "needs the pinned validators: run scripts/test"]
fn fuzz_compile_terraform() {
    let outputs = collect_outputs(Target::Terraform, 60);
    let dir = common::scratch("fuzz-tf");
    let files: Vec<PathBuf> = outputs
        .iter()
        .enumerate()
        .map(|(i, text)| {
            let p = dir.join(format!("case-{i}.tf"));
            std::fs::write(&p, text).unwrap();
            p
        })
        .collect();
    // HashiCorp's parser and formatter, and the provider schema (tests/tools/tf/check.mjs).
    let out = std::process::Command::new("node")
        .arg(root().join("tests/tools/tf/check.mjs"))
        .args(&files)
        .env("TFC_NODE_MODULES", common::node_modules())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
#[ignore = "needs the pinned validators: run scripts/test"]
fn fuzz_compile_cdk() {
    let outputs = collect_outputs(Target::Cdk, 60);
    let dir = common::scratch("fuzz-cdk");
    let files: Vec<PathBuf> = outputs
        .iter()
        .enumerate()
        .map(|(i, text)| {
            let p = dir.join(format!("case-{i}.ts"));
            std::fs::write(&p, text).unwrap();
            p
        })
        .collect();
    // TypeScript's own parser: any syntax error in any output fails.
    let out = std::process::Command::new("node")
        .arg(root().join("tests/tools/ts-parse.mjs"))
        .args(&files)
        .env("TFC_NODE_MODULES", common::node_modules())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn fuzz_simulate() {
    fuzz("simulate", |input| {
        let Some(spec) = valid(input) else { return };
        let model = tfc::model::lower(&spec);
        let mut rng = Rng::new(input.len() as u64);
        for task in &model.tasks {
            let Ok(event) = tfc::simulate::example::example_event(task, &[]) else {
                continue;
            };
            let entry = tfc::simulate::example::put_events_entry(task, &event);
            let (delivered, bus) = tfc::simulate::normalize_event(entry).expect("tfc's own entry");
            tfc::simulate::simulate(&model, &delivered, bus.as_deref(), None);
            // Mutated events: anything may happen but a panic.
            let text = serde_json::to_vec(&delivered).unwrap();
            for _ in 0..3 {
                let bytes = mutate(&mut rng, &text, std::slice::from_ref(&text));
                if let Ok(v) = serde_json::from_slice::<Value>(&bytes) {
                    if let Ok((e, b)) = tfc::simulate::normalize_event(v) {
                        tfc::simulate::simulate(&model, &e, b.as_deref(), None);
                    }
                }
            }
        }
    });
}
