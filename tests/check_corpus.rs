//! `tfc check` against a corpus of invalid specs: each file under `tests/invalid/` states what
//! must be reported in header lines
//!
//! ```text
//! # expect: LINE:COL CODE message substring
//! # args: --deny-warnings          (optional extra arguments)
//! # help: help substring            (optional: some diagnostic's help contains it)
//! ```
//!
//! and the test asserts exit code 1 and exactly those diagnostics (position, code, message),
//! no more and no fewer, and that every `# help:` text is in the help of one of them. The rustc-style rendering is checked on one case too.

use std::path::{Path, PathBuf};
use std::process::Command;

use pretty_assertions::assert_eq;
use serde_json::Value;

fn tfc() -> Command {
    Command::new(env!("CARGO_BIN_EXE_tfc"))
}

#[derive(Debug, PartialEq, Eq, PartialOrd, Ord, Clone)]
struct Expect {
    pos: String,
    code: String,
    message: String,
}

fn expectations(path: &Path) -> (Vec<Expect>, Vec<String>, Vec<String>) {
    let text = String::from_utf8_lossy(&std::fs::read(path).unwrap()).into_owned();
    let mut expects = Vec::new();
    let mut args = Vec::new();
    let mut helps = Vec::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# expect: ") {
            let mut parts = rest.splitn(3, ' ');
            expects.push(Expect {
                pos: parts.next().unwrap().to_string(),
                code: parts.next().unwrap().to_string(),
                message: parts.next().unwrap_or("").to_string(),
            });
        } else if let Some(rest) = line.strip_prefix("# args: ") {
            args.extend(rest.split_whitespace().map(String::from));
        } else if let Some(rest) = line.strip_prefix("# help: ") {
            helps.push(rest.to_string());
        }
    }
    (expects, args, helps)
}

fn corpus() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> =
        std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/invalid"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
            .collect();
    files.sort();
    files
}

#[test]
fn every_invalid_spec_reports_exactly_its_expected_diagnostics() {
    let files = corpus();
    assert!(
        files.len() >= 25,
        "the corpus has {} specs; keep at least 25",
        files.len()
    );
    let mut failures = Vec::new();
    for file in &files {
        let (expects, args, helps) = expectations(file);
        assert!(
            !expects.is_empty(),
            "{} has no `# expect:` line",
            file.display()
        );
        let out = tfc()
            .arg("check")
            .arg("--format")
            .arg("json")
            .args(&args)
            .arg(file)
            .output()
            .unwrap();
        let reports: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
        let diags = reports[0]["diagnostics"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let mut got: Vec<Expect> = diags
            .iter()
            .map(|d| Expect {
                pos: format!("{}:{}", d["pos"]["line"], d["pos"]["col"]),
                code: d["code"].as_str().unwrap_or("").to_string(),
                message: d["message"].as_str().unwrap_or("").to_string(),
            })
            .collect();
        got.sort();
        let missing_help: Vec<&String> = helps
            .iter()
            .filter(|h| {
                !diags.iter().any(|d| {
                    d["help"]
                        .as_str()
                        .is_some_and(|text| text.contains(h.as_str()))
                })
            })
            .collect();
        let mut matched = Vec::new();
        let mut missing = Vec::new();
        for e in &expects {
            match got
                .iter()
                .position(|g| g.pos == e.pos && g.code == e.code && g.message.contains(&e.message))
            {
                Some(i) => matched.push(got.remove(i)),
                None => missing.push(e.clone()),
            }
        }
        if out.status.code() != Some(1)
            || !missing.is_empty()
            || !got.is_empty()
            || !missing_help.is_empty()
        {
            failures.push(format!(
                "{}: exit {:?}\n  missing: {missing:?}\n  unexpected: {got:?}\n  missing help: {missing_help:?}",
                file.display(),
                out.status.code()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn human_output_is_rustc_style_on_stderr() {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/invalid/fargate-memory.yaml");
    let out = tfc().arg("check").arg(&file).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.starts_with("error[fargate-size]: Fargate has no 2048 CPU / 3000 MiB size"),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("  --> {}:", file.display())),
        "{stderr}"
    );
    assert!(
        stderr.contains("= help: with cpu 2048, memory must be one of 4096, 5120,"),
        "{stderr}"
    );
    assert!(stderr.contains("^\n"), "{stderr}");
}
