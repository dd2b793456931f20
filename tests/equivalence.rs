//! Cross-target equivalence, Terraform ≡ CloudFormation: for every example and the hostile
//! specs, the Terraform module (read back with HashiCorp's HCL parser, tests/tools/tf/decode.mjs)
//! describes the same deployment as the CloudFormation template: the same resources, the same
//! relationships (which role a target uses, which role a policy is attached to, which log group a
//! container writes to, what a target waits for), the same event patterns, input templates and
//! IAM statements, the same outputs. With CDK synth ≡ CloudFormation (tests/cdk.rs) the three
//! targets agree.
//!
//! Both outputs are projected onto one neutral form: resources keyed by kind and AWS name
//! (`role my-proj-manage-events`), references evaluated to those keys (`${role …}.arn`), the
//! pseudo parameters and data sources to `${partition}`, `${region}`, `${account}`,
//! `${dns_suffix}`. Resource types map across targets in [`KINDS`]. The controls render
//! Terraform from a deliberately broken plan (a resource, a statement or a dependency dropped,
//! a relationship changed) and prove the comparison fails.

mod common;

use std::collections::BTreeMap;
use std::process::Command;

use common::{example_specs, node_modules, root, scratch};
use pretty_assertions::assert_eq;
use serde_json::{json, Map, Value};
use tfc::plan::{Kind, Plan};
use tfc::targets::{Format, Layout, Target};

/// One table of resource types: the neutral kind, CloudFormation's type, Terraform's type. A
/// rule's target is a property of the rule in CloudFormation (`Targets`) and a resource of its
/// own in Terraform.
const KINDS: [(&str, &str, &str); 10] = [
    ("cluster", "AWS::ECS::Cluster", "aws_ecs_cluster"),
    (
        "capacity-providers",
        "AWS::ECS::ClusterCapacityProviderAssociations",
        "aws_ecs_cluster_capacity_providers",
    ),
    (
        "log-group",
        "AWS::Logs::LogGroup",
        "aws_cloudwatch_log_group",
    ),
    ("role", "AWS::IAM::Role", "aws_iam_role"),
    ("policy", "AWS::IAM::Policy", "aws_iam_role_policy"),
    (
        "task-definition",
        "AWS::ECS::TaskDefinition",
        "aws_ecs_task_definition",
    ),
    ("rule", "AWS::Events::Rule", "aws_cloudwatch_event_rule"),
    (
        "target",
        "AWS::Events::Rule/Targets",
        "aws_cloudwatch_event_target",
    ),
    (
        "queue-policy",
        "AWS::SQS::QueuePolicy",
        "aws_sqs_queue_policy",
    ),
    (
        "schedule",
        "AWS::Scheduler::Schedule",
        "aws_scheduler_schedule",
    ),
];

/// A Scheduler schedule and its ECS target in the neutral form, from either target's fields
/// (`f` reads a field by its CloudFormation name path; `tags` are the RunTask tags as a map).
#[allow(clippy::too_many_arguments)]
fn schedule_value(
    name: &Value,
    fields: [&Value; 9],
    target: [&Value; 6],
    ecs: [&Value; 6],
    vpc: [&Value; 3],
    task_tags: Value,
    depends: Vec<String>,
) -> Value {
    let [group, description, expression, zone, mode, window, start, end, state] = fields;
    let [cluster, role, input, attempts, age, dlq] = target;
    let [definition, count, launch, platform, propagate, _] = ecs;
    let [subnets, groups, public_ip] = vpc;
    json!({
        "name": name, "group": group, "description": description, "expression": expression,
        "timezone": zone, "window_mode": mode, "window": window, "start": start, "end": end,
        "enabled": state == "ENABLED",
        "cluster": cluster, "role": role, "input": input, "retry_attempts": attempts,
        "max_event_age": age, "dead_letter_queue": dlq,
        "task_definition": definition, "count": count, "launch_type": launch,
        "platform_version": platform, "propagate_tags": propagate,
        "subnets": subnets, "security_groups": many(groups), "public_ip": public_ip,
        "task_tags": task_tags, "depends_on": depends,
    })
}

/// The field names of the RunTask options in each language: strategy, its provider, weight and
/// base, then ECS Exec, managed tags and group (CloudFormation's names are the same in a rule's
/// and a schedule's `EcsParameters`; so are Terraform's in `ecs_target` and `ecs_parameters`).
const RUN_CFN: [&str; 7] = [
    "CapacityProviderStrategy",
    "CapacityProvider",
    "Weight",
    "Base",
    "EnableExecuteCommand",
    "EnableECSManagedTags",
    "Group",
];
const RUN_TF: [&str; 7] = [
    "capacity_provider_strategy",
    "capacity_provider",
    "weight",
    "base",
    "enable_execute_command",
    "enable_ecs_managed_tags",
    "group",
];

/// Placement and RunTask options in the neutral form: the strategy as a list sorted by
/// provider (Terraform's is a set), absent booleans as false, an absent base as 0.
fn run_options(ecs: &Value, names: [&str; 7]) -> Value {
    let [strategy, provider, weight, base, exec, managed, group] = names;
    let mut items: Vec<Value> = ecs[strategy]
        .as_array()
        .into_iter()
        .flatten()
        .map(|i| {
            json!({
                "provider": i[provider],
                "weight": i[weight],
                "base": if i[base].is_null() { json!(0) } else { i[base].clone() },
            })
        })
        .collect();
    items.sort_by_key(|i| i["provider"].to_string());
    json!({
        "strategy": items,
        "execute_command": ecs[exec] == true,
        "managed_tags": ecs[managed] == true,
        "group": ecs[group],
    })
}

/// The `key` of each element of a list (volume names), absent as an empty list.
fn names_of(list: &Value, key: &str) -> Value {
    Value::Array(
        list.as_array()
            .into_iter()
            .flatten()
            .map(|v| v[key].clone())
            .collect(),
    )
}

/// Mount points as `[volume, path, read-only]` triples, absent as an empty list.
fn mounts(list: &Value, [volume, path, read_only]: [&str; 3]) -> Value {
    Value::Array(
        list.as_array()
            .into_iter()
            .flatten()
            .map(|m| json!([m[volume], m[path], m[read_only]]))
            .collect(),
    )
}

