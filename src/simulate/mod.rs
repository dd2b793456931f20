//! Offline trigger testing: which tasks an event starts, and with what overrides (`tfc simulate`),
//! and an event that starts a given task (`tfc event`). Pattern matching and the input
//! transformer follow EventBridge's documented semantics; see [`pattern`] and [`transform`].

pub mod example;
pub mod pattern;
pub mod stream;
pub mod transform;

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{json, Value};

use crate::model::{Cluster, Definition, Model, TargetInput, TaskModel, Trigger};
use crate::validate::schedule::{self, Minute, Schedule};
use crate::validate::scheduler;

/// Values tfc gives the fields of an event that it does not carry (a PutEvents entry has no
/// `id`, `account`, `time`…), so patterns and paths that read them behave predictably.
pub const DEFAULT_ACCOUNT: &str = "123456789012";
pub const DEFAULT_REGION: &str = "us-east-1";
pub const DEFAULT_TIME: &str = "2026-01-01T00:00:00Z";

/// What happens to one task when an event arrives.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub task: String,
    /// The rule's pattern (or schedule) matches the event.
    pub matched: bool,
    /// Why not, when it does not: the first failing field and condition.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Matched and EventBridge could hand RunTask valid overrides (no FailedInvocation).
    pub started: bool,
    /// What EventBridge passes to ECS RunTask, when matched.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub run_task: Option<RunTask>,
    /// The RunTask `overrides` the input transformer (or static input) produces.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overrides: Option<Value>,
    /// The container's effective command after the overrides (`None` when it comes from an
    /// existing task definition tfc does not know, or from the image's own CMD).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command: Option<Vec<Value>>,
    /// Where the command comes from: `overrides`, `task definition`, `image` (the image's CMD:
    /// the task definition sets none) or `existing task definition`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command_source: Option<&'static str>,
    /// The entry point the command runs under, when the task definition tfc creates sets one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entry_point: Option<Vec<String>>,
    /// Whether `environment` is complete: false for an existing task definition, whose own
    /// variables tfc does not know (only the overrides are shown).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub environment_complete: Option<bool>,
    /// The container's effective environment after the overrides (task definition values
    /// tfc knows, then overrides).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub environment: Option<BTreeMap<String, Value>>,
    /// The task's Fargate size for this run (`None` when an existing definition's size is not
    /// overridden: tfc does not know it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<Size>,
    /// Why RunTask would fail (a FailedInvocation in CloudWatch, and no task).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<String>,
}

/// A run's Fargate size: CPU units and MiB, and whether the overrides set them.
#[derive(Debug, Clone, Serialize)]
pub struct Size {
    pub cpu: Option<u32>,
    pub memory: Option<u32>,
    pub overridden: bool,
}

/// The RunTask parameters of the rule's target.
#[derive(Debug, Clone, Serialize)]
pub struct RunTask {
    pub cluster: String,
    pub task_definition: String,
    pub count: u32,
    /// `FARGATE`, unless a capacity provider strategy places the tasks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub launch_type: Option<&'static str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub capacity_provider_strategy: Vec<crate::model::StrategyItem>,
    pub subnets: Vec<String>,
    pub security_groups: Vec<String>,
    pub assign_public_ip: bool,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub enable_execute_command: bool,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub enable_ecs_managed_tags: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
}

impl RunTask {
    /// The placement and options beyond the defaults, as `tfc simulate` prints them
    /// (`None` for a task on the FARGATE launch type with no options).
    pub fn options(&self) -> Option<String> {
        let parts = crate::model::RunOptions {
            capacity_provider_strategy: self.capacity_provider_strategy.clone(),
            enable_execute_command: self.enable_execute_command,
            enable_ecs_managed_tags: self.enable_ecs_managed_tags,
            group: self.group.clone(),
        }
        .describe();
        (!parts.is_empty()).then(|| parts.join("; "))
    }
}

