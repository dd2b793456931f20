//! Terraform (AWS provider 5.x and 6.x): the same deployment as the CloudFormation target, in idiomatic
//! HCL — `jsonencode(…)` for container definitions, policies and event patterns, data sources
//! for partition, region and account, resource labels from task ids in snake_case.
//!
//! Blocks are built by `convert_*` functions with the [`hcl`] writer (which emits `terraform fmt`
//! form and escapes every string); the templates in `templates/terraform/` lay out the files.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Mutex, OnceLock};

use minijinja::value::{Enumerator, Object, ObjectRepr, StringInput, Value};
use minijinja::Environment;

use serde::Serialize;

use super::hcl::{self, Block, Expr, Part};
use super::{
    environment, generated_by, schedule_input, Backend, Format, Layout, OutputFile, RenderError,
};
use crate::plan::{
    Architecture, Arn, ClusterRef, Id, Kind, Owner, ParamOr, ParamType, Part as PlanPart, Plan,
    QueuePolicy, Ref, Resource, Rule, RuleTrigger, Schedule, Statement, Target, TargetInput,
    TaskDefinition,
};

/// `templates/terraform/versions.tf.j2`.
pub const TEMPLATE_VERSIONS: &str = "terraform/versions.tf.j2";
/// `templates/terraform/main.tf.j2`.
pub const TEMPLATE_MAIN: &str = "terraform/main.tf.j2";
/// `templates/terraform/outputs.tf.j2`.
pub const TEMPLATE_OUTPUTS: &str = "terraform/outputs.tf.j2";
/// `templates/terraform/single.tf.j2`: the three files as one document (stdout).
pub const TEMPLATE_SINGLE: &str = "terraform/single.tf.j2";

/// `templates/terraform/variables.tf.j2`.
pub const TEMPLATE_VARIABLES: &str = "terraform/variables.tf.j2";

const TEMPLATES: [(&str, &str); 5] = [
    (
        TEMPLATE_VARIABLES,
        include_str!("../../templates/terraform/variables.tf.j2"),
    ),
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
    blocks: Value,
}

/// The templates' view model: rendered blocks, grouped. Each list of blocks is a [`Blocks`].
#[derive(Debug, Serialize)]
struct View {
    header: String,
    description: Option<String>,
    terraform_version: &'static str,
    provider_version: &'static str,
    variables: Value,
    shared: Value,
    tasks: Vec<TaskGroup>,
    outputs: Value,
    /// The size of every block's text together.
    #[serde(skip)]
    text_size: usize,
}

/// Rendered blocks as the templates see them: a sequence of strings. Each is handed over
/// once: the templates write every block exactly once, so a block's text is dropped as soon as
/// it is in the output, and a file never sits in memory twice (as blocks and as output). A
/// block read a second time is undefined, which strict undefined makes an error; joining
/// blocks of which one was read is an error too.
#[derive(Debug)]
struct Blocks {
    len: usize,
    texts: Mutex<Vec<Option<Arc<str>>>>,
}

impl Blocks {
    fn value(texts: Vec<Arc<str>>) -> Value {
        Value::from_object(Blocks {
            len: texts.len(),
            texts: Mutex::new(texts.into_iter().map(Some).collect()),
        })
    }

    fn is_empty(value: &Value) -> bool {
        value
            .downcast_object_ref::<Blocks>()
            .is_none_or(|b| b.len == 0)
    }

    /// The blocks joined by `separator`, handing them all over. An error if one was handed over
    /// before.
    fn join(&self, separator: &str) -> Result<Joined, minijinja::Error> {
        let handed_over = || {
            minijinja::Error::new(
                minijinja::ErrorKind::InvalidOperation,
                "a block was already written",
            )
        };
        let mut texts = self.texts.lock().map_err(|_| handed_over())?;
        if texts.iter().any(Option::is_none) {
            return Err(handed_over());
        }
        Ok(Joined {
            texts: texts.iter_mut().filter_map(Option::take).collect(),
            separator: separator.to_string(),
        })
    }
}

impl Object for Blocks {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Seq
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let i = key.as_usize()?;
        self.texts.lock().ok()?.get_mut(i)?.take().map(Value::from)
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Seq(self.len)
    }
}

/// Blocks joined by a separator, as `join` gives them: printed, they are written straight into
/// the output (never copied into a string of their own), then dropped.
#[derive(Debug)]
struct Joined {
    texts: Vec<Arc<str>>,
    separator: String,
}

impl Object for Joined {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }

    fn is_true(self: &Arc<Self>) -> bool {
        self.texts.iter().any(|t| !t.is_empty())
            || (self.texts.len() > 1 && !self.separator.is_empty())
    }

    fn render(self: &Arc<Self>, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (n, text) in self.texts.iter().enumerate() {
            if n > 0 {
                f.write_str(&self.separator)?;
            }
            f.write_str(text)?;
        }
        Ok(())
    }
}

