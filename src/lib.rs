//! tfc: compile one YAML spec of EventBridge-triggered ECS Fargate tasks to CloudFormation,
//! Terraform or CDK.
//!
//! The pipeline is a chain of stage functions, one public function per boundary; [`check`] and
//! [`compile`] compose them. This mirrors the pipeline table of the design document, with the
//! resource plan as the stage between the model and the backends:
//!
//! | stage | input → output | function | knows about |
//! |---|---|---|---|
//! | load | bytes → YAML document + location index (path → line:col) | [`spec::load::load`] | YAML only |
//! | parameters | document → one document per set of values, `((name))` baked in | [`spec::params`] | the spec's `parameters` and `environments` |
//! | schema check | document → every structural error, located | [`spec::schema_check`] | the generated JSON Schema |
//! | parse | document → [`Spec`] (serde types that also derive `JsonSchema`) | [`spec::parse`] | field names, defaults |
//! | validate | `Spec` → diagnostics (Fargate sizes, cron/rate, patterns, ARNs, names) | [`validate::validate`] | AWS rules, no target |
//! | lower | `Spec` → [`model::Model`] (defaults merged, names derived, input transformer and IAM statements built once) | [`model::lower`] | AWS concepts, no target |
//! | plan | `Model` → [`plan::Plan`]: every resource, its neutral name, properties and dependencies | [`plan::lower`] | AWS resources, no target |
//! | render | `Plan` → files, one backend per target via minijinja | [`targets::Backend::render`] in `src/targets/<target>.rs` + `templates/<target>/` | one target each, and only the plan |

pub mod cli;
pub mod diagnostics;
pub mod graph;
pub mod model;
pub mod plan;
pub mod simulate;
pub mod spec;
pub mod targets;
pub mod validate;

use diagnostics::Diagnostic;
use spec::{Document, Spec};

/// The outcome of checking one spec.
#[derive(Debug)]
pub struct Checked {
    /// The typed spec, when it parsed (it may still have semantic errors).
    pub spec: Option<Spec>,
    /// Every problem found, with positions.
    pub diagnostics: Vec<Diagnostic>,
    /// For a spec with parameters checked with one set of values: what each parameter's value
    /// was and where it came from.
    pub parameters: Option<String>,
    /// Whether the spec declares `parameters` (it loaded, and has a `parameters` section).
    pub declares: bool,
    /// The resource plan of a valid spec without parameters, when the check lowered it (to count
    /// a stack's resources): `compile` renders it rather than lowering the spec again.
    pub plan: Option<plan::Plan>,
    /// Set with [`Measure::ByCaller`]: the CloudFormation template's size is left to the caller,
    /// which renders the template anyway ([`Checked::add_template_size`]).
    pub template_size: Option<TemplateSize>,
}

/// A template-size check left to the caller that renders the template (see
/// [`Measure::ByCaller`]).
#[derive(Debug)]
pub struct TemplateSize {
    deploy: (targets::Target, targets::Format),
    /// Where size problems point: the `tasks` key.
    pos: Option<diagnostics::Pos>,
}

impl Checked {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// Adds the problems of a CloudFormation template `bytes` long, when the check left its
    /// size to the caller: exactly what [`check_for`] says when it measures the template itself
    /// (a test holds the two to the same diagnostics).
    pub fn add_template_size(&mut self, bytes: usize) {
        if let Some(TemplateSize { deploy, pos }) = self.template_size.take() {
            self.diagnostics.extend(
                targets::cloudformation::size_problems(Some(deploy), bytes, Some(bytes))
                    .into_iter()
                    .map(|d| d.on_key().at(pos)),
            );
        }
    }
}

/// Loads, schema-checks, parses and validates a spec, collecting every problem; stack quotas
/// as warnings for any CloudFormation or CDK deployment (see [`check_for`]).
pub fn check(bytes: &[u8]) -> Checked {
    check_for(bytes, None)
}

/// [`check`] for one output: the target and format it compiles to decide which stack quotas
/// apply, and they are errors there (see [`targets::cloudformation::stack_quotas`]).
pub fn check_for(bytes: &[u8], deploy: Option<(targets::Target, targets::Format)>) -> Checked {
    check_with(bytes, deploy, &spec::params::Values::default())
}

