//! `tfc simulate` and `tfc event` end to end: the seed's event starts its task with the command
//! from the event; every example's `tfc event` output simulates to a start of its task, and the
//! overrides the simulator produces equal what the compiled CloudFormation's input transformer
//! produces for that event (the same transformer module applied to the golden template).

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use common::{example_specs, root, tfc};
use pretty_assertions::assert_eq;
use serde_json::{json, Value};

fn simulate(spec: &std::path::Path, events: &str, extra: &[&str]) -> (Option<i32>, String) {
    let mut child = tfc()
        .arg("simulate")
        .arg(spec)
        .args(extra)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(events.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (out.status.code(), String::from_utf8(out.stdout).unwrap())
}

#[test]
fn the_seed_event_runs_the_management_command_from_the_event() {
    let spec = root().join("examples/django-manage/spec.yaml");
    let event = r#"{"source":"com.corp.env.my-proj.manage","detail-type":"Management","detail":{"subject":"execute","command":"showmigrations myapp"}}"#;
    let (code, text) = simulate(&spec, event, &[]);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("+ manage: starts 1 task"), "{text}");
    assert!(
        text.contains("env MANAGEMENT_COMMAND=showmigrations myapp"),
        "{text}"
    );
    let (code, text) = simulate(&spec, event, &["--format", "json"]);
    assert_eq!(code, Some(0));
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v[0]["task"], "manage");
    assert_eq!(v[0]["matched"], true);
    assert_eq!(
        v[0]["environment"]["MANAGEMENT_COMMAND"],
        "showmigrations myapp"
    );
    assert_eq!(
        v[0]["command"],
        json!(["sh", "-c", "python manage.py $MANAGEMENT_COMMAND"])
    );
    assert_eq!(
        v[0]["overrides"],
        json!({"containerOverrides": [{"name": "web", "environment": [{"name": "MANAGEMENT_COMMAND", "value": "showmigrations myapp"}]}]})
    );
}

#[test]
fn exit_codes_and_reasons() {
    let spec = root().join("examples/django-manage/spec.yaml");
    // No match: exit 1, with the first failing field.
    let (code, text) = simulate(
        &spec,
        r#"{"source":"com.corp.env.my-proj.manage","detail-type":"Other","detail":{}}"#,
        &[],
    );
    assert_eq!(code, Some(1));
    assert!(text.contains("- manage: no match: `detail-type`"), "{text}");
    // A match whose transformer output ECS would reject (a number as an environment value).
    let (code, text) = simulate(
        &spec,
        r#"{"source":"com.corp.env.my-proj.manage","detail-type":"Management","detail":{"subject":"execute","command":42}}"#,
        &["--format", "json"],
    );
    assert_eq!(code, Some(1), "{text}");
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        (v[0]["matched"].clone(), v[0]["started"].clone()),
        (json!(true), json!(false))
    );
    assert!(!v[0]["problems"].as_array().unwrap().is_empty());
    // Bad input: exit 2.
    assert_eq!(simulate(&spec, "{not json", &[]).0, Some(2));
    assert_eq!(simulate(&spec, "", &[]).0, Some(2));
    // Several events as JSON lines: one report per event and task.
    let lines = "{\"source\":\"x\",\"detail-type\":\"y\"}\n{\"Source\":\"com.corp.env.my-proj.manage\",\"DetailType\":\"Management\",\"Detail\":\"{\\\"subject\\\":\\\"execute\\\",\\\"command\\\":\\\"migrate\\\"}\"}\n";
    let (code, text) = simulate(&spec, lines, &["--format", "json"]);
    assert_eq!(code, Some(0), "{text}");
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 2);
    assert_eq!(
        (v[0]["matched"].clone(), v[1]["matched"].clone()),
        (json!(false), json!(true))
    );
}

/// InputPathsMap and InputTemplate.
type Transformer = (std::collections::BTreeMap<String, String>, String);

