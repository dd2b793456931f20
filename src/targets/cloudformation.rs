//! CloudFormation: the resources aws-cdk's L2 constructs (`FargateTaskDefinition`,
//! `events.Rule`, `targets.EcsTask`) synthesize for each task, with readable, stable logical ids
//! (`ManageTaskDefinition`, `ManageRule`, …) and pseudo parameters for account, region and
//! partition.
//!
//! The view model is built as JSON values by small `convert_*` functions (intrinsics in their
//! long form, `Ref`/`Fn::GetAtt`/`Fn::Sub`, so no YAML tags are needed); the templates in
//! `templates/cloudformation/` lay the document out, and every value reaches them serialised
//! (and so escaped) by tfc's YAML or JSON writer: each resource body, section and the JSON
//! document once, in Rust, rather than converted to template values and back per filter call.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{json, Map, Value};

use super::{
    environment, generated_by, pascal, schedule_input, yaml, Backend, Format, Layout, OutputFile,
    RenderError,
};
use crate::plan::{
    arn_of, has_marker, pieces, whole_marker, Architecture, Arn, ClusterRef, Id, Kind, Owner,
    ParamOr, ParamType, Part, Piece, Plan, Resource as PlanResource, Rule, RuleTrigger, Schedule,
    Statement, Target, TargetInput, TaskDefinition,
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

/// The CloudFormation backend.
pub struct CloudFormation;

/// One resource of the view model.
#[derive(Debug, Serialize)]
struct Resource {
    id: String,
    #[serde(skip)]
    body: Value,
    /// The body as YAML at the resource's indentation, filled in for the YAML template (the
    /// serialiser escapes; serialising here rather than in a template filter saves converting
    /// every value to a template value and back).
    yaml: String,
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
    parameters: Map<String, Value>,
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
        if !self.parameters.is_empty() {
            doc.insert("Parameters".into(), Value::Object(self.parameters.clone()));
        }
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
        plan: &Plan,
        layout: Layout,
        format: Format,
    ) -> Result<Vec<OutputFile>, RenderError> {
        let mut view = convert_model(plan);
        let taken: Vec<String> = view
            .shared
            .iter()
            .chain(view.tasks.iter().flat_map(|t| &t.resources))
            .map(|r| r.id.clone())
            .chain(view.outputs.keys().cloned())
            .chain(view.conditions.keys().cloned())
            .collect();
        if let Some(p) = view.parameters.keys().find(|p| taken.contains(p)) {
            return Err(RenderError(format!(
                "parameter logical id `{p}` is also the logical id of a resource, output or condition of the template; rename the parameter"
            )));
        }
        let path = match format {
            Format::Yaml => "template.yaml",
            Format::Json => "template.json",
        };
        let contents = text(&mut view, format)?;
        let mut files = vec![OutputFile {
            path: path.into(),
            contents,
        }];
        // Next to the template, each environment's values in the form `aws cloudformation
        // create-stack --parameters file://…` and `deploy --parameter-overrides file://…`
        // read (and `cfn-lint --parameter-files`).
        if layout == Layout::Directory {
            for set in &plan.value_sets {
                let list: Vec<Value> = set
                    .values
                    .iter()
                    .map(|(name, v)| {
                        json!({ "ParameterKey": parameter_id(name), "ParameterValue": parameter_text(v) })
                    })
                    .collect();
                files.push(OutputFile {
                    path: format!("{}.parameters.json", set.name),
                    contents: super::json_pretty(&Value::Array(list))
                        .map_err(|e| RenderError(e.to_string()))?,
                });
            }
        }
        Ok(files)
    }
}

/// The logical id of a parameter: its name in PascalCase (`image_tag` → `ImageTag`).
fn parameter_id(name: &str) -> String {
    pascal(name)
}

/// A value as CloudFormation parameter text: lists comma-separated, numbers and booleans as
/// their JSON text.
fn parameter_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(items) => items
            .iter()
            .map(parameter_text)
            .collect::<Vec<_>>()
            .join(","),
        other => other.to_string(),
    }
}

