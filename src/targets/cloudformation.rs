//! CloudFormation: the resources aws-cdk's L2 constructs (`FargateTaskDefinition`,
//! `events.Rule`, `targets.EcsTask`) synthesize for each task, with readable, stable logical ids
//! (`ManageTaskDefinition`, `ManageRule`, …) and pseudo parameters for account, region and
//! partition.
//!
//! The view model is built as document trees ([`Node`]) by small `convert_*` functions
//! (intrinsics in their long form, `Ref`/`Fn::GetAtt`/`Fn::Sub`, so no YAML tags are needed);
//! the templates in `templates/cloudformation/` lay the document out, and every value reaches
//! the output serialised (and so escaped) by tfc's YAML or JSON writer: each resource body,
//! section and the JSON document in Rust, written straight into the output where the template
//! places it (the template sees a marker for each body; see [`write`]). The same code measures
//! a template without building it ([`stack_quotas`]), by writing into a [`Count`].

use std::borrow::Cow;
use std::cell::Cell;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Range;
use std::sync::Arc;

use minijinja::value::{Enumerator, Object, ObjectRepr};

use serde::ser::{Error as _, SerializeMap, Serializer};
use serde::Serialize;
use serde_json::{json, Value};

use super::yaml::{self, Count, Map, Node, Nodes, Sink};
use super::{
    environment, generated_by, pascal, schedule_input, Backend, Format, Layout, OutputFile,
    RenderError,
};
use crate::plan::{
    has_marker, pieces, whole_marker, Architecture, Arn, ClusterRef, Group, Id, Kind, Owner,
    ParamOr, ParamType, Part, Piece, Plan, Ref, Resource as PlanResource, Rule, RuleTrigger,
    Schedule, Statement, Target, TargetInput, TaskDefinition,
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

/// A top-level section (`Parameters`, `Conditions`, `Outputs`): a map with an index of its
/// keys, so that setting a key again (a condition every task of a parameter names) replaces
/// its value in place at any size.
#[derive(Debug, Default)]
struct Section<'a> {
    map: Map<'a>,
    index: HashMap<String, usize>,
}

impl<'a> Section<'a> {
    fn insert(&mut self, key: String, value: Node<'a>) {
        match self.index.get(&key) {
            Some(&i) => self.map.0[i].1 = value,
            None => {
                self.index.insert(key.clone(), self.map.len());
                self.map.0.push((Cow::Owned(key), value));
            }
        }
    }

    fn contains(&self, key: &str) -> bool {
        self.index.contains_key(key)
    }

    fn get(&self, key: &str) -> Option<&Node<'a>> {
        self.index.get(key).map(|&i| &self.map.0[i].1)
    }

    fn keys(&self) -> impl Iterator<Item = &str> {
        self.map.0.iter().map(|(k, _)| k.as_ref())
    }
}

/// The template's view model. A resource's body is converted when it is written
/// ([`View::body`]), so a template holds one body at a time.
struct View<'a> {
    refs: Refs<'a>,
    description: &'a str,
    parameters: Section<'a>,
    conditions: Section<'a>,
    /// The plan's outputs (their section is built when it is written: [`View::outputs`]).
    plan_outputs: &'a [crate::plan::Output],
    /// What the YAML template lays out, the resources' logical ids among it.
    layout: &'a Arc<LayoutData>,
    /// Every body, when kept ([`View::keep_bodies`]).
    kept: Vec<Node<'a>>,
}

impl<'a> View<'a> {
    /// The logical id of the `n`th resource.
    fn id(&self, n: usize) -> &str {
        &self.layout.ids[n]
    }

    /// The body of the `n`th resource: the one kept ([`View::keep_bodies`]), or converted now.
    fn body(&self, n: usize) -> Result<Cow<'_, Node<'a>>, RenderError> {
        match self.kept.get(n) {
            Some(body) => Ok(Cow::Borrowed(body)),
            None => self.convert(n).map(Cow::Owned),
        }
    }

    /// The `Outputs` section.
    fn outputs(&self) -> Section<'a> {
        let b = &self.refs.nodes;
        let mut outputs = Section::default();
        for o in self.plan_outputs {
            let mut value = self.refs.arn(&o.value);
            spell(b, &mut value, false);
            outputs.insert(
                output_id(o),
                b.obj([("Description", text(&o.description)), ("Value", value)]),
            );
        }
        outputs
    }

    /// Gives back a body written, its lists and maps for the next.
    fn done(&self, body: Cow<'_, Node<'a>>) {
        if let Cow::Owned(body) = body {
            self.refs.nodes.recycle(body);
        }
    }

    /// Converts every body once and keeps them, for writing the template more than once (its
    /// size in both formats): a template that fits a stack is small.
    fn keep_bodies(&mut self) -> Result<(), RenderError> {
        self.kept = (0..self.refs.entries.len())
            .map(|n| self.convert(n))
            .collect::<Result<_, _>>()?;
        Ok(())
    }

    /// The body of the `n`th resource, its strings spelled, checked to name only conditions
    /// the template has.
    fn convert(&self, n: usize) -> Result<Node<'a>, RenderError> {
        let entry = self.refs.entries.get(n).ok_or_else(|| {
            RenderError(format!(
                "the template places resource {n} of {}",
                self.refs.entries.len()
            ))
        })?;
        // Its references are mostly to its own group's resources (or the shared ones).
        let group = match n.checked_sub(self.layout.shared) {
            None => (0, self.layout.shared),
            Some(_) => {
                let tasks = &self.layout.tasks;
                let at = tasks.partition_point(|(_, r)| r.end <= n);
                tasks.get(at).map_or((0, 0), |(_, r)| (r.start, r.end))
            }
        };
        self.refs.group.set(group);
        let mut named = Section::default();
        let mut body = convert_resource(entry, &self.refs, &mut named)
            .ok_or_else(|| RenderError(format!("`{}` is no template resource", self.id(n))))?;
        if let Some((id, _)) = named
            .map
            .0
            .iter()
            .find(|(id, value)| self.conditions.get(id) != Some(value))
        {
            return Err(RenderError(format!(
                "`{}` names the condition `{id}`, which the template's conditions lack",
                self.id(n)
            )));
        }
        if let Node::Map(body) = &mut body {
            if let Some(props) = body.get_mut("Properties") {
                spell(&self.refs.nodes, props, true);
            }
        }
        Ok(body)
    }
}

/// What the YAML template lays out: the text around the bodies. The template reads it through
/// minijinja objects ([`LayoutObject`]), made as it reads them, and sees a marker for each body
/// ([`Slot`]).
#[derive(Debug)]
struct LayoutData {
    header: String,
    description: String,
    /// The resources' logical ids, in template order.
    ids: Vec<String>,
    /// How many of them (the first) are the stack's shared resources.
    shared: usize,
    /// Each task's comment and its resources (a range of `ids`).
    tasks: Vec<(String, Range<usize>)>,
}

/// A body the template places.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    /// The `n`th resource body, in template order.
    Resource(usize),
    Parameters,
    Conditions,
    Outputs,
    /// The whole JSON document.
    Document,
}

/// Opens and closes a [`Slot`]'s marker in the template's output. tfc's output never holds it:
/// it is not printable, so every writer escapes it (and the `comment` filter drops it).
const MARK: char = '\u{0}';

impl Slot {
    /// The slot's marker: its name between two [`MARK`]s.
    fn marker(self) -> minijinja::Value {
        let name = match self {
            Slot::Resource(mut n) => {
                // The digits from the end, between the two marks (a short string is kept inline
                // in the template value: no allocation per resource).
                let mut buf = [MARK as u8; 24];
                let mut at = buf.len() - 1;
                loop {
                    at -= 1;
                    buf[at] = b'0' + (n % 10) as u8;
                    n /= 10;
                    if n == 0 {
                        break;
                    }
                }
                return minijinja::Value::from(std::str::from_utf8(&buf[at - 1..]).unwrap_or(""));
            }
            Slot::Parameters => "\0parameters\0",
            Slot::Conditions => "\0conditions\0",
            Slot::Outputs => "\0outputs\0",
            Slot::Document => "\0document\0",
        };
        minijinja::Value::from(name)
    }

    fn parse(name: &str) -> Option<Slot> {
        Some(match name {
            "parameters" => Slot::Parameters,
            "conditions" => Slot::Conditions,
            "outputs" => Slot::Outputs,
            "document" => Slot::Document,
            n => Slot::Resource(n.parse().ok()?),
        })
    }
}

/// The YAML template's `view`: the layout, and whether the sections it may leave out have
/// entries.
#[derive(Debug)]
struct LayoutObject {
    layout: Arc<LayoutData>,
    parameters: bool,
    conditions: bool,
}

impl Object for LayoutObject {
    fn get_value(self: &Arc<Self>, key: &minijinja::Value) -> Option<minijinja::Value> {
        self.get_value_by_str(key.as_str()?)
    }