fn with_run(mut v: Value, run: Value) -> Value {
    v["run"] = run;
    v
}

fn kind_of_cfn(t: &str) -> &'static str {
    KINDS
        .iter()
        .find(|k| k.1 == t)
        .map(|k| k.0)
        .unwrap_or_else(|| panic!("CloudFormation type {t} is not in KINDS"))
}

fn kind_of_tf(t: &str) -> &'static str {
    KINDS
        .iter()
        .find(|k| k.2 == t)
        .map(|k| k.0)
        .unwrap_or_else(|| panic!("Terraform type {t} is not in KINDS"))
}

fn plan_of(spec: &[u8]) -> Plan {
    let checked = tfc::check(spec);
    let parsed = checked.spec.expect("a valid spec");
    tfc::plan::lower(&tfc::model::lower(&parsed))
}

fn render(plan: &Plan, target: Target, format: Format) -> String {
    target
        .backend()
        .render(plan, Layout::Single, format)
        .expect("renders")
        .remove(0)
        .contents
}

/// The Terraform document read back with HashiCorp's parser (jsonencode arguments decoded).
fn decode_tf(text: &str, name: &str) -> Value {
    let path = scratch("equivalence").join(format!("{name}.tf"));
    std::fs::write(&path, text).unwrap();
    let out = Command::new("node")
        .arg(root().join("tests/tools/tf/decode.mjs"))
        .arg("--mark-interpolations")
        .arg(&path)
        .env("TFC_NODE_MODULES", node_modules())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "decode.mjs: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    v[path.to_string_lossy().as_ref()].clone()
}

/// A neutral deployment: resources by key, outputs by description.
#[derive(Debug, PartialEq)]
struct Deployment {
    resources: BTreeMap<String, Value>,
    outputs: BTreeMap<String, Value>,
}

/// Lists as they are, a single value as a one-element list (IAM's one-or-many).
fn many(v: &Value) -> Value {
    match v {
        Value::Array(_) => v.clone(),
        Value::Null => json!([]),
        other => json!([other]),
    }
}

/// `[{Key, Value}]` or `{k: v}` tags as a map (absent: empty).
fn tag_map(v: &Value) -> Value {
    match v {
        Value::Array(list) => Value::Object(
            list.iter()
                .map(|t| (t["Key"].as_str().unwrap().to_string(), t["Value"].clone()))
                .collect(),
        ),
        Value::Object(_) => v.clone(),
        _ => json!({}),
    }
}

fn statements(doc: &Value) -> Value {
    Value::Array(
        many(&doc["Statement"])
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                json!({
                    "Sid": s["Sid"],
                    "Effect": s["Effect"],
                    "Principal": s["Principal"],
                    "Action": many(&s["Action"]),
                    "Resource": many(&s["Resource"]),
                    "Condition": s["Condition"],
                })
            })
            .collect(),
    )
}

/// `{Name, Value}` lists (environment, secrets) by name.
fn by_name(v: &Value, name: &str, value: &str) -> Value {
    Value::Object(
        v.as_array()
            .into_iter()
            .flatten()
            .map(|e| (e[name].as_str().unwrap().to_string(), e[value].clone()))
            .collect(),
    )
}

// ---- CloudFormation ----

/// The keys of a template's resources, by logical id, and what each intrinsic of them means.
struct CfnNames {
    keys: BTreeMap<String, String>,
}

impl CfnNames {
    fn new(t: &Value) -> CfnNames {
        let resources = t["Resources"].as_object().unwrap();
        let mut keys = BTreeMap::new();
        for (id, r) in resources {
            let p = &r["Properties"];
            let kind = kind_of_cfn(r["Type"].as_str().unwrap());
            let name = match kind {
                "cluster" => Some(p["ClusterName"].clone()),
                "log-group" => Some(p["LogGroupName"].clone()),
                "role" => Some(p["RoleName"].clone()),
                "task-definition" => Some(p["Family"].clone()),
                "rule" | "schedule" => Some(p["Name"].clone()),
                _ => None,
            };
            if let Some(n) = name {
                keys.insert(id.clone(), format!("{kind} {}", n.as_str().unwrap()));
            }
        }
        for (id, r) in resources {
            let p = &r["Properties"];
            match kind_of_cfn(r["Type"].as_str().unwrap()) {
                "policy" => {
                    let role = p["Roles"][0]["Ref"].as_str().unwrap();
                    keys.insert(
                        id.clone(),
                        format!(
                            "policy {} of {}",
                            p["PolicyName"].as_str().unwrap(),
                            keys[role]
                        ),
                    );
                }
                "queue-policy" => {
                    keys.insert(id.clone(), format!("queue-policy of {}", r["Condition"]));
                }
                "capacity-providers" => {
                    let cluster = p["Cluster"]["Ref"].as_str().unwrap();
                    keys.insert(
                        id.clone(),
                        format!("capacity-providers of {}", keys[cluster]),
                    );
                }
                _ => {}
            }
        }
        CfnNames { keys }
    }

    fn key(&self, id: &str) -> String {
        self.keys
            .get(id)
            .cloned()
            .unwrap_or_else(|| format!("unknown {id}"))
    }

    /// `Ref` of a logical id or a pseudo parameter, in the neutral spelling.
    fn reference(&self, id: &str) -> String {
        match id {
            "AWS::Partition" => "${partition}".into(),
            "AWS::Region" => "${region}".into(),
            "AWS::AccountId" => "${account}".into(),
            "AWS::URLSuffix" => "${dns_suffix}".into(),
            _ => {
                let key = self.key(id);
                // `Ref` is a task definition's ARN and the others' name.
                if key.starts_with("task-definition ") {
                    format!("${{{key}}}.arn")
                } else {
                    format!("${{{key}}}.name")
                }
            }
        }
    }

    fn get_att(&self, id: &str, attr: &str) -> String {
        let key = self.key(id);
        match (attr, key.starts_with("log-group ")) {
            // A log group's `Arn` attribute ends in `:*` (every stream).
            ("Arn", true) => format!("${{{key}}}.arn:*"),
            ("Arn", false) => format!("${{{key}}}.arn"),
            (other, _) => format!("${{{key}}}.{other}"),
        }
    }

