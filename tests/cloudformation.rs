//! The CloudFormation target: cfn-lint (pinned) accepts every golden template with zero errors
//! and warnings; the seed's input transformer equals CDK's byte for byte; the events role grants
//! exactly what EcsTask needs; hostile strings round-trip through the real parsers; an invalid
//! spec writes nothing.

mod common;

use common::scratch;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{example_specs, python_tool, root, tfc};
use pretty_assertions::assert_eq;
use serde_json::{json, Value};

fn compile_str(spec: &str, format: &str) -> String {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let dir = scratch(&format!(
        "compile-{}",
        N.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
    ));
    let path = dir.join("spec.yaml");
    std::fs::write(&path, spec).unwrap();
    let out = tfc()
        .arg("compile")
        .arg(&path)
        .args(["-t", "cloudformation", "--format", format])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn yaml(text: &str) -> Value {
    serde_norway::from_str(text).unwrap()
}

fn golden_templates() -> Vec<PathBuf> {
    example_specs()
        .iter()
        .flat_map(|s| {
            let dir = s.parent().unwrap().join("cloudformation");
            [dir.join("template.yaml"), dir.join("template.json")]
        })
        .collect()
}

fn seed() -> String {
    std::fs::read_to_string(root().join("examples/django-manage/spec.yaml")).unwrap()
}

fn statements(template: &Value, policy: &str) -> Vec<Value> {
    template["Resources"][policy]["Properties"]["PolicyDocument"]["Statement"]
        .as_array()
        .cloned()
        .unwrap()
}

#[test]
fn seed_input_transformer_equals_cdks_byte_for_byte() {
    let t = yaml(
        &std::fs::read_to_string(
            root().join("examples/django-manage/cloudformation/template.yaml"),
        )
        .unwrap(),
    );
    let target = &t["Resources"]["ManageRule"]["Properties"]["Targets"][0];
    assert_eq!(
        target["InputTransformer"]["InputPathsMap"],
        json!({"detail-command": "$.detail.command"})
    );
    assert_eq!(
        target["InputTransformer"]["InputTemplate"],
        json!(
            r#"{"containerOverrides":[{"name":"web","environment":[{"name":"MANAGEMENT_COMMAND","value":<detail-command>}]}]}"#
        )
    );
    // The JSON format carries the same document.
    let j: Value = serde_json::from_str(
        &std::fs::read_to_string(
            root().join("examples/django-manage/cloudformation/template.json"),
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(j, t);
}

fn pass_role(resource: Value) -> Value {
    json!({
        "Effect": "Allow",
        "Action": "iam:PassRole",
        "Resource": resource,
        "Condition": {"StringLike": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}},
    })
}

fn run_task(resource: Value, cluster: Value) -> Value {
    json!({"Effect": "Allow", "Action": "ecs:RunTask", "Resource": resource, "Condition": {"ArnEquals": {"ecs:cluster": cluster}}})
}

fn tag_resource(cluster_name: &str) -> Value {
    json!({
        "Effect": "Allow",
        "Action": "ecs:TagResource",
        "Resource": {"Fn::Sub": format!("arn:${{AWS::Partition}}:ecs:${{AWS::Region}}:${{AWS::AccountId}}:task/{cluster_name}/*")},
        "Condition": {"StringEquals": {"ecs:CreateAction": "RunTask"}},
    })
}

#[test]
fn events_role_statements_with_created_roles() {
    let t = yaml(&compile_str(&seed(), "yaml"));
    assert_eq!(
        statements(&t, "ManageEventsRolePolicy"),
        vec![
            run_task(
                json!({"Ref": "ManageTaskDefinition"}),
                json!({"Fn::GetAtt": ["Cluster", "Arn"]})
            ),
            tag_resource("${Cluster}"),
            pass_role(json!({"Fn::GetAtt": ["ManageExecutionRole", "Arn"]})),
            pass_role(json!({"Fn::GetAtt": ["ManageTaskRole", "Arn"]})),
        ]
    );
    assert_eq!(
        t["Resources"]["ManageEventsRole"]["Properties"]["AssumeRolePolicyDocument"]["Statement"]
            [0]["Principal"],
        json!({"Service": "events.amazonaws.com"})
    );
    assert_eq!(
        t["Resources"]["ManageRule"]["Properties"]["Targets"][0]["RoleArn"],
        json!({"Fn::GetAtt": ["ManageEventsRole", "Arn"]})
    );
}

#[test]
fn events_role_statements_with_a_given_task_role() {
    let role = "arn:aws:iam::123456789012:role/my-proj-task";
    let spec = seed().replace(
        "    container: web\n",
        &format!("    container: web\n    task_role: {role}\n"),
    );
    let t = yaml(&compile_str(&spec, "yaml"));
    assert!(
        t["Resources"].get("ManageTaskRole").is_none(),
        "no task role is created when one is given"
    );
    assert_eq!(
        t["Resources"]["ManageTaskDefinition"]["Properties"]["TaskRoleArn"],
        json!(role)
    );
    assert_eq!(
        statements(&t, "ManageEventsRolePolicy"),
        vec![
            run_task(
                json!({"Ref": "ManageTaskDefinition"}),
                json!({"Fn::GetAtt": ["Cluster", "Arn"]})
            ),
            tag_resource("${Cluster}"),
            pass_role(json!({"Fn::GetAtt": ["ManageExecutionRole", "Arn"]})),
            pass_role(json!(role)),
        ]
    );
}

#[test]
fn events_role_statements_for_an_existing_task_definition() {
    let t = yaml(
        &std::fs::read_to_string(
            root().join("examples/existing-definition/cloudformation/template.yaml"),
        )
        .unwrap(),
    );
    let cluster = "arn:aws:ecs:eu-west-1:123456789012:cluster/main";
    assert_eq!(
        statements(&t, "ReindexEventsRolePolicy"),
        vec![
            run_task(
                json!("arn:aws:ecs:eu-west-1:123456789012:task-definition/search-reindex:7"),
                json!(cluster)
            ),
            tag_resource("main"),
            pass_role(json!("arn:aws:iam::123456789012:role/search-execution")),
            pass_role(json!("arn:aws:iam::123456789012:role/search-indexer")),
        ]
    );
    // An unpinned family may run any revision, as CDK grants it.
    let spec = std::fs::read_to_string(root().join("examples/existing-definition/spec.yaml"))
        .unwrap()
        .replace("search-reindex:7", "search-reindex");
    let t = yaml(&compile_str(&spec, "yaml"));
    assert_eq!(
        statements(&t, "ReindexEventsRolePolicy")[0]["Resource"],
        json!("arn:aws:ecs:eu-west-1:123456789012:task-definition/search-reindex:*")
    );
}

#[test]
fn no_policy_statement_grants_a_wildcard_action() {
    let mut checked = 0;
    for path in golden_templates()
        .iter()
        .filter(|p| p.extension().unwrap() == "yaml")
    {
        let t = yaml(&std::fs::read_to_string(path).unwrap());
        for (id, r) in t["Resources"].as_object().unwrap() {
            let doc = &r["Properties"]["PolicyDocument"];
            for s in doc["Statement"].as_array().into_iter().flatten() {
                let actions: Vec<&str> = match &s["Action"] {
                    Value::String(a) => vec![a.as_str()],
                    Value::Array(a) => a.iter().map(|x| x.as_str().unwrap()).collect(),
                    other => panic!("{id}: unexpected Action {other}"),
                };
                for a in actions {
                    checked += 1;
                    assert!(
                        a != "*" && !a.ends_with(":*") && !a.contains('*'),
                        "{}: {id} grants {a}",
                        path.display()
                    );
                }
            }
        }
    }
    assert!(checked > 20, "only {checked} actions checked");
}

#[test]
fn execution_role_reads_exactly_the_secrets_and_pulls_the_image() {
    let t = yaml(
        &std::fs::read_to_string(
            root().join("examples/nightly-report/cloudformation/template.yaml"),
        )
        .unwrap(),
    );
    let s = statements(&t, "NightlyExecutionRolePolicy");
    assert_eq!(
        s[0]["Action"],
        json!(["logs:CreateLogStream", "logs:PutLogEvents"])
    );
    assert_eq!(
        s[0]["Resource"],
        json!({"Fn::GetAtt": ["NightlyLogGroup", "Arn"]})
    );
    assert_eq!(
        s[1]["Resource"],
        json!({"Fn::Sub": "arn:${AWS::Partition}:ecr:eu-west-1:123456789012:repository/reports"})
    );
    assert_eq!(
        s[2],
        json!({"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"})
    );
    assert_eq!(
        s[3],
        json!({"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:reports/db-AbCdEf"})
    );
    assert_eq!(
        s[4],
        json!({"Effect": "Allow", "Action": "ssm:GetParameters", "Resource": "arn:aws:ssm:eu-west-1:123456789012:parameter/reports/api-token"})
    );
    assert_eq!(s.len(), 5);
    // The dead-letter queue policy exists only when deployed into the queue's account.
    let qp = &t["Resources"]["NightlyDeadLetterQueuePolicy"];
    assert_eq!(
        qp["Condition"],
        json!("NightlyDeadLetterQueueInStackAccount")
    );
    assert_eq!(
        t["Conditions"]["NightlyDeadLetterQueueInStackAccount"],
        json!({"Fn::Equals": [{"Ref": "AWS::AccountId"}, "123456789012"]})
    );
    assert_eq!(
        qp["Properties"]["PolicyDocument"]["Statement"][0]["Condition"],
        json!({"ArnEquals": {"aws:SourceArn": {"Fn::GetAtt": ["NightlyRule", "Arn"]}}})
    );
}

/// The values of the hostile spec, as tfc itself parsed them.
fn hostile_spec() -> tfc::spec::Spec {
    let checked = tfc::check(&std::fs::read(root().join("tests/hostile/spec.yaml")).unwrap());
    assert!(!checked.has_errors(), "{:?}", checked.diagnostics);
    checked.spec.unwrap()
}

fn assert_hostile_values(t: &Value) {
    let spec = hostile_spec();
    let task = &spec.tasks["evil"];
    let r = &t["Resources"];
    assert_eq!(t["Description"], json!(spec.description.unwrap()));
    let container = &r["EvilTaskDefinition"]["Properties"]["ContainerDefinitions"][0];
    assert_eq!(container["Command"], json!(task.command.clone().unwrap()));
    assert_eq!(container["Image"], json!(task.image.clone().unwrap()));
    let env: serde_json::Map<String, Value> = container["Environment"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["Name"].as_str().unwrap().to_string(), e["Value"].clone()))
        .collect();
    assert_eq!(Value::Object(env), json!(task.environment.clone().unwrap()));
    let rule = &r["EvilRule"]["Properties"];
    assert_eq!(
        rule["Description"],
        json!(task.description.clone().unwrap())
    );
    assert_eq!(rule["EventPattern"], task.trigger.event.clone().unwrap());
    let tags: serde_json::Map<String, Value> = r["Cluster"]["Properties"]["Tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["Key"].as_str().unwrap().to_string(), e["Value"].clone()))
        .collect();
    assert_eq!(Value::Object(tags), json!(spec.tags));
    // The input template is JSON once its (unquoted) placeholder is filled in.
    let template = rule["Targets"][0]["InputTransformer"]["InputTemplate"]
        .as_str()
        .unwrap();
    let filled: Value =
        serde_json::from_str(&template.replace("<detail-text>", "\"from the event\"")).unwrap();
    let env = &filled["containerOverrides"][0]["environment"];
    assert_eq!(
        env[0],
        json!({"name": "FROM_EVENT", "value": "from the event"})
    );
    let tfc::spec::OverrideValue::Literal(lit) =
        &task.overrides.as_ref().unwrap().environment["LITERAL"]
    else {
        panic!("LITERAL is a literal")
    };
    assert_eq!(env[1], json!({"name": "LITERAL", "value": lit}));
}

#[test]
fn hostile_strings_round_trip_through_yaml_and_json() {
    let spec = std::fs::read_to_string(root().join("tests/hostile/spec.yaml")).unwrap();
    let from_yaml = yaml(&compile_str(&spec, "yaml"));
    assert_hostile_values(&from_yaml);
    let from_json: Value = serde_json::from_str(&compile_str(&spec, "json")).unwrap();
    assert_eq!(from_json, from_yaml);
}

fn cfn_lint(files: &[PathBuf]) -> std::process::Output {
    Command::new(python_tool("cfn-lint"))
        .arg("--")
        .args(files)
        .output()
        .unwrap()
}

#[test]
#[ignore = "needs the pinned validators: run scripts/test"]
fn cfn_lint_reports_nothing_on_any_golden_template() {
    let files = golden_templates();
    assert!(files.len() >= 8);
    let out = cfn_lint(&files);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "cfn-lint:\n{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(text, "", "cfn-lint printed findings");
}

#[test]
#[ignore = "needs the pinned validators: run scripts/test"]
fn cfn_lint_rejects_a_broken_template() {
    // The control: the same validator fails on a template with an invalid launch type, so a
    // silent pass above means something.
    let good =
        std::fs::read_to_string(root().join("examples/django-manage/cloudformation/template.yaml"))
            .unwrap();
    let bad = scratch("broken").join("broken.yaml");
    std::fs::write(
        &bad,
        good.replace("LaunchType: FARGATE", "LaunchType: FARGATEX"),
    )
    .unwrap();
    let out = cfn_lint(&[bad]);
    assert_ne!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("FARGATEX"));
}

#[test]
#[ignore = "needs the pinned validators: run scripts/test"]
fn hostile_strings_round_trip_through_cfn_lints_own_parser() {
    let spec = std::fs::read_to_string(root().join("tests/hostile/spec.yaml")).unwrap();
    let dir = scratch("hostile");
    for format in ["yaml", "json"] {
        let path = dir.join(format!("template.{format}"));
        std::fs::write(&path, compile_str(&spec, format)).unwrap();
        let out = Command::new(python_tool("python3"))
            .arg(root().join("tests/tools/cfn_decode.py"))
            .arg(&path)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let parsed: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_hostile_values(&parsed);
    }
}

#[test]
fn invalid_spec_writes_nothing_and_reports_what_check_reports() {
    let spec = root().join("tests/invalid/fargate-memory.yaml");
    let out_dir = scratch("invalid").join("out");
    let compile = tfc()
        .arg("compile")
        .arg(&spec)
        .args(["-t", "cfn", "-o"])
        .arg(&out_dir)
        .output()
        .unwrap();
    assert_eq!(compile.status.code(), Some(1));
    assert!(
        !Path::new(&out_dir).exists(),
        "compile wrote output for an invalid spec"
    );
    assert!(compile.stdout.is_empty());
    let check = tfc().arg("check").arg(&spec).output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&compile.stderr),
        String::from_utf8_lossy(&check.stderr)
    );
}

