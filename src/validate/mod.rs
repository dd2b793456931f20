//! Semantic rules that the JSON Schema cannot express: Fargate sizes, schedules, event patterns,
//! override paths, ARNs, generated-name limits, and the shell-injection warning. No target
//! knowledge: every rule is an AWS rule.

pub mod arn;
mod bus;
mod overrides;
pub mod pattern;
mod roles;
mod run;
pub mod schedule;
pub mod scheduler;
pub mod text;

use std::collections::BTreeSet;
use std::sync::OnceLock;

use regex::Regex;

use crate::diagnostics::Diagnostic;
use crate::model::{self, effective, TargetInput};
use crate::spec::{pointer_push, CommandOverride, OverrideValue, Spec, Task};
use arn::{
    bus_arn, bus_name, cluster_arn, role_arn, secret_arn, sqs_arn, ssm_arn, task_definition_arn,
};

/// Longest IAM role and EventBridge rule name.
pub const MAX_NAME: usize = 64;
/// Longest InputTemplate / RunTask overrides document.
pub const MAX_INPUT: usize = 8192;
/// Most entries in an InputPathsMap.
pub const MAX_INPUT_PATHS: usize = 100;
/// Longest JSON path in an InputPathsMap (botocore `TargetInputPath`).
pub const MAX_PATH_CHARS: usize = 256;

/// The sum of the array indices in a path (each level needs its elements before the index), or
/// `None` when one is not a number.
fn index_sum(path: &str) -> Option<usize> {
    path.split('[').skip(1).try_fold(0usize, |sum, rest| {
        let n: usize = rest.split(']').next()?.parse().ok()?;
        sum.checked_add(n)
    })
}

/// The first array index in a `$.a[12].b` path that no event can have, as written.
pub fn too_large_index(path: &str) -> Option<String> {
    path.split('[').skip(1).find_map(|rest| {
        let digits = rest.split(']').next().unwrap_or_default();
        let ok = digits
            .parse::<usize>()
            .is_ok_and(|n| n <= model::input::MAX_PATH_INDEX);
        (!ok).then(|| digits.to_string())
    })
}

/// The memory sizes (MiB) Fargate accepts for a CPU size (ECS developer guide, "Task CPU and
/// memory"); empty for an unknown CPU size.
pub fn fargate_memory(cpu: u32) -> Vec<u32> {
    let (from, to, step) = match cpu {
        256 => return vec![512, 1024, 2048],
        512 => (1024, 4096, 1024),
        1024 => (2048, 8192, 1024),
        2048 => (4096, 16384, 1024),
        4096 => (8192, 30720, 1024),
        8192 => (16384, 61440, 4096),
        16384 => (32768, 122880, 8192),
        _ => return Vec::new(),
    };
    (from..=to).step_by(step).collect()
}

fn re(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| {
        Regex::new(pattern).unwrap_or_else(|_| Regex::new("$^").expect("trivial regex"))
    })
}

macro_rules! lazy_regex {
    ($name:ident, $pattern:expr) => {
        fn $name() -> &'static Regex {
            static CELL: OnceLock<Regex> = OnceLock::new();
            re(&CELL, $pattern)
        }
    };
}

lazy_regex!(json_path, r"^\$(\.[A-Za-z0-9_-]+|\[[0-9]+\])+$");
lazy_regex!(placeholder_like, r"<[^<>]*>");

pub use arn::arn_account;

/// Every semantic problem of a schema-valid spec; pointers only (the caller adds positions).
pub fn validate(spec: &Spec) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut identifiers: std::collections::BTreeMap<String, String> = Default::default();
    for (id, task) in &spec.tasks {
        let at = pointer_push("/tasks", id);
        // Targets derive identifiers (CloudFormation logical ids, class names) from task ids.
        let ident = model::pascal(id);
        if let Some(first) = identifiers.insert(ident.clone(), format!("task `{id}`")) {
            out.push(
                Diagnostic::error(
                    "task-id",
                    at.clone(),
                    format!("{first} and task `{id}` both become the identifier `{ident}`"),
                )
                .with_help("rename one of them; ids differing only in dashes collide, and an extra trigger is named TASK-NAME"),
            );
        }
        check_task(spec, id, task, &at, &mut out);
        for (name, extra) in task.extra_triggers.iter().flatten() {
            let xid = format!("{id}-{name}");
            let xat = pointer_push(&pointer_push(&at, "extra_triggers"), name);
            let ident = model::pascal(&xid);
            let this = format!("the extra trigger `{name}` of task `{id}`");
            if let Some(first) = identifiers.insert(ident.clone(), this.clone()) {
                out.push(
                    Diagnostic::error(
                        "task-id",
                        xat.clone(),
                        format!("{first} and {this} both become the identifier `{ident}`"),
                    )
                    .with_help(
                        "rename the trigger or the task: an extra trigger is named TASK-NAME",
                    )
                    .on_key(),
                );
            }
            extra_checks(spec, &xid, task, extra, &xat, &mut out);
        }
    }
    if let Some(c) = &spec.cluster {
        if !cluster_arn().is_match(&c.arn) {
            out.push(arn_error(
                "/cluster/arn".into(),
                &c.arn,
                "ECS cluster ARN",
                "arn:aws:ecs:REGION:ACCOUNT:cluster/NAME",
            ));
        }
    }
    roles::check_spec(spec, &mut out);
    check_tags(&spec.tags, "/tags", &mut out);
    if let Some(d) = &spec.defaults {
        check_tags(d.tags.iter().flatten(), "/defaults/tags", &mut out);
    }
    for (id, task) in &spec.tasks {
        check_tags(
            task.tags.iter().flatten(),
            &pointer_push(&pointer_push("/tasks", id), "tags"),
            &mut out,
        );
    }
    out
}

