//! CDK (TypeScript, aws-cdk-lib v2): a construct class built from L2 constructs
//! (`ecs.FargateTaskDefinition`, `events.Rule`, `targets.EcsTask` with `containerOverrides` and
//! `events.EventField.fromPath`), like the seed's hand-written app, and with `-o DIR` a complete
//! app in the layout `cdk init app --language typescript` creates.
//!
//! Each plan entry is one construct: cluster → `ecs.Cluster`, log group → `logs.LogGroup`, role
//! → `iam.Role`, policy → `iam.Policy` (with the plan's name and statements), task definition →
//! `ecs.FargateTaskDefinition` + `addContainer`, rule → `events.Rule`, target → `rule.addTarget(new
//! targets.EcsTask(…))`, a dependency → `node.addDependency`; existing resources are imported
//! (`fromClusterAttributes`, `fromRoleArn`, `fromFargateTaskDefinitionAttributes`).
//!
//! Where L2 cannot say what the plan needs, the generated code uses a documented escape hatch and
//! says why in a comment:
//! - roles reach the task definition and `EcsTask` through `withoutPolicyUpdates()`, so they
//!   hold exactly their plan policies and CDK's own broader grants are not added;
//! - `targets.EcsTask` reads subnets through `cluster.vpc`, and the spec has subnets but no VPC:
//!   an imported placeholder VPC satisfies the type while the subnets are passed explicitly (its
//!   id never reaches the template);
//! - `assignPublicIp`, raw event patterns, bus ARNs and the dead-letter-queue policy's account
//!   condition are set on the L1 resources.
//!
//! Statements are built with the [`ts`] printer, whose output is prettier-clean.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::sync::{Arc, OnceLock};

use minijinja::Environment;

use serde::Serialize;
use serde_json::Value;

use super::ts::{self, atom, call, object, string, Part, Ts};
use super::{
    environment, generated_by, pascal, schedule_input, Backend, Format, Layout, OutputFile,
    RenderError,
};
use crate::plan::{
    arn_of, push_pascal, Architecture, Arn, ClusterRef, CommandOverride, Group, Id, Kind, Output,
    OverrideValue, Owner, ParamOr, ParamType, Part as PlanPart, Plan, QueuePolicy, Ref, Resource,
    Rule, RuleTrigger, Schedule, SecretArnForm, SecretSource, Statement, Target, TargetInput,
    TaskDefinition,
};

/// `new Class(this, "Id", props)` (the callee spelled out at compile time).
macro_rules! construct {
    ($class:literal, $id:expr, $props:expr $(,)?) => {
        call(
            concat!("new ", $class),
            vec![atom("this"), string($id), $props],
        )
    };
}

/// `templates/cdk/construct.ts.j2`: the construct module (stdout, and `lib/` in the app).
pub const TEMPLATE_CONSTRUCT: &str = "cdk/construct.ts.j2";
/// `templates/cdk/stack.ts.j2`.
pub const TEMPLATE_STACK: &str = "cdk/stack.ts.j2";
/// `templates/cdk/app.ts.j2`.
pub const TEMPLATE_APP: &str = "cdk/app.ts.j2";
/// `templates/cdk/package.json.j2`.
pub const TEMPLATE_PACKAGE: &str = "cdk/package.json.j2";
/// `templates/cdk/tsconfig.json.j2`.
pub const TEMPLATE_TSCONFIG: &str = "cdk/tsconfig.json.j2";
/// `templates/cdk/cdk.json.j2`.
pub const TEMPLATE_CDK_JSON: &str = "cdk/cdk.json.j2";
/// `templates/cdk/gitignore.j2`.
pub const TEMPLATE_GITIGNORE: &str = "cdk/gitignore.j2";

const TEMPLATES: [(&str, &str); 7] = [
    (
        TEMPLATE_CONSTRUCT,
        include_str!("../../templates/cdk/construct.ts.j2"),
    ),
    (
        TEMPLATE_STACK,
        include_str!("../../templates/cdk/stack.ts.j2"),
    ),
    (TEMPLATE_APP, include_str!("../../templates/cdk/app.ts.j2")),
    (
        TEMPLATE_PACKAGE,
        include_str!("../../templates/cdk/package.json.j2"),
    ),
    (
        TEMPLATE_TSCONFIG,
        include_str!("../../templates/cdk/tsconfig.json.j2"),
    ),
    (
        TEMPLATE_CDK_JSON,
        include_str!("../../templates/cdk/cdk.json.j2"),
    ),
    (
        TEMPLATE_GITIGNORE,
        include_str!("../../templates/cdk/gitignore.j2"),
    ),
];

/// Pinned versions of the generated app's dependencies.
pub const AWS_CDK_LIB: &str = "2.276.0";
pub const CONSTRUCTS: &str = "10.8.1";
pub const TYPESCRIPT: &str = "5.9.3";
pub const AWS_CDK_CLI: &str = "2.1148.1";
pub const TS_NODE: &str = "10.9.2";

/// The CDK backend.
pub struct Cdk;

/// A task's statements under a comment. The code is a template value showing the task's part
/// of the one buffer every task's code was written into (not copied per task or template).
#[derive(Debug, Serialize)]
struct TaskGroup {
    comment: String,
    code: minijinja::Value,
}

/// A task's code: its part of a block.
#[derive(Debug)]
struct TaskCode {
    block: Arc<String>,
    range: Range<usize>,
}

impl minijinja::value::Object for TaskCode {
    fn repr(self: &Arc<Self>) -> minijinja::value::ObjectRepr {
        minijinja::value::ObjectRepr::Plain
    }

    fn render(self: &Arc<Self>, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.block.get(self.range.clone()).ok_or(std::fmt::Error)?)
    }
}

/// Texts written one after the other in blocks of at least [`Blocks::SIZE`] bytes, each text
/// whole in one block.
#[derive(Default)]
struct Blocks {
    full: Vec<String>,
    current: String,
    /// The length of all texts written.
    len: usize,
}

impl Blocks {
    const SIZE: usize = 64 * 1024;

    /// The block the next text is to be written at the end of (which one, and the block): a
    /// new one when fewer than `room` bytes are left.
    fn next(&mut self, room: usize) -> (usize, &mut String) {
        if self.current.capacity() - self.current.len() < room {
            let next = String::with_capacity(Blocks::SIZE.max(2 * room));
            self.full.push(std::mem::replace(&mut self.current, next));
        }
        (self.full.len(), &mut self.current)
    }

    /// The blocks, to be shared by the texts' template values.
    fn into_shared(mut self) -> Vec<Arc<String>> {
        self.full.push(self.current);
        self.full.into_iter().map(Arc::new).collect()
    }
}

#[derive(Debug, Serialize)]
struct View {
    header: String,
    name: String,
    class: String,
    stack_class: String,
    /// `new XStack(app, "XStack", {…});` for bin/.
    app_statement: String,
    description: Option<String>,
    imports: Vec<String>,
    shared: String,
    tasks: Vec<TaskGroup>,
    /// The length of all the tasks' code.
    #[serde(skip)]
    tasks_code_len: usize,
    versions: BTreeMap<&'static str, &'static str>,
    /// The `context` of cdk.json: the feature flags `cdk init` writes, as pretty JSON.
    feature_flags: &'static str,
    /// With deploy-time parameters: the props interface's name, its declaration, and the
    /// constructor's `params` (the props with their defaults, checked).
    props_class: String,
    props: String,
    params: String,
    /// With deploy-time parameters: the app's statements choosing their values.
    app_parameters: String,
}

/// The feature flags aws-cdk-lib recommends for new apps (its `recommended-feature-flags.json`,
/// which `cdk init` writes into cdk.json), for the pinned [`AWS_CDK_LIB`]; a test keeps the copy
/// equal to the package's. One more is set: `@aws-cdk/core:validateAgainstDefaultRules` (in the
/// list too) makes CDK's template validation fail the synth instead of warning.
const FEATURE_FLAGS: &str = include_str!("../../templates/cdk/feature-flags.json");

/// The feature flags as cdk.json's `context` value, indented to sit under its key (built once
/// per process).
fn feature_flags() -> &'static str {
    static FLAGS: OnceLock<String> = OnceLock::new();
    FLAGS.get_or_init(|| {
        let flags: serde_json::Value = serde_json::from_str(FEATURE_FLAGS).unwrap_or_default();
        serde_json::to_string_pretty(&flags)
            .unwrap_or_else(|_| "{}".into())
            .replace('\n', "\n  ")
    })
}

/// The templates and the CDK filters, built once per process.
fn template_environment() -> Result<&'static Environment<'static>, RenderError> {
    static ENV: OnceLock<Result<Environment<'static>, String>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = environment(&TEMPLATES).map_err(|e| e.0)?;
        env.add_filter("ts_string", |s: String| ts::quote(&s));
        env.add_filter("json_string", |s: String| {
            serde_json::to_string(&s).unwrap_or_default()
        });
        Ok(env)
    })
    .as_ref()
    .map_err(|e| RenderError(e.clone()))
}

impl Backend for Cdk {
    fn render(
        &self,
        plan: &Plan,
        layout: Layout,
        _format: Format,
    ) -> Result<Vec<OutputFile>, RenderError> {
        let view = convert_model(plan);
        let env = template_environment()?;
        // Converted once for every template (the code is already a template value).
        let context = minijinja::context! { view => &view };
        // The construct's size is known: its code, under the template's own lines.
        let code_size = view.shared.len()
            + view
                .tasks
                .iter()
                .map(|t| t.comment.len() + 16)
                .sum::<usize>()
            + view.tasks_code_len;
        let render = |name: &str| -> Result<String, RenderError> {
            let template = env.get_template(name)?;
            if name != TEMPLATE_CONSTRUCT {
                return Ok(template.render(&context)?);
            }
            let mut out = Vec::with_capacity(code_size + 16 * 1024);
            template.render_captured_to(&context, &mut out)?;
            String::from_utf8(out).map_err(|e| RenderError(e.to_string()))
        };
        let name = &plan.name;
        Ok(match layout {
            Layout::Single => vec![OutputFile {
                path: format!("{name}-tasks.ts"),
                contents: render(TEMPLATE_CONSTRUCT)?,
            }],
            Layout::Directory => vec![
                OutputFile {
                    path: format!("bin/{name}.ts"),
                    contents: render(TEMPLATE_APP)?,
                },
                OutputFile {
                    path: format!("lib/{name}-tasks.ts"),
                    contents: render(TEMPLATE_CONSTRUCT)?,
                },
                OutputFile {
                    path: format!("lib/{name}-stack.ts"),
                    contents: render(TEMPLATE_STACK)?,
                },
                OutputFile {
                    path: "package.json".into(),
                    contents: render(TEMPLATE_PACKAGE)?,
                },
                OutputFile {
                    path: "tsconfig.json".into(),
                    contents: render(TEMPLATE_TSCONFIG)?,
                },
                OutputFile {
                    path: "cdk.json".into(),
                    contents: render(TEMPLATE_CDK_JSON)?,
                },
                OutputFile {
                    path: ".gitignore".into(),
                    contents: render(TEMPLATE_GITIGNORE)?,
                },
            ],
        })
    }
}

