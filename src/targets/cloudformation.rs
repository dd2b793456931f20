//! CloudFormation: the resources aws-cdk's L2 constructs (`FargateTaskDefinition`,
//! `events.Rule`, `targets.EcsTask`) synthesize for each task, with readable, stable logical ids
//! (`ManageTaskDefinition`, `ManageRule`, …) and pseudo parameters for account, region and
//! partition.
//!
//! The view model is built as JSON values by small `convert_*` functions (intrinsics in their
//! long form, `Ref`/`Fn::GetAtt`/`Fn::Sub`, so no YAML tags are needed); the templates in
//! `templates/cloudformation/` lay the document out and every value passes through the `yaml`
//! or `json` filter, which serialise (and so escape) it.

use serde::Serialize;
use serde_json::{json, Map, Value};

use super::{
    environment, generated_by, pascal, yaml, Backend, Format, Layout, OutputFile, RenderError,
};
use crate::model::iam::{self, Res, RoleUse, Statement};
use crate::model::{
    Cluster, CreatedDefinition, DeadLetterQueue, Definition, Model, Role, TargetInput, TaskModel,
    Trigger,
};

/// `templates/cloudformation/template.yaml.j2`.
pub const TEMPLATE_YAML: &str = "cloudformation/template.yaml.j2";
/// `templates/cloudformation/template.json.j2`.
pub const TEMPLATE_JSON: &str = "cloudformation/template.json.j2";

const TEMPLATES: [(&str, &str); 2] = [
    (
        TEMPLATE_YAML,
        include_str!("../../templates/cloudformation/template.yaml.j2"),
    ),
    (
        TEMPLATE_JSON,
        include_str!("../../templates/cloudformation/template.json.j2"),
    ),
];

/// The logical id of the cluster tfc creates.
pub const CLUSTER_ID: &str = "Cluster";

/// The CloudFormation backend.
pub struct CloudFormation;

/// One resource of the view model.
#[derive(Debug, Serialize)]
struct Resource {
    id: String,
    body: Value,
}

/// A task's resources, under a comment naming the task.
#[derive(Debug, Serialize)]
struct TaskGroup {
    comment: String,
    resources: Vec<Resource>,
}

/// The template's view model.
#[derive(Debug, Serialize)]
struct View {
    header: String,
    description: String,
    conditions: Map<String, Value>,
    shared: Vec<Resource>,
    tasks: Vec<TaskGroup>,
    outputs: Map<String, Value>,
}

impl View {
    /// The whole template as one JSON document (the JSON format, and tests).
    fn document(&self) -> Value {
        let mut resources = Map::new();
        for r in self
            .shared
            .iter()
            .chain(self.tasks.iter().flat_map(|t| &t.resources))
        {
            resources.insert(r.id.clone(), r.body.clone());
        }
        let mut doc = Map::new();
        doc.insert("AWSTemplateFormatVersion".into(), json!("2010-09-09"));
        doc.insert("Description".into(), json!(self.description));
        if !self.conditions.is_empty() {
            doc.insert("Conditions".into(), Value::Object(self.conditions.clone()));
        }
        doc.insert("Resources".into(), Value::Object(resources));
        doc.insert("Outputs".into(), Value::Object(self.outputs.clone()));
        Value::Object(doc)
    }
}

impl Backend for CloudFormation {
    fn render(
        &self,
        model: &Model,
        _layout: Layout,
        format: Format,
    ) -> Result<Vec<OutputFile>, RenderError> {
        let view = convert_model(model);
        let mut env = environment(&TEMPLATES)?;
        env.add_filter("yaml", |v: minijinja::Value, indent: usize| {
            Ok(yaml::to_yaml(&to_json(&v)?, indent))
        });
        env.add_filter("yaml_scalar", |v: minijinja::Value| {
            Ok(yaml::scalar(&to_json(&v)?))
        });
        env.add_filter("json_pretty", |v: minijinja::Value| {
            super::json_pretty(&v).map_err(filter_error)
        });
        let (name, path) = match format {
            Format::Yaml => (TEMPLATE_YAML, "template.yaml"),
            Format::Json => (TEMPLATE_JSON, "template.json"),
        };
        let contents = env.get_template(name)?.render(minijinja::context! {
            view => &view,
            document => view.document(),
        })?;
        Ok(vec![OutputFile {
            path: path.into(),
            contents,
        }])
    }
}