/// [`check_for`] with parameter values chosen (`--env`, `--set`). A spec with parameters is
/// checked once for each set of values: each environment (or the defaults) for `tfc check`,
/// exactly the chosen one otherwise, and [`Checked::spec`] is the spec with those values baked
/// in (see [`spec::params`]).
pub fn check_with(
    bytes: &[u8],
    deploy: Option<(targets::Target, targets::Format)>,
    values: &spec::params::Values,
) -> Checked {
    check_measuring(bytes, deploy, values, Measure::Here)
}

/// Who measures the CloudFormation template against its size limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    /// The check builds the template to measure it.
    Here,
    /// The caller renders the template anyway (`tfc compile --target cloudformation`): for a
    /// valid spec without parameters the size problems are left to
    /// [`Checked::add_template_size`] with the rendered template's length, so the template is
    /// built once, not twice.
    ByCaller,
}

/// [`check_with`], saying who measures the CloudFormation template ([`Measure`]).
pub fn check_measuring(
    bytes: &[u8],
    deploy: Option<(targets::Target, targets::Format)>,
    values: &spec::params::Values,
    measure: Measure,
) -> Checked {
    let doc = match spec::load::load(bytes) {
        Ok(doc) => doc,
        Err(diagnostics) => {
            return Checked {
                spec: None,
                diagnostics,
                parameters: None,
                declares: false,
                plan: None,
                template_size: None,
            }
        }
    };
    if !spec::params::declares(&doc.value) {
        if !values.is_empty() {
            return Checked {
                spec: None,
                diagnostics: vec![Diagnostic::error(
                    "parameter-undefined",
                    "",
                    "--env and --set choose parameter values, and this spec declares no `parameters`",
                )
                .with_help("declare parameters under `parameters`, or leave out --env and --set")],
                parameters: None,
                declares: false,
                plan: None,
                template_size: None,
            };
        }
        return check_document(&doc, deploy, measure);
    }
    // The structure first, with each whole-value reference taken as valid where it stands.
    let uses = spec::params::uses(&doc.value);
    let whole: Vec<&str> = uses
        .iter()
        .filter(|u| u.offset.is_none())
        .map(|u| u.pointer.as_str())
        .collect();
    let (contexts, mut diagnostics) = spec::params::contexts(&doc, values);
    diagnostics.extend(spec::params::reserved_characters(&doc.value));
    let structural: Vec<Diagnostic> = spec::schema_check(&doc)
        .into_iter()
        .filter(|d| {
            !whole
                .iter()
                .any(|w| d.pointer == *w || d.pointer.starts_with(&format!("{w}/")))
        })
        .collect();
    // Where the parameter checks already found the problem: a reference that is undeclared,
    // misplaced or of the wrong type, or a value of the wrong kind. The rules of the field
    // would only say it again.
    let reported: Vec<String> = diagnostics
        .iter()
        .filter(|d| {
            d.code.starts_with("parameter-") && d.code != "parameter-missing" && d.is_error()
        })
        .map(|d| d.pointer.clone())
        .collect();
    let already = |p: &str| {
        reported
            .iter()
            .any(|r| !r.is_empty() && (p == r || p.starts_with(&format!("{r}/"))))
    };
    let mut spec = None;
    if structural.is_empty() {
        for ctx in &contexts {
            let (value, bindings) = spec::params::bake(&doc.value, ctx);
            let baked = spec::Document {
                value,
                index: doc.index.clone(),
                source: doc.source.clone(),
            };
            let checked = check_document(&baked, deploy, Measure::Here);
            for d in checked.diagnostics {
                if already(&d.pointer) {
                    continue;
                }
                if let Some(d) =
                    spec::params::relate(d, &bindings, ctx).filter(|d| !already(&d.pointer))
                {
                    let d = if d.pos.is_none() && !d.pointer.is_empty() {
                        locate(&doc, d)
                    } else {
                        d
                    };
                    if !diagnostics.contains(&d) {
                        diagnostics.push(d);
                    }
                }
            }
            if spec.is_none() {
                spec = checked.spec;
            }
        }
    } else {
        diagnostics.extend(structural);
    }
    let diagnostics = diagnostics.into_iter().map(|d| locate(&doc, d)).collect();
    let single = values.single || !values.is_empty();
    Checked {
        spec: if single { spec } else { None },
        diagnostics,
        parameters: single.then(|| contexts.first().map(|c| c.describe()).unwrap_or_default()),
        declares: true,
        plan: None,
        template_size: None,
    }
}