    /// Intrinsics evaluated to neutral strings.
    fn eval(&self, v: &Value) -> Value {
        match v {
            Value::Object(m) if m.len() == 1 => {
                let (k, x) = m.iter().next().unwrap();
                match k.as_str() {
                    "Ref" => json!(self.reference(x.as_str().unwrap())),
                    "Fn::GetAtt" => {
                        json!(self.get_att(x[0].as_str().unwrap(), x[1].as_str().unwrap()))
                    }
                    "Fn::Sub" => {
                        let (template, vars) = match x {
                            Value::String(s) => (s.as_str(), Map::new()),
                            _ => (
                                x[0].as_str().unwrap(),
                                x[1].as_object().cloned().unwrap_or_default(),
                            ),
                        };
                        json!(self.sub(template, &vars))
                    }
                    _ => json!({ k: self.eval(x) }),
                }
            }
            Value::Object(m) => {
                Value::Object(m.iter().map(|(k, x)| (k.clone(), self.eval(x))).collect())
            }
            Value::Array(a) => Value::Array(a.iter().map(|x| self.eval(x)).collect()),
            other => other.clone(),
        }
    }

    fn sub(&self, template: &str, vars: &Map<String, Value>) -> String {
        let mut out = String::new();
        let mut rest = template;
        while let Some(i) = rest.find("${") {
            out.push_str(&rest[..i]);
            let end = i + rest[i..].find('}').expect("a closed ${");
            let name = &rest[i + 2..end];
            if let Some(lit) = name.strip_prefix('!') {
                out.push_str(&format!("${{{lit}}}"));
            } else if let Some(v) = vars.get(name) {
                out.push_str(v.as_str().unwrap());
            } else if let Some((id, attr)) = name.split_once('.') {
                out.push_str(&self.get_att(id, attr));
            } else {
                out.push_str(&self.reference(name));
            }
            rest = &rest[end + 1..];
        }
        out.push_str(rest);
        out
    }
}

