//! checkov (pinned, tests/tools/checkov-requirements.txt) on every example's CloudFormation and
//! Terraform output: no finding except the ones the README's "Security" section lists with the
//! reason they do not apply ([`NOT_APPLICABLE`]). Each listed check must still fire on some
//! output without the skip, so the list never hides more than it says.

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use common::{example_specs, root, tools};
use serde_json::Value;

/// Checks that do not apply to tfc's outputs; the README explains each.
const NOT_APPLICABLE: [&str; 6] = [
    "CKV_AWS_65",  // Container Insights on the cluster tfc creates
    "CKV_AWS_66",  // log retention unset (never expire, CloudWatch's default)
    "CKV_AWS_158", // log groups encrypted with a customer-managed KMS key
    "CKV_AWS_297", // Scheduler schedules encrypted with a customer-managed KMS key
    "CKV_AWS_336", // read-only root file system
    "CKV_AWS_338", // log retention of at least a year
];

/// Runs checkov (offline, deterministic) and returns the failed checks as (id, resource, file).
fn checkov(dir: &Path, args: &[&str], skip: bool) -> Vec<(String, String, String)> {
    let exe = tools().join("checkov/bin/checkov");
    assert!(
        exe.exists(),
        "{} is missing: run scripts/test, which installs the pinned validators",
        exe.display()
    );
    let mut cmd = Command::new(exe);
    cmd.current_dir(dir)
        .args(args)
        .args(["-o", "json", "--skip-download"])
        .env("BC_SKIP_MAPPING", "TRUE")
        .env("CKV_SKIP_PACKAGE_UPDATE_CHECK", "true")
        .env("CKV_PARSE_ERROR_FAIL", "true")
        .env("PYTHONHASHSEED", "0");
    if skip {
        cmd.arg("--skip-check").arg(NOT_APPLICABLE.join(","));
    }
    let out = cmd.output().unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "checkov printed no JSON ({e}): {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let reports = match report {
        Value::Array(items) => items,
        other => vec![other],
    };
    let mut failed = Vec::new();
    for r in &reports {
        assert_eq!(
            r["summary"]["parsing_errors"],
            0,
            "{}: checkov could not parse an output",
            dir.display()
        );
        assert!(
            r["summary"]["passed"].as_u64().unwrap_or(0) > 0,
            "{}: checkov checked nothing: {r}",
            dir.display()
        );
        for f in r["results"]["failed_checks"]
            .as_array()
            .into_iter()
            .flatten()
        {
            failed.push((
                f["check_id"].as_str().unwrap_or_default().to_string(),
                f["resource"].as_str().unwrap_or_default().to_string(),
                f["file_path"].as_str().unwrap_or_default().to_string(),
            ));
        }
    }
    failed
}

/// Copies every example's CloudFormation and Terraform output into one folder for one scan.
fn outputs() -> std::path::PathBuf {
    let dir = common::scratch("checkov");
    for spec in example_specs() {
        let example = spec.parent().unwrap();
        let name = example.file_name().unwrap();
        for target in ["cloudformation", "terraform"] {
            let to = dir.join(name).join(target);
            std::fs::create_dir_all(&to).unwrap();
            for e in std::fs::read_dir(example.join(target)).unwrap().flatten() {
                std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
            }
        }
    }
    dir
}

#[test]
#[ignore = "needs the pinned validators: run scripts/test"]
fn checkov_finds_nothing_beyond_the_documented_exceptions() {
    common::progress("checkov on every example's CloudFormation and Terraform output");
    let dir = outputs();
    let args = ["-d", ".", "--framework", "cloudformation", "terraform"];
    let failed = checkov(&dir, &args, true);
    assert!(failed.is_empty(), "checkov: {failed:#?}");
    // Every scanned file was an output: CloudFormation YAML and JSON, and the Terraform modules.
    let fired: BTreeSet<String> = checkov(&dir, &args, false)
        .into_iter()
        .map(|f| f.0)
        .collect();
    for id in NOT_APPLICABLE {
        assert!(
            fired.contains(id),
            "{id} no longer fires: remove it from the exceptions and the README"
        );
    }
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    for id in NOT_APPLICABLE {
        assert!(readme.contains(id), "README does not explain {id}");
    }
}

#[test]
#[ignore = "needs the pinned validators: run scripts/test"]
fn checkov_flags_a_wildcard_policy() {
    // The control: checkov does report a finding tfc's outputs must not have.
    let dir = common::scratch("checkov-control");
    let good =
        std::fs::read_to_string(root().join("examples/django-manage/cloudformation/template.yaml"))
            .unwrap();
    let bad = good.replacen(
        "              - logs:CreateLogStream\n              - logs:PutLogEvents\n            Resource:\n              Fn::GetAtt:\n                - ManageLogGroup\n                - Arn\n",
        "              - \"*\"\n            Resource: \"*\"\n",
        1,
    );
    assert_ne!(good, bad);
    std::fs::write(dir.join("template.yaml"), bad).unwrap();
    let failed = checkov(
        &dir,
        &["-f", "template.yaml", "--framework", "cloudformation"],
        true,
    );
    assert!(
        !failed.is_empty(),
        "checkov found nothing in a wildcard policy"
    );
}
