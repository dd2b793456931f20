//! tfc: compile one YAML spec of EventBridge-triggered ECS Fargate tasks to CloudFormation,
//! Terraform or CDK.
//!
//! The pipeline is a chain of stage functions: [`spec::load::load`] (YAML with locations) →
//! [`spec::schema_check`] → [`spec::parse`] → [`validate::validate`] → [`model::lower`] →
//! [`plan::lower`] → a target's render. [`check`] and [`compile`] compose them.

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
}

impl Checked {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
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
    let doc = match spec::load::load(bytes) {
        Ok(doc) => doc,
        Err(diagnostics) => {
            return Checked {
                spec: None,
                diagnostics,
            }
        }
    };
    // Text a deployment tool would evaluate is reported wherever it stands, schema-valid or not.
    let evaluated: Vec<Diagnostic> = validate::text::check_document(&doc.value)
        .into_iter()
        .map(|d| locate(&doc, d))
        .collect();
    let mut structural = spec::schema_check(&doc);
    if !structural.is_empty() {
        // Every other problem too, in one run: the semantic checks run on what is left once
        // the invalid parts are taken out, and report nothing those parts could have caused.
        structural.extend(partial_semantics(&doc, &structural));
        structural.extend(evaluated);
        return Checked {
            spec: None,
            diagnostics: structural,
        };
    }
    let parsed = match spec::parse(&doc) {
        Ok(s) => s,
        Err(mut diagnostics) => {
            diagnostics.extend(evaluated);
            return Checked {
                spec: None,
                diagnostics,
            };
        }
    };
    let mut diagnostics = evaluated;
    diagnostics.extend(
        validate::validate(&parsed)
            .into_iter()
            .map(|d| locate(&doc, d)),
    );
    // Stack quotas are counted on what the spec compiles to, so only for a valid spec.
    if !diagnostics.iter().any(Diagnostic::is_error) {
        let plan = plan::lower(&model::lower(&parsed));
        diagnostics.extend(
            targets::cloudformation::stack_quotas(&plan, deploy)
                .into_iter()
                .map(|d| locate(&doc, d.on_key())),
        );
    }
    Checked {
        spec: Some(parsed),
        diagnostics,
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
