//! Role options: managed policies and statements for the task role tfc creates, the events
//! role a spec may name instead of the created one, and the permissions boundary every created
//! role carries. Every ARN here reaches an IAM policy or a role, so each must name exactly one
//! resource (see [`super::arn`]).

use crate::diagnostics::Diagnostic;
use crate::spec::{pointer_push, Spec, Task};

use super::arn::{managed_policy_arn, resource_arn};
use super::{arn_error, origin};

/// IAM's limit on a role's inline policies, in characters of the compact JSON (IAM user guide,
/// "IAM and AWS STS quotas": role policy size 10,240 characters).
pub const INLINE_POLICY_LIMIT: usize = 10_240;

/// `own` is the task as written, `t` with `defaults` applied; `at` the task's pointer.
pub fn check(id: &str, own: &Task, t: &Task, at: &str, out: &mut Vec<Diagnostic>) {
    let policies_at = origin(at, "task_policies", own.task_policies.is_some());
    let statements_at = origin(at, "task_statements", own.task_statements.is_some());
    if own.task_definition.is_none() && t.task_role.is_some() {
        for (field, set, ptr) in [
            ("task_policies", t.task_policies.is_some(), &policies_at),
            (
                "task_statements",
                t.task_statements.is_some(),
                &statements_at,
            ),
        ] {
            if set {
                out.push(
                    Diagnostic::error(
                        "task-role",
                        ptr.clone(),
                        format!("tasks.{id} gives a `task_role`, so tfc cannot add `{field}` to it"),
                    )
                    .with_help("attach the permissions to that role yourself, or remove `task_role` so tfc creates one with them"),
                );
            }
        }
    }
    for (n, arn) in t.task_policies.iter().flatten().enumerate() {
        if !managed_policy_arn().is_match(arn) {
            out.push(arn_error(
                pointer_push(&policies_at, &n.to_string()),
                arn,
                "managed policy ARN",
                "arn:aws:iam::ACCOUNT:policy/NAME or arn:aws:iam::aws:policy/NAME",
            ));
        }
    }
    let statements = t.task_statements.clone().unwrap_or_default();
    for (n, s) in statements.iter().enumerate() {
        let at = pointer_push(&statements_at, &n.to_string());
        for (m, arn) in s.resources.iter().enumerate() {
            if !resource_arn().is_match(arn) {
                out.push(arn_error(
                    pointer_push(&pointer_push(&at, "resources"), &m.to_string()),
                    arn,
                    "resource ARN",
                    "arn:aws:SERVICE:REGION:ACCOUNT:RESOURCE, e.g. arn:aws:s3:::bucket/key",
                ));
            }
        }
    }
    // The inline policy as IAM counts it: the compact JSON of every statement tfc writes
    // (ECS Exec's included).
    let exec = t.enable_execute_command == Some(true);
    let size = inline_policy_size(&statements, exec);
    if !statements.is_empty() && size > INLINE_POLICY_LIMIT {
        out.push(
            Diagnostic::error(
                "task-statements",
                statements_at,
                format!("the task role's inline policy of tasks.{id} would be {size} characters; IAM allows {INLINE_POLICY_LIMIT}"),
            )
            .with_help("move statements into a managed policy and attach it with `task_policies`"),
        );
    }
}

/// The compact JSON size of the task role's inline policy.
pub fn inline_policy_size(statements: &[crate::spec::PolicyStatement], exec: bool) -> usize {
    let mut list: Vec<serde_json::Value> = Vec::new();
    if exec {
        list.push(serde_json::json!({
            "Effect": "Allow",
            "Action": crate::model::iam::EXEC_ACTIONS,
            "Resource": "*",
        }));
    }
    for s in statements {
        list.push(serde_json::json!({
            "Effect": "Allow",
            "Action": s.actions,
            "Resource": s.resources,
        }));
    }
    serde_json::json!({ "Version": "2012-10-17", "Statement": list })
        .to_string()
        .len()
}

/// The spec-wide role settings.
pub fn check_spec(spec: &Spec, out: &mut Vec<Diagnostic>) {
    if let Some(b) = spec
        .iam
        .as_ref()
        .and_then(|i| i.permissions_boundary.as_ref())
    {
        if !managed_policy_arn().is_match(b) {
            out.push(arn_error(
                "/iam/permissions_boundary".into(),
                b,
                "managed policy ARN",
                "arn:aws:iam::ACCOUNT:policy/NAME",
            ));
        }
    }
}
