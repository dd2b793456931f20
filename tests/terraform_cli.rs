//! The Terraform target judged by the real toolchain: `terraform` (1.11, on the machine image)
//! with the real `hashicorp/aws` provider (5.100.0, from the image's filesystem mirror, found
//! the way the machine notes say: `find / -maxdepth 6 -path '*registry.terraform.io/hashicorp/aws'`).
//! For every example and the generated specs (hostile strings, the largest spec, existing task
//! definitions, dead-letter queues): `terraform init` from the mirror, `terraform validate`
//! (no errors, no warnings), and `terraform test` with `mock_provider "aws"`, running `plan` and
//! `apply`, whose assertions compare the planned values (container definitions, event patterns,
//! descriptions, input templates) with the spec's strings, written to files by this test; then a
//! real `terraform plan` with the real provider (offline: static credentials, STS answered on
//! loopback) read back with `terraform show -json`, whose planned values must hold the same
//! strings. So Terraform itself proves the escaping. A missing binary or mirror fails the test.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use common::{example_specs, root, scratch};
use serde_json::{json, Value};
use tfc::model::{Definition, Model, TargetInput, Trigger};

/// The `terraform` binary on the PATH.
fn terraform() -> PathBuf {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join("terraform"))
            .find(|p| p.is_file())
    });
    found.expect("terraform is not on the PATH: the machine image provides terraform 1.11 (see DEVELOPERS.md); tfc's Terraform tests need it")
}

/// A CLI config installing hashicorp/aws from the image's filesystem mirror, nothing else.
fn cli_config() -> &'static PathBuf {
    static CONFIG: OnceLock<PathBuf> = OnceLock::new();
    CONFIG.get_or_init(|| {
        let out = Command::new("find")
            .args(["/", "-maxdepth", "6", "-path", "*registry.terraform.io/hashicorp/aws"])
            .output()
            .expect("find runs");
        let text = String::from_utf8_lossy(&out.stdout);
        let provider = text
            .lines()
            .find(|l| !l.is_empty())
            .expect("no filesystem mirror of registry.terraform.io/hashicorp/aws on this machine (the image keeps one, see DEVELOPERS.md)");
        // The mirror is the folder that holds registry.terraform.io.
        let mirror = Path::new(provider)
            .parent()
            .and_then(Path::parent)
            .and_then(Path::parent)
            .expect("a mirror folder");
        let dir = scratch("tf-cli");
        let path = dir.join("cli.tfrc");
        std::fs::write(
            &path,
            format!(
                "provider_installation {{\n  filesystem_mirror {{\n    path    = {:?}\n    include = [\"registry.terraform.io/hashicorp/aws\"]\n  }}\n  direct {{\n    exclude = [\"registry.terraform.io/hashicorp/aws\"]\n  }}\n}}\n",
                mirror.display().to_string()
            ),
        )
        .unwrap();
        path
    })
}

fn tf(dir: &Path, args: &[&str]) -> (bool, String) {
    let out = Command::new(terraform())
        .args(args)
        .current_dir(dir)
        .env("TF_CLI_CONFIG_FILE", cli_config())
        .env("TF_IN_AUTOMATION", "1")
        .env("CHECKPOINT_DISABLE", "1")
        .env_remove("AWS_PROFILE")
        .output()
        .unwrap();
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

/// The mocked provider: data sources and the attributes other resources read get values of
/// the right shape (the provider validates ARNs).
const MOCK: &str = r#"mock_provider "aws" {
  mock_data "aws_partition" {
    defaults = { partition = "aws", dns_suffix = "amazonaws.com" }
  }
  mock_data "aws_region" {
    defaults = { id = "eu-west-1", name = "eu-west-1" }
  }
  mock_data "aws_caller_identity" {
    defaults = { account_id = "123456789012" }
  }
  mock_resource "aws_iam_role" {
    defaults = { arn = "arn:aws:iam::123456789012:role/mock" }
  }
  mock_resource "aws_ecs_cluster" {
    defaults = { arn = "arn:aws:ecs:eu-west-1:123456789012:cluster/mock" }
  }
  mock_resource "aws_ecs_task_definition" {
    defaults = { arn = "arn:aws:ecs:eu-west-1:123456789012:task-definition/mock:1" }
  }
  mock_resource "aws_cloudwatch_log_group" {
    defaults = { arn = "arn:aws:logs:eu-west-1:123456789012:log-group:mock" }
  }
  mock_resource "aws_cloudwatch_event_rule" {
    defaults = { arn = "arn:aws:events:eu-west-1:123456789012:rule/mock" }
  }
}
"#;