/// `join`: the builtin filter, except for [`Blocks`], which it joins without copying them (the
/// builtin grows a string from empty, a dozen reallocations for a task's blocks, and the
/// string is copied again into a value and then into the output).
fn join(
    state: &minijinja::State,
    value: &Value,
    separator: Option<StringInput<'_>>,
) -> Result<Value, minijinja::Error> {
    match value.downcast_object_ref::<Blocks>() {
        Some(blocks) => blocks
            .join(separator.as_ref().map_or("", StringInput::as_str))
            .map(Value::from_object),
        None => minijinja::filters::join(state, value, separator),
    }
}

/// A template's output. While it is written the render holds the blocks not yet written plus
/// the output, so what it holds beyond the text is the output's spare capacity. Doubling would
/// leave up to the file's size spare; growing by a fixed step of a quarter of the view's text
/// keeps it within that quarter, in four or five reallocations for the largest file.
struct Output {
    text: Vec<u8>,
    step: usize,
}

impl std::io::Write for Output {
    fn write(&mut self, text: &[u8]) -> std::io::Result<usize> {
        if self.text.capacity() - self.text.len() < text.len() {
            self.text.reserve_exact(text.len().max(self.step));
        }
        self.text.extend_from_slice(text);
        Ok(text.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Renders blocks through one reusable buffer, each into text of exactly its size.
#[derive(Default)]
struct Writer {
    buffer: String,
    /// The size of every text written so far.
    size: usize,
}

impl Writer {
    fn text(&mut self, block: &Block) -> Arc<str> {
        self.buffer.clear();
        block.write(0, &mut self.buffer);
        self.size += self.buffer.len();
        Arc::from(self.buffer.as_str())
    }
}

/// The environment with the embedded templates, the `hcl_string` filter and [`join`], built once
/// per process (compiling the templates is most of a small render).
fn template_environment() -> Result<&'static Environment<'static>, RenderError> {
    static ENV: OnceLock<Result<Environment<'static>, String>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = environment(&TEMPLATES).map_err(|e| e.0)?;
        env.add_filter("hcl_string", |s: String| hcl::quote(&s));
        env.add_filter("join", join);
        Ok(env)
    })
    .as_ref()
    .map_err(|e| RenderError(e.clone()))
}

impl Backend for Terraform {
    fn render(
        &self,
        plan: &Plan,
        layout: Layout,
        _format: Format,
    ) -> Result<Vec<OutputFile>, RenderError> {
        let view = convert_model(plan);
        let env = template_environment()?;
        let step = (view.text_size / 4).max(4096);
        let has_variables = !Blocks::is_empty(&view.variables);
        // The templates' context, built once for every file.
        let context = minijinja::context! { view => &view, single => layout == Layout::Single };
        let render = |name: &str| -> Result<String, RenderError> {
            let mut output = Output {
                text: Vec::new(),
                step,
            };
            env.get_template(name)?
                .render_captured_to(&context, &mut output)?;
            let mut text =
                String::from_utf8(output.text).map_err(|e| RenderError(e.to_string()))?;
            text.shrink_to_fit();
            Ok(text)
        };
        Ok(match layout {
            Layout::Single => vec![OutputFile {
                path: "main.tf".into(),
                contents: render(TEMPLATE_SINGLE)?,
            }],
            Layout::Directory => {
                let mut files = vec![
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
                ];
                if has_variables {
                    files.push(OutputFile {
                        path: "variables.tf".into(),
                        contents: render(TEMPLATE_VARIABLES)?,
                    });
                }
                for set in &plan.value_sets {
                    files.push(OutputFile {
                        path: format!("{}.tfvars", set.name),
                        contents: tfvars(set),
                    });
                }
                files
            }
        })
    }
}

/// snake_case of a task id, for resource labels (`nightly-report` → `nightly_report`).
pub fn snake(id: &str) -> String {
    let mut out = String::with_capacity(id.len());
    push_snake(id, &mut out);
    out
}

/// Appends [`snake`]`(id)`.
fn push_snake(id: &str, out: &mut String) {
    let mut rest = id;
    // Ids are short: a plain scan finds a dash sooner than a searcher is set up.
    while let Some(dash) = rest.bytes().position(|b| b == b'-') {
        out.push_str(&rest[..dash]);
        out.push('_');
        rest = &rest[dash + 1..];
    }
    out.push_str(rest);
}

fn raw<'a>(s: impl Into<Cow<'a, str>>) -> Expr<'a> {
    Expr::Raw(s.into())
}

fn string<'a>(s: impl Into<Cow<'a, str>>) -> Expr<'a> {
    Expr::Str(s.into())
}

fn num(n: impl Into<serde_json::Number>) -> Expr<'static> {
    Expr::Number(n.into())
}

fn boolean(b: bool) -> Expr<'static> {
    Expr::Bool(b)
}

fn strings(v: &[String]) -> Expr<'_> {
    Expr::List(v.iter().map(string).collect())
}

fn map(m: &BTreeMap<String, String>) -> Expr<'_> {
    Expr::Object(m.iter().map(|(k, v)| (k.as_str(), string(v))).collect())
}