/// [`pascal`] of `s`, built in one allocation.
fn pascal_id(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    push_pascal(&mut out, s);
    out
}

/// Lower-cases the letter at `start` (PascalCase → camelCase; the text is ASCII).
fn lower_first(out: &mut str, start: usize) {
    if let Some(first) = out.get_mut(start..start + 1) {
        first.make_ascii_lowercase();
    }
}

fn num(n: impl std::fmt::Display) -> Ts<'static> {
    atom(n.to_string())
}

/// A number field: its literal or its parameter.
fn number(v: &ParamOr<u32>) -> Ts<'_> {
    match v {
        ParamOr::Lit(n) => num(n),
        ParamOr::Param(r) => param(&r.param),
    }
}

/// A parameter's value in the construct.
fn param(name: &str) -> Ts<'_> {
    atom(format!("params.{}", ts::param_name(name)))
}

/// A list of imported ids (subnets, security groups): one import per literal id, or one per
/// element of the parameter's list at synth time.
fn imported_ids<'a>(v: &'a ParamOr<Vec<String>>, owner: &Owner, class: &str, what: &str) -> Ts<'a> {
    let import = |id_ts: Ts<'a>, construct_id: Ts<'a>| {
        call(
            format!(
                "{class}.{}",
                if what == "Subnet" {
                    "fromSubnetId"
                } else {
                    "fromSecurityGroupId"
                }
            ),
            vec![atom("this"), construct_id, id_ts],
        )
    };
    match v {
        ParamOr::Lit(ids) => Ts::Array(
            ids.iter()
                .enumerate()
                .map(|(i, s)| {
                    import(
                        string(s.as_str()),
                        string(import_id(owner, &format!("{what}{i}"))),
                    )
                })
                .collect(),
        ),
        ParamOr::Param(r) => call(
            format!("import{what}s"),
            vec![
                atom("this"),
                string(import_id(owner, what)),
                param(&r.param),
            ],
        ),
    }
}

/// The TypeScript type of a parameter.
fn param_type(kind: ParamType) -> &'static str {
    match kind {
        ParamType::String | ParamType::Arn => "string",
        ParamType::Number => "number",
        ParamType::Boolean => "boolean",
        ParamType::SubnetIds | ParamType::SecurityGroupIds => "string[]",
    }
}

/// The props interface: one readonly member per parameter, optional where it has a default,
/// commented with its description, default and allowed values.
fn props_interface(plan: &Plan, class: &str) -> String {
    let mut out = format!(
        "/**\n * The deploy-time parameters of the spec (its `parameters`).\n */\nexport interface {class} {{\n"
    );
    for p in &plan.parameters {
        let mut notes: Vec<String> = p.description.iter().cloned().collect();
        if let Some(d) = &p.default {
            notes.push(format!("Default: {d}."));
        }
        if let Some(a) = &p.allowed {
            notes.push(format!(
                "One of {}.",
                a.iter()
                    .map(Value::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        if let Some(re) = &p.pattern {
            notes.push(format!("Matches /^(?:{re})$/."));
        }
        for n in notes {
            out.push_str(&format!("  // {}\n", super::comment_text(&n)));
        }
        out.push_str(&format!(
            "  readonly {}{}: {};\n",
            ts::param_name(&p.name),
            if p.default.is_some() { "?" } else { "" },
            param_type(p.kind)
        ));
    }
    out.push_str("}\n");
    out
}

/// The constructor's `params`: each prop or its default, then the spec's constraints checked
/// (allowed values, patterns), so a wrong value fails the synth with the parameter's name.
fn params_statements(plan: &Plan) -> String {
    let names: Vec<String> = plan
        .parameters
        .iter()
        .map(|p| ts::param_name(&p.name))
        .collect();
    let fields = plan
        .parameters
        .iter()
        .zip(&names)
        .map(|(p, name)| {
            let value = match &p.default {
                Some(d) => Ts::Code(
                    format!("props.{name} ?? {}", ts::print(&json_literal(d), 0, 0, 0)).into(),
                ),
                None => atom(format!("props.{name}")),
            };
            (name.as_str(), value)
        })
        .collect();
    let mut out = String::new();
    ts::write_statement(&mut out, "const params = ", &Ts::Object(fields), 2);
    for p in &plan.parameters {
        let name = ts::param_name(&p.name);
        let value = format!("params.{name}");
        let mut check = |function: &str, argument: Ts, constraint: Ts| {
            ts::write_statement(
                &mut out,
                "",
                &call(
                    function,
                    vec![string(p.name.as_str()), argument, constraint],
                ),
                2,
            );
        };
        if let Some(a) = &p.allowed {
            check(
                "allowed",
                atom(value.clone()),
                Ts::Array(a.iter().map(json_literal).collect()),
            );
        }
        if let Some(re) = &p.pattern {
            let list = matches!(p.kind, ParamType::SubnetIds | ParamType::SecurityGroupIds);
            check(
                "matches",
                if list {
                    atom(value.clone())
                } else {
                    Ts::Array(vec![atom(value.clone())])
                },
                string(format!("^(?:{re})$")),
            );
        }
    }
    out
}

/// A JSON value as a plain TypeScript literal (parameter values: no `Fn.sub`).
fn json_literal(v: &Value) -> Ts<'_> {
    match v {
        Value::String(s) => string(s.as_str()),
        Value::Array(items) => Ts::Array(items.iter().map(json_literal).collect()),
        Value::Object(map) => Ts::Object(
            map.iter()
                .map(|(k, v)| (k.as_str(), json_literal(v)))
                .collect(),
        ),
        other => atom(other.to_string()),
    }
}

/// The app's statements: each environment's values (`environments`), the one chosen by
/// context `environment` (default: `--env`'s), then a value per parameter from context
/// (`cdk synth -c imageTag=…`) over it.
fn app_parameters(plan: &Plan, props_class: &str, default_env: Option<&str>) -> String {
    let keys: Vec<Vec<String>> = plan
        .value_sets
        .iter()
        .map(|set| set.values.keys().map(|k| ts::param_name(k)).collect())
        .collect();
    let envs = Ts::Object(
        plan.value_sets
            .iter()
            .zip(&keys)
            .map(|(set, keys)| {
                (
                    set.name.as_str(),
                    Ts::Object(
                        set.values
                            .values()
                            .zip(keys)
                            .map(|(v, k)| (k.as_str(), json_literal(v)))
                            .collect(),
                    ),
                )
            })
            .collect(),
    );
    let mut out = String::new();
    out.push_str("// Each environment's values (the spec's `environments`).\n");
    ts::write_statement(
        &mut out,
        &format!("const environments: Record<string, Partial<{props_class}>> = "),
        &envs,
        0,
    );
    out.push_str(&format!(
        "const environment: string | undefined = app.node.tryGetContext(\"environment\"){};\n",
        match default_env {
            Some(e) => format!(" ?? {}", ts::quote(e)),
            None => String::new(),
        }
    ));
    let names: Vec<String> = plan
        .parameters
        .iter()
        .map(|p| ts::param_name(&p.name))
        .collect();
    let parsers = plan
        .parameters
        .iter()
        .zip(&names)
        .map(|(p, name)| {
            (
                name.as_str(),
                atom(match p.kind {
                    ParamType::String | ParamType::Arn => "text",
                    ParamType::Number => "numeric",
                    ParamType::Boolean => "flag",
                    ParamType::SubnetIds | ParamType::SecurityGroupIds => "list",
                }),
            )
        })
        .collect();
    ts::write_statement(&mut out, "const parsers = ", &Ts::Object(parsers), 0);
    let required: Vec<Ts> = plan
        .parameters
        .iter()
        .filter(|p| p.default.is_none())
        .map(|p| string(ts::param_name(&p.name)))
        .collect();
    ts::write_statement(
        &mut out,
        "const required: string[] = ",
        &Ts::Array(required),
        0,
    );
    out
}

fn strings(v: &[String]) -> Ts<'_> {
    Ts::Array(v.iter().map(|s| text(s)).collect())
}

/// A string from the spec as a value of the template: a string literal, or, when it holds
/// `${`, `Fn.sub` with `$` as a variable, the same spelling as the CloudFormation target (see
/// `cloudformation::literal_dollars`): CDK's template validation reads `${X}` in a plain string
/// as a reference that should have been an `Fn::Sub`.
fn text(s: &str) -> Ts<'_> {
    if s.contains("${") {
        let dollar = super::cloudformation::DOLLAR;
        call(
            "Fn.sub",
            vec![
                string(s.replace("${", &format!("${{{dollar}}}{{"))),
                object(vec![(dollar, string("$"))]),
            ],
        )
    } else {
        string(s)
    }
}

/// A JSON value as a TypeScript literal.
fn json(v: &Value) -> Ts<'_> {
    match v {
        Value::String(s) => text(s),
        Value::Array(items) => Ts::Array(items.iter().map(json).collect()),
        Value::Object(map) => Ts::Object(map.iter().map(|(k, v)| (k.as_str(), json(v))).collect()),
        other => atom(other.to_string()),
    }
}

/// The `logs.RetentionDays` member for a number of days (`INFINITE` for none).
fn retention(days: Option<u32>) -> &'static str {
    match days {
        None => "logs.RetentionDays.INFINITE",
        Some(1) => "logs.RetentionDays.ONE_DAY",
        Some(3) => "logs.RetentionDays.THREE_DAYS",
        Some(5) => "logs.RetentionDays.FIVE_DAYS",
        Some(7) => "logs.RetentionDays.ONE_WEEK",
        Some(14) => "logs.RetentionDays.TWO_WEEKS",
        Some(30) => "logs.RetentionDays.ONE_MONTH",
        Some(60) => "logs.RetentionDays.TWO_MONTHS",
        Some(90) => "logs.RetentionDays.THREE_MONTHS",
        Some(120) => "logs.RetentionDays.FOUR_MONTHS",
        Some(150) => "logs.RetentionDays.FIVE_MONTHS",
        Some(180) => "logs.RetentionDays.SIX_MONTHS",
        Some(365) => "logs.RetentionDays.ONE_YEAR",
        Some(400) => "logs.RetentionDays.THIRTEEN_MONTHS",
        Some(545) => "logs.RetentionDays.EIGHTEEN_MONTHS",
        Some(731) => "logs.RetentionDays.TWO_YEARS",
        Some(1096) => "logs.RetentionDays.THREE_YEARS",
        Some(1827) => "logs.RetentionDays.FIVE_YEARS",
        Some(2192) => "logs.RetentionDays.SIX_YEARS",
        Some(2557) => "logs.RetentionDays.SEVEN_YEARS",
        Some(2922) => "logs.RetentionDays.EIGHT_YEARS",
        Some(3288) => "logs.RetentionDays.NINE_YEARS",
        Some(3653) => "logs.RetentionDays.TEN_YEARS",
        Some(_) => "logs.RetentionDays.INFINITE",
    }
}

