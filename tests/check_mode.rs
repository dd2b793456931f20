//! `tfc compile --check` (the stale-output check pre-commit and CI use) and `tfc completions`.

mod common;

use common::scratch;

use common::{root, tfc};
use pretty_assertions::assert_eq;

fn copy_golden(target: &str, to: &std::path::Path) {
    let from = root().join("examples/django-manage").join(target);
    for e in std::fs::read_dir(&from).unwrap().flatten() {
        if e.path().is_file() {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

#[test]
fn up_to_date_output_passes() {
    let dir = scratch("fresh");
    copy_golden("terraform", &dir);
    let out = tfc()
        .arg("compile")
        .arg(root().join("examples/django-manage/spec.yaml"))
        .args(["-t", "terraform", "--check", "-o"])
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn stale_output_fails_with_a_unified_diff_and_is_not_rewritten() {
    let dir = scratch("stale");
    copy_golden("terraform", &dir);
    let main = dir.join("main.tf");
    let stale = std::fs::read_to_string(&main).unwrap().replace(
        "cpu                      = \"2048\"",
        "cpu                      = \"1024\"",
    );
    std::fs::write(&main, &stale).unwrap();
    let out = tfc()
        .arg("compile")
        .arg(root().join("examples/django-manage/spec.yaml"))
        .args(["-t", "terraform", "--check", "-o"])
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let diff = String::from_utf8(out.stdout).unwrap();
    assert!(diff.contains(&format!("--- {}", main.display())), "{diff}");
    assert!(
        diff.contains(
            "-  cpu                      = \"1024\"\n+  cpu                      = \"2048\"\n"
        ),
        "{diff}"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("out of date"));
    assert_eq!(
        std::fs::read_to_string(&main).unwrap(),
        stale,
        "--check must not write"
    );
}

#[test]
fn missing_output_fails() {
    let dir = scratch("missing");
    let out = tfc()
        .arg("compile")
        .arg(root().join("examples/django-manage/spec.yaml"))
        .args(["-t", "cfn", "--check", "-o"])
        .arg(dir.join("template.yaml"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("--- /dev/null\n"));
    assert!(!dir.join("template.yaml").exists());
    // --check without -o is a usage error.
    let out = tfc()
        .arg("compile")
        .arg(root().join("examples/django-manage/spec.yaml"))
        .args(["-t", "cfn", "--check"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn completions_for_every_shell() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = tfc().args(["completions", shell]).output().unwrap();
        assert!(out.status.success(), "{shell}");
        let script = String::from_utf8(out.stdout).unwrap();
        assert!(
            script.contains("compile")
                && script.contains("target")
                && script.contains("completions"),
            "{shell}"
        );
    }
}

#[test]
fn stale_files_fail_the_check_as_deletions_and_compiling_deletes_them() {
    let dir = scratch("stale-files");
    copy_golden("terraform", &dir);
    // An earlier compile (of another target) wrote template.yaml and listed it.
    std::fs::write(
        dir.join(".tfc-files"),
        "main.tf\noutputs.tf\ntemplate.yaml\nversions.tf\n",
    )
    .unwrap();
    std::fs::write(dir.join("template.yaml"), "Resources: {}\n").unwrap();
    std::fs::write(dir.join("notes.md"), "mine\n").unwrap();
    let check = || {
        common::run(
            tfc()
                .arg("compile")
                .arg(common::seed())
                .args(["-t", "terraform", "--check", "-o"])
                .arg(&dir),
        )
    };
    let (code, diff, stderr) = check();
    assert_eq!(code, Some(1), "{stderr}");
    let stale = dir.join("template.yaml");
    assert!(
        diff.contains(&format!(
            "--- {}\n+++ /dev/null\n@@ -1 +0,0 @@\n-Resources: {{}}\n",
            stale.display()
        )),
        "{diff}"
    );
    assert!(
        diff.contains("-template.yaml\n"),
        "the manifest changes too: {diff}"
    );
    assert!(!diff.contains("notes.md"), "{diff}");
    assert!(stderr.contains("1 stale"), "{stderr}");
    assert!(stale.exists(), "--check must not delete");

    let (code, _, stderr) = common::run(
        tfc()
            .arg("compile")
            .arg(common::seed())
            .args(["-t", "terraform", "-o"])
            .arg(&dir),
    );
    assert_eq!(code, Some(0), "{stderr}");
    assert!(!stale.exists());
    assert!(dir.join("notes.md").exists());
    let (code, diff, stderr) = check();
    assert_eq!(code, Some(0), "{diff}{stderr}");
}

#[test]
fn output_without_its_manifest_is_out_of_date() {
    let dir = scratch("no-manifest");
    copy_golden("terraform", &dir);
    std::fs::remove_file(dir.join(".tfc-files")).unwrap();
    let (code, diff, _) = common::run(
        tfc()
            .arg("compile")
            .arg(common::seed())
            .args(["-t", "terraform", "--check", "-o"])
            .arg(&dir),
    );
    assert_eq!(code, Some(1));
    assert_eq!(
        diff,
        format!(
            "--- /dev/null\n+++ {}\n@@ -0,0 +1,3 @@\n+main.tf\n+outputs.tf\n+versions.tf\n",
            dir.join(".tfc-files").display()
        )
    );
}