/// One string (or structure of strings) from the spec and where Terraform must plan it.
struct Expect {
    /// The task's resource label.
    label: String,
    field: Field,
    value: Value,
}

#[derive(Clone, Copy, Debug)]
enum Field {
    Command,
    EntryPoint,
    Environment,
    Image,
    StreamPrefix,
    Description,
    Pattern,
    Schedule,
    InputTemplate,
    InputPaths,
    Input,
    /// A Scheduler schedule's fields.
    ScheduleDescription,
    ScheduleExpression,
    ScheduleTimezone,
    ScheduleInput,
}

impl Field {
    /// The resource type and attribute holding the field.
    fn attribute(self) -> (&'static str, &'static str) {
        match self {
            Field::Command
            | Field::EntryPoint
            | Field::Environment
            | Field::Image
            | Field::StreamPrefix => ("aws_ecs_task_definition", "container_definitions"),
            Field::Description => ("aws_cloudwatch_event_rule", "description"),
            Field::Pattern => ("aws_cloudwatch_event_rule", "event_pattern"),
            Field::Schedule => ("aws_cloudwatch_event_rule", "schedule_expression"),
            Field::InputTemplate | Field::InputPaths => {
                ("aws_cloudwatch_event_target", "input_transformer")
            }
            Field::Input => ("aws_cloudwatch_event_target", "input"),
            Field::ScheduleDescription => ("aws_scheduler_schedule", "description"),
            Field::ScheduleExpression => ("aws_scheduler_schedule", "schedule_expression"),
            Field::ScheduleTimezone => ("aws_scheduler_schedule", "schedule_expression_timezone"),
            Field::ScheduleInput => ("aws_scheduler_schedule", "target"),
        }
    }

    /// The planned value as an HCL expression, for `terraform test` assertions.
    fn hcl(self, label: &str) -> String {
        let (kind, attr) = self.attribute();
        let at = format!("{kind}.{label}.{attr}");
        let container = format!("jsondecode({at})[0]");
        match self {
            Field::Command => format!("{container}.command"),
            Field::EntryPoint => format!("{container}.entryPoint"),
            Field::Environment => {
                format!("{{ for e in {container}.environment : e.name => e.value }}")
            }
            Field::Image => format!("{container}.image"),
            Field::StreamPrefix => {
                format!("{container}.logConfiguration.options[\"awslogs-stream-prefix\"]")
            }
            Field::Pattern => format!("jsondecode({at})"),
            Field::InputTemplate => format!("{at}[0].input_template"),
            Field::InputPaths => format!("{at}[0].input_paths"),
            Field::ScheduleInput => format!("{at}[0].input"),
            Field::Description
            | Field::Schedule
            | Field::Input
            | Field::ScheduleDescription
            | Field::ScheduleExpression
            | Field::ScheduleTimezone => at,
        }
    }

    /// The planned value read from `terraform show -json`'s resource values.
    fn planned(self, values: &Value) -> Value {
        let (_, attr) = self.attribute();
        let v = &values[attr];
        let container = || -> Value {
            serde_json::from_str::<Value>(v.as_str().unwrap_or("null")).unwrap_or_default()[0]
                .clone()
        };
        match self {
            Field::Command => container()["command"].clone(),
            Field::EntryPoint => container()["entryPoint"].clone(),
            Field::Environment => {
                Value::Object(common::hostile::name_value_map(&container()["environment"]))
            }
            Field::Image => container()["image"].clone(),
            Field::StreamPrefix => {
                container()["logConfiguration"]["options"]["awslogs-stream-prefix"].clone()
            }
            Field::Pattern => {
                serde_json::from_str(v.as_str().unwrap_or("null")).unwrap_or_default()
            }
            Field::InputTemplate => v[0]["input_template"].clone(),
            Field::InputPaths => v[0]["input_paths"].clone(),
            Field::ScheduleInput => v[0]["input"].clone(),
            Field::Description
            | Field::Schedule
            | Field::Input
            | Field::ScheduleDescription
            | Field::ScheduleExpression
            | Field::ScheduleTimezone => v.clone(),
        }
    }
}