fn jsonencode(e: Expr<'_>) -> Expr<'_> {
    Expr::Call("jsonencode", Box::new(e))
}

fn object<'a>(fields: Vec<(&'a str, Expr<'a>)>) -> Expr<'a> {
    Expr::Object(fields)
}

fn with_tags<'a>(block: Block<'a>, tags: &'a BTreeMap<String, String>) -> Block<'a> {
    if tags.is_empty() {
        block
    } else {
        block.attr("tags", map(tags))
    }
}

/// The resource type of each plan entry.
fn resource_type(part: PlanPart) -> &'static str {
    match part {
        PlanPart::Cluster => "aws_ecs_cluster",
        PlanPart::CapacityProviders => "aws_ecs_cluster_capacity_providers",
        PlanPart::LogGroup => "aws_cloudwatch_log_group",
        PlanPart::TaskRole | PlanPart::ExecutionRole | PlanPart::EventsRole => "aws_iam_role",
        PlanPart::TaskRolePolicy | PlanPart::ExecutionRolePolicy | PlanPart::EventsRolePolicy => {
            "aws_iam_role_policy"
        }
        PlanPart::TaskDefinition => "aws_ecs_task_definition",
        PlanPart::Rule => "aws_cloudwatch_event_rule",
        PlanPart::Target => "aws_cloudwatch_event_target",
        PlanPart::Schedule => "aws_scheduler_schedule",
        PlanPart::QueuePolicy => "aws_sqs_queue_policy",
    }
}

/// Appends the label of a plan entry: from its task id in snake_case (`nightly_report_task`),
/// its queue's name, or `this` for the cluster.
fn push_label(id: &Id, out: &mut String) {
    let suffix = match id.part {
        PlanPart::Cluster | PlanPart::CapacityProviders => {
            out.push_str("this");
            return;
        }
        PlanPart::QueuePolicy => {
            out.push_str("dead_letter_");
            ""
        }
        PlanPart::TaskRole | PlanPart::TaskRolePolicy => "_task",
        PlanPart::ExecutionRole | PlanPart::ExecutionRolePolicy => "_execution",
        PlanPart::EventsRole | PlanPart::EventsRolePolicy => "_events",
        PlanPart::LogGroup
        | PlanPart::TaskDefinition
        | PlanPart::Rule
        | PlanPart::Target
        | PlanPart::Schedule => "",
    };
    match &id.owner {
        Owner::Stack => {}
        Owner::Task(t) => push_snake(t, out),
        Owner::Queue(q) => out.extend(q.chars().map(label_char)),
    }
    out.push_str(suffix);
}

/// The resource type and label of each plan entry.
fn address(id: &Id) -> (&'static str, String) {
    let mut label = String::with_capacity(32);
    push_label(id, &mut label);
    (resource_type(id.part), label)
}

/// `TYPE.LABEL.ATTRIBUTE` of a plan entry (`TYPE.LABEL` when `attr` is empty).
fn attribute(id: &Id, attr: &str) -> String {
    let kind = resource_type(id.part);
    let mut out = String::with_capacity(kind.len() + attr.len() + 32);
    out.push_str(kind);
    out.push('.');
    push_label(id, &mut out);
    if !attr.is_empty() {
        out.push('.');
        out.push_str(attr);
    }
    out
}

/// A `resource "TYPE" "LABEL"` block for a plan entry.
fn resource_block(id: &Id) -> Block<'static> {
    let (kind, label) = address(id);
    Block::labelled("resource", vec![kind.into(), label.into()])
}

/// The ARN a [`Ref`] stands for (as [`crate::plan::arn_of`], without building the [`Arn`]).
fn ref_arn(r: &Ref) -> Expr<'_> {
    match r {
        Ref::Created { id } => raw(attribute(id, "arn")),
        Ref::Existing { arn } => string(arn),
    }
}

/// How this module refers to what the plan names.
struct Refs<'a> {
    /// The rules on an event bus other than the default one (their targets name the bus), built
    /// once: lookups stay O(1) however many tasks there are, and hash nothing when there are
    /// none (the usual case).
    rules_on_bus: HashSet<&'a Id>,
}