/// The `ecs.FargatePlatformVersion` member for a version (validated to these).
fn platform_version(v: &str) -> &'static str {
    match v {
        "1.4.0" => "ecs.FargatePlatformVersion.VERSION1_4",
        "1.3.0" => "ecs.FargatePlatformVersion.VERSION1_3",
        _ => "ecs.FargatePlatformVersion.LATEST",
    }
}

/// The variable a plan entry is held in: its neutral name in camelCase (`manage-events-role`
/// → `manageEventsRole`); the cluster is `cluster`, a queue policy `deadLetter…` (queue names
/// may start with a digit).
fn var(id: &Id) -> String {
    member(id, "")
}

/// The variable of a plan entry followed by `suffix` (`manageRule.ruleArn`).
fn member(id: &Id, suffix: &str) -> String {
    let mut out = String::with_capacity(32 + suffix.len());
    push_var(&mut out, id);
    out.push_str(suffix);
    out
}

/// Appends [`var`].
fn push_var(out: &mut String, id: &Id) {
    let start = out.len();
    match &id.owner {
        Owner::Queue(q) => {
            out.push_str("deadLetter");
            push_pascal(out, q);
            out.push_str("QueuePolicy");
        }
        // camelCase of `Id::name`: the owner's runs, then the part's.
        Owner::Task(t) => {
            push_pascal(out, t);
            out.push_str(part_pascal(id.part));
            lower_first(out, start);
        }
        Owner::Stack => {
            out.push_str(part_pascal(id.part));
            lower_first(out, start);
        }
    }
}

/// The construct id of a plan entry: its neutral name in PascalCase.
fn construct_id(id: &Id) -> String {
    let mut out = String::with_capacity(32);
    if let Owner::Task(t) | Owner::Queue(t) = &id.owner {
        push_pascal(&mut out, t);
    }
    out.push_str(part_pascal(id.part));
    out
}

/// [`pascal`] of each part's name, spelled out (a test checks).
fn part_pascal(part: PlanPart) -> &'static str {
    match part {
        PlanPart::Cluster => "Cluster",
        PlanPart::CapacityProviders => "ClusterCapacityProviders",
        PlanPart::LogGroup => "LogGroup",
        PlanPart::TaskRole => "TaskRole",
        PlanPart::TaskRolePolicy => "TaskRolePolicy",
        PlanPart::ExecutionRole => "ExecutionRole",
        PlanPart::ExecutionRolePolicy => "ExecutionRolePolicy",
        PlanPart::TaskDefinition => "TaskDefinition",
        PlanPart::EventsRole => "EventsRole",
        PlanPart::EventsRolePolicy => "EventsRolePolicy",
        PlanPart::Rule => "Rule",
        PlanPart::Target => "Target",
        PlanPart::Schedule => "Schedule",
        PlanPart::QueuePolicy => "QueuePolicy",
    }
}

/// The construct id of something a task imports (`ManageSubnet0`, `ManageTaskRole`).
fn import_id(owner: &Owner, what: &str) -> String {
    let mut out = String::with_capacity(32);
    if let Owner::Task(t) | Owner::Queue(t) = owner {
        push_pascal(&mut out, t);
    }
    out.push_str(what);
    out
}

/// How this construct refers to what the plan names.
struct Refs;

impl Refs {
    fn arn<'a>(&self, a: &'a Arn) -> Ts<'a> {
        match a {
            Arn::Literal { text } => string(text.as_str()),
            Arn::Of { id } => {
                let attr = match id.part {
                    PlanPart::Cluster => ".clusterArn",
                    PlanPart::TaskDefinition => ".taskDefinitionArn",
                    PlanPart::Rule => ".ruleArn",
                    PlanPart::Schedule => ".attrArn",
                    PlanPart::LogGroup => ".logGroupArn",
                    _ => ".roleArn",
                };
                atom(member(id, attr))
            }
            Arn::LogStreams { id } => atom(member(id, ".logGroupArn")),
            Arn::Repository { repository: repo } => Ts::Template(vec![
                Part::Lit("arn:".into()),
                Part::Code("Aws.PARTITION"),
                Part::Lit(
                    format!(
                        ":ecr:{}:{}:repository/{}",
                        repo.region, repo.account, repo.name
                    )
                    .into(),
                ),
            ]),
            // The cluster construct, created or imported, knows its name.
            Arn::ClusterTasks { .. } => Ts::Template(vec![
                Part::Lit("arn:".into()),
                Part::Code("Aws.PARTITION"),
                Part::Lit(":ecs:".into()),
                Part::Code("Aws.REGION"),
                Part::Lit(":".into()),
                Part::Code("Aws.ACCOUNT_ID"),
                Part::Lit(":task/".into()),
                Part::Code("cluster.clusterName"),
                Part::Lit("/*".into()),
            ]),
            Arn::Account => atom("Aws.ACCOUNT_ID"),
        }
    }

    fn statement<'a>(&self, s: &'a Statement) -> Ts<'a> {
        let mut fields = Vec::with_capacity(5);
        if let Some(sid) = &s.sid {
            fields.push(("sid", string(sid.as_str())));
        }
        if let Some(service) = s.service_principal {
            fields.push((
                "principals",
                Ts::Array(vec![call(
                    "new iam.ServicePrincipal",
                    vec![string(service)],
                )]),
            ));
        }
        fields.extend([
            (
                "actions",
                Ts::Array(s.actions.iter().map(|a| string(a.as_str())).collect()),
            ),
            (
                "resources",
                Ts::Array(s.resources.iter().map(|r| self.arn(r)).collect()),
            ),
        ]);
        if let Some(c) = &s.condition {
            fields.push((
                "conditions",
                object(vec![(c.op, object(vec![(c.key, self.arn(&c.value))]))]),
            ));
        }
        call("new iam.PolicyStatement", vec![object(fields)])
    }

    /// `new iam.ServicePrincipal(service, { conditions })` from a role's trust statement.
    fn principal<'a>(&self, trust: &'a Statement) -> Ts<'a> {
        let service = trust.service_principal.unwrap_or_default();
        let mut args = vec![string(service)];
        if let Some(c) = &trust.condition {
            args.push(object(vec![(
                "conditions",
                object(vec![(c.op, object(vec![(c.key, self.arn(&c.value))]))]),
            )]));
        }
        call("new iam.ServicePrincipal", args)
    }

    /// A role for a task definition: the created role's variable, or an imported role.
    fn role<'a>(&self, r: &'a Ref, owner: &Owner, what: &str) -> Ts<'a> {
        match r {
            Ref::Created { id } => atom(var(id)),
            Ref::Existing { arn } => import_role(import_id(owner, what), arn),
        }
    }
}

fn managed_policy(what: String, arn: &str) -> Ts<'_> {
    call(
        "iam.ManagedPolicy.fromManagedPolicyArn",
        vec![atom("this"), string(what), string(arn)],
    )
}

fn import_role<'a>(id: impl Into<Cow<'a, str>>, arn: &'a str) -> Ts<'a> {
    call(
        "iam.Role.fromRoleArn",
        vec![
            atom("this"),
            string(id),
            string(arn),
            object(vec![("mutable", atom("false"))]),
        ],
    )
}

/// `const VAR = EXPR;`
fn declare(out: &mut String, id: &Id, value: &Ts) {
    let prefix = |out: &mut String| {
        out.push_str("const ");
        push_var(out, id);
        out.push_str(" = ");
    };
    ts::write_statement_with(out, prefix, value, 2)
}

fn convert_model(plan: &Plan) -> View {
    let mut shared = String::new();
    let mut acks = vec![
        (
            "@aws-cdk/aws-ec2:vpcAttributeIsListTokenavailabilityZones",
            "the imported VPC below is never asked for its subnets",
        ),
        (
            "@aws-cdk/aws-ec2:noSubnetRouteTableId",
            "tfc never reads the subnets' route tables",
        ),
    ];
    let containers = || {
        plan.resources().filter_map(|r| match &r.kind {
            Kind::TaskDefinition(d) => Some(&d.container),
            _ => None,
        })
    };
    if containers().any(|c| c.ecr_repository.is_some()) {
        acks.push((
            "@aws-cdk/aws-ecs:ecrImageRequiresPolicy",
            "tfc grants the ECR pull in each execution role's policy",
        ));
    }
    if containers().any(|c| {
        c.secrets
            .iter()
            .any(|s| s.source == SecretSource::SsmParameter)
    }) {
        acks.push((
            "aws-cdk-lib/aws-ssm:crossAccountReferenceSameRegion",
            "parameters are named by full ARN",
        ));
    }
    shared.push_str("    // Warnings that do not apply to this construct (each says why).\n");
    for (id, why) in acks {
        ts::write_statement(
            &mut shared,
            "",
            &call(
                "Annotations.of(this).acknowledgeWarning",
                vec![string(id), string(why)],
            ),
            2,
        );
    }
    shared.push_str(
        "    // targets.EcsTask reads subnets through cluster.vpc. The spec names subnets, not a VPC,\n    // so each task passes its subnets explicitly and this imported VPC only satisfies the\n    // type: its id never reaches the template.\n",
    );
    ts::write_statement(
        &mut shared,
        "const vpc = ",
        &call(
            "ec2.Vpc.fromVpcAttributes",
            vec![
                atom("this"),
                string("Vpc"),
                object(vec![
                    ("vpcId", string("unused-subnets-are-explicit")),
                    ("availabilityZones", atom("Fn.getAzs()")),
                ]),
            ],
        ),
        2,
    );
    if let ClusterRef::Existing { arn, name } = &plan.cluster {
        ts::write_statement(
            &mut shared,
            "const cluster = ",
            &call(
                "ecs.Cluster.fromClusterAttributes",
                vec![
                    atom("this"),
                    string("Cluster"),
                    object(vec![
                        ("clusterName", string(name.as_str())),
                        ("clusterArn", string(arn.as_str())),
                        ("vpc", atom("vpc")),
                        ("securityGroups", Ts::Array(vec![])),
                    ]),
                ],
            ),
            2,
        );
    }
    // Each group's outputs, found in one pass (a plan-wide scan per group made the render
    // quadratic in tasks); in plan order within each owner.
    let mut outputs: HashMap<&Owner, Vec<&Output>> = HashMap::new();
    for o in &plan.outputs {
        outputs.entry(&o.owner).or_default().push(o);
    }
    // Tasks' code is written into blocks that hold many tasks: a String per task made two
    // large allocations per task (each has the allocator sweep its free lists), one String for
    // all made allocations as large as the output.
    let mut blocks = Blocks::default();
    let mut largest = 0;
    let mut parts: Vec<(&String, usize, Range<usize>)> = Vec::with_capacity(plan.groups.len());
    // What the tasks' code mentions, read while it is fresh (the shared code goes first).
    let mut task_mentions = Mentions::new();
    for group in &plan.groups {
        let own_outputs = outputs.get(&group.owner).map_or(&[][..], Vec::as_slice);
        match &group.comment {
            None => convert_group(&mut shared, plan, group, own_outputs),
            Some(comment) => {
                if parts.is_empty() {
                    // What the shared code mentions so far need not be looked for in tasks.
                    let mut before = Mentions::new();
                    before.scan(&shared);
                    task_mentions.assume(&before);
                }
                // Room for a task a quarter larger than the largest so far (a larger one
                // only makes its block grow).
                let (block, buffer) = blocks.next(largest + largest / 4);
                let start = buffer.len();
                convert_group(buffer, plan, group, own_outputs);
                task_mentions.scan(&buffer[start..]);
                let range = start..buffer.len();
                largest = largest.max(range.len());
                blocks.len += range.len();
                parts.push((comment, block, range));
            }
        }
    }
    let tasks_code_len = blocks.len;
    let blocks = blocks.into_shared();
    let tasks = parts
        .into_iter()
        .filter_map(|(comment, block, range)| {
            Some(TaskGroup {
                comment: comment.clone(),
                code: minijinja::Value::from_object(TaskCode {
                    block: Arc::clone(blocks.get(block)?),
                    range,
                }),
            })
        })
        .collect();
    let mut mentions = Mentions::new();
    mentions.scan(&shared);
    mentions.join(&task_mentions);
    let stack_class = format!("{}Stack", pascal(&plan.name));
    let mut stack_args = vec![atom("app"), string(stack_class.as_str())];
    let mut stack_props = Vec::new();
    if plan.description.is_some() {
        stack_props.push(("description", string(plan.stack_description.as_str())));
    }
    if !plan.parameters.is_empty() {
        stack_props.push(("parameters", atom("parameters")));
    }
    if !stack_props.is_empty() {
        stack_args.push(object(stack_props));
    }
    let mut view = View {
        header: generated_by(),
        name: plan.name.clone(),
        class: format!("{}Tasks", pascal(&plan.name)),
        app_statement: ts::statement("", &call(format!("new {stack_class}"), stack_args), 0),
        stack_class,
        description: plan.description.clone(),
        imports: Vec::new(),
        shared,
        tasks,
        tasks_code_len,
        versions: BTreeMap::from([
            ("aws-cdk-lib", AWS_CDK_LIB),
            ("constructs", CONSTRUCTS),
            ("typescript", TYPESCRIPT),
            ("aws-cdk", AWS_CDK_CLI),
            ("ts-node", TS_NODE),
        ]),
        feature_flags: feature_flags(),
        props_class: String::new(),
        props: String::new(),
        params: String::new(),
        app_parameters: String::new(),
    };
    if !plan.parameters.is_empty() {
        view.props_class = format!("{}Props", view.class);
        view.props = props_interface(plan, &view.props_class);
        view.params = params_statements(plan);
        let default_env = plan
            .value_sets
            .first()
            .filter(|_| plan.value_sets.len() == 1);
        view.app_parameters = app_parameters(
            plan,
            &view.props_class,
            default_env.map(|s| s.name.as_str()),
        );
    }
    view.imports = imports(&mentions);
    view
}