#[test]
fn output_to_a_file_and_to_a_directory() {
    let dir = scratch("outputs");
    let spec = root().join("examples/django-manage/spec.yaml");
    let file = dir.join("stack.json");
    assert!(tfc()
        .arg("compile")
        .arg(&spec)
        .args(["-t", "cfn", "--format", "json", "-o"])
        .arg(&file)
        .status()
        .unwrap()
        .success());
    let golden =
        std::fs::read_to_string(root().join("examples/django-manage/cloudformation/template.json"))
            .unwrap();
    assert_eq!(std::fs::read_to_string(&file).unwrap(), golden);
    let out = dir.join("deploy");
    assert!(tfc()
        .arg("compile")
        .arg(&spec)
        .args(["-t", "cloudformation", "-o"])
        .arg(&out)
        .status()
        .unwrap()
        .success());
    assert!(out.join("template.yaml").exists());
}

/// The generated hostile specs of the round-trip property: `count` seeds from `first`.
fn generated(first: u64, count: u64) -> Vec<(u64, String, tfc::spec::Spec)> {
    (first..first + count)
        .map(|seed| {
            let yaml = common::hostile::to_yaml(&common::hostile::spec(seed, 3));
            let checked = tfc::check(yaml.as_bytes());
            assert!(
                !checked.has_errors(),
                "seed {seed}: {:?}\n{yaml}",
                checked.diagnostics
            );
            (seed, yaml, checked.spec.unwrap())
        })
        .collect()
}