/// A spec with parameters parsed with every reference kept (see [`spec::params::symbolic`]),
/// and its document. Only for a spec [`check_with`] accepted.
pub fn symbolic_spec(bytes: &[u8]) -> Result<(Document, Spec), String> {
    let internal = |what: &str| {
        format!("tfc could not {what} the spec with its parameters as references (a tfc bug; --bake writes literals instead)")
    };
    let doc = spec::load::load(bytes).map_err(|_| internal("load"))?;
    let symbolic = Document {
        value: spec::params::symbolic(&doc.value),
        index: doc.index.clone(),
        source: doc.source.clone(),
    };
    let parsed = spec::parse(&symbolic).map_err(|_| internal("parse"))?;
    Ok((doc, parsed))
}

/// The plan of a spec with parameters, with every reference kept as a reference, for a target
/// to render natively (CloudFormation `Parameters`, Terraform variables, CDK props), and the
/// value sets to write next to it: the chosen environment's (`--env`), else every
/// environment's, else the `--set` values alone. Call only for a spec [`check_with`] accepted
/// with every environment; the values of each were validated there.
pub fn native_plan(bytes: &[u8], values: &spec::params::Values) -> Result<plan::Plan, String> {
    let (doc, parsed) = symbolic_spec(bytes)?;
    let mut plan = plan::lower(&model::lower(&parsed));
    let used: std::collections::BTreeSet<String> = spec::params::uses(&doc.value)
        .into_iter()
        .map(|u| u.name)
        .collect();
    plan.parameters = parsed
        .parameters
        .iter()
        .filter(|(name, _)| used.contains(*name))
        .map(|(name, p)| plan::Parameter {
            name: name.clone(),
            kind: p.kind,
            description: p.description.clone(),
            default: p.default.clone(),
            allowed: p.allowed.clone(),
            pattern: p.pattern.clone(),
        })
        .collect();
    // A CloudFormation template has one namespace of logical ids: a parameter may not be
    // named like a resource or output of the plan.
    let taken: Vec<String> = plan
        .resources()
        .map(|r| model::pascal(&r.id.name()))
        .chain(plan.outputs.iter().map(|o| model::pascal(&o.name)))
        .collect();
    if let Some(p) = plan
        .parameters
        .iter()
        .find(|p| taken.contains(&model::pascal(&p.name)))
    {
        return Err(format!(
            "parameter `{}` is named like a resource or output of the stack (`{}`): rename it",
            p.name,
            model::pascal(&p.name)
        ));
    }
    let envs: Vec<Option<String>> = match &values.env {
        Some(e) => vec![Some(e.clone())],
        None if !parsed.environments.is_empty() => {
            parsed.environments.keys().cloned().map(Some).collect()
        }
        None if !values.set.is_empty() => vec![None],
        None => Vec::new(),
    };
    for env in envs {
        let chosen = spec::params::Values {
            env: env.clone(),
            set: values.set.clone(),
            single: true,
        };
        let (contexts, _) = spec::params::contexts(&doc, &chosen);
        let Some(ctx) = contexts.into_iter().next() else {
            continue;
        };
        plan.value_sets.push(plan::ValueSet {
            name: env.unwrap_or_else(|| "parameters".into()),
            values: ctx
                .values
                .into_iter()
                .filter(|(name, (_, source))| {
                    used.contains(name)
                        && matches!(
                            source,
                            spec::params::Source::Environment(_) | spec::params::Source::Set
                        )
                })
                .map(|(name, (v, _))| (name, v))
                .collect(),
        });
    }
    Ok(plan)
}