fn filter_error(e: serde_json::Error) -> minijinja::Error {
    minijinja::Error::new(minijinja::ErrorKind::InvalidOperation, e.to_string())
}

/// A template value back as JSON, for the serialising filters.
fn to_json(v: &minijinja::Value) -> Result<Value, minijinja::Error> {
    serde_json::to_value(v).map_err(filter_error)
}

fn sub(s: &str) -> Value {
    json!({ "Fn::Sub": s })
}

fn get_att(id: &str, attr: &str) -> Value {
    json!({ "Fn::GetAtt": [id, attr] })
}

fn reference(id: &str) -> Value {
    json!({ "Ref": id })
}

fn tags(tags: &std::collections::BTreeMap<String, String>) -> Value {
    Value::Array(
        tags.iter()
            .map(|(k, v)| json!({"Key": k, "Value": v}))
            .collect(),
    )
}

/// Adds `Tags` when there are any.
fn with_tags(
    mut props: Map<String, Value>,
    t: &std::collections::BTreeMap<String, String>,
) -> Map<String, Value> {
    if !t.is_empty() {
        props.insert("Tags".into(), tags(t));
    }
    props
}

fn resource(id: String, kind: &str, props: Map<String, Value>) -> Resource {
    Resource {
        id,
        body: json!({ "Type": kind, "Properties": props }),
    }
}

fn role_resource(
    id: String,
    name: &str,
    service: &'static str,
    t: &std::collections::BTreeMap<String, String>,
    refs: &Refs<'_>,
) -> Resource {
    let mut props = Map::new();
    props.insert("RoleName".into(), json!(name));
    props.insert(
        "AssumeRolePolicyDocument".into(),
        json!({
            "Version": "2012-10-17",
            "Statement": [refs.statement(&iam::trust_statement(service))],
        }),
    );
    resource(id, "AWS::IAM::Role", with_tags(props, t))
}

fn policy_resource(id: String, role_id: &str, statements: Vec<Value>) -> Resource {
    let mut props = Map::new();
    props.insert("PolicyName".into(), json!(id));
    props.insert(
        "PolicyDocument".into(),
        json!({ "Version": "2012-10-17", "Statement": statements }),
    );
    props.insert("Roles".into(), json!([reference(role_id)]));
    resource(id, "AWS::IAM::Policy", props)
}

/// The ARN of a role: `Fn::GetAtt` for created roles, the literal for existing ones.
fn role_arn(role: &Role, id: &str) -> Value {
    match role {
        Role::Create { .. } => get_att(id, "Arn"),
        Role::Existing { arn } => json!(arn),
    }
}

fn convert_model(model: &Model) -> View {
    let mut shared = Vec::new();
    let mut outputs = Map::new();
    let mut conditions = Map::new();
    let (cluster_arn, cluster_name) = match &model.cluster {
        Cluster::Create { name } => {
            let mut props = Map::new();
            props.insert("ClusterName".into(), json!(name));
            shared.push(resource(
                CLUSTER_ID.into(),
                "AWS::ECS::Cluster",
                with_tags(props, &model.tags),
            ));
            (get_att(CLUSTER_ID, "Arn"), format!("${{{CLUSTER_ID}}}"))
        }
        Cluster::Existing { arn, name } => (json!(arn), sub_escape(name)),
    };
    outputs.insert(
        "ClusterArn".into(),
        json!({ "Description": "ARN of the ECS cluster the tasks run in", "Value": cluster_arn }),
    );
    let mut tasks: Vec<TaskGroup> = model
        .tasks
        .iter()
        .map(|task| convert_task(task, &cluster_arn, &cluster_name, &mut outputs))
        .collect();
    for queue in &model.dead_letter_queues {
        tasks.push(TaskGroup {
            comment: format!(
                "Dead-letter queue {} (tasks {})",
                queue.queue_name,
                queue.tasks.join(", ")
            ),
            resources: vec![convert_queue_policy(
                model,
                queue,
                &cluster_arn,
                &cluster_name,
                &mut conditions,
            )],
        });
    }
    for r in shared
        .iter_mut()
        .chain(tasks.iter_mut().flat_map(|t| t.resources.iter_mut()))
    {
        if let Some(props) = r.body.get_mut("Properties") {
            literal_dollars(props);
        }
    }
    View {
        header: generated_by(),
        description: model.stack_description(),
        conditions,
        shared,
        tasks,
        outputs,
    }
}