/// A group's code: what it imports, its resources in plan order, its outputs, then the tags of
/// its resources beyond the construct's own (which `Tags.of(this)` applies to everything).
fn convert_group(out: &mut String, plan: &Plan, group: &Group, outputs: &[&Output]) {
    let refs = Refs;
    for r in &group.resources {
        if let Kind::Target(t) = &r.kind {
            if let Ref::Existing { arn } = &t.task_definition {
                import_definition(out, &group.owner, arn, &t.existing_roles);
            }
        }
    }
    for r in &group.resources {
        match &r.kind {
            Kind::Cluster(c) => declare(
                out,
                &r.id,
                &construct!(
                    "ecs.Cluster",
                    construct_id(&r.id),
                    object(vec![
                        ("clusterName", string(c.name.as_str())),
                        ("vpc", atom("vpc")),
                    ]),
                ),
            ),
            Kind::CapacityProviders(c) => declare(
                out,
                &r.id,
                &construct!(
                    "ecs.CfnClusterCapacityProviderAssociations",
                    construct_id(&r.id),
                    object(vec![
                        ("cluster", atom(member(&c.cluster, ".clusterName"))),
                        (
                            "capacityProviders",
                            Ts::Array(c.providers.iter().map(|p| string(p.name())).collect()),
                        ),
                        // A task without a strategy names its launch type.
                        ("defaultCapacityProviderStrategy", Ts::Array(Vec::new())),
                    ]),
                ),
            ),
            Kind::LogGroup(g) => declare(
                out,
                &r.id,
                &construct!(
                    "logs.LogGroup",
                    construct_id(&r.id),
                    object(vec![
                        ("logGroupName", string(g.name.as_str())),
                        ("retention", atom(retention(g.retention_days))),
                        (
                            "removalPolicy",
                            atom(if g.retain_on_delete {
                                "RemovalPolicy.RETAIN"
                            } else {
                                "RemovalPolicy.DESTROY"
                            }),
                        ),
                    ]),
                ),
            ),
            Kind::Role(role) => {
                let mut props = vec![
                    ("roleName", string(role.name.as_str())),
                    ("assumedBy", refs.principal(&role.trust)),
                ];
                if let Some(path) = &role.path {
                    props.push(("path", string(path.as_str())));
                }
                if !role.managed_policies.is_empty() {
                    props.push((
                        "managedPolicies",
                        Ts::Array(
                            role.managed_policies
                                .iter()
                                .enumerate()
                                .map(|(n, arn)| {
                                    managed_policy(format!("{}Policy{n}", construct_id(&r.id)), arn)
                                })
                                .collect(),
                        ),
                    ));
                }
                if let Some(b) = &role.permissions_boundary {
                    props.push((
                        "permissionsBoundary",
                        managed_policy(format!("{}Boundary", construct_id(&r.id)), b),
                    ));
                }
                declare(
                    out,
                    &r.id,
                    &construct!("iam.Role", construct_id(&r.id), object(props)),
                )
            }
            Kind::Policy(p) => {
                out.push_str("    // Exactly the plan's statements: the roles reach CDK's constructs without policy\n    // updates, so CDK's own (broader) grants are not added.\n");
                declare(
                    out,
                    &r.id,
                    &construct!(
                        "iam.Policy",
                        construct_id(&r.id),
                        object(vec![
                            ("policyName", string(p.name.as_str())),
                            ("roles", Ts::Array(vec![atom(var(&p.role))])),
                            if r.id.part == PlanPart::TaskRolePolicy {
                                // The spec's statements as the plan has them: CDK's policy
                                // minimization (the recommended flag) would merge and sort
                                // them, and the other targets write them as they are.
                                (
                                    "document",
                                    call(
                                        "new iam.PolicyDocument",
                                        vec![object(vec![
                                            ("minimize", atom("false")),
                                            (
                                                "statements",
                                                Ts::Array(
                                                    p.statements
                                                        .iter()
                                                        .map(|s| refs.statement(s))
                                                        .collect(),
                                                ),
                                            ),
                                        ])],
                                    ),
                                )
                            } else {
                                (
                                    "statements",
                                    Ts::Array(
                                        p.statements.iter().map(|s| refs.statement(s)).collect(),
                                    ),
                                )
                            },
                        ]),
                    ),
                )
            }
            Kind::TaskDefinition(def) => convert_definition(out, &r.id, def, &refs),
            Kind::Rule(rule) => convert_rule(out, &r.id, rule),
            Kind::Target(t) => convert_target(out, plan, group, r, t),
            Kind::Schedule(sc) => convert_schedule(out, r, sc, &refs),
            Kind::QueuePolicy(q) => convert_queue_policy(out, &r.id, q, &refs),
        }
    }
    for o in outputs {
        let value = refs.arn(&o.value);
        ts::write_statement(
            out,
            "",
            &construct!(
                "CfnOutput",
                pascal_id(&o.name),
                object(vec![
                    ("description", string(o.description.as_str())),
                    ("value", value),
                ]),
            ),
            2,
        );
    }
    if group.owner == Owner::Stack {
        for (k, v) in &plan.tags {
            ts::write_statement(
                out,
                "",
                &call(
                    "Tags.of(this).add",
                    vec![string(k.as_str()), string(v.as_str())],
                ),
                2,
            );
        }
        return;
    }
    // Tags of this group's resources beyond the construct's: tag by tag, then resource by
    // resource in the order CDK users write them (the definition's, then the roles', the rule).
    let rank = |p: PlanPart| match p {
        PlanPart::LogGroup => 0,
        PlanPart::TaskDefinition => 1,
        PlanPart::TaskRole => 2,
        PlanPart::ExecutionRole => 3,
        PlanPart::EventsRole => 4,
        _ => 5,
    };
    let mut taggable: Vec<&Resource> = group
        .resources
        .iter()
        .filter(|r| !r.tags.is_empty())
        .collect();
    taggable.sort_by_key(|r| rank(r.id.part));
    let own = |r: &Resource| -> Vec<(String, String)> {
        r.tags
            .iter()
            .filter(|(k, v)| plan.tags.get(*k) != Some(*v))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    };
    let mut keys: Vec<(String, String)> = taggable.iter().flat_map(|r| own(r)).collect();
    keys.sort();
    keys.dedup();
    for (k, v) in keys {
        for r in taggable
            .iter()
            .filter(|r| own(r).contains(&(k.clone(), v.clone())))
        {
            ts::write_statement(
                out,
                "",
                &call(
                    format!("Tags.of({}).add", var(&r.id)),
                    vec![string(k.as_str()), string(v.as_str())],
                ),
                2,
            );
        }
    }
}

/// An existing task definition, imported with the roles the spec names for it.
fn import_definition(
    out: &mut String,
    owner: &Owner,
    arn: &str,
    roles: &(Option<String>, Option<String>),
) {
    let mut attrs = vec![
        ("taskDefinitionArn", string(arn)),
        ("networkMode", atom("ecs.NetworkMode.AWS_VPC")),
    ];
    if let Some(r) = &roles.0 {
        attrs.push(("taskRole", import_role(import_id(owner, "TaskRole"), r)));
    }
    if let Some(r) = &roles.1 {
        attrs.push((
            "executionRole",
            import_role(import_id(owner, "ExecutionRole"), r),
        ));
    }
    declare(
        out,
        &Id::new(owner, PlanPart::TaskDefinition),
        &call(
            "ecs.FargateTaskDefinition.fromFargateTaskDefinitionAttributes",
            vec![
                atom("this"),
                string(import_id(owner, "TaskDefinition")),
                object(attrs),
            ],
        ),
    )
}

/// What of a rule L2 cannot say, so it is set on the L1 `CfnRule`: a pattern
/// `events.EventPattern` cannot type, and a bus named by ARN.
fn rule_l1(rule: &Rule) -> (Option<&Value>, Option<&String>) {
    match &rule.trigger {
        RuleTrigger::Pattern { pattern, bus } => (
            l2_pattern(pattern).is_none().then_some(pattern),
            bus.as_ref().filter(|b| b.starts_with("arn:")),
        ),
        RuleTrigger::Schedule { .. } => (None, None),
    }
}

