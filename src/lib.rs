//! tfc: compile one YAML spec of EventBridge-triggered ECS Fargate tasks to CloudFormation,
//! Terraform or CDK.
//!
//! The pipeline is a chain of stage functions: [`spec::load::load`] (YAML with locations) →
//! [`spec::schema_check`] → [`spec::parse`] → [`validate::validate`] → [`model::lower`] →
//! a target's render. [`check`] and [`compile`] compose them.

pub mod cli;
pub mod diagnostics;
pub mod graph;
pub mod model;
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

/// Loads, schema-checks, parses and validates a spec, collecting every problem.
pub fn check(bytes: &[u8]) -> Checked {
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
        let model = model::lower(&parsed);
        diagnostics.extend(
            targets::cloudformation::stack_quotas(&model)
                .into_iter()
                .map(|d| locate(&doc, d.on_key())),
        );
    }
    Checked {
        spec: Some(parsed),
        diagnostics,
    }
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
        doc.index.value_pos(&d.pointer)
    };
    d.at(pos)
}