/// The variable [`literal_dollars`] spells `$` with.
pub const DOLLAR: &str = "Dollar";

/// Spells every literal string holding `${` as `Fn::Sub` with `$` as a variable: `echo
/// ${HOME}` becomes `{"Fn::Sub": ["echo ${Dollar}{HOME}", {"Dollar": "$"}]}`, which
/// CloudFormation resolves back to exactly `echo ${HOME}`. A plain string would do at deploy
/// time, but cfn-lint (E1029) and CDK's template validation read `${X}` outside an `Fn::Sub` as
/// a forgotten reference; `${!X}` escapes would leave a `Fn::Sub` without variables (cfn-lint
/// W1020). tfc's own intrinsics are left as they are.
fn literal_dollars(v: &mut Value) {
    match v {
        Value::String(s) if s.contains("${") => {
            *v = json!({ "Fn::Sub": [s.replace("${", &format!("${{{DOLLAR}}}{{")), { DOLLAR: "$" }] });
        }
        Value::Array(items) => items.iter_mut().for_each(literal_dollars),
        Value::Object(map) => {
            let intrinsic = map.len() == 1
                && map
                    .keys()
                    .next()
                    .is_some_and(|k| k == "Ref" || k == "Condition" || k.starts_with("Fn::"));
            if !intrinsic {
                map.values_mut().for_each(literal_dollars);
            }
        }
        _ => {}
    }
}

fn convert_task(
    task: &TaskModel,
    cluster_arn: &Value,
    cluster_name: &str,
    outputs: &mut Map<String, Value>,
) -> TaskGroup {
    let p = pascal(&task.id);
    let refs = Refs {
        p: &p,
        cluster_arn,
        cluster_name,
    };
    let mut resources = Vec::new();
    let task_def_arn = match &task.definition {
        Definition::Create(def) => {
            convert_definition(task, def, &refs, &mut resources);
            reference(&format!("{p}TaskDefinition"))
        }
        Definition::Existing { arn, .. } => json!(arn),
    };
    let events_role = format!("{p}EventsRole");
    let events_policy = format!("{p}EventsRolePolicy");
    resources.push(role_resource(
        events_role.clone(),
        &task.events_role_name,
        iam::EVENTS_SERVICE,
        &task.tags,
        &refs,
    ));
    resources.push(policy_resource(
        events_policy.clone(),
        &events_role,
        refs.statements(&iam::events_statements(task)),
    ));
    let rule = format!("{p}Rule");
    resources.push(Resource {
        id: rule.clone(),
        body: json!({
            "Type": "AWS::Events::Rule",
            // The role's policy must exist before the first event is delivered.
            "DependsOn": [events_policy],
            "Properties": convert_rule(task, &p, &task_def_arn, cluster_arn),
        }),
    });
    outputs.insert(
        format!("{p}RuleArn"),
        json!({ "Description": format!("ARN of the EventBridge rule that starts task {}", task.id), "Value": get_att(&rule, "Arn") }),
    );
    outputs.insert(
        format!("{p}TaskDefinitionArn"),
        json!({ "Description": format!("ARN of the task definition of task {}", task.id), "Value": task_def_arn }),
    );
    TaskGroup {
        comment: match &task.description {
            Some(d) => format!("Task {}: {d}", task.id),
            None => format!("Task {}", task.id),
        },
        resources,
    }
}