/// `const xCfnRule = xRule.node.defaultChild as events.CfnRule;`
fn declare_cfn_rule(out: &mut String, rule: &Id) {
    out.push_str("    const ");
    push_var(out, rule);
    out.push_str("CfnRule = ");
    push_var(out, rule);
    out.push_str(".node.defaultChild as events.CfnRule;\n");
}

fn convert_rule(out: &mut String, id: &Id, rule: &Rule) {
    let cfn_rule = member(id, "CfnRule");
    let mut props = vec![("ruleName", string(rule.name.as_str()))];
    if let Some(d) = &rule.description {
        props.push(("description", text(d)));
    }
    match &rule.trigger {
        RuleTrigger::Pattern { pattern, bus } => {
            if let Some(p) = l2_pattern(pattern) {
                props.push(("eventPattern", p));
            }
            if let Some(bus) = bus {
                let import = if bus.starts_with("arn:") {
                    "events.EventBus.fromEventBusArn"
                } else {
                    "events.EventBus.fromEventBusName"
                };
                props.push((
                    "eventBus",
                    call(
                        import,
                        vec![
                            atom("this"),
                            string(import_id(&id.owner, "Bus")),
                            string(bus.as_str()),
                        ],
                    ),
                ));
            }
        }
        RuleTrigger::Schedule { expression } => props.push((
            "schedule",
            call(
                "events.Schedule.expression",
                vec![string(expression.as_str())],
            ),
        )),
    }
    props.push((
        "enabled",
        match &rule.enabled {
            ParamOr::Lit(on) => atom(on.to_string()),
            ParamOr::Param(r) => param(&r.param),
        },
    ));
    declare(
        out,
        id,
        &construct!("events.Rule", construct_id(id), object(props)),
    );
    let (raw_pattern, bus_arn) = rule_l1(rule);
    let mut declared = false;
    if let Some(pattern) = raw_pattern {
        out.push_str("    // The pattern uses fields or operators that events.EventPattern cannot type; set it on L1.\n");
        declare_cfn_rule(out, id);
        declared = true;
        ts::write_statement(
            out,
            &format!("{cfn_rule}.eventPattern = "),
            &json(pattern),
            2,
        );
    }
    if let Some(arn) = bus_arn {
        out.push_str(
            "    // L2 writes the bus name; the ARN keeps a cross-account bus addressable.\n",
        );
        if !declared {
            declare_cfn_rule(out, id);
        }
        ts::write_statement(
            out,
            &format!("{cfn_rule}.eventBusName = "),
            &string(arn.as_str()),
            2,
        );
    }
}

/// A schedule as `scheduler.CfnSchedule`. Not the L2 `scheduler.Schedule` with
/// `EcsRunFargateTask`: that target takes only a task definition created in the same app (not
/// an imported one), has no container overrides (aws/aws-cdk#34129) and needs `subnetType:
/// PUBLIC` for a public IP, so the L1 resource says what the plan says for every task alike.
fn convert_schedule<'a>(out: &mut String, r: &'a Resource, sc: &'a Schedule, refs: &Refs) {
    let t = &sc.target;
    let (definition_arn, role_arn) = (arn_of(&t.task_definition), arn_of(&t.role));
    let mut vpc = vec![(
        "assignPublicIp",
        string(if t.network.assign_public_ip {
            "ENABLED"
        } else {
            "DISABLED"
        }),
    )];
    let list = |v: &'a ParamOr<Vec<String>>| match v {
        ParamOr::Lit(items) => Ts::Array(items.iter().map(|i| string(i.as_str())).collect()),
        ParamOr::Param(p) => param(&p.param),
    };
    vpc.push(("subnets", list(&t.network.subnets)));
    match &t.network.security_groups {
        ParamOr::Lit(groups) if groups.is_empty() => {}
        ParamOr::Lit(_) => vpc.push(("securityGroups", list(&t.network.security_groups))),
        ParamOr::Param(p) => {
            let v = ts::param_name(&p.param);
            vpc.push((
                "securityGroups",
                atom(format!("params.{v}.length > 0 ? params.{v} : undefined")),
            ));
        }
    }
    let mut ecs = vec![
        ("taskDefinitionArn", refs.arn(&definition_arn)),
        ("taskCount", number(&t.count)),
    ];
    match t.run.launch_type() {
        Some(launch) => ecs.push(("launchType", string(launch))),
        None => ecs.push(("capacityProviderStrategy", strategy(t, false))),
    }
    ecs.push(("platformVersion", string(t.platform_version.as_str())));
    ecs.push((
        "networkConfiguration",
        object(vec![("awsvpcConfiguration", object(vpc))]),
    ));
    if t.run.enable_execute_command {
        ecs.push(("enableExecuteCommand", atom("true")));
    }
    if t.run.enable_ecs_managed_tags {
        ecs.push(("enableEcsManagedTags", atom("true")));
    }
    if let Some(g) = &t.run.group {
        ecs.push(("group", string(g.as_str())));
    }
    if t.propagate_tags {
        ecs.push(("propagateTags", string("TASK_DEFINITION")));
    }
    if !t.task_tags.is_empty() {
        ecs.push((
            "tags",
            Ts::Array(
                t.task_tags
                    .iter()
                    .map(|(k, v)| {
                        object(vec![
                            ("key", string(k.as_str())),
                            ("value", string(v.as_str())),
                        ])
                    })
                    .collect(),
            ),
        ));
    }
    let mut target = vec![
        ("arn", atom("cluster.clusterArn")),
        ("roleArn", refs.arn(&role_arn)),
        ("ecsParameters", object(ecs)),
    ];
    if let Some(input) = schedule_input(t) {
        target.push(("input", text(input)));
    }
    if let Some(retry) = &t.retry {
        let mut policy = Vec::new();
        if let Some(age) = retry.max_event_age {
            policy.push(("maximumEventAgeInSeconds", num(age)));
        }
        if let Some(a) = retry.attempts {
            policy.push(("maximumRetryAttempts", num(a)));
        }
        target.push(("retryPolicy", object(policy)));
    }
    if let Some(q) = &t.dead_letter_queue {
        target.push((
            "deadLetterConfig",
            object(vec![("arn", string(q.as_str()))]),
        ));
    }
    let mut props = vec![("name", text(&sc.name))];
    if let Some(g) = &sc.group {
        props.push(("groupName", text(g)));
    }
    if let Some(d) = &sc.description {
        props.push(("description", text(d)));
    }
    props.push(("scheduleExpression", text(&sc.expression)));
    props.push(("scheduleExpressionTimezone", text(&sc.timezone)));
    props.push((
        "flexibleTimeWindow",
        match sc.flexible_window {
            None => object(vec![("mode", string("OFF"))]),
            Some(m) => object(vec![
                ("mode", string("FLEXIBLE")),
                ("maximumWindowInMinutes", num(m)),
            ]),
        },
    ));
    if let Some(d) = &sc.start {
        props.push(("startDate", string(d.as_str())));
    }
    if let Some(d) = &sc.end {
        props.push(("endDate", string(d.as_str())));
    }
    props.push((
        "state",
        match &sc.enabled {
            ParamOr::Lit(on) => string(if *on { "ENABLED" } else { "DISABLED" }),
            ParamOr::Param(p) => atom(format!(
                "params.{} ? \"ENABLED\" : \"DISABLED\"",
                ts::param_name(&p.param)
            )),
        },
    ));
    props.push(("target", object(target)));
    declare(
        out,
        &r.id,
        &construct!("scheduler.CfnSchedule", construct_id(&r.id), object(props)),
    );
    for d in &r.depends_on {
        if d.part == PlanPart::EventsRolePolicy {
            out.push_str("    // The role's policy must exist before the first run.\n");
        }
        ts::write_statement(
            out,
            "",
            &call(member(&r.id, ".node.addDependency"), vec![atom(var(d))]),
            2,
        );
    }
}

/// A capacity provider strategy: camelCase for an L1 property, or CloudFormation's own names for
/// a property override.
fn strategy(t: &Target, cloudformation: bool) -> Ts<'_> {
    let [provider, weight, base] = if cloudformation {
        ["CapacityProvider", "Weight", "Base"]
    } else {
        ["capacityProvider", "weight", "base"]
    };
    Ts::Array(
        t.run
            .capacity_provider_strategy
            .iter()
            .map(|i| {
                let mut item = vec![
                    (provider, string(i.provider.name())),
                    (weight, num(i.weight)),
                ];
                if i.base > 0 {
                    item.push((base, num(i.base)));
                }
                object(item)
            })
            .collect(),
    )
}

