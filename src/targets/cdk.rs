//! CDK (TypeScript, aws-cdk-lib v2): a construct class built from L2 constructs
//! (`ecs.FargateTaskDefinition`, `events.Rule`, `targets.EcsTask` with `containerOverrides` and
//! `events.EventField.fromPath`), like the seed's hand-written app, and with `-o DIR` a complete
//! app in the layout `cdk init app --language typescript` creates.
//!
//! Where L2 cannot say what the deployment needs, the generated code uses a documented escape
//! hatch and says why in a comment:
//! - roles are created explicitly with exactly the statements of `model::iam` and handed to CDK
//!   through `withoutPolicyUpdates()`, so CDK's own broader grants are not added;
//! - `targets.EcsTask` reads subnets through `cluster.vpc`, and the spec has subnets but no VPC:
//!   an imported placeholder VPC satisfies the type while the subnets are passed explicitly (its
//!   id never reaches the template);
//! - `assignPublicIp`, raw event patterns, bus ARNs and the dead-letter-queue policy's account
//!   condition are set on the L1 resources.
//!
//! Statements are built with the [`ts`] printer, whose output is prettier-clean.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use super::ts::{self, atom, call, object, string, Part, Ts};
use super::{environment, generated_by, pascal, Backend, Format, Layout, OutputFile, RenderError};
use crate::model::iam::{self, Res, RoleUse, Statement};
use crate::model::{
    Cluster, CreatedDefinition, DeadLetterQueue, Definition, Model, Role, SecretArnForm,
    SecretSource, TaskModel, Trigger,
};
use crate::spec::{CommandOverride, OverrideValue};

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

/// A task's statements under a comment.
#[derive(Debug, Serialize)]
struct TaskGroup {
    comment: String,
    code: String,
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
    versions: BTreeMap<&'static str, &'static str>,
    /// The `context` of cdk.json: the feature flags `cdk init` writes, as pretty JSON.
    feature_flags: String,
}

/// The feature flags aws-cdk-lib recommends for new apps (its `recommended-feature-flags.json`,
/// which `cdk init` writes into cdk.json), for the pinned [`AWS_CDK_LIB`]; a test keeps the copy
/// equal to the package's. One more is set: `@aws-cdk/core:validateAgainstDefaultRules` (in the
/// list too) makes CDK's template validation fail the synth instead of warning.
const FEATURE_FLAGS: &str = include_str!("../../templates/cdk/feature-flags.json");

/// The feature flags as cdk.json's `context` value, indented to sit under its key.
fn feature_flags() -> String {
    let flags: serde_json::Value = serde_json::from_str(FEATURE_FLAGS).unwrap_or_default();
    serde_json::to_string_pretty(&flags)
        .unwrap_or_else(|_| "{}".into())
        .replace('\n', "\n  ")
}

