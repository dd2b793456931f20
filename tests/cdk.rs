//! The CDK target, judged by the real tools (pinned aws-cdk-lib, TypeScript 5.9, prettier): every
//! golden app type-checks with `tsc --strict`, is prettier-clean, synthesizes offline without
//! CDK warnings, and describes the same deployment as `tfc compile --target cloudformation`
//! (cross-target equivalence). The hostile spec's values survive TypeScript and synthesis.

mod common;

use common::scratch;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{example_specs, node_modules, root, tfc};
use pretty_assertions::assert_eq;
use serde_json::{json, Map, Value};

fn node_tool(bin: &str) -> PathBuf {
    node_modules().join(bin)
}

/// Compiles `spec` to a CDK app in a fresh folder wired to the pinned node_modules.
fn app(spec: &Path, name: &str) -> PathBuf {
    let dir = common::compile_to_dir(spec, "cdk", name);
    std::os::unix::fs::symlink(node_modules(), dir.join("node_modules")).unwrap();
    dir
}

fn run(cmd: &mut Command, what: &str) -> String {
    let out = cmd.output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{what} failed:\n{text}");
    text
}

/// The real CDK CLI's `cdk synth` of the compiled app `bin` in `dir` into `out_dir`. The app is
/// the compiled JavaScript (cdk.json's ts-node is not among the test tools); everything else
/// comes from cdk.json. Notices, the version check and telemetry would ask the network: they
/// are off (the feature-flags notice is not one of them).
fn cdk_synth(dir: &Path, bin: &Path, out_dir: &Path) -> Command {
    let mut cmd = Command::new("node");
    cmd.arg(node_tool("aws-cdk/bin/cdk"))
        .args(["synth", "--quiet", "--no-notices", "--app"])
        .arg(format!("node {}", bin.display()))
        .arg("--output")
        .arg(out_dir)
        .current_dir(dir)
        .env("CDK_DISABLE_VERSION_CHECK", "true")
        .env("CDK_DISABLE_CLI_TELEMETRY", "true")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_REGION")
        .env_remove("AWS_DEFAULT_REGION");
    cmd
}

/// Type-checks with `tsc --strict`, compiles, and synthesizes offline into `cdk.out` with the
/// real CDK CLI (`cdk synth`, the version the generated package.json pins, reading cdk.json as a
/// user's `npx cdk synth` does); returns the stack template and asserts the CLI printed nothing
/// (no warning, no "feature flags are not configured" notice), CDK recorded no warning or error,
/// and its built-in template validation (an error with
/// `@aws-cdk/core:validateAgainstDefaultRules`, which cdk.json sets) reported nothing.
fn synth(dir: &Path) -> Value {
    synth_with(dir, &[])
}