fn convert_target(out: &mut String, plan: &Plan, group: &Group, r: &Resource, t: &Target) {
    let owner = &r.id.owner;
    let cfn_rule = member(&t.rule, "CfnRule");
    // The rule is in the target's own group (a plan-wide search per target would make the app
    // quadratic in its tasks).
    let rule_resource = group.resources.iter().find(|x| x.id == t.rule);
    let mut declared = rule_resource.is_some_and(|r| match &r.kind {
        Kind::Rule(rule) => {
            let (pattern, bus) = rule_l1(rule);
            pattern.is_some() || bus.is_some()
        }
        _ => false,
    });
    let mut declare_cfn_rule = |out: &mut String| {
        if !declared {
            self::declare_cfn_rule(out, &t.rule);
            declared = true;
        }
    };
    let task_definition = match &t.task_definition {
        Ref::Created { id } => var(id),
        Ref::Existing { .. } => var(&Id::new(owner, PlanPart::TaskDefinition)),
    };
    let mut target = vec![
        ("cluster", atom("cluster")),
        ("taskDefinition", atom(task_definition)),
        (
            "role",
            match &t.role {
                Ref::Created { id } => atom(member(id, ".withoutPolicyUpdates()")),
                existing => Refs.role(existing, owner, "EventsRole"),
            },
        ),
        ("taskCount", number(&t.count)),
        (
            "platformVersion",
            atom(platform_version(&t.platform_version)),
        ),
        (
            "subnetSelection",
            object(vec![(
                "subnets",
                imported_ids(&t.network.subnets, owner, "ec2.Subnet", "Subnet"),
            )]),
        ),
        (
            "securityGroups",
            imported_ids(
                &t.network.security_groups,
                owner,
                "ec2.SecurityGroup",
                "SecurityGroup",
            ),
        ),
    ];
    if t.propagate_tags {
        target.push((
            "propagateTags",
            atom("ecs.PropagatedTagSource.TASK_DEFINITION"),
        ));
    }
    if !t.task_tags.is_empty() {
        target.push((
            "tags",
            Ts::Array(
                t.task_tags
                    .iter()
                    .map(|(k, val)| {
                        object(vec![
                            ("key", string(k.as_str())),
                            ("value", string(val.as_str())),
                        ])
                    })
                    .collect(),
            ),
        ));
    }
    if t.run.enable_execute_command {
        target.push(("enableExecuteCommand", atom("true")));
    }
    if let Some(o) = container_overrides(t) {
        target.push(("containerOverrides", o));
    }
    if let Some(retry) = &t.retry {
        if let Some(a) = retry.attempts {
            target.push(("retryAttempts", num(a)));
        }
        if let Some(age) = retry.max_event_age {
            target.push(("maxEventAge", call("Duration.seconds", vec![num(age)])));
        }
    }
    if let Some(q) = &t.dead_letter_queue {
        target.push((
            "deadLetterQueue",
            call(
                "sqs.Queue.fromQueueArn",
                vec![
                    atom("this"),
                    string(import_id(owner, "DeadLetterQueue")),
                    string(q.as_str()),
                ],
            ),
        ));
    }
    ts::write_statement(
        out,
        "",
        &call(
            member(&t.rule, ".addTarget"),
            vec![call("new targets.EcsTask", vec![object(target)])],
        ),
        2,
    );
    for d in &r.depends_on {
        if d.part == PlanPart::EventsRolePolicy {
            out.push_str(
                "    // The events role's policy must exist before the first event is delivered.\n",
            );
        }
        ts::write_statement(
            out,
            "",
            &call(member(&t.rule, ".node.addDependency"), vec![atom(var(d))]),
            2,
        );
    }
    // EcsTask always writes a launch type and has no strategy, managed tags or group: the rule
    // says them itself.
    let ecs = "Targets.0.EcsParameters";
    if t.run.launch_type().is_none() {
        out.push_str("    // A capacity provider strategy instead of EcsTask's launch type (they exclude each other).\n");
        declare_cfn_rule(out);
        ts::write_statement(
            out,
            "",
            &call(
                format!("{cfn_rule}.addPropertyDeletionOverride"),
                vec![string(format!("{ecs}.LaunchType"))],
            ),
            2,
        );
        ts::write_statement(
            out,
            "",
            &call(
                format!("{cfn_rule}.addPropertyOverride"),
                vec![
                    string(format!("{ecs}.CapacityProviderStrategy")),
                    strategy(t, true),
                ],
            ),
            2,
        );
    }
    let extra = [
        (
            "EnableECSManagedTags",
            t.run.enable_ecs_managed_tags.then(|| atom("true")),
        ),
        ("Group", t.run.group.clone().map(string)),
    ];
    if extra.iter().any(|(_, v)| v.is_some()) {
        out.push_str(
            "    // EcsTask has no ECS managed tags or task group: the rule sets them itself.\n",
        );
    }
    for (property, value) in extra {
        if let Some(value) = value {
            declare_cfn_rule(out);
            ts::write_statement(
                out,
                "",
                &call(
                    format!("{cfn_rule}.addPropertyOverride"),
                    vec![string(format!("{ecs}.{property}")), value],
                ),
                2,
            );
        }
    }
    if t.network.assign_public_ip {
        out.push_str("    // EcsTask only assigns public IPs with subnetType PUBLIC; the subnets here are explicit.\n");
        declare_cfn_rule(out);
        out.push_str(&format!(
            "    {cfn_rule}.addPropertyOverride(\n      \"Targets.0.EcsParameters.NetworkConfiguration.AwsVpcConfiguration.AssignPublicIp\",\n      \"ENABLED\",\n    );\n"
        ));
    }
    // The input as the plan built it, where CDK's own rendering cannot say the same thing.
    // EcsTask names a container's memory `memoryLimit`, which RunTask does not know (ECS's
    // field is `memory`), and renders sizes from the event unquoted: with size overrides the
    // app passes none of them to EcsTask and writes the plan's input instead.
    let sizes = t.overrides.sizes().iter().any(|(_, v)| v.is_some());
    let size_why = "    // Run sizes as RunTask takes them (EcsTask would send a container's memory as\n    // `memoryLimit`): the input as tfc builds it.\n";
    let input_override = match &t.input {
        TargetInput::Transformer {
            input_paths,
            input_template,
        } => {
            let quoted = input_paths
                .keys()
                .any(|k| input_template.contains(&format!("\"<{k}>\"")));
            (!sizes && (quoted || input_template.contains("${"))).then(|| {
                let why = if quoted {
                    "    // EventField renders a placeholder unquoted; the trigger's pattern shows a number or\n    // boolean there, which ECS only accepts as a string, so the template quotes it.\n"
                } else {
                    "    // A literal holds `${`: the template is spelled with Fn.sub, as every such string.\n"
                };
                (why, "Targets.0.InputTransformer.InputTemplate", input_template)
            })
        }
        TargetInput::Static { input } => (!sizes && input.contains("${")).then_some((
            "    // A literal holds `${`: the input is spelled with Fn.sub, as every such string.\n",
            "Targets.0.Input",
            input,
        )),
    };
    if sizes {
        out.push_str(size_why);
        declare_cfn_rule(out);
        let set = |out: &mut String, property: &str, value: Ts| {
            ts::write_statement(
                out,
                "",
                &call(
                    format!("{cfn_rule}.addPropertyOverride"),
                    vec![string(property), value],
                ),
                2,
            )
        };
        let delete = |out: &mut String, property: &str| {
            ts::write_statement(
                out,
                "",
                &call(
                    format!("{cfn_rule}.addPropertyDeletionOverride"),
                    vec![string(property)],
                ),
                2,
            )
        };
        match &t.input {
            TargetInput::Transformer {
                input_paths,
                input_template,
            } => {
                delete(out, "Targets.0.Input");
                set(
                    out,
                    "Targets.0.InputTransformer",
                    object(vec![
                        (
                            "InputPathsMap",
                            Ts::Object(
                                input_paths
                                    .iter()
                                    .map(|(k, v)| (k.as_str(), string(v.as_str())))
                                    .collect(),
                            ),
                        ),
                        ("InputTemplate", text(input_template)),
                    ]),
                );
            }
            TargetInput::Static { input } => {
                delete(out, "Targets.0.InputTransformer");
                set(out, "Targets.0.Input", text(input));
            }
        }
    }
    if let Some((why, property, value)) = input_override {
        out.push_str(why);
        declare_cfn_rule(out);
        ts::write_statement(
            out,
            "",
            &call(
                format!("{cfn_rule}.addPropertyOverride"),
                vec![string(property), text(value)],
            ),
            2,
        );
    }
    let may_be_empty = match &t.network.security_groups {
        ParamOr::Lit(groups) => groups.is_empty().then(String::new),
        ParamOr::Param(r) => plan
            .parameters
            .iter()
            .find(|p| p.name == r.param)
            .filter(|p| p.may_be_empty())
            .map(|p| format!("params.{}", ts::param_name(&p.name))),
    };
    if let Some(list) = may_be_empty {
        out.push_str("    // Without security groups EcsTask would create one; the spec means the VPC's default\n    // group, which EventBridge uses when the list is left out (as the other targets do).\n");
        declare_cfn_rule(out);
        let property =
            "\"Targets.0.EcsParameters.NetworkConfiguration.AwsVpcConfiguration.SecurityGroups\"";
        if list.is_empty() {
            out.push_str(&format!(
                "    {cfn_rule}.addPropertyDeletionOverride(\n      {property},\n    );\n"
            ));
        } else {
            out.push_str(&format!(
                "    if ({list}.length === 0) {{\n      {cfn_rule}.addPropertyDeletionOverride(\n        {property},\n      );\n    }}\n"
            ));
        }
    }
}

/// The names of aws-cdk-lib's root the generated code may use, imported when mentioned (`Aws.`,
/// `Tags(`).
const CORE: [&str; 8] = [
    "Annotations",
    "Aws",
    "CfnCondition",
    "CfnOutput",
    "Duration",
    "Fn",
    "RemovalPolicy",
    "Tags",
];

/// The aws-cdk-lib modules the generated code may use, imported as `* as m` when mentioned
/// (`ecs.`).
const MODULES: [&str; 8] = [
    "ec2",
    "ecs",
    "events",
    "iam",
    "logs",
    "secretsmanager",
    "sqs",
    "ssm",
];

/// What the generated code mentions, for its imports: the text `Name.` or `Name(` anywhere in
/// it (comments and string literals included). Read piece by piece as the code is written,
/// with the same answers as for the pieces joined into one text.
/// A text [`Mentions`] looks for.
struct Pending {
    text: String,
    /// Its last two bytes, to rule it out at a glance.
    end: [u8; 2],
    /// Its name's index.
    name: usize,
}

impl Pending {
    fn new(text: String, name: usize) -> Pending {
        let end = match text.as_bytes() {
            [.., a, b] => [*a, *b],
            _ => [0, 0],
        };
        Pending { text, end, name }
    }
}

struct Mentions {
    /// Each name, and whether the code mentions it.
    names: Vec<(&'static str, bool)>,
    /// The texts still looked for (those of names not yet seen), each with its name.
    pending: Vec<Pending>,
    /// The last two bytes of the texts still looked for, as a set: bit `prev` of the half for
    /// `.` or for `(`.
    ends: [u128; 4],
    /// The bytes a mention can span at a seam between pieces: one less than the longest.
    carry: usize,
    /// The first and last `carry` bytes of the text read so far.
    head: Vec<u8>,
    tail: Vec<u8>,
}

impl Mentions {
    fn new() -> Mentions {
        let mut names = Vec::new();
        let mut pending = Vec::new();
        for n in CORE {
            pending.push(Pending::new(format!("{n}."), names.len()));
            pending.push(Pending::new(format!("{n}("), names.len()));
            names.push((n, false));
        }
        for m in MODULES.iter().chain(&["targets", "new scheduler"]) {
            pending.push(Pending::new(format!("{m}."), names.len()));
            names.push((m, false));
        }
        let carry = pending.iter().map(|p| p.text.len()).max().unwrap_or(1) - 1;
        let mut mentions = Mentions {
            names,
            pending,
            ends: [0; 4],
            carry,
            head: Vec::new(),
            tail: Vec::new(),
        };
        mentions.refresh();
        mentions
    }

    /// Where in [`Mentions::ends`] the bit for two last bytes is, if a text can end so.
    fn end_bit([prev, last]: [u8; 2]) -> Option<(usize, u32)> {
        let half = match last {
            b'.' => 0,
            b'(' => 2,
            _ => return None,
        };
        Some((half + usize::from(prev >> 7), u32::from(prev & 127)))
    }

    /// Recomputes [`Mentions::ends`] from the texts still looked for.
    fn refresh(&mut self) {
        self.ends = [0; 4];
        for p in &self.pending {
            if let Some((word, bit)) = Mentions::end_bit(p.end) {
                self.ends[word] |= 1 << bit;
            }
        }
    }

    /// Reads the next piece of the code.
    fn scan(&mut self, text: &str) {
        let bytes = text.as_bytes();
        let start = &bytes[..bytes.len().min(self.carry)];
        let seam: Vec<u8> = self.tail.iter().chain(start).copied().collect();
        self.look(&seam);
        self.look(bytes);
        self.extend(bytes);
    }

