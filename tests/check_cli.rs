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

#[test]
fn a_failing_deny_warnings_run_prints_a_failing_summary() {
    let (code, _, stderr) =
        common::run(tfc().args(["check", "--deny-warnings"]).arg(common::seed()));
    assert_eq!(code, Some(1));
    assert!(
        stderr.ends_with("failed: 1 file checked, 0 errors, 1 warning (warnings denied)\n"),
        "{stderr}"
    );
    // Without a warning, --deny-warnings passes with an ok summary.
    let safe = common::root().join("examples/safe-argv/spec.yaml");
    let (code, _, stderr) = common::run(tfc().args(["check", "--deny-warnings"]).arg(&safe));
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stderr.ends_with("ok: 1 file checked, 0 errors, 0 warnings\n"),
        "{stderr}"
    );
}

#[test]
fn unreadable_files_are_errors_counted_in_the_summary_in_every_format() {
    let dir = common::scratch("unreadable");
    let missing = dir.join("missing.tfc.yaml");
    // Alone: never "ok: 0 files checked".
    let (code, _, stderr) = common::run(tfc().arg("check").arg(&missing));
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains(&format!(
            "error[unreadable]: cannot read {}",
            missing.display()
        )),
        "{stderr}"
    );
    assert!(
        stderr.ends_with("failed: 1 file checked (1 unreadable), 1 error, 0 warnings\n"),
        "{stderr}"
    );
    // With a valid spec and a directory: every file is reported, exit 2 wins.
    let (code, _, stderr) = common::run(
        tfc()
            .arg("check")
            .arg(&missing)
            .arg(common::root().join("examples/safe-argv/spec.yaml"))
            .arg(&dir),
    );
    assert_eq!(code, Some(2));
    assert!(
        stderr.ends_with("failed: 3 files checked (2 unreadable), 2 errors, 0 warnings\n"),
        "{stderr}"
    );
    let (code, stdout, _) = common::run(tfc().args(["check", "--format", "json"]).arg(&missing));
    assert_eq!(code, Some(2));
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v[0]["diagnostics"][0]["code"], "unreadable", "{stdout}");
    assert_eq!(v[0]["diagnostics"][0]["severity"], "error", "{stdout}");
    let (code, stdout, _) = common::run(tfc().args(["check", "--format", "github"]).arg(&missing));
    assert_eq!(code, Some(2));
    assert!(stdout.starts_with("::error file="), "{stdout}");
    assert!(
        stdout.contains("title=tfc unreadable::cannot read"),
        "{stdout}"
    );
}

/// Runs `tfc simulate SPEC` with `events` on stdin.
fn simulate(spec: &std::path::Path, events: &str) -> (Option<i32>, String) {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = tfc()
        .arg("simulate")
        .arg(spec)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let _ = child.stdin.take().unwrap().write_all(events.as_bytes());
    let out = child.wait_with_output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn simulate_and_event_exit_2_on_bad_input_and_1_when_nothing_starts() {
    let invalid = common::root().join("tests/invalid/fargate-memory.yaml");
    let seed = common::seed();
    let matching = r#"{"source":"com.corp.env.my-proj.manage","detail-type":"Management","detail":{"subject":"execute","command":"migrate"}}"#;
    // An invalid spec is bad input, not "nothing started".
    let (code, stderr) = simulate(&invalid, matching);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("error[fargate-size]"), "{stderr}");
    let (code, _, stderr) = common::run(tfc().arg("event").arg(&invalid).arg("manage"));
    assert_eq!(code, Some(2), "{stderr}");
    // Invalid events.
    for bad in ["{not json", "42", "[1]", ""] {
        let (code, stderr) = simulate(&seed, bad);
        assert_eq!(code, Some(2), "{bad:?}: {stderr}");
    }
    // Valid input: 0 when a task starts, 1 when none does.
    assert_eq!(simulate(&seed, matching).0, Some(0));
    let other = r#"{"source":"com.other","detail-type":"Management","detail":{}}"#;
    assert_eq!(simulate(&seed, other).0, Some(1));
    // tfc event: a value the pattern rejects builds an event that starts nothing.
    let safe = common::root().join("examples/safe-argv/spec.yaml");
    let (code, _, stderr) = common::run(
        tfc()
            .arg("event")
            .arg(&safe)
            .arg("run")
            .args(["--set", "$.detail.command=rm"]),
    );
    assert_eq!(code, Some(1), "{stderr}");
    let (code, _, _) = common::run(tfc().arg("event").arg(&seed).arg("no-such-task"));
    assert_eq!(code, Some(2));
}