/// [`synth`] with context values (`cdk synth -c KEY=VALUE`).
fn synth_with(dir: &Path, context: &[(&str, &str)]) -> Value {
    common::progress(&format!("tsc and cdk synth of {}", dir.display()));
    let tsc = node_tool("typescript/bin/tsc");
    run(
        Command::new("node")
            .arg(&tsc)
            .args(["--strict", "--noEmit", "-p"])
            .arg(dir),
        "tsc --strict --noEmit",
    );
    run(Command::new("node").arg(&tsc).arg("-p").arg(dir), "tsc");
    let bin = std::fs::read_dir(dir.join("bin"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "js"))
        .unwrap();
    let out_dir = dir.join("cdk.out");
    let cdk_json: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("cdk.json")).unwrap()).unwrap();
    assert_eq!(
        cdk_json["context"]["@aws-cdk/core:validateAgainstDefaultRules"],
        json!(true)
    );
    let mut cmd = cdk_synth(dir, &bin, &out_dir);
    for (k, v) in context {
        cmd.arg("-c").arg(format!("{k}={v}"));
    }
    let printed = run(&mut cmd, "cdk synth");
    assert_eq!(printed.trim(), "", "{}: cdk synth printed", dir.display());
    let mut template = None;
    for entry in std::fs::read_dir(&out_dir).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".metadata.json") {
            let meta: Value =
                serde_json::from_str(&std::fs::read_to_string(entry.path()).unwrap()).unwrap();
            for (path, entries) in meta.as_object().unwrap() {
                for e in entries.as_array().unwrap() {
                    let kind = e["type"].as_str().unwrap();
                    assert!(
                        kind != "aws:cdk:warning" && kind != "aws:cdk:error",
                        "{}: {path}: {kind}: {}",
                        dir.display(),
                        e["data"]
                    );
                }
            }
        }
        if name == "validation-report.json" {
            let report: Value =
                serde_json::from_str(&std::fs::read_to_string(entry.path()).unwrap()).unwrap();
            assert_eq!(
                report["pluginReports"],
                json!([]),
                "{}: CDK validation reported problems",
                dir.display()
            );
        }
        if name.ends_with(".template.json") {
            // The synthesized template is cfn-lint clean too. CDK writes C1 controls and DEL
            // raw (valid JSON) and cfn-lint's reader refuses them, so the same value is linted
            // re-encoded with `\u` escapes.
            let value: Value =
                serde_json::from_str(&std::fs::read_to_string(entry.path()).unwrap()).unwrap();
            let linted = dir.join("linted.template.json");
            std::fs::write(&linted, tfc::targets::json_pretty(&value).unwrap()).unwrap();
            let lint = Command::new(common::python_tool("cfn-lint"))
                .arg("--")
                .arg(&linted)
                .output()
                .unwrap();
            assert!(
                lint.status.success() && lint.stdout.is_empty(),
                "{}: cfn-lint on the synthesized template:\n{}{}",
                dir.display(),
                String::from_utf8_lossy(&lint.stdout),
                String::from_utf8_lossy(&lint.stderr)
            );
            template = Some(
                serde_json::from_str(&std::fs::read_to_string(entry.path()).unwrap()).unwrap(),
            );
        }
    }
    template.expect("a synthesized template")
}