    /// Marks what `bytes` mention. Every mention ends in `.` or `(`, which are rare (one byte
    /// in fifty): those are found eight bytes at a time, and only there are names compared.
    fn look(&mut self, bytes: &[u8]) {
        const ONES: u64 = 0x0101_0101_0101_0101;
        const HIGH: u64 = 0x8080_8080_8080_8080;
        const DOTS: u64 = ONES * b'.' as u64;
        const PARENS: u64 = ONES * b'(' as u64;
        // The high bit of each `.` or `(` in a word (and maybe of a byte after one: those are
        // checked).
        let ends = |word: &[u8]| {
            let mut w = [0u8; 8];
            w.copy_from_slice(word);
            let x = u64::from_le_bytes(w);
            let zeros = |v: u64| v.wrapping_sub(ONES) & !v & HIGH;
            zeros(x ^ DOTS) | zeros(x ^ PARENS)
        };
        if self.pending.is_empty() {
            return;
        }
        let pairs = bytes.chunks_exact(16);
        let rest = bytes.len() - pairs.remainder().len();
        for (at, pair) in (0..).step_by(16).zip(pairs) {
            let (low, high) = pair.split_at(8);
            let found = [(at, ends(low)), (at + 8, ends(high))];
            if found[0].1 | found[1].1 == 0 {
                continue;
            }
            for (at, mut ends) in found {
                while ends != 0 {
                    self.look_at(bytes, at + (ends.trailing_zeros() / 8) as usize);
                    if self.pending.is_empty() {
                        return;
                    }
                    ends &= ends - 1;
                }
            }
        }
        for end in rest..bytes.len() {
            self.look_at(bytes, end);
        }
    }

    /// Marks a mention ending at `end`, if there is one.
    #[inline]
    fn look_at(&mut self, bytes: &[u8], end: usize) {
        let (Some(&prev), Some(&last)) = (bytes.get(end.wrapping_sub(1)), bytes.get(end)) else {
            return;
        };
        match Mentions::end_bit([prev, last]) {
            Some((word, bit)) if self.ends[word] >> bit & 1 == 1 => self.look_for(&bytes[..=end]),
            _ => {}
        }
    }

    /// Marks the mention `before` ends with, if any (its last two bytes may end one).
    #[inline(never)]
    fn look_for(&mut self, before: &[u8]) {
        let two = match before {
            [.., a, b] => [*a, *b],
            _ => return,
        };
        let found = self
            .pending
            .iter()
            .find(|p| p.end == two && before.ends_with(p.text.as_bytes()));
        if let Some(&Pending { name, .. }) = found {
            self.names[name].1 = true;
            self.pending.retain(|p| p.name != name);
            self.refresh();
        }
    }

    /// Adds what `next` read, as if its text followed this one's.
    fn join(&mut self, next: &Mentions) {
        let seam: Vec<u8> = self.tail.iter().chain(&next.head).copied().collect();
        self.look(&seam);
        self.assume(next);
        // `next.head` and `next.tail` are all of its text when it is short.
        let (head, tail) = (next.head.clone(), next.tail.clone());
        self.extend(&head);
        if next.head.len() >= self.carry {
            self.tail = tail;
        }
    }

    /// Counts what `other` saw as seen: the answers are for this text and `other`'s together.
    fn assume(&mut self, other: &Mentions) {
        for ((_, seen), (_, other_seen)) in self.names.iter_mut().zip(&other.names) {
            *seen = *seen || *other_seen;
        }
        let names = &self.names;
        self.pending.retain(|p| !names[p.name].1);
        self.refresh();
    }

    /// Moves the head and tail on by `bytes`.
    fn extend(&mut self, bytes: &[u8]) {
        if self.head.len() < self.carry {
            let more = (self.carry - self.head.len()).min(bytes.len());
            self.head.extend_from_slice(&bytes[..more]);
        }
        self.tail
            .extend_from_slice(&bytes[bytes.len().saturating_sub(self.carry)..]);
        let excess = self.tail.len().saturating_sub(self.carry);
        self.tail.drain(..excess);
    }

    /// Whether the code mentions `name` (one of those looked for).
    fn has(&self, name: &str) -> bool {
        self.names.iter().any(|(n, seen)| *seen && *n == name)
    }
}

/// The import lines the generated code needs (modules it mentions).
fn imports(code: &Mentions) -> Vec<String> {
    let mut core: Vec<&str> = CORE.into_iter().filter(|n| code.has(n)).collect();
    core.sort_unstable();
    let mut out = Vec::new();
    if !core.is_empty() {
        let line = format!("import {{ {} }} from \"aws-cdk-lib\";", core.join(", "));
        out.push(if line.len() <= ts::WIDTH {
            line
        } else {
            format!(
                "import {{\n{}}} from \"aws-cdk-lib\";",
                core.iter().map(|n| format!("  {n},\n")).collect::<String>()
            )
        });
    }
    for m in MODULES {
        if code.has(m) {
            out.push(format!("import * as {m} from \"aws-cdk-lib/aws-{m}\";"));
        }
        if m == "events" && code.has("targets") {
            out.push("import * as targets from \"aws-cdk-lib/aws-events-targets\";".into());
        }
        // After `logs`, in order; `scheduler.` alone also starts the Scheduler principal's name.
        if m == "logs" && code.has("new scheduler") {
            out.push("import * as scheduler from \"aws-cdk-lib/aws-scheduler\";".into());
        }
    }
    out.push("import { Construct } from \"constructs\";".into());
    out
}

/// The pattern as `events.EventPattern` (top-level fields typed `string[]` except `detail`), or
/// `None` when it needs the raw L1 property.
fn l2_pattern(pattern: &Value) -> Option<Ts<'_>> {
    let map = pattern.as_object()?;
    let mut fields = Vec::new();
    for (k, v) in map {
        let name = match k.as_str() {
            "detail" => {
                fields.push(("detail", json(v)));
                continue;
            }
            "detail-type" => "detailType",
            "source" | "account" | "region" | "resources" | "version" | "id" | "time" => k.as_str(),
            _ => return None,
        };
        let all_strings = v.as_array().is_some_and(|a| a.iter().all(Value::is_string));
        if !all_strings {
            return None;
        }
        fields.push((name, json(v)));
    }
    Some(Ts::Object(fields))
}

fn override_value(v: &OverrideValue) -> Ts<'_> {
    match v {
        OverrideValue::Literal(s) => string(s.as_str()),
        OverrideValue::From(f) => call("events.EventField.fromPath", vec![string(f.from.as_str())]),
    }
}

fn container_overrides(t: &Target) -> Option<Ts<'_>> {
    let o = &t.overrides;
    let mut fields = vec![("containerName", string(t.container.as_str()))];
    match &o.command {
        // CDK types `command` as string[]; a whole array from the event is one field, which CDK
        // renders unquoted (`"command":<detail-argv>`), exactly the template tfc builds.
        Some(CommandOverride::From(f)) => fields.push((
            "command",
            Ts::Cast(
                Box::new(call(
                    "events.EventField.fromPath",
                    vec![string(f.from.as_str())],
                )),
                "string[]".into(),
            ),
        )),
        Some(CommandOverride::List(items)) => fields.push((
            "command",
            Ts::Array(items.iter().map(override_value).collect()),
        )),
        None => {}
    }
    if !o.environment.is_empty() {
        fields.push((
            "environment",
            Ts::Array(
                o.environment
                    .iter()
                    .map(|(k, v)| {
                        object(vec![
                            ("name", string(k.as_str())),
                            ("value", override_value(v)),
                        ])
                    })
                    .collect(),
            ),
        ));
    }
    (fields.len() > 1).then(|| Ts::Array(vec![object(fields)]))
}

fn convert_definition(out: &mut String, id: &Id, def: &TaskDefinition, refs: &Refs) {
    let c = &def.container;
    let p = match &id.owner {
        Owner::Task(t) | Owner::Queue(t) => pascal_id(t),
        Owner::Stack => String::new(),
    };
    let task_role = refs.role(&def.task_role, &id.owner, "TaskRole");
    // A created execution role has exactly its policy's statements; CDK's own grants (logs,
    // secrets) would add more, so the definition gets it without policy updates.
    let execution_role = match &def.execution_role {
        Ref::Created { id } => atom(member(id, ".withoutPolicyUpdates()")),
        existing => refs.role(existing, &id.owner, "ExecutionRole"),
    };
    let mut props = vec![
        ("family", string(def.family.as_str())),
        ("cpu", number(&def.cpu)),
        ("memoryLimitMiB", number(&def.memory)),
        ("taskRole", task_role),
        ("executionRole", execution_role),
    ];
    if let Some(gib) = def.ephemeral_storage {
        props.push(("ephemeralStorageGiB", num(gib)));
    }
    if !def.volumes.is_empty() {
        props.push((
            "volumes",
            Ts::Array(
                def.volumes
                    .iter()
                    .map(|v| object(vec![("name", string(v.as_str()))]))
                    .collect(),
            ),
        ));
    }
    if def.architecture == Architecture::Arm64 {
        props.push((
            "runtimePlatform",
            object(vec![
                ("cpuArchitecture", atom("ecs.CpuArchitecture.ARM64")),
                (
                    "operatingSystemFamily",
                    atom("ecs.OperatingSystemFamily.LINUX"),
                ),
            ]),
        ));
    }
    declare(
        out,
        id,
        &construct!("ecs.FargateTaskDefinition", construct_id(id), object(props)),
    );

    let mut container = vec![
        ("containerName", string(c.name.as_str())),
        (
            "image",
            call(
                "ecs.ContainerImage.fromRegistry",
                vec![string(c.image.as_str())],
            ),
        ),
        ("essential", atom("true")),
    ];
    if let Some(ep) = &c.entry_point {
        container.push(("entryPoint", strings(ep)));
    }
    if let Some(cmd) = &c.command {
        container.push(("command", strings(cmd)));
    }
    if !c.environment.is_empty() {
        container.push((
            "environment",
            Ts::Object(
                c.environment
                    .iter()
                    .map(|(k, val)| (k.as_str(), text(val)))
                    .collect(),
            ),
        ));
    }
    if !c.secrets.is_empty() {
        let secrets = c
            .secrets
            .iter()
            .map(|s| {
                let id = format!(
                    "{p}Secret{}",
                    pascal(&s.name.to_ascii_lowercase().replace('_', "-"))
                );
                let value = match s.source {
                    SecretSource::SecretsManager => {
                        // ECS's `:json-key:version-stage:version-id` suffix, if any.
                        let suffix: Vec<&str> = s
                            .value_from
                            .strip_prefix(&s.resource_arn)
                            .and_then(|rest| rest.strip_prefix(':'))
                            .map(|rest| rest.splitn(3, ':').collect())
                            .unwrap_or_default();
                        let part = |i: usize| suffix.get(i).copied().filter(|x| !x.is_empty());
                        let import = match s.arn_form {
                            Some(SecretArnForm::Partial) => "fromSecretPartialArn",
                            _ => "fromSecretCompleteArn",
                        };
                        let secret = call(
                            format!("secretsmanager.Secret.{import}"),
                            vec![atom("this"), string(id), string(s.resource_arn.as_str())],
                        );
                        let mut version = Vec::new();
                        if let Some(stage) = part(1) {
                            version.push(("versionStage", string(stage)));
                        }
                        if let Some(vid) = part(2) {
                            version.push(("versionId", string(vid)));
                        }
                        if version.is_empty() {
                            let mut args = vec![secret];
                            if let Some(f) = part(0) {
                                args.push(string(f));
                            }
                            call("ecs.Secret.fromSecretsManager", args)
                        } else {
                            let mut args = vec![secret, object(version)];
                            if let Some(f) = part(0) {
                                args.push(string(f));
                            }
                            call("ecs.Secret.fromSecretsManagerVersion", args)
                        }
                    }
                    SecretSource::SsmParameter => call(
                        "ecs.Secret.fromSsmParameter",
                        vec![call(
                            "ssm.StringParameter.fromStringParameterArn",
                            vec![atom("this"), string(id), string(s.value_from.as_str())],
                        )],
                    ),
                };
                (s.name.as_str(), value)
            })
            .collect();
        container.push(("secrets", Ts::Object(secrets)));
    }
    container.push((
        "logging",
        call(
            "ecs.LogDrivers.awsLogs",
            vec![object(vec![
                ("logGroup", atom(var(&c.log_group))),
                ("streamPrefix", text(&c.stream_prefix)),
            ])],
        ),
    ));
    if c.read_only_root_filesystem {
        container.push(("readonlyRootFilesystem", atom("true")));
    }
    if let Some(t) = c.stop_timeout {
        container.push(("stopTimeout", call("Duration.seconds", vec![num(t)])));
    }
    if let Some(u) = &c.user {
        container.push(("user", text(u)));
    }
    let add = call(
        member(id, ".addContainer"),
        vec![string(c.name.as_str()), object(container)],
    );
    if c.mount_points.is_empty() {
        ts::write_statement(out, "", &add, 2);
        return;
    }
    let v = member(id, "Container");
    ts::write_statement(out, &format!("const {v} = "), &add, 2);
    let mounts = c
        .mount_points
        .iter()
        .map(|(volume, path)| {
            object(vec![
                ("sourceVolume", string(volume.as_str())),
                ("containerPath", text(path)),
                ("readOnly", atom("false")),
            ])
        })
        .collect();
    ts::write_statement(out, "", &call(format!("{v}.addMountPoints"), mounts), 2);
}