/// The checks of one extra trigger: everything the trigger and its overrides decide, run on
/// the task as that trigger starts it ([`model::extra_task`]), kept where they point into the
/// extra trigger (its `trigger`, its `overrides`) and, of the task-wide ones, only the names
/// the trigger adds (its rule and events role; the task's own fields are reported once, for
/// the task).
fn extra_checks(
    spec: &Spec,
    xid: &str,
    task: &Task,
    extra: &crate::spec::ExtraTrigger,
    xat: &str,
    out: &mut Vec<Diagnostic>,
) {
    let synthetic = model::extra_task(task, extra);
    let mut found = Vec::new();
    check_task(spec, xid, &synthetic, xat, &mut found);
    let inside = |p: &str| {
        ["trigger", "overrides"].iter().any(|f| {
            let base = pointer_push(xat, f);
            p == base || p.starts_with(&format!("{base}/"))
        })
    };
    out.extend(found.into_iter().filter(|d| {
        inside(&d.pointer)
            || (d.pointer == xat
                && d.code == "name-length"
                && (d.message.contains("generated rule name")
                    || d.message.contains("generated events role name")))
    }));
}

/// Where a pointer sits: in one task, in `defaults`, or at the top of the spec; and the field
/// (the first key below that scope; `None` for the task or `defaults` itself).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope<'a> {
    Task(&'a str),
    Defaults,
    Root,
}

fn scope_of(pointer: &str) -> (Scope<'_>, Option<&str>) {
    let mut parts = pointer.trim_start_matches('/').splitn(4, '/');
    match (parts.next(), parts.next(), parts.next()) {
        (Some("tasks"), Some(id), field) => (Scope::Task(id), field),
        (Some("defaults"), field, _) => (Scope::Defaults, field),
        (Some(field), ..) if !field.is_empty() => (Scope::Root, Some(field)),
        _ => (Scope::Root, None),
    }
}

/// The task fields whose diagnostics a missing `field` can cause, besides its own and those
/// on the task as a whole: what the checks above read together.
fn caused_by(field: &str) -> &'static [&'static str] {
    match field {
        // Fargate size and platform.
        "cpu" | "memory" => &["cpu", "memory", "platform_version"],
        "platform_version" => &[
            "cpu",
            "memory",
            "platform_version",
            "enable_execute_command",
        ],
        "task_definition" => &[
            "image",
            "cpu",
            "memory",
            "platform_version",
            "enable_execute_command",
            "capacity_provider_strategy",
        ],
        // Placement: one choice, read with the architecture.
        "launch_type" | "architecture" => &["capacity_provider_strategy"],
        // Accounts of the spec (the dead-letter queue warning) and existing-definition roles.
        "image" => &["dead_letter_queue"],
        "task_role" | "execution_role" => &[
            "task_definition",
            "dead_letter_queue",
            "enable_execute_command",
            "task_policies",
            "task_statements",
        ],
        "cluster" => &["dead_letter_queue"],
        // Overrides read the trigger's pattern, the container and the command.
        "container" => &["overrides"],
        "trigger" => &["trigger", "overrides"],
        "overrides" | "command" | "entry_point" | "environment" => &[
            "overrides",
            "command",
            "entry_point",
            "environment",
            "trigger",
        ],
        // `defaults` itself (not an object): everything it could have set.
        "defaults" => &[
            "cpu",
            "memory",
            "platform_version",
            "image",
            "dead_letter_queue",
            "task_definition",
            "overrides",
            "command",
            "entry_point",
            "environment",
            "trigger",
            "secrets",
            "network",
            "logging",
            "tags",
            "capacity_provider_strategy",
            "enable_execute_command",
        ],
        _ => &[],
    }
}

/// Whether the semantic diagnostic at `pointer`, found on a spec from which the values at
/// `removed` were taken out (they failed the schema, and were reported), may be a consequence
/// of that removal rather than a problem of its own: `tfc check` reports every problem once,
/// never a follow-on. A removal in a task can cause diagnostics in that task and in
/// `defaults` (which point at the inherited value); a removal in `defaults` or at the top, in
/// every task.
pub fn follow_on(pointer: &str, removed: &[String]) -> bool {
    let (scope, field) = scope_of(pointer);
    removed.iter().any(|r| {
        let (r_scope, r_field) = scope_of(r);
        let reaches = match (r_scope, scope) {
            (Scope::Task(a), Scope::Task(b)) => a == b,
            // Diagnostics on `defaults` point at a value a task inherits.
            (Scope::Task(_), Scope::Defaults) => r_field.is_some(),
            (Scope::Task(_), Scope::Root) => false,
            (Scope::Defaults | Scope::Root, _) => true,
        };
        if !reaches {
            return false;
        }
        match (field, r_field) {
            // A whole task or `defaults` went: everything it reaches.
            (_, None) => true,
            // A task as a whole ("has no network"): anything missing from it, or the top-level
            // fields every task's checks read.
            (None, Some(rf)) => {
                r_scope != Scope::Root || matches!(rf, "name" | "defaults" | "cluster")
            }
            (Some(f), Some(rf)) => (f == rf && scope == r_scope) || caused_by(rf).contains(&f),
        }
    })
}

