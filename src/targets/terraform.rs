//! Terraform (AWS provider 5.x and 6.x): the same deployment as the CloudFormation target, in idiomatic
//! HCL — `jsonencode(…)` for container definitions, policies and event patterns, data sources
//! for partition, region and account, resource labels from task ids in snake_case.
//!
//! Blocks are built by `convert_*` functions with the [`hcl`] writer (which emits `terraform fmt`
//! form and escapes every string); the templates in `templates/terraform/` lay out the files.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::json;

use super::hcl::{self, Block, Expr, Part};
use super::{environment, generated_by, Backend, Format, Layout, OutputFile, RenderError};
use crate::model::iam::{self, Res, RoleUse, Statement};
use crate::model::{
    Cluster, CreatedDefinition, DeadLetterQueue, Definition, Model, Role, TargetInput, TaskModel,
    Trigger,
};

/// `templates/terraform/versions.tf.j2`.
pub const TEMPLATE_VERSIONS: &str = "terraform/versions.tf.j2";
/// `templates/terraform/main.tf.j2`.
pub const TEMPLATE_MAIN: &str = "terraform/main.tf.j2";
/// `templates/terraform/outputs.tf.j2`.
pub const TEMPLATE_OUTPUTS: &str = "terraform/outputs.tf.j2";
/// `templates/terraform/single.tf.j2`: the three files as one document (stdout).
pub const TEMPLATE_SINGLE: &str = "terraform/single.tf.j2";

const TEMPLATES: [(&str, &str); 4] = [
    (
        TEMPLATE_VERSIONS,
        include_str!("../../templates/terraform/versions.tf.j2"),
    ),
    (
        TEMPLATE_MAIN,
        include_str!("../../templates/terraform/main.tf.j2"),
    ),
    (
        TEMPLATE_OUTPUTS,
        include_str!("../../templates/terraform/outputs.tf.j2"),
    ),
    (
        TEMPLATE_SINGLE,
        include_str!("../../templates/terraform/single.tf.j2"),
    ),
];

/// The AWS provider versions tfc's output is written for: every argument and attribute it uses
/// exists in 5.x and 6.x alike. The region comes from `data.aws_region.current.id`, the region's
/// name in both (6.x added `region` and deprecated `name`, which would warn; provider source,
/// `internal/service/meta/region_data_source.go`). 7.x may remove what 6.x deprecated, so it is
/// left out until tested. Tested with 5.100 (the real CLI) and the 6.25 schema.
pub const PROVIDER_VERSION: &str = ">= 5.0, < 7.0";
/// Terraform versions tfc's output is written for.
pub const TERRAFORM_VERSION: &str = ">= 1.5";

/// The Terraform backend.
pub struct Terraform;

/// A task's blocks under a comment.
#[derive(Debug, Serialize)]
struct TaskGroup {
    comment: String,
    blocks: Vec<String>,
}

/// The templates' view model: rendered blocks, grouped.
#[derive(Debug, Serialize)]
struct View {
    header: String,
    description: Option<String>,
    terraform_version: &'static str,
    provider_version: &'static str,
    shared: Vec<String>,
    tasks: Vec<TaskGroup>,
    outputs: Vec<String>,
}

impl Backend for Terraform {
    fn render(
        &self,
        model: &Model,
        layout: Layout,
        _format: Format,
    ) -> Result<Vec<OutputFile>, RenderError> {
        let view = convert_model(model);
        let mut env = environment(&TEMPLATES)?;
        env.add_filter("hcl_string", |s: String| hcl::quote(&s));
        let single = layout == Layout::Single;
        let render = |name: &str| -> Result<String, RenderError> {
            Ok(env
                .get_template(name)?
                .render(minijinja::context! { view => &view, single => single })?)
        };
        Ok(match layout {
            Layout::Single => vec![OutputFile {
                path: "main.tf".into(),
                contents: render(TEMPLATE_SINGLE)?,
            }],
            Layout::Directory => vec![
                OutputFile {
                    path: "versions.tf".into(),
                    contents: render(TEMPLATE_VERSIONS)?,
                },
                OutputFile {
                    path: "main.tf".into(),
                    contents: render(TEMPLATE_MAIN)?,
                },
                OutputFile {
                    path: "outputs.tf".into(),
                    contents: render(TEMPLATE_OUTPUTS)?,
                },
            ],
        })
    }
}

/// snake_case of a task id, for resource labels (`nightly-report` → `nightly_report`).
pub fn snake(id: &str) -> String {
    id.replace('-', "_")
}

fn raw(s: impl Into<String>) -> Expr {
    Expr::Raw(s.into())
}