impl Backend for Cdk {
    fn render(
        &self,
        model: &Model,
        layout: Layout,
        _format: Format,
    ) -> Result<Vec<OutputFile>, RenderError> {
        let view = convert_model(model);
        let mut env = environment(&TEMPLATES)?;
        env.add_filter("ts_string", |s: String| ts::quote(&s));
        env.add_filter("json_string", |s: String| {
            serde_json::to_string(&s).unwrap_or_default()
        });
        let render = |name: &str| -> Result<String, RenderError> {
            Ok(env
                .get_template(name)?
                .render(minijinja::context! { view => &view })?)
        };
        let name = &model.name;
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

/// camelCase of a task id, for variables (`nightly-report` → `nightlyReport`).
fn camel(id: &str) -> String {
    let p = pascal(id);
    let mut cs = p.chars();
    match cs.next() {
        Some(f) => f.to_ascii_lowercase().to_string() + cs.as_str(),
        None => p,
    }
}

fn num(n: impl std::fmt::Display) -> Ts {
    atom(n.to_string())
}

fn strings(v: &[String]) -> Ts {
    Ts::Array(v.iter().map(|s| text(s)).collect())
}

/// A string from the spec as a value of the template: a string literal, or, when it holds
/// `${`, `Fn.sub` with `$` as a variable, the same spelling as the CloudFormation target (see
/// `cloudformation::literal_dollars`): CDK's template validation reads `${X}` in a plain string
/// as a reference that should have been an `Fn::Sub`.
fn text(s: &str) -> Ts {
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
fn json(v: &Value) -> Ts {
    match v {
        Value::String(s) => text(s),
        Value::Array(items) => Ts::Array(items.iter().map(json).collect()),
        Value::Object(map) => Ts::Object(map.iter().map(|(k, v)| (k.clone(), json(v))).collect()),
        other => atom(other.to_string()),
    }
}

fn new(class: &str, id: &str, props: Ts) -> Ts {
    call(
        format!("new {class}"),
        vec![atom("this"), string(id), props],
    )
}

/// The `logs.RetentionDays` member for a number of days (`INFINITE` for none).
fn retention(days: Option<u32>) -> String {
    let name = match days {
        None => "INFINITE",
        Some(1) => "ONE_DAY",
        Some(3) => "THREE_DAYS",
        Some(5) => "FIVE_DAYS",
        Some(7) => "ONE_WEEK",
        Some(14) => "TWO_WEEKS",
        Some(30) => "ONE_MONTH",
        Some(60) => "TWO_MONTHS",
        Some(90) => "THREE_MONTHS",
        Some(120) => "FOUR_MONTHS",
        Some(150) => "FIVE_MONTHS",
        Some(180) => "SIX_MONTHS",
        Some(365) => "ONE_YEAR",
        Some(400) => "THIRTEEN_MONTHS",
        Some(545) => "EIGHTEEN_MONTHS",
        Some(731) => "TWO_YEARS",
        Some(1096) => "THREE_YEARS",
        Some(1827) => "FIVE_YEARS",
        Some(2192) => "SIX_YEARS",
        Some(2557) => "SEVEN_YEARS",
        Some(2922) => "EIGHT_YEARS",
        Some(3288) => "NINE_YEARS",
        Some(3653) => "TEN_YEARS",
        Some(_) => "INFINITE",
    };
    format!("logs.RetentionDays.{name}")
}

/// The `ecs.FargatePlatformVersion` member for a version (validated to these).
fn platform_version(v: &str) -> String {
    let name = match v {
        "1.4.0" => "VERSION1_4",
        "1.3.0" => "VERSION1_3",
        _ => "LATEST",
    };
    format!("ecs.FargatePlatformVersion.{name}")
}

/// How this construct refers to the symbolic resources of a task's IAM statements.
struct Refs<'a> {
    var: &'a str,
}

impl Refs<'_> {
    fn res(&self, r: &Res) -> Ts {
        let v = self.var;
        match r {
            Res::Literal(s) => string(s.clone()),
            Res::LogGroup => atom(format!("{v}LogGroup.logGroupArn")),
            Res::Repository(repo) => Ts::Template(vec![
                Part::Lit("arn:".into()),
                Part::Code("Aws.PARTITION"),
                Part::Lit(format!(
                    ":ecr:{}:{}:repository/{}",
                    repo.region, repo.account, repo.name
                )),
            ]),
            Res::TaskDefinition => atom(format!("{v}TaskDefinition.taskDefinitionArn")),
            Res::Cluster => atom("cluster.clusterArn"),
            Res::ClusterTasks => Ts::Template(vec![
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
            Res::CreatedRole(RoleUse::Task) => atom(format!("{v}TaskRole.roleArn")),
            Res::CreatedRole(RoleUse::Execution) => atom(format!("{v}ExecutionRole.roleArn")),
            Res::Rule => atom(format!("{v}Rule.ruleArn")),
            Res::Account => atom("Aws.ACCOUNT_ID"),
        }
    }

    fn statement(&self, s: &Statement) -> Ts {
        let mut fields = Vec::new();
        if let Some(sid) = &s.sid {
            fields.push(("sid", string(sid.clone())));
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
                Ts::Array(s.actions.iter().map(|a| string(*a)).collect()),
            ),
            (
                "resources",
                Ts::Array(s.resources.iter().map(|r| self.res(r)).collect()),
            ),
        ]);
        if let Some(c) = &s.condition {
            fields.push((
                "conditions",
                object(vec![(c.op, object(vec![(c.key, self.res(&c.value))]))]),
            ));
        }
        call("new iam.PolicyStatement", vec![object(fields)])
    }

    /// `role.addToPolicy(…)` for each statement.
    fn grants(&self, role: &str, statements: &[Statement], out: &mut String) {
        for s in statements {
            out.push_str(&ts::statement(
                "",
                &call(format!("{role}.addToPolicy"), vec![self.statement(s)]),
                2,
            ));
        }
    }
}

/// `new iam.ServicePrincipal(service, { conditions })` from the model's trust statement.
fn principal(trust: &Statement, refs: &Refs<'_>) -> Ts {
    let service = trust.service_principal.unwrap_or_default();
    let mut args = vec![string(service)];
    if let Some(c) = &trust.condition {
        args.push(object(vec![(
            "conditions",
            object(vec![(c.op, object(vec![(c.key, refs.res(&c.value))]))]),
        )]));
    }
    call("new iam.ServicePrincipal", args)
}

fn role(var: &str, id: &str, name: &str, service: &'static str, refs: &Refs<'_>, out: &mut String) {
    out.push_str(&ts::statement(
        &format!("const {var} = "),
        &new(
            "iam.Role",
            id,
            object(vec![
                ("roleName", string(name)),
                ("assumedBy", principal(&iam::trust_statement(service), refs)),
            ]),
        ),
        2,
    ));
}

fn convert_model(model: &Model) -> View {
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
    let created = || {
        model.tasks.iter().filter_map(|t| match &t.definition {
            Definition::Create(d) => Some(d),
            Definition::Existing { .. } => None,
        })
    };
    if created().any(|d| d.ecr_repository.is_some()) {
        acks.push((
            "@aws-cdk/aws-ecs:ecrImageRequiresPolicy",
            "tfc grants the ECR pull in each execution role's policy",
        ));
    }
    if created().any(|d| {
        d.secrets
            .iter()
            .any(|s| s.source == SecretSource::SsmParameter)
    }) {
        acks.push((
            "aws-cdk-lib/aws-ssm:crossAccountReferenceSameRegion",
            "parameters are named by full ARN",
        ));
    }
    shared.push_str(
        "    // Warnings that do not apply to this construct (each says why).
",
    );
    for (id, why) in acks {
        shared.push_str(&ts::statement(
            "",
            &call(
                "Annotations.of(this).acknowledgeWarning",
                vec![string(id), string(why)],
            ),
            2,
        ));
    }
    shared.push_str(
        "    // targets.EcsTask reads subnets through cluster.vpc. The spec names subnets, not a VPC,\n    // so each task passes its subnets explicitly and this imported VPC only satisfies the\n    // type: its id never reaches the template.\n",
    );
    shared.push_str(&ts::statement(
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
    ));
    match &model.cluster {
        Cluster::Create { name } => shared.push_str(&ts::statement(
            "const cluster = ",
            &new(
                "ecs.Cluster",
                "Cluster",
                object(vec![
                    ("clusterName", string(name.clone())),
                    ("vpc", atom("vpc")),
                ]),
            ),
            2,
        )),
        Cluster::Existing { arn, name } => shared.push_str(&ts::statement(
            "const cluster = ",
            &call(
                "ecs.Cluster.fromClusterAttributes",
                vec![
                    atom("this"),
                    string("Cluster"),
                    object(vec![
                        ("clusterName", string(name.clone())),
                        ("clusterArn", string(arn.clone())),
                        ("vpc", atom("vpc")),
                        ("securityGroups", Ts::Array(vec![])),
                    ]),
                ],
            ),
            2,
        )),
    }
    shared.push_str(&output(
        "ClusterArn",
        "ARN of the ECS cluster the tasks run in",
        "cluster.clusterArn",
    ));
    for (k, v) in &model.tags {
        shared.push_str(&ts::statement(
            "",
            &call(
                "Tags.of(this).add",
                vec![string(k.clone()), string(v.clone())],
            ),
            2,
        ));
    }
    let mut tasks: Vec<TaskGroup> = model
        .tasks
        .iter()
        .map(|task| TaskGroup {
            comment: match &task.description {
                Some(d) => format!("Task {}: {d}", task.id),
                None => format!("Task {}", task.id),
            },
            code: convert_task(model, task),
        })
        .collect();
    for queue in &model.dead_letter_queues {
        tasks.push(TaskGroup {
            comment: format!(
                "Dead-letter queue {} (tasks {})",
                queue.queue_name,
                queue.tasks.join(", ")
            ),
            code: convert_queue_policy(model, queue),
        });
    }
    let stack_class = format!("{}Stack", pascal(&model.name));
    let mut stack_args = vec![atom("app"), string(stack_class.clone())];
    if model.description.is_some() {
        stack_args.push(object(vec![(
            "description",
            string(model.stack_description()),
        )]));
    }
    let mut view = View {
        header: generated_by(),
        name: model.name.clone(),
        class: format!("{}Tasks", pascal(&model.name)),
        app_statement: ts::statement("", &call(format!("new {stack_class}"), stack_args), 0),
        stack_class,
        description: model.description.clone(),
        imports: Vec::new(),
        shared,
        tasks,
        versions: BTreeMap::from([
            ("aws-cdk-lib", AWS_CDK_LIB),
            ("constructs", CONSTRUCTS),
            ("typescript", TYPESCRIPT),
            ("aws-cdk", AWS_CDK_CLI),
            ("ts-node", TS_NODE),
        ]),
        feature_flags: feature_flags(),
    };
    view.imports = imports(&view);
    view
}

/// The import lines the generated code needs (modules it mentions).
fn imports(view: &View) -> Vec<String> {
    let code: String = std::iter::once(view.shared.as_str())
        .chain(view.tasks.iter().map(|t| t.code.as_str()))
        .collect();
    let mut core: Vec<&str> = [
        "Annotations",
        "Aws",
        "CfnCondition",
        "CfnOutput",
        "Duration",
        "Fn",
        "RemovalPolicy",
        "Tags",
    ]
    .into_iter()
    .filter(|n| code.contains(&format!("{n}.")) || code.contains(&format!("{n}(")))
    .collect();
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
    for m in [
        "ec2",
        "ecs",
        "events",
        "iam",
        "logs",
        "secretsmanager",
        "sqs",
        "ssm",
    ] {
        if code.contains(&format!("{m}.")) {
            out.push(format!("import * as {m} from \"aws-cdk-lib/aws-{m}\";"));
        }
        if m == "events" && code.contains("targets.") {
            out.push("import * as targets from \"aws-cdk-lib/aws-events-targets\";".into());
        }
    }
    out.push("import { Construct } from \"constructs\";".into());
    out
}

fn convert_task(model: &Model, task: &TaskModel) -> String {
    let v = camel(&task.id);
    let p = pascal(&task.id);
    let refs = Refs { var: &v };
    let mut out = String::new();
    // Tags of this task beyond the spec's (which apply to the whole construct).
    let own_tags: Vec<(&String, &String)> = task
        .tags
        .iter()
        .filter(|(k, val)| model.tags.get(*k) != Some(*val))
        .collect();

    let mut taggable = Vec::new();
    let task_definition = match &task.definition {
        Definition::Create(def) => {
            convert_definition(task, def, &refs, &p, &mut out);
            taggable.extend([format!("{v}LogGroup"), format!("{v}TaskDefinition")]);
            if matches!(def.task_role, Role::Create { .. }) {
                taggable.push(format!("{v}TaskRole"));
            }
            if matches!(def.execution_role, Role::Create { .. }) {
                taggable.push(format!("{v}ExecutionRole"));
            }
            format!("{v}TaskDefinition")
        }
        Definition::Existing {
            arn,
            task_role,
            execution_role,
        } => {
            let mut attrs = vec![
                ("taskDefinitionArn", string(arn.clone())),
                ("networkMode", atom("ecs.NetworkMode.AWS_VPC")),
            ];
            if let Some(r) = task_role {
                attrs.push((
                    "taskRole",
                    call(
                        "iam.Role.fromRoleArn",
                        vec![
                            atom("this"),
                            string(format!("{p}TaskRole")),
                            string(r.clone()),
                            object(vec![("mutable", atom("false"))]),
                        ],
                    ),
                ));
            }
            if let Some(r) = execution_role {
                attrs.push((
                    "executionRole",
                    call(
                        "iam.Role.fromRoleArn",
                        vec![
                            atom("this"),
                            string(format!("{p}ExecutionRole")),
                            string(r.clone()),
                            object(vec![("mutable", atom("false"))]),
                        ],
                    ),
                ));
            }
            out.push_str(&ts::statement(
                &format!("const {v}TaskDefinition = "),
                &call(
                    "ecs.FargateTaskDefinition.fromFargateTaskDefinitionAttributes",
                    vec![
                        atom("this"),
                        string(format!("{p}TaskDefinition")),
                        object(attrs),
                    ],
                ),
                2,
            ));
            format!("{v}TaskDefinition")
        }
    };

    role(
        &format!("{v}EventsRole"),
        &format!("{p}EventsRole"),
        &task.events_role_name,
        iam::EVENTS_SERVICE,
        &refs,
        &mut out,
    );
    refs.grants(
        &format!("{v}EventsRole"),
        &iam::events_statements(task),
        &mut out,
    );
    taggable.push(format!("{v}EventsRole"));

    // The rule.
    let mut rule = vec![("ruleName", string(task.rule_name.clone()))];
    if let Some(d) = &task.description {
        rule.push(("description", text(d)));
    }
    let mut raw_pattern = None;
    let mut bus_arn = None;
    match &task.trigger {
        Trigger::Pattern { pattern, bus } => {
            match l2_pattern(pattern) {
                Some(p) => rule.push(("eventPattern", p)),
                None => raw_pattern = Some(pattern),
            }
            if let Some(bus) = bus {
                if bus.starts_with("arn:") {
                    rule.push((
                        "eventBus",
                        call(
                            "events.EventBus.fromEventBusArn",
                            vec![atom("this"), string(format!("{p}Bus")), string(bus.clone())],
                        ),
                    ));
                    bus_arn = Some(bus.clone());
                } else {
                    rule.push((
                        "eventBus",
                        call(
                            "events.EventBus.fromEventBusName",
                            vec![atom("this"), string(format!("{p}Bus")), string(bus.clone())],
                        ),
                    ));
                }
            }
        }
        Trigger::Schedule { expression } => rule.push((
            "schedule",
            call(
                "events.Schedule.expression",
                vec![string(expression.clone())],
            ),
        )),
    }
    rule.push(("enabled", atom(task.enabled.to_string())));
    out.push_str(&ts::statement(
        &format!("const {v}Rule = "),
        &new("events.Rule", &format!("{p}Rule"), object(rule)),
        2,
    ));
    taggable.push(format!("{v}Rule"));
    let cfn_rule = format!("{v}CfnRule");
    let mut cfn_rule_declared = false;
    let mut declare_cfn_rule = |out: &mut String| {
        if !cfn_rule_declared {
            out.push_str(&format!(
                "    const {cfn_rule} = {v}Rule.node.defaultChild as events.CfnRule;\n"
            ));
            cfn_rule_declared = true;
        }
    };
    if let Some(pattern) = raw_pattern {
        out.push_str("    // The pattern uses fields or operators that events.EventPattern cannot type; set it on L1.\n");
        declare_cfn_rule(&mut out);
        out.push_str(&ts::statement(
            &format!("{cfn_rule}.eventPattern = "),
            &json(pattern),
            2,
        ));
    }
    if let Some(arn) = bus_arn {
        out.push_str(
            "    // L2 writes the bus name; the ARN keeps a cross-account bus addressable.\n",
        );
        declare_cfn_rule(&mut out);
        out.push_str(&ts::statement(
            &format!("{cfn_rule}.eventBusName = "),
            &string(arn),
            2,
        ));
    }

    // The target.
    let mut target = vec![
        ("cluster", atom("cluster")),
        ("taskDefinition", atom(task_definition)),
        (
            "role",
            atom(format!("{v}EventsRole.withoutPolicyUpdates()")),
        ),
        ("taskCount", num(task.count)),
        (
            "platformVersion",
            atom(platform_version(&task.platform_version)),
        ),
        (
            "subnetSelection",
            object(vec![(
                "subnets",
                Ts::Array(
                    task.network
                        .subnets
                        .iter()
                        .enumerate()
                        .map(|(i, s)| {
                            call(
                                "ec2.Subnet.fromSubnetId",
                                vec![
                                    atom("this"),
                                    string(format!("{p}Subnet{i}")),
                                    string(s.clone()),
                                ],
                            )
                        })
                        .collect(),
                ),
            )]),
        ),
        (
            "securityGroups",
            Ts::Array(
                task.network
                    .security_groups
                    .iter()
                    .enumerate()
                    .map(|(i, s)| {
                        call(
                            "ec2.SecurityGroup.fromSecurityGroupId",
                            vec![
                                atom("this"),
                                string(format!("{p}SecurityGroup{i}")),
                                string(s.clone()),
                            ],
                        )
                    })
                    .collect(),
            ),
        ),
    ];
    if task.propagate_tags {
        target.push((
            "propagateTags",
            atom("ecs.PropagatedTagSource.TASK_DEFINITION"),
        ));
    }
    if !task.tags.is_empty() {
        target.push((
            "tags",
            Ts::Array(
                task.tags
                    .iter()
                    .map(|(k, val)| {
                        object(vec![
                            ("key", string(k.clone())),
                            ("value", string(val.clone())),
                        ])
                    })
                    .collect(),
            ),
        ));
    }
    if let Some(o) = container_overrides(task) {
        target.push(("containerOverrides", o));
    }
    if let Some(retry) = &task.retry {
        if let Some(a) = retry.attempts {
            target.push(("retryAttempts", num(a)));
        }
        if let Some(age) = retry.max_event_age {
            target.push(("maxEventAge", call("Duration.seconds", vec![num(age)])));
        }
    }
    if let Some(q) = &task.dead_letter_queue {
        target.push((
            "deadLetterQueue",
            call(
                "sqs.Queue.fromQueueArn",
                vec![
                    atom("this"),
                    string(format!("{p}DeadLetterQueue")),
                    string(q.clone()),
                ],
            ),
        ));
    }
    out.push_str(&ts::statement(
        "",
        &call(
            format!("{v}Rule.addTarget"),
            vec![call("new targets.EcsTask", vec![object(target)])],
        ),
        2,
    ));
    out.push_str(
        "    // The events role's policy must exist before the first event is delivered.\n",
    );
    out.push_str(&ts::statement(
        "",
        &call(
            format!("{v}Rule.node.addDependency"),
            vec![call(
                format!("{v}EventsRole.node.findChild"),
                vec![string("DefaultPolicy")],
            )],
        ),
        2,
    ));
    if task.network.assign_public_ip {
        out.push_str("    // EcsTask only assigns public IPs with subnetType PUBLIC; the subnets here are explicit.\n");
        declare_cfn_rule(&mut out);
        out.push_str(&format!(
            "    {cfn_rule}.addPropertyOverride(\n      \"Targets.0.EcsParameters.NetworkConfiguration.AwsVpcConfiguration.AssignPublicIp\",\n      \"ENABLED\",\n    );\n"
        ));
    }
    // The input as the model built it, where CDK's own rendering cannot say the same thing.
    let input_override = match &task.input {
        crate::model::TargetInput::Transformer {
            input_paths,
            input_template,
        } => {
            let quoted = input_paths
                .keys()
                .any(|k| input_template.contains(&format!("\"<{k}>\"")));
            (quoted || input_template.contains("${")).then(|| {
                let why = if quoted {
                    "    // EventField renders a placeholder unquoted; the trigger's pattern shows a number or\n    // boolean there, which ECS only accepts as a string, so the template quotes it.\n"
                } else {
                    "    // A literal holds `${`: the template is spelled with Fn.sub, as every such string.\n"
                };
                (why, "Targets.0.InputTransformer.InputTemplate", input_template)
            })
        }
        crate::model::TargetInput::Static { input } => input.contains("${").then_some((
            "    // A literal holds `${`: the input is spelled with Fn.sub, as every such string.\n",
            "Targets.0.Input",
            input,
        )),
    };
    if let Some((why, property, value)) = input_override {
        out.push_str(why);
        declare_cfn_rule(&mut out);
        out.push_str(&ts::statement(
            "",
            &call(
                format!("{cfn_rule}.addPropertyOverride"),
                vec![string(property), text(value)],
            ),
            2,
        ));
    }
    if task.network.security_groups.is_empty() {
        out.push_str("    // Without security groups EcsTask would create one; the spec means the VPC's default\n    // group, which EventBridge uses when the list is left out (as the other targets do).\n");
        declare_cfn_rule(&mut out);
        out.push_str(&format!(
            "    {cfn_rule}.addPropertyDeletionOverride(\n      \"Targets.0.EcsParameters.NetworkConfiguration.AwsVpcConfiguration.SecurityGroups\",\n    );\n"
        ));
    }
    out.push_str(&output(
        &format!("{p}RuleArn"),
        &format!("ARN of the EventBridge rule that starts task {}", task.id),
        &format!("{v}Rule.ruleArn"),
    ));
    out.push_str(&output(
        &format!("{p}TaskDefinitionArn"),
        &format!("ARN of the task definition of task {}", task.id),
        &format!("{v}TaskDefinition.taskDefinitionArn"),
    ));
    for (k, val) in own_tags {
        for t in &taggable {
            out.push_str(&ts::statement(
                "",
                &call(
                    format!("Tags.of({t}).add"),
                    vec![string(k.clone()), string(val.clone())],
                ),
                2,
            ));
        }
    }
    out
}

/// `new CfnOutput(…)`: the same outputs as the other targets.
fn output(id: &str, description: &str, value: &str) -> String {
    ts::statement(
        "",
        &new(
            "CfnOutput",
            id,
            object(vec![
                ("description", string(description)),
                ("value", atom(value)),
            ]),
        ),
        2,
    )
}

/// The pattern as `events.EventPattern` (top-level fields typed `string[]` except `detail`), or
/// `None` when it needs the raw L1 property.
fn l2_pattern(pattern: &Value) -> Option<Ts> {
    let map = pattern.as_object()?;
    let mut fields = Vec::new();
    for (k, v) in map {
        let name = match k.as_str() {
            "detail" => {
                fields.push(("detail".to_string(), json(v)));
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
        fields.push((name.to_string(), json(v)));
    }
    Some(Ts::Object(fields))
}

fn override_value(v: &OverrideValue) -> Ts {
    match v {
        OverrideValue::Literal(s) => string(s.clone()),
        OverrideValue::From(f) => call("events.EventField.fromPath", vec![string(f.from.clone())]),
    }
}

fn container_overrides(task: &TaskModel) -> Option<Ts> {
    let o = &task.overrides;
    let mut fields = vec![("containerName", string(task.container.clone()))];
    match &o.command {
        // CDK types `command` as string[]; a whole array from the event is one field, which CDK
        // renders unquoted (`"command":<detail-argv>`), exactly the template tfc builds.
        Some(CommandOverride::From(f)) => fields.push((
            "command",
            Ts::Cast(
                Box::new(call(
                    "events.EventField.fromPath",
                    vec![string(f.from.clone())],
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
                            ("name", string(k.clone())),
                            ("value", override_value(v)),
                        ])
                    })
                    .collect(),
            ),
        ));
    }
    (fields.len() > 1).then(|| Ts::Array(vec![object(fields)]))
}

fn convert_definition(
    task: &TaskModel,
    def: &CreatedDefinition,
    refs: &Refs<'_>,
    p: &str,
    out: &mut String,
) {
    let v = refs.var;
    out.push_str(&ts::statement(
        &format!("const {v}LogGroup = "),
        &new(
            "logs.LogGroup",
            &format!("{p}LogGroup"),
            object(vec![
                ("logGroupName", string(def.log.group_name.clone())),
                ("retention", atom(retention(def.log.retention_days))),
                ("removalPolicy", atom("RemovalPolicy.RETAIN")),
            ]),
        ),
        2,
    ));
    let role_ref = |r: &Role, var: String, id: String, out: &mut String| -> Ts {
        match r {
            Role::Create { name } => {
                role(&var, &id, name, iam::ECS_TASKS_SERVICE, refs, out);
                atom(var)
            }
            Role::Existing { arn } => call(
                "iam.Role.fromRoleArn",
                vec![
                    atom("this"),
                    string(id),
                    string(arn.clone()),
                    object(vec![("mutable", atom("false"))]),
                ],
            ),
        }
    };
    let task_role = role_ref(
        &def.task_role,
        format!("{v}TaskRole"),
        format!("{p}TaskRole"),
        out,
    );
    let execution_role = role_ref(
        &def.execution_role,
        format!("{v}ExecutionRole"),
        format!("{p}ExecutionRole"),
        out,
    );
    let execution_role = if matches!(def.execution_role, Role::Create { .. }) {
        refs.grants(
            &format!("{v}ExecutionRole"),
            &iam::execution_statements(def),
            out,
        );
        out.push_str("    // The statements above are exactly what the execution role needs; CDK's own grants\n    // (logs, secrets) would add more, so it gets the role without policy updates.\n");
        atom(format!("{v}ExecutionRole.withoutPolicyUpdates()"))
    } else {
        execution_role
    };
    let mut props = vec![
        ("family", string(def.family.clone())),
        ("cpu", num(def.cpu)),
        ("memoryLimitMiB", num(def.memory)),
        ("taskRole", task_role),
        ("executionRole", execution_role),
    ];
    if def.architecture == crate::spec::Architecture::Arm64 {
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
    out.push_str(&ts::statement(
        &format!("const {v}TaskDefinition = "),
        &new(
            "ecs.FargateTaskDefinition",
            &format!("{p}TaskDefinition"),
            object(props),
        ),
        2,
    ));

    let mut container = vec![
        ("containerName", string(task.container.clone())),
        (
            "image",
            call(
                "ecs.ContainerImage.fromRegistry",
                vec![string(def.image.clone())],
            ),
        ),
        ("essential", atom("true")),
    ];
    if let Some(ep) = &def.entry_point {
        container.push(("entryPoint", strings(ep)));
    }
    if let Some(cmd) = &def.command {
        container.push(("command", strings(cmd)));
    }
    if !def.environment.is_empty() {
        container.push((
            "environment",
            Ts::Object(
                def.environment
                    .iter()
                    .map(|(k, val)| (k.clone(), text(val)))
                    .collect(),
            ),
        ));
    }
    if !def.secrets.is_empty() {
        let secrets = def
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
                            vec![atom("this"), string(id), string(s.resource_arn.clone())],
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
                            vec![atom("this"), string(id), string(s.value_from.clone())],
                        )],
                    ),
                };
                (s.name.clone(), value)
            })
            .collect();
        container.push(("secrets", Ts::Object(secrets)));
    }
    container.push((
        "logging",
        call(
            "ecs.LogDrivers.awsLogs",
            vec![object(vec![
                ("logGroup", atom(format!("{v}LogGroup"))),
                ("streamPrefix", text(&def.log.stream_prefix)),
            ])],
        ),
    ));
    out.push_str(&ts::statement(
        "",
        &call(
            format!("{v}TaskDefinition.addContainer"),
            vec![string(task.container.clone()), object(container)],
        ),
        2,
    ));
}