/// The `Parameters` entry of each plan parameter: AWS-specific list types where the value can
/// never be empty (the console and `deploy` then check the ids exist), `CommaDelimitedList`
/// where it may; a boolean is a `String` of `true`/`false` (CloudFormation has no boolean
/// type) tested by a condition.
fn parameters(plan: &Plan) -> Map<String, Value> {
    let mut out = Map::new();
    for p in &plan.parameters {
        let mut body = Map::new();
        let kind = match p.kind {
            ParamType::String | ParamType::Arn | ParamType::Boolean => "String",
            ParamType::Number => "Number",
            _ if p.may_be_empty() => "CommaDelimitedList",
            ParamType::SubnetIds => "List<AWS::EC2::Subnet::Id>",
            ParamType::SecurityGroupIds => "List<AWS::EC2::SecurityGroup::Id>",
        };
        body.insert("Type".into(), json!(kind));
        if let Some(d) = &p.description {
            body.insert("Description".into(), json!(d));
        }
        if let Some(d) = &p.default {
            body.insert("Default".into(), json!(parameter_text(d)));
        }
        match (&p.allowed, p.kind) {
            (Some(a), _) => {
                body.insert(
                    "AllowedValues".into(),
                    Value::Array(a.iter().map(|v| json!(parameter_text(v))).collect()),
                );
            }
            (None, ParamType::Boolean) => {
                body.insert("AllowedValues".into(), json!(["true", "false"]));
            }
            _ => {}
        }
        if let (Some(re), ParamType::String | ParamType::Arn) = (&p.pattern, p.kind) {
            body.insert("AllowedPattern".into(), json!(re));
        }
        out.insert(parameter_id(&p.name), Value::Object(body));
    }
    out
}

/// A number field: its literal, as the text CloudFormation's string-typed size properties take
/// (`as_text`), or a `Ref` of its parameter.
fn number(v: &ParamOr<u32>, as_text: bool) -> Value {
    match v {
        ParamOr::Lit(n) if as_text => json!(n.to_string()),
        ParamOr::Lit(n) => json!(n),
        ParamOr::Param(r) => reference(&parameter_id(&r.param)),
    }
}

/// The condition that a boolean parameter is `true`, added to `conditions`.
fn is_true(name: &str, conditions: &mut Map<String, Value>) -> String {
    let id = format!("{}IsTrue", parameter_id(name));
    conditions.insert(
        id.clone(),
        json!({ "Fn::Equals": [reference(&parameter_id(name)), "true"] }),
    );
    id
}

/// The condition that a list parameter is not empty, added to `conditions`.
fn not_empty(name: &str, conditions: &mut Map<String, Value>) -> String {
    let id = format!("{}IsNotEmpty", parameter_id(name));
    conditions.insert(
        id.clone(),
        json!({ "Fn::Not": [{ "Fn::Equals": [{ "Fn::Join": ["", reference(&parameter_id(name))] }, ""] }] }),
    );
    id
}

/// The cluster name of a cluster ARN parameter: the part after `cluster/`.
fn cluster_name_of(name: &str) -> Value {
    json!({ "Fn::Select": [1, { "Fn::Split": ["/", reference(&parameter_id(name))] }] })
}

/// Spells the parameter markers of the plan's strings: a string that is one parameter becomes
/// its `Ref`, one with parameters inside becomes an `Fn::Sub` (its text escaped as
/// [`literal_dollars`] does), and inside tfc's own `Fn::Sub` strings a marker becomes the
/// variable.
fn parameter_refs(v: &mut Value) {
    match v {
        Value::String(s) if has_marker(s) => {
            *v = match whole_marker(s) {
                Some(Piece::Param(name)) => reference(&parameter_id(name)),
                Some(Piece::ClusterName(name)) => cluster_name_of(name),
                _ => substitution(s, true),
            };
        }
        Value::Array(items) => items.iter_mut().for_each(parameter_refs),
        Value::Object(map) => {
            if map.len() == 1 {
                if let Some(Value::String(text)) = map.get("Fn::Sub") {
                    if has_marker(text) {
                        *v = substitution(text, false);
                    }
                    return;
                }
            }
            map.values_mut().for_each(parameter_refs);
        }
        _ => {}
    }
}