fn cfn(spec: &Path) -> Value {
    let out = tfc()
        .arg("compile")
        .arg(spec)
        .args(["-t", "cloudformation", "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Canonical names for logical ids: by type and the AWS name each resource is given, so the
/// two templates can be compared without their (different) logical ids.
fn canonical_ids(t: &Value) -> BTreeMap<String, String> {
    let resources = t["Resources"].as_object().unwrap();
    let mut ids = BTreeMap::new();
    let name = |r: &Value| -> Option<String> {
        let p = &r["Properties"];
        let s = match r["Type"].as_str()? {
            "AWS::ECS::Cluster" => "cluster".to_string(),
            "AWS::ECS::ClusterCapacityProviderAssociations" => "capacity-providers".to_string(),
            "AWS::Logs::LogGroup" => format!("log-group {}", p["LogGroupName"].as_str()?),
            "AWS::IAM::Role" => format!("role {}", p["RoleName"].as_str()?),
            "AWS::ECS::TaskDefinition" => format!("task-definition {}", p["Family"].as_str()?),
            "AWS::Events::Rule" => format!("rule {}", p["Name"].as_str()?),
            "AWS::Scheduler::Schedule" => format!("schedule {}", p["Name"].as_str()?),
            _ => return None,
        };
        Some(s)
    };
    for (id, r) in resources {
        if let Some(n) = name(r) {
            ids.insert(id.clone(), n);
        }
    }
    // Policies and queue policies are named after what they attach to.
    for (id, r) in resources {
        match r["Type"].as_str().unwrap() {
            "AWS::IAM::Policy" => {
                let role = r["Properties"]["Roles"][0]["Ref"].as_str().unwrap();
                ids.insert(id.clone(), format!("policy of {}", ids[role]));
            }
            "AWS::SQS::QueuePolicy" => {
                let arn = r["Properties"]["PolicyDocument"]["Statement"][0]["Resource"]
                    .as_str()
                    .unwrap();
                ids.insert(id.clone(), format!("queue-policy {arn}"));
            }
            _ => {}
        }
    }
    for (id, c) in t["Conditions"].as_object().into_iter().flatten() {
        ids.insert(id.clone(), format!("condition {}", c));
    }
    ids
}

/// Evaluates intrinsics to canonical strings (`${role x.Arn}`), renames logical ids, drops
/// labels (policy names, target ids) and CDK's own metadata.
fn normalize(t: &Value) -> Value {
    let ids = canonical_ids(t);
    fn eval(v: &Value, ids: &BTreeMap<String, String>) -> Value {
        let rename = |x: &str| ids.get(x).cloned().unwrap_or_else(|| x.to_string());
        let sub = |s: &str| -> String {
            let mut out = String::new();
            let mut rest = s;
            while let Some(i) = rest.find("${") {
                out.push_str(&rest[..i]);
                let end = rest[i..].find('}').map(|e| i + e).unwrap_or(rest.len() - 1);
                let inner = &rest[i + 2..end];
                let (res, attr) = inner
                    .split_once('.')
                    .map_or((inner, None), |(r, a)| (r, Some(a)));
                out.push_str(&match attr {
                    Some(a) => format!("${{{}.{a}}}", rename(res)),
                    None => format!("${{{}}}", rename(res)),
                });
                rest = &rest[end + 1..];
            }
            out.push_str(rest);
            out
        };
        match v {
            Value::Object(m) if m.len() == 1 => {
                let (k, x) = m.iter().next().unwrap();
                match k.as_str() {
                    "Ref" => json!(format!("${{{}}}", rename(x.as_str().unwrap()))),
                    "Fn::GetAtt" => json!(format!(
                        "${{{}.{}}}",
                        rename(x[0].as_str().unwrap()),
                        x[1].as_str().unwrap()
                    )),
                    "Fn::Sub" => match x {
                        Value::String(s) => json!(sub(s)),
                        // tfc's spelling of literal `${` (a `$` variable): the text it stands for.
                        _ => common::hostile::resolve_literal_subs(v),
                    },
                    "Fn::Join" => {
                        let parts: Vec<String> = x[1]
                            .as_array()
                            .unwrap()
                            .iter()
                            .map(|p| eval(p, ids).as_str().unwrap_or_default().to_string())
                            .collect();
                        json!(parts.join(x[0].as_str().unwrap()))
                    }
                    _ => json!({ k: eval(x, ids) }),
                }
            }
            Value::Object(m) => {
                Value::Object(m.iter().map(|(k, x)| (k.clone(), eval(x, ids))).collect())
            }
            Value::Array(a) => Value::Array(a.iter().map(|x| eval(x, ids)).collect()),
            other => other.clone(),
        }
    }
    let mut resources = Map::new();
    for (id, r) in t["Resources"].as_object().unwrap() {
        let kind = r["Type"].as_str().unwrap();
        if kind == "AWS::CDK::Metadata" {
            continue;
        }
        let mut r = eval(r, &ids);
        let obj = r.as_object_mut().unwrap();
        obj.remove("Metadata");
        // Labels that do not change what is deployed (policy names do: the plan names them).
        if let Some(p) = obj.get_mut("Properties").and_then(Value::as_object_mut) {
            if let Some(targets) = p.get_mut("Targets").and_then(Value::as_array_mut) {
                for target in targets {
                    target.as_object_mut().unwrap().remove("Id");
                }
            }
        }
        if let Some(c) = obj.get("Condition").and_then(Value::as_str) {
            let c = ids.get(c).cloned().unwrap_or_default();
            obj.insert("Condition".into(), json!(c));
        }
        if let Some(deps) = obj.remove("DependsOn") {
            let mut d: Vec<String> = deps
                .as_array()
                .unwrap()
                .iter()
                .map(|x| ids.get(x.as_str().unwrap()).cloned().unwrap_or_default())
                .collect();
            d.sort();
            d.dedup();
            obj.insert("DependsOn".into(), json!(d));
        }
        resources.insert(ids.get(id).cloned().unwrap_or_else(|| id.clone()), r);
    }
    let mut outputs = Map::new();
    for (_, o) in t["Outputs"].as_object().into_iter().flatten() {
        outputs.insert(
            o["Description"].as_str().unwrap_or_default().to_string(),
            eval(&o["Value"], &ids),
        );
    }
    let conditions: Vec<Value> = t["Conditions"]
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(k, _)| !k.starts_with("CDKMetadata"))
        .map(|(_, c)| c.clone())
        .collect();
    json!({ "Resources": resources, "Outputs": outputs, "Conditions": conditions })
}

#[test]
#[ignore = "needs the pinned validators: run scripts/test"]
fn every_golden_app_is_prettier_clean() {
    let mut files = Vec::new();
    let dirs: Vec<PathBuf> = example_specs()
        .iter()
        .map(|s| s.parent().unwrap().to_path_buf())
        .chain(common::baked_golden_dirs())
        .chain(common::native_golden_dirs().into_iter().map(|(_, d)| d))
        .collect();
    for dir in dirs {
        for sub in ["bin", "lib"] {
            for e in std::fs::read_dir(dir.join("cdk").join(sub))
                .unwrap()
                .flatten()
            {
                files.push(e.path());
            }
        }
    }
    assert!(files.len() >= 12);
    let out = Command::new("node")
        .arg(node_tool("prettier/bin/prettier.cjs"))
        .arg("--check")
        .args(&files)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // The control: prettier does flag code that is not in its style.
    let bad = scratch("prettier").join("bad.ts");
    std::fs::write(&bad, "const x = {a:1}\n").unwrap();
    let out = Command::new("node")
        .arg(node_tool("prettier/bin/prettier.cjs"))
        .arg("--check")
        .arg(&bad)
        .output()
        .unwrap();
    assert!(!out.status.success());
}

#[test]
#[ignore = "needs the pinned validators: run scripts/test"]
fn every_example_synthesizes_to_the_same_deployment_as_cloudformation() {
    for spec in example_specs() {
        let name = common::example_name(&spec);
        // The golden app is what gets checked (the golden test ties it to the compiler).
        let dir = scratch(&name);
        let golden = spec.parent().unwrap().join("cdk");
        common::copy_tree(&golden, &dir);
        std::os::unix::fs::symlink(node_modules(), dir.join("node_modules")).unwrap();
        let synthesized = synth(&dir);
        let cdk = normalize(&synthesized);
        let ours = normalize(&cfn(&spec));
        assert_eq!(
            cdk, ours,
            "{name}: CDK's synthesized template differs from tfc's CloudFormation"
        );
        if name == "billing" {
            // The control: the comparison notices a resource, a statement or a dependency
            // that one side has and the other lacks.
            let checked = tfc::check(&std::fs::read(&spec).unwrap());
            let plan = tfc::plan::lower(&tfc::model::lower(&checked.spec.unwrap()));
            fn each(p: &mut tfc::plan::Plan, f: impl Fn(&mut tfc::plan::Resource)) {
                p.groups
                    .iter_mut()
                    .for_each(|g| g.resources.iter_mut().for_each(&f));
            }
            type Break = (&'static str, fn(&mut tfc::plan::Plan));
            let breaks: [Break; 3] = [
                ("a dependency", |p| each(p, |r| r.depends_on.clear())),
                ("a statement", |p| {
                    each(p, |r| {
                        if let tfc::plan::Kind::Policy(policy) = &mut r.kind {
                            policy.statements.pop();
                        }
                    })
                }),
                ("a resource", |p| {
                    for g in &mut p.groups {
                        g.resources
                            .retain(|r| !matches!(r.kind, tfc::plan::Kind::QueuePolicy(_)));
                    }
                }),
            ];
            for (what, change) in breaks {
                let mut broken = plan.clone();
                change(&mut broken);
                let text = tfc::targets::Target::Cloudformation
                    .backend()
                    .render(
                        &broken,
                        tfc::targets::Layout::Single,
                        tfc::targets::Format::Json,
                    )
                    .unwrap()
                    .remove(0)
                    .contents;
                let theirs = normalize(&serde_json::from_str(&text).unwrap());
                assert_ne!(cdk, theirs, "dropping {what} went unnoticed");
            }
        }
    }
}

#[test]
#[ignore = "needs the pinned validators: run scripts/test"]
fn hostile_strings_survive_typescript_and_synthesis() {
    let spec_path = root().join("tests/hostile/spec.yaml");
    let spec = tfc::check(&std::fs::read(&spec_path).unwrap())
        .spec
        .unwrap();
    let dir = app(&spec_path, "hostile");
    // Its `${X}` texts are spelled with Fn.sub, so CDK's template validation has nothing to say.
    let synthesized = synth(&dir);
    let t = common::hostile::resolve_literal_subs(&synthesized);
    let task = &spec.tasks["evil"];
    let find = |kind: &str| {
        t["Resources"]
            .as_object()
            .unwrap()
            .values()
            .find(|r| r["Type"] == kind)
            .unwrap()
            .clone()
    };
    let container = &find("AWS::ECS::TaskDefinition")["Properties"]["ContainerDefinitions"][0];
    assert_eq!(container["Command"], json!(task.command));
    assert_eq!(container["Image"], json!(task.image));
    let env: Map<String, Value> = container["Environment"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["Name"].as_str().unwrap().into(), e["Value"].clone()))
        .collect();
    assert_eq!(Value::Object(env), json!(task.environment));
    let rule = find("AWS::Events::Rule");
    assert_eq!(rule["Properties"]["Description"], json!(task.description));
    assert_eq!(
        &rule["Properties"]["EventPattern"],
        task.trigger.event.as_ref().unwrap()
    );
    // A stack description cannot be an Fn::Sub: tfc writes `${` there as `$ {`.
    assert_eq!(
        t["Description"],
        json!(tfc::model::lower(&spec).stack_description())
    );
    // And the whole deployment still equals tfc's CloudFormation for it.
    let cdk = normalize(&synthesized);
    assert_eq!(cdk, normalize(&cfn(&spec_path)));
}

#[test]
#[ignore = "needs the pinned validators: run scripts/test"]
fn generated_hostile_strings_survive_typescript_and_synthesis() {
    // One app of generated tasks: every free-text field holds random strings made of what
    // TypeScript, CDK and CloudFormation treat specially (see tests/common/hostile.rs).
    let seed = 3000;
    let dir = scratch("generated-spec");
    let spec_path = dir.join("spec.yaml");
    std::fs::write(
        &spec_path,
        common::hostile::to_yaml(&common::hostile::spec(seed, 4)),
    )
    .unwrap();
    let spec = tfc::check(&std::fs::read(&spec_path).unwrap())
        .spec
        .unwrap();
    let app_dir = app(&spec_path, "generated");
    let sources: Vec<PathBuf> = ["bin", "lib"]
        .iter()
        .flat_map(|d| std::fs::read_dir(app_dir.join(d)).unwrap().flatten())
        .map(|e| e.path())
        .collect();
    run(
        Command::new("node")
            .arg(node_tool("prettier/bin/prettier.cjs"))
            .arg("--check")
            .args(&sources),
        "prettier --check",
    );
    let t = synth(&app_dir);
    assert_eq!(
        common::hostile::observed_cloudformation(&t, &spec.name),
        common::hostile::expected(&spec),
        "seed {seed}"
    );
    assert_eq!(
        t["Description"],
        json!(tfc::model::lower(&spec).stack_description()),
        "seed {seed}"
    );
    let cdk = normalize(&t);
    assert_eq!(cdk, normalize(&cfn(&spec_path)), "seed {seed}");
}

#[test]
#[ignore = "needs the pinned validators: run scripts/test"]
fn dollar_syntax_synthesizes_without_validation_findings() {
    // `${HOME}`, `${AWS::Region}`, `$${x}` in commands, environment values, descriptions and
    // patterns: CDK's validation (an error with the flag cdk.json sets) and cfn-lint find
    // nothing, and the deployment equals tfc's CloudFormation.
    let spec_path = root().join("tests/hostile/dollars.yaml");
    let spec = tfc::check(&std::fs::read(&spec_path).unwrap())
        .spec
        .unwrap();
    let dir = app(&spec_path, "dollars");
    let synthesized = synth(&dir);
    let resolved = common::hostile::resolve_literal_subs(&synthesized);
    let definition = resolved["Resources"]
        .as_object()
        .unwrap()
        .values()
        .find(|r| r["Properties"]["Family"] == "dollars-shell")
        .unwrap();
    let container = &definition["Properties"]["ContainerDefinitions"][0];
    assert_eq!(container["Command"], json!(spec.tasks["shell"].command));
    assert_eq!(
        container["Environment"][0],
        json!({"Name": "BANG", "Value": "${!kept}"})
    );
    let cdk = normalize(&synthesized);
    assert_eq!(cdk, normalize(&cfn(&spec_path)));
}

#[test]
#[ignore = "needs the pinned validators: run scripts/test"]
fn generated_apps_pin_what_the_tests_run_and_carry_the_recommended_flags() {
    // The versions a generated package.json pins are the ones these tests install.
    let tools: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("tests/tools/package.json")).unwrap(),
    )
    .unwrap();
    let deps = &tools["dependencies"];
    for (package, pinned) in [
        ("aws-cdk-lib", tfc::targets::cdk::AWS_CDK_LIB),
        ("aws-cdk", tfc::targets::cdk::AWS_CDK_CLI),
        ("constructs", tfc::targets::cdk::CONSTRUCTS),
        ("typescript", tfc::targets::cdk::TYPESCRIPT),
    ] {
        assert_eq!(deps[package], json!(pinned), "{package}");
    }
    // cdk.json's context is exactly the installed aws-cdk-lib's recommended flags (what
    // `cdk init` writes), which include validateAgainstDefaultRules.
    let recommended: Value = serde_json::from_str(
        &std::fs::read_to_string(node_modules().join("aws-cdk-lib/recommended-feature-flags.json"))
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        recommended["@aws-cdk/core:validateAgainstDefaultRules"],
        json!(true)
    );
    for spec in example_specs() {
        let cdk_json: Value = serde_json::from_str(
            &std::fs::read_to_string(spec.parent().unwrap().join("cdk/cdk.json")).unwrap(),
        )
        .unwrap();
        assert_eq!(cdk_json["context"], recommended, "{}", spec.display());
    }
}