/// Turns a PutEvents entry (`Source`, `DetailType`, `Detail` as a JSON string, …) into the event
/// EventBridge delivers, and fills the envelope fields an event file may leave out.
pub fn normalize_event(v: Value) -> Result<(Value, Option<String>), String> {
    let Value::Object(mut m) = v else {
        return Err("an event must be a JSON object".into());
    };
    let mut bus = None;
    if m.contains_key("Source") || m.contains_key("DetailType") {
        let detail = match m.remove("Detail") {
            Some(Value::String(s)) => {
                serde_json::from_str(&s).map_err(|e| format!("Detail is not a JSON object: {e}"))?
            }
            Some(other) => other,
            None => json!({}),
        };
        bus = m
            .remove("EventBusName")
            .and_then(|b| b.as_str().map(String::from));
        let mut e = serde_json::Map::new();
        e.insert("source".into(), m.remove("Source").unwrap_or(Value::Null));
        e.insert(
            "detail-type".into(),
            m.remove("DetailType").unwrap_or(Value::Null),
        );
        e.insert("detail".into(), detail);
        if let Some(r) = m.remove("Resources") {
            e.insert("resources".into(), r);
        }
        if let Some(t) = m.remove("Time") {
            e.insert("time".into(), t);
        }
        m = e;
    }
    for (k, v) in [
        ("version", json!("0")),
        ("id", json!("00000000-0000-0000-0000-000000000000")),
        ("account", json!(DEFAULT_ACCOUNT)),
        ("time", json!(DEFAULT_TIME)),
        ("region", json!(DEFAULT_REGION)),
        ("resources", json!([])),
        ("detail", json!({})),
    ] {
        m.entry(k).or_insert(v);
    }
    Ok((Value::Object(m), bus))
}

/// The bus name of a trigger's bus (name or ARN); `default` when none.
fn bus_name(bus: Option<&str>) -> &str {
    match bus {
        Some(b) => b.rsplit('/').next().unwrap_or(b),
        None => "default",
    }
}

/// Every task's outcome for one event. `bus` is the bus the event was put on, when known;
/// `at` the minute to evaluate schedules at.
pub fn simulate(
    model: &Model,
    event: &Value,
    bus: Option<&str>,
    at: Option<Minute>,
) -> Vec<Outcome> {
    model
        .tasks
        .iter()
        .map(|t| simulate_task(model, t, event, bus, at))
        .collect()
}

fn simulate_task(
    model: &Model,
    task: &TaskModel,
    event: &Value,
    bus: Option<&str>,
    at: Option<Minute>,
) -> Outcome {
    let mut outcome = Outcome {
        task: task.id.clone(),
        matched: false,
        reason: None,
        started: false,
        run_task: None,
        overrides: None,
        command: None,
        command_source: None,
        entry_point: None,
        environment: None,
        environment_complete: None,
        size: None,
        problems: Vec::new(),
    };
    // A simulated spec has its parameters baked in: every value is a literal.
    if !task.enabled.lit_or(true) {
        outcome.reason = Some("the rule is disabled (`enabled: false`)".into());
        return outcome;
    }
    let verdict = match &task.trigger {
        Trigger::Pattern {
            pattern,
            bus: rule_bus,
        } => {
            let rule_bus = bus_name(rule_bus.as_deref());
            match bus {
                Some(b) if bus_name(Some(b)) != rule_bus => Err(format!(
                    "the event was put on bus `{}`, the rule listens on `{rule_bus}`",
                    bus_name(Some(b))
                )),
                _ => pattern::matches(pattern, event).map_err(|m| {
                    let found = match &m.found {
                        Some(v) => format!("the event has {v}"),
                        None => "the event has no such field".into(),
                    };
                    format!("`{}` must match {}; {found}", m.path, m.condition)
                }),
            }
        }
        Trigger::Schedule {
            expression,
            scheduler: Some(s),
        } => scheduler_runs(expression, s, event, at),
        Trigger::Schedule { expression, .. } => scheduled(expression, event, at),
    };
    if let Err(reason) = verdict {
        outcome.reason = Some(reason);
        return outcome;
    }
    outcome.matched = true;
    outcome.run_task = Some(RunTask {
        cluster: match &model.cluster {
            Cluster::Create { name } => {
                format!("arn:aws:ecs:{DEFAULT_REGION}:{DEFAULT_ACCOUNT}:cluster/{name}")
            }
            Cluster::Existing { arn, .. } => arn.clone(),
        },
        task_definition: match &task.definition {
            Definition::Create(d) => format!(
                "arn:aws:ecs:{DEFAULT_REGION}:{DEFAULT_ACCOUNT}:task-definition/{}",
                d.family
            ),
            Definition::Existing { arn, .. } => arn.clone(),
        },
        count: task.count.lit_or(1),
        launch_type: task.run.launch_type(),
        capacity_provider_strategy: task.run.capacity_provider_strategy.clone(),
        subnets: task.network.subnets.lit_or(Vec::new()),
        security_groups: task.network.security_groups.lit_or(Vec::new()),
        assign_public_ip: task.network.assign_public_ip,
        enable_execute_command: task.run.enable_execute_command,
        enable_ecs_managed_tags: task.run.enable_ecs_managed_tags,
        group: task.run.group.clone(),
    });
    let text = match &task.input {
        TargetInput::Transformer {
            input_paths,
            input_template,
        } => {
            let rule_arn = format!(
                "arn:aws:events:{DEFAULT_REGION}:{DEFAULT_ACCOUNT}:rule/{}",
                task.rule_name
            );
            let time = event
                .get("time")
                .and_then(Value::as_str)
                .unwrap_or(DEFAULT_TIME);
            let ctx = transform::RuleContext {
                rule_arn: &rule_arn,
                rule_name: &task.rule_name,
                ingestion_time: time,
            };
            transform::apply(input_paths, input_template, event, &ctx)
        }
        TargetInput::Static { input } => input.clone(),
    };
    match transform::check_overrides(&text, &task.container) {
        Ok(overrides) => {
            effective(task, &overrides, &mut outcome);
            outcome.overrides = Some(overrides);
            outcome.started = outcome.problems.is_empty();
        }
        Err(problems) => {
            outcome.problems = problems.into_iter().map(|p| p.message).collect();
            outcome.overrides = serde_json::from_str(&text).ok();
        }
    }
    outcome
}

