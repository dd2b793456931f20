//! RunTask options: placement (the launch type or a capacity provider strategy), ECS Exec.
//!
//! AWS's rules (ECS API reference, `RunTask` and `CapacityProviderStrategyItem`; ECS developer
//! guide, "Fargate capacity providers" and "ECS Exec"): a strategy excludes the launch type;
//! only one provider of a strategy may have a base; with several providers at least one needs a
//! weight above 0, or RunTask fails; Fargate Spot runs x86_64 Linux tasks only; ECS Exec needs
//! Fargate platform 1.4.0 or later, and the task role needs the `ssmmessages` channels.

use crate::diagnostics::Diagnostic;
use crate::spec::{pointer_push, Architecture, CapacityProvider, Task};

use super::{origin, platform_before};

/// `own` is the task as written, `t` with `defaults` applied; `at` the task's pointer.
pub fn check(id: &str, own: &Task, t: &Task, at: &str, out: &mut Vec<Diagnostic>) {
    let strategy_at = origin(
        at,
        "capacity_provider_strategy",
        own.capacity_provider_strategy.is_some() || own.launch_type.is_some(),
    );
    if let (Some(_), Some(_)) = (&t.launch_type, &t.capacity_provider_strategy) {
        out.push(
            Diagnostic::error(
                "capacity-provider",
                strategy_at.clone(),
                format!("tasks.{id} sets both `launch_type` and `capacity_provider_strategy`"),
            )
            .with_help("RunTask takes one of them: remove `launch_type` to run on the capacity providers, or the strategy to run on the FARGATE launch type"),
        );
    }
    if let Some(items) = &t.capacity_provider_strategy {
        let item_at = |n: usize, field: &str| {
            pointer_push(&pointer_push(&strategy_at, &n.to_string()), field)
        };
        for (n, item) in items.iter().enumerate() {
            if items[..n].iter().any(|o| o.provider == item.provider) {
                out.push(
                    Diagnostic::error(
                        "capacity-provider",
                        item_at(n, "provider"),
                        format!(
                            "`{}` appears twice in the capacity provider strategy of tasks.{id}",
                            item.provider.name()
                        ),
                    )
                    .with_help(
                        "name each provider once, with its weight and (for one of them) its base",
                    ),
                );
            }
        }
        let with_base: Vec<usize> = items
            .iter()
            .enumerate()
            .filter(|(_, i)| i.base.is_some_and(|b| b > 0))
            .map(|(n, _)| n)
            .collect();
        if let Some(&second) = with_base.get(1) {
            out.push(
                Diagnostic::error(
                    "capacity-provider",
                    item_at(second, "base"),
                    format!("only one capacity provider of a strategy may have a base; tasks.{id} gives two"),
                )
                .with_help("keep `base` on the provider that must run the first tasks (usually FARGATE) and share the rest by `weight`"),
            );
        }
        if items.len() > 1 && items.iter().all(|i| i.weight.unwrap_or(0) == 0) {
            out.push(
                Diagnostic::error(
                    "capacity-provider",
                    strategy_at.clone(),
                    format!("no capacity provider in the strategy of tasks.{id} has a weight above 0"),
                )
                .with_help("give at least one provider a `weight` of 1–1000: with several providers all at weight 0, RunTask fails"),
            );
        }
        let arm = own.task_definition.is_none() && t.architecture == Some(Architecture::Arm64);
        if let (true, Some(n)) = (
            arm,
            items
                .iter()
                .position(|i| i.provider == CapacityProvider::FargateSpot),
        ) {
            out.push(
                Diagnostic::error(
                    "capacity-provider",
                    item_at(n, "provider"),
                    format!("Fargate Spot runs x86_64 tasks only; tasks.{id} is arm64"),
                )
                .with_help("use FARGATE for an arm64 image, or build the image for x86_64 (`architecture: x86_64`)"),
            );
        }
    }
    if t.enable_execute_command == Some(true) {
        let exec_at = origin(
            at,
            "enable_execute_command",
            own.enable_execute_command.is_some(),
        );
        if let Some(v) = platform_before(t, "1.4.0") {
            out.push(
                Diagnostic::error(
                    "execute-command",
                    origin(at, "platform_version", own.platform_version.is_some()),
                    format!(
                        "ECS Exec needs Fargate platform 1.4.0 or later; tasks.{id} runs on {v}"
                    ),
                )
                .with_help("use `platform_version: LATEST` or 1.4.0, or leave ECS Exec off"),
            );
        }
        let given = if t.task_definition.is_some() {
            Some("the existing task definition's task role")
        } else if t.task_role.is_some() {
            Some("the given `task_role`")
        } else {
            None
        };
        if let Some(role) = given {
            out.push(
                Diagnostic::warning(
                    "execute-command",
                    exec_at,
                    format!("tfc cannot grant ECS Exec's permissions to {role} (tasks.{id})"),
                )
                .with_help("that role needs ssmmessages:CreateControlChannel, CreateDataChannel, OpenControlChannel and OpenDataChannel on `*`, or `aws ecs execute-command` fails"),
            );
        }
    }
}