fn string(s: impl Into<String>) -> Expr {
    Expr::Str(s.into())
}

fn num(n: impl Into<serde_json::Number>) -> Expr {
    Expr::Json(serde_json::Value::Number(n.into()))
}

fn boolean(b: bool) -> Expr {
    Expr::Json(json!(b))
}

fn strings(v: &[String]) -> Expr {
    Expr::List(v.iter().map(|s| string(s.clone())).collect())
}

fn map(m: &BTreeMap<String, String>) -> Expr {
    Expr::Object(
        m.iter()
            .map(|(k, v)| (k.clone(), string(v.clone())))
            .collect(),
    )
}

fn jsonencode(e: Expr) -> Expr {
    Expr::Call("jsonencode", Box::new(e))
}

fn object(fields: Vec<(&str, Expr)>) -> Expr {
    Expr::Object(
        fields
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
    )
}

fn with_tags(block: Block, tags: &BTreeMap<String, String>) -> Block {
    if tags.is_empty() {
        block
    } else {
        block.attr("tags", map(tags))
    }
}

fn role(
    label: &str,
    name: &str,
    service: &'static str,
    tags: &BTreeMap<String, String>,
    refs: &Refs<'_>,
) -> Block {
    with_tags(
        Block::new("resource", &["aws_iam_role", label])
            .attr("name", string(name))
            .attr(
                "assume_role_policy",
                refs.policy(&[iam::trust_statement(service)]),
            ),
        tags,
    )
}

/// How this module refers to the symbolic resources of a task's IAM statements.
struct Refs<'a> {
    label: &'a str,
    cluster_arn: &'a Expr,
    cluster_name: &'a Part,
}

impl Refs<'_> {
    fn res(&self, r: &Res) -> Expr {
        let l = self.label;
        match r {
            Res::Literal(s) => string(s.clone()),
            // The log group's ARN has no `:*` suffix in Terraform; streams need it.
            Res::LogGroup => Expr::Template(vec![
                Part::Ref(format!("aws_cloudwatch_log_group.{l}.arn")),
                Part::Lit(":*".into()),
            ]),
            Res::Repository(repo) => Expr::Template(vec![
                Part::Lit("arn:".into()),
                Part::Ref("data.aws_partition.current.partition".into()),
                Part::Lit(format!(
                    ":ecr:{}:{}:repository/{}",
                    repo.region, repo.account, repo.name
                )),
            ]),
            Res::TaskDefinition => raw(format!("aws_ecs_task_definition.{l}.arn")),
            Res::Cluster => self.cluster_arn.clone(),
            Res::ClusterTasks => Expr::Template(vec![
                Part::Lit("arn:".into()),
                Part::Ref("data.aws_partition.current.partition".into()),
                Part::Lit(":ecs:".into()),
                Part::Ref("data.aws_region.current.id".into()),
                Part::Lit(":".into()),
                Part::Ref("data.aws_caller_identity.current.account_id".into()),
                Part::Lit(":task/".into()),
                self.cluster_name.clone(),
                Part::Lit("/*".into()),
            ]),
            Res::CreatedRole(RoleUse::Task) => raw(format!("aws_iam_role.{l}_task.arn")),
            Res::CreatedRole(RoleUse::Execution) => raw(format!("aws_iam_role.{l}_execution.arn")),
            Res::Rule => raw(format!("aws_cloudwatch_event_rule.{l}.arn")),
            Res::Account => raw("data.aws_caller_identity.current.account_id"),
        }
    }

    fn statement(&self, s: &Statement) -> Expr {
        let one_or_many = |mut v: Vec<Expr>| {
            if v.len() == 1 {
                v.remove(0)
            } else {
                Expr::List(v)
            }
        };
        let mut fields = Vec::new();
        if let Some(sid) = &s.sid {
            fields.push(("Sid", string(sid.clone())));
        }
        fields.push(("Effect", string("Allow")));
        if let Some(service) = s.service_principal {
            fields.push(("Principal", object(vec![("Service", string(service))])));
        }
        fields.push((
            "Action",
            one_or_many(s.actions.iter().map(|a| string(*a)).collect()),
        ));
        if !s.resources.is_empty() {
            fields.push((
                "Resource",
                one_or_many(s.resources.iter().map(|r| self.res(r)).collect()),
            ));
        }
        if let Some(c) = &s.condition {
            fields.push((
                "Condition",
                object(vec![(c.op, object(vec![(c.key, self.res(&c.value))]))]),
            ));
        }
        object(fields)
    }

    fn policy(&self, statements: &[Statement]) -> Expr {
        jsonencode(object(vec![
            ("Version", string("2012-10-17")),
            (
                "Statement",
                Expr::List(statements.iter().map(|s| self.statement(s)).collect()),
            ),
        ]))
    }
}

