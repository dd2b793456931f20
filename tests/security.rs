//! Untrusted input end to end: resource limits (memory, reading, alias expansion, event streams,
//! path indices), text fidelity (NEL, CRLF checkouts), and the invariants every output keeps for
//! any spec (no spec text inside `Fn::Sub` as a reference, roles trusted only by their own
//! account). The hostile specs themselves are in the invalid corpus (`tests/invalid/security-*`).

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use common::{example_specs, root, scratch, tfc};
use pretty_assertions::assert_eq;
use serde_json::Value;

/// Runs `tfc ARGS` through `sh` with its address space limited to `mib` MiB, so a test fails
/// (instead of the machine swapping) when memory is not bounded.
fn limited(mib: u64, args: &str) -> std::process::Output {
    Command::new("sh")
        .arg("-c")
        .arg(format!("ulimit -v {}; exec \"$TFC\" {args}", mib * 1024))
        .env("TFC", env!("CARGO_BIN_EXE_tfc"))
        .output()
        .unwrap()
}

fn diagnostics(stdout: &[u8]) -> Vec<Value> {
    let v: Value = serde_json::from_slice(stdout).unwrap();
    v[0]["diagnostics"].as_array().cloned().unwrap_or_default()
}

#[test]
fn an_endless_input_is_read_only_up_to_the_limit() {
    let out = limited(64, "check --format json /dev/zero");
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let d = diagnostics(&out.stdout);
    assert_eq!(d[0]["code"], "too-large");
}

#[test]
fn an_alias_bomb_is_refused_before_anything_expands_it() {
    // About 200 KB: each level references the previous one ten times (10^n expansion).
    let mut bomb =
        String::from("version: 1\nl0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    let mut i = 1;
    while bomb.len() < 200_000 {
        let refs = vec![format!("*l{}", i - 1); 10].join(", ");
        bomb.push_str(&format!("l{i}: &l{i} [{refs}]\n"));
        i += 1;
    }
    let dir = scratch("bomb");
    let path = dir.join("bomb.yaml");
    std::fs::write(&path, &bomb).unwrap();
    let out = limited(256, &format!("check --format json {}", path.display()));
    assert_eq!(out.status.code(), Some(1));
    let d = diagnostics(&out.stdout);
    assert_eq!(d[0]["code"], "too-large", "{d:?}");
    assert!(d[0]["message"].as_str().unwrap().contains("aliases"));
}

#[test]
fn huge_indices_are_refused_not_allocated() {
    let spec = root().join("examples/django-manage/spec.yaml");
    let out = limited(
        256,
        &format!(
            "event {} manage --set '$.detail.x[4000000000]=1'",
            spec.display()
        ),
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("an index that is not a number from 0 to 131071"),
        "{err}"
    );
}

#[test]
fn event_paths_are_bounded_in_length_and_in_what_they_add_up_to() {
    // Each a clean error under a 256 MB limit: a path deep enough to overflow the stack, indices
    // that together (or alone, with null padding) would make an event PutEvents refuses.
    let spec = root().join("examples/django-manage/spec.yaml");
    let deep = format!("$.detail{}", ".a".repeat(5000));
    let wide = format!("$.detail{}", "[131071]".repeat(60));
    for (set, expected) in [
        (deep.as_str(), "EventBridge reads paths of at most 256"),
        (wide.as_str(), "EventBridge reads paths of at most 256"),
        ("$.detail.x[131071]", "above the 262144 it accepts"),
        (
            "$.detail.x[100000]=1' --set '$.detail.y[100000]",
            "would be over 256 KB",
        ),
    ] {
        let out = limited(
            256,
            &format!("event {} manage --set '{set}=1'", spec.display()),
        );
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{set:.60}: {err}");
        assert!(err.contains(expected), "{set:.60}: {err}");
    }
}

/// A spec of `tasks` event-triggered tasks that all match `source: com.acme`.
fn wide_spec(tasks: usize) -> String {
    let mut s = String::from(
        "version: 1\nname: wide\ndefaults:\n  image: nginx:latest\n  network:\n    subnets: [subnet-0123456789abcdef0]\ntasks:\n",
    );
    for i in 0..tasks {
        s.push_str(&format!(
            "  t{i}:\n    trigger:\n      event:\n        source: [com.acme]\n    overrides:\n      environment:\n        X: {{ from: $.detail.x }}\n"
        ));
    }
    s
}

#[test]
fn simulate_streams_events_with_bounded_memory() {
    let dir = scratch("stream");
    let spec = dir.join("spec.yaml");
    std::fs::write(&spec, wide_spec(50)).unwrap();
    let events = dir.join("events.json");
    let mut f = std::fs::File::create(&events).unwrap();
    // 1,000 events × 50 tasks = 50,000 outcomes: about 300 MB if they were all kept (measured
    // before streaming), 10 MB streamed.
    writeln!(f, "[").unwrap();
    for i in 0..1000 {
        let sep = if i == 0 { "" } else { "," };
        writeln!(
            f,
            "{sep}{{\"source\":\"com.acme\",\"detail-type\":\"Run\",\"detail\":{{\"x\":\"value {i}\"}}}}"
        )
        .unwrap();
    }
    writeln!(f, "]").unwrap();
    drop(f);
    let out = limited(
        100,
        &format!(
            "simulate {} --event {} --format json > {}",
            spec.display(),
            events.display(),
            dir.join("out.json").display()
        ),
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The streamed JSON is one well-formed array with every outcome.
    let all: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("out.json")).unwrap()).unwrap();
    let all = all.as_array().unwrap();
    assert_eq!(all.len(), 50_000);
    assert_eq!(all[49_999]["event"], 999);
    assert_eq!(all[49_999]["environment"]["X"], "value 999");
}