/// Every string of `model` that Terraform must plan unchanged.
fn expectations(model: &Model) -> Vec<Expect> {
    let mut out = Vec::new();
    for task in &model.tasks {
        let label = tfc::targets::terraform::snake(&task.id);
        let mut add = |field, value: Value| {
            out.push(Expect {
                label: label.clone(),
                field,
                value,
            })
        };
        // An extra trigger runs its task's definition: its strings are the task's, checked there.
        let own_definition = task.definition_owner == task.id;
        if let (Definition::Create(def), true) = (&task.definition, own_definition) {
            if let Some(cmd) = &def.command {
                add(Field::Command, json!(cmd));
            }
            if let Some(ep) = &def.entry_point {
                add(Field::EntryPoint, json!(ep));
            }
            if !def.environment.is_empty() {
                add(Field::Environment, json!(def.environment));
            }
            add(Field::Image, json!(def.image));
            add(Field::StreamPrefix, json!(def.log.stream_prefix));
        }
        if let Trigger::Schedule {
            expression,
            scheduler: Some(s),
        } = &task.trigger
        {
            if let Some(d) = &task.description {
                add(Field::ScheduleDescription, json!(d));
            }
            add(Field::ScheduleExpression, json!(expression));
            add(Field::ScheduleTimezone, json!(s.timezone));
            if let TargetInput::Static { input } = &task.input {
                if input != "{}" {
                    add(Field::ScheduleInput, json!(input));
                }
            }
            continue;
        }
        if let Some(d) = &task.description {
            add(Field::Description, json!(d));
        }
        match &task.trigger {
            Trigger::Pattern { pattern, .. } => add(Field::Pattern, pattern.clone()),
            Trigger::Schedule { expression, .. } => add(Field::Schedule, json!(expression)),
        }
        match &task.input {
            TargetInput::Transformer {
                input_paths,
                input_template,
            } => {
                add(Field::InputTemplate, json!(input_template));
                add(Field::InputPaths, json!(input_paths));
            }
            TargetInput::Static { input } => add(Field::Input, json!(input)),
        }
    }
    out
}

/// Writes the expected values under `dir/expect/` (strings as they are, the rest as JSON) and
/// returns the `terraform test` assertions comparing them with what Terraform plans.
fn assertions(expects: &[Expect], dir: &Path) -> String {
    let expect_dir = dir.join("expect");
    std::fs::create_dir_all(&expect_dir).unwrap();
    let mut out = String::new();
    for e in expects {
        let name = format!("{}.{:?}", e.label, e.field);
        let file = match &e.value {
            Value::String(s) => {
                std::fs::write(expect_dir.join(format!("{name}.txt")), s).unwrap();
                format!("file(\"${{path.module}}/expect/{name}.txt\")")
            }
            other => {
                std::fs::write(
                    expect_dir.join(format!("{name}.json")),
                    serde_json::to_string(other).unwrap(),
                )
                .unwrap();
                let decoded = format!("jsondecode(file(\"${{path.module}}/expect/{name}.json\"))");
                match e.field {
                    Field::InputPaths => format!("tomap({decoded})"),
                    _ => decoded,
                }
            }
        };
        out.push_str(&format!(
            "  assert {{\n    condition     = {} == {file}\n    error_message = {}\n  }}\n",
            e.field.hcl(&e.label),
            serde_json::to_string(&format!("{}: {:?}", e.label, e.field)).unwrap()
        ));
    }
    out
}

/// A module for `spec` (a directory compiled by tfc) with its test file; returns its folder
/// and what Terraform must plan.
fn module(spec: &Path, name: &str) -> (PathBuf, Vec<Expect>) {
    let dir = common::compile_to_dir(spec, "terraform", &format!("tf-{name}"));
    let checked = tfc::check(&std::fs::read(spec).unwrap());
    let model = tfc::model::lower(&checked.spec.expect("a valid spec"));
    let expects = expectations(&model);
    std::fs::create_dir_all(dir.join("tests")).unwrap();
    let test = format!(
        "{MOCK}\nrun \"plan\" {{\n  command = plan\n{}}}\n\nrun \"apply\" {{\n  command = apply\n}}\n",
        assertions(&expects, &dir)
    );
    std::fs::write(dir.join("tests/tfc.tftest.hcl"), test).unwrap();
    (dir, expects)
}

