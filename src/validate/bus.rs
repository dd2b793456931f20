//! A trigger on a custom bus in another account or Region than the task's ECS resources.
//!
//! What AWS documents:
//! - A rule can be created on another account's bus: "EventBridge APIs that accept an event bus
//!   Name parameter such as PutRule, PutTargets, DeleteRule, RemoveTargets, DisableRule, and
//!   EnableRule also accept the event bus ARN. Use these parameters to reference cross-account
//!   or cross-Region event buses [...] you can call PutRule to create a rule on an event bus in
//!   a different account without needing to assume a role" — if that bus's resource-based
//!   policy allows it (`events:PutRule`, `events:PutTargets`, …, conditioned on
//!   `events:creatorAccount`): user guide, "Permissions for event buses"
//!   (<https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-bus-perms.html>) and
//!   its example policy "Send events to the same account and restrict updates".
//! - That rule belongs to the bus's account and Region, and its targets in other accounts may
//!   only be API Gateway, Kinesis Data Streams, Lambda, SNS, SQS ("EventBridge supports sending
//!   events to cross-account targets in the same Region") or an event bus: "Sending events to
//!   an AWS service in another account"
//!   (<https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-cross-account.html>).
//!   ECS tasks are not among them, so RunTask in this account's cluster never happens.
//! - An event bus in another account or Region is a valid target (PutTargets API reference:
//!   "Event bus in a different AWS account or Region"), sent with an IAM role the rule names,
//!   and the receiving bus's policy must allow the sender `events:PutEvents`.
//!
//! So the working design is a forwarding rule on the foreign bus whose target is a bus in the
//! task's account and Region, with the task's rule on that bus: that is what the warning says.

use std::collections::BTreeSet;

use super::arn::{arn_account, arn_region, bus_arn};
use crate::diagnostics::Diagnostic;
use crate::spec::{Spec, Task};

/// Warns when `trigger.bus` is an ARN in another account or Region than the ECS resources the
/// spec names for this task (its cluster, task definition and roles, which must all be in the
/// account that runs the task; the image is left out: ECR serves images across accounts and
/// Regions). Nothing is said when the spec names none of them.
pub(super) fn check(spec: &Spec, t: &Task, ptr: &str, out: &mut Vec<Diagnostic>) {
    let Some(bus) = t.trigger.bus.as_deref().filter(|b| bus_arn().is_match(b)) else {
        return;
    };
    let (Some(bus_account), Some(bus_region)) = (arn_account(bus), arn_region(bus)) else {
        return;
    };
    let cluster = spec.cluster.as_ref().map(|c| c.arn.as_str());
    let regional: Vec<&str> = [cluster, t.task_definition.as_deref()]
        .into_iter()
        .flatten()
        .collect();
    let accounts: BTreeSet<&str> = regional
        .iter()
        .copied()
        .chain(t.task_role.as_deref())
        .chain(t.execution_role.as_deref())
        .filter_map(arn_account)
        .collect();
    let regions: BTreeSet<&str> = regional.into_iter().filter_map(arn_region).collect();
    let join = |set: &BTreeSet<&str>| set.iter().copied().collect::<Vec<_>>().join(", ");
    if accounts.iter().any(|a| *a != bus_account) {
        out.push(
            Diagnostic::warning(
                "bus-account",
                ptr,
                format!("the event bus is in account {bus_account}, this task's cluster, task definition or roles in {}", join(&accounts)),
            )
            .with_help(format!("a rule on another account's bus is created in that account (its bus policy must allow this account events:PutRule and events:PutTargets), and EventBridge starts ECS tasks only in the rule's own account, so this task would never start; instead, in account {bus_account} add a rule on that bus that forwards these events to an event bus in this account (an event bus target with a role allowed events:PutEvents, and a policy on the receiving bus allowing account {bus_account} events:PutEvents), and name the receiving bus here")),
        );
    }
    if regions.iter().any(|r| *r != bus_region) {
        out.push(
            Diagnostic::warning(
                "bus-region",
                ptr,
                format!("the event bus is in region {bus_region}, this task's cluster or task definition in {}", join(&regions)),
            )
            .with_help(format!("a rule belongs to its bus's Region, and EventBridge starts ECS tasks only in the rule's Region, so this task would never start; instead, in {bus_region} add a rule on that bus that forwards these events to an event bus in {} (event bus targets may be in another Region), and name that bus here", join(&regions))),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    fn found(cluster: Option<&str>, task: &str) -> Vec<(&'static str, String)> {
        let mut spec: Spec = serde_norway::from_str(&format!(
            "version: 1\nname: p\ntasks:\n  t:\n{}",
            task.lines()
                .map(|l| format!("    {l}\n"))
                .collect::<String>()
        ))
        .expect("test spec");
        spec.cluster = cluster.and_then(|arn| serde_norway::from_str(&format!("arn: {arn}")).ok());
        let t = spec.tasks.get("t").cloned().expect("task t");
        let mut out = Vec::new();
        check(&spec, &t, "/tasks/t/trigger/bus", &mut out);
        out.into_iter().map(|d| (d.code, d.message)).collect()
    }

    const BUS: &str = "trigger: { bus: 'arn:aws:events:eu-west-1:111111111111:event-bus/central', event: { source: [a] } }";

    #[test]
    fn bus_in_another_account_or_region() {
        let role = "task_role: arn:aws:iam::222222222222:role/r";
        assert_eq!(
            found(None, &format!("{BUS}\n{role}")),
            vec![("bus-account", "the event bus is in account 111111111111, this task's cluster, task definition or roles in 222222222222".to_string())]
        );
        let cluster = Some("arn:aws:ecs:us-east-1:111111111111:cluster/main");
        assert_eq!(
            found(cluster, BUS),
            vec![("bus-region", "the event bus is in region eu-west-1, this task's cluster or task definition in us-east-1".to_string())]
        );
        // Same account and Region, a bus name, or nothing to compare with: no warning.
        assert_eq!(
            found(Some("arn:aws:ecs:eu-west-1:111111111111:cluster/main"), BUS),
            vec![]
        );
        assert_eq!(found(None, BUS), vec![]);
        assert_eq!(
            found(
                None,
                &format!("trigger: {{ bus: central, event: {{ source: [a] }} }}\n{role}")
            ),
            vec![]
        );
        // The image's account does not count (ECR serves other accounts).
        assert_eq!(
            found(
                None,
                &format!("{BUS}\nimage: 222222222222.dkr.ecr.eu-west-1.amazonaws.com/x:1")
            ),
            vec![]
        );
    }
}