    fn get_value_by_str(self: &Arc<Self>, key: &str) -> Option<minijinja::Value> {
        let layout = &self.layout;
        let section = |present: bool, slot: Slot| {
            if present {
                slot.marker()
            } else {
                minijinja::Value::from(false)
            }
        };
        Some(match key {
            "header" => minijinja::Value::from(layout.header.as_str()),
            "description" => minijinja::Value::from(layout.description.as_str()),
            "parameters" => section(self.parameters, Slot::Parameters),
            "conditions" => section(self.conditions, Slot::Conditions),
            "outputs" => Slot::Outputs.marker(),
            "shared" => minijinja::Value::from_object(ResourcesObject {
                layout: layout.clone(),
                range: 0..layout.shared,
            }),
            "tasks" => minijinja::Value::from_object(TasksObject(layout.clone())),
            _ => return None,
        })
    }
}

/// `view.tasks`: each task's `comment` and `resources`.
#[derive(Debug)]
struct TasksObject(Arc<LayoutData>);

impl Object for TasksObject {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Seq
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Seq(self.0.tasks.len())
    }

    fn get_value(self: &Arc<Self>, key: &minijinja::Value) -> Option<minijinja::Value> {
        let (comment, range) = self.0.tasks.get(key.as_usize()?)?;
        Some(minijinja::context! {
            comment => comment.as_str(),
            resources => minijinja::Value::from_object(ResourcesObject {
                layout: self.0.clone(),
                range: range.clone(),
            }),
        })
    }
}

/// `view.shared`, a task's `resources`: each resource's `id` and `body`.
#[derive(Debug)]
struct ResourcesObject {
    layout: Arc<LayoutData>,
    range: Range<usize>,
}

impl Object for ResourcesObject {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Seq
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Seq(self.range.len())
    }

    fn get_value(self: &Arc<Self>, key: &minijinja::Value) -> Option<minijinja::Value> {
        let n = self.range.start + key.as_usize()?;
        (n < self.range.end).then(|| {
            minijinja::Value::from_object(ResourceObject {
                layout: self.layout.clone(),
                n,
            })
        })
    }
}

/// One resource: its logical `id` and the marker of its `body`.
#[derive(Debug)]
struct ResourceObject {
    layout: Arc<LayoutData>,
    n: usize,
}

impl Object for ResourceObject {
    fn get_value(self: &Arc<Self>, key: &minijinja::Value) -> Option<minijinja::Value> {
        self.get_value_by_str(key.as_str()?)
    }

    fn get_value_by_str(self: &Arc<Self>, key: &str) -> Option<minijinja::Value> {
        match key {
            "id" => Some(minijinja::Value::from(self.layout.ids[self.n].as_str())),
            "body" => Some(Slot::Resource(self.n).marker()),
            _ => None,
        }
    }
}

/// The JSON document, serialised from the view's parts where they are.
struct JsonDocument<'v, 'a>(&'v View<'a>);

impl Serialize for JsonDocument<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let view = self.0;
        let mut doc = s.serialize_map(None)?;
        doc.serialize_entry("AWSTemplateFormatVersion", "2010-09-09")?;
        doc.serialize_entry("Description", view.description)?;
        if !view.parameters.map.is_empty() {
            doc.serialize_entry("Parameters", &view.parameters.map)?;
        }
        if !view.conditions.map.is_empty() {
            doc.serialize_entry("Conditions", &view.conditions.map)?;
        }
        doc.serialize_entry("Resources", &JsonResources(view))?;
        let outputs = view.outputs();
        doc.serialize_entry("Outputs", &outputs.map)?;
        view.refs.nodes.recycle(Node::Map(outputs.map));
        doc.end()
    }
}

/// The `Resources` map of the JSON document.
struct JsonResources<'v, 'a>(&'v View<'a>);

impl Serialize for JsonResources<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let view = self.0;
        let order = json_resource_order(view);
        let mut map = s.serialize_map(Some(order.len()))?;
        for n in order {
            let body = view.body(n).map_err(S::Error::custom)?;
            map.serialize_entry(view.id(n), &*body)?;
            view.done(body);
        }
        map.end()
    }
}

impl Backend for CloudFormation {
    fn render(
        &self,
        plan: &Plan,
        layout: Layout,
        format: Format,
    ) -> Result<Vec<OutputFile>, RenderError> {
        let (layout_data, entries) = layout_of(plan);
        let layout_data = Arc::new(layout_data);
        let view = convert_model(plan, &layout_data, entries);
        if !view.parameters.map.is_empty() {
            let ids: HashSet<&str> = view.layout.ids.iter().map(String::as_str).collect();
            if let Some(p) = view.parameters.keys().find(|p| {
                ids.contains(p)
                    || view.plan_outputs.iter().any(|o| output_id(o) == *p)
                    || view.conditions.contains(p)
            }) {
                return Err(RenderError(format!(
                    "parameter logical id `{p}` is also the logical id of a resource, output or condition of the template; rename the parameter"
                )));
            }
        }
        let path = match format {
            Format::Yaml => "template.yaml",
            Format::Json => "template.json",
        };
        let contents = text_of(&view, format)?;
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

/// The logical id of an output: its name in PascalCase (`manage-rule-arn` → `ManageRuleArn`).
fn output_id(o: &crate::plan::Output) -> String {
    pascal_into(String::with_capacity(o.name.len()), &o.name)
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

/// A string node.
fn text<'a>(s: impl Into<Cow<'a, str>>) -> Node<'a> {
    Node::Str(s.into())
}

/// A list of strings.
fn texts<'a>(b: &Nodes<'a>, items: &'a [String]) -> Node<'a> {
    b.list_of(items.iter().map(|s| text(s.as_str())))
}

fn num<'a>(n: u32) -> Node<'a> {
    Node::Number(n.into())
}

/// The `Parameters` entry of each plan parameter: AWS-specific list types where the value can
/// never be empty (the console and `deploy` then check the ids exist), `CommaDelimitedList`
/// where it may; a boolean is a `String` of `true`/`false` (CloudFormation has no boolean
/// type) tested by a condition.
fn parameters<'a>(b: &Nodes<'a>, plan: &'a Plan) -> Section<'a> {
    let mut out = Section::default();
    for p in &plan.parameters {
        let mut body = b.map();
        let kind = match p.kind {
            ParamType::String | ParamType::Arn | ParamType::Boolean => "String",
            ParamType::Number => "Number",
            _ if p.may_be_empty() => "CommaDelimitedList",
            ParamType::SubnetIds => "List<AWS::EC2::Subnet::Id>",
            ParamType::SecurityGroupIds => "List<AWS::EC2::SecurityGroup::Id>",
        };
        body.push("Type", text(kind));
        if let Some(d) = &p.description {
            body.push("Description", text(d));
        }
        if let Some(d) = &p.default {
            body.push("Default", text(parameter_text(d)));
        }
        match (&p.allowed, p.kind) {
            (Some(a), _) => {
                body.push(
                    "AllowedValues",
                    b.list_of(a.iter().map(|v| text(parameter_text(v)))),
                );
            }
            (None, ParamType::Boolean) => {
                body.push("AllowedValues", b.list([text("true"), text("false")]));
            }
            _ => {}
        }
        if let (Some(re), ParamType::String | ParamType::Arn) = (&p.pattern, p.kind) {
            body.push("AllowedPattern", text(re));
        }
        out.insert(parameter_id(&p.name), Node::Map(body));
    }
    out
}

/// A number field: its literal, as the text CloudFormation's string-typed size properties take
/// (`as_text`), or a `Ref` of its parameter.
fn number<'a>(b: &Nodes<'a>, v: &ParamOr<u32>, as_text: bool) -> Node<'a> {
    match v {
        ParamOr::Lit(n) if as_text => text(n.to_string()),
        ParamOr::Lit(n) => num(*n),
        ParamOr::Param(r) => reference(b, parameter_id(&r.param)),
    }
}

/// The condition that a boolean parameter is `true`, added to `conditions`.
fn is_true<'a>(b: &Nodes<'a>, name: &str, conditions: &mut Section<'a>) -> String {
    let id = format!("{}IsTrue", parameter_id(name));
    conditions.insert(
        id.clone(),
        b.obj([(
            "Fn::Equals",
            b.list([reference(b, parameter_id(name)), text("true")]),
        )]),
    );
    id
}

/// The condition that a list parameter is not empty, added to `conditions`.
fn not_empty<'a>(b: &Nodes<'a>, name: &str, conditions: &mut Section<'a>) -> String {
    let id = format!("{}IsNotEmpty", parameter_id(name));
    let joined = b.obj([(
        "Fn::Join",
        b.list([text(""), reference(b, parameter_id(name))]),
    )]);
    conditions.insert(
        id.clone(),
        b.obj([(
            "Fn::Not",
            b.list([b.obj([("Fn::Equals", b.list([joined, text("")]))])]),
        )]),
    );
    id
}

/// The cluster name of a cluster ARN parameter: the part after `cluster/`.
fn cluster_name_of<'a>(b: &Nodes<'a>, name: &str) -> Node<'a> {
    b.obj([(
        "Fn::Select",
        b.list([
            num(1),
            b.obj([(
                "Fn::Split",
                b.list([text("/"), reference(b, parameter_id(name))]),
            )]),
        ]),
    )])
}