/// A stand-in for STS on loopback, answering every request with GetCallerIdentity for account
/// 123456789012: the one AWS call the real provider makes to plan tfc's module (for
/// `data.aws_caller_identity`; partition and region are local). Nothing else is faked, and
/// nothing leaves the machine. Returns the endpoint.
fn fake_sts() -> &'static str {
    static ENDPOINT: OnceLock<String> = OnceLock::new();
    ENDPOINT.get_or_init(|| {
        use std::io::{BufRead, BufReader, Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a loopback port");
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let mut reader = BufReader::new(stream);
                let mut length = 0;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                    if let Some((k, v)) = line.split_once(':') {
                        if k.eq_ignore_ascii_case("content-length") {
                            length = v.trim().parse().unwrap_or(0);
                        }
                    }
                }
                let mut body = vec![0; length];
                let _ = reader.read_exact(&mut body);
                let xml = "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/tfc</Arn><UserId>AIDAEXAMPLEEXAMPLE</UserId><Account>123456789012</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>00000000-0000-0000-0000-000000000000</RequestId></ResponseMetadata></GetCallerIdentityResponse>";
                let _ = write!(
                    reader.get_mut(),
                    "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{xml}",
                    xml.len()
                );
            }
        });
        endpoint
    })
}

/// The real provider, offline: static credentials it never checks, and STS on loopback.
fn offline_provider() -> String {
    format!(
        "provider \"aws\" {{\n  region                      = \"eu-west-1\"\n  access_key                  = \"offline\"\n  secret_key                  = \"offline\"\n  skip_credentials_validation = true\n  skip_requesting_account_id  = true\n  skip_metadata_api_check     = true\n  endpoints {{\n    sts = \"{}\"\n  }}\n}}\n",
        fake_sts()
    )
}

/// init, fmt (clean), validate (clean), test (every run passes); then a real `terraform plan` with the real
/// provider, read back with `terraform show -json`: every expected string is in the planned
/// values unchanged.
fn judge(dir: &Path, name: &str, expects: &[Expect], spec: &Path) {
    common::progress(&format!(
        "terraform init, fmt, validate, test and plan of {name}"
    ));
    let (ok, text) = tf(
        dir,
        &["init", "-backend=false", "-input=false", "-no-color"],
    );
    assert!(ok, "{name}: terraform init:\n{text}");
    let (ok, text) = tf(dir, &["fmt", "-check", "-diff", "-no-color"]);
    assert!(ok, "{name}: terraform fmt -check:\n{text}");
    let (ok, text) = tf(dir, &["validate", "-json", "-no-color"]);
    let report: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    assert!(
        ok && report["valid"] == true && report["warning_count"] == 0,
        "{name}: terraform validate:\n{text}"
    );
    let (ok, text) = tf(dir, &["test", "-no-color"]);
    assert!(
        ok && text.contains("2 passed, 0 failed"),
        "{name}: terraform test:\n{text}"
    );
    let differences = plan_differences(dir, name, expects);
    assert!(differences.is_empty(), "{}", differences.join("\n"));
    // Terraform's own reading of the configuration has exactly the resources of tfc's plan,
    // and the same ones wait on others (`depends_on`).
    let (ok, text) = tf(dir, &["show", "-json", "-no-color", "tfc.tfplan"]);
    assert!(ok, "{name}: terraform show -json:\n{text}");
    let shown: Value = serde_json::from_str(&text).unwrap();
    let configured: Vec<&Value> = shown["configuration"]["root_module"]["resources"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["mode"] == "managed")
        .collect();
    let waiting = configured
        .iter()
        .filter(|r| r["depends_on"].as_array().is_some_and(|d| !d.is_empty()))
        .count();
    let checked = tfc::check(&std::fs::read(spec).unwrap());
    let plan = tfc::plan::lower(&tfc::model::lower(&checked.spec.unwrap()));
    // A role's managed policies are one more resource in Terraform (their attachment).
    let attachments = plan
        .resources()
        .filter(
            |r| matches!(&r.kind, tfc::plan::Kind::Role(role) if !role.managed_policies.is_empty()),
        )
        .count();
    assert_eq!(
        (configured.len(), waiting),
        (
            plan.resources().count() + attachments,
            plan.resources()
                .filter(|r| !r.depends_on.is_empty())
                .count()
        ),
        "{name}: Terraform's configuration and tfc's plan differ in resources or dependencies"
    );
}