impl<'a> Refs<'a> {
    fn arn(&self, a: &'a Arn) -> Expr<'a> {
        match a {
            Arn::Literal { text } => string(text.as_str()),
            Arn::Of { id } => raw(attribute(id, "arn")),
            // The log group's ARN has no `:*` suffix in Terraform; streams need it.
            Arn::LogStreams { id } => Expr::Template(vec![
                Part::Ref(attribute(id, "arn").into()),
                Part::Lit(":*".into()),
            ]),
            Arn::Repository { repository: repo } => Expr::Template(vec![
                Part::Lit("arn:".into()),
                Part::Ref("data.aws_partition.current.partition".into()),
                Part::Lit(
                    format!(
                        ":ecr:{}:{}:repository/{}",
                        repo.region, repo.account, repo.name
                    )
                    .into(),
                ),
            ]),
            Arn::ClusterTasks { cluster } => Expr::Template(vec![
                Part::Lit("arn:".into()),
                Part::Ref("data.aws_partition.current.partition".into()),
                Part::Lit(":ecs:".into()),
                Part::Ref("data.aws_region.current.id".into()),
                Part::Lit(":".into()),
                Part::Ref("data.aws_caller_identity.current.account_id".into()),
                Part::Lit(":task/".into()),
                match cluster {
                    ClusterRef::Created { id } => Part::Ref(attribute(id, "name").into()),
                    ClusterRef::Existing { name, .. } => Part::Lit(name.into()),
                },
                Part::Lit("/*".into()),
            ]),
            Arn::Account => raw("data.aws_caller_identity.current.account_id"),
        }
    }

    fn cluster_arn(&self, c: &'a ClusterRef) -> Expr<'a> {
        match c {
            ClusterRef::Created { id } => raw(attribute(id, "arn")),
            ClusterRef::Existing { arn, .. } => string(arn.as_str()),
        }
    }

    fn statement(&self, s: &'a Statement) -> Expr<'a> {
        // One item as itself, several as a list (no list built for one).
        fn one_or_many<'a, T: 'a>(items: &'a [T], expr: impl Fn(&'a T) -> Expr<'a>) -> Expr<'a> {
            match items {
                [one] => expr(one),
                _ => Expr::List(items.iter().map(expr).collect()),
            }
        }
        let mut fields = Vec::with_capacity(6);
        if let Some(sid) = &s.sid {
            fields.push(("Sid", string(sid.as_str())));
        }
        fields.push(("Effect", string("Allow")));
        if let Some(service) = s.service_principal {
            fields.push(("Principal", object(vec![("Service", string(service))])));
        }
        fields.push(("Action", one_or_many(&s.actions, |a| string(a.as_str()))));
        if !s.resources.is_empty() {
            fields.push(("Resource", one_or_many(&s.resources, |r| self.arn(r))));
        }
        if let Some(c) = &s.condition {
            fields.push((
                "Condition",
                object(vec![(c.op, object(vec![(c.key, self.arn(&c.value))]))]),
            ));
        }
        object(fields)
    }

    fn policy(&self, statements: &'a [Statement]) -> Expr<'a> {
        jsonencode(object(vec![
            ("Version", string("2012-10-17")),
            (
                "Statement",
                Expr::List(statements.iter().map(|s| self.statement(s)).collect()),
            ),
        ]))
    }
}

fn convert_model(plan: &Plan) -> View {
    let refs = Refs {
        rules_on_bus: plan
            .resources()
            .filter(|r| {
                matches!(
                    &r.kind,
                    Kind::Rule(Rule {
                        trigger: RuleTrigger::Pattern { bus: Some(_), .. },
                        ..
                    })
                )
            })
            .map(|r| &r.id)
            .collect(),
    };
    let mut w = Writer::default();
    let mut shared = vec![
        w.text(&Block::new("data", &["aws_partition", "current"])),
        w.text(&Block::new("data", &["aws_region", "current"])),
        w.text(&Block::new("data", &["aws_caller_identity", "current"])),
    ];
    let mut tasks = Vec::new();
    for group in &plan.groups {
        let mut blocks = Vec::with_capacity(group.resources.len() + 2);
        for r in &group.resources {
            blocks.push(w.text(&convert_resource(r, &refs)));
            if let Kind::Role(role) = &r.kind {
                if let Some(b) = policy_attachments(&r.id, role) {
                    blocks.push(w.text(&b));
                }
            }
        }
        match &group.comment {
            None => shared.extend(blocks),
            Some(comment) => tasks.push(TaskGroup {
                comment: comment.clone(),
                blocks: Blocks::value(blocks),
            }),
        }
    }
    let outputs = plan
        .outputs
        .iter()
        .map(|o| {
            w.text(
                &Block::new("output", &[&snake(&o.name)])
                    .attr("description", string(&o.description))
                    .attr("value", refs.arn(&o.value)),
            )
        })
        .collect();
    let variables = Blocks::value(variables(plan, &mut w));
    View {
        header: generated_by(),
        description: plan.description.clone(),
        terraform_version: TERRAFORM_VERSION,
        provider_version: PROVIDER_VERSION,
        variables,
        shared: Blocks::value(shared),
        tasks,
        outputs: Blocks::value(outputs),
        text_size: w.size,
    }
}

/// The managed policies of a role: one `aws_iam_role_policy_attachment` per ARN (`for_each`),
/// which detaches them when the module is destroyed (IAM deletes no role with policies attached;
/// `aws_iam_role_policy_attachments_exclusive` would leave them, and the role's
/// `managed_policy_arns` is deprecated).
fn policy_attachments<'a>(id: &Id, role: &'a crate::plan::Role) -> Option<Block<'a>> {
    if role.managed_policies.is_empty() {
        return None;
    }
    let (_, label) = address(id);
    Some(
        Block::labelled(
            "resource",
            vec!["aws_iam_role_policy_attachment".into(), label.into()],
        )
        .attr(
            "for_each",
            raw(format!(
                "toset({})",
                hcl::inline_expr(&strings(&role.managed_policies))
            )),
        )
        .attr("role", raw(attribute(id, "name")))
        .attr("policy_arn", raw("each.value")),
    )
}

/// One plan entry as a resource block.
fn convert_resource<'a>(r: &'a Resource, refs: &Refs<'a>) -> Block<'a> {
    let b = resource_block(&r.id);
    let b = match &r.kind {
        Kind::Cluster(c) => b.attr("name", string(&c.name)),
        // No default strategy: a task without a strategy names its launch type.
        Kind::CapacityProviders(c) => b
            .attr("cluster_name", raw(attribute(&c.cluster, "name")))
            .attr(
                "capacity_providers",
                Expr::List(c.providers.iter().map(|p| string(p.name())).collect()),
            ),
        Kind::LogGroup(g) => b
            .attr("name", string(&g.name))
            .attr_opt("retention_in_days", g.retention_days.map(num))
            // Terraform's spelling of "kept when the deployment is deleted": destroy only
            // forgets the group.
            .attr_opt("skip_destroy", g.retain_on_delete.then_some(boolean(true))),
        Kind::Role(role) => b
            .attr("name", string(&role.name))
            .attr_opt("path", role.path.as_deref().map(string))
            .attr(
                "assume_role_policy",
                refs.policy(std::slice::from_ref(&role.trust)),
            )
            .attr_opt(
                "permissions_boundary",
                role.permissions_boundary.as_deref().map(string),
            ),
        Kind::Policy(p) => b
            .attr("name", string(&p.name))
            .attr("role", raw(attribute(&p.role, "id")))
            .attr("policy", refs.policy(&p.statements)),
        Kind::TaskDefinition(def) => convert_definition(b, def, &r.tags),
        Kind::Rule(rule) => convert_rule(b, rule),
        Kind::Target(t) => convert_target(b, t, refs),
        Kind::Schedule(sc) => convert_schedule(b, sc, refs),
        Kind::QueuePolicy(q) => convert_queue_policy(b, q, refs),
    };
    let b = match &r.kind {
        // The task definition writes its tags before its nested block.
        Kind::TaskDefinition(_) => b,
        _ => with_tags(b, &r.tags),
    };
    if r.depends_on.is_empty() {
        b
    } else {
        b.attr(
            "depends_on",
            Expr::List(r.depends_on.iter().map(|d| raw(attribute(d, ""))).collect()),
        )
    }
}

fn convert_definition<'a>(
    block: Block<'a>,
    def: &'a TaskDefinition,
    tags: &'a BTreeMap<String, String>,
) -> Block<'a> {
    let c = &def.container;
    // Container definitions use the ECS API's camelCase names.
    let mut container = vec![
        ("name", string(&c.name)),
        ("image", string(&c.image)),
        ("essential", boolean(true)),
    ];
    if let Some(ep) = &c.entry_point {
        container.push(("entryPoint", strings(ep)));
    }
    if let Some(cmd) = &c.command {
        container.push(("command", strings(cmd)));
    }
    if !c.environment.is_empty() {
        let env = c
            .environment
            .iter()
            .map(|(k, v)| {
                object(vec![
                    ("name", string(k.as_str())),
                    ("value", string(v.as_str())),
                ])
            })
            .collect();
        container.push(("environment", Expr::List(env)));
    }
    if !c.secrets.is_empty() {
        let secrets = c
            .secrets
            .iter()
            .map(|s| {
                object(vec![
                    ("name", string(&s.name)),
                    ("valueFrom", string(&s.value_from)),
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
                    ("awslogs-group", raw(attribute(&c.log_group, "name"))),
                    ("awslogs-region", raw("data.aws_region.current.id")),
                    ("awslogs-stream-prefix", string(&c.stream_prefix)),
                ]),
            ),
        ]),
    ));
    if c.read_only_root_filesystem {
        container.push(("readonlyRootFilesystem", boolean(true)));
    }
    if !c.mount_points.is_empty() {
        let mounts = c
            .mount_points
            .iter()
            .map(|(volume, path)| {
                object(vec![
                    ("sourceVolume", string(volume.as_str())),
                    ("containerPath", string(path.as_str())),
                    ("readOnly", boolean(false)),
                ])
            })
            .collect();
        container.push(("mountPoints", Expr::List(mounts)));
    }
    if let Some(t) = c.stop_timeout {
        container.push(("stopTimeout", num(t)));
    }
    if let Some(u) = &c.user {
        container.push(("user", string(u.as_str())));
    }

    let mut block = block
        .attr("family", string(&def.family))
        .attr(
            "requires_compatibilities",
            Expr::List(vec![string("FARGATE")]),
        )
        .attr("network_mode", string("awsvpc"))
        .attr("cpu", size(&def.cpu))
        .attr("memory", size(&def.memory))
        .attr("execution_role_arn", ref_arn(&def.execution_role))
        .attr("task_role_arn", ref_arn(&def.task_role))
        .attr(
            "container_definitions",
            jsonencode(Expr::List(vec![object(container)])),
        );
    block = with_tags(block, tags);
    if def.architecture == Architecture::Arm64 {
        block = block.block(
            Block::new("runtime_platform", &[])
                .attr("operating_system_family", string("LINUX"))
                .attr("cpu_architecture", string("ARM64")),
        );
    }
    if let Some(gib) = def.ephemeral_storage {
        block = block.block(Block::new("ephemeral_storage", &[]).attr("size_in_gib", num(gib)));
    }
    for v in &def.volumes {
        block = block.block(Block::new("volume", &[]).attr("name", string(v.as_str())));
    }
    block
}