/// The directories the SSM agent behind ECS Exec writes to: with a read-only root file system
/// ECS Exec works only when they are writable (aws/containers-roadmap#1359,
/// aws-containers/amazon-ecs-exec-checker#21).
pub const EXEC_AGENT_PATHS: [&str; 3] = ["/managed-agents", "/var/lib/amazon", "/var/log/amazon"];

/// The container's storage and runtime settings on a created task definition: ephemeral
/// storage needs platform 1.4.0 (ECS developer guide, "Fargate task ephemeral storage"); scratch
/// volumes mount at distinct absolute paths, never the root.
pub fn check_storage(id: &str, own: &Task, t: &Task, at: &str, out: &mut Vec<Diagnostic>) {
    if own.task_definition.is_some() {
        return;
    }
    if let (Some(gib), Some(v)) = (t.ephemeral_storage, platform_before(t, "1.4.0")) {
        out.push(
            Diagnostic::error(
                "ephemeral-storage",
                origin(at, "platform_version", own.platform_version.is_some()),
                format!("{gib} GiB of ephemeral storage needs Fargate platform 1.4.0 or later; tasks.{id} runs on {v}"),
            )
            .with_help("use `platform_version: LATEST` or 1.4.0, or leave `ephemeral_storage` out (20 GiB)"),
        );
    }
    let scratch_at = origin(at, "scratch", own.scratch.is_some());
    let scratch = t.scratch.clone().unwrap_or_default();
    let mut seen: Vec<(&str, &str)> = Vec::new();
    for (name, path) in &scratch {
        let ptr = pointer_push(&scratch_at, name);
        let normal = path.trim_end_matches('/');
        if normal.is_empty() || path.split('/').any(|p| p == "." || p == "..") {
            out.push(
                Diagnostic::error(
                    "scratch",
                    ptr.clone(),
                    format!("scratch volume `{name}` of tasks.{id} mounts at `{path}`"),
                )
                .with_help("mount each volume at an absolute directory below the root, without `.` or `..` parts, e.g. /tmp"),
            );
        } else if let Some((other, _)) = seen.iter().find(|(_, p)| *p == normal) {
            out.push(
                Diagnostic::error(
                    "scratch",
                    ptr.clone(),
                    format!("scratch volumes `{other}` and `{name}` of tasks.{id} both mount at `{path}`"),
                )
                .with_help("give each volume its own directory"),
            );
        }
        seen.push((name, normal));
    }
    if t.read_only_root_filesystem == Some(true) && t.enable_execute_command == Some(true) {
        let missing: Vec<&str> = EXEC_AGENT_PATHS
            .iter()
            .copied()
            .filter(|agent| {
                !seen
                    .iter()
                    .any(|(_, p)| agent == p || agent.starts_with(&format!("{p}/")))
            })
            .collect();
        if !missing.is_empty() {
            out.push(
                Diagnostic::warning(
                    "execute-command",
                    origin(
                        at,
                        "read_only_root_filesystem",
                        own.read_only_root_filesystem.is_some(),
                    ),
                    format!("ECS Exec cannot start its agent on the read-only root file system of tasks.{id}"),
                )
                .with_help(format!(
                    "the SSM agent writes to {}: add them as `scratch` volumes, or leave the root writable",
                    missing.join(", ")
                )),
            );
        }
    }
}