/// Scheduled rules see only EventBridge's scheduled events; `at` asks whether a cron fires.
fn scheduled(expression: &str, event: &Value, at: Option<Minute>) -> Result<(), String> {
    let source = event.get("source").and_then(Value::as_str);
    let detail_type = event.get("detail-type").and_then(Value::as_str);
    if source != Some("aws.events") || detail_type != Some("Scheduled Event") {
        return Err(format!("`{expression}` runs on a schedule; only scheduled events (source aws.events, detail-type \"Scheduled Event\") start it"));
    }
    match (at, schedule::parse_schedule(expression)) {
        (Some(minute), Ok(Schedule::Cron(cron))) if !cron.fires_at(minute) => Err(format!(
            "`{expression}` does not fire at the minute given by --at"
        )),
        _ => Ok(()),
    }
}

/// EventBridge Scheduler sends no event: only `--at` asks whether it runs, in its zone and
/// bounds.
fn scheduler_runs(
    expression: &str,
    s: &crate::model::Scheduler,
    event: &Value,
    at: Option<Minute>,
) -> Result<(), String> {
    let from_at = event.get("source").and_then(Value::as_str) == Some("aws.events")
        && event.get("detail-type").and_then(Value::as_str) == Some("Scheduled Event");
    let (Some(minute), true) = (at, from_at) else {
        return Err(format!("`{expression}` runs on EventBridge Scheduler, which no event starts; ask with --at TIME (or list runs with --next N)"));
    };
    let when = scheduler::when(expression, Some(s))?;
    let t = scheduler::timestamp_of(minute).ok_or("--at is out of range")?;
    if when.fires_in_minute(t) {
        Ok(())
    } else {
        Err(format!(
            "`{expression}` in {} does not run at {} ({})",
            s.timezone,
            scheduler::utc_text(t),
            scheduler::local_text(t, &when.zone)
        ))
    }
}