/// AWS tag rules (Tagging AWS resources, "Tag naming limits and requirements"): keys of 1–128
/// and values of 0–256 Unicode letters, digits, spaces and `_ . : / = + - @`; keys may not start
/// with `aws:`.
fn check_tags<'a>(
    tags: impl IntoIterator<Item = (&'a String, &'a String)>,
    at: &str,
    out: &mut Vec<Diagnostic>,
) {
    let allowed = |s: &str| {
        s.chars()
            .all(|c| c.is_alphanumeric() || c == ' ' || "_.:/=+-@".contains(c))
    };
    let help = "tags use letters, digits, spaces and _ . : / = + - @ (keys 1–128, values up to 256 characters)";
    for (k, v) in tags {
        let ptr = pointer_push(at, k);
        if k.is_empty()
            || k.chars().count() > 128
            || !allowed(k)
            || k.to_ascii_lowercase().starts_with("aws:")
        {
            out.push(
                Diagnostic::error("tag", ptr.clone(), format!("`{k}` is not a valid tag key"))
                    .with_help(format!("{help}; keys may not start with aws:"))
                    .on_key(),
            );
        }
        if v.chars().count() > 256 || !allowed(v) {
            out.push(
                Diagnostic::error(
                    "tag",
                    ptr,
                    format!("the value of tag `{k}` is not a valid tag value"),
                )
                .with_help(help),
            );
        }
    }
}