/// An `Fn::Sub` of `s` with its markers as variables; `escape` for text that is not already
/// `Fn::Sub` text.
fn substitution(s: &str, escape: bool) -> Value {
    let mut text = String::new();
    let mut vars = Map::new();
    for piece in pieces(s) {
        match piece {
            Piece::Text(t) if escape && t.contains("${") => {
                text.push_str(&t.replace("${", &format!("${{{DOLLAR}}}{{")));
                vars.insert(DOLLAR.into(), json!("$"));
            }
            Piece::Text(t) => text.push_str(t),
            Piece::Param(name) => text.push_str(&format!("${{{}}}", parameter_id(name))),
            Piece::ClusterName(name) => {
                let var = format!("{}ClusterName", parameter_id(name));
                text.push_str(&format!("${{{var}}}"));
                vars.insert(var, cluster_name_of(name));
            }
        }
    }
    if vars.is_empty() {
        json!({ "Fn::Sub": text })
    } else {
        json!({ "Fn::Sub": [text, vars] })
    }
}

/// The template environment, built once per process (templates compile once).
fn template_environment() -> Result<&'static minijinja::Environment<'static>, RenderError> {
    static ENV: std::sync::OnceLock<Result<minijinja::Environment<'static>, String>> =
        std::sync::OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = environment(&TEMPLATES).map_err(|e| e.0)?;
        env.add_filter("yaml_scalar", |v: minijinja::Value| {
            Ok(yaml::scalar(&to_json(&v)?))
        });
        Ok(env)
    })
    .as_ref()
    .map_err(|e| RenderError(e.clone()))
}

/// The template text of `view` in `format`.
fn text(view: &mut View, format: Format) -> Result<String, RenderError> {
    let env = template_environment()?;
    Ok(match format {
        Format::Yaml => {
            for r in view
                .shared
                .iter_mut()
                .chain(view.tasks.iter_mut().flat_map(|t| t.resources.iter_mut()))
            {
                if r.yaml.is_empty() {
                    r.yaml = yaml::to_yaml(&r.body, 2);
                }
            }
            let sections = |m: &Map<String, Value>| yaml::to_yaml(&Value::Object(m.clone()), 1);
            env.get_template(TEMPLATE_YAML)?
                .render(minijinja::context! {
                    view => &*view,
                    parameters => sections(&view.parameters),
                    conditions => sections(&view.conditions),
                    outputs => sections(&view.outputs),
                })?
        }
        Format::Json => {
            let document =
                super::json_pretty(&view.document()).map_err(|e| RenderError(e.to_string()))?;
            env.get_template(TEMPLATE_JSON)?
                .render(minijinja::context! {
                    view => &*view,
                    document => document,
                })?
        }
    })
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

fn tags(tags: &BTreeMap<String, String>) -> Value {
    Value::Array(
        tags.iter()
            .map(|(k, v)| json!({"Key": k, "Value": v}))
            .collect(),
    )
}

/// Adds `Tags` when there are any.
fn with_tags(mut props: Map<String, Value>, t: &BTreeMap<String, String>) -> Map<String, Value> {
    if !t.is_empty() {
        props.insert("Tags".into(), tags(t));
    }
    props
}

/// The logical id of a plan resource: its neutral name in PascalCase (`manage-events-role` →
/// `ManageEventsRole`).
fn logical_id(id: &Id) -> String {
    pascal(&id.name())
}

/// The CloudFormation resource type of each kind of plan entry. A target is not a resource of
/// its own here: it is written into its rule's `Targets`.
fn resource_type(kind: &Kind) -> Option<&'static str> {
    Some(match kind {
        Kind::Cluster(_) => "AWS::ECS::Cluster",
        Kind::CapacityProviders(_) => "AWS::ECS::ClusterCapacityProviderAssociations",
        Kind::LogGroup(_) => "AWS::Logs::LogGroup",
        Kind::Role(_) => "AWS::IAM::Role",
        Kind::Policy(_) => "AWS::IAM::Policy",
        Kind::TaskDefinition(_) => "AWS::ECS::TaskDefinition",
        Kind::Rule(_) => "AWS::Events::Rule",
        Kind::QueuePolicy(_) => "AWS::SQS::QueuePolicy",
        Kind::Schedule(_) => "AWS::Scheduler::Schedule",
        Kind::Target(_) => return None,
    })
}

/// How this template refers to what the plan names.
struct Refs<'a> {
    plan: &'a Plan,
    /// Every plan resource by id, built once: lookups stay O(1) however many tasks there are.
    index: std::collections::HashMap<&'a Id, &'a PlanResource>,
}