/// Spells the strings of a resource's properties (or, without `dollars`, of an output) in one
/// walk. The parameter markers of the plan's strings: a string that is one parameter becomes
/// its `Ref`, one with parameters inside becomes an `Fn::Sub` (its text escaped as below), and
/// inside tfc's own `Fn::Sub` strings a marker becomes the variable. Then, with `dollars`, every
/// literal string holding `${` becomes `Fn::Sub` with `$` as a variable: `echo ${HOME}` becomes
/// `{"Fn::Sub": ["echo ${Dollar}{HOME}", {"Dollar": "$"}]}`, which CloudFormation resolves
/// back to exactly `echo ${HOME}`. A plain string would do at deploy time, but cfn-lint
/// (E1029) and CDK's template validation read `${X}` outside an `Fn::Sub` as a forgotten
/// reference; `${!X}` escapes would leave a `Fn::Sub` without variables (cfn-lint W1020).
/// Intrinsics (`Ref`, `Condition`, `Fn::*`: tfc's own, and the markers' spellings) keep their
/// literal text.
fn spell<'a>(b: &Nodes<'a>, v: &mut Node<'a>, dollars: bool) {
    match v {
        Node::Str(s) => {
            // Most strings hold neither a marker (its bytes start with 0xEE) nor a `$`.
            if !has_either_byte(s.as_bytes(), b'$', 0xEE) {
                return;
            }
            if has_marker(s) {
                *v = match whole_marker(s) {
                    Some(Piece::Param(name)) => reference(b, parameter_id(name)),
                    Some(Piece::ClusterName(name)) => cluster_name_of(b, name),
                    _ => substitution(b, s, true),
                };
            } else if dollars && s.contains("${") {
                let spelled = s.replace("${", &format!("${{{DOLLAR}}}{{"));
                *v = b.obj([(
                    "Fn::Sub",
                    b.list([text(spelled), b.obj([(DOLLAR, text("$"))])]),
                )]);
            }
        }
        Node::List(items) => items.iter_mut().for_each(|v| spell(b, v, dollars)),
        Node::Map(map) => {
            if map.len() == 1 {
                if let Some(Node::Str(text)) = map.get("Fn::Sub") {
                    if has_marker(text) {
                        *v = substitution(b, text, false);
                    }
                    return;
                }
            }
            let intrinsic = map.len() == 1
                && map
                    .0
                    .first()
                    .is_some_and(|(k, _)| k == "Ref" || k == "Condition" || k.starts_with("Fn::"));
            let dollars = dollars && !intrinsic;
            map.0.iter_mut().for_each(|(_, v)| spell(b, v, dollars));
        }
        _ => {}
    }
}

/// Whether `bytes` holds `a` or `b`, looked for eight bytes at a time.
fn has_either_byte(bytes: &[u8], a: u8, b: u8) -> bool {
    const LOW: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGH: u64 = u64::from_ne_bytes([0x80; 8]);
    // A byte of `x` is zero exactly where the word has the byte looked for.
    let zero_byte = |x: u64| x.wrapping_sub(LOW) & !x & HIGH != 0;
    let (aa, bb) = (LOW * u64::from(a), LOW * u64::from(b));
    let mut words = bytes.chunks_exact(8);
    for word in &mut words {
        let mut w = [0; 8];
        w.copy_from_slice(word);
        let w = u64::from_ne_bytes(w);
        if zero_byte(w ^ aa) || zero_byte(w ^ bb) {
            return true;
        }
    }
    words.remainder().iter().any(|&c| c == a || c == b)
}

/// An `Fn::Sub` of `s` with its markers as variables; `escape` for text that is not already
/// `Fn::Sub` text (its `${` spelled as [`spell`] spells a literal one).
fn substitution<'a>(b: &Nodes<'a>, s: &str, escape: bool) -> Node<'a> {
    let mut text = String::new();
    let mut vars = b.map();
    for piece in pieces(s) {
        match piece {
            Piece::Text(t) if escape && t.contains("${") => {
                text.push_str(&t.replace("${", &format!("${{{DOLLAR}}}{{")));
                vars.insert(DOLLAR, self::text("$"));
            }
            Piece::Text(t) => text.push_str(t),
            Piece::Param(name) => text.push_str(&format!("${{{}}}", parameter_id(name))),
            Piece::ClusterName(name) => {
                let var = format!("{}ClusterName", parameter_id(name));
                text.push_str(&format!("${{{var}}}"));
                vars.insert(var, cluster_name_of(b, name));
            }
        }
    }
    if vars.is_empty() {
        b.obj([("Fn::Sub", self::text(text))])
    } else {
        b.obj([("Fn::Sub", b.list([self::text(text), Node::Map(vars)]))])
    }
}

/// The template environment, built once per process (templates compile once).
fn template_environment() -> Result<&'static minijinja::Environment<'static>, RenderError> {
    static ENV: std::sync::OnceLock<Result<minijinja::Environment<'static>, String>> =
        std::sync::OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = environment(&TEMPLATES).map_err(|e| e.0)?;
        // Strings (all these templates print) as they are, without the formatting machinery
        // Display goes through; anything else as minijinja prints it.
        env.set_formatter(|out, state, value| match value.as_str() {
            Some(s) => out.write_str(s).map_err(minijinja::Error::from),
            None => minijinja::escape_formatter(out, state, value),
        });
        env.add_filter("yaml_scalar", |v: minijinja::Value| {
            Ok(yaml::scalar(&to_json(&v)?))
        });
        Ok(env)
    })
    .as_ref()
    .map_err(|e| RenderError(e.clone()))
}

/// The template text of `view` in `format`.
fn text_of(view: &View, format: Format) -> Result<String, RenderError> {
    Ok(match format {
        Format::Yaml => {
            let mut out = String::new();
            write(view, format, &mut out)?;
            out
        }
        Format::Json => {
            // Bytes, as `serde_json` writes them (valid UTF-8 by construction).
            let mut out = Vec::new();
            write(view, format, &mut out)?;
            String::from_utf8(out).map_err(|e| RenderError(e.to_string()))?
        }
    })
}

/// The length in bytes of [`text_of`]'s text, measured by writing it into a [`Count`].
fn size_of(view: &View, format: Format) -> Result<usize, RenderError> {
    let mut count = Count::default();
    write(view, format, &mut count)?;
    Ok(count.0)
}

/// Where [`write`] writes: a sink the JSON document can be serialised into too.
trait Out: Sink {
    fn json<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), serde_json::Error>;

    /// The JSON document of `view` (a count adds up its size without serialising it).
    fn document(&mut self, view: &View) -> Result<(), RenderError> {
        self.json(&JsonDocument(view))
            .map_err(|e| RenderError(e.to_string()))
    }

    /// For a buffer (not a count): the bytes in it, and those it takes before it grows.
    fn fill(&self) -> Option<(usize, usize)> {
        None
    }

    /// Makes room for `additional` bytes more, exactly (a buffer).
    fn reserve(&mut self, additional: usize) {
        let _ = additional;
    }
}

impl Out for String {
    fn json<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), serde_json::Error> {
        self.push_str(&super::json_pretty(value)?);
        Ok(())
    }

    fn fill(&self) -> Option<(usize, usize)> {
        Some((self.len(), self.capacity() - self.len()))
    }

    fn reserve(&mut self, additional: usize) {
        self.reserve_exact(additional);
    }
}

impl Out for Vec<u8> {
    fn json<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), serde_json::Error> {
        super::write_json_pretty(self, value)
    }
}

impl Out for Count {
    fn json<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), serde_json::Error> {
        super::write_json_pretty(self, value)
    }

    fn document(&mut self, view: &View) -> Result<(), RenderError> {
        self.0 += json_document_len(view)?;
        Ok(())
    }
}

/// The bytes [`JsonDocument`] takes, entry for entry, counted by [`super::json_len`].
fn json_document_len(view: &View) -> Result<usize, RenderError> {
    use super::{json_len, json_map_len, json_object_len, json_str_len};
    let mut entries = vec![
        ("AWSTemplateFormatVersion", json_str_len("2010-09-09")),
        ("Description", json_str_len(view.description)),
    ];
    if !view.parameters.map.is_empty() {
        entries.push(("Parameters", json_object_len(&view.parameters.map, 1)));
    }
    if !view.conditions.map.is_empty() {
        entries.push(("Conditions", json_object_len(&view.conditions.map, 1)));
    }
    let mut resources = Vec::with_capacity(view.layout.ids.len());
    for n in json_resource_order(view) {
        let body = view.body(n)?;
        resources.push((view.id(n), json_len(&body, 2)));
        view.done(body);
    }
    entries.push(("Resources", json_map_len(resources.into_iter(), 1)));
    let outputs = view.outputs();
    entries.push(("Outputs", json_object_len(&outputs.map, 1)));
    view.refs.nodes.recycle(Node::Map(outputs.map));
    Ok(json_map_len(entries.into_iter(), 0))
}