/// The subcommands `tfc --help` lists (without clap's `help`).
fn help_commands() -> Vec<String> {
    let (code, help, _) = common::run(tfc().arg("--help"));
    assert_eq!(code, Some(0));
    let section = help
        .split("Commands:\n")
        .nth(1)
        .expect("a Commands: section")
        .split("\n\n")
        .next()
        .unwrap_or("");
    let mut names: Vec<String> = section
        .lines()
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|n| *n != "help")
        .map(str::to_string)
        .collect();
    names.sort();
    names
}

#[test]
fn the_readme_command_list_matches_tfc_help_both_ways() {
    let readme = std::fs::read_to_string(common::root().join("README.md")).unwrap();
    let block = readme
        .split("```")
        .nth(1)
        .expect("README.md has a code block");
    let mut listed: Vec<String> = Vec::new();
    for line in block.lines().filter(|l| l.starts_with("tfc ")) {
        let mut words = line.split_whitespace().skip(1);
        let command = words.next().unwrap_or("").to_string();
        // Every option the line shows exists in that command's --help.
        let (code, help, _) = common::run(tfc().args([&command, "--help"]));
        assert_eq!(
            code,
            Some(0),
            "README lists `tfc {command}`, which has no --help"
        );
        for word in line.split('#').next().unwrap_or("").split_whitespace() {
            let flag = word.trim_start_matches('[');
            if let Some(flag) = flag
                .strip_prefix("--")
                .or(flag.strip_prefix('-').filter(|f| f.len() == 1))
            {
                let flag: String = flag
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                    .collect();
                let shown = if flag.len() == 1 {
                    format!("-{flag}")
                } else {
                    format!("--{flag}")
                };
                assert!(
                    help.contains(&shown),
                    "README: `tfc {command}` shows {shown}, its --help does not:\n{help}"
                );
            }
        }
        listed.push(command);
    }
    listed.sort();
    let mut unique = listed.clone();
    unique.dedup();
    assert_eq!(listed, unique, "a command listed twice in the README");
    let help = help_commands();
    for c in &help {
        assert!(
            listed.contains(c),
            "`tfc --help` has `{c}`, the README's command list does not"
        );
    }
    for c in &listed {
        assert!(
            help.contains(c),
            "the README lists `tfc {c}`, `tfc --help` does not"
        );
    }
    // The README's exit-code table covers every command too.
    let table: Vec<String> = readme
        .split("## Exit codes")
        .nth(1)
        .expect("README.md has an `## Exit codes` section")
        .lines()
        .filter_map(|l| l.strip_prefix("| `tfc "))
        .filter_map(|l| l.split('`').next())
        .map(|c| c.split_whitespace().next().unwrap_or("").to_string())
        .collect();
    for c in &help {
        assert!(
            table.contains(c),
            "README's exit codes table has no row for `tfc {c}`"
        );
    }
}

#[test]
fn every_command_documents_its_exit_codes_in_its_help() {
    let (_, top, _) = common::run(tfc().arg("--help"));
    assert!(top.contains("Exit codes:"), "{top}");
    for command in help_commands() {
        let (code, help, _) = common::run(tfc().args([&command, "--help"]));
        assert_eq!(code, Some(0));
        let text = help.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            text.contains("Exit codes: 0 "),
            "`tfc {command} --help` documents no exit codes:\n{help}"
        );
        assert!(
            text.contains(" 2 "),
            "`tfc {command} --help` does not say what 2 means"
        );
    }
}