fn convert_definition(
    task: &TaskModel,
    def: &CreatedDefinition,
    refs: &Refs<'_>,
    resources: &mut Vec<Resource>,
) {
    let p = refs.p;
    let log_group = format!("{p}LogGroup");
    let mut props = Map::new();
    props.insert("LogGroupName".into(), json!(def.log.group_name));
    if let Some(days) = def.log.retention_days {
        props.insert("RetentionInDays".into(), json!(days));
    }
    resources.push(Resource {
        id: log_group.clone(),
        body: json!({
            "Type": "AWS::Logs::LogGroup",
            // Logs outlive the stack, as CDK's default.
            "DeletionPolicy": "Retain",
            "UpdateReplacePolicy": "Retain",
            "Properties": with_tags(props, &task.tags),
        }),
    });

    let task_role = format!("{p}TaskRole");
    if let Role::Create { name } = &def.task_role {
        resources.push(role_resource(
            task_role.clone(),
            name,
            iam::ECS_TASKS_SERVICE,
            &task.tags,
            refs,
        ));
    }
    let execution_role = format!("{p}ExecutionRole");
    if let Role::Create { name } = &def.execution_role {
        resources.push(role_resource(
            execution_role.clone(),
            name,
            iam::ECS_TASKS_SERVICE,
            &task.tags,
            refs,
        ));
        resources.push(policy_resource(
            format!("{p}ExecutionRolePolicy"),
            &execution_role,
            refs.statements(&iam::execution_statements(def)),
        ));
    }

    let mut container = Map::new();
    container.insert("Name".into(), json!(task.container));
    container.insert("Image".into(), json!(def.image));
    container.insert("Essential".into(), json!(true));
    if let Some(ep) = &def.entry_point {
        container.insert("EntryPoint".into(), json!(ep));
    }
    if let Some(cmd) = &def.command {
        container.insert("Command".into(), json!(cmd));
    }
    if !def.environment.is_empty() {
        let env: Vec<Value> = def
            .environment
            .iter()
            .map(|(k, v)| json!({"Name": k, "Value": v}))
            .collect();
        container.insert("Environment".into(), Value::Array(env));
    }
    if !def.secrets.is_empty() {
        let secrets: Vec<Value> = def
            .secrets
            .iter()
            .map(|s| json!({"Name": s.name, "ValueFrom": s.value_from}))
            .collect();
        container.insert("Secrets".into(), Value::Array(secrets));
    }
    container.insert(
        "LogConfiguration".into(),
        json!({
            "LogDriver": "awslogs",
            "Options": {
                "awslogs-group": reference(&log_group),
                "awslogs-region": reference("AWS::Region"),
                "awslogs-stream-prefix": def.log.stream_prefix,
            }
        }),
    );

    let mut props = Map::new();
    props.insert("Family".into(), json!(def.family));
    props.insert("Cpu".into(), json!(def.cpu.to_string()));
    props.insert("Memory".into(), json!(def.memory.to_string()));
    props.insert("NetworkMode".into(), json!("awsvpc"));
    props.insert("RequiresCompatibilities".into(), json!(["FARGATE"]));
    if def.architecture == crate::spec::Architecture::Arm64 {
        props.insert(
            "RuntimePlatform".into(),
            json!({"CpuArchitecture": "ARM64", "OperatingSystemFamily": "LINUX"}),
        );
    }
    props.insert(
        "ExecutionRoleArn".into(),
        role_arn(&def.execution_role, &execution_role),
    );
    props.insert("TaskRoleArn".into(), role_arn(&def.task_role, &task_role));
    props.insert("ContainerDefinitions".into(), json!([container]));
    resources.push(resource(
        format!("{p}TaskDefinition"),
        "AWS::ECS::TaskDefinition",
        with_tags(props, &task.tags),
    ));
}

/// Escapes text for the literal part of an `Fn::Sub` string (`${` would start a variable).
/// Every piece of spec text inside an `Fn::Sub` goes through it, even where validation already
/// rules `$` out, so a grammar mistake can never become a reference.
fn sub_escape(s: &str) -> String {
    s.replace("${", "${!")
}

/// How this template refers to the symbolic resources of a task's IAM statements.
struct Refs<'a> {
    p: &'a str,
    cluster_arn: &'a Value,
    cluster_name: &'a str,
}