impl Refs<'_> {
    /// The ARN of a plan resource or an existing one.
    fn arn(&self, a: &Arn) -> Value {
        match a {
            Arn::Literal { text } => json!(text),
            // `Ref` of a task definition is its ARN; the others' `Ref` is a name.
            Arn::Of { id } if id.part == Part::TaskDefinition => reference(&logical_id(id)),
            Arn::Of { id } | Arn::LogStreams { id } => get_att(&logical_id(id), "Arn"),
            Arn::Repository { repository: repo } => sub(&format!(
                "arn:${{AWS::Partition}}:ecr:{}:{}:repository/{}",
                sub_escape(&repo.region),
                sub_escape(&repo.account),
                sub_escape(&repo.name)
            )),
            Arn::ClusterTasks { cluster } => sub(&format!(
                "arn:${{AWS::Partition}}:ecs:${{AWS::Region}}:${{AWS::AccountId}}:task/{}/*",
                match cluster {
                    // `Ref` of a cluster is its name.
                    ClusterRef::Created { id } => format!("${{{}}}", logical_id(id)),
                    ClusterRef::Existing { name, .. } => sub_escape(name),
                }
            )),
            Arn::Account => reference("AWS::AccountId"),
        }
    }

    fn cluster_arn(&self, c: &ClusterRef) -> Value {
        match c {
            ClusterRef::Created { id } => get_att(&logical_id(id), "Arn"),
            ClusterRef::Existing { arn, .. } => json!(arn),
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
                one_or_many(s.resources.iter().map(|r| self.arn(r)).collect()),
            );
        }
        if let Some(c) = &s.condition {
            out.insert(
                "Condition".into(),
                json!({ c.op: { c.key: self.arn(&c.value) } }),
            );
        }
        Value::Object(out)
    }

    fn document(&self, statements: &[Statement]) -> Value {
        json!({
            "Version": "2012-10-17",
            "Statement": statements.iter().map(|s| self.statement(s)).collect::<Vec<_>>(),
        })
    }
}