fn convert_rule<'a>(b: Block<'a>, rule: &'a Rule) -> Block<'a> {
    let mut b = b
        .attr("name", string(&rule.name))
        .attr_opt("description", rule.description.as_deref().map(string));
    match &rule.trigger {
        RuleTrigger::Pattern { pattern, bus } => {
            b = b
                .attr_opt("event_bus_name", bus.as_deref().map(string))
                .attr("event_pattern", jsonencode(hcl::from_json(pattern)));
        }
        RuleTrigger::Schedule { expression } => {
            b = b.attr("schedule_expression", string(expression.as_str()));
        }
    }
    b.attr(
        "state",
        match &rule.enabled {
            ParamOr::Lit(on) => string(if *on { "ENABLED" } else { "DISABLED" }),
            ParamOr::Param(r) => raw(format!("var.{} ? \"ENABLED\" : \"DISABLED\"", r.param)),
        },
    )
}

/// A task size: the string the provider takes, or the number variable (Terraform converts it).
fn size(v: &ParamOr<u32>) -> Expr<'static> {
    match v {
        ParamOr::Lit(n) => string(n.to_string()),
        ParamOr::Param(r) => raw(format!("var.{}", r.param)),
    }
}

/// A list of ids, or its variable.
fn ids(v: &ParamOr<Vec<String>>) -> Expr<'_> {
    match v {
        ParamOr::Lit(list) => strings(list),
        ParamOr::Param(r) => raw(format!("var.{}", r.param)),
    }
}