impl Refs<'_> {
    fn res(&self, r: &Res) -> Value {
        let p = self.p;
        match r {
            Res::Literal(s) => json!(s),
            Res::LogGroup => get_att(&format!("{p}LogGroup"), "Arn"),
            Res::Repository(repo) => sub(&format!(
                "arn:${{AWS::Partition}}:ecr:{}:{}:repository/{}",
                sub_escape(&repo.region),
                sub_escape(&repo.account),
                sub_escape(&repo.name)
            )),
            Res::TaskDefinition => reference(&format!("{p}TaskDefinition")),
            Res::Cluster => self.cluster_arn.clone(),
            Res::ClusterTasks => sub(&format!(
                "arn:${{AWS::Partition}}:ecs:${{AWS::Region}}:${{AWS::AccountId}}:task/{}/*",
                self.cluster_name
            )),
            Res::CreatedRole(RoleUse::Task) => get_att(&format!("{p}TaskRole"), "Arn"),
            Res::CreatedRole(RoleUse::Execution) => get_att(&format!("{p}ExecutionRole"), "Arn"),
            Res::Rule => get_att(&format!("{p}Rule"), "Arn"),
            Res::Account => reference("AWS::AccountId"),
        }
    }

    fn statement(&self, s: &Statement) -> Value {
        let mut out = Map::new();
        if let Some(sid) = &s.sid {
            out.insert("Sid".into(), json!(sid));
        }
        out.insert("Effect".into(), json!("Allow"));
        if let Some(service) = s.service_principal {
            out.insert("Principal".into(), json!({ "Service": service }));
        }
        out.insert(
            "Action".into(),
            one_or_many(s.actions.iter().map(|a| json!(a)).collect()),
        );
        if !s.resources.is_empty() {
            out.insert(
                "Resource".into(),
                one_or_many(s.resources.iter().map(|r| self.res(r)).collect()),
            );
        }
        if let Some(c) = &s.condition {
            out.insert(
                "Condition".into(),
                json!({ c.op: { c.key: self.res(&c.value) } }),
            );
        }
        Value::Object(out)
    }

    fn statements(&self, statements: &[Statement]) -> Vec<Value> {
        statements.iter().map(|s| self.statement(s)).collect()
    }
}

fn one_or_many(mut v: Vec<Value>) -> Value {
    if v.len() == 1 {
        v.remove(0)
    } else {
        Value::Array(v)
    }
}

fn convert_rule(
    task: &TaskModel,
    p: &str,
    task_def_arn: &Value,
    cluster_arn: &Value,
) -> Map<String, Value> {
    let mut props = Map::new();
    props.insert("Name".into(), json!(task.rule_name));
    if let Some(d) = &task.description {
        props.insert("Description".into(), json!(d));
    }
    match &task.trigger {
        Trigger::Pattern { pattern, bus } => {
            if let Some(bus) = bus {
                props.insert("EventBusName".into(), json!(bus));
            }
            props.insert("EventPattern".into(), pattern.clone());
        }
        Trigger::Schedule { expression } => {
            props.insert("ScheduleExpression".into(), json!(expression));
        }
    }
    props.insert(
        "State".into(),
        json!(if task.enabled { "ENABLED" } else { "DISABLED" }),
    );
    if !task.tags.is_empty() {
        props.insert("Tags".into(), tags(&task.tags));
    }

    let mut vpc = Map::new();
    vpc.insert(
        "AssignPublicIp".into(),
        json!(if task.network.assign_public_ip {
            "ENABLED"
        } else {
            "DISABLED"
        }),
    );
    if !task.network.security_groups.is_empty() {
        vpc.insert("SecurityGroups".into(), json!(task.network.security_groups));
    }
    vpc.insert("Subnets".into(), json!(task.network.subnets));
    let mut ecs = Map::new();
    ecs.insert("TaskDefinitionArn".into(), task_def_arn.clone());
    ecs.insert("TaskCount".into(), json!(task.count));
    ecs.insert("LaunchType".into(), json!("FARGATE"));
    ecs.insert("PlatformVersion".into(), json!(task.platform_version));
    ecs.insert(
        "NetworkConfiguration".into(),
        json!({ "AwsVpcConfiguration": vpc }),
    );
    if task.propagate_tags {
        ecs.insert("PropagateTags".into(), json!("TASK_DEFINITION"));
    }
    if !task.tags.is_empty() {
        ecs.insert("TagList".into(), tags(&task.tags));
    }

    let mut target = Map::new();
    target.insert("Id".into(), json!(task.id));
    target.insert("Arn".into(), cluster_arn.clone());
    target.insert("RoleArn".into(), get_att(&format!("{p}EventsRole"), "Arn"));
    target.insert("EcsParameters".into(), Value::Object(ecs));
    match &task.input {
        TargetInput::Transformer {
            input_paths,
            input_template,
        } => {
            target.insert(
                "InputTransformer".into(),
                json!({ "InputPathsMap": input_paths, "InputTemplate": input_template }),
            );
        }
        TargetInput::Static { input } => {
            target.insert("Input".into(), json!(input));
        }
    }
    if let Some(retry) = &task.retry {
        let mut r = Map::new();
        if let Some(a) = retry.attempts {
            r.insert("MaximumRetryAttempts".into(), json!(a));
        }
        if let Some(age) = retry.max_event_age {
            r.insert("MaximumEventAgeInSeconds".into(), json!(age));
        }
        target.insert("RetryPolicy".into(), Value::Object(r));
    }
    if let Some(q) = &task.dead_letter_queue {
        target.insert("DeadLetterConfig".into(), json!({ "Arn": q }));
    }
    props.insert("Targets".into(), json!([target]));
    props
}