/// The compiled CloudFormation's transformer (or static input) for a task, from the golden file.
fn cfn_input(example: &std::path::Path, task_id: &str) -> (Option<Transformer>, Option<String>) {
    let t: Value = serde_norway::from_str(
        &std::fs::read_to_string(example.join("cloudformation/template.yaml")).unwrap(),
    )
    .unwrap();
    let rule =
        &t["Resources"][format!("{}Rule", tfc::model::pascal(task_id))]["Properties"]["Targets"][0];
    let transformer = rule.get("InputTransformer").map(|it| {
        (
            serde_json::from_value(it["InputPathsMap"].clone()).unwrap(),
            it["InputTemplate"].as_str().unwrap().to_string(),
        )
    });
    (
        transformer,
        rule.get("Input").and_then(Value::as_str).map(String::from),
    )
}

#[test]
fn every_examples_event_starts_its_task_with_the_overrides_cloudformation_produces() {
    let mut checked = 0;
    for spec in example_specs() {
        let parsed = tfc::check(&std::fs::read(&spec).unwrap()).spec.unwrap();
        let model = tfc::model::lower(&parsed);
        for task in &model.tasks {
            if matches!(task.trigger, tfc::model::Trigger::Schedule { .. }) {
                continue;
            }
            let out = Command::new(env!("CARGO_BIN_EXE_tfc"))
                .arg("event")
                .arg(&spec)
                .arg(&task.id)
                .args(["--set", "$.detail.custom=tfc"])
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{}: {}",
                task.id,
                String::from_utf8_lossy(&out.stderr)
            );
            let entry: Value = serde_json::from_slice(&out.stdout).unwrap();
            let (event, bus) = tfc::simulate::normalize_event(entry).unwrap();
            assert_eq!(event["detail"]["custom"], "tfc");
            let outcome = tfc::simulate::simulate(&model, &event, bus.as_deref(), None)
                .into_iter()
                .find(|o| o.task == task.id)
                .unwrap();
            assert!(outcome.started, "{}: {outcome:?}", task.id);
            // The same event through the golden CloudFormation's input transformer.
            let (transformer, input) = cfn_input(spec.parent().unwrap(), &task.id);
            let text = match (transformer, input) {
                (Some((paths, template)), _) => {
                    let ctx = tfc::simulate::transform::RuleContext {
                        rule_arn: "arn",
                        rule_name: &task.rule_name,
                        ingestion_time: "t",
                    };
                    tfc::simulate::transform::apply(&paths, &template, &event, &ctx)
                }
                (None, Some(input)) => input,
                (None, None) => panic!("{}: no input in the template", task.id),
            };
            let from_cfn: Value = serde_json::from_str(&text).unwrap();
            assert_eq!(Some(from_cfn), outcome.overrides, "{}", task.id);
            checked += 1;
        }
    }
    assert!(checked >= 4, "{checked}");
}

#[test]
fn scheduled_tasks_fire_at_their_minute() {
    let spec = root().join("examples/nightly-report/spec.yaml");
    let (code, text) = simulate(&spec, "", &["--at", "2026-11-29T03:00:00Z"]);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("+ nightly: starts"), "{text}");
    let (code, text) = simulate(&spec, "", &["--at", "2026-11-29T03:01:00Z"]);
    assert_eq!(code, Some(1), "{text}");
    // tfc event explains that a schedule cannot be put.
    let out = tfc()
        .arg("event")
        .arg(&spec)
        .arg("nightly")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("runs on a schedule"));
}

#[test]
fn aws_cli_form_is_one_shell_command() {
    let out = tfc()
        .arg("event")
        .arg(root().join("examples/django-manage/spec.yaml"))
        .args([
            "manage",
            "--set",
            "$.detail.command=it's migrate",
            "--aws-cli",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let line = String::from_utf8(out.stdout).unwrap();
    assert!(
        line.starts_with("aws events put-events --entries '[{"),
        "{line}"
    );
    // The shell reads it back to the entry tfc printed as JSON.
    let sh = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "printf '%s' {}",
            line.trim_end()
                .trim_start_matches("aws events put-events --entries ")
        ))
        .output()
        .unwrap();
    let entries: Value = serde_json::from_slice(&sh.stdout).unwrap();
    let detail: Value = serde_json::from_str(entries[0]["Detail"].as_str().unwrap()).unwrap();
    assert_eq!(detail["command"], "it's migrate");
}