#[test]
#[ignore = "needs the pinned validators: run scripts/test"]
fn synth_without_the_flags_prints_the_notice_the_generated_app_avoids() {
    // The control for `synth`'s "printed nothing": the same app with an empty context makes
    // the real CLI print its unconfigured-flags notice.
    let dir = app(
        &root().join("examples/nightly-report/spec.yaml"),
        "no-flags",
    );
    let tsc = node_tool("typescript/bin/tsc");
    run(Command::new("node").arg(&tsc).arg("-p").arg(&dir), "tsc");
    let path = dir.join("cdk.json");
    let mut cdk_json: Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    cdk_json["context"] = json!({});
    std::fs::write(&path, cdk_json.to_string()).unwrap();
    let printed = run(
        &mut cdk_synth(&dir, &dir.join("bin/reports.js"), &dir.join("cdk.out")),
        "cdk synth",
    );
    assert!(
        printed.contains("feature flags are not configured"),
        "{printed}"
    );
}

#[test]
#[ignore = "needs the pinned validators: run scripts/test"]
fn parameterised_app_synthesizes_each_environment_to_its_baked_cloudformation() {
    let dirs = common::native_golden_dirs();
    assert!(!dirs.is_empty());
    for (spec, native) in dirs {
        let dir = scratch("cdk-native");
        common::copy_tree(&native.join("cdk"), &dir);
        std::os::unix::fs::symlink(node_modules(), dir.join("node_modules")).unwrap();
        let mut synthesized = Vec::new();
        for env in common::environments(&spec).unwrap() {
            let cdk = normalize(&synth_with(&dir, &[("environment", &env)]));
            let baked: Value = serde_json::from_str(
                &std::fs::read_to_string(
                    spec.parent()
                        .unwrap()
                        .join(&env)
                        .join("cloudformation/template.json"),
                )
                .unwrap(),
            )
            .unwrap();
            assert_eq!(
                cdk,
                normalize(&baked),
                "{env}: the app with context environment={env} differs from tfc's CloudFormation baked for {env}"
            );
            synthesized.push(cdk);
        }
        // The control: the environments synthesize differently.
        assert_ne!(synthesized[0], synthesized[1]);
        // A context value overrides the environment's; one the spec does not allow fails the
        // synth and names the parameter.
        let envs = common::environments(&spec).unwrap();
        let text = std::fs::read_to_string(native.join("cdk/lib").join(format!(
            "{}-tasks.ts",
            tfc::spec::load::load(&std::fs::read(&spec).unwrap()).unwrap().value["name"]
                .as_str()
                .unwrap()
        )))
        .unwrap();
        assert!(
            text.contains("allowed(\"env\""),
            "the example constrains env"
        );
        let bin = dir
            .join("bin")
            .read_dir()
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .find(|p| p.extension().is_some_and(|e| e == "js"))
            .unwrap();
        let mut cmd = cdk_synth(&dir, &bin, &dir.join("cdk.out.bad"));
        cmd.args(["-c", &format!("environment={}", envs[0]), "-c", "env=qa"]);
        let out = cmd.output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            !out.status.success() && err.contains("parameter env is \"qa\""),
            "{err}"
        );
    }
}