fn check_task(spec: &Spec, id: &str, own: &Task, at: &str, out: &mut Vec<Diagnostic>) {
    let t = effective(spec.defaults.as_ref(), own);
    let field = |name: &str| pointer_push(at, name);

    // Image or existing task definition.
    match (&own.task_definition, &t.image) {
        (Some(_), _) => {
            let container_fields = [
                ("image", own.image.is_some()),
                ("cpu", own.cpu.is_some()),
                ("memory", own.memory.is_some()),
                ("architecture", own.architecture.is_some()),
                ("command", own.command.is_some()),
                ("entry_point", own.entry_point.is_some()),
                ("environment", own.environment.is_some()),
                ("secrets", own.secrets.is_some()),
                ("logging", own.logging.is_some()),
                ("ephemeral_storage", own.ephemeral_storage.is_some()),
                (
                    "read_only_root_filesystem",
                    own.read_only_root_filesystem.is_some(),
                ),
                ("scratch", own.scratch.is_some()),
                ("stop_timeout", own.stop_timeout.is_some()),
                ("user", own.user.is_some()),
                ("task_policies", own.task_policies.is_some()),
                ("task_statements", own.task_statements.is_some()),
            ];
            for (name, set) in container_fields {
                if set {
                    out.push(
                        Diagnostic::error(
                            "existing-definition",
                            field(name),
                            format!("tasks.{id}.{name} cannot be set with `task_definition`"),
                        )
                        .with_help("an existing task definition already fixes its containers; remove this field or remove `task_definition` and use `image`"),
                    );
                }
            }
            if t.container.is_none() {
                out.push(
                    Diagnostic::error(
                        "existing-definition",
                        at,
                        format!("tasks.{id} uses `task_definition` but names no `container`"),
                    )
                    .with_help("add `container: NAME`, the name of the container in that task definition the overrides address"),
                );
            }
            if t.task_role.is_none() && t.execution_role.is_none() {
                out.push(
                    Diagnostic::warning(
                        "existing-definition-roles",
                        field("task_definition"),
                        format!("tasks.{id} names neither `task_role` nor `execution_role` of its existing task definition"),
                    )
                    .with_help("the events role may then pass no role (`iam:PassRole`), so RunTask fails with AccessDenied if the definition uses roles; name the roles it uses"),
                );
            } else if t.task_role.is_none() {
                out.push(
                    Diagnostic::warning(
                        "existing-definition-roles",
                        field("task_definition"),
                        format!("tasks.{id} names no `task_role` for its existing task definition: the CDK target cannot import it"),
                    )
                    .with_help("CDK's EcsTask needs the imported definition's task role; name it with `task_role` (CloudFormation and Terraform work without)"),
                );
            }
        }
        (None, None) => out.push(
            Diagnostic::error("image", at, format!("tasks.{id} has neither `image` nor `task_definition`"))
                .with_help("set `image:` (here or in `defaults`) to create a task definition, or `task_definition:` to run an existing one"),
        ),
        (None, Some(image)) => {
            if let Err(e) = model::image::parse(image) {
                out.push(
                    Diagnostic::error("image", origin(at, "image", own.image.is_some()), e.message)
                        .with_help(e.help),
                );
            }
        }
    }

    // Fargate size.
    // (A checked spec has its parameters baked in: a reference is never seen here.)
    let literal = |v: &Option<crate::spec::ParamOr<u32>>, default: u32| match v {
        None => Some(default),
        Some(v) => v.lit().copied(),
    };
    if let (None, Some(cpu), Some(memory)) = (
        &own.task_definition,
        literal(&t.cpu, model::DEFAULT_CPU),
        literal(&t.memory, model::DEFAULT_MEMORY),
    ) {
        let valid = fargate_memory(cpu);
        if !valid.is_empty() && !valid.contains(&memory) {
            let defaults = spec.defaults.as_ref();
            let ptr = match (
                &own.memory,
                &own.cpu,
                defaults.and_then(|d| d.memory.as_ref()),
                defaults.and_then(|d| d.cpu.as_ref()),
            ) {
                (Some(_), ..) => field("memory"),
                (None, Some(_), None, _) => field("cpu"),
                (None, _, Some(_), _) => "/defaults/memory".to_string(),
                (None, None, None, Some(_)) => "/defaults/cpu".to_string(),
                _ => at.to_string(),
            };
            out.push(
                Diagnostic::error(
                    "fargate-size",
                    ptr,
                    format!("Fargate has no {cpu} CPU / {memory} MiB size (tasks.{id})"),
                )
                .with_help(format!(
                    "with cpu {cpu}, memory must be one of {}",
                    list(&valid)
                )),
            );
        }
        if let Some(v) = platform_before(&t, "1.4.0").filter(|_| cpu >= 8192) {
            out.push(
                Diagnostic::error(
                    "fargate-size",
                    origin(at, "platform_version", own.platform_version.is_some()),
                    format!("{cpu} CPU units need Fargate platform 1.4.0 or later, not {v}"),
                )
                .with_help("use `platform_version: LATEST` or 1.4.0"),
            );
        }
    }

    // Network.
    if t.network.is_none() {
        out.push(
            Diagnostic::error("network", at, format!("tasks.{id} has no `network`"))
                .with_help("Fargate tasks need subnets: set `network: { subnets: [subnet-…], security_groups: [sg-…] }` here or in `defaults`"),
        );
    }

    // ARNs.
    // Each grammar is compiled when a value needs it (most specs name no ARN here).
    type Grammar = fn() -> &'static Regex;
    let arn_checks: [(&str, &Option<String>, Grammar, &str); 4] = [
        (
            "task_definition",
            &own.task_definition,
            task_definition_arn,
            "arn:aws:ecs:REGION:ACCOUNT:task-definition/FAMILY[:REVISION]",
        ),
        (
            "task_role",
            &t.task_role,
            role_arn,
            "arn:aws:iam::ACCOUNT:role/NAME",
        ),
        (
            "execution_role",
            &t.execution_role,
            role_arn,
            "arn:aws:iam::ACCOUNT:role/NAME",
        ),
        (
            "events_role",
            &t.events_role,
            role_arn,
            "arn:aws:iam::ACCOUNT:role/NAME",
        ),
    ];
    for (name, value, grammar, shape) in arn_checks {
        if let Some(v) = value {
            if !grammar().is_match(v) {
                let ptr = origin(at, name, own_has(own, name));
                out.push(arn_error(
                    ptr,
                    v,
                    &format!("{} ARN", name.replace('_', " ")),
                    shape,
                ));
            }
        }
    }
    if let Some(q) = &t.dead_letter_queue {
        let ptr = origin(at, "dead_letter_queue", own.dead_letter_queue.is_some());
        if q.ends_with(".fifo") {
            out.push(
                Diagnostic::error("arn", ptr, format!("`{q}` is a FIFO queue; EventBridge dead-letter queues must be standard queues"))
                    .with_help("create a standard SQS queue for undeliverable events"),
            );
        } else if !sqs_arn().is_match(q) {
            out.push(arn_error(
                ptr,
                q,
                "SQS queue ARN",
                "arn:aws:sqs:REGION:ACCOUNT:QUEUE",
            ));
        } else if let Some(dlq_account) = arn_account(q) {
            let others: BTreeSet<&str> = spec_accounts(spec, &t).into_iter().collect();
            if others.iter().any(|a| *a != dlq_account) {
                out.push(
                    Diagnostic::warning("dlq-account", ptr, format!("the dead-letter queue is in account {dlq_account}, other resources of this spec in {}", others.into_iter().collect::<Vec<_>>().join(", ")))
                        .with_help("tfc adds the queue policy that lets EventBridge send to it only when the stack deploys into the queue's account; otherwise add a policy allowing events.amazonaws.com sqs:SendMessage with aws:SourceArn = the rule ARN to the queue yourself"),
                );
            }
        }
    }
    for (name, value) in t.secrets.iter().flatten() {
        if secret_arn().is_match(value) {
            let (_, arn) = model::secret_source(value);
            if model::secret_arn_form(&arn) == model::SecretArnForm::Ambiguous {
                let own_secret = own.secrets.as_ref().is_some_and(|m| m.contains_key(name));
                let ptr = pointer_push(&origin(at, "secrets", own_secret), name);
                let tail = arn.rsplit('-').next().unwrap_or_default();
                out.push(
                    Diagnostic::warning("secret-arn", ptr, format!("secret `{name}`: `-{tail}` could be the 6-character random suffix of a complete ARN or the end of the secret's name, so tfc grants read on `{arn}` and on `{arn}-??????`"))
                        .with_help("write the complete ARN, with the random suffix `aws secretsmanager describe-secret` shows, to grant exactly one secret"),
                );
            }
        }
        if !secret_arn().is_match(value) && !ssm_arn().is_match(value) {
            let own_secret = own.secrets.as_ref().is_some_and(|m| m.contains_key(name));
            let ptr = pointer_push(&origin(at, "secrets", own_secret), name);
            out.push(match arn::wildcard(value) {
                Some(_) => arn_error(ptr, value, "secret ARN", ""),
                None => Diagnostic::error("arn", ptr, format!("secret `{name}` is not a Secrets Manager secret ARN or an SSM parameter ARN"))
                    .with_help("expected arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME-AbCdEf[:json-key::] or arn:aws:ssm:REGION:ACCOUNT:parameter/NAME"),
            });
        }
    }

    // Trigger.
    let trig = field("trigger");
    match (&t.trigger.event, &t.trigger.schedule) {
        (Some(_), Some(_)) => out.push(
            Diagnostic::error("trigger", trig.clone(), format!("tasks.{id}.trigger has both `event` and `schedule`"))
                .with_help("a rule has either an event pattern or a schedule: keep one, or split the task in two"),
        ),
        (None, None) => out.push(
            Diagnostic::error("trigger", trig.clone(), format!("tasks.{id}.trigger has neither `event` nor `schedule`"))
                .with_help("add `event:` with an event pattern, or `schedule: cron(0 3 * * ? *)` / `rate(1 hour)`"),
        ),
        (Some(pattern), None) => {
            for p in pattern::check_event_pattern(pattern) {
                let ptr = format!("{}{}", pointer_push(&trig, "event"), p.pointer);
                let d = match p.level {
                    pattern::Level::Error => Diagnostic::error("event-pattern", ptr, p.message),
                    pattern::Level::Warning => Diagnostic::warning("event-pattern", ptr, p.message),
                };
                let d = if p.on_key { d.on_key() } else { d };
                out.push(match p.help {
                    Some(h) => d.with_help(h),
                    None => d,
                });
            }
        }
        (None, Some(_)) if scheduler::uses_scheduler(&t.trigger) => {
            if t.trigger.bus.is_some() {
                out.push(
                    Diagnostic::error("bus", pointer_push(&trig, "bus"), "schedules run only on the default event bus")
                        .with_help("remove `bus`, or trigger the task with an event pattern on that bus"),
                );
            }
        }
        // `at(…)` with `scheduler: false`: the Scheduler check says what is wrong.
        (None, Some(expr)) if scheduler::is_at(expr) => {}
        (None, Some(expr)) => {
            if let Err(e) = schedule::parse_schedule(expr) {
                out.push(
                    Diagnostic::error("schedule", pointer_push(&trig, "schedule"), e.message)
                        .with_help(e.help)
                        .at_offset(e.offset),
                );
            }
            if t.trigger.bus.is_some() {
                out.push(
                    Diagnostic::error("bus", pointer_push(&trig, "bus"), "schedules run only on the default event bus")
                        .with_help("remove `bus`, or trigger the task with an event pattern on that bus"),
                );
            }
        }
    }
    if let Some(bus) = &t.trigger.bus {
        if bus.starts_with("arn:") && !bus_arn().is_match(bus) {
            out.push(arn_error(
                pointer_push(&trig, "bus"),
                bus,
                "event bus ARN",
                "arn:aws:events:REGION:ACCOUNT:event-bus/NAME",
            ));
        } else if !bus.starts_with("arn:") && !bus_name().is_match(bus) {
            out.push(
                Diagnostic::error("bus", pointer_push(&trig, "bus"), format!("`{bus}` is not an event bus name or ARN"))
                    .with_help("a name uses letters, digits and . _ - / (up to 256), an ARN looks like arn:aws:events:REGION:ACCOUNT:event-bus/NAME"),
            );
        }
    }
    bus::check(spec, &t, &pointer_push(&trig, "bus"), out);
    scheduler::check(id, &t, &trig, scheduler::now(), out);

    run::check(id, own, &t, at, out);
    run::check_storage(id, own, &t, at, out);
    roles::check(id, own, &t, at, out);
    check_overrides(id, &t, at, out);
    overrides::check(id, &t, at, out);
    overrides::check_sizes(id, own, &t, at, out);
    check_names(spec, id, &t, at, out);
    check_shell(id, &t, at, out);
    check_event_command(id, &t, at, out);
}