/// A real `terraform plan` with the real provider, offline, read back with `terraform show
/// -json`: the expected values Terraform does not plan unchanged, described.
fn plan_differences(dir: &Path, name: &str, expects: &[Expect]) -> Vec<String> {
    std::fs::write(dir.join("offline_provider.tf"), offline_provider()).unwrap();
    let (ok, text) = tf(
        dir,
        &[
            "plan",
            "-input=false",
            "-no-color",
            "-lock=false",
            "-out=tfc.tfplan",
        ],
    );
    assert!(ok, "{name}: terraform plan:\n{text}");
    let (ok, text) = tf(dir, &["show", "-json", "-no-color", "tfc.tfplan"]);
    assert!(ok, "{name}: terraform show -json:\n{text}");
    let plan: Value = serde_json::from_str(&text).expect("terraform show -json prints JSON");
    let planned = planned_resources(&plan);
    let mut out = Vec::new();
    for e in expects {
        let (kind, _) = e.field.attribute();
        let address = format!("{kind}.{}", e.label);
        let got = planned.get(&address).map(|values| e.field.planned(values));
        if got.as_ref() != Some(&e.value) {
            out.push(format!(
                "{name}: {address} {:?}: Terraform plans {}, the spec says {}",
                e.field,
                got.map_or("nothing".into(), |g| g.to_string()),
                e.value
            ));
        }
    }
    out
}

/// The planned values of every resource, by address.
fn planned_resources(plan: &Value) -> std::collections::BTreeMap<String, Value> {
    plan["planned_values"]["root_module"]["resources"]
        .as_array()
        .expect("planned resources")
        .iter()
        .map(|r| {
            (
                r["address"].as_str().unwrap_or_default().to_string(),
                r["values"].clone(),
            )
        })
        .collect()
}

/// The specs the test judges: every example, plus generated ones.
fn specs() -> Vec<(String, PathBuf)> {
    let mut specs: Vec<(String, PathBuf)> = example_specs()
        .into_iter()
        .map(|p| (common::example_name(&p), p))
        .collect();
    specs.push(("hostile".into(), root().join("tests/hostile/spec.yaml")));
    specs.push(("dollars".into(), root().join("tests/hostile/dollars.yaml")));
    let dir = scratch("tf-specs");
    for seed in [4000, 4001] {
        let path = dir.join(format!("generated-{seed}.yaml"));
        std::fs::write(
            &path,
            common::hostile::to_yaml(&common::hostile::spec(seed, 3)),
        )
        .unwrap();
        specs.push((format!("generated-{seed}"), path));
    }
    // The largest spec CloudFormation would still take (62 created tasks); Terraform has no
    // limit, so this is about size, not a boundary.
    let mut large = String::from(
        "version: 1\nname: large\ndefaults:\n  image: nginx:1.27\n  network:\n    subnets: [subnet-0123456789abcdef0]\n  dead_letter_queue: arn:aws:sqs:eu-west-1:123456789012:large-dlq\ntasks:\n",
    );
    for i in 0..62 {
        large.push_str(&format!(
            "  t{i}:\n    command: [echo, \"${{HOME}} {i}\"]\n    trigger:\n      event:\n        source: [com.acme]\n        detail-type: [T{i}]\n    overrides:\n      environment:\n        X: {{ from: $.detail.x }}\n"
        ));
    }
    let path = dir.join("large.yaml");
    std::fs::write(&path, large).unwrap();
    specs.push(("large".into(), path));
    specs
}

#[test]
#[ignore = "needs terraform and the provider mirror of the machine image: run scripts/test"]
fn terraform_validates_plans_and_applies_every_output_with_the_spec_strings() {
    let specs = specs();
    assert!(specs.len() >= 9);
    // Two at a time: each run is mostly waiting on terraform.
    std::thread::scope(|s| {
        for chunk in specs.chunks(specs.len().div_ceil(2)) {
            s.spawn(move || {
                for (name, spec) in chunk {
                    let (dir, expects) = module(spec, name);
                    judge(&dir, name, &expects, spec);
                }
            });
        }
    });
}

