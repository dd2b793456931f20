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

/// Every golden template: the plain examples' and each environment's of the examples with
/// parameters.
fn golden_templates() -> Vec<PathBuf> {
    example_specs()
        .iter()
        .map(|s| s.parent().unwrap().to_path_buf())
        .chain(common::baked_golden_dirs())
        .chain(common::native_golden_dirs().into_iter().map(|(_, d)| d))
        .flat_map(|d| {
            let dir = d.join("cloudformation");
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
            pass_role(json!([
                {"Fn::GetAtt": ["ManageExecutionRole", "Arn"]},
                {"Fn::GetAtt": ["ManageTaskRole", "Arn"]}
            ])),
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
            pass_role(json!([{"Fn::GetAtt": ["ManageExecutionRole", "Arn"]}, role])),
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
            pass_role(json!([
                "arn:aws:iam::123456789012:role/search-execution",
                "arn:aws:iam::123456789012:role/search-indexer"
            ])),
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
    let qp = &t["Resources"]["ReportsDlqQueuePolicy"];
    assert_eq!(qp["Condition"], json!("ReportsDlqQueueInStackAccount"));
    assert_eq!(
        t["Conditions"]["ReportsDlqQueueInStackAccount"],
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
    let t = &common::hostile::resolve_literal_subs(t);
    let spec = hostile_spec();
    let task = &spec.tasks["evil"];
    let r = &t["Resources"];
    // A stack description cannot be an Fn::Sub: tfc writes `${` there as `$ {`.
    assert_eq!(
        t["Description"],
        json!(spec.description.clone().unwrap().replace("${", "$ {"))
    );
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
    let mut files = golden_templates();
    // And on the templates of the hostile specs, whose strings are full of `${…}`.
    let dir = scratch("lint-hostile");
    for name in ["spec", "dollars"] {
        let spec =
            std::fs::read_to_string(root().join(format!("tests/hostile/{name}.yaml"))).unwrap();
        for format in ["yaml", "json"] {
            let path = dir.join(format!("{name}.{format}"));
            std::fs::write(&path, compile_str(&spec, format)).unwrap();
            files.push(path);
        }
    }
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
        .render(
            &tfc::plan::lower(&model),
            tfc::targets::Layout::Single,
            format,
        )
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
            json!(tfc::model::lower(&spec).stack_description()),
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

#[test]
fn a_shared_dead_letter_queue_gets_one_policy_with_a_statement_per_rule() {
    // SQS keeps one policy per queue: two policies on one queue would overwrite each other.
    let t = yaml(
        &std::fs::read_to_string(root().join("examples/billing/cloudformation/template.yaml"))
            .unwrap(),
    );
    let policies: Vec<&Value> = t["Resources"]
        .as_object()
        .unwrap()
        .values()
        .filter(|r| r["Type"] == "AWS::SQS::QueuePolicy")
        .collect();
    assert_eq!(policies.len(), 1);
    let statements = policies[0]["Properties"]["PolicyDocument"]["Statement"]
        .as_array()
        .unwrap();
    let sources: Vec<&Value> = statements
        .iter()
        .map(|s| &s["Condition"]["ArnEquals"]["aws:SourceArn"])
        .collect();
    assert_eq!(
        sources,
        vec![
            &json!({"Fn::GetAtt": ["LedgerRule", "Arn"]}),
            &json!({"Fn::GetAtt": ["RefundRule", "Arn"]})
        ]
    );
    // And in the other targets.
    let tf = std::fs::read_to_string(root().join("examples/billing/terraform/main.tf")).unwrap();
    assert_eq!(tf.matches("resource \"aws_sqs_queue_policy\"").count(), 1);
    let policy = &tf[tf.find("resource \"aws_sqs_queue_policy\"").unwrap()..];
    assert!(
        policy.contains("= aws_cloudwatch_event_rule.ledger.arn"),
        "{policy}"
    );
    assert!(
        policy.contains("= aws_cloudwatch_event_rule.refund.arn"),
        "{policy}"
    );
    let cdk =
        std::fs::read_to_string(root().join("examples/billing/cdk/lib/billing-tasks.ts")).unwrap();
    assert_eq!(cdk.matches("new sqs.CfnQueuePolicy(").count(), 1);
}

#[test]
fn partial_secret_arns_are_granted_with_the_random_suffix() {
    let t = yaml(
        &std::fs::read_to_string(root().join("examples/billing/cloudformation/template.yaml"))
            .unwrap(),
    );
    let s = statements(&t, "LedgerExecutionRolePolicy");
    let secrets = s
        .iter()
        .find(|x| x["Action"] == "secretsmanager:GetSecretValue")
        .unwrap();
    assert_eq!(
        secrets["Resource"],
        json!([
            "arn:aws:secretsmanager:eu-central-1:123456789012:secret:billing/db-??????",
            "arn:aws:secretsmanager:eu-central-1:123456789012:secret:billing/sftp-AbC123"
        ])
    );
    // The container reads them as written.
    let container =
        &t["Resources"]["LedgerTaskDefinition"]["Properties"]["ContainerDefinitions"][0];
    assert_eq!(
        container["Secrets"][0]["ValueFrom"],
        "arn:aws:secretsmanager:eu-central-1:123456789012:secret:billing/db"
    );
    // An ambiguous ending is granted both ways, and check says which forms it saw.
    let spec = seed().replace(
        "    trigger:\n      event:",
        "    secrets:\n      DB: arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-backup\n    trigger:\n      event:",
    );
    let t = yaml(&compile_str(&spec, "yaml"));
    let s = statements(&t, "ManageExecutionRolePolicy");
    let secrets = s
        .iter()
        .find(|x| x["Action"] == "secretsmanager:GetSecretValue")
        .unwrap();
    assert_eq!(
        secrets["Resource"],
        json!([
            "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-backup",
            "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-backup-??????"
        ])
    );
    let checked = tfc::check(spec.as_bytes());
    let w: Vec<_> = checked
        .diagnostics
        .iter()
        .filter(|d| d.code == "secret-arn")
        .collect();
    assert_eq!(w.len(), 1, "{:?}", checked.diagnostics);
    assert!(w[0]
        .message
        .contains("`-backup` could be the 6-character random suffix"));
}

#[test]
fn every_private_ecr_host_form_gets_pull_rights_and_other_registries_none() {
    let cases = [
        (
            "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1",
            Some("arn:${AWS::Partition}:ecr:eu-west-1:123456789012:repository/app"),
        ),
        (
            "123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com/team/app:1",
            Some("arn:${AWS::Partition}:ecr:us-gov-west-1:123456789012:repository/team/app"),
        ),
        (
            "123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/app:1",
            Some("arn:${AWS::Partition}:ecr:cn-north-1:123456789012:repository/app"),
        ),
        (
            "123456789012.dkr-ecr.ap-southeast-2.on.aws/app:1",
            Some("arn:${AWS::Partition}:ecr:ap-southeast-2:123456789012:repository/app"),
        ),
        (
            "123456789012.dkr-ecr-fips.us-east-2.on.aws/app:1",
            Some("arn:${AWS::Partition}:ecr:us-east-2:123456789012:repository/app"),
        ),
        ("public.ecr.aws/nginx/nginx:1.27", None),
        ("nginx:1.27", None),
        ("ghcr.io/acme/app:1", None),
    ];
    for (image, repository) in cases {
        let spec = seed().replace(
            "123456789012.dkr.ecr.eu-west-1.amazonaws.com/my-proj:latest",
            image,
        );
        let t = yaml(&compile_str(&spec, "yaml"));
        let s = statements(&t, "ManageExecutionRolePolicy");
        let pulls: Vec<&Value> = s
            .iter()
            .filter(|x| x["Action"].to_string().contains("ecr:"))
            .collect();
        // The same decision spelled by Terraform and CDK: the repository ARN with their
        // partition reference, or no ECR permission at all.
        let terraform = common::render(spec.as_bytes(), tfc::targets::Target::Terraform);
        let cdk = common::render(spec.as_bytes(), tfc::targets::Target::Cdk);
        match repository {
            Some(arn) => {
                assert_eq!(pulls.len(), 2, "{image}");
                assert_eq!(pulls[0]["Resource"], json!({ "Fn::Sub": arn }), "{image}");
                assert_eq!(pulls[1]["Action"], "ecr:GetAuthorizationToken", "{image}");
                let rest = arn.trim_start_matches("arn:${AWS::Partition}");
                assert!(
                    terraform.contains(&format!(
                        "Resource = \"arn:${{data.aws_partition.current.partition}}{rest}\""
                    )),
                    "{image}: {terraform}"
                );
                assert!(
                    cdk.contains(&format!("`arn:${{Aws.PARTITION}}{rest}`")),
                    "{image}: {cdk}"
                );
                for out in [&terraform, &cdk] {
                    assert!(out.contains("\"ecr:GetAuthorizationToken\""), "{image}");
                    assert!(out.contains("\"ecr:BatchGetImage\""), "{image}");
                }
            }
            None => {
                assert!(pulls.is_empty(), "{image}: {pulls:?}");
                assert!(!terraform.contains("ecr:"), "{image}: {terraform}");
                assert!(!cdk.contains("ecr:"), "{image}: {cdk}");
            }
        }
    }
}

/// A spec of `n` scheduled tasks; `existing` tasks run an existing definition in an existing
/// cluster (three resources and two outputs each), and `env` is inherited by every task.
fn many_tasks(n: usize, existing: bool, env: &str) -> String {
    let mut s = String::from("version: 1\nname: big\n");
    if existing {
        s.push_str("cluster:\n  arn: arn:aws:ecs:eu-west-1:123456789012:cluster/main\n");
    }
    s.push_str("defaults:\n  network:\n    subnets: [subnet-0123456789abcdef0]\n");
    if existing {
        s.push_str("  container: app\n  task_role: arn:aws:iam::123456789012:role/app\n");
    } else {
        s.push_str("  image: nginx:latest\n");
    }
    if !env.is_empty() {
        s.push_str(&format!("  environment:\n    BIG: \"{env}\"\n"));
    }
    s.push_str("tasks:\n");
    for i in 0..n {
        s.push_str(&format!(
            "  t{i}:\n    trigger:\n      schedule: rate(1 hour)\n"
        ));
        if existing {
            s.push_str(&format!(
                "    task_definition: arn:aws:ecs:eu-west-1:123456789012:task-definition/t{i}:1\n"
            ));
        }
    }
    s
}

/// `tfc compile` of a spec text: (exit code, stderr).
fn compile_code(spec: &str, target: &str) -> (Option<i32>, String) {
    let dir = scratch("quota");
    let path = dir.join("spec.yaml");
    std::fs::write(&path, spec).unwrap();
    let out = tfc()
        .arg("compile")
        .arg(&path)
        .args(["-t", target, "-o"])
        .arg(dir.join("out"))
        .output()
        .unwrap();
    let written = dir.join("out").exists();
    assert_eq!(
        written,
        out.status.success(),
        "wrote output although it failed"
    );
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn quota_codes(spec: &str) -> Vec<(&'static str, String)> {
    tfc::check(spec.as_bytes())
        .diagnostics
        .into_iter()
        .filter(|d| d.code == "stack-quota" || d.code == "template-size")
        .map(|d| (d.code, d.message))
        .collect()
}

#[test]
fn compile_measures_the_template_it_renders_as_check_does() {
    use tfc::targets::{Format, Layout, Target};
    // `compile` leaves the size to the template it renders (built once, not twice): the
    // diagnostics must be exactly the ones `check --target cloudformation` gives.
    let wide = "x".repeat(25_000);
    let cases = [
        // (spec, the YAML template's size or quota problem, the JSON template's)
        (seed(), None, None),
        (many_tasks(10, false, ""), None, Some("template-size")),
        (
            many_tasks(30, false, &wide),
            Some("template-size"),
            Some("template-size"),
        ),
        (
            many_tasks(45, false, &wide),
            Some("stack-quota"),
            Some("stack-quota"),
        ),
        (
            many_tasks(63, false, ""),
            Some("stack-quota"),
            Some("stack-quota"),
        ),
    ];
    for (spec, yaml, json) in &cases {
        for (format, expected) in [(Format::Yaml, yaml), (Format::Json, json)] {
            let deploy = Some((Target::Cloudformation, format));
            let measured = tfc::check_for(spec.as_bytes(), deploy).diagnostics;
            let mut deferred = tfc::check_measuring(
                spec.as_bytes(),
                deploy,
                &Default::default(),
                tfc::Measure::ByCaller,
            );
            if deferred.template_size.is_some() {
                let plan = deferred.plan.as_ref().expect("a valid spec's plan");
                let files = Target::Cloudformation
                    .backend()
                    .render(plan, Layout::Directory, format)
                    .unwrap();
                deferred.add_template_size(files[0].contents.len());
            }
            assert_eq!(measured, deferred.diagnostics, "{format:?}");
            assert_eq!(
                measured.iter().any(|d| Some(d.code) == *expected),
                expected.is_some(),
                "{format:?}: {measured:?}"
            );
        }
    }
    // And on the command line: the warning is said, the template written.
    let (code, err) = compile_code(&many_tasks(30, false, &wide), "cloudformation");
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("warning[template-size]"), "{err}");
}

#[test]
fn stack_quotas_are_reported_before_deploy() {
    // 500 resources: 1 cluster + 8 per created task, so 62 tasks fit and 63 do not.
    let fits = many_tasks(62, false, "");
    assert!(quota_codes(&fits).iter().all(|(c, _)| *c != "stack-quota"));
    assert_eq!(compile_code(&fits, "cloudformation").0, Some(0));
    let over = many_tasks(63, false, "");
    let q = quota_codes(&over);
    assert!(
        q.iter()
            .any(|(c, m)| *c == "stack-quota" && m.contains("makes 505 resources")),
        "{q:?}"
    );
    // `check --target` makes them errors, for CloudFormation and CDK, not for Terraform.
    for (target, code) in [("cloudformation", 1), ("cdk", 1), ("terraform", 0)] {
        let dir = scratch("quota-check");
        let path = dir.join("spec.yaml");
        std::fs::write(&path, &over).unwrap();
        let out = tfc()
            .args(["check", "--target", target])
            .arg(&path)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(code), "{target}: {err}");
        assert_eq!(
            err.contains("error[stack-quota]"),
            code == 1,
            "{target}: {err}"
        );
    }
    for target in ["cloudformation", "cdk"] {
        let (code, err) = compile_code(&over, target);
        assert_eq!(code, Some(1), "{target}");
        assert!(err.contains("error[stack-quota]"), "{err}");
        assert!(err.contains("split the tasks over several specs"), "{err}");
    }
    let (code, err) = compile_code(&over, "terraform");
    assert_eq!(code, Some(0));
    assert!(!err.contains("stack-quota"), "{err}");

    // 200 outputs: 1 + 2 per task, so 99 tasks fit and 100 do not (existing definitions keep
    // the resources far below their own limit).
    assert!(quota_codes(&many_tasks(99, true, ""))
        .iter()
        .all(|(c, _)| *c != "stack-quota"));
    let q = quota_codes(&many_tasks(100, true, ""));
    assert!(
        q.iter().any(|(_, m)| m.contains("makes 201 outputs")),
        "{q:?}"
    );

    // Template size: over 51,200 bytes is a warning (deploy through S3), over 1 MB an error.
    let small = seed();
    assert!(quota_codes(&small).is_empty());
    let value = "x".repeat(25_000);
    let q = quota_codes(&many_tasks(30, false, &value));
    assert!(
        q.iter().all(|(c, _)| *c == "template-size") && !q.is_empty(),
        "{q:?}"
    );
    let big = many_tasks(45, false, &value);
    let q = quota_codes(&big);
    assert!(
        q.iter()
            .any(|(c, m)| *c == "stack-quota" && m.contains("accepts at most 1048576")),
        "{q:?}"
    );
    assert_eq!(compile_code(&big, "cloudformation").0, Some(1));

    // Exactly 500 CloudFormation resources (62 created tasks and one existing definition): a
    // template CloudFormation takes, but CDK adds its metadata resource and `cdk synth` stops
    // at 501, so the CDK target refuses it and `check` warns.
    let edge = format!(
        "{}  edge:\n    trigger:\n      schedule: rate(1 hour)\n    task_definition: arn:aws:ecs:eu-west-1:123456789012:task-definition/edge:1\n    container: app\n    task_role: arn:aws:iam::123456789012:role/app\n",
        many_tasks(62, false, "")
    );
    assert_eq!(compile_code(&edge, "cloudformation").0, Some(0));
    let (code, err) = compile_code(&edge, "cdk");
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("a stack of 501 resources"), "{err}");
    let q = quota_codes(&edge);
    assert!(
        q.iter()
            .any(|(c, m)| *c == "stack-quota" && m.contains("to CDK 501")),
        "{q:?}"
    );

    // The size counted is the format written: JSON is larger than YAML, so a template under
    // 1 MB as YAML can be over it as JSON.
    let value = "x".repeat(10_000);
    let sized = many_tasks(62, false, &value);
    let dir = scratch("quota-json");
    let path = dir.join("spec.yaml");
    std::fs::write(&path, &sized).unwrap();
    let run = |file: &str| {
        tfc()
            .args(["compile", "-t", "cloudformation", "-o"])
            .arg(dir.join(file))
            .arg(&path)
            .output()
            .unwrap()
    };
    let yaml_out = run("t.yaml");
    let json_out = run("t.json");
    let yaml_size = std::fs::metadata(dir.join("t.yaml")).map(|m| m.len());
    assert!(
        yaml_out.status.success() && yaml_size.is_ok_and(|n| n < 1_048_576),
        "{}",
        String::from_utf8_lossy(&yaml_out.stderr)
    );
    assert_eq!(json_out.status.code(), Some(1));
    assert!(!dir.join("t.json").exists());
    assert!(String::from_utf8_lossy(&json_out.stderr).contains("accepts at most 1048576"));
}

/// The ECS Exec statement, as AWS documents it for the task role.
fn exec_statement() -> Value {
    json!({
        "Effect": "Allow",
        "Action": [
            "ssmmessages:CreateControlChannel",
            "ssmmessages:CreateDataChannel",
            "ssmmessages:OpenControlChannel",
            "ssmmessages:OpenDataChannel",
        ],
        "Resource": "*",
    })
}

#[test]
fn ecs_exec_adds_exactly_its_statement_to_the_created_task_role_and_nothing_else() {
    let before = yaml(&compile_str(&seed(), "yaml"));
    let spec = seed().replace(
        "    container: web\n",
        "    container: web\n    enable_execute_command: true\n",
    );
    let after = yaml(&compile_str(&spec, "yaml"));
    assert_eq!(
        statements(&after, "ManageTaskRolePolicy"),
        vec![exec_statement()]
    );
    assert_eq!(
        after["Resources"]["ManageTaskRolePolicy"]["Properties"]["Roles"],
        json!([{"Ref": "ManageTaskRole"}])
    );
    assert_eq!(
        after["Resources"]["ManageRule"]["Properties"]["Targets"][0]["EcsParameters"]
            ["EnableExecuteCommand"],
        json!(true)
    );
    // Everything else is as without ECS Exec: the same resources, the same other policies.
    let mut rest = after.clone();
    rest["Resources"]
        .as_object_mut()
        .unwrap()
        .remove("ManageTaskRolePolicy");
    rest["Resources"]["ManageRule"]["Properties"]["Targets"][0]["EcsParameters"]
        .as_object_mut()
        .unwrap()
        .remove("EnableExecuteCommand");
    assert_eq!(rest, before);
    // Without ECS Exec the task role has no policy at all.
    assert!(before["Resources"].get("ManageTaskRolePolicy").is_none());
}

#[test]
fn ecs_exec_with_a_given_task_role_grants_nothing() {
    let role = "arn:aws:iam::123456789012:role/my-proj-task";
    let spec = seed().replace(
        "    container: web\n",
        &format!("    container: web\n    task_role: {role}\n    enable_execute_command: true\n"),
    );
    let t = yaml(&compile_str(&spec, "yaml"));
    let mut policies: Vec<&String> = t["Resources"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, r)| r["Type"] == "AWS::IAM::Policy")
        .map(|(id, _)| id)
        .collect();
    policies.sort();
    assert_eq!(
        policies,
        ["ManageEventsRolePolicy", "ManageExecutionRolePolicy"]
    );
}

#[test]
fn placement_and_run_options_change_no_statement() {
    let before = yaml(&compile_str(&seed(), "yaml"));
    let spec = seed().replace(
        "    container: web\n",
        "    container: web\n    capacity_provider_strategy:\n      - { provider: FARGATE_SPOT, weight: 3 }\n      - { provider: FARGATE, base: 1, weight: 1 }\n    enable_ecs_managed_tags: true\n    task_group: management\n",
    );
    let after = yaml(&compile_str(&spec, "yaml"));
    for policy in ["ManageEventsRolePolicy", "ManageExecutionRolePolicy"] {
        assert_eq!(
            statements(&after, policy),
            statements(&before, policy),
            "{policy}"
        );
    }
    let ecs = &after["Resources"]["ManageRule"]["Properties"]["Targets"][0]["EcsParameters"];
    assert_eq!(
        ecs.get("LaunchType"),
        None,
        "a strategy excludes the launch type"
    );
    assert_eq!(
        ecs["CapacityProviderStrategy"],
        json!([
            {"CapacityProvider": "FARGATE_SPOT", "Weight": 3},
            {"CapacityProvider": "FARGATE", "Weight": 1, "Base": 1},
        ])
    );
    assert_eq!(ecs["EnableECSManagedTags"], json!(true));
    assert_eq!(ecs["Group"], json!("management"));
    // The cluster gets exactly the providers the strategy names, and the rule waits for them.
    assert_eq!(
        after["Resources"]["ClusterCapacityProviders"]["Properties"],
        json!({
            "Cluster": {"Ref": "Cluster"},
            "CapacityProviders": ["FARGATE", "FARGATE_SPOT"],
            "DefaultCapacityProviderStrategy": [],
        })
    );
    assert_eq!(
        after["Resources"]["ManageRule"]["DependsOn"],
        json!(["ManageEventsRolePolicy", "ClusterCapacityProviders"])
    );
    assert!(before["Resources"]
        .get("ClusterCapacityProviders")
        .is_none());
}

#[test]
fn an_existing_cluster_gets_no_capacity_provider_association() {
    let spec = seed().replace(
        "tags:\n  team: platform\n",
        "tags:\n  team: platform\ncluster:\n  arn: arn:aws:ecs:eu-west-1:123456789012:cluster/main\n",
    ).replace(
        "    container: web\n",
        "    container: web\n    capacity_provider_strategy:\n      - { provider: FARGATE_SPOT, weight: 1 }\n",
    );
    let t = yaml(&compile_str(&spec, "yaml"));
    assert!(t["Resources"].get("ClusterCapacityProviders").is_none());
    assert_eq!(
        t["Resources"]["ManageRule"]["DependsOn"],
        json!(["ManageEventsRolePolicy"])
    );
}

#[test]
fn storage_and_runtime_settings_reach_the_task_definition_and_grant_nothing() {
    let before = yaml(&compile_str(&seed(), "yaml"));
    let spec = seed().replace(
        "    container: web\n",
        "    container: web\n    ephemeral_storage: 50\n    read_only_root_filesystem: true\n    scratch: { tmp: /tmp, cache: /app/cache }\n    stop_timeout: 90\n    user: \"1000:1000\"\n",
    );
    let after = yaml(&compile_str(&spec, "yaml"));
    let policies = |t: &Value| -> Vec<(String, Vec<Value>)> {
        t["Resources"]
            .as_object()
            .unwrap()
            .iter()
            .filter(|(_, r)| r["Type"] == "AWS::IAM::Policy")
            .map(|(id, _)| (id.clone(), statements(t, id)))
            .collect()
    };
    assert_eq!(policies(&after), policies(&before));
    let def = &after["Resources"]["ManageTaskDefinition"]["Properties"];
    assert_eq!(def["EphemeralStorage"], json!({"SizeInGiB": 50}));
    assert_eq!(def["Volumes"], json!([{"Name": "cache"}, {"Name": "tmp"}]));
    let c = &def["ContainerDefinitions"][0];
    assert_eq!(c["ReadonlyRootFilesystem"], json!(true));
    assert_eq!(
        c["MountPoints"],
        json!([
            {"SourceVolume": "cache", "ContainerPath": "/app/cache", "ReadOnly": false},
            {"SourceVolume": "tmp", "ContainerPath": "/tmp", "ReadOnly": false},
        ])
    );
    assert_eq!(c["StopTimeout"], json!(90));
    assert_eq!(c["User"], json!("1000:1000"));
    // Without them the definition has none of these properties.
    let plain = &before["Resources"]["ManageTaskDefinition"]["Properties"];
    for key in ["EphemeralStorage", "Volumes"] {
        assert!(plain.get(key).is_none(), "{key}");
    }
    for key in [
        "ReadonlyRootFilesystem",
        "MountPoints",
        "StopTimeout",
        "User",
    ] {
        assert!(plain["ContainerDefinitions"][0].get(key).is_none(), "{key}");
    }
}

#[test]
fn task_statements_and_policies_reach_exactly_the_created_task_role() {
    let before = yaml(&compile_str(&seed(), "yaml"));
    let spec = seed().replace(
        "    container: web\n",
        "    container: web\n    task_policies: [arn:aws:iam::123456789012:policy/reports-read]\n    task_statements:\n      - actions: [s3:PutObject, s3:GetObject]\n        resources: [arn:aws:s3:::reports/latest.csv]\n",
    );
    let after = yaml(&compile_str(&spec, "yaml"));
    assert_eq!(
        statements(&after, "ManageTaskRolePolicy"),
        vec![json!({
            "Effect": "Allow",
            "Action": ["s3:PutObject", "s3:GetObject"],
            "Resource": "arn:aws:s3:::reports/latest.csv",
        })]
    );
    let role = &after["Resources"]["ManageTaskRole"]["Properties"];
    assert_eq!(
        role["ManagedPolicyArns"],
        json!(["arn:aws:iam::123456789012:policy/reports-read"])
    );
    // The other roles and policies are untouched.
    for id in [
        "ManageExecutionRole",
        "ManageEventsRole",
        "ManageEventsRolePolicy",
        "ManageExecutionRolePolicy",
    ] {
        assert_eq!(after["Resources"][id], before["Resources"][id], "{id}");
    }
    for id in ["ManageTaskRole", "ManageExecutionRole", "ManageEventsRole"] {
        let p = &before["Resources"][id]["Properties"];
        for key in ["ManagedPolicyArns", "PermissionsBoundary", "Path"] {
            assert!(p.get(key).is_none(), "{id} {key}");
        }
    }
}

#[test]
fn every_created_role_carries_the_boundary_and_path() {
    let boundary = "arn:aws:iam::123456789012:policy/platform/boundary";
    let spec = seed().replace(
        "tags:\n  team: platform\n",
        &format!("tags:\n  team: platform\niam:\n  permissions_boundary: {boundary}\n  role_path: /jobs/\n"),
    );
    let t = yaml(&compile_str(&spec, "yaml"));
    let roles: Vec<&Value> = t["Resources"]
        .as_object()
        .unwrap()
        .values()
        .filter(|r| r["Type"] == "AWS::IAM::Role")
        .collect();
    assert_eq!(roles.len(), 3);
    for r in roles {
        assert_eq!(r["Properties"]["PermissionsBoundary"], json!(boundary));
        assert_eq!(r["Properties"]["Path"], json!("/jobs/"));
    }
    // PassRole still names the roles by their ARNs (which now hold the path), never by name.
    assert_eq!(
        statements(&t, "ManageEventsRolePolicy")[2]["Resource"],
        json!([
            {"Fn::GetAtt": ["ManageExecutionRole", "Arn"]},
            {"Fn::GetAtt": ["ManageTaskRole", "Arn"]}
        ])
    );
}

#[test]
fn a_given_events_role_replaces_the_created_one_and_its_policy() {
    let role = "arn:aws:iam::123456789012:role/security/run-manage";
    let spec = seed().replace(
        "    container: web\n",
        &format!("    container: web\n    events_role: {role}\n"),
    );
    let t = yaml(&compile_str(&spec, "yaml"));
    assert!(t["Resources"].get("ManageEventsRole").is_none());
    assert!(t["Resources"].get("ManageEventsRolePolicy").is_none());
    let rule = &t["Resources"]["ManageRule"];
    assert_eq!(rule["Properties"]["Targets"][0]["RoleArn"], json!(role));
    assert!(rule.get("DependsOn").is_none(), "{rule}");
}

#[test]
fn an_extra_trigger_adds_its_rule_and_events_role_and_runs_the_tasks_definition() {
    let before = yaml(&compile_str(&seed(), "yaml"));
    let spec = format!(
        "{}    extra_triggers:\n      nightly:\n        trigger:\n          schedule: cron(0 3 * * ? *)\n        overrides:\n          environment:\n            MANAGEMENT_COMMAND: clearsessions\n",
        seed()
    );
    let after = yaml(&compile_str(&spec, "yaml"));
    let ids = |t: &Value| -> std::collections::BTreeSet<String> {
        t["Resources"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect()
    };
    let added: Vec<String> = ids(&after).difference(&ids(&before)).cloned().collect();
    assert_eq!(
        added,
        [
            "ManageNightlyEventsRole",
            "ManageNightlyEventsRolePolicy",
            "ManageNightlyRule"
        ]
    );
    // The task's own resources are exactly as with one trigger (names and logical ids stable).
    for id in ids(&before) {
        assert_eq!(after["Resources"][&id], before["Resources"][&id], "{id}");
    }
    // The extra trigger's role may start the task's definition and pass the task's roles.
    assert_eq!(
        statements(&after, "ManageNightlyEventsRolePolicy"),
        statements(&before, "ManageEventsRolePolicy")
    );
    let target = &after["Resources"]["ManageNightlyRule"]["Properties"]["Targets"][0];
    assert_eq!(
        target["EcsParameters"]["TaskDefinitionArn"],
        json!({"Ref": "ManageTaskDefinition"})
    );
    assert_eq!(
        target["Input"],
        json!(
            r#"{"containerOverrides":[{"name":"web","environment":[{"name":"MANAGEMENT_COMMAND","value":"clearsessions"}]}]}"#
        )
    );
    assert_eq!(
        after["Resources"]["ManageNightlyRule"]["Properties"]["Name"],
        json!("my-proj-manage-nightly")
    );
    // One more output (its rule), no second task-definition output.
    let outputs = |t: &Value| t["Outputs"].as_object().unwrap().len();
    assert_eq!(outputs(&after), outputs(&before) + 1);
}