#[test]
fn numeric_and_boolean_event_values_arrive_as_strings() {
    // The billing example's pattern shows `amount` is a number and `dry_run` a boolean: the
    // template quotes their placeholders, so ECS receives strings and the task starts.
    let spec = root().join("examples/billing/spec.yaml");
    let event = r#"{"source":"com.acme.billing","detail-type":"RefundRequested","detail":{"order":"A-1001","amount":120,"dry_run":false}}"#;
    let (code, text) = simulate(&spec, event, &["--format", "json"]);
    assert_eq!(code, Some(0), "{text}");
    let v: Value = serde_json::from_str(&text).unwrap();
    let refund = v
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["task"] == "refund")
        .unwrap();
    assert_eq!(refund["started"], true, "{refund}");
    assert_eq!(
        refund["command"],
        json!([
            "python",
            "-m",
            "billing.refund",
            "--order",
            "A-1001",
            "--amount",
            "120"
        ])
    );
    assert_eq!(refund["command_source"], "overrides");
    assert_eq!(refund["environment"]["DRY_RUN"], "false");
    // A decimal and a large number arrive as their JSON text.
    let event = r#"{"source":"com.acme.billing","detail-type":"RefundRequested","detail":{"order":"A-7","amount":99.5,"dry_run":true}}"#;
    let (code, text) = simulate(&spec, event, &[]);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains(r#""--amount","99.5"]"#), "{text}");
    assert!(text.contains("env DRY_RUN=true"), "{text}");
}

#[test]
fn the_effective_command_of_every_kind_of_task() {
    // A created definition without `command` runs its image's own CMD.
    let spec = root().join("examples/billing/spec.yaml");
    let out = tfc()
        .arg("simulate")
        .arg(&spec)
        .args(["--at", "2026-12-03T01:30:00Z"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("command: the image's own CMD (the task definition sets no command)"),
        "{text}"
    );
    assert!(!text.contains("command: []"), "{text}");
    // An existing definition: its own command, and the environment tfc knows is partial.
    let spec = root().join("examples/existing-definition/spec.yaml");
    let mut child = tfc()
        .args(["simulate", "--format", "json"])
        .arg(&spec)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    // The rule listens on the `catalog` bus: put the event there.
    let entry = r#"{"Source":"com.acme.catalog","DetailType":"ProductsChanged","EventBusName":"catalog","Detail":"{\"count\":3,\"region\":\"eu-west-1\",\"scope\":\"shoes\"}"}"#;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(entry.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v[0]["started"], true, "{v}");
    assert_eq!(v[0]["command_source"], "existing task definition");
    assert_eq!(v[0].get("command"), None);
    assert_eq!(v[0]["environment_complete"], false);
    assert_eq!(v[0]["environment"]["REINDEX_SCOPE"], "shoes");
    // An existing definition whose command the overrides set runs that command.
    let dir = common::scratch("existing-command");
    let path = dir.join("spec.yaml");
    std::fs::write(
        &path,
        std::fs::read_to_string(&spec).unwrap().replace(
            "        MODE: incremental\n",
            "        MODE: incremental\n      command: [python, reindex.py, { from: $.detail.scope }]\n",
        ),
    )
    .unwrap();
    let mut child = tfc()
        .args(["simulate"])
        .arg(&path)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(entry.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains(r#"command: ["python","reindex.py","shoes"] (from the overrides)"#),
        "{text}"
    );
    assert!(
        text.contains("plus the existing task definition's own variables"),
        "{text}"
    );
}

#[test]
fn a_failed_run_task_names_no_command() {
    // The pattern says nothing about the type of `amount`, so a number arrives unquoted, ECS
    // rejects the overrides and no task starts: the report says so and does not describe a
    // command that never runs (nor call a created definition an existing one).
    let dir = common::scratch("sim-failed");
    let spec = dir.join("spec.yaml");
    std::fs::write(
        &spec,
        "version: 1\nname: unk\ntasks:\n  run:\n    image: nginx:latest\n    command: [run]\n    environment: { BASE: one }\n    network:\n      subnets: [subnet-0123456789abcdef0]\n    trigger:\n      event:\n        source: [acme]\n        detail:\n          amount: [{ exists: true }]\n    overrides:\n      command: [run, { from: $.detail.amount }]\n",
    )
    .unwrap();
    let (code, out) = simulate(
        &spec,
        r#"{"source":"acme","detail-type":"x","detail":{"amount":5}}"#,
        &[],
    );
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("matches, but RunTask fails"), "{out}");
    assert!(out.contains("problem:"), "{out}");
    assert!(!out.contains("command:"), "{out}");
}

#[test]
fn the_run_task_request_shows_placement_and_options() {
    let spec = root().join("examples/spot-jobs/spec.yaml");
    let event = r#"{"source":"com.example.catalogue","detail-type":"Reindex Requested","detail":{"index":"products","size":{"cpu":1024,"memory":4096}}}"#;
    let (code, text) = simulate(&spec, event, &[]);
    assert_eq!(code, Some(0), "{text}");
    assert!(
        text.contains("      run: capacity providers FARGATE (base 1, weight 1), FARGATE_SPOT (weight 3); ECS Exec enabled; ECS managed tags; group search-jobs\n"),
        "{text}"
    );
    let (code, text) = simulate(&spec, event, &["--format", "json"]);
    assert_eq!(code, Some(0));
    let v: Value = serde_json::from_str(&text).unwrap();
    let reindex = v
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["task"] == "reindex")
        .unwrap();
    let rt = &reindex["run_task"];
    assert_eq!(rt.get("launch_type"), None, "{rt}");
    assert_eq!(
        rt["capacity_provider_strategy"],
        json!([
            {"provider": "FARGATE", "weight": 1, "base": 1},
            {"provider": "FARGATE_SPOT", "weight": 3, "base": 0},
        ])
    );
    assert_eq!(rt["enable_execute_command"], true);
    assert_eq!(rt["enable_ecs_managed_tags"], true);
    assert_eq!(rt["group"], "search-jobs");
    // A task on the launch type shows it, and no options line.
    let seed = root().join("examples/django-manage/spec.yaml");
    let event = r#"{"source":"com.corp.env.my-proj.manage","detail-type":"Management","detail":{"subject":"execute","command":"check"}}"#;
    let (_, text) = simulate(&seed, event, &[]);
    assert!(!text.contains("      run: "), "{text}");
    let (_, text) = simulate(&seed, event, &["--format", "json"]);
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v[0]["run_task"]["launch_type"], "FARGATE");
    assert_eq!(v[0]["run_task"].get("enable_execute_command"), None);
}