fn convert_model(model: &Model) -> View {
    let mut shared = vec![
        Block::new("data", &["aws_partition", "current"]).render(0),
        Block::new("data", &["aws_region", "current"]).render(0),
        Block::new("data", &["aws_caller_identity", "current"]).render(0),
    ];
    let (cluster_arn, cluster_name) = match &model.cluster {
        Cluster::Create { name } => {
            shared.push(
                with_tags(
                    Block::new("resource", &["aws_ecs_cluster", "this"])
                        .attr("name", string(name.clone())),
                    &model.tags,
                )
                .render(0),
            );
            (
                raw("aws_ecs_cluster.this.arn"),
                Part::Ref("aws_ecs_cluster.this.name".into()),
            )
        }
        Cluster::Existing { arn, name } => (string(arn.clone()), Part::Lit(name.clone())),
    };
    let mut outputs = vec![Block::new("output", &["cluster_arn"])
        .attr(
            "description",
            string("ARN of the ECS cluster the tasks run in"),
        )
        .attr("value", cluster_arn.clone())
        .render(0)];
    let mut tasks: Vec<TaskGroup> = model
        .tasks
        .iter()
        .map(|task| {
            let label = snake(&task.id);
            let refs = Refs {
                label: &label,
                cluster_arn: &cluster_arn,
                cluster_name: &cluster_name,
            };
            outputs.push(
                Block::new("output", &[&format!("{label}_rule_arn")])
                    .attr(
                        "description",
                        string(format!(
                            "ARN of the EventBridge rule that starts task {}",
                            task.id
                        )),
                    )
                    .attr(
                        "value",
                        raw(format!("aws_cloudwatch_event_rule.{label}.arn")),
                    )
                    .render(0),
            );
            outputs.push(
                Block::new("output", &[&format!("{label}_task_definition_arn")])
                    .attr(
                        "description",
                        string(format!("ARN of the task definition of task {}", task.id)),
                    )
                    .attr("value", task_definition_arn(task, &label))
                    .render(0),
            );
            TaskGroup {
                comment: match &task.description {
                    Some(d) => format!("Task {}: {d}", task.id),
                    None => format!("Task {}", task.id),
                },
                blocks: convert_task(task, &refs)
                    .iter()
                    .map(|b| b.render(0))
                    .collect(),
            }
        })
        .collect();
    for queue in &model.dead_letter_queues {
        tasks.push(TaskGroup {
            comment: format!(
                "Dead-letter queue {} (tasks {})",
                queue.queue_name,
                queue.tasks.join(", ")
            ),
            blocks: vec![convert_queue_policy(model, queue, &cluster_arn, &cluster_name).render(0)],
        });
    }
    View {
        header: generated_by(),
        description: model.description.clone(),
        terraform_version: TERRAFORM_VERSION,
        provider_version: PROVIDER_VERSION,
        shared,
        tasks,
        outputs,
    }
}

fn task_definition_arn(task: &TaskModel, label: &str) -> Expr {
    match &task.definition {
        Definition::Create(_) => raw(format!("aws_ecs_task_definition.{label}.arn")),
        Definition::Existing { arn, .. } => string(arn.clone()),
    }
}

fn convert_task(task: &TaskModel, refs: &Refs<'_>) -> Vec<Block> {
    let l = refs.label;
    let mut blocks = Vec::new();
    if let Definition::Create(def) = &task.definition {
        convert_definition(task, def, refs, &mut blocks);
    }
    blocks.push(role(
        &format!("{l}_events"),
        &task.events_role_name,
        iam::EVENTS_SERVICE,
        &task.tags,
        refs,
    ));
    blocks.push(
        Block::new("resource", &["aws_iam_role_policy", &format!("{l}_events")])
            .attr("name", string("run-task"))
            .attr("role", raw(format!("aws_iam_role.{l}_events.id")))
            .attr("policy", refs.policy(&iam::events_statements(task))),
    );
    blocks.push(convert_rule(task, l));
    blocks.push(convert_target(task, refs));
    blocks
}

