//! Text that a deployment tool would evaluate instead of keeping: checked in every string of the
//! document, keys included, whatever field it is in (every value of a spec is untrusted input).
//!
//! - `{{resolve:…}}` is a CloudFormation dynamic reference (CloudFormation user guide, "Get
//!   values stored in other services using dynamic references"): CloudFormation replaces it at
//!   deploy time anywhere in a resource property, so `{{resolve:secretsmanager:…}}` in an
//!   environment value would put the secret's plaintext into the task definition.
//! - `${Token[…]}` and `#{Token[…]}` are how the AWS CDK encodes tokens in strings
//!   (aws-cdk-lib `core/lib/private/encoding.ts`): CDK resolves them at synth, so spec text in
//!   that form could become another construct's value.
//!
//! Terraform's `${…}`/`%{…}` and CloudFormation's `Fn::Sub` syntax need no rule: every target
//! escapes them (HCL `$${`, no spec text inside `Fn::Sub` without `${!`).

use serde_json::Value;

use crate::diagnostics::Diagnostic;
use crate::spec::pointer_push;

/// Every problem in the document's strings.
pub fn check_document(value: &Value) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    // An explicit stack: the document is already depth-limited, but this never recurses.
    let mut stack: Vec<(String, &Value)> = vec![(String::new(), value)];
    while let Some((ptr, v)) = stack.pop() {
        match v {
            Value::String(s) => check_string(&ptr, s, false, &mut out),
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate().rev() {
                    stack.push((pointer_push(&ptr, &i.to_string()), item));
                }
            }
            Value::Object(map) => {
                for (k, item) in map.iter().rev() {
                    let child = pointer_push(&ptr, k);
                    check_string(&child, k, true, &mut out);
                    stack.push((child, item));
                }
            }
            _ => {}
        }
    }
    out
}

fn check_string(ptr: &str, s: &str, is_key: bool, out: &mut Vec<Diagnostic>) {
    let lower = s.to_ascii_lowercase();
    let what = if is_key { "key" } else { "value" };
    if lower.contains("{{resolve:") {
        let d = Diagnostic::error(
            "dynamic-reference",
            ptr,
            format!("this {what} holds a CloudFormation dynamic reference `{{{{resolve:…}}}}`, which CloudFormation would replace at deploy time"),
        )
        .with_help("a secret resolved there lands in plain text in the deployed resource (e.g. readable with ecs:DescribeTaskDefinition); read secrets at start-up with `secrets: { NAME: arn:aws:secretsmanager:… }` instead");
        out.push(if is_key { d.on_key() } else { d });
    }
    if lower.contains("${token[") || lower.contains("#{token[") {
        let d = Diagnostic::error(
            "cdk-token",
            ptr,
            format!("this {what} holds `${{Token[…]}}`, the AWS CDK's encoding of a token, which CDK would resolve at synth"),
        )
        .with_help("remove the token text; spec values are kept literally in every target");
        out.push(if is_key { d.on_key() } else { d });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn evaluated_text_is_found_in_keys_and_values() {
        let doc = json!({
            "tasks": {"a": {
                "environment": {"DB": "{{resolve:secretsmanager:prod/db:SecretString:password}}"},
                "command": ["echo", "x${Token[TOKEN.12]}y"],
                "trigger": {"event": {"detail": {"{{RESOLVE:ssm:/x}}": ["a"]}}}
            }}
        });
        let d = check_document(&doc);
        let found: Vec<(&str, &str)> = d.iter().map(|d| (d.code, d.pointer.as_str())).collect();
        assert_eq!(
            found,
            vec![
                ("dynamic-reference", "/tasks/a/environment/DB"),
                ("cdk-token", "/tasks/a/command/1"),
                (
                    "dynamic-reference",
                    "/tasks/a/trigger/event/detail/{{RESOLVE:ssm:~1x}}"
                ),
            ]
        );
        assert!(check_document(&json!({"a": "{{ resolve }} ${Token} #{x}"})).is_empty());
    }
}