/// Loads, schema-checks, parses and validates one document (no parameters).
/// `measure`: who measures the CloudFormation template's size ([`Measure`]).
fn check_document(
    doc: &spec::Document,
    deploy: Option<(targets::Target, targets::Format)>,
    measure: Measure,
) -> Checked {
    // Text a deployment tool would evaluate is reported wherever it stands, schema-valid or not.
    let evaluated: Vec<Diagnostic> = validate::text::check_document(&doc.value)
        .into_iter()
        .map(|d| locate(doc, d))
        .collect();
    let evaluated: Vec<Diagnostic> = evaluated
        .into_iter()
        .chain(
            numeric_bounds_as_written(doc)
                .into_iter()
                .map(|d| locate(doc, d)),
        )
        .collect();
    let mut structural = spec::schema_check(doc);
    if !structural.is_empty() {
        // Every other problem too, in one run: the semantic checks run on what is left once
        // the invalid parts are taken out, and report nothing those parts could have caused.
        structural.extend(partial_semantics(doc, &structural));
        structural.extend(evaluated);
        return Checked {
            spec: None,
            diagnostics: structural,
            parameters: None,
            declares: false,
            plan: None,
            template_size: None,
        };
    }
    let parsed = match spec::parse(doc) {
        Ok(s) => s,
        Err(mut diagnostics) => {
            diagnostics.extend(evaluated);
            return Checked {
                spec: None,
                diagnostics,
                parameters: None,
                declares: false,
                plan: None,
                template_size: None,
            };
        }
    };
    let mut diagnostics = evaluated;
    diagnostics.extend(
        validate::validate(&parsed)
            .into_iter()
            .map(|d| locate(doc, d)),
    );
    // Stack quotas are counted on what the spec compiles to, so only for a valid spec, and
    // only where there is a stack: CloudFormation and CDK, or any target when none is named
    // (`stack_quotas` says nothing for Terraform, so the plan is not lowered for it).
    let mut lowered = None;
    let mut template_size = None;
    if !diagnostics.iter().any(Diagnostic::is_error)
        && !matches!(deploy, Some((targets::Target::Terraform, _)))
    {
        let plan = plan::lower(&model::lower(&parsed));
        let deferred = match deploy {
            Some(d @ (targets::Target::Cloudformation, _)) if measure == Measure::ByCaller => {
                Some(d)
            }
            _ => None,
        };
        let quotas = match deferred {
            Some(d) => targets::cloudformation::stack_counts(&plan, Some(d)),
            None => targets::cloudformation::stack_quotas(&plan, deploy),
        };
        // Over a count quota the stack is refused whatever its size: nothing left to measure.
        if let (Some(d), true) = (deferred, quotas.is_empty()) {
            template_size = Some(TemplateSize {
                deploy: d,
                pos: doc.index.key_pos(targets::cloudformation::QUOTA_POINTER),
            });
        }
        diagnostics.extend(quotas.into_iter().map(|d| locate(doc, d.on_key())));
        lowered = Some(plan);
    }
    Checked {
        spec: Some(parsed),
        diagnostics,
        parameters: None,
        declares: false,
        plan: lowered,
        template_size,
    }
}

/// The semantic diagnostics of the parts of `doc` that passed the schema (see
/// [`spec::without_invalid_parts`] and [`validate::follow_on`]).
fn partial_semantics(doc: &Document, structural: &[Diagnostic]) -> Vec<Diagnostic> {
    let Some((value, removed)) = spec::without_invalid_parts(doc, structural) else {
        return Vec::new();
    };
    let repaired = Document {
        value,
        index: doc.index.clone(),
        source: String::new(),
    };
    let Ok(parsed) = spec::parse(&repaired) else {
        return Vec::new();
    };
    validate::validate(&parsed)
        .into_iter()
        .filter(|d| !validate::follow_on(&d.pointer, &removed))
        .map(|d| locate(doc, d))
        .collect()
}

/// Gives a semantic diagnostic its position: the key for mappings and lists (the field), the
/// value for scalars.
fn locate(doc: &Document, d: Diagnostic) -> Diagnostic {
    if d.pos.is_some() {
        return d;
    }
    let is_container = doc
        .value
        .pointer(&d.pointer)
        .is_some_and(|v| v.is_object() || v.is_array());
    let pos = if is_container || d.anchor == diagnostics::Anchor::Key {
        doc.index.key_pos(&d.pointer)
    } else {
        let pos = doc.index.value_pos(&d.pointer);
        match (pos, d.offset, doc.value.pointer(&d.pointer)) {
            (Some(p), Some(offset), Some(serde_json::Value::String(text))) => {
                Some(inside_value(&doc.source, p, text, offset))
            }
            _ => pos,
        }
    };
    d.at(pos)
}