fn cfn_deployment(t: &Value) -> Deployment {
    let names = CfnNames::new(t);
    let mut resources = BTreeMap::new();
    for (id, r) in t["Resources"].as_object().unwrap() {
        let p = names.eval(&r["Properties"]);
        let kind = kind_of_cfn(r["Type"].as_str().unwrap());
        let key = names.key(id);
        let tags = tag_map(&p["Tags"]);
        let value = match kind {
            "cluster" => json!({ "name": p["ClusterName"], "tags": tags }),
            "capacity-providers" => json!({
                "cluster": p["Cluster"],
                "providers": p["CapacityProviders"],
                "default_strategy": many(&p["DefaultCapacityProviderStrategy"]),
            }),
            "log-group" => json!({
                "name": p["LogGroupName"],
                "retention_days": p["RetentionInDays"],
                "retain_on_delete": r["DeletionPolicy"] == "Retain",
                "tags": tags,
            }),
            "role" => json!({
                "name": p["RoleName"],
                "path": p["Path"],
                "trust": statements(&p["AssumeRolePolicyDocument"]),
                "managed_policies": many(&p["ManagedPolicyArns"]),
                "permissions_boundary": p["PermissionsBoundary"],
                "tags": tags,
            }),
            "policy" => json!({
                "name": p["PolicyName"],
                "role": p["Roles"][0],
                "statements": statements(&p["PolicyDocument"]),
            }),
            "task-definition" => {
                let c = &p["ContainerDefinitions"][0];
                let log = &c["LogConfiguration"]["Options"];
                json!({
                    "family": p["Family"],
                    "cpu": p["Cpu"],
                    "memory": p["Memory"],
                    "network_mode": p["NetworkMode"],
                    "compatibilities": p["RequiresCompatibilities"],
                    "architecture": p["RuntimePlatform"]["CpuArchitecture"],
                    "execution_role": p["ExecutionRoleArn"],
                    "task_role": p["TaskRoleArn"],
                    "ephemeral_storage": p["EphemeralStorage"]["SizeInGiB"],
                    "volumes": names_of(&p["Volumes"], "Name"),
                    "container": {
                        "read_only_root": c["ReadonlyRootFilesystem"],
                        "mounts": mounts(&c["MountPoints"], ["SourceVolume", "ContainerPath", "ReadOnly"]),
                        "stop_timeout": c["StopTimeout"],
                        "user": c["User"],
                        "name": c["Name"],
                        "image": c["Image"],
                        "essential": c["Essential"],
                        "entry_point": c["EntryPoint"],
                        "command": c["Command"],
                        "environment": by_name(&c["Environment"], "Name", "Value"),
                        "secrets": by_name(&c["Secrets"], "Name", "ValueFrom"),
                        "log_driver": c["LogConfiguration"]["LogDriver"],
                        "log_group": log["awslogs-group"],
                        "log_region": log["awslogs-region"],
                        "stream_prefix": log["awslogs-stream-prefix"],
                    },
                    "tags": tags,
                })
            }
            "rule" => {
                for target in p["Targets"].as_array().into_iter().flatten() {
                    let ecs = &target["EcsParameters"];
                    let vpc = &ecs["NetworkConfiguration"]["AwsVpcConfiguration"];
                    let transformer = &target["InputTransformer"];
                    let mut depends: Vec<String> = r["DependsOn"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .map(|d| names.key(d.as_str().unwrap()))
                        .collect();
                    depends.sort();
                    resources.insert(
                        format!("target {} of {key}", target["Id"].as_str().unwrap()),
                        json!({
                            "rule": format!("${{{key}}}.name"),
                            "cluster": target["Arn"],
                            "role": target["RoleArn"],
                            "task_definition": ecs["TaskDefinitionArn"],
                            "count": ecs["TaskCount"],
                            "launch_type": ecs["LaunchType"],
                            "platform_version": ecs["PlatformVersion"],
                            "subnets": vpc["Subnets"],
                            "security_groups": many(&vpc["SecurityGroups"]),
                            "public_ip": vpc["AssignPublicIp"] == "ENABLED",
                            "propagate_tags": ecs["PropagateTags"],
                            "run": run_options(ecs, RUN_CFN),
                            "task_tags": tag_map(&ecs["TagList"]),
                            "input": target["Input"],
                            "input_paths": transformer["InputPathsMap"],
                            "input_template": transformer["InputTemplate"],
                            "retry_attempts": target["RetryPolicy"]["MaximumRetryAttempts"],
                            "max_event_age": target["RetryPolicy"]["MaximumEventAgeInSeconds"],
                            "dead_letter_queue": target["DeadLetterConfig"]["Arn"],
                            "depends_on": depends,
                        }),
                    );
                }
                json!({
                    "name": p["Name"],
                    "description": p["Description"],
                    "bus": p["EventBusName"],
                    "pattern": p["EventPattern"],
                    "schedule": p["ScheduleExpression"],
                    "enabled": p["State"] == "ENABLED",
                    "tags": tags,
                })
            }
            "schedule" => {
                let tg = &p["Target"];
                let ecs = &tg["EcsParameters"];
                let vpc = &ecs["NetworkConfiguration"]["AwsvpcConfiguration"];
                let mut depends: Vec<String> = r["DependsOn"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|d| names.key(d.as_str().unwrap()))
                    .collect();
                depends.sort();
                let task_tags: Map<String, Value> = ecs["Tags"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|t| (t["key"].as_str().unwrap().to_string(), t["value"].clone()))
                    .collect();
                let w = &p["FlexibleTimeWindow"];
                let run = run_options(ecs, RUN_CFN);
                with_run(
                    schedule_value(
                        &p["Name"],
                        [
                            &p["GroupName"],
                            &p["Description"],
                            &p["ScheduleExpression"],
                            &p["ScheduleExpressionTimezone"],
                            &w["Mode"],
                            &w["MaximumWindowInMinutes"],
                            &p["StartDate"],
                            &p["EndDate"],
                            &p["State"],
                        ],
                        [
                            &tg["Arn"],
                            &tg["RoleArn"],
                            &tg["Input"],
                            &tg["RetryPolicy"]["MaximumRetryAttempts"],
                            &tg["RetryPolicy"]["MaximumEventAgeInSeconds"],
                            &tg["DeadLetterConfig"]["Arn"],
                        ],
                        [
                            &ecs["TaskDefinitionArn"],
                            &ecs["TaskCount"],
                            &ecs["LaunchType"],
                            &ecs["PlatformVersion"],
                            &ecs["PropagateTags"],
                            &Value::Null,
                        ],
                        [
                            &vpc["Subnets"],
                            &vpc["SecurityGroups"],
                            &json!(vpc["AssignPublicIp"] == "ENABLED"),
                        ],
                        Value::Object(task_tags),
                        depends,
                    ),
                    run,
                )
            }
            "queue-policy" => {
                let condition = r["Condition"].as_str().unwrap();
                json!({
                    "queue": p["Queues"][0],
                    "statements": statements(&p["PolicyDocument"]),
                    "only_in_account": t["Conditions"][condition]["Fn::Equals"][1],
                })
            }
            other => panic!("unexpected kind {other}"),
        };
        resources.insert(key, value);
    }
    let outputs = t["Outputs"]
        .as_object()
        .unwrap()
        .values()
        .map(|o| {
            (
                o["Description"].as_str().unwrap().to_string(),
                names.eval(&o["Value"]),
            )
        })
        .collect();
    Deployment { resources, outputs }
}

// ---- Terraform ----

/// The text of an expression decode.mjs marked as a template (`{"$template": …}`).
fn template(v: &Value) -> &str {
    v["$template"]
        .as_str()
        .unwrap_or_else(|| panic!("not an expression: {v}"))
}

/// Terraform's references and data sources in the neutral spelling.
struct TfNames {
    /// `TYPE.LABEL` → key.
    keys: BTreeMap<String, String>,
}

impl TfNames {
    fn new(doc: &Value) -> TfNames {
        let mut keys = BTreeMap::new();
        let resources = doc["resource"].as_object().cloned().unwrap_or_default();
        let name_attr = |kind: &str| match kind {
            "task-definition" => "family",
            _ => "name",
        };
        for (ty, blocks) in resources
            .iter()
            .filter(|(ty, _)| *ty != "aws_iam_role_policy_attachment")
        {
            let kind = kind_of_tf(ty);
            for (label, b) in blocks.as_object().unwrap() {
                let b = &b[0];
                if matches!(
                    kind,
                    "cluster" | "log-group" | "role" | "task-definition" | "rule" | "schedule"
                ) {
                    keys.insert(
                        format!("{ty}.{label}"),
                        format!("{kind} {}", b[name_attr(kind)].as_str().unwrap()),
                    );
                }
            }
        }
        let mut names = TfNames { keys };
        for (ty, blocks) in resources
            .iter()
            .filter(|(ty, _)| *ty != "aws_iam_role_policy_attachment")
        {
            for (label, b) in blocks.as_object().unwrap() {
                let b = &b[0];
                let key = match kind_of_tf(ty) {
                    "policy" => format!(
                        "policy {} of {}",
                        b["name"].as_str().unwrap(),
                        names.owner(template(&b["role"]))
                    ),
                    "queue-policy" => format!("queue-policy of {}", label),
                    "capacity-providers" => format!(
                        "capacity-providers of {}",
                        names.owner(template(&b["cluster_name"]))
                    ),
                    _ => continue,
                };
                names.keys.insert(format!("{ty}.{label}"), key);
            }
        }
        names
    }

    /// The key of the resource a `${TYPE.LABEL.ATTR}` expression names.
    fn owner(&self, expr: &str) -> String {
        let inner = expr.trim_start_matches("${").trim_end_matches('}');
        let mut parts = inner.splitn(3, '.');
        let address = format!(
            "{}.{}",
            parts.next().unwrap_or_default(),
            parts.next().unwrap_or_default()
        );
        self.keys
            .get(&address)
            .cloned()
            .unwrap_or_else(|| format!("unknown {address}"))
    }

    fn reference(&self, inner: &str) -> String {
        match inner {
            "data.aws_partition.current.partition" => "${partition}".into(),
            "data.aws_partition.current.dns_suffix" => "${dns_suffix}".into(),
            "data.aws_region.current.id" => "${region}".into(),
            "data.aws_caller_identity.current.account_id" => "${account}".into(),
            _ => {
                let mut parts = inner.splitn(3, '.');
                let address = format!(
                    "{}.{}",
                    parts.next().unwrap_or_default(),
                    parts.next().unwrap_or_default()
                );
                let attr = parts.next().unwrap_or_default();
                // A role's `id` is its name.
                let attr = if attr == "id" { "name" } else { attr };
                match self.keys.get(&address) {
                    Some(key) => format!("${{{key}}}.{attr}"),
                    None => format!("${{unknown {inner}}}"),
                }
            }
        }
    }

    /// Templates (`{"$template": …}` from decode.mjs) evaluated to neutral strings, their
    /// `$${` and `%%{` escapes unescaped; literal strings are already plain text.
    fn eval(&self, v: &Value) -> Value {
        match v {
            Value::Object(m) if m.len() == 1 && m.contains_key("$template") => {
                json!(self.template(m["$template"].as_str().unwrap()))
            }
            Value::Object(m) => {
                Value::Object(m.iter().map(|(k, x)| (k.clone(), self.eval(x))).collect())
            }
            Value::Array(a) => Value::Array(a.iter().map(|x| self.eval(x)).collect()),
            other => other.clone(),
        }
    }

    fn template(&self, s: &str) -> String {
        let mut out = String::new();
        let mut rest = s;
        while !rest.is_empty() {
            if let Some(after) = rest.strip_prefix("$${") {
                out.push_str("${");
                rest = after;
            } else if let Some(after) = rest.strip_prefix("%%{") {
                out.push_str("%{");
                rest = after;
            } else if let Some(after) = rest.strip_prefix("${") {
                let end = after.find('}').expect("a closed ${");
                out.push_str(&self.reference(&after[..end]));
                rest = &after[end + 1..];
            } else {
                let c = rest.chars().next().unwrap();
                out.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
        out
    }
}

/// A number as CloudFormation writes it in this position (a string for task sizes).
fn text_of(v: &Value) -> Value {
    match v {
        Value::Number(n) => json!(n.to_string()),
        other => other.clone(),
    }
}

fn tf_deployment(doc: &Value) -> Deployment {
    let names = TfNames::new(doc);
    let mut resources = BTreeMap::new();
    // A role's managed policies are attachments of their own in Terraform (`for_each` over the
    // ARNs), a property of the role in CloudFormation: folded into the role they name.
    let mut attachments: BTreeMap<String, Value> = BTreeMap::new();
    for b in doc["resource"]["aws_iam_role_policy_attachment"]
        .as_object()
        .into_iter()
        .flat_map(|m| m.values())
    {
        let b = &b[0];
        assert_eq!(b["policy_arn"]["$template"], "${each.value}");
        let for_each = template(&b["for_each"]);
        let list = for_each
            .strip_prefix("${toset(")
            .and_then(|r| r.strip_suffix(")}"))
            .unwrap_or_else(|| panic!("for_each is not toset([...]): {for_each}"));
        let arns: Value = serde_json::from_str(list).unwrap();
        let role = template(&b["role"]);
        let address = role
            .trim_start_matches("${")
            .trim_end_matches(".name}")
            .to_string();
        attachments.insert(address, arns);
    }
    for (ty, blocks) in doc["resource"].as_object().cloned().unwrap_or_default() {
        if ty == "aws_iam_role_policy_attachment" {
            continue;
        }
        let kind = kind_of_tf(&ty);
        for (label, b) in blocks.as_object().unwrap() {
            let raw = &b[0];
            let b = names.eval(raw);
            let key = names.keys.get(&format!("{ty}.{label}")).cloned();
            let tags = tag_map(&b["tags"]);
            let value = match kind {
                "cluster" => json!({ "name": b["name"], "tags": tags }),
                "capacity-providers" => json!({
                    "cluster": b["cluster_name"],
                    "providers": b["capacity_providers"],
                    "default_strategy": many(&b["default_capacity_provider_strategy"]),
                }),
                "log-group" => json!({
                    "name": b["name"],
                    "retention_days": b["retention_in_days"],
                    "retain_on_delete": b["skip_destroy"] == true,
                    "tags": tags,
                }),
                "role" => json!({
                    "name": b["name"],
                    "path": b["path"],
                    "trust": statements(&b["assume_role_policy"]),
                    "managed_policies": attachments
                        .get(&format!("{ty}.{label}"))
                        .cloned()
                        .unwrap_or(json!([])),
                    "permissions_boundary": b["permissions_boundary"],
                    "tags": tags,
                }),
                "policy" => json!({
                    "name": b["name"],
                    "role": b["role"],
                    "statements": statements(&b["policy"]),
                }),
                "task-definition" => {
                    let c = &b["container_definitions"][0];
                    let log = &c["logConfiguration"]["options"];
                    json!({
                        "family": b["family"],
                        "cpu": text_of(&b["cpu"]),
                        "memory": text_of(&b["memory"]),
                        "network_mode": b["network_mode"],
                        "compatibilities": b["requires_compatibilities"],
                        "architecture": b["runtime_platform"][0]["cpu_architecture"],
                        "execution_role": b["execution_role_arn"],
                        "task_role": b["task_role_arn"],
                        "ephemeral_storage": b["ephemeral_storage"][0]["size_in_gib"],
                        "volumes": names_of(&b["volume"], "name"),
                        "container": {
                            "read_only_root": c["readonlyRootFilesystem"],
                            "mounts": mounts(&c["mountPoints"], ["sourceVolume", "containerPath", "readOnly"]),
                            "stop_timeout": c["stopTimeout"],
                            "user": c["user"],
                            "name": c["name"],
                            "image": c["image"],
                            "essential": c["essential"],
                            "entry_point": c["entryPoint"],
                            "command": c["command"],
                            "environment": by_name(&c["environment"], "name", "value"),
                            "secrets": by_name(&c["secrets"], "name", "valueFrom"),
                            "log_driver": c["logConfiguration"]["logDriver"],
                            "log_group": log["awslogs-group"],
                            "log_region": log["awslogs-region"],
                            "stream_prefix": log["awslogs-stream-prefix"],
                        },
                        "tags": tags,
                    })
                }
                "rule" => json!({
                    "name": b["name"],
                    "description": b["description"],
                    "bus": b["event_bus_name"],
                    "pattern": b["event_pattern"],
                    "schedule": b["schedule_expression"],
                    "enabled": b["state"] == "ENABLED",
                    "tags": tags,
                }),
                "target" => {
                    let ecs = &b["ecs_target"][0];
                    let net = &ecs["network_configuration"][0];
                    let transformer = &b["input_transformer"][0];
                    let retry = &b["retry_policy"][0];
                    let rule = names.owner(template(&raw["rule"]));
                    let mut depends: Vec<String> = raw["depends_on"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .map(|d| names.owner(template(d)))
                        .collect();
                    depends.sort();
                    resources.insert(
                        format!("target {} of {rule}", b["target_id"].as_str().unwrap()),
                        json!({
                            "rule": b["rule"],
                            "cluster": b["arn"],
                            "role": b["role_arn"],
                            "task_definition": ecs["task_definition_arn"],
                            "count": ecs["task_count"],
                            "launch_type": ecs["launch_type"],
                            "platform_version": ecs["platform_version"],
                            "subnets": net["subnets"],
                            "security_groups": many(&net["security_groups"]),
                            "public_ip": net["assign_public_ip"] == true,
                            "propagate_tags": ecs["propagate_tags"],
                            "run": run_options(ecs, RUN_TF),
                            "task_tags": tag_map(&ecs["tags"]),
                            "input": b["input"],
                            "input_paths": transformer["input_paths"],
                            "input_template": transformer["input_template"],
                            "retry_attempts": retry["maximum_retry_attempts"],
                            "max_event_age": retry["maximum_event_age_in_seconds"],
                            "dead_letter_queue": b["dead_letter_config"][0]["arn"],
                            "depends_on": depends,
                        }),
                    );
                    continue;
                }
                "schedule" => {
                    let tg = &b["target"][0];
                    let ecs = &tg["ecs_parameters"][0];
                    let net = &ecs["network_configuration"][0];
                    let retry = &tg["retry_policy"][0];
                    let w = &b["flexible_time_window"][0];
                    let mut depends: Vec<String> = raw["depends_on"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .map(|d| names.owner(template(d)))
                        .collect();
                    depends.sort();
                    let run = run_options(ecs, RUN_TF);
                    with_run(
                        schedule_value(
                            &b["name"],
                            [
                                &b["group_name"],
                                &b["description"],
                                &b["schedule_expression"],
                                &b["schedule_expression_timezone"],
                                &w["mode"],
                                &w["maximum_window_in_minutes"],
                                &b["start_date"],
                                &b["end_date"],
                                &b["state"],
                            ],
                            [
                                &tg["arn"],
                                &tg["role_arn"],
                                &tg["input"],
                                &retry["maximum_retry_attempts"],
                                &retry["maximum_event_age_in_seconds"],
                                &tg["dead_letter_config"][0]["arn"],
                            ],
                            [
                                &ecs["task_definition_arn"],
                                &ecs["task_count"],
                                &ecs["launch_type"],
                                &ecs["platform_version"],
                                &ecs["propagate_tags"],
                                &Value::Null,
                            ],
                            [
                                &net["subnets"],
                                &net["security_groups"],
                                &json!(net["assign_public_ip"] == true),
                            ],
                            ecs["tags"]
                                .as_object()
                                .cloned()
                                .map(Value::Object)
                                .unwrap_or(json!({})),
                            depends,
                        ),
                        run,
                    )
                }
                "queue-policy" => {
                    // `count = data.aws_caller_identity.current.account_id == "ACCOUNT" ? 1 : 0`
                    let count = template(&raw["count"]);
                    let account = count.split('"').nth(1).unwrap_or_default();
                    json!({
                        "queue": b["queue_url"],
                        "statements": statements(&b["policy"]),
                        "only_in_account": account,
                    })
                }
                other => panic!("unexpected kind {other}"),
            };
            resources.insert(key.expect("a named resource"), value);
        }
    }
    let outputs = doc["output"]
        .as_object()
        .unwrap()
        .values()
        .map(|o| {
            let o = &o[0];
            (
                o["description"].as_str().unwrap().to_string(),
                names.eval(&o["value"]),
            )
        })
        .collect();
    Deployment { resources, outputs }
}

/// CloudFormation's queue-policy keys name its condition; Terraform's its label. Both become
/// the queue they guard (the queue URL), so the same queue has the same key.
fn key_queue_policies(d: &mut Deployment) {
    let keys: Vec<String> = d
        .resources
        .keys()
        .filter(|k| k.starts_with("queue-policy "))
        .cloned()
        .collect();
    for k in keys {
        let v = d.resources.remove(&k).unwrap();
        d.resources.insert(
            format!("queue-policy of {}", v["queue"].as_str().unwrap()),
            v,
        );
    }
}

/// What differs between the two deployments, one line per resource or output.
fn differences(plan: &Plan, tf_plan: &Plan, name: &str) -> Vec<String> {
    let cfn: Value =
        serde_json::from_str(&render(plan, Target::Cloudformation, Format::Json)).unwrap();
    let mut a = cfn_deployment(&cfn);
    let mut b = tf_deployment(&decode_tf(
        &render(tf_plan, Target::Terraform, Format::Yaml),
        name,
    ));
    key_queue_policies(&mut a);
    key_queue_policies(&mut b);
    let mut out = Vec::new();
    for key in a.resources.keys().chain(b.resources.keys()) {
        let (x, y) = (a.resources.get(key), b.resources.get(key));
        if x != y
            && !out
                .iter()
                .any(|o: &String| o.starts_with(&format!("{key}:")))
        {
            out.push(format!(
                "{key}:\n  CloudFormation: {}\n  Terraform:      {}",
                x.map_or("absent".into(), Value::to_string),
                y.map_or("absent".into(), Value::to_string)
            ));
        }
    }
    if a.outputs != b.outputs {
        out.push(format!(
            "outputs:\n  CloudFormation: {:?}\n  Terraform:      {:?}",
            a.outputs, b.outputs
        ));
    }
    out
}

fn specs() -> Vec<(String, Vec<u8>)> {
    let mut specs: Vec<(String, Vec<u8>)> = example_specs()
        .into_iter()
        .map(|p| (common::example_name(&p), std::fs::read(&p).unwrap()))
        .collect();
    for f in ["spec.yaml", "dollars.yaml"] {
        let path = root().join("tests/hostile").join(f);
        specs.push((format!("hostile-{f}"), std::fs::read(path).unwrap()));
    }
    // The examples with parameters, baked for each environment.
    for (spec, env) in common::parameterised_examples() {
        specs.push((
            format!("{}-{env}", common::example_name(&spec)),
            common::baked_spec(&spec, &env).into_bytes(),
        ));
    }
    for seed in [4000, 4001, 4002] {
        specs.push((
            format!("generated-{seed}"),
            common::hostile::to_yaml(&common::hostile::spec(seed, 3)).into_bytes(),
        ));
    }
    specs
}

#[test]
#[ignore = "needs the pinned validators: run scripts/test"]
fn terraform_and_cloudformation_describe_the_same_deployment() {
    for (name, spec) in specs() {
        let plan = plan_of(&spec);
        let found = differences(&plan, &plan, &name);
        assert!(
            found.is_empty(),
            "{name}: Terraform and CloudFormation differ:\n{}",
            found.join("\n")
        );
    }
}

#[test]
#[ignore = "needs the pinned validators: run scripts/test"]
fn the_projection_sees_every_resource_statement_and_relationship() {
    // Not an empty comparison: the projections hold every plan resource (targets as their
    // own entries), every statement, and the relationships.
    let spec = std::fs::read(root().join("examples/billing/spec.yaml")).unwrap();
    let plan = plan_of(&spec);
    let cfn: Value =
        serde_json::from_str(&render(&plan, Target::Cloudformation, Format::Json)).unwrap();
    let d = cfn_deployment(&cfn);
    assert_eq!(d.resources.len(), plan.resources().count());
    let target = d
        .resources
        .iter()
        .find(|(k, _)| k.starts_with("target "))
        .unwrap()
        .1;
    assert!(target["role"].as_str().unwrap().starts_with("${role "));
    assert_eq!(
        target["depends_on"].as_array().unwrap().len(),
        1,
        "{target}"
    );
    let policies = d
        .resources
        .values()
        .filter(|v| v["statements"].as_array().is_some_and(|s| !s.is_empty()))
        .count();
    assert!(policies >= 3, "{policies}");
}

/// The plan with one change, for the controls.
fn broken(plan: &Plan, change: impl Fn(&mut Plan)) -> Plan {
    let mut p = plan.clone();
    change(&mut p);
    p
}

#[test]
#[ignore = "needs the pinned validators: run scripts/test"]
fn a_broken_backend_is_caught() {
    let spec = std::fs::read(root().join("examples/billing/spec.yaml")).unwrap();
    let plan = plan_of(&spec);
    assert!(differences(&plan, &plan, "control-ok").is_empty());
    let controls: Vec<(&str, Plan, &str)> = vec![
        (
            "drops a resource",
            broken(&plan, |p| {
                for g in &mut p.groups {
                    g.resources
                        .retain(|r| !matches!(r.kind, Kind::QueuePolicy(_)));
                }
            }),
            "queue-policy of",
        ),
        (
            "adds a resource",
            broken(&plan, |p| {
                let extra = p.groups[1].resources[0].clone();
                let mut extra = extra;
                if let Kind::LogGroup(g) = &mut extra.kind {
                    g.name.push_str("-extra");
                }
                extra.id.owner = tfc::plan::Owner::Task("extra".into());
                p.groups[1].resources.push(extra);
            }),
            "-extra",
        ),
        (
            "drops a statement",
            broken(&plan, |p| {
                for g in &mut p.groups {
                    for r in &mut g.resources {
                        if let Kind::Policy(policy) = &mut r.kind {
                            policy.statements.pop();
                        }
                    }
                }
            }),
            "policy ",
        ),
        (
            "drops a dependency",
            broken(&plan, |p| {
                for g in &mut p.groups {
                    for r in &mut g.resources {
                        r.depends_on.clear();
                    }
                }
            }),
            "target ",
        ),
        (
            "gives a target another role",
            broken(&plan, |p| {
                let roles: Vec<tfc::plan::Id> = p
                    .resources()
                    .filter(|r| matches!(r.kind, Kind::Role(_)))
                    .map(|r| r.id.clone())
                    .collect();
                for g in &mut p.groups {
                    for r in &mut g.resources {
                        if let Kind::Target(t) = &mut r.kind {
                            t.role = tfc::plan::Ref::Created {
                                id: roles[0].clone(),
                            };
                        }
                    }
                }
            }),
            "target ",
        ),
        (
            "changes an input template",
            broken(&plan, |p| {
                for g in &mut p.groups {
                    for r in &mut g.resources {
                        if let Kind::Target(t) = &mut r.kind {
                            if let tfc::plan::TargetInput::Transformer { input_template, .. } =
                                &mut t.input
                            {
                                input_template.push(' ');
                            }
                        }
                    }
                }
            }),
            "target ",
        ),
    ];
    for (what, broken_plan, expect) in controls {
        let found = differences(&plan, &broken_plan, what);
        assert!(
            found.iter().any(|d| d.contains(expect)),
            "a Terraform backend that {what} went unnoticed: {found:?}"
        );
    }
    // The same for EventBridge Scheduler schedules: zone, window, bounds, target and role.
    let spec = std::fs::read(root().join("examples/local-time/spec.yaml")).unwrap();
    let plan = plan_of(&spec);
    assert!(differences(&plan, &plan, "schedule-ok").is_empty());
    let each_schedule = |change: fn(&mut tfc::plan::Schedule)| {
        broken(&plan, |p| {
            for g in &mut p.groups {
                for r in &mut g.resources {
                    if let Kind::Schedule(s) = &mut r.kind {
                        change(s);
                    }
                }
            }
        })
    };
    let controls: Vec<(&str, Plan)> = vec![
        (
            "changes a time zone",
            each_schedule(|s| s.timezone = "UTC".into()),
        ),
        (
            "drops a window",
            each_schedule(|s| s.flexible_window = None),
        ),
        ("drops a start", each_schedule(|s| s.start = None)),
        (
            "drops the input",
            each_schedule(|s| {
                s.target.input = tfc::plan::TargetInput::Static { input: "{}".into() }
            }),
        ),
        (
            "drops the dead-letter queue",
            each_schedule(|s| s.target.dead_letter_queue = None),
        ),
        (
            "drops a schedule's dependency",
            broken(&plan, |p| {
                for g in &mut p.groups {
                    for r in &mut g.resources {
                        if matches!(r.kind, Kind::Schedule(_)) {
                            r.depends_on.clear();
                        }
                    }
                }
            }),
        ),
        (
            "flips propagate-tags",
            each_schedule(|s| s.target.propagate_tags = !s.target.propagate_tags),
        ),
    ];
    for (what, broken_plan) in controls {
        let found = differences(&plan, &broken_plan, what);
        assert!(
            found.iter().any(|d| d.starts_with("schedule ")),
            "a Terraform backend that {what} went unnoticed: {found:?}"
        );
    }
    // And for the RunTask options, on rules and schedules alike: placement, ECS Exec, managed
    // tags, group, the cluster's capacity providers.
    let spec = std::fs::read(root().join("examples/spot-jobs/spec.yaml")).unwrap();
    let plan = plan_of(&spec);
    assert!(differences(&plan, &plan, "run-ok").is_empty());
    let each_target = |change: fn(&mut tfc::plan::Target)| {
        broken(&plan, |p| {
            for g in &mut p.groups {
                for r in &mut g.resources {
                    match &mut r.kind {
                        Kind::Target(t) => change(t),
                        Kind::Schedule(s) => change(&mut s.target),
                        _ => {}
                    }
                }
            }
        })
    };
    let controls: Vec<(&str, Plan, &str)> = vec![
        (
            "drops a strategy",
            each_target(|t| t.run.capacity_provider_strategy.clear()),
            "target ",
        ),
        (
            "changes a weight",
            each_target(|t| {
                for i in &mut t.run.capacity_provider_strategy {
                    i.weight += 1;
                }
            }),
            "schedule ",
        ),
        (
            "drops a base",
            each_target(|t| {
                for i in &mut t.run.capacity_provider_strategy {
                    i.base = 0;
                }
            }),
            "target ",
        ),
        (
            "drops ECS Exec",
            each_target(|t| t.run.enable_execute_command = false),
            "target ",
        ),
        (
            "drops managed tags",
            each_target(|t| t.run.enable_ecs_managed_tags = false),
            "schedule ",
        ),
        (
            "drops the group",
            each_target(|t| t.run.group = None),
            "target ",
        ),
        (
            "drops a scratch mount",
            broken(&plan, |p| {
                for g in &mut p.groups {
                    for r in &mut g.resources {
                        if let Kind::TaskDefinition(d) = &mut r.kind {
                            d.container.mount_points.pop();
                            d.container.read_only_root_filesystem = false;
                            d.ephemeral_storage = None;
                        }
                    }
                }
            }),
            "task-definition ",
        ),
        (
            "drops a role's path",
            broken(&plan, |p| {
                for g in &mut p.groups {
                    for r in &mut g.resources {
                        if let Kind::Role(role) = &mut r.kind {
                            role.path = Some("/elsewhere/".into());
                        }
                    }
                }
            }),
            "role ",
        ),
        (
            "drops a capacity provider",
            broken(&plan, |p| {
                for g in &mut p.groups {
                    for r in &mut g.resources {
                        if let Kind::CapacityProviders(c) = &mut r.kind {
                            c.providers.pop();
                        }
                    }
                }
            }),
            "capacity-providers of",
        ),
    ];
    for (what, broken_plan, expect) in controls {
        let found = differences(&plan, &broken_plan, what);
        assert!(
            found.iter().any(|d| d.starts_with(expect)),
            "a Terraform backend that {what} went unnoticed: {found:?}"
        );
    }
    // And for the role options: managed policies, boundaries, task statements, a given events
    // role.
    let spec = std::fs::read(root().join("examples/guardrails/spec.yaml")).unwrap();
    let plan = plan_of(&spec);
    assert!(differences(&plan, &plan, "roles-ok").is_empty());
    let each_role = |change: fn(&mut tfc::plan::Role)| {
        broken(&plan, |p| {
            for g in &mut p.groups {
                for r in &mut g.resources {
                    if let Kind::Role(role) = &mut r.kind {
                        change(role);
                    }
                }
            }
        })
    };
    let controls: Vec<(&str, Plan, &str)> = vec![
        (
            "drops a managed policy",
            each_role(|r| {
                r.managed_policies.pop();
            }),
            "role ",
        ),
        (
            "drops the permissions boundary",
            each_role(|r| r.permissions_boundary = None),
            "role ",
        ),
        (
            "drops a task statement",
            broken(&plan, |p| {
                for g in &mut p.groups {
                    for r in &mut g.resources {
                        if let Kind::Policy(policy) = &mut r.kind {
                            if policy.name == "task-permissions" {
                                policy.statements.pop();
                            }
                        }
                    }
                }
            }),
            "policy task-permissions",
        ),
        (
            "uses another events role",
            broken(&plan, |p| {
                for g in &mut p.groups {
                    for r in &mut g.resources {
                        if let Kind::Target(t) = &mut r.kind {
                            if let tfc::plan::Ref::Existing { arn } = &mut t.role {
                                arn.push_str("-other");
                            }
                        }
                    }
                }
            }),
            "target ",
        ),
    ];
    for (what, broken_plan, expect) in controls {
        let found = differences(&plan, &broken_plan, what);
        assert!(
            found.iter().any(|d| d.starts_with(expect)),
            "a Terraform backend that {what} went unnoticed: {found:?}"
        );
    }
}