fn convert_model(plan: &Plan) -> View {
    let refs = Refs {
        plan,
        index: plan.resources().map(|r| (&r.id, r)).collect(),
    };
    let mut conditions = Map::new();
    let mut shared = Vec::new();
    let mut tasks = Vec::new();
    for group in &plan.groups {
        let resources: Vec<Resource> = group
            .resources
            .iter()
            .filter_map(|r| convert_resource(r, &refs, &mut conditions))
            .collect();
        match &group.comment {
            None => shared.extend(resources),
            Some(comment) => tasks.push(TaskGroup {
                comment: comment.clone(),
                resources,
            }),
        }
    }
    for r in shared
        .iter_mut()
        .chain(tasks.iter_mut().flat_map(|t| t.resources.iter_mut()))
    {
        if let Some(props) = r.body.get_mut("Properties") {
            parameter_refs(props);
            literal_dollars(props);
        }
    }
    let mut outputs = Map::new();
    for o in &plan.outputs {
        let mut value = refs.arn(&o.value);
        parameter_refs(&mut value);
        outputs.insert(
            pascal(&o.name),
            json!({ "Description": o.description, "Value": value }),
        );
    }
    View {
        header: generated_by(),
        description: plan.stack_description.clone(),
        parameters: parameters(plan),
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

/// One plan entry as a template resource (`None` for a target, which its rule holds).
fn convert_resource(
    r: &PlanResource,
    refs: &Refs<'_>,
    conditions: &mut Map<String, Value>,
) -> Option<Resource> {
    let kind = resource_type(&r.kind)?;
    let id = logical_id(&r.id);
    let mut body = Map::new();
    body.insert("Type".into(), json!(kind));
    let mut depends_on = r.depends_on.clone();
    let props = match &r.kind {
        Kind::Cluster(c) => {
            let mut props = Map::new();
            props.insert("ClusterName".into(), json!(c.name));
            props
        }
        Kind::CapacityProviders(c) => {
            let mut props = Map::new();
            props.insert("Cluster".into(), reference(&logical_id(&c.cluster)));
            props.insert(
                "CapacityProviders".into(),
                json!(c.providers.iter().map(|p| p.name()).collect::<Vec<_>>()),
            );
            // Required; empty: a task without a strategy names its launch type.
            props.insert("DefaultCapacityProviderStrategy".into(), json!([]));
            props
        }
        Kind::LogGroup(g) => {
            if g.retain_on_delete {
                body.insert("DeletionPolicy".into(), json!("Retain"));
                body.insert("UpdateReplacePolicy".into(), json!("Retain"));
            }
            let mut props = Map::new();
            props.insert("LogGroupName".into(), json!(g.name));
            if let Some(days) = g.retention_days {
                props.insert("RetentionInDays".into(), json!(days));
            }
            props
        }
        Kind::Role(role) => {
            let mut props = Map::new();
            props.insert("RoleName".into(), json!(role.name));
            if let Some(path) = &role.path {
                props.insert("Path".into(), json!(path));
            }
            props.insert(
                "AssumeRolePolicyDocument".into(),
                refs.document(std::slice::from_ref(&role.trust)),
            );
            if !role.managed_policies.is_empty() {
                props.insert("ManagedPolicyArns".into(), json!(role.managed_policies));
            }
            if let Some(b) = &role.permissions_boundary {
                props.insert("PermissionsBoundary".into(), json!(b));
            }
            props
        }
        Kind::Policy(p) => {
            let mut props = Map::new();
            props.insert("PolicyName".into(), json!(p.name));
            props.insert("PolicyDocument".into(), refs.document(&p.statements));
            props.insert("Roles".into(), json!([reference(&logical_id(&p.role))]));
            props
        }
        Kind::TaskDefinition(def) => convert_definition(def, refs),
        Kind::Rule(rule) => {
            // A rule's target is its owner's `target` entry.
            let target = refs
                .index
                .get(&Id::new(&r.id.owner, Part::Target))
                .and_then(|t| match &t.kind {
                    Kind::Target(target) if target.rule == r.id => Some((*t, target)),
                    _ => None,
                });
            let mut props = convert_rule(rule, &r.tags, conditions);
            if let Some((t, target)) = target {
                props.insert(
                    "Targets".into(),
                    json!([convert_target(target, refs, conditions)]),
                );
                depends_on.extend(t.depends_on.iter().cloned());
            }
            props
        }
        Kind::QueuePolicy(q) => {
            let condition = format!(
                "{}QueueInStackAccount",
                pascal(&match &r.id.owner {
                    Owner::Queue(name) | Owner::Task(name) => name.clone(),
                    Owner::Stack => String::new(),
                })
            );
            conditions.insert(
                condition.clone(),
                json!({ "Fn::Equals": [reference("AWS::AccountId"), q.only_in_account] }),
            );
            body.insert("Condition".into(), json!(condition));
            let mut props = Map::new();
            props.insert(
                "Queues".into(),
                json!([sub(&format!(
                    "https://sqs.{}.${{AWS::URLSuffix}}/{}/{}",
                    sub_escape(&q.region),
                    sub_escape(&q.account),
                    sub_escape(&q.queue_name)
                ))]),
            );
            props.insert("PolicyDocument".into(), refs.document(&q.statements));
            props
        }
        Kind::Schedule(sc) => convert_schedule(sc, refs, conditions),
        Kind::Target(_) => return None,
    };
    if !depends_on.is_empty() {
        body.insert(
            "DependsOn".into(),
            json!(depends_on.iter().map(logical_id).collect::<Vec<_>>()),
        );
    }
    let props = match &r.kind {
        // The rule writes its tags itself, before its targets.
        Kind::Rule(_) => props,
        _ => with_tags(props, &r.tags),
    };
    body.insert("Properties".into(), Value::Object(props));
    Some(Resource {
        id,
        body: Value::Object(body),
        yaml: String::new(),
    })
}

fn convert_definition(def: &TaskDefinition, refs: &Refs<'_>) -> Map<String, Value> {
    let c = &def.container;
    let mut container = Map::new();
    container.insert("Name".into(), json!(c.name));
    container.insert("Image".into(), json!(c.image));
    container.insert("Essential".into(), json!(true));
    if let Some(ep) = &c.entry_point {
        container.insert("EntryPoint".into(), json!(ep));
    }
    if let Some(cmd) = &c.command {
        container.insert("Command".into(), json!(cmd));
    }
    if !c.environment.is_empty() {
        let env: Vec<Value> = c
            .environment
            .iter()
            .map(|(k, v)| json!({"Name": k, "Value": v}))
            .collect();
        container.insert("Environment".into(), Value::Array(env));
    }
    if !c.secrets.is_empty() {
        let secrets: Vec<Value> = c
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
                "awslogs-group": reference(&logical_id(&c.log_group)),
                "awslogs-region": reference("AWS::Region"),
                "awslogs-stream-prefix": c.stream_prefix,
            }
        }),
    );
    if c.read_only_root_filesystem {
        container.insert("ReadonlyRootFilesystem".into(), json!(true));
    }
    if !c.mount_points.is_empty() {
        let mounts: Vec<Value> = c
            .mount_points
            .iter()
            .map(|(volume, path)| {
                json!({"SourceVolume": volume, "ContainerPath": path, "ReadOnly": false})
            })
            .collect();
        container.insert("MountPoints".into(), Value::Array(mounts));
    }
    if let Some(t) = c.stop_timeout {
        container.insert("StopTimeout".into(), json!(t));
    }
    if let Some(u) = &c.user {
        container.insert("User".into(), json!(u));
    }

    let mut props = Map::new();
    props.insert("Family".into(), json!(def.family));
    props.insert("Cpu".into(), number(&def.cpu, true));
    props.insert("Memory".into(), number(&def.memory, true));
    props.insert("NetworkMode".into(), json!("awsvpc"));
    props.insert("RequiresCompatibilities".into(), json!(["FARGATE"]));
    if def.architecture == Architecture::Arm64 {
        props.insert(
            "RuntimePlatform".into(),
            json!({"CpuArchitecture": "ARM64", "OperatingSystemFamily": "LINUX"}),
        );
    }
    props.insert(
        "ExecutionRoleArn".into(),
        refs.arn(&arn_of(&def.execution_role)),
    );
    props.insert("TaskRoleArn".into(), refs.arn(&arn_of(&def.task_role)));
    if let Some(gib) = def.ephemeral_storage {
        props.insert("EphemeralStorage".into(), json!({ "SizeInGiB": gib }));
    }
    if !def.volumes.is_empty() {
        let volumes: Vec<Value> = def.volumes.iter().map(|v| json!({ "Name": v })).collect();
        props.insert("Volumes".into(), Value::Array(volumes));
    }
    props.insert("ContainerDefinitions".into(), json!([container]));
    props
}