/// The resources in the order the JSON document writes them: each logical id once (they are
/// distinct: validation keeps task ids from colliding; were two the same, a JSON map holds the
/// key once, where it first came, with the last value).
fn json_resource_order(view: &View) -> Vec<usize> {
    let ids = &view.layout.ids;
    let mut at: HashMap<&str, usize> = HashMap::with_capacity(ids.len());
    let mut order: Vec<usize> = Vec::with_capacity(ids.len());
    for (n, id) in ids.iter().enumerate() {
        match at.get(id.as_str()) {
            Some(&i) => order[i] = n,
            None => {
                at.insert(id, order.len());
                order.push(n);
            }
        }
    }
    order
}

/// Writes the template of `view` in `format`: the template lays the document out with a marker
/// where each body goes (see [`Slot`]), and each body is written in its place, straight into
/// `out`, by the YAML emitter or `json_pretty`'s serialiser.
fn write<S: Out>(view: &View, format: Format, out: &mut S) -> Result<(), RenderError> {
    let env = template_environment()?;
    let page = match format {
        Format::Yaml => env
            .get_template(TEMPLATE_YAML)?
            .render(minijinja::context! {
                view => minijinja::Value::from_object(LayoutObject {
                    layout: view.layout.clone(),
                    parameters: !view.parameters.map.is_empty(),
                    conditions: !view.conditions.map.is_empty(),
                }),
            })?,
        Format::Json => env
            .get_template(TEMPLATE_JSON)?
            .render(minijinja::context! { document => Slot::Document.marker() })?,
    };
    let mut parts = page.split(MARK);
    let first = parts.next().unwrap_or_default();
    out.put(first);
    // The page's text not written yet, and the bodies written: a buffer grows to what the
    // bodies so far say the rest takes rather than to twice its size (see `make_room`).
    let mut page_left = page.len() - first.len();
    let mut written = 0;
    let mut plain = yaml::Plain::new();
    while let Some(name) = parts.next() {
        let (Some(slot), Some(after)) = (Slot::parse(name), parts.next()) else {
            return Err(RenderError(format!(
                "the template has a broken body marker `{}`",
                name.escape_debug()
            )));
        };
        page_left -= name.len() + 2 * MARK.len_utf8() + after.len();
        match (slot, format) {
            (Slot::Resource(n), Format::Yaml) => {
                make_room(out, written, view.refs.entries.len() - written, page_left);
                let body = view.body(n)?;
                yaml::write_block(&body, 2, out, &mut plain);
                view.done(body);
                written += 1;
            }
            (Slot::Parameters, Format::Yaml) => {
                yaml::write_map_block(&view.parameters.map, 1, out, &mut plain);
            }
            (Slot::Conditions, Format::Yaml) => {
                yaml::write_map_block(&view.conditions.map, 1, out, &mut plain);
            }
            (Slot::Outputs, Format::Yaml) => {
                let outputs = view.outputs();
                if out.fill().is_some() {
                    let mut size = Count::default();
                    yaml::write_map_block(&outputs.map, 1, &mut size, &mut plain);
                    out.reserve(size.0 + after.len() + page_left);
                }
                yaml::write_map_block(&outputs.map, 1, out, &mut plain);
                view.refs.nodes.recycle(Node::Map(outputs.map));
            }
            (Slot::Document, Format::Json) => out.document(view)?,
            (slot, format) => {
                return Err(RenderError(format!(
                    "the {format:?} template places {slot:?}, which only the other format has"
                )))
            }
        }
        out.put(after);
    }
    Ok(())
}

/// Before the next body: when a buffer is about to grow, room for what the bodies written so
/// far (once there are enough to say) take on average for each of the bodies `left`, a
/// sixteenth more, and the page's text `page_left`: it ends up close to the text's size, not
/// up to twice it by doubling. (Only the buffer's capacity depends on this guess.)
fn make_room<S: Out>(out: &mut S, written: usize, left: usize, page_left: usize) {
    let Some((len, room)) = out.fill() else {
        return;
    };
    if written < 16 {
        return;
    }
    let average = len / written;
    if room < 4 * average {
        out.reserve(average * left / 16 * 17 + page_left);
    }
}

fn filter_error(e: serde_json::Error) -> minijinja::Error {
    minijinja::Error::new(minijinja::ErrorKind::InvalidOperation, e.to_string())
}

/// A template value back as JSON, for the serialising filters.
fn to_json(v: &minijinja::Value) -> Result<Value, minijinja::Error> {
    serde_json::to_value(v).map_err(filter_error)
}

fn sub<'a>(b: &Nodes<'a>, s: String) -> Node<'a> {
    b.obj([("Fn::Sub", text(s))])
}

fn get_att<'a>(b: &Nodes<'a>, id: Cow<'a, str>, attr: &'static str) -> Node<'a> {
    b.obj([("Fn::GetAtt", b.list([text(id), text(attr)]))])
}

fn reference<'a>(b: &Nodes<'a>, id: impl Into<Cow<'a, str>>) -> Node<'a> {
    b.obj([("Ref", text(id))])
}

fn tags<'a>(b: &Nodes<'a>, tags: &'a BTreeMap<String, String>) -> Node<'a> {
    b.list_of(
        tags.iter()
            .map(|(k, v)| b.obj([("Key", text(k)), ("Value", text(v))])),
    )
}

/// Adds `Tags` when there are any.
fn with_tags<'a>(b: &Nodes<'a>, mut props: Map<'a>, t: &'a BTreeMap<String, String>) -> Map<'a> {
    if !t.is_empty() {
        props.push("Tags", tags(b, t));
    }
    props
}

/// The logical id of a plan resource: its neutral name in PascalCase (`manage-events-role` →
/// `ManageEventsRole`), as `pascal(&id.name())` spells it, in one allocation.
fn logical_id(id: &Id) -> String {
    let part = id.part.name();
    match &id.owner {
        Owner::Stack => pascal_into(String::with_capacity(part.len()), part),
        Owner::Task(t) | Owner::Queue(t) => {
            let out = pascal_into(String::with_capacity(t.len() + part.len()), t);
            pascal_into(out, part)
        }
    }
}

/// The logical ids of `entries`, as [`logical_id`] spells them, each owner's name spelled once
/// for the run of its resources.
fn logical_ids(entries: &[&PlanResource]) -> Vec<String> {
    let mut owner: Option<(&Owner, String)> = None;
    // Each part's name spelled once (by its place in `Part`).
    let mut parts: Vec<Option<String>> = Vec::new();
    entries
        .iter()
        .map(|r| {
            let prefix = match &r.id.owner {
                Owner::Stack => "",
                Owner::Task(name) | Owner::Queue(name) => {
                    if owner.as_ref().is_none_or(|(o, _)| *o != &r.id.owner) {
                        owner = Some((&r.id.owner, pascal_into(String::new(), name)));
                    }
                    owner.as_ref().map_or("", |(_, p)| p.as_str())
                }
            };
            let at = r.id.part as usize;
            if parts.len() <= at {
                parts.resize(at + 1, None);
            }
            let part =
                parts[at].get_or_insert_with(|| pascal_into(String::new(), r.id.part.name()));
            let mut id = String::with_capacity(prefix.len() + part.len());
            id.push_str(prefix);
            id.push_str(part);
            id
        })
        .collect()
}

/// Appends `s` in PascalCase ([`crate::plan::push_pascal`]) to `out`.
fn pascal_into(mut out: String, s: &str) -> String {
    crate::plan::push_pascal(&mut out, s);
    out
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
    /// The plan's targets by owner, built once: a rule finds its target in O(1) however many
    /// tasks there are.
    targets: HashMap<&'a Owner, &'a PlanResource>,
    /// The template's resources in order (each plan entry but the targets), the first
    /// `shared` the stack's own; their logical ids (the layout's); and where each is.
    entries: Vec<&'a PlanResource>,
    shared: usize,
    ids: &'a [String],
    names: HashMap<&'a Id, usize>,
    /// The resources of the group being converted (a range of `entries`), looked at first.
    group: Cell<(usize, usize)>,
    /// Where the bodies' lists and maps come from (and go back to once written).
    nodes: Nodes<'a>,
}