/// The queue policy CDK adds for queues it owns, here for an imported queue: one per queue with
/// a statement per rule, and only when the stack deploys into the queue's account (an L1
/// condition).
fn convert_queue_policy(out: &mut String, id: &Id, queue: &QueuePolicy, refs: &Refs) {
    let q = match &id.owner {
        Owner::Queue(q) | Owner::Task(q) => pascal_id(q),
        Owner::Stack => String::new(),
    };
    // A JavaScript name (queue names may start with a digit).
    let v = format!("deadLetter{q}");
    out.push_str("    // A queue policy can only be attached in the queue's own account.\n");
    ts::write_statement(
        out,
        &format!("const {v}QueueInStackAccount = "),
        &construct!(
            "CfnCondition",
            format!("{q}QueueInStackAccount"),
            object(vec![(
                "expression",
                call(
                    "Fn.conditionEquals",
                    vec![
                        atom("Aws.ACCOUNT_ID"),
                        string(queue.only_in_account.as_str()),
                    ],
                ),
            )]),
        ),
        2,
    );
    let statements = queue.statements.iter().map(|s| refs.statement(s)).collect();
    ts::write_statement(
        out,
        &format!("const {v}QueuePolicy = "),
        &call(
            "new sqs.CfnQueuePolicy",
            vec![
                atom("this"),
                string(format!("{q}QueuePolicy")),
                object(vec![
                    (
                        "queues",
                        Ts::Array(vec![Ts::Template(vec![
                            Part::Lit(format!("https://sqs.{}.", queue.region).into()),
                            Part::Code("Aws.URL_SUFFIX"),
                            Part::Lit(format!("/{}/{}", queue.account, queue.queue_name).into()),
                        ])]),
                    ),
                    (
                        "policyDocument",
                        call(
                            "new iam.PolicyDocument",
                            vec![object(vec![("statements", Ts::Array(statements))])],
                        ),
                    ),
                ]),
            ],
        ),
        2,
    );
    ts::write_statement(
        out,
        &format!("{v}QueuePolicy.cfnOptions.condition = "),
        &atom(format!("{v}QueueInStackAccount")),
        2,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_resolves() {
        let env = super::super::environment(&TEMPLATES).expect("templates compile");
        for (name, _) in TEMPLATES {
            assert!(env.get_template(name).is_ok(), "{name}");
        }
    }

    #[test]
    fn identifiers_are_the_plan_names_cased() {
        for s in [
            "nightly-report",
            "a--b__c",
            "-x-",
            "",
            "2fast",
            "ünï-cödé-9",
            "already_Pascal.Case",
            "with space",
        ] {
            let mut p = String::new();
            push_pascal(&mut p, s);
            assert_eq!(p, pascal(s), "{s:?}");
            assert_eq!(pascal_id(s), pascal(s), "{s:?}");
        }
        for owner in [
            Owner::Stack,
            Owner::Task("nightly-report".into()),
            Owner::Task("ünï_x".into()),
            Owner::Queue("9-dlq".into()),
        ] {
            for part in [
                PlanPart::Cluster,
                PlanPart::CapacityProviders,
                PlanPart::LogGroup,
                PlanPart::TaskRole,
                PlanPart::TaskRolePolicy,
                PlanPart::ExecutionRole,
                PlanPart::ExecutionRolePolicy,
                PlanPart::TaskDefinition,
                PlanPart::EventsRole,
                PlanPart::EventsRolePolicy,
                PlanPart::Rule,
                PlanPart::Target,
                PlanPart::Schedule,
                PlanPart::QueuePolicy,
            ] {
                assert_eq!(part_pascal(part), pascal(part.name()));
                let id = Id::new(&owner, part);
                let expected = match &owner {
                    Owner::Queue(q) => format!("deadLetter{}QueuePolicy", pascal(q)),
                    _ => {
                        let p = pascal(&id.name());
                        let mut cs = p.chars();
                        match cs.next() {
                            Some(f) => f.to_ascii_lowercase().to_string() + cs.as_str(),
                            None => p,
                        }
                    }
                };
                assert_eq!(var(&id), expected);
                assert_eq!(member(&id, ".ruleArn"), format!("{expected}.ruleArn"));
                assert_eq!(construct_id(&id), pascal(&id.name()));
            }
            let expected = match &owner {
                Owner::Stack => "Subnet0".to_string(),
                Owner::Task(t) | Owner::Queue(t) => format!("{}Subnet0", pascal(t)),
            };
            assert_eq!(import_id(&owner, "Subnet0"), expected);
        }
    }

    /// Every name looked for, as the whole text answers: `contains` on the joined pieces.
    fn mentioned(code: &str) -> Vec<&'static str> {
        let all = Mentions::new();
        all.names
            .iter()
            .enumerate()
            .filter(|(i, _)| {
                all.pending
                    .iter()
                    .any(|p| p.name == *i && code.contains(p.text.as_str()))
            })
            .map(|(_, (n, _))| *n)
            .collect()
    }

    fn names(m: &Mentions) -> Vec<&'static str> {
        m.names
            .iter()
            .filter(|(_, seen)| *seen)
            .map(|(n, _)| *n)
            .collect()
    }

    #[test]
    fn mentions_across_pieces_are_those_of_the_joined_text() {
        let code = "x.Aws(1); // new scheduler.Foo é secretsmanager.y\nTags.of(sqs.q) Fn";
        let expected = mentioned(code);
        assert_eq!(
            expected,
            ["Aws", "Tags", "secretsmanager", "sqs", "new scheduler"]
        );
        // Cut anywhere (on bytes of the text, as pieces of generated code are cut on lines).
        let cuts: Vec<usize> = (0..=code.len())
            .filter(|&i| code.is_char_boundary(i))
            .collect();
        for &i in &cuts {
            for &j in cuts.iter().filter(|&&j| j >= i) {
                let mut m = Mentions::new();
                for piece in [&code[..i], &code[i..j], &code[j..]] {
                    m.scan(piece);
                }
                assert_eq!(names(&m), expected, "cut at {i}, {j}");
                // The first piece read apart and joined in front, as the shared code is.
                let mut first = Mentions::new();
                first.scan(&code[..i]);
                let mut rest = Mentions::new();
                rest.scan(&code[i..j]);
                rest.scan(&code[j..]);
                first.join(&rest);
                assert_eq!(names(&first), expected, "join at {i}, {j}");
            }
        }
        // One character at a time.
        let mut m = Mentions::new();
        for (i, c) in code.char_indices() {
            m.scan(&code[i..i + c.len_utf8()]);
        }
        assert_eq!(names(&m), expected);
        assert!(names(&Mentions::new()).is_empty());
    }

    #[test]
    fn mentions_at_every_alignment() {
        let all = Mentions::new();
        for p in &all.pending {
            for pad in 0..17 {
                // Decoys around it: the name without its ending, a `.` after a control byte.
                let code = format!(
                    "{}\u{1}.é{}{} {}",
                    "x".repeat(pad),
                    &p.text[..p.text.len() - 1],
                    p.text,
                    "y".repeat(pad % 5)
                );
                let mut m = Mentions::new();
                m.scan(&code);
                assert_eq!(names(&m), mentioned(&code), "{code:?}");
                assert!(m.has(all.names[p.name].0), "{code:?}");
                let decoy = code.replace(p.text.as_str(), "-");
                let mut m = Mentions::new();
                m.scan(&decoy);
                assert_eq!(names(&m), mentioned(&decoy), "{decoy:?}");
            }
        }
    }

    #[test]
    fn blocks_hold_each_text_whole() {
        let texts: Vec<String> = (0..200)
            .map(|i| format!("{i}é").repeat(1 + (i * 37) % 900))
            .chain([
                "x".repeat(Blocks::SIZE + 1),
                String::new(),
                "y".repeat(Blocks::SIZE),
            ])
            .collect();
        let mut blocks = Blocks::default();
        let kept: Vec<_> = texts
            .iter()
            .map(|t| {
                // Room for less than some texts need: their blocks grow.
                let (block, buffer) = blocks.next(900);
                let start = buffer.len();
                buffer.push_str(t);
                (block, start..buffer.len())
            })
            .collect();
        let shared = blocks.into_shared();
        for (text, (block, range)) in texts.iter().zip(kept) {
            assert_eq!(&shared[block][range], text.as_str());
        }
        assert!(shared.len() < 20, "{} blocks", shared.len());
    }

    #[test]
    fn identifiers() {
        let rule = Id::new(&Owner::Task("nightly-report".into()), PlanPart::Rule);
        assert_eq!(var(&rule), "nightlyReportRule");
        assert_eq!(retention(Some(30)), "logs.RetentionDays.ONE_MONTH");
        assert_eq!(retention(None), "logs.RetentionDays.INFINITE");
    }
}