/// The queue policy CDK adds so EventBridge may send undeliverable events to the dead-letter
/// queue, one per queue with a statement per rule, created only when the stack deploys into the
/// queue's account (a condition), since a policy cannot be attached to another account's queue.
fn convert_queue_policy(
    model: &Model,
    queue: &DeadLetterQueue,
    cluster_arn: &Value,
    cluster_name: &str,
    conditions: &mut Map<String, Value>,
) -> Resource {
    let q = pascal(&queue.name);
    let condition = format!("{q}QueueInStackAccount");
    conditions.insert(
        condition.clone(),
        json!({ "Fn::Equals": [reference("AWS::AccountId"), queue.account] }),
    );
    let queue_url = sub(&format!(
        "https://sqs.{}.${{AWS::URLSuffix}}/{}/{}",
        sub_escape(&queue.region),
        sub_escape(&queue.account),
        sub_escape(&queue.queue_name)
    ));
    let statements: Vec<Value> = model
        .tasks
        .iter()
        .filter(|t| queue.tasks.contains(&t.id))
        .map(|task| {
            let p = pascal(&task.id);
            let refs = Refs {
                p: &p,
                cluster_arn,
                cluster_name,
            };
            refs.statement(&iam::dead_letter_statement(task, &queue.arn))
        })
        .collect();
    Resource {
        id: format!("{q}QueuePolicy"),
        body: json!({
            "Type": "AWS::SQS::QueuePolicy",
            "Condition": condition,
            "Properties": {
                "Queues": [queue_url],
                "PolicyDocument": { "Version": "2012-10-17", "Statement": statements },
            },
        }),
    }
}

/// CloudFormation's stack quotas (CloudFormation user guide, "CloudFormation quotas").
pub const MAX_RESOURCES: usize = 500;
pub const MAX_OUTPUTS: usize = 200;
/// A template body passed inline to the API.
pub const MAX_INLINE_BYTES: usize = 51_200;
/// A template body uploaded to S3 (CDK always uploads; so does `aws cloudformation deploy
/// --s3-bucket`).
pub const MAX_S3_BYTES: usize = 1_048_576;

/// The resources CDK adds to every stack of the generated app: `AWS::CDK::Metadata` (version
/// reporting, on by default; `cdk synth` counts it against the 500).
pub const CDK_EXTRA_RESOURCES: usize = 1;