impl<'a> Refs<'a> {
    /// The logical id of a plan resource: the layout's, built once per resource. Found among
    /// the group being converted and the shared resources (nearly every reference), else by
    /// hash.
    fn logical(&self, id: &Id) -> Cow<'a, str> {
        let (start, end) = self.group.get();
        let mut near = (start..end).chain(0..self.shared);
        if let Some(n) = near
            .find(|&n| self.entries[n].id.part == id.part && self.entries[n].id.owner == id.owner)
        {
            return Cow::Borrowed(self.ids[n].as_str());
        }
        match self.names.get(id) {
            Some(&n) => Cow::Borrowed(self.ids[n].as_str()),
            None => Cow::Owned(logical_id(id)),
        }
    }

    /// The ARN of a plan resource or an existing one.
    fn arn(&self, a: &'a Arn) -> Node<'a> {
        let b = &self.nodes;
        match a {
            Arn::Literal { text: t } => text(t),
            Arn::Of { id } => self.arn_of(id),
            Arn::LogStreams { id } => get_att(b, self.logical(id), "Arn"),
            Arn::Repository { repository: repo } => sub(
                b,
                format!(
                    "arn:${{AWS::Partition}}:ecr:{}:{}:repository/{}",
                    sub_escape(&repo.region),
                    sub_escape(&repo.account),
                    sub_escape(&repo.name)
                ),
            ),
            Arn::ClusterTasks { cluster } => sub(
                b,
                format!(
                    "arn:${{AWS::Partition}}:ecs:${{AWS::Region}}:${{AWS::AccountId}}:task/{}/*",
                    match cluster {
                        // `Ref` of a cluster is its name.
                        ClusterRef::Created { id } => format!("${{{}}}", self.logical(id)),
                        ClusterRef::Existing { name, .. } => sub_escape(name).into_owned(),
                    }
                ),
            ),
            Arn::Account => reference(b, "AWS::AccountId"),
        }
    }

    /// The ARN of a resource the plan creates: `Ref` of a task definition is its ARN; the
    /// others' `Ref` is a name.
    fn arn_of(&self, id: &Id) -> Node<'a> {
        let b = &self.nodes;
        if id.part == Part::TaskDefinition {
            reference(b, self.logical(id))
        } else {
            get_att(b, self.logical(id), "Arn")
        }
    }

    /// The ARN a [`Ref`] stands for (as `arn(&arn_of(r))`, without copying it).
    fn ref_arn(&self, r: &'a Ref) -> Node<'a> {
        match r {
            Ref::Created { id } => self.arn_of(id),
            Ref::Existing { arn } => text(arn),
        }
    }

    fn cluster_arn(&self, c: &'a ClusterRef) -> Node<'a> {
        let b = &self.nodes;
        match c {
            ClusterRef::Created { id } => get_att(b, self.logical(id), "Arn"),
            ClusterRef::Existing { arn, .. } => text(arn),
        }
    }

    fn statement(&self, s: &'a Statement) -> Node<'a> {
        let b = &self.nodes;
        let mut out = b.map();
        if let Some(sid) = &s.sid {
            out.push("Sid", text(sid));
        }
        out.push("Effect", text("Allow"));
        if let Some(service) = s.service_principal {
            out.push("Principal", b.obj([("Service", text(service))]));
        }
        out.push("Action", one_or_many(b, &s.actions, text));
        if !s.resources.is_empty() {
            out.push("Resource", one_or_many(b, &s.resources, |r| self.arn(r)));
        }
        if let Some(c) = &s.condition {
            let mut inner = b.map();
            inner.push(c.key, self.arn(&c.value));
            let mut outer = b.map();
            outer.push(c.op, Node::Map(inner));
            out.push("Condition", Node::Map(outer));
        }
        Node::Map(out)
    }

    fn document(&self, statements: &'a [Statement]) -> Node<'a> {
        let b = &self.nodes;
        b.obj([
            ("Version", text("2012-10-17")),
            (
                "Statement",
                b.list_of(statements.iter().map(|s| self.statement(s))),
            ),
        ])
    }
}

/// What the template lays out, decided from the plan alone, and its resources in the same
/// order: each plan entry but the targets, the stack's shared ones first, then each task's.
fn layout_of(plan: &Plan) -> (LayoutData, Vec<&PlanResource>) {
    let mut entries = Vec::new();
    let mut tasks = Vec::new();
    fn resources(group: &Group) -> impl Iterator<Item = &PlanResource> {
        group
            .resources
            .iter()
            .filter(|r| resource_type(&r.kind).is_some())
    }
    for group in plan.groups.iter().filter(|g| g.comment.is_none()) {
        entries.extend(resources(group));
    }
    let shared = entries.len();
    for group in &plan.groups {
        if let Some(comment) = &group.comment {
            let start = entries.len();
            entries.extend(resources(group));
            // A lowered plan has none empty (a task has its rule or schedule, a queue its
            // policy), but a group without resources is left out rather than written as a
            // bare comment: the template writes the line break after the comment with the
            // first resource.
            if entries.len() > start {
                tasks.push((comment.clone(), start..entries.len()));
            }
        }
    }
    let layout = LayoutData {
        header: generated_by(),
        description: plan.stack_description.clone(),
        ids: logical_ids(&entries),
        shared,
        tasks,
    };
    (layout, entries)
}

fn convert_model<'a>(
    plan: &'a Plan,
    layout: &'a Arc<LayoutData>,
    entries: Vec<&'a PlanResource>,
) -> View<'a> {
    let refs = Refs {
        plan,
        targets: plan
            .resources()
            .filter(|r| r.id.part == Part::Target)
            .map(|r| (&r.id.owner, r))
            .collect(),
        names: entries
            .iter()
            .enumerate()
            .map(|(n, r)| (&r.id, n))
            .collect(),
        entries,
        shared: layout.shared,
        group: Cell::new((0, 0)),
        ids: &layout.ids,
        nodes: Nodes::default(),
    };
    let b = &refs.nodes;
    // The template lists its conditions before the resources that name them: they are
    // collected here by converting the resources that can name any, in plan order (queue
    // policies; rules and schedules only for a parameter: `enabled`, security groups), and
    // each body written later is checked to name no other (`View::body`).
    let has_parameters = !plan.parameters.is_empty();
    let mut conditions = Section::default();
    for r in plan.resources() {
        let names_conditions = match r.kind {
            Kind::QueuePolicy(_) => true,
            Kind::Rule(_) | Kind::Schedule(_) => has_parameters,
            _ => false,
        };
        if let Some(body) = names_conditions
            .then(|| convert_resource(r, &refs, &mut conditions))
            .flatten()
        {
            b.recycle(body);
        }
    }
    let parameters = parameters(b, plan);
    View {
        refs,
        description: &plan.stack_description,
        parameters,
        conditions,
        plan_outputs: &plan.outputs,
        layout,
        kept: Vec::new(),
    }
}

/// The variable [`spell`] spells a literal `$` with.
pub const DOLLAR: &str = "Dollar";

/// The body of a plan entry as a template resource (`None` for a target, which its rule
/// holds), adding the conditions it names to `conditions`.
fn convert_resource<'a>(
    r: &'a PlanResource,
    refs: &Refs<'a>,
    conditions: &mut Section<'a>,
) -> Option<Node<'a>> {
    let b = &refs.nodes;
    let kind = resource_type(&r.kind)?;
    let mut body = b.map();
    body.push("Type", text(kind));
    let mut depends_on: Vec<&Id> = r.depends_on.iter().collect();
    let props = match &r.kind {
        Kind::Cluster(c) => {
            let mut props = b.map();
            props.push("ClusterName", text(&c.name));
            props
        }
        Kind::CapacityProviders(c) => {
            let mut props = b.map();
            props.push("Cluster", reference(b, refs.logical(&c.cluster)));
            props.push(
                "CapacityProviders",
                b.list_of(c.providers.iter().map(|p| text(p.name()))),
            );
            // Required; empty: a task without a strategy names its launch type.
            props.push("DefaultCapacityProviderStrategy", b.list([]));
            props
        }
        Kind::LogGroup(g) => {
            if g.retain_on_delete {
                body.push("DeletionPolicy", text("Retain"));
                body.push("UpdateReplacePolicy", text("Retain"));
            }
            let mut props = b.map();
            props.push("LogGroupName", text(&g.name));
            if let Some(days) = g.retention_days {
                props.push("RetentionInDays", num(days));
            }
            props
        }
        Kind::Role(role) => {
            let mut props = b.map();
            props.push("RoleName", text(&role.name));
            if let Some(path) = &role.path {
                props.push("Path", text(path));
            }
            props.push(
                "AssumeRolePolicyDocument",
                refs.document(std::slice::from_ref(&role.trust)),
            );
            if !role.managed_policies.is_empty() {
                props.push("ManagedPolicyArns", texts(b, &role.managed_policies));
            }
            if let Some(b) = &role.permissions_boundary {
                props.push("PermissionsBoundary", text(b));
            }
            props
        }
        Kind::Policy(p) => {
            let mut props = b.map();
            props.push("PolicyName", text(&p.name));
            props.push("PolicyDocument", refs.document(&p.statements));
            props.push("Roles", b.list([reference(b, refs.logical(&p.role))]));
            props
        }
        Kind::TaskDefinition(def) => convert_definition(def, refs),
        Kind::Rule(rule) => {
            // A rule's target is its owner's `target` entry.
            let target = refs.targets.get(&r.id.owner).and_then(|t| match &t.kind {
                Kind::Target(target) if target.rule == r.id => Some((*t, target)),
                _ => None,
            });
            let mut props = convert_rule(b, rule, &r.tags, conditions);
            if let Some((t, target)) = target {
                props.push(
                    "Targets",
                    b.list([convert_target(target, refs, conditions)]),
                );
                depends_on.extend(&t.depends_on);
            }
            props
        }
        Kind::QueuePolicy(q) => {
            let condition = format!(
                "{}QueueInStackAccount",
                pascal(match &r.id.owner {
                    Owner::Queue(name) | Owner::Task(name) => name,
                    Owner::Stack => "",
                })
            );
            conditions.insert(
                condition.clone(),
                b.obj([(
                    "Fn::Equals",
                    b.list([reference(b, "AWS::AccountId"), text(&q.only_in_account)]),
                )]),
            );
            body.push("Condition", text(condition));
            let mut props = b.map();
            props.push(
                "Queues",
                b.list([sub(
                    b,
                    format!(
                        "https://sqs.{}.${{AWS::URLSuffix}}/{}/{}",
                        sub_escape(&q.region),
                        sub_escape(&q.account),
                        sub_escape(&q.queue_name)
                    ),
                )]),
            );
            props.push("PolicyDocument", refs.document(&q.statements));
            props
        }
        Kind::Schedule(sc) => convert_schedule(sc, refs, conditions),
        Kind::Target(_) => return None,
    };
    if !depends_on.is_empty() {
        body.push(
            "DependsOn",
            b.list_of(depends_on.into_iter().map(|d| text(refs.logical(d)))),
        );
    }
    let props = match &r.kind {
        // The rule writes its tags itself, before its targets.
        Kind::Rule(_) => props,
        _ => with_tags(b, props, &r.tags),
    };
    body.push("Properties", Node::Map(props));
    Some(Node::Map(body))
}