#[test]
fn a_run_sized_by_the_event_shows_its_size_and_fails_on_a_size_fargate_lacks() {
    let spec = root().join("examples/spot-jobs/spec.yaml");
    let event = |cpu: &str, memory: &str| {
        format!(
            r#"{{"source":"com.example.catalogue","detail-type":"Reindex Requested","detail":{{"index":"products","size":{{"cpu":{cpu},"memory":{memory}}}}}}}"#
        )
    };
    // Numbers and strings in the event both reach RunTask as the strings it takes.
    for (cpu, memory) in [("2048", "8192"), ("\"2048\"", "\"8192\"")] {
        let (code, text) = simulate(&spec, &event(cpu, memory), &[]);
        assert_eq!(code, Some(0), "{text}");
        assert!(
            text.contains("      size: 2048 CPU · 8192 MiB (from the overrides)\n"),
            "{text}"
        );
        let (_, text) = simulate(&spec, &event(cpu, memory), &["--format", "json"]);
        let v: Value = serde_json::from_str(&text).unwrap();
        let o = v
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["task"] == "reindex")
            .unwrap();
        assert_eq!(o["overrides"]["cpu"], "2048");
        assert_eq!(o["overrides"]["memory"], "8192");
        assert_eq!(
            o["size"],
            json!({"cpu": 2048, "memory": 8192, "overridden": true})
        );
    }
    let (code, text) = simulate(&spec, &event("2048", "1024"), &[]);
    assert_ne!(code, Some(0), "{text}");
    assert!(
        text.contains("Fargate has no 2048 CPU / 1024 MiB size"),
        "{text}"
    );
    // Without size overrides the size is the definition's, and not printed.
    let seed = root().join("examples/django-manage/spec.yaml");
    let e = r#"{"source":"com.corp.env.my-proj.manage","detail-type":"Management","detail":{"subject":"execute","command":"check"}}"#;
    let (_, text) = simulate(&seed, e, &["--format", "json"]);
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        v[0]["size"],
        json!({"cpu": 2048, "memory": 4096, "overridden": false})
    );
    let (_, text) = simulate(&seed, e, &[]);
    assert!(!text.contains("size:"), "{text}");
}