fn convert_definition(
    task: &TaskModel,
    def: &CreatedDefinition,
    refs: &Refs<'_>,
    blocks: &mut Vec<Block>,
) {
    let l = refs.label;
    blocks.push(with_tags(
        Block::new("resource", &["aws_cloudwatch_log_group", l])
            .attr("name", string(def.log.group_name.clone()))
            .attr_opt("retention_in_days", def.log.retention_days.map(num)),
        &task.tags,
    ));
    if let Role::Create { name } = &def.task_role {
        blocks.push(role(
            &format!("{l}_task"),
            name,
            iam::ECS_TASKS_SERVICE,
            &task.tags,
            refs,
        ));
    }
    if let Role::Create { name } = &def.execution_role {
        blocks.push(role(
            &format!("{l}_execution"),
            name,
            iam::ECS_TASKS_SERVICE,
            &task.tags,
            refs,
        ));
        blocks.push(
            Block::new(
                "resource",
                &["aws_iam_role_policy", &format!("{l}_execution")],
            )
            .attr("name", string("logs-image-secrets"))
            .attr("role", raw(format!("aws_iam_role.{l}_execution.id")))
            .attr("policy", refs.policy(&iam::execution_statements(def))),
        );
    }
    let role_arn = |role: &Role, suffix: &str| match role {
        Role::Create { .. } => raw(format!("aws_iam_role.{l}_{suffix}.arn")),
        Role::Existing { arn } => string(arn.clone()),
    };

    // Container definitions use the ECS API's camelCase names.
    let mut container = vec![
        ("name", string(task.container.clone())),
        ("image", string(def.image.clone())),
        ("essential", boolean(true)),
    ];
    if let Some(ep) = &def.entry_point {
        container.push(("entryPoint", strings(ep)));
    }
    if let Some(cmd) = &def.command {
        container.push(("command", strings(cmd)));
    }
    if !def.environment.is_empty() {
        let env = def
            .environment
            .iter()
            .map(|(k, v)| {
                object(vec![
                    ("name", string(k.clone())),
                    ("value", string(v.clone())),
                ])
            })
            .collect();
        container.push(("environment", Expr::List(env)));
    }
    if !def.secrets.is_empty() {
        let secrets = def
            .secrets
            .iter()
            .map(|s| {
                object(vec![
                    ("name", string(s.name.clone())),
                    ("valueFrom", string(s.value_from.clone())),
                ])
            })
            .collect();
        container.push(("secrets", Expr::List(secrets)));
    }
    container.push((
        "logConfiguration",
        object(vec![
            ("logDriver", string("awslogs")),
            (
                "options",
                object(vec![
                    (
                        "awslogs-group",
                        raw(format!("aws_cloudwatch_log_group.{l}.name")),
                    ),
                    ("awslogs-region", raw("data.aws_region.current.id")),
                    (
                        "awslogs-stream-prefix",
                        string(def.log.stream_prefix.clone()),
                    ),
                ]),
            ),
        ]),
    ));

    let mut block = Block::new("resource", &["aws_ecs_task_definition", l])
        .attr("family", string(def.family.clone()))
        .attr("requires_compatibilities", strings(&["FARGATE".into()]))
        .attr("network_mode", string("awsvpc"))
        .attr("cpu", string(def.cpu.to_string()))
        .attr("memory", string(def.memory.to_string()))
        .attr(
            "execution_role_arn",
            role_arn(&def.execution_role, "execution"),
        )
        .attr("task_role_arn", role_arn(&def.task_role, "task"))
        .attr(
            "container_definitions",
            jsonencode(Expr::List(vec![object(container)])),
        );
    block = with_tags(block, &task.tags);
    if def.architecture == crate::spec::Architecture::Arm64 {
        block = block.block(
            Block::new("runtime_platform", &[])
                .attr("operating_system_family", string("LINUX"))
                .attr("cpu_architecture", string("ARM64")),
        );
    }
    blocks.push(block);
}

fn convert_rule(task: &TaskModel, l: &str) -> Block {
    let mut b = Block::new("resource", &["aws_cloudwatch_event_rule", l])
        .attr("name", string(task.rule_name.clone()))
        .attr_opt("description", task.description.clone().map(string));
    match &task.trigger {
        Trigger::Pattern { pattern, bus } => {
            b = b
                .attr_opt("event_bus_name", bus.clone().map(string))
                .attr("event_pattern", jsonencode(hcl::from_json(pattern)));
        }
        Trigger::Schedule { expression } => {
            b = b.attr("schedule_expression", string(expression.clone()));
        }
    }
    b = b.attr(
        "state",
        string(if task.enabled { "ENABLED" } else { "DISABLED" }),
    );
    with_tags(b, &task.tags)
}