#[test]
#[ignore = "needs terraform and the provider mirror of the machine image: run scripts/test"]
fn both_checks_fail_when_a_planned_string_differs() {
    // The control: one expected value changed by one character fails `terraform test`, and
    // the comparison with `terraform show -json`.
    let (dir, mut expects) = module(&root().join("examples/django-manage/spec.yaml"), "control");
    let i = expects
        .iter()
        .position(|e| matches!(e.field, Field::InputTemplate))
        .unwrap();
    let path = dir.join(format!("expect/{}.InputTemplate.txt", expects[i].label));
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replacen("web", "wef", 1)).unwrap();
    let (ok, _) = tf(
        &dir,
        &["init", "-backend=false", "-input=false", "-no-color"],
    );
    assert!(ok);
    let (ok, text) = tf(&dir, &["test", "-no-color"]);
    assert!(!ok, "{text}");
    assert!(text.contains("manage: InputTemplate"), "{text}");
    expects[i].value = json!(expects[i].value.as_str().unwrap().replacen("web", "wef", 1));
    let differences = plan_differences(&dir, "control", &expects);
    assert_eq!(differences.len(), 1, "{differences:?}");
    assert!(
        differences[0].contains("aws_cloudwatch_event_target.manage InputTemplate"),
        "{differences:?}"
    );
}

/// The planned values of the module in `dir` (a copy made here) with the real provider,
/// offline, after a clean `init`, `fmt -check` and `validate`; `var_file` chooses the values.
fn planned(
    dir: &Path,
    name: &str,
    var_file: Option<&str>,
) -> std::collections::BTreeMap<String, Value> {
    std::fs::write(dir.join("offline_provider.tf"), offline_provider()).unwrap();
    for args in [
        &["init", "-backend=false", "-input=false", "-no-color"][..],
        &["fmt", "-check", "-diff", "-no-color"],
        &["validate", "-no-color"],
    ] {
        let (ok, text) = tf(dir, args);
        assert!(ok, "{name}: terraform {}:\n{text}", args[0]);
    }
    let mut args = vec![
        "plan",
        "-input=false",
        "-no-color",
        "-lock=false",
        "-out=tfc.tfplan",
    ];
    let file;
    if let Some(f) = var_file {
        file = format!("-var-file={f}");
        args.push(&file);
    }
    let (ok, text) = tf(dir, &args);
    assert!(ok, "{name}: terraform plan:\n{text}");
    let (ok, text) = tf(dir, &["show", "-json", "-no-color", "tfc.tfplan"]);
    assert!(ok, "{name}: terraform show -json:\n{text}");
    planned_resources(&serde_json::from_str(&text).unwrap())
}

#[test]
#[ignore = "needs terraform and the provider mirror of the machine image: run scripts/test"]
fn variables_planned_with_each_tfvars_equal_the_module_baked_for_that_environment() {
    let dirs = common::native_golden_dirs();
    assert!(!dirs.is_empty());
    for (spec, native) in dirs {
        let envs = common::environments(&spec).unwrap();
        let mut plans = Vec::new();
        for env in &envs {
            let dir = scratch(&format!("tf-native-{env}"));
            common::copy_tree(&native.join("terraform"), &dir);
            let ours = planned(&dir, env, Some(&format!("{env}.tfvars")));
            let dir = scratch(&format!("tf-baked-{env}"));
            common::copy_tree(&spec.parent().unwrap().join(env).join("terraform"), &dir);
            let baked = planned(&dir, env, None);
            assert_eq!(
                ours, baked,
                "{env}: the variables with {env}.tfvars plan differently from the baked module"
            );
            plans.push(ours);
        }
        // The control: the environments' plans differ, so the comparison can fail.
        assert_ne!(plans[0], plans[1]);
        // A value the spec does not allow fails the variable's validation.
        let dir = scratch("tf-native-invalid");
        common::copy_tree(&native.join("terraform"), &dir);
        std::fs::write(dir.join("offline_provider.tf"), offline_provider()).unwrap();
        let (ok, _) = tf(
            &dir,
            &["init", "-backend=false", "-input=false", "-no-color"],
        );
        assert!(ok);
        let file = format!("-var-file={}.tfvars", envs[0]);
        let (ok, text) = tf(
            &dir,
            &[
                "plan",
                "-input=false",
                "-no-color",
                "-lock=false",
                &file,
                "-var",
                "env=qa",
            ],
        );
        assert!(!ok && text.contains("Invalid value for variable"), "{text}");
    }
}