fn render_cloudformation(spec: &tfc::spec::Spec, format: tfc::targets::Format) -> String {
    let model = tfc::model::lower(spec);
    tfc::targets::Target::Cloudformation
        .backend()
        .render(&model, tfc::targets::Layout::Single, format)
        .unwrap()
        .remove(0)
        .contents
}

#[test]
fn generated_hostile_strings_round_trip_through_yaml_and_json() {
    use tfc::targets::Format;
    for (seed, _, spec) in generated(0, 100) {
        let expected = common::hostile::expected(&spec);
        let from_yaml = yaml(&render_cloudformation(&spec, Format::Yaml));
        assert_eq!(
            common::hostile::observed_cloudformation(&from_yaml, &spec.name),
            expected,
            "seed {seed} (YAML)"
        );
        assert_eq!(
            from_yaml["Description"],
            json!(spec.description),
            "seed {seed}"
        );
        let from_json: Value =
            serde_json::from_str(&render_cloudformation(&spec, Format::Json)).unwrap();
        assert_eq!(from_json, from_yaml, "seed {seed} (JSON)");
    }
}

#[test]
#[ignore = "needs the pinned validators: run scripts/test"]
fn generated_hostile_strings_round_trip_through_cfn_lints_own_parser() {
    use tfc::targets::Format;
    let dir = scratch("generated");
    for (seed, _, spec) in generated(1000, 10) {
        for (format, ext) in [(Format::Yaml, "yaml"), (Format::Json, "json")] {
            let path = dir.join(format!("template-{seed}.{ext}"));
            std::fs::write(&path, render_cloudformation(&spec, format)).unwrap();
            let out = Command::new(python_tool("python3"))
                .arg(root().join("tests/tools/cfn_decode.py"))
                .arg(&path)
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "seed {seed}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let parsed: Value = serde_json::from_slice(&out.stdout).unwrap();
            assert_eq!(
                common::hostile::observed_cloudformation(&parsed, &spec.name),
                common::hostile::expected(&spec),
                "seed {seed} ({ext})"
            );
        }
    }
}