/// The pointer of a field as the user wrote it: in the task, or inherited from `defaults`.
fn origin(at: &str, name: &str, in_task: bool) -> String {
    if in_task {
        pointer_push(at, name)
    } else {
        pointer_push("/defaults", name)
    }
}

/// An ARN that does not match its grammar: a wildcard or policy variable is named as such (an
/// ARN from the spec reaches IAM policies), anything else shows the expected shape.
fn arn_error(ptr: String, value: &str, what: &str, shape: &str) -> Diagnostic {
    match arn::wildcard(value) {
        Some(c) => Diagnostic::error(
            "arn",
            ptr,
            format!("`{value}` contains `{c}`: an ARN in a spec may not hold IAM wildcards or policy variables"),
        )
        .with_help(format!(
            "name the one resource exactly{}; `*`, `?` and `${{…}}` would grant on every resource they match",
            if shape.is_empty() { String::new() } else { format!(" ({shape})") }
        )),
        None => Diagnostic::error("arn", ptr, format!("`{value}` is not a valid {what}"))
            .with_help(format!("expected {shape}, with a real region (e.g. eu-west-1) and a 12-digit account")),
    }
}

fn own_has(own: &Task, name: &str) -> bool {
    match name {
        "task_role" => own.task_role.is_some(),
        "execution_role" => own.execution_role.is_some(),
        "events_role" => own.events_role.is_some(),
        _ => true,
    }
}

/// Accounts named by the spec's ARNs and ECR images, besides dead-letter queues.
fn spec_accounts<'a>(spec: &'a Spec, t: &'a Task) -> Vec<&'a str> {
    let mut arns: Vec<&str> = Vec::new();
    if let Some(c) = &spec.cluster {
        arns.push(&c.arn);
    }
    for v in [&t.task_definition, &t.task_role, &t.execution_role]
        .into_iter()
        .flatten()
    {
        arns.push(v);
    }
    let mut accounts: Vec<&str> = arns.into_iter().filter_map(arn_account).collect();
    if let Some(img) = &t.image {
        if let Some(acct) = img
            .split('.')
            .next()
            .filter(|a| a.len() == 12 && a.chars().all(|c| c.is_ascii_digit()))
        {
            accounts.push(acct);
        }
    }
    accounts
}