/// `tfc check` on the seed (one warning) with `args` before the command, stderr as the
/// process sees it: piped, or a terminal when `tty` (run under `script`, util-linux).
fn check_stderr(args: &[&str], no_color: Option<&str>, tty: bool) -> String {
    let seed = common::seed();
    let mut cmd = if tty {
        let quote = |s: &str| format!("'{}'", s.replace('\'', r"'\''"));
        let mut line = quote(env!("CARGO_BIN_EXE_tfc"));
        for a in args.iter().copied().chain(["check"]) {
            line.push(' ');
            line.push_str(&quote(a));
        }
        line.push(' ');
        line.push_str(&quote(&seed.display().to_string()));
        let mut c = std::process::Command::new("script");
        c.args(["-q", "-e", "-c", &line, "/dev/null"]);
        c
    } else {
        let mut c = tfc();
        c.args(args).arg("check").arg(&seed);
        c
    };
    cmd.env_remove("NO_COLOR");
    if let Some(v) = no_color {
        cmd.env("NO_COLOR", v);
    }
    let out = cmd
        .output()
        .expect("`script` (util-linux) runs a command on a pseudo-terminal");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = if tty { out.stdout } else { out.stderr };
    let text = String::from_utf8_lossy(&text).into_owned();
    assert!(text.contains("shell-injection"), "{text}");
    text
}

#[test]
fn diagnostics_are_coloured_exactly_when_asked_or_on_a_terminal() {
    // Piped: plain by default, coloured only with --color always (also over NO_COLOR).
    assert!(!common::has_ansi(&check_stderr(&[], None, false)));
    assert!(!common::has_ansi(&check_stderr(
        &["--color", "auto"],
        None,
        false
    )));
    assert!(!common::has_ansi(&check_stderr(
        &["--color", "never"],
        None,
        false
    )));
    let always = check_stderr(&["--color", "always"], Some("1"), false);
    assert!(
        always.contains("\u{1b}[1;33mwarning[shell-injection]\u{1b}[0m"),
        "{always}"
    );
    assert!(always.contains("\u{1b}[1;34m-->\u{1b}[0m"), "{always}");
    assert!(always.contains("\u{1b}[1;36mhelp\u{1b}[0m"), "{always}");
    // The option is global: it may follow the command too.
    let (_, _, after) = common::run(
        tfc()
            .arg("check")
            .arg(common::seed())
            .args(["--color", "always"]),
    );
    assert!(common::has_ansi(&after));
    // On a terminal: coloured unless NO_COLOR is set to something non-empty, or never.
    assert!(common::has_ansi(&check_stderr(&[], None, true)));
    assert!(common::has_ansi(&check_stderr(&[], Some(""), true)));
    assert!(!common::has_ansi(&check_stderr(&[], Some("1"), true)));
    assert!(!common::has_ansi(&check_stderr(
        &["--color", "never"],
        None,
        true
    )));
    assert!(common::has_ansi(&check_stderr(
        &["--color", "always"],
        Some("1"),
        true
    )));
}

#[test]
fn many_files_are_checked_in_parallel_and_reported_in_argument_order() {
    // Every file of the invalid corpus, twice over, on one thread and on all: byte-identical
    // reports, in the order given, in every format.
    let mut files: Vec<std::path::PathBuf> =
        std::fs::read_dir(common::root().join("tests/invalid"))
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .collect();
    files.sort();
    let mut twice = files.clone();
    twice.extend(files.iter().rev().cloned());
    for format in ["human", "json"] {
        let run = |threads: Option<&str>| {
            let mut cmd = common::tfc();
            cmd.arg("check").args(["--format", format]).args(&twice);
            if let Some(n) = threads {
                cmd.env("RAYON_NUM_THREADS", n);
            }
            cmd.output().unwrap()
        };
        let one = run(Some("1"));
        let all = run(None);
        assert_eq!(one.status.code(), Some(1));
        assert_eq!(
            (all.status.code(), &all.stdout, &all.stderr),
            (one.status.code(), &one.stdout, &one.stderr),
            "{format}"
        );
        let text = String::from_utf8_lossy(if one.stdout.is_empty() {
            &one.stderr
        } else {
            &one.stdout
        })
        .into_owned();
        let first = text
            .find(files[0].file_name().unwrap().to_str().unwrap())
            .unwrap();
        let second = text
            .find(files[1].file_name().unwrap().to_str().unwrap())
            .unwrap();
        assert!(first < second, "reports follow the argument order");
    }
}