fn convert_definition<'a>(def: &'a TaskDefinition, refs: &Refs<'a>) -> Map<'a> {
    let b = &refs.nodes;
    let c = &def.container;
    let mut container = b.map();
    container.push("Name", text(&c.name));
    container.push("Image", text(&c.image));
    container.push("Essential", Node::Bool(true));
    if let Some(ep) = &c.entry_point {
        container.push("EntryPoint", texts(b, ep));
    }
    if let Some(cmd) = &c.command {
        container.push("Command", texts(b, cmd));
    }
    if !c.environment.is_empty() {
        let env = c
            .environment
            .iter()
            .map(|(k, v)| b.obj([("Name", text(k)), ("Value", text(v))]));
        container.push("Environment", b.list_of(env));
    }
    if !c.secrets.is_empty() {
        let secrets = c
            .secrets
            .iter()
            .map(|s| b.obj([("Name", text(&s.name)), ("ValueFrom", text(&s.value_from))]));
        container.push("Secrets", b.list_of(secrets));
    }
    container.push(
        "LogConfiguration",
        b.obj([
            ("LogDriver", text("awslogs")),
            (
                "Options",
                b.obj([
                    ("awslogs-group", reference(b, refs.logical(&c.log_group))),
                    ("awslogs-region", reference(b, "AWS::Region")),
                    ("awslogs-stream-prefix", text(&c.stream_prefix)),
                ]),
            ),
        ]),
    );
    if c.read_only_root_filesystem {
        container.push("ReadonlyRootFilesystem", Node::Bool(true));
    }
    if !c.mount_points.is_empty() {
        let mounts = c.mount_points.iter().map(|(volume, path)| {
            b.obj([
                ("SourceVolume", text(volume)),
                ("ContainerPath", text(path)),
                ("ReadOnly", Node::Bool(false)),
            ])
        });
        container.push("MountPoints", b.list_of(mounts));
    }
    if let Some(t) = c.stop_timeout {
        container.push("StopTimeout", num(t));
    }
    if let Some(u) = &c.user {
        container.push("User", text(u));
    }

    let mut props = b.map();
    props.push("Family", text(&def.family));
    props.push("Cpu", number(b, &def.cpu, true));
    props.push("Memory", number(b, &def.memory, true));
    props.push("NetworkMode", text("awsvpc"));
    props.push("RequiresCompatibilities", b.list([text("FARGATE")]));
    if def.architecture == Architecture::Arm64 {
        props.push(
            "RuntimePlatform",
            b.obj([
                ("CpuArchitecture", text("ARM64")),
                ("OperatingSystemFamily", text("LINUX")),
            ]),
        );
    }
    props.push("ExecutionRoleArn", refs.ref_arn(&def.execution_role));
    props.push("TaskRoleArn", refs.ref_arn(&def.task_role));
    if let Some(gib) = def.ephemeral_storage {
        props.push("EphemeralStorage", b.obj([("SizeInGiB", num(gib))]));
    }
    if !def.volumes.is_empty() {
        let volumes = def.volumes.iter().map(|v| b.obj([("Name", text(v))]));
        props.push("Volumes", b.list_of(volumes));
    }
    props.push("ContainerDefinitions", b.list([Node::Map(container)]));
    props
}

/// Escapes text for the literal part of an `Fn::Sub` string (`${` would start a variable).
/// Every piece of spec text inside an `Fn::Sub` goes through it, even where validation already
/// rules `$` out, so a grammar mistake can never become a reference.
fn sub_escape(s: &str) -> Cow<'_, str> {
    if s.contains("${") {
        Cow::Owned(s.replace("${", "${!"))
    } else {
        Cow::Borrowed(s)
    }
}

/// The one item alone, or the list of them.
fn one_or_many<'a, T>(b: &Nodes<'a>, items: &'a [T], node: impl Fn(&'a T) -> Node<'a>) -> Node<'a> {
    match items {
        [one] => node(one),
        _ => b.list_of(items.iter().map(node)),
    }
}

fn convert_rule<'a>(
    b: &Nodes<'a>,
    rule: &'a Rule,
    rule_tags: &'a BTreeMap<String, String>,
    conditions: &mut Section<'a>,
) -> Map<'a> {
    let mut props = b.map();
    props.push("Name", text(&rule.name));
    if let Some(d) = &rule.description {
        props.push("Description", text(d));
    }
    match &rule.trigger {
        RuleTrigger::Pattern { pattern, bus } => {
            if let Some(bus) = bus {
                props.push("EventBusName", text(bus));
            }
            props.push("EventPattern", b.value(pattern));
        }
        RuleTrigger::Schedule { expression } => {
            props.push("ScheduleExpression", text(expression));
        }
    }
    props.push("State", state(b, &rule.enabled, conditions));
    if !rule_tags.is_empty() {
        props.push("Tags", tags(b, rule_tags));
    }
    props
}

/// `ENABLED` or `DISABLED`, or for a parameter an `Fn::If` on its condition.
fn state<'a>(b: &Nodes<'a>, enabled: &ParamOr<bool>, conditions: &mut Section<'a>) -> Node<'a> {
    let state = |on: bool| text(if on { "ENABLED" } else { "DISABLED" });
    match enabled {
        ParamOr::Lit(on) => state(*on),
        ParamOr::Param(r) => b.obj([(
            "Fn::If",
            b.list([
                text(is_true(b, &r.param, conditions)),
                state(true),
                state(false),
            ]),
        )]),
    }
}

/// The awsvpc configuration of a RunTask, as rules and schedules both write it.
fn awsvpc<'a>(t: &'a Target, refs: &Refs<'a>, conditions: &mut Section<'a>) -> Node<'a> {
    let b = &refs.nodes;
    let mut vpc = b.map();
    vpc.push(
        "AssignPublicIp",
        text(if t.network.assign_public_ip {
            "ENABLED"
        } else {
            "DISABLED"
        }),
    );
    match &t.network.security_groups {
        ParamOr::Lit(groups) if groups.is_empty() => {}
        ParamOr::Lit(groups) => {
            vpc.push("SecurityGroups", texts(b, groups));
        }
        ParamOr::Param(r) => {
            let p = refs.plan.parameters.iter().find(|p| p.name == r.param);
            let groups = reference(b, parameter_id(&r.param));
            vpc.push(
                "SecurityGroups",
                if p.is_some_and(|p| p.may_be_empty()) {
                    b.obj([(
                        "Fn::If",
                        b.list([
                            text(not_empty(b, &r.param, conditions)),
                            groups,
                            reference(b, "AWS::NoValue"),
                        ]),
                    )])
                } else {
                    groups
                },
            );
        }
    }
    vpc.push(
        "Subnets",
        match &t.network.subnets {
            ParamOr::Lit(subnets) => texts(b, subnets),
            ParamOr::Param(r) => reference(b, parameter_id(&r.param)),
        },
    );
    Node::Map(vpc)
}

/// Placement and the RunTask options, spelled alike in a rule's and a schedule's
/// `EcsParameters`: the launch type or the capacity provider strategy (never both), ECS Exec,
/// ECS managed tags and the task group, each only when the spec sets it.
fn run_options<'a>(b: &Nodes<'a>, ecs: &mut Map<'a>, t: &'a Target) {
    match t.run.launch_type() {
        Some(launch) => {
            ecs.push("LaunchType", text(launch));
        }
        None => {
            let strategy = t.run.capacity_provider_strategy.iter().map(|i| {
                let mut item = b.map();
                item.push("CapacityProvider", text(i.provider.name()));
                item.push("Weight", num(i.weight));
                if i.base > 0 {
                    item.push("Base", num(i.base));
                }
                Node::Map(item)
            });
            ecs.push("CapacityProviderStrategy", b.list_of(strategy));
        }
    }
    if t.run.enable_execute_command {
        ecs.push("EnableExecuteCommand", Node::Bool(true));
    }
    if t.run.enable_ecs_managed_tags {
        ecs.push("EnableECSManagedTags", Node::Bool(true));
    }
    if let Some(g) = &t.run.group {
        ecs.push("Group", text(g));
    }
}