/// `variables.tf`: a `variable` block per plan parameter, with its type, description, default
/// and `validation` blocks for what the spec constrains (allowed values, pattern, and the id
/// formats and list lengths of the fields that take it).
fn variables(plan: &Plan, w: &mut Writer) -> Vec<Arc<str>> {
    plan.parameters
        .iter()
        .map(|p| {
            let var = format!("var.{}", p.name);
            let ty = match p.kind {
                ParamType::String | ParamType::Arn => "string",
                ParamType::Number => "number",
                ParamType::Boolean => "bool",
                ParamType::SubnetIds | ParamType::SecurityGroupIds => "list(string)",
            };
            let mut b = Block::new("variable", &[&p.name])
                .attr_opt("description", p.description.as_deref().map(string))
                .attr("type", raw(ty))
                .attr_opt("default", p.default.as_ref().map(hcl::from_json));
            let mut checks: Vec<(String, String)> = Vec::new();
            if let Some(allowed) = &p.allowed {
                checks.push((
                    format!(
                        "contains({}, {var})",
                        hcl::inline_expr(&hcl::from_json(&serde_json::Value::Array(
                            allowed.clone()
                        )))
                    ),
                    format!(
                        "The {} must be one of {}.",
                        p.name,
                        allowed
                            .iter()
                            .map(|v| v.to_string())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
            }
            let id_format = match p.kind {
                ParamType::SubnetIds => Some(("subnet", 1, 16)),
                ParamType::SecurityGroupIds => Some(("sg", 0, 5)),
                _ => None,
            };
            if let Some((prefix, min, max)) = id_format {
                checks.push((
                    if min == 0 {
                        format!("length({var}) <= {max}")
                    } else {
                        format!("length({var}) >= {min} && length({var}) <= {max}")
                    },
                    format!("The {} must hold {min} to {max} ids.", p.name),
                ));
                checks.push((
                    format!(
                        "alltrue([for id in {var} : can(regex({}, id))])",
                        hcl::quote(&format!("^{prefix}-([0-9a-f]{{8}}|[0-9a-f]{{17}})$"))
                    ),
                    format!("Each of the {} must be a {prefix}-… id.", p.name),
                ));
            }
            if let Some(re) = &p.pattern {
                let re = hcl::quote(&format!("^(?:{re})$"));
                checks.push((
                    if id_format.is_some() {
                        format!("alltrue([for id in {var} : can(regex({re}, id))])")
                    } else {
                        format!("can(regex({re}, {var}))")
                    },
                    format!("The {} must match the pattern of the spec.", p.name),
                ));
            }
            for (condition, message) in checks {
                b = b.block(
                    Block::new("validation", &[])
                        .attr("condition", raw(condition))
                        .attr("error_message", string(message)),
                );
            }
            w.text(&b)
        })
        .collect()
}

/// An environment's values as a `.tfvars` file.
fn tfvars(set: &crate::plan::ValueSet) -> String {
    let body = Block {
        kind: "",
        labels: Vec::new(),
        body: set
            .values
            .iter()
            .map(|(k, v)| hcl::Item::Attr(k.as_str(), hcl::from_json(v)))
            .collect(),
    };
    format!("# {}\n{}", generated_by(), hcl::body(&body))
}

/// The RunTask options a rule's `ecs_target` and a schedule's `ecs_parameters` share: ECS Exec,
/// managed tags and the group when the spec sets them, and the capacity provider strategy (whose
/// presence leaves `launch_type` out).
fn run_options<'a>(mut ecs: Block<'a>, t: &'a Target) -> Block<'a> {
    ecs = ecs
        .attr_opt(
            "enable_execute_command",
            t.run.enable_execute_command.then(|| boolean(true)),
        )
        .attr_opt(
            "enable_ecs_managed_tags",
            t.run.enable_ecs_managed_tags.then(|| boolean(true)),
        )
        .attr_opt("group", t.run.group.as_deref().map(string));
    for i in &t.run.capacity_provider_strategy {
        ecs = ecs.block(
            Block::new("capacity_provider_strategy", &[])
                .attr("capacity_provider", string(i.provider.name()))
                .attr("weight", num(i.weight))
                .attr_opt("base", (i.base > 0).then(|| num(i.base))),
        );
    }
    ecs
}

fn convert_target<'a>(b: Block<'a>, t: &'a Target, refs: &Refs<'a>) -> Block<'a> {
    let on_bus = !refs.rules_on_bus.is_empty() && refs.rules_on_bus.contains(&t.rule);
    let mut network =
        Block::new("network_configuration", &[]).attr("subnets", ids(&t.network.subnets));
    if !t.network.security_groups.is_empty_list() {
        network = network.attr("security_groups", ids(&t.network.security_groups));
    }
    network = network.attr("assign_public_ip", boolean(t.network.assign_public_ip));
    let mut ecs = Block::new("ecs_target", &[])
        .attr("task_definition_arn", ref_arn(&t.task_definition))
        .attr(
            "task_count",
            match &t.count {
                ParamOr::Lit(n) => num(*n),
                ParamOr::Param(r) => raw(format!("var.{}", r.param)),
            },
        )
        .attr_opt("launch_type", t.run.launch_type().map(string))
        .attr("platform_version", string(&t.platform_version));
    if t.propagate_tags {
        ecs = ecs.attr("propagate_tags", string("TASK_DEFINITION"));
    }
    ecs = run_options(with_tags(ecs, &t.task_tags), t).block(network);

    let mut b = b
        .attr("rule", raw(attribute(&t.rule, "name")))
        .attr_opt(
            "event_bus_name",
            on_bus.then(|| raw(attribute(&t.rule, "event_bus_name"))),
        )
        .attr("target_id", string(&t.target_id))
        .attr("arn", refs.cluster_arn(&t.cluster))
        .attr("role_arn", ref_arn(&t.role));
    if let TargetInput::Static { input } = &t.input {
        b = b.attr("input", string(input.as_str()));
    }
    b = b.block(ecs);
    if let TargetInput::Transformer {
        input_paths,
        input_template,
    } = &t.input
    {
        b = b.block(
            Block::new("input_transformer", &[])
                .attr("input_paths", map(input_paths))
                .attr("input_template", string(input_template.as_str())),
        );
    }
    if let Some(retry) = &t.retry {
        b = b.block(
            Block::new("retry_policy", &[])
                .attr_opt("maximum_retry_attempts", retry.attempts.map(num))
                .attr_opt("maximum_event_age_in_seconds", retry.max_event_age.map(num)),
        );
    }
    if let Some(q) = &t.dead_letter_queue {
        b = b.block(Block::new("dead_letter_config", &[]).attr("arn", string(q.as_str())));
    }
    b
}

/// `aws_scheduler_schedule`: the schedule with its ECS target.
fn convert_schedule<'a>(b: Block<'a>, sc: &'a Schedule, refs: &Refs<'a>) -> Block<'a> {
    let t = &sc.target;
    let mut network =
        Block::new("network_configuration", &[]).attr("subnets", ids(&t.network.subnets));
    if !t.network.security_groups.is_empty_list() {
        network = network.attr("security_groups", ids(&t.network.security_groups));
    }
    network = network.attr("assign_public_ip", boolean(t.network.assign_public_ip));
    let mut ecs = Block::new("ecs_parameters", &[])
        .attr("task_definition_arn", ref_arn(&t.task_definition))
        .attr(
            "task_count",
            match &t.count {
                ParamOr::Lit(n) => num(*n),
                ParamOr::Param(r) => raw(format!("var.{}", r.param)),
            },
        )
        .attr_opt("launch_type", t.run.launch_type().map(string))
        .attr("platform_version", string(&t.platform_version));
    if t.propagate_tags {
        ecs = ecs.attr("propagate_tags", string("TASK_DEFINITION"));
    }
    if !t.task_tags.is_empty() {
        ecs = ecs.attr("tags", map(&t.task_tags));
    }
    ecs = run_options(ecs, t).block(network);
    let mut target = Block::new("target", &[])
        .attr("arn", refs.cluster_arn(&t.cluster))
        .attr("role_arn", ref_arn(&t.role))
        .attr_opt("input", schedule_input(t).map(|i| string(i.to_string())));
    target = target.block(ecs);
    if let Some(retry) = &t.retry {
        target = target.block(
            Block::new("retry_policy", &[])
                .attr_opt("maximum_event_age_in_seconds", retry.max_event_age.map(num))
                .attr_opt("maximum_retry_attempts", retry.attempts.map(num)),
        );
    }
    if let Some(q) = &t.dead_letter_queue {
        target =
            target.block(Block::new("dead_letter_config", &[]).attr("arn", string(q.as_str())));
    }
    let window = match sc.flexible_window {
        None => Block::new("flexible_time_window", &[]).attr("mode", string("OFF")),
        Some(m) => Block::new("flexible_time_window", &[])
            .attr("mode", string("FLEXIBLE"))
            .attr("maximum_window_in_minutes", num(m)),
    };
    b.attr("name", string(&sc.name))
        .attr_opt("group_name", sc.group.as_deref().map(string))
        .attr_opt("description", sc.description.as_deref().map(string))
        .attr("schedule_expression", string(&sc.expression))
        .attr("schedule_expression_timezone", string(&sc.timezone))
        .attr_opt("start_date", sc.start.as_deref().map(string))
        .attr_opt("end_date", sc.end.as_deref().map(string))
        .attr(
            "state",
            match &sc.enabled {
                ParamOr::Lit(on) => string(if *on { "ENABLED" } else { "DISABLED" }),
                ParamOr::Param(r) => raw(format!("var.{} ? \"ENABLED\" : \"DISABLED\"", r.param)),
            },
        )
        .block(window)
        .block(target)
}