/// Escapes text for the literal part of an `Fn::Sub` string (`${` would start a variable).
/// Every piece of spec text inside an `Fn::Sub` goes through it, even where validation already
/// rules `$` out, so a grammar mistake can never become a reference.
fn sub_escape(s: &str) -> String {
    s.replace("${", "${!")
}

fn one_or_many(mut v: Vec<Value>) -> Value {
    if v.len() == 1 {
        v.remove(0)
    } else {
        Value::Array(v)
    }
}

fn convert_rule(
    rule: &Rule,
    rule_tags: &BTreeMap<String, String>,
    conditions: &mut Map<String, Value>,
) -> Map<String, Value> {
    let mut props = Map::new();
    props.insert("Name".into(), json!(rule.name));
    if let Some(d) = &rule.description {
        props.insert("Description".into(), json!(d));
    }
    match &rule.trigger {
        RuleTrigger::Pattern { pattern, bus } => {
            if let Some(bus) = bus {
                props.insert("EventBusName".into(), json!(bus));
            }
            props.insert("EventPattern".into(), pattern.clone());
        }
        RuleTrigger::Schedule { expression } => {
            props.insert("ScheduleExpression".into(), json!(expression));
        }
    }
    let state = |on: bool| json!(if on { "ENABLED" } else { "DISABLED" });
    props.insert(
        "State".into(),
        match &rule.enabled {
            ParamOr::Lit(on) => state(*on),
            ParamOr::Param(r) => {
                json!({ "Fn::If": [is_true(&r.param, conditions), state(true), state(false)] })
            }
        },
    );
    if !rule_tags.is_empty() {
        props.insert("Tags".into(), tags(rule_tags));
    }
    props
}

/// The awsvpc configuration of a RunTask, as rules and schedules both write it.
fn awsvpc(t: &Target, refs: &Refs<'_>, conditions: &mut Map<String, Value>) -> Map<String, Value> {
    let mut vpc = Map::new();
    vpc.insert(
        "AssignPublicIp".into(),
        json!(if t.network.assign_public_ip {
            "ENABLED"
        } else {
            "DISABLED"
        }),
    );
    match &t.network.security_groups {
        ParamOr::Lit(groups) if groups.is_empty() => {}
        ParamOr::Lit(groups) => {
            vpc.insert("SecurityGroups".into(), json!(groups));
        }
        ParamOr::Param(r) => {
            let p = refs.plan.parameters.iter().find(|p| p.name == r.param);
            let groups = reference(&parameter_id(&r.param));
            vpc.insert(
                "SecurityGroups".into(),
                if p.is_some_and(|p| p.may_be_empty()) {
                    json!({ "Fn::If": [not_empty(&r.param, conditions), groups, reference("AWS::NoValue")] })
                } else {
                    groups
                },
            );
        }
    }
    vpc.insert(
        "Subnets".into(),
        match &t.network.subnets {
            ParamOr::Lit(subnets) => json!(subnets),
            ParamOr::Param(r) => reference(&parameter_id(&r.param)),
        },
    );
    vpc
}