/// The queue policy CDK adds for queues it owns, here for an imported queue: one per queue with
/// a statement per rule, and only when the stack deploys into the queue's account (an L1
/// condition).
fn convert_queue_policy(model: &Model, queue: &DeadLetterQueue) -> String {
    let mut out = String::new();
    let q = pascal(&queue.name);
    // A JavaScript name (queue names may start with a digit).
    let v = format!("deadLetter{q}");
    out.push_str("    // A queue policy can only be attached in the queue's own account.\n");
    out.push_str(&ts::statement(
        &format!("const {v}QueueInStackAccount = "),
        &new(
            "CfnCondition",
            &format!("{q}QueueInStackAccount"),
            object(vec![(
                "expression",
                call(
                    "Fn.conditionEquals",
                    vec![atom("Aws.ACCOUNT_ID"), string(queue.account.clone())],
                ),
            )]),
        ),
        2,
    ));
    let statements = model
        .tasks
        .iter()
        .filter(|t| queue.tasks.contains(&t.id))
        .map(|task| {
            let var = camel(&task.id);
            Refs { var: &var }.statement(&iam::dead_letter_statement(task, &queue.arn))
        })
        .collect();
    out.push_str(&ts::statement(
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
                            Part::Lit(format!("https://sqs.{}.", queue.region)),
                            Part::Code("Aws.URL_SUFFIX"),
                            Part::Lit(format!("/{}/{}", queue.account, queue.queue_name)),
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
    ));
    out.push_str(&ts::statement(
        &format!("{v}QueuePolicy.cfnOptions.condition = "),
        &atom(format!("{v}QueueInStackAccount")),
        2,
    ));
    out
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
    fn identifiers() {
        assert_eq!(camel("nightly-report"), "nightlyReport");
        assert_eq!(retention(Some(30)), "logs.RetentionDays.ONE_MONTH");
        assert_eq!(retention(None), "logs.RetentionDays.INFINITE");
    }
}