#[test]
fn simulate_refuses_an_entry_put_events_would_refuse() {
    let spec = root().join("examples/django-manage/spec.yaml");
    let big = format!(
        "{{\"Source\":\"com.corp.env.my-proj.manage\",\"DetailType\":\"Management\",\"Detail\":\"{{\\\"command\\\":\\\"{}\\\"}}\"}}",
        "x".repeat(300 * 1024)
    );
    let mut child = tfc()
        .args(["simulate"])
        .arg(&spec)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(big.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("EventBridge rejects entries over 262144 bytes"),
        "{err}"
    );
}

#[test]
fn a_raw_next_line_character_is_content_in_every_output() {
    let dir = scratch("nel");
    let spec = dir.join("spec.yaml");
    std::fs::write(
        &spec,
        "version: 1\nname: nel\ntasks:\n  a:\n    image: nginx:latest\n    description: \"before\u{85}after \u{2028}ls\"\n    environment:\n      X: plain\u{85}value\n    network:\n      subnets: [subnet-0123456789abcdef0]\n    trigger:\n      schedule: rate(1 hour)\n",
    )
    .unwrap();
    let out = tfc()
        .arg("compile")
        .arg(&spec)
        .args(["-t", "cloudformation", "--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let t: Value = serde_json::from_slice(&out.stdout).unwrap();
    let rule = &t["Resources"]["ARule"]["Properties"];
    assert_eq!(rule["Description"], "before\u{85}after \u{2028}ls");
    let env = &t["Resources"]["ATaskDefinition"]["Properties"]["ContainerDefinitions"][0]
        ["Environment"][0];
    assert_eq!(env["Value"], "plain\u{85}value");
}

#[test]
fn compile_check_accepts_a_crlf_checkout_of_the_same_output() {
    let dir = scratch("crlf");
    let spec = root().join("examples/django-manage/spec.yaml");
    let golden = root().join("examples/django-manage/terraform");
    for e in std::fs::read_dir(&golden).unwrap().flatten() {
        let text = std::fs::read_to_string(e.path()).unwrap();
        std::fs::write(dir.join(e.file_name()), text.replace('\n', "\r\n")).unwrap();
    }
    let out = tfc()
        .arg("compile")
        .arg(&spec)
        .args(["-t", "terraform", "--check", "-o"])
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    // A real difference is still one.
    let main = dir.join("main.tf");
    let stale = std::fs::read_to_string(&main)
        .unwrap()
        .replace("2048", "1024");
    std::fs::write(&main, stale).unwrap();
    let out = tfc()
        .arg("compile")
        .arg(&spec)
        .args(["-t", "terraform", "--check", "-o"])
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
}

/// The CloudFormation template of a spec, as JSON.
fn cloudformation(spec: &std::path::Path) -> Value {
    let out = tfc()
        .arg("compile")
        .arg(spec)
        .args(["-t", "cloudformation", "--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Every `${…}` an `Fn::Sub` string references (skipping `${!…}` escapes).
fn sub_references(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            let (text, vars) = match m.get("Fn::Sub") {
                Some(Value::String(s)) => (Some(s.as_str()), None),
                Some(Value::Array(a)) => (a[0].as_str(), a[1].as_object()),
                _ => (None, None),
            };
            if let Some(mut rest) = text {
                while let Some(i) = rest.find("${") {
                    let after = &rest[i + 2..];
                    let name = after.split('}').next().unwrap_or_default();
                    // Escapes, and the variables the Sub defines itself, reference nothing.
                    if !after.starts_with('!') && !vars.is_some_and(|v| v.contains_key(name)) {
                        out.push(name.to_string());
                    }
                    rest = after;
                }
            }
            m.values().for_each(|x| sub_references(x, out));
        }
        Value::Array(a) => a.iter().for_each(|x| sub_references(x, out)),
        _ => {}
    }
}

#[test]
fn fn_sub_references_only_what_tfc_writes_and_roles_trust_only_their_account() {
    let mut specs = example_specs();
    specs.push(root().join("tests/hostile/spec.yaml"));
    for spec in specs {
        let t = cloudformation(&spec);
        let resources = t["Resources"].as_object().unwrap();
        let mut refs = Vec::new();
        sub_references(&t, &mut refs);
        for r in refs {
            let name = r.split('.').next().unwrap_or_default();
            assert!(
                name.starts_with("AWS::") || resources.contains_key(name),
                "{}: Fn::Sub references `{r}`",
                spec.display()
            );
        }
        for (id, r) in resources {
            if r["Type"] != "AWS::IAM::Role" {
                continue;
            }
            let statements = r["Properties"]["AssumeRolePolicyDocument"]["Statement"]
                .as_array()
                .unwrap();
            for s in statements {
                assert_eq!(
                    s["Condition"],
                    serde_json::json!({"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}),
                    "{}: {id}",
                    spec.display()
                );
            }
        }
    }
}

#[test]
fn every_role_trusts_only_its_own_account_in_every_target() {
    // The same roles, each with `aws:SourceAccount`, in CloudFormation, Terraform and CDK (not
    // only through the golden files, which a careless bless would rewrite).
    use tfc::targets::Target;
    let mut specs = example_specs();
    specs.push(root().join("tests/hostile/spec.yaml"));
    for spec in specs {
        let t = cloudformation(&spec);
        let cfn_roles = t["Resources"]
            .as_object()
            .unwrap()
            .values()
            .filter(|r| r["Type"] == "AWS::IAM::Role")
            .count();
        let terraform = common::render(&std::fs::read(&spec).unwrap(), Target::Terraform);
        let tf_roles: Vec<&str> = terraform
            .split("\nresource ")
            .filter(|b| b.starts_with("\"aws_iam_role\" "))
            .collect();
        for block in &tf_roles {
            let block = block.split("\n}\n").next().unwrap();
            assert!(
                block.contains(
                    "StringEquals = { \"aws:SourceAccount\" = data.aws_caller_identity.current.account_id }"
                ),
                "{}: {block}",
                spec.display()
            );
        }
        let cdk = common::render(&std::fs::read(&spec).unwrap(), Target::Cdk);
        let cdk_roles: Vec<&str> = cdk.split("new iam.Role(").skip(1).collect();
        for block in &cdk_roles {
            let block = block.split("});").next().unwrap();
            assert!(
                block.contains("\"aws:SourceAccount\": Aws.ACCOUNT_ID"),
                "{}: {block}",
                spec.display()
            );
        }
        assert!(cfn_roles > 0);
        assert_eq!(
            (tf_roles.len(), cdk_roles.len()),
            (cfn_roles, cfn_roles),
            "{}",
            spec.display()
        );
    }
}