/// The RunTask parameters a rule's ECS target and a schedule's share, up to their tags (which
/// the two services spell differently). `vpc_key` is the network block's name: EventBridge
/// rules say `AwsVpcConfiguration`, Scheduler `AwsvpcConfiguration`.
fn ecs_parameters<'a>(
    t: &'a Target,
    refs: &Refs<'a>,
    conditions: &mut Section<'a>,
    vpc_key: &'static str,
) -> Map<'a> {
    let b = &refs.nodes;
    let vpc = awsvpc(t, refs, conditions);
    let mut ecs = b.map();
    ecs.push("TaskDefinitionArn", refs.ref_arn(&t.task_definition));
    ecs.push("TaskCount", number(b, &t.count, false));
    run_options(b, &mut ecs, t);
    ecs.push("PlatformVersion", text(&t.platform_version));
    ecs.push("NetworkConfiguration", b.obj([(vpc_key, vpc)]));
    if t.propagate_tags {
        ecs.push("PropagateTags", text("TASK_DEFINITION"));
    }
    ecs
}

fn convert_target<'a>(t: &'a Target, refs: &Refs<'a>, conditions: &mut Section<'a>) -> Node<'a> {
    let b = &refs.nodes;
    let mut ecs = ecs_parameters(t, refs, conditions, "AwsVpcConfiguration");
    if !t.task_tags.is_empty() {
        ecs.push("TagList", tags(b, &t.task_tags));
    }

    let mut target = b.map();
    target.push("Id", text(&t.target_id));
    target.push("Arn", refs.cluster_arn(&t.cluster));
    target.push("RoleArn", refs.ref_arn(&t.role));
    target.push("EcsParameters", Node::Map(ecs));
    match &t.input {
        TargetInput::Transformer {
            input_paths,
            input_template,
        } => {
            let mut paths = b.map();
            for (k, v) in input_paths {
                paths.push(k.as_str(), text(v));
            }
            target.push(
                "InputTransformer",
                b.obj([
                    ("InputPathsMap", Node::Map(paths)),
                    ("InputTemplate", text(input_template)),
                ]),
            );
        }
        TargetInput::Static { input } => {
            target.push("Input", text(input));
        }
    }
    if let Some(retry) = &t.retry {
        let mut r = b.map();
        if let Some(a) = retry.attempts {
            r.push("MaximumRetryAttempts", num(a));
        }
        if let Some(age) = retry.max_event_age {
            r.push("MaximumEventAgeInSeconds", num(age));
        }
        target.push("RetryPolicy", Node::Map(r));
    }
    if let Some(q) = &t.dead_letter_queue {
        target.push("DeadLetterConfig", b.obj([("Arn", text(q))]));
    }
    Node::Map(target)
}

/// An optional number: `null` when unset.
fn num_or_null<'a>(n: Option<u32>) -> Node<'a> {
    n.map_or(Node::Null, num)
}

/// `AWS::Scheduler::Schedule`: the schedule and its ECS target (`Target.EcsParameters`, the
/// overrides as a static `Input`).
fn convert_schedule<'a>(
    sc: &'a Schedule,
    refs: &Refs<'a>,
    conditions: &mut Section<'a>,
) -> Map<'a> {
    let b = &refs.nodes;
    let t = &sc.target;
    let mut props = b.map();
    props.push("Name", text(&sc.name));
    if let Some(g) = &sc.group {
        props.push("GroupName", text(g));
    }
    if let Some(d) = &sc.description {
        props.push("Description", text(d));
    }
    props.push("ScheduleExpression", text(&sc.expression));
    props.push("ScheduleExpressionTimezone", text(&sc.timezone));
    props.push(
        "FlexibleTimeWindow",
        match sc.flexible_window {
            None => b.obj([("Mode", text("OFF"))]),
            Some(m) => b.obj([
                ("Mode", text("FLEXIBLE")),
                ("MaximumWindowInMinutes", num(m)),
            ]),
        },
    );
    if let Some(d) = &sc.start {
        props.push("StartDate", text(d));
    }
    if let Some(d) = &sc.end {
        props.push("EndDate", text(d));
    }
    props.push("State", state(b, &sc.enabled, conditions));
    let mut ecs = ecs_parameters(t, refs, conditions, "AwsvpcConfiguration");
    if !t.task_tags.is_empty() {
        // Scheduler's RunTask tags: a list of `{key, value}` maps.
        let list = t
            .task_tags
            .iter()
            .map(|(k, v)| b.obj([("key", text(k)), ("value", text(v))]));
        ecs.push("Tags", b.list_of(list));
    }
    let mut target = b.map();
    target.push("Arn", refs.cluster_arn(&t.cluster));
    target.push("RoleArn", refs.ref_arn(&t.role));
    target.push("EcsParameters", Node::Map(ecs));
    if let Some(input) = schedule_input(t) {
        target.push("Input", text(input));
    }
    if let Some(retry) = &t.retry {
        target.push(
            "RetryPolicy",
            b.obj([
                ("MaximumEventAgeInSeconds", num_or_null(retry.max_event_age)),
                ("MaximumRetryAttempts", num_or_null(retry.attempts)),
            ]),
        );
    }
    if let Some(q) = &t.dead_letter_queue {
        target.push("DeadLetterConfig", b.obj([("Arn", text(q))]));
    }
    props.push("Target", Node::Map(target));
    props
}

/// The byte length of the template `render` writes in each format: exactly, from one view, by
/// the same writer writing into a count (0 should it fail, which `render` would report).
fn template_sizes<const N: usize>(plan: &Plan, formats: [Format; N]) -> [usize; N] {
    let (layout, entries) = layout_of(plan);
    let layout = Arc::new(layout);
    let mut view = convert_model(plan, &layout, entries);
    if N > 1 && view.keep_bodies().is_err() {
        return [0; N];
    }
    // The quotas count the template's resources on the plan: the same ones.
    debug_assert_eq!(
        view.refs.entries.len(),
        plan.resources()
            .filter(|r| !matches!(r.kind, Kind::Target(_)))
            .count()
    );
    formats.map(|format| size_of(&view, format).unwrap_or(0))
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
    let out = stack_counts(plan, deploy);
    // A stack over the resource or output quota is refused whatever its size: its template is
    // not built just to say it is large too (for 1,000 tasks that was most of `check`).
    if !out.is_empty() || matches!(deploy, Some((Target::Terraform, _))) {
        return out;
    }
    // The sizes that matter: the format written, or for CDK its JSON; without a target, the
    // default YAML for the inline limit and the larger of the two for the S3 limit.
    let (bytes, inline) = match deploy {
        Some((Target::Cloudformation, f)) => {
            let [n] = template_sizes(plan, [f]);
            (n, Some(n))
        }
        Some(_) => (template_sizes(plan, [Format::Json])[0], None),
        None => {
            let [yaml, json] = template_sizes(plan, [Format::Yaml, Format::Json]);
            (json.max(yaml), Some(yaml))
        }
    };
    size_problems(deploy, bytes, inline)
}

/// Where every stack-quota and template-size problem points: the tasks.
pub const QUOTA_POINTER: &str = "/tasks";

/// What a stack over a quota can do about it.
const SPLIT_HELP: &str = "split the tasks over several specs (each compiles to its own stack); naming existing roles (`task_role`, `execution_role`) saves up to three resources per task, an existing cluster (`cluster.arn`) one";

/// The count quotas of [`stack_quotas`]: resources and outputs, counted on the plan (a template
/// has a resource for each plan entry but the targets, which their rules hold).
pub fn stack_counts(
    plan: &Plan,
    deploy: Option<(super::Target, Format)>,
) -> Vec<crate::diagnostics::Diagnostic> {
    use super::Target;
    if matches!(deploy, Some((Target::Terraform, _))) {
        return Vec::new();
    }
    let resources = plan
        .resources()
        .filter(|r| !matches!(r.kind, Kind::Target(_)))
        .count();
    let outputs = plan.outputs.len();
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
        out.push(quota_problem(deploy, message).with_help(SPLIT_HELP));
    }
    if outputs > MAX_OUTPUTS {
        out.push(
            quota_problem(deploy, format!("compiled to CloudFormation or CDK, this spec makes {outputs} outputs (two per task); a stack holds at most {MAX_OUTPUTS}"))
                .with_help(SPLIT_HELP),
        );
    }
    out
}

/// A problem that stops a deploy: an error for a CloudFormation or CDK output, a warning
/// without a target.
fn quota_problem(
    deploy: Option<(super::Target, Format)>,
    message: String,
) -> crate::diagnostics::Diagnostic {
    use crate::diagnostics::Diagnostic;
    match deploy {
        Some(_) => Diagnostic::error("stack-quota", QUOTA_POINTER, message),
        None => Diagnostic::warning("stack-quota", QUOTA_POINTER, message),
    }
}

