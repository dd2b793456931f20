//! `tfc check` on the examples and on hostile inputs: clean errors, exit codes, no panics.

mod common;

use common::{example_specs, tfc};
use pretty_assertions::assert_eq;

#[test]
fn every_example_passes() {
    let specs = example_specs();
    assert!(specs.len() >= 4);
    let out = tfc().arg("check").args(&specs).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains(&format!("ok: {} files checked, 0 errors", specs.len())),
        "{stderr}"
    );
}

/// Runs `tfc check --format json` on bytes; returns (exit code, first diagnostic's code).
fn check_bytes(name: &str, bytes: &[u8]) -> (Option<i32>, String, String) {
    let dir = std::env::temp_dir().join(format!("tfc-hostile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    let out = tfc()
        .args(["check", "--format", "json"])
        .arg(&path)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{name}: {stderr}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    let code = v[0]["diagnostics"][0]["code"]
        .as_str()
        .unwrap_or("")
        .to_string();
    let message = v[0]["diagnostics"][0]["message"]
        .as_str()
        .unwrap_or("")
        .to_string();
    (out.status.code(), code, message)
}

#[test]
fn hostile_inputs_are_clean_errors() {
    let nested = "a: ".to_string() + &"[".repeat(100_000) + &"]".repeat(100_000);
    assert_eq!(check_bytes("nested.yaml", nested.as_bytes()).1, "too-deep");

    let nested_block: String = (0..200).map(|i| format!("{}k:\n", " ".repeat(i))).collect();
    assert_eq!(
        check_bytes("nested-block.yaml", nested_block.as_bytes()).1,
        "too-deep"
    );

    let mut bomb = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    for i in 0..9 {
        let prev = if i == 0 {
            "a".to_string()
        } else {
            format!("b{}", i - 1)
        };
        bomb.push_str(&format!(
            "b{i}: &b{i} [{}]\n",
            vec![format!("*{prev}"); 9].join(",")
        ));
    }
    let (code, diag, msg) = check_bytes("bomb.yaml", bomb.as_bytes());
    assert_eq!((code, diag.as_str()), (Some(1), "too-large"), "{msg}");
    assert!(msg.contains("aliases expand it beyond"), "{msg}");

    let big = vec![b'a'; 50 * 1024 * 1024];
    assert_eq!(check_bytes("big.yaml", &big).1, "too-large");
    assert_eq!(
        check_bytes("latin1.yaml", b"version: 1\nname: caf\xe9\n").1,
        "encoding"
    );
    assert_eq!(check_bytes("empty.yaml", b"").1, "empty");
    assert_eq!(check_bytes("scalar.yaml", b"42\n").0, Some(1));
    assert_eq!(check_bytes("nul.yaml", b"version: 1\x00\n").0, Some(1));
}

#[test]
fn missing_file_is_a_usage_error() {
    let out = tfc()
        .args(["check", "/nonexistent/spec.yaml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read /nonexistent/spec.yaml"));
    let out = tfc().args(["check"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn github_format_annotates_file_line_and_column() {
    let path = common::root().join("tests/invalid/fargate-memory.yaml");
    let out = tfc()
        .args(["check", "--format", "github"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.starts_with("::error file="), "{stdout}");
    assert!(
        stdout.contains(
            ",line=12,col=13,title=tfc fargate-size::Fargate has no 2048 CPU / 3000 MiB size"
        ),
        "{stdout}"
    );
}

#[test]
fn warnings_fail_only_with_deny_warnings() {
    let seed = common::root().join("examples/django-manage/spec.yaml");
    let out = tfc().arg("check").arg(&seed).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("warning[shell-injection]"));
    let out = tfc()
        .args(["check", "--deny-warnings"])
        .arg(&seed)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
}
