//! The hooks in `.pre-commit-hooks.yaml`, run by real pre-commit (PyPI, pinned) in a throwaway
//! git repository that uses this repository (its committed HEAD) as the hook repo: a valid spec
//! passes, an invalid one fails with tfc's file:line:col message, a stale generated file fails
//! the stale-output hook and a fresh one passes. pre-commit builds tfc itself (`language: rust`).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{python_tool, root, tfc};

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn head() -> String {
    let out = Command::new("git")
        .args(["rev-parse", "HEAD"])
        .current_dir(root())
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// `pre-commit run --all-files` in `dir`; returns (exit code, output).
fn run(dir: &Path) -> (Option<i32>, String) {
    // pre-commit's environments (the tfc it builds) persist between runs in target/.
    let home: PathBuf = root().join("target/pre-commit-home");
    let out = Command::new(python_tool("pre-commit"))
        .args(["run", "--all-files", "--color", "never"])
        .current_dir(dir)
        .env("PRE_COMMIT_HOME", &home)
        // pre-commit builds tfc with `cargo install`: a quick, unoptimised build is enough here.
        .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "0")
        .env("CARGO_PROFILE_RELEASE_LTO", "off")
        .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16")
        .env("CARGO_PROFILE_RELEASE_DEBUG", "false")
        .output()
        .unwrap();
    (
        out.status.code(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[test]
#[ignore = "needs the pinned validators: run scripts/test"]
fn hooks_pass_valid_specs_and_fresh_output_and_fail_the_rest() {
    common::progress("pre-commit builds tfc from HEAD and runs the hooks (about a minute)");
    let dir = std::env::temp_dir().join(format!("tfc-pre-commit-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    git(&dir, &["init", "-q"]);
    git(&dir, &["config", "user.email", "test@example.invalid"]);
    git(&dir, &["config", "user.name", "test"]);
    let spec = std::fs::read_to_string(root().join("examples/safe-argv/spec.yaml")).unwrap();
    std::fs::write(dir.join("app.tfc.yaml"), &spec).unwrap();
    let out = tfc()
        .args(["compile", "app.tfc.yaml", "-t", "terraform", "-o", "infra"])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(out.status.success());
    std::fs::write(
        dir.join(".pre-commit-config.yaml"),
        format!(
            "repos:\n  - repo: {}\n    rev: {}\n    hooks:\n      - id: tfc-check\n      - id: tfc-compile-check\n        args: [app.tfc.yaml, --target, terraform, -o, infra]\n        files: (^|/)(app\\.tfc\\.yaml|infra/.*)$\n",
            root().display(),
            head()
        ),
    )
    .unwrap();
    git(&dir, &["add", "-A"]);

    // A valid spec and fresh output: both hooks pass.
    let (code, text) = run(&dir);
    assert_eq!(code, Some(0), "{text}");
    assert!(
        text.contains("tfc check") && text.contains("Passed"),
        "{text}"
    );

    // A stale generated file fails the stale-output hook, with a diff.
    let main = dir.join("infra/main.tf");
    let fresh = std::fs::read_to_string(&main).unwrap();
    std::fs::write(
        &main,
        fresh.replace(
            "memory                   = \"1024\"",
            "memory                   = \"2048\"",
        ),
    )
    .unwrap();
    git(&dir, &["add", "-A"]);
    let (code, text) = run(&dir);
    assert_eq!(code, Some(1), "{text}");
    assert!(
        text.contains("tfc generated files are up to date") && text.contains("Failed"),
        "{text}"
    );
    assert!(
        text.contains("+  memory                   = \"1024\""),
        "{text}"
    );
    std::fs::write(&main, &fresh).unwrap();

    // An invalid spec fails tfc-check with file:line:col.
    std::fs::write(
        dir.join("bad.tfc.yaml"),
        spec.replace("    cpu: 512\n", "    cpu: 300\n"),
    )
    .unwrap();
    git(&dir, &["add", "-A"]);
    let (code, text) = run(&dir);
    assert_eq!(code, Some(1), "{text}");
    let line = spec.lines().position(|l| l == "    cpu: 512").unwrap() + 1;
    assert!(
        text.contains(&format!("--> bad.tfc.yaml:{line}:10")),
        "{text}"
    );
    std::fs::remove_file(dir.join("bad.tfc.yaml")).unwrap();

    // Specs named `spec.yaml`, with the `files:` override the README documents, are checked.
    std::fs::create_dir_all(dir.join("examples/x")).unwrap();
    std::fs::write(
        dir.join("examples/x/spec.yaml"),
        spec.replace("    cpu: 512\n", "    cpu: 300\n"),
    )
    .unwrap();
    let config = std::fs::read_to_string(dir.join(".pre-commit-config.yaml")).unwrap();
    std::fs::write(
        dir.join(".pre-commit-config.yaml"),
        config.replacen(
            "      - id: tfc-check\n",
            "      - id: tfc-check\n      - id: tfc-check\n        files: (^|/)spec\\.ya?ml$\n",
            1,
        ),
    )
    .unwrap();
    git(&dir, &["add", "-A"]);
    let (code, text) = run(&dir);
    assert_eq!(code, Some(1), "{text}");
    assert!(
        text.contains(&format!("--> examples/x/spec.yaml:{line}:10")),
        "{text}"
    );
}