/// A scheduled task's next runs, for `tfc simulate --next`.
#[derive(Debug, Clone, Serialize)]
pub struct NextRuns {
    pub task: String,
    pub expression: String,
    /// `rule` (UTC) or `scheduler`.
    pub service: &'static str,
    pub timezone: String,
    /// Minutes after each time that Scheduler may start the run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flexible_window: Option<u32>,
    pub runs: Vec<NextRun>,
    /// Why no times can be listed (a rate counts from when it is created).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// One run: in UTC and on the schedule's clock.
#[derive(Debug, Clone, Serialize)]
pub struct NextRun {
    pub utc: String,
    pub local: String,
}

/// The next `n` runs at or after `from` of every scheduled task, in task order.
pub fn next_runs(model: &Model, from: jiff::Timestamp, n: usize) -> Vec<NextRuns> {
    let mut out = Vec::new();
    for task in &model.tasks {
        let Trigger::Schedule {
            expression,
            scheduler: s,
        } = &task.trigger
        else {
            continue;
        };
        let Ok(when) = scheduler::when(expression, s.as_ref()) else {
            continue;
        };
        let (runs, note) = match when.next(from, n) {
            scheduler::Runs::Times(times) => (
                times
                    .into_iter()
                    .map(|t| NextRun {
                        utc: scheduler::utc_text(t),
                        local: scheduler::local_text(t, &when.zone),
                    })
                    .collect(),
                None,
            ),
            scheduler::Runs::FromCreation => (
                Vec::new(),
                Some(format!("`{expression}` counts from when the schedule is created; set `start` (EventBridge Scheduler) to fix its times")),
            ),
        };
        out.push(NextRuns {
            task: task.id.clone(),
            expression: expression.clone(),
            service: if s.is_some() { "scheduler" } else { "rule" },
            timezone: when.zone_name.clone(),
            flexible_window: when.window,
            runs,
            note,
        });
    }
    out
}

/// `--next` as text: per task its expression and zone, then one line per run.
pub fn render_next(list: &[NextRuns]) -> String {
    let mut out = String::new();
    for r in list {
        let window = r
            .flexible_window
            .map(|m| format!(", flexible window {m} min"))
            .unwrap_or_default();
        let via = if r.service == "scheduler" {
            "EventBridge Scheduler"
        } else {
            "EventBridge rule"
        };
        out.push_str(&format!(
            "{}: {} in {} ({via}{window})\n",
            r.task, r.expression, r.timezone
        ));
        for run in &r.runs {
            out.push_str(&format!("  {}  {}\n", run.utc, run.local));
        }
        if r.runs.is_empty() {
            out.push_str(&format!(
                "  {}\n",
                r.note.clone().unwrap_or_else(|| "no further runs".into())
            ));
        }
    }
    out
}

/// The run's size: the overrides' task `cpu` and `memory` (strings), else the created
/// definition's; a pair Fargate does not offer makes RunTask fail.
fn effective_size(task: &TaskModel, overrides: &Value, outcome: &mut Outcome) {
    let given = |key: &str| overrides[key].as_str().and_then(|s| s.parse::<u32>().ok());
    let (def_cpu, def_memory) = match &task.definition {
        Definition::Create(d) => (d.cpu.lit(), d.memory.lit()),
        Definition::Existing { .. } => (None, None),
    };
    let overridden = overrides.get("cpu").is_some() || overrides.get("memory").is_some();
    let cpu = given("cpu").or(def_cpu.copied());
    let memory = given("memory").or(def_memory.copied());
    if cpu.is_none() && memory.is_none() {
        return;
    }
    if let (true, Some(c), Some(m)) = (overridden, cpu, memory) {
        let valid = crate::validate::fargate_memory(c);
        if !valid.contains(&m) {
            outcome.problems.push(if valid.is_empty() {
                format!("Fargate has no {c} CPU size: RunTask refuses the overrides")
            } else {
                format!("Fargate has no {c} CPU / {m} MiB size: RunTask refuses the overrides")
            });
        }
    }
    outcome.size = Some(Size {
        cpu,
        memory,
        overridden,
    });
}

/// The container's command and environment after the overrides.
fn effective(task: &TaskModel, overrides: &Value, outcome: &mut Outcome) {
    effective_size(task, overrides, outcome);
    let container = overrides["containerOverrides"].as_array().and_then(|list| {
        list.iter()
            .find(|c| c["name"].as_str() == Some(task.container.as_str()))
    });
    let overridden = container.and_then(|c| c["command"].as_array().cloned());
    let mut env: BTreeMap<String, Value> = BTreeMap::new();
    match &task.definition {
        Definition::Create(d) => {
            outcome.entry_point = d.entry_point.clone();
            outcome.environment_complete = Some(true);
            env.extend(d.environment.iter().map(|(k, v)| (k.clone(), json!(v))));
            (outcome.command, outcome.command_source) = match (overridden, &d.command) {
                (Some(c), _) => (Some(c), Some("overrides")),
                (None, Some(c)) => (
                    Some(c.iter().map(|s| json!(s)).collect()),
                    Some("task definition"),
                ),
                (None, None) => (None, Some("image")),
            };
        }
        Definition::Existing { .. } => {
            outcome.environment_complete = Some(false);
            (outcome.command, outcome.command_source) = match overridden {
                Some(c) => (Some(c), Some("overrides")),
                None => (None, Some("existing task definition")),
            };
        }
    }
    for e in container
        .and_then(|c| c["environment"].as_array())
        .into_iter()
        .flatten()
    {
        if let Some(name) = e["name"].as_str() {
            env.insert(name.to_string(), e["value"].clone());
        }
    }
    outcome.environment = Some(env);
}

/// A scheduled event as EventBridge emits it, for `tfc simulate --at`.
pub fn scheduled_event(at: &str) -> Value {
    json!({
        "version": "0",
        "id": "00000000-0000-0000-0000-000000000000",
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": DEFAULT_ACCOUNT,
        "time": at,
        "region": DEFAULT_REGION,
        "resources": [],
        "detail": {}
    })
}