fn check_overrides(id: &str, t: &Task, at: &str, out: &mut Vec<Diagnostic>) {
    let Some(o) = &t.overrides else { return };
    let base = pointer_push(at, "overrides");
    let mut paths: Vec<(String, String)> = Vec::new();
    for (name, v) in &o.environment {
        let ptr = pointer_push(&pointer_push(&base, "environment"), name);
        if let OverrideValue::From(f) = v {
            paths.push((pointer_push(&ptr, "from"), f.from.clone()));
        }
    }
    match &o.command {
        Some(CommandOverride::From(f)) => paths.push((
            pointer_push(&pointer_push(&base, "command"), "from"),
            f.from.clone(),
        )),
        Some(CommandOverride::List(items)) => {
            for (i, v) in items.iter().enumerate() {
                if let OverrideValue::From(f) = v {
                    let ptr = pointer_push(
                        &pointer_push(&pointer_push(&base, "command"), &i.to_string()),
                        "from",
                    );
                    paths.push((ptr, f.from.clone()));
                }
            }
        }
        None => {}
    }
    for (name, f) in o.size_paths() {
        paths.push((
            pointer_push(&pointer_push(&base, name), "from"),
            f.from.clone(),
        ));
    }
    let mut placeholders: std::collections::BTreeMap<String, &str> = Default::default();
    for (ptr, path) in &paths {
        let name = model::placeholder_name(path);
        match placeholders.insert(name.clone(), path) {
            Some(other) if other != path => out.push(
                Diagnostic::error("override-path", ptr.clone(), format!("`{other}` and `{path}` both become the input-transformer placeholder `<{name}>`"))
                    .with_help("EventBridge (and CDK) need one name per path: read one of them from a differently named field"),
            ),
            _ => {}
        }
        if !json_path().is_match(path) {
            out.push(
                Diagnostic::error("override-path", ptr.clone(), format!("`{path}` is not a JSON path into the event"))
                    .with_help("write a `$`-rooted path of field names and indices, e.g. `$.detail.command` or `$.resources[0]`"),
            );
        } else if path.len() > MAX_PATH_CHARS {
            out.push(
                Diagnostic::error("override-path", ptr.clone(), format!("`{path}` is {} characters; EventBridge accepts paths of at most {MAX_PATH_CHARS}", path.len()))
                    .with_help("read a shorter path (the input transformer's InputPathsMap values are at most 256 characters)"),
            );
        } else if let Some(index) = too_large_index(path) {
            out.push(
                Diagnostic::error("override-path", ptr.clone(), format!("`{path}` reads index {index}, and no array in an event has more than {} elements", model::input::MAX_PATH_INDEX + 1))
                    .with_help(format!("an event is at most 256 KB (PutEvents), so indices run from 0 to {}", model::input::MAX_PATH_INDEX)),
            );
        } else if let Some(total) = index_sum(path).filter(|n| *n > model::input::MAX_PATH_INDEX) {
            out.push(
                Diagnostic::error("override-path", ptr.clone(), format!("`{path}` reads indices adding up to {total}: an event holding that many array elements would be over 256 KB, the most PutEvents accepts"))
                    .with_help(format!("the indices of one path can add up to at most {}", model::input::MAX_PATH_INDEX)),
            );
        } else if model::placeholder_name(path)
            .to_ascii_uppercase()
            .starts_with("AWS")
        {
            out.push(
                Diagnostic::error("override-path", ptr.clone(), format!("`{path}` gives the placeholder name `{}`, and EventBridge reserves names starting with AWS", model::placeholder_name(path)))
                    .with_help("read the value from a field whose name does not start with AWS"),
            );
        }
    }
    let kind = |path: &str| match &t.trigger.event {
        Some(pattern) => model::kinds::path_kind(pattern, path),
        None => model::kinds::ValueKind::Unknown,
    };
    let whole_command = pointer_push(&pointer_push(&base, "command"), "from");
    for (ptr, path) in &paths {
        if *ptr != whole_command && kind(path) == model::kinds::ValueKind::Mixed {
            out.push(
                Diagnostic::warning("override-type", ptr.clone(), format!("tasks.{id}: the trigger's pattern lets `{path}` be a string or a number/boolean, and ECS accepts only strings here"))
                    .with_help("when the event carries a number or boolean there, RunTask rejects the overrides; match only strings (e.g. `[\"5\"]`) or only numbers (e.g. `[5]` or `[{ numeric: [\">\", 0] }]`) so tfc can deliver the value as a string"),
            );
        }
    }
    let container = t.container.clone().unwrap_or_else(|| id.to_string());
    match model::build_input(&container, o, &kind) {
        // Scheduler has no input transformer: its `from` values are refused on their own.
        TargetInput::Transformer {
            input_paths,
            input_template,
        } if !scheduler::uses_scheduler(&t.trigger) => {
            if input_paths.len() > MAX_INPUT_PATHS {
                out.push(
                    Diagnostic::error("override-path", base.clone(), format!("tasks.{id}.overrides reads {} distinct event paths; an input transformer holds at most {MAX_INPUT_PATHS}", input_paths.len()))
                        .with_help("pass a whole object or array from the event instead of its fields one by one"),
                );
            }
            if input_template.chars().count() > MAX_INPUT {
                out.push(
                    Diagnostic::error("override-size", base.clone(), format!("tasks.{id}.overrides make an input template of {} characters; EventBridge allows {MAX_INPUT}", input_template.chars().count()))
                        .with_help("move literal values into the task's `environment`; only event values need overrides"),
                );
            }
            for (name, v) in &o.environment {
                if let OverrideValue::Literal(s) = v {
                    if placeholder_like().is_match(s) {
                        out.push(
                            Diagnostic::error("override-literal", pointer_push(&pointer_push(&base, "environment"), name), format!("the literal `{s}` contains `<…>`, which EventBridge's input transformer reads as a placeholder"))
                                .with_help("move this value into the task's `environment`, where it is not part of the input template"),
                        );
                    }
                }
            }
        }
        TargetInput::Static { input } if input.chars().count() > MAX_INPUT => out.push(
            Diagnostic::error(
                "override-size",
                base,
                format!(
                    "tasks.{id}.overrides are {} characters; RunTask allows {MAX_INPUT}",
                    input.chars().count()
                ),
            )
            .with_help("move literal values into the task's `environment`"),
        ),
        _ => {}
    }
}

fn check_names(spec: &Spec, id: &str, t: &Task, at: &str, out: &mut Vec<Diagnostic>) {
    let n = model::names(&spec.name, id);
    let mut names = vec![("rule", n.rule), ("events role", n.events_role)];
    if t.task_definition.is_none() {
        if t.task_role.is_none() {
            names.push(("task role", n.task_role));
        }
        if t.execution_role.is_none() {
            names.push(("execution role", n.execution_role));
        }
    }
    for (what, name) in names {
        if name.len() > MAX_NAME {
            out.push(
                Diagnostic::error("name-length", at, format!("the generated {what} name `{name}` is {} characters; AWS allows {MAX_NAME}", name.len()))
                    .with_help(format!("shorten the spec `name` or the task id `{id}` by {} characters", name.len() - MAX_NAME)),
            );
        }
    }
}