/// Placement and the RunTask options, spelled alike in a rule's and a schedule's
/// `EcsParameters`: the launch type or the capacity provider strategy (never both), ECS Exec,
/// ECS managed tags and the task group, each only when the spec sets it.
fn run_options(ecs: &mut Map<String, Value>, t: &Target) {
    match t.run.launch_type() {
        Some(launch) => {
            ecs.insert("LaunchType".into(), json!(launch));
        }
        None => {
            let strategy: Vec<Value> = t
                .run
                .capacity_provider_strategy
                .iter()
                .map(|i| {
                    let mut item = Map::new();
                    item.insert("CapacityProvider".into(), json!(i.provider.name()));
                    item.insert("Weight".into(), json!(i.weight));
                    if i.base > 0 {
                        item.insert("Base".into(), json!(i.base));
                    }
                    Value::Object(item)
                })
                .collect();
            ecs.insert("CapacityProviderStrategy".into(), Value::Array(strategy));
        }
    }
    if t.run.enable_execute_command {
        ecs.insert("EnableExecuteCommand".into(), json!(true));
    }
    if t.run.enable_ecs_managed_tags {
        ecs.insert("EnableECSManagedTags".into(), json!(true));
    }
    if let Some(g) = &t.run.group {
        ecs.insert("Group".into(), json!(g));
    }
}