/// What the stack a spec compiles to would break of CloudFormation's quotas, counted on the
/// template itself. `deploy` is the output: a CloudFormation template in a format (its own size
/// counts; over 51,200 bytes is the `template-size` warning, pass it through S3), a CDK app
/// (its metadata resource counts too; CDK writes JSON and always uploads it), Terraform (no
/// stacks: nothing), or `None` for `tfc check` without a target, which warns about whatever a
/// CloudFormation or CDK deployment would break. Problems that stop a deploy have the code
/// `stack-quota`: errors for a CloudFormation or CDK output, warnings without a target.
pub fn stack_quotas(
    model: &Model,
    deploy: Option<(super::Target, Format)>,
) -> Vec<crate::diagnostics::Diagnostic> {
    use super::Target;
    use crate::diagnostics::Diagnostic;
    if matches!(deploy, Some((Target::Terraform, _))) {
        return Vec::new();
    }
    let view = convert_model(model);
    let doc = view.document();
    let count = |k: &str| doc[k].as_object().map_or(0, Map::len);
    let (resources, outputs) = (count("Resources"), count("Outputs"));
    let size = |format: Format| -> usize {
        CloudFormation
            .render(model, Layout::Single, format)
            .map(|f| f.iter().map(|f| f.contents.len()).sum())
            .unwrap_or(0)
    };
    let problem = |message: String| match deploy {
        Some(_) => Diagnostic::error("stack-quota", "/tasks", message),
        None => Diagnostic::warning("stack-quota", "/tasks", message),
    };
    let split = "split the tasks over several specs (each compiles to its own stack); naming existing roles (`task_role`, `execution_role`) saves up to three resources per task, an existing cluster (`cluster.arn`) one";
    let mut out = Vec::new();
    let cdk_resources = resources + CDK_EXTRA_RESOURCES;
    let resource_problem = match deploy {
        Some((Target::Cdk, _)) => (cdk_resources > MAX_RESOURCES).then(|| {
            format!("compiled to CDK, this spec makes a stack of {cdk_resources} resources ({resources} and CDK's metadata resource); a stack holds at most {MAX_RESOURCES} (CloudFormation quotas), and `cdk synth` refuses more")
        }),
        Some(_) => (resources > MAX_RESOURCES).then(|| {
            format!("compiled to CloudFormation, this spec makes {resources} resources; a stack holds at most {MAX_RESOURCES} (CloudFormation quotas)")
        }),
        None => (cdk_resources > MAX_RESOURCES).then(|| {
            format!("compiled to CloudFormation this spec makes {resources} resources, to CDK {cdk_resources} (with CDK's metadata resource); a stack holds at most {MAX_RESOURCES} (CloudFormation quotas), and `cdk synth` refuses more too")
        }),
    };
    if let Some(message) = resource_problem {
        out.push(problem(message).with_help(split));
    }
    if outputs > MAX_OUTPUTS {
        out.push(
            problem(format!("compiled to CloudFormation or CDK, this spec makes {outputs} outputs (two per task); a stack holds at most {MAX_OUTPUTS}"))
                .with_help(split),
        );
    }
    // The sizes that matter: the format written, or for CDK its JSON; without a target, the
    // default YAML for the inline limit and the larger of the two for the S3 limit.
    let (bytes, inline) = match deploy {
        Some((Target::Cloudformation, f)) => {
            let n = size(f);
            (n, Some(n))
        }
        Some(_) => (size(Format::Json), None),
        None => (
            size(Format::Json).max(size(Format::Yaml)),
            Some(size(Format::Yaml)),
        ),
    };
    if bytes > MAX_S3_BYTES {
        out.push(
            problem(format!("the CloudFormation template is {bytes} bytes; CloudFormation accepts at most {MAX_S3_BYTES} (1 MB, uploaded to S3)"))
                .with_help(split),
        );
    } else if let Some(n) = inline.filter(|n| *n > MAX_INLINE_BYTES) {
        out.push(
            Diagnostic::warning("template-size", "/tasks", format!("the CloudFormation template is {n} bytes, more than the {MAX_INLINE_BYTES} CloudFormation accepts inline"))
                .with_help("deploy it through S3: `aws cloudformation deploy --s3-bucket BUCKET …` uploads it (CDK always does)"),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_resolves() {
        let env = super::environment(&TEMPLATES).expect("templates compile");
        for (name, _) in TEMPLATES {
            assert!(env.get_template(name).is_ok(), "{name}");
        }
    }
}