/// Whether the trigger's pattern limits the string at `path` to a list of exact strings or
/// prefixes. Only plain field paths qualify: for an array (or an indexed element), EventBridge
/// matches when *any* element matches, which limits nothing.
fn constrained(t: &Task, path: &str) -> bool {
    let Some(mut node) = t.trigger.event.as_ref() else {
        return false;
    };
    let Some(rest) = path.strip_prefix("$.") else {
        return false;
    };
    if rest.contains('[') {
        return false;
    }
    for segment in rest.split('.') {
        match node.get(segment) {
            Some(next) => node = next,
            None => return false,
        }
    }
    node.as_array().is_some_and(|items| {
        !items.is_empty()
            && items.iter().all(|v| match v {
                serde_json::Value::String(_) => true,
                // An empty prefix matches every string: no limit at all.
                serde_json::Value::Object(op) => {
                    op.len() == 1
                        && op
                            .get("prefix")
                            .and_then(serde_json::Value::as_str)
                            .is_some_and(|p| !p.is_empty())
                }
                _ => false,
            })
    })
}

/// Warns when the event chooses the program the task runs: the whole command from the event, or
/// the program of entry point plus command (the first argument, or the one `env` runs) unless
/// the trigger's pattern limits that value to an allow-list or a non-empty prefix; and when an
/// entry point's shell (`sh -c`) runs a script taken from the event.
fn check_event_command(id: &str, t: &Task, at: &str, out: &mut Vec<Diagnostic>) {
    let Some(o) = &t.overrides else { return };
    let base = pointer_push(&pointer_push(at, "overrides"), "command");
    match &o.command {
        Some(CommandOverride::From(f)) => out.push(
            Diagnostic::warning(
                "event-command",
                pointer_push(&base, "from"),
                format!("tasks.{id}: the event chooses the whole command (`{}`): anyone who can put events on the bus can run any program in this container", f.from),
            )
            .with_help("an event pattern cannot limit every element of an array (EventBridge matches an array when any one element matches); fix the program in the spec and take only arguments from the event, limited by the trigger's pattern, e.g. `command: [python, manage.py, { from: $.detail.command }]` with `detail: { command: [migrate, showmigrations] }` in `trigger.event`")
        ),
        Some(CommandOverride::List(items)) => {
            // What the container runs: the entry point, then the overridden command.
            let entry: Vec<OverrideValue> = t
                .entry_point
                .iter()
                .flatten()
                .map(|s| OverrideValue::Literal(s.clone()))
                .collect();
            let argv: Vec<(Option<usize>, &OverrideValue)> = entry
                .iter()
                .map(|v| (None, v))
                .chain(items.iter().enumerate().map(|(i, v)| (Some(i), v)))
                .collect();
            let literal = |i: usize| match argv.get(i) {
                Some((_, OverrideValue::Literal(s))) => Some(s.as_str()),
                _ => None,
            };
            // `env [-i] [NAME=value]… PROGRAM` runs PROGRAM.
            let mut program = 0;
            if literal(0).is_some_and(|s| ENV_LAUNCHERS.contains(&s)) {
                program = 1;
                while literal(program).is_some_and(|s| s.starts_with('-') || s.contains('=')) {
                    program += 1;
                }
            }
            let from_event = |i: usize| match argv.get(i) {
                Some((Some(index), OverrideValue::From(f))) if !constrained(t, &f.from) => {
                    Some((*index, f.from.as_str()))
                }
                _ => None,
            };
            let at_item = |index: usize| pointer_push(&pointer_push(&base, &index.to_string()), "from");
            if let Some((index, path)) = from_event(program) {
                out.push(
                    Diagnostic::warning(
                        "event-command",
                        at_item(index),
                        format!("tasks.{id}: the event chooses the program the task runs (`{path}`)"),
                    )
                    .with_help(format!(
                        "limit `{path}` in the trigger's pattern to the programs you allow (a list of values or a non-empty `prefix`), or write the program literally"
                    )),
                );
            }
            // A shell and `-c` from the entry point, the script from the event (the same within
            // the command list is the shell-injection warning of `check_shell`).
            let shell_in_entry = literal(program).is_some_and(|s| SHELLS.contains(&s))
                && literal(program + 1).is_some_and(|f| f.starts_with('-') && f.ends_with('c'))
                && argv.get(program + 1).is_some_and(|(index, _)| index.is_none());
            if shell_in_entry {
                if let Some((index, path)) = from_event(program + 2) {
                    out.push(
                        Diagnostic::warning(
                            "shell-injection",
                            at_item(index),
                            format!("tasks.{id}: the event's value `{path}` is the script the entry point's shell runs (`{} {}`)", literal(program).unwrap_or_default(), literal(program + 1).unwrap_or_default()),
                        )
                        .with_help("anyone who can put events on the bus can run commands in this task; drop the shell from `entry_point` and take only arguments from the event, limited by the trigger's pattern"),
                    );
                }
            }
        }
        _ => {}
    }
}

/// Programs that run a script given after `-c`.
const SHELLS: [&str; 8] = [
    "sh",
    "bash",
    "/bin/sh",
    "/bin/bash",
    "/usr/bin/env sh",
    "dash",
    "zsh",
    "ash",
];

/// Programs that run the program named by a later argument.
const ENV_LAUNCHERS: [&str; 3] = ["env", "/usr/bin/env", "/bin/env"];