/// The position `offset` characters into the scalar `text` that starts at `pos` in `source`:
/// past an opening quote, where the source spells the text as it is up to there (no escapes,
/// no line folding); otherwise the start of the value.
fn inside_value(
    source: &str,
    pos: diagnostics::Pos,
    text: &str,
    offset: usize,
) -> diagnostics::Pos {
    let Some(line) = source.lines().nth(pos.line.saturating_sub(1)) else {
        return pos;
    };
    let rest: Vec<char> = line.chars().skip(pos.col.saturating_sub(1)).collect();
    let quote = usize::from(matches!(rest.first(), Some('"' | '\'')));
    let wanted: Vec<char> = text.chars().take(offset).collect();
    if wanted.len() == offset && rest.get(quote..quote + offset) == Some(&wanted[..]) {
        diagnostics::Pos {
            line: pos.line,
            col: pos.col + quote + offset,
        }
    } else {
        pos
    }
}

/// `numeric` bounds of event patterns as written in the source: YAML gives tfc a double, in
/// which `1E-325` is 0 and `0.1234567` is close to it, so the text decides. EventBridge
/// compares numbers "between -5.0e9 and +5.0e9 inclusive, with 15 digits of precision, that is
/// to say 6 digits to the right of the decimal point" (Event Ruler README, "Numeric matching";
/// user guide "Numeric matching"): a bound that is not zero but rounds to zero there is an
/// error, more digits than six after the point a warning (they are not compared).
fn numeric_bounds_as_written(doc: &Document) -> Vec<Diagnostic> {
    fn walk(v: &serde_json::Value, pointer: &str, out: &mut Vec<(String, f64)>) {
        match v {
            serde_json::Value::Object(map) => {
                for (k, x) in map {
                    let at = spec::load::pointer_push(pointer, k);
                    if k == "numeric" {
                        if let serde_json::Value::Array(items) = x {
                            for (i, item) in items.iter().enumerate() {
                                if let Some(n) = item.as_f64() {
                                    out.push((spec::load::pointer_push(&at, &i.to_string()), n));
                                }
                            }
                        }
                    }
                    walk(x, &at, out);
                }
            }
            serde_json::Value::Array(items) => {
                for (i, x) in items.iter().enumerate() {
                    walk(x, &spec::load::pointer_push(pointer, &i.to_string()), out);
                }
            }
            _ => {}
        }
    }
    let mut bounds = Vec::new();
    for (task, t) in doc
        .value
        .get("tasks")
        .and_then(serde_json::Value::as_object)
        .into_iter()
        .flatten()
    {
        if let Some(event) = t.get("trigger").and_then(|t| t.get("event")) {
            let at = format!(
                "/tasks/{}/trigger/event",
                task.replace('~', "~0").replace('/', "~1")
            );
            walk(event, &at, &mut bounds);
        }
    }
    let mut out = Vec::new();
    for (pointer, value) in bounds {
        let Some(pos) = doc.index.value_pos(&pointer) else {
            continue;
        };
        let Some(line) = doc.source.lines().nth(pos.line.saturating_sub(1)) else {
            continue;
        };
        let text: String = line
            .chars()
            .skip(pos.col.saturating_sub(1))
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+'))
            .collect();
        let Some(decimals) = decimal_places(&text) else {
            continue;
        };
        let nonzero = text
            .split(['e', 'E'])
            .next()
            .is_some_and(|m| m.chars().any(|c| ('1'..='9').contains(&c)));
        if nonzero && value.abs() < 0.5e-6 {
            out.push(
                Diagnostic::error(
                    "event-pattern",
                    pointer,
                    format!("`numeric` bound {text} is below the precision EventBridge compares numbers with (six digits after the decimal point), so it is 0 there"),
                )
                .with_help("use a bound with at most six digits after the decimal point, between -5.0e9 and 5.0e9"),
            );
        } else if decimals > 6 {
            out.push(
                Diagnostic::warning(
                    "event-pattern",
                    pointer,
                    format!("`numeric` bound {text} has {decimals} digits after the decimal point; EventBridge compares six"),
                )
                .with_help("round the bound to six digits after the decimal point"),
            );
        }
    }
    out
}

/// How many digits a decimal number's text has after the point once its exponent is applied
/// (`1.5e-3` → 4, `12e2` → 0); `None` when it is not a decimal number.
fn decimal_places(text: &str) -> Option<i64> {
    let (mantissa, exponent) = match text.split_once(['e', 'E']) {
        Some((m, e)) => (m, e.parse::<i64>().ok()?),
        None => (text, 0),
    };
    let mantissa = mantissa.trim_start_matches(['-', '+']);
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if int.is_empty() && frac.is_empty()
        || !int.chars().chain(frac.chars()).all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let frac = frac.trim_end_matches('0');
    Some((frac.len() as i64 - exponent).max(0))
}