/// A queue policy, created (`count`) only when applied in the plan's account for it.
fn convert_queue_policy<'a>(b: Block<'a>, q: &'a QueuePolicy, refs: &Refs<'a>) -> Block<'a> {
    b.attr(
        "count",
        raw(format!(
            "data.aws_caller_identity.current.account_id == {} ? 1 : 0",
            hcl::quote(&q.only_in_account)
        )),
    )
    .attr(
        "queue_url",
        Expr::Template(vec![
            Part::Lit(format!("https://sqs.{}.", q.region).into()),
            Part::Ref("data.aws_partition.current.dns_suffix".into()),
            Part::Lit(format!("/{}/{}", q.account, q.queue_name).into()),
        ]),
    )
    .attr("policy", refs.policy(&q.statements))
}

/// Lower-case letters, digits and `_` from a queue name's characters.
fn label_char(c: char) -> char {
    if c.is_ascii_alphanumeric() {
        c.to_ascii_lowercase()
    } else {
        '_'
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_snake_case() {
        assert_eq!(snake("nightly-report"), "nightly_report");
    }

    #[test]
    fn blocks_are_handed_over_once() {
        let env = template_environment().expect("templates compile");
        let render = |source: &'static str| {
            let blocks = Blocks::value(vec![Arc::from("a {}\n"), Arc::from("b {}\n")]);
            env.template_from_str(source)
                .and_then(|t| t.render(minijinja::context! { blocks => blocks }))
        };
        assert_eq!(
            render("{{ blocks | join('\\n') }}{{ ['x', 'y'] | join('-') }}").expect("renders"),
            "a {}\n\nb {}\nx-y"
        );
        assert_eq!(
            render("{% for b in blocks %}[{{ b }}]{% endfor %}").expect("renders"),
            "[a {}\n][b {}\n]"
        );
        assert_eq!(
            render("{% if blocks | join %}joined{% endif %}").expect("renders"),
            "joined"
        );
        let none = Blocks::value(Vec::new());
        assert_eq!(
            env.template_from_str("{% if not (none | join) %}empty{% endif %}")
                .and_then(|t| t.render(minijinja::context! { none => none }))
                .expect("renders"),
            "empty"
        );
        assert!(render("{{ blocks | join }}{{ blocks | join }}").is_err());
        assert!(render("{{ blocks[1] }}{{ blocks | join }}").is_err());
        assert!(render("{% for b in blocks %}{{ b }}{{ b }}{% endfor %}").is_ok());
        assert!(render(
            "{% for b in blocks %}{% endfor %}{% for b in blocks %}{{ b }}{% endfor %}"
        )
        .is_err());
        assert!(render("{{ blocks[0] }}{{ blocks[0] }}").is_err());
    }

    #[test]
    fn every_template_resolves() {
        let env = super::environment(&TEMPLATES).expect("templates compile");
        for (name, _) in TEMPLATES {
            assert!(env.get_template(name).is_ok(), "{name}");
        }
    }
}