/// Warns when a value from the event reaches a shell: anyone who can put events on the bus
/// can then run commands in the task.
fn check_shell(id: &str, t: &Task, at: &str, out: &mut Vec<Diagnostic>) {
    let Some(o) = &t.overrides else { return };
    let argv: Vec<String> = t
        .entry_point
        .iter()
        .flatten()
        .chain(t.command.iter().flatten())
        .cloned()
        .collect();
    let shells = SHELLS;
    let script = argv.windows(3).find_map(|w| {
        (shells.contains(&w[0].as_str()) && w[1].starts_with('-') && w[1].ends_with('c'))
            .then(|| w[2].clone())
    });
    let help = "anyone who can put events on the bus can run commands in this task; fill one element of a list command instead (no shell): `command: [python, manage.py, { from: $.detail.command }]`, and limit the value in the trigger's pattern (`command: [migrate, showmigrations]`), or validate it in your code";
    if let Some(script) = script {
        for (name, v) in &o.environment {
            if matches!(v, OverrideValue::From(_))
                && (script.contains(&format!("${name}"))
                    || script.contains(&format!("${{{name}}}")))
            {
                out.push(
                    Diagnostic::warning(
                        "shell-injection",
                        pointer_push(
                            &pointer_push(&pointer_push(at, "overrides"), "environment"),
                            name,
                        ),
                        format!(
                            "tasks.{id}: the event value in `{name}` reaches a shell (`{}`)",
                            script
                        ),
                    )
                    .with_help(help),
                );
            }
        }
    }
    if let Some(CommandOverride::List(items)) = &o.command {
        let literal = |i: usize| match items.get(i) {
            Some(OverrideValue::Literal(s)) => Some(s.as_str()),
            _ => None,
        };
        for (i, v) in items.iter().enumerate() {
            if matches!(v, OverrideValue::From(_))
                && i >= 2
                && literal(i - 1).is_some_and(|f| f.starts_with('-') && f.ends_with('c'))
                && literal(i - 2).is_some_and(|s| shells.contains(&s))
            {
                out.push(
                    Diagnostic::warning(
                        "shell-injection",
                        pointer_push(
                            &pointer_push(&pointer_push(at, "overrides"), "command"),
                            &i.to_string(),
                        ),
                        format!("tasks.{id}: an event value is the script of a shell"),
                    )
                    .with_help(help),
                );
            }
        }
    }
}

/// The task's platform version when it is named and older than `min` (`LATEST` never is).
fn platform_before<'a>(t: &'a Task, min: &str) -> Option<&'a str> {
    t.platform_version
        .as_deref()
        .filter(|v| *v != "LATEST" && version_lt(v, min))
}

fn version_lt(a: &str, b: &str) -> bool {
    let parse = |s: &str| {
        s.split('.')
            .map(|p| p.parse::<u32>().unwrap_or(0))
            .collect::<Vec<_>>()
    };
    parse(a) < parse(b)
}

fn list(values: &[u32]) -> String {
    values
        .iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    #[test]
    fn follow_ons_are_what_the_removed_value_decides() {
        let removed = |r: &[&str]| r.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        // A removed cpu: the task's memory check is a follow-on, its schedule is not, nor is
        // another task's memory.
        let cpu = removed(&["/tasks/a/cpu"]);
        assert!(follow_on("/tasks/a/memory", &cpu));
        assert!(follow_on("/defaults/memory", &cpu));
        assert!(!follow_on("/tasks/a/trigger/schedule", &cpu));
        assert!(!follow_on("/tasks/b/memory", &cpu));
        // The task as a whole ("has no network") after anything in it went.
        assert!(follow_on("/tasks/a", &cpu));
        assert!(!follow_on("/tasks/b", &cpu));
        // Defaults reach every task; the spec's name every task's generated names only.
        let net = removed(&["/defaults/network"]);
        assert!(follow_on("/tasks/b", &net));
        assert!(!follow_on("/tasks/b/secrets/DB", &net));
        let name = removed(&["/name"]);
        assert!(follow_on("/tasks/b", &name));
        assert!(!follow_on("/tasks/b/trigger/event/source", &name));
        // A removed trigger: the overrides that read its pattern.
        let trigger = removed(&["/tasks/a/trigger"]);
        assert!(follow_on("/tasks/a/overrides/environment/X/from", &trigger));
        assert!(!follow_on("/tasks/a/tags/team", &trigger));
    }

    use super::*;
    use pretty_assertions::assert_eq;

    #[test]
    fn fargate_table() {
        assert_eq!(fargate_memory(256), vec![512, 1024, 2048]);
        assert_eq!(fargate_memory(512), vec![1024, 2048, 3072, 4096]);
        assert_eq!(fargate_memory(4096).last(), Some(&30720));
        assert_eq!(fargate_memory(8192).len(), 12);
        assert_eq!(fargate_memory(16384).first(), Some(&32768));
        assert!(fargate_memory(300).is_empty());
    }

    #[test]
    fn arn_shapes() {
        assert!(role_arn().is_match("arn:aws:iam::123456789012:role/my-proj-task"));
        assert!(role_arn().is_match("arn:aws:iam::123456789012:role/service/x"));
        assert!(!role_arn().is_match("arn:aws:iam::123456789012:user/x"));
        assert!(task_definition_arn()
            .is_match("arn:aws:ecs:eu-west-1:123456789012:task-definition/reindex:7"));
        assert!(
            secret_arn().is_match("arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf")
        );
        assert!(secret_arn()
            .is_match("arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf:password::"));
        assert!(ssm_arn().is_match("arn:aws:ssm:eu-west-1:123456789012:parameter/app/db"));
        assert!(json_path().is_match("$.detail.command"));
        assert!(json_path().is_match("$.resources[0]"));
        assert!(!json_path().is_match("$"));
        assert!(!json_path().is_match("detail.command"));
    }
}