/// The size problems of [`stack_quotas`], for a template of `bytes` (the larger format's, for
/// the S3 limit) and `inline` (the size passed inline, when a template is written: over 51,200
/// bytes is the `template-size` warning).
pub fn size_problems(
    deploy: Option<(super::Target, Format)>,
    bytes: usize,
    inline: Option<usize>,
) -> Vec<crate::diagnostics::Diagnostic> {
    use crate::diagnostics::Diagnostic;
    let mut out = Vec::new();
    if bytes > MAX_S3_BYTES {
        out.push(
            quota_problem(deploy, format!("the CloudFormation template is {bytes} bytes; CloudFormation accepts at most {MAX_S3_BYTES} (1 MB, uploaded to S3)"))
                .with_help(SPLIT_HELP),
        );
    } else if let Some(n) = inline.filter(|n| *n > MAX_INLINE_BYTES) {
        out.push(
            Diagnostic::warning("template-size", QUOTA_POINTER, format!("the CloudFormation template is {n} bytes, more than the {MAX_INLINE_BYTES} CloudFormation accepts inline"))
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

    /// The plans of the examples and the hostile specs, as checked and native (parameters
    /// kept as markers).
    fn plans() -> Vec<Plan> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut paths = Vec::new();
        for dir in ["examples", "tests/hostile"] {
            for entry in std::fs::read_dir(root.join(dir)).unwrap() {
                let path = entry.unwrap().path();
                paths.push(if path.is_dir() {
                    path.join("spec.yaml")
                } else {
                    path
                });
            }
        }
        paths.sort();
        let mut plans = Vec::new();
        for path in paths
            .iter()
            .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        {
            let bytes = std::fs::read(path).unwrap();
            if let Some(spec) = crate::check(&bytes).spec {
                plans.push(crate::plan::lower(&crate::model::lower(&spec)));
            }
            if let Ok(plan) = crate::native_plan(&bytes, &Default::default()) {
                plans.push(plan);
            }
        }
        assert!(plans.len() > 10, "{} plans", plans.len());
        plans
    }

    #[test]
    fn counting_measures_what_render_writes() {
        for plan in plans() {
            let (layout, entries) = layout_of(&plan);
            let layout = Arc::new(layout);
            let mut view = convert_model(&plan, &layout, entries);
            let texts = [Format::Yaml, Format::Json].map(|format| {
                let text = text_of(&view, format).unwrap();
                assert_eq!(size_of(&view, format).unwrap(), text.len(), "{}", plan.name);
                let rendered = CloudFormation
                    .render(&plan, Layout::Single, format)
                    .unwrap();
                assert_eq!(rendered[0].contents, text);
                text
            });
            // Bodies kept to write twice are the bodies written once.
            view.keep_bodies().unwrap();
            for (format, text) in [Format::Yaml, Format::Json].into_iter().zip(texts) {
                assert_eq!(text_of(&view, format).unwrap(), text);
            }
            assert_eq!(
                template_sizes(&plan, [Format::Yaml, Format::Json]),
                [
                    text_of(&view, Format::Yaml).unwrap().len(),
                    text_of(&view, Format::Json).unwrap().len()
                ]
            );
        }
    }

    #[test]
    fn markers_name_their_slots() {
        for slot in [
            Slot::Resource(0),
            Slot::Resource(7),
            Slot::Resource(1234567),
            Slot::Resource(usize::MAX),
            Slot::Parameters,
            Slot::Conditions,
            Slot::Outputs,
            Slot::Document,
        ] {
            let marker = slot.marker().to_string();
            let name = marker.strip_prefix(MARK).and_then(|m| m.strip_suffix(MARK));
            assert_eq!(name.and_then(Slot::parse), Some(slot), "{marker:?}");
        }
    }

    #[test]
    fn either_byte_is_found_anywhere() {
        for len in 0..20 {
            for at in 0..len {
                for (a, b) in [(b'$', 0xEE), (0xEE, b'$')] {
                    let mut bytes = vec![b'x'; len];
                    assert!(!has_either_byte(&bytes, a, b));
                    bytes[at] = a;
                    assert!(has_either_byte(&bytes, a, b), "{len} {at}");
                    bytes[at] = 0xED;
                    assert!(!has_either_byte(&bytes, a, b));
                }
            }
        }
        assert!(has_either_byte("a€\u{e000}".as_bytes(), b'$', 0xEE));
        assert!(!has_either_byte("é€ü\u{1f600}".as_bytes(), b'$', 0xEE));
    }

    #[test]
    fn logical_ids_are_pascal_names() {
        let mut ids: Vec<Id> = plans()
            .iter()
            .flat_map(|p| p.resources().map(|r| r.id.clone()).collect::<Vec<_>>())
            .collect();
        for name in ["a", "a-b", "a_b.c", "-x--y-", "9lives", "é-ü x", "", "T0"] {
            for part in [Part::Cluster, Part::TaskRolePolicy, Part::QueuePolicy] {
                ids.push(Id::new(&Owner::Task(name.into()), part));
                ids.push(Id::new(&Owner::Queue(name.into()), part));
                ids.push(Id::new(&Owner::Stack, part));
            }
        }
        for id in &ids {
            assert_eq!(logical_id(id), pascal(&id.name()), "{id:?}");
        }
        for plan in plans() {
            let (layout, entries) = layout_of(&plan);
            let want: Vec<String> = entries.iter().map(|r| logical_id(&r.id)).collect();
            assert_eq!(layout.ids, want);
        }
    }

    /// The two walks `spell` does in one, as they were written before.
    mod reference {
        use super::super::*;

        pub fn parameter_refs<'a>(b: &Nodes<'a>, v: &mut Node<'a>) {
            match v {
                Node::Str(s) if has_marker(s) => {
                    *v = match whole_marker(s) {
                        Some(Piece::Param(name)) => reference(b, parameter_id(name)),
                        Some(Piece::ClusterName(name)) => cluster_name_of(b, name),
                        _ => substitution(b, s, true),
                    };
                }
                Node::List(items) => items.iter_mut().for_each(|v| parameter_refs(b, v)),
                Node::Map(map) => {
                    if map.len() == 1 {
                        if let Some(Node::Str(text)) = map.get("Fn::Sub") {
                            if has_marker(text) {
                                *v = substitution(b, text, false);
                            }
                            return;
                        }
                    }
                    map.0.iter_mut().for_each(|(_, v)| parameter_refs(b, v));
                }
                _ => {}
            }
        }

        pub fn literal_dollars<'a>(b: &Nodes<'a>, v: &mut Node<'a>) {
            match v {
                Node::Str(s) if s.contains("${") => {
                    *v = b.obj([(
                        "Fn::Sub",
                        b.list([
                            text(s.replace("${", &format!("${{{DOLLAR}}}{{"))),
                            b.obj([(DOLLAR, text("$"))]),
                        ]),
                    )]);
                }
                Node::List(items) => items.iter_mut().for_each(|v| literal_dollars(b, v)),
                Node::Map(map) => {
                    let intrinsic = map.len() == 1
                        && map.0.first().is_some_and(|(k, _)| {
                            k == "Ref" || k == "Condition" || k.starts_with("Fn::")
                        });
                    if !intrinsic {
                        map.0.iter_mut().for_each(|(_, v)| literal_dollars(b, v));
                    }
                }
                _ => {}
            }
        }
    }

    #[test]
    fn spell_is_the_two_walks_in_one() {
        use crate::spec::params::{marker, CLOSE, NAME_OF};
        let p = marker("image_tag");
        let cluster = format!("{NAME_OF}cluster_arn{CLOSE}");
        let strings = [
            "plain".to_string(),
            "echo ${HOME}".into(),
            "$${x} ${!kept} $ {".into(),
            p.clone(),
            cluster.clone(),
            format!("app:{p}"),
            format!("${{HOME}}-{p}-{cluster}-${{X}}"),
            "\u{e000}not a marker".into(),
        ];
        let leaves: Vec<Value> = strings.iter().map(|s| json!(s)).collect();
        let mut trees = Vec::new();
        for leaf in &leaves {
            for key in ["Ref", "Condition", "Fn::Sub", "Fn::Join", "Name", "Fn:Sub"] {
                trees.push(json!({ key: leaf }));
                trees.push(json!({ key: [leaf, {"Inner": leaf}] }));
                trees.push(json!({ key: leaf, "Other": leaf }));
                trees.push(json!([{ key: { key: leaf } }, leaf, 1, null, true]));
                trees.push(json!({"Fn::Sub": [leaf, { key: leaf }]}));
            }
        }
        let b = Nodes::default();
        for tree in &trees {
            for dollars in [true, false] {
                let mut walked = b.value(tree);
                spell(&b, &mut walked, dollars);
                let mut want = Node::from(tree);
                reference::parameter_refs(&b, &mut want);
                if dollars {
                    reference::literal_dollars(&b, &mut want);
                }
                assert_eq!(walked, want, "{tree} dollars={dollars}");
                // Recycled lists and maps build the same trees again.
                b.recycle(walked);
            }
        }
    }
}