fn convert_target(t: &Target, refs: &Refs<'_>, conditions: &mut Map<String, Value>) -> Value {
    let vpc = awsvpc(t, refs, conditions);
    let mut ecs = Map::new();
    ecs.insert(
        "TaskDefinitionArn".into(),
        refs.arn(&arn_of(&t.task_definition)),
    );
    ecs.insert("TaskCount".into(), number(&t.count, false));
    run_options(&mut ecs, t);
    ecs.insert("PlatformVersion".into(), json!(t.platform_version));
    ecs.insert(
        "NetworkConfiguration".into(),
        json!({ "AwsVpcConfiguration": vpc }),
    );
    if t.propagate_tags {
        ecs.insert("PropagateTags".into(), json!("TASK_DEFINITION"));
    }
    if !t.task_tags.is_empty() {
        ecs.insert("TagList".into(), tags(&t.task_tags));
    }

    let mut target = Map::new();
    target.insert("Id".into(), json!(t.target_id));
    target.insert("Arn".into(), refs.cluster_arn(&t.cluster));
    target.insert("RoleArn".into(), refs.arn(&arn_of(&t.role)));
    target.insert("EcsParameters".into(), Value::Object(ecs));
    match &t.input {
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
    if let Some(retry) = &t.retry {
        let mut r = Map::new();
        if let Some(a) = retry.attempts {
            r.insert("MaximumRetryAttempts".into(), json!(a));
        }
        if let Some(age) = retry.max_event_age {
            r.insert("MaximumEventAgeInSeconds".into(), json!(age));
        }
        target.insert("RetryPolicy".into(), Value::Object(r));
    }
    if let Some(q) = &t.dead_letter_queue {
        target.insert("DeadLetterConfig".into(), json!({ "Arn": q }));
    }
    Value::Object(target)
}

/// `AWS::Scheduler::Schedule`: the schedule and its ECS target (`Target.EcsParameters`, the
/// overrides as a static `Input`).
fn convert_schedule(
    sc: &Schedule,
    refs: &Refs<'_>,
    conditions: &mut Map<String, Value>,
) -> Map<String, Value> {
    let t = &sc.target;
    let mut props = Map::new();
    props.insert("Name".into(), json!(sc.name));
    if let Some(g) = &sc.group {
        props.insert("GroupName".into(), json!(g));
    }
    if let Some(d) = &sc.description {
        props.insert("Description".into(), json!(d));
    }
    props.insert("ScheduleExpression".into(), json!(sc.expression));
    props.insert("ScheduleExpressionTimezone".into(), json!(sc.timezone));
    props.insert(
        "FlexibleTimeWindow".into(),
        match sc.flexible_window {
            None => json!({ "Mode": "OFF" }),
            Some(m) => json!({ "Mode": "FLEXIBLE", "MaximumWindowInMinutes": m }),
        },
    );
    if let Some(d) = &sc.start {
        props.insert("StartDate".into(), json!(d));
    }
    if let Some(d) = &sc.end {
        props.insert("EndDate".into(), json!(d));
    }
    let state = |on: bool| json!(if on { "ENABLED" } else { "DISABLED" });
    props.insert(
        "State".into(),
        match &sc.enabled {
            ParamOr::Lit(on) => state(*on),
            ParamOr::Param(r) => {
                json!({ "Fn::If": [is_true(&r.param, conditions), state(true), state(false)] })
            }
        },
    );
    let vpc = awsvpc(t, refs, conditions);
    let mut ecs = Map::new();
    ecs.insert(
        "TaskDefinitionArn".into(),
        refs.arn(&arn_of(&t.task_definition)),
    );
    ecs.insert("TaskCount".into(), number(&t.count, false));
    run_options(&mut ecs, t);
    ecs.insert("PlatformVersion".into(), json!(t.platform_version));
    ecs.insert(
        "NetworkConfiguration".into(),
        json!({ "AwsvpcConfiguration": vpc }),
    );
    if t.propagate_tags {
        ecs.insert("PropagateTags".into(), json!("TASK_DEFINITION"));
    }
    if !t.task_tags.is_empty() {
        // Scheduler's RunTask tags: a list of `{key, value}` maps.
        let list: Vec<Value> = t
            .task_tags
            .iter()
            .map(|(k, v)| json!({ "key": k, "value": v }))
            .collect();
        ecs.insert("Tags".into(), Value::Array(list));
    }
    let mut target = Map::new();
    target.insert("Arn".into(), refs.cluster_arn(&t.cluster));
    target.insert("RoleArn".into(), refs.arn(&arn_of(&t.role)));
    target.insert("EcsParameters".into(), Value::Object(ecs));
    if let Some(input) = schedule_input(t) {
        target.insert("Input".into(), json!(input));
    }
    if let Some(retry) = &t.retry {
        target.insert(
            "RetryPolicy".into(),
            json!({
                "MaximumEventAgeInSeconds": retry.max_event_age,
                "MaximumRetryAttempts": retry.attempts,
            }),
        );
    }
    if let Some(q) = &t.dead_letter_queue {
        target.insert("DeadLetterConfig".into(), json!({ "Arn": q }));
    }
    props.insert("Target".into(), Value::Object(target));
    props
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
    plan: &Plan,
    deploy: Option<(super::Target, Format)>,
) -> Vec<crate::diagnostics::Diagnostic> {
    use super::Target;
    use crate::diagnostics::Diagnostic;
    if matches!(deploy, Some((Target::Terraform, _))) {
        return Vec::new();
    }
    // Counted on the plan (a template has a resource for each plan entry but the targets, which
    // their rules hold): the template itself is built only to measure a stack that fits.
    let resources = plan
        .resources()
        .filter(|r| !matches!(r.kind, Kind::Target(_)))
        .count();
    let outputs = plan.outputs.len();
    let mut view = None;
    // Exactly the bytes `render` writes, from one view.
    let mut size = |format: Format| -> usize {
        let view = view.get_or_insert_with(|| convert_model(plan));
        debug_assert_eq!(
            resources,
            view.shared.len() + view.tasks.iter().map(|t| t.resources.len()).sum::<usize>()
        );
        text(view, format).map_or(0, |t| t.len())
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
    // A stack over the resource or output quota is refused whatever its size: its template is
    // not built just to say it is large too (for 1,000 tasks that was most of `check`).
    if !out.is_empty() {
        return out;
    }
    // The sizes that matter: the format written, or for CDK its JSON; without a target, the
    // default YAML for the inline limit and the larger of the two for the S3 limit.
    let (bytes, inline) = match deploy {
        Some((Target::Cloudformation, f)) => {
            let n = size(f);
            (n, Some(n))
        }
        Some(_) => (size(Format::Json), None),
        None => {
            let yaml = size(Format::Yaml);
            (size(Format::Json).max(yaml), Some(yaml))
        }
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