fn convert_target(task: &TaskModel, refs: &Refs<'_>) -> Block {
    let l = refs.label;
    let bus = match &task.trigger {
        Trigger::Pattern { bus, .. } => bus.clone(),
        Trigger::Schedule { .. } => None,
    };
    let mut network =
        Block::new("network_configuration", &[]).attr("subnets", strings(&task.network.subnets));
    if !task.network.security_groups.is_empty() {
        network = network.attr("security_groups", strings(&task.network.security_groups));
    }
    network = network.attr("assign_public_ip", boolean(task.network.assign_public_ip));
    let mut ecs = Block::new("ecs_target", &[])
        .attr("task_definition_arn", task_definition_arn(task, l))
        .attr("task_count", num(task.count))
        .attr("launch_type", string("FARGATE"))
        .attr("platform_version", string(task.platform_version.clone()));
    if task.propagate_tags {
        ecs = ecs.attr("propagate_tags", string("TASK_DEFINITION"));
    }
    ecs = with_tags(ecs, &task.tags).block(network);

    let mut b = Block::new("resource", &["aws_cloudwatch_event_target", l])
        .attr("rule", raw(format!("aws_cloudwatch_event_rule.{l}.name")))
        .attr_opt(
            "event_bus_name",
            bus.map(|_| raw(format!("aws_cloudwatch_event_rule.{l}.event_bus_name"))),
        )
        .attr("target_id", string(task.id.clone()))
        .attr("arn", refs.cluster_arn.clone())
        .attr("role_arn", raw(format!("aws_iam_role.{l}_events.arn")));
    if let TargetInput::Static { input } = &task.input {
        b = b.attr("input", string(input.clone()));
    }
    b = b.block(ecs);
    if let TargetInput::Transformer {
        input_paths,
        input_template,
    } = &task.input
    {
        b = b.block(
            Block::new("input_transformer", &[])
                .attr("input_paths", map(input_paths))
                .attr("input_template", string(input_template.clone())),
        );
    }
    if let Some(retry) = &task.retry {
        b = b.block(
            Block::new("retry_policy", &[])
                .attr_opt("maximum_retry_attempts", retry.attempts.map(num))
                .attr_opt("maximum_event_age_in_seconds", retry.max_event_age.map(num)),
        );
    }
    if let Some(q) = &task.dead_letter_queue {
        b = b.block(Block::new("dead_letter_config", &[]).attr("arn", string(q.clone())));
    }
    // The events role's policy must exist before the first event is delivered (CloudFormation
    // and CDK make the rule wait for it too): with `retry.attempts: 0` an early event is lost.
    b = b.attr(
        "depends_on",
        Expr::List(vec![raw(format!("aws_iam_role_policy.{l}_events"))]),
    );
    b
}

/// The queue policy CDK adds so EventBridge may send undeliverable events to the dead-letter
/// queue, one per queue with a statement per rule; created only when applied in the queue's
/// account.
fn convert_queue_policy(
    model: &Model,
    queue: &DeadLetterQueue,
    cluster_arn: &Expr,
    cluster_name: &Part,
) -> Block {
    let statements = model
        .tasks
        .iter()
        .filter(|t| queue.tasks.contains(&t.id))
        .map(|task| {
            let label = snake(&task.id);
            let refs = Refs {
                label: &label,
                cluster_arn,
                cluster_name,
            };
            refs.statement(&iam::dead_letter_statement(task, &queue.arn))
        })
        .collect();
    Block::new("resource", &["aws_sqs_queue_policy", &queue_label(queue)])
        .attr(
            "count",
            raw(format!(
                "data.aws_caller_identity.current.account_id == {} ? 1 : 0",
                hcl::quote(&queue.account)
            )),
        )
        .attr(
            "queue_url",
            Expr::Template(vec![
                Part::Lit(format!("https://sqs.{}.", queue.region)),
                Part::Ref("data.aws_partition.current.dns_suffix".into()),
                Part::Lit(format!("/{}/{}", queue.account, queue.queue_name)),
            ]),
        )
        .attr(
            "policy",
            jsonencode(object(vec![
                ("Version", string("2012-10-17")),
                ("Statement", Expr::List(statements)),
            ])),
        )
}

/// The resource label of a queue's policy.
fn queue_label(queue: &DeadLetterQueue) -> String {
    format!("dead_letter_{}", label_text(&queue.name))
}

/// Lower-case letters, digits and `_` from a queue name.
fn label_text(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_snake_case() {
        assert_eq!(snake("nightly-report"), "nightly_report");
    }

    #[test]
    fn every_template_resolves() {
        let env = super::environment(&TEMPLATES).expect("templates compile");
        for (name, _) in TEMPLATES {
            assert!(env.get_template(name).is_ok(), "{name}");
        }
    }
}
