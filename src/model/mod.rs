//! The resolved, target-neutral model: defaults merged, names derived, the input transformer
//! built once. Every backend renders from this and nothing else; it knows no target.

pub mod iam;
pub mod image;
pub mod input;
pub mod kinds;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::spec::{
    Architecture, CapacityProvider, Defaults, Network, Overrides, ParamOr, PolicyStatement, Spec,
    Task,
};
pub use image::EcrRepository;
pub use input::{build_input, placeholder_name, TargetInput};

/// Default Fargate CPU units.
pub const DEFAULT_CPU: u32 = 256;
/// Default memory, MiB.
pub const DEFAULT_MEMORY: u32 = 512;

/// A whole deployment.
#[derive(Debug, Clone, Serialize)]
pub struct Model {
    pub name: String,
    pub description: Option<String>,
    pub tags: BTreeMap<String, String>,
    pub cluster: Cluster,
    /// Permissions boundary and path of every role the deployment creates.
    pub roles: RoleSettings,
    pub tasks: Vec<TaskModel>,
    /// The dead-letter queues the tasks' targets use, each once however many tasks share it.
    pub dead_letter_queues: Vec<DeadLetterQueue>,
}

impl Model {
    /// The description of the stack CloudFormation and CDK deploy: the spec's `description`,
    /// or one naming the spec. A template's `Description` is a literal that CloudFormation
    /// cannot escape, and linters (cfn-lint, CDK's template validation) read `${X}` in it as a
    /// reference that should have been an `Fn::Sub`, so `${` is written `$ {` there.
    pub fn stack_description(&self) -> String {
        self.description
            .clone()
            .unwrap_or_else(|| {
                format!(
                    "{}: ECS Fargate tasks started by EventBridge (tfc)",
                    self.name
                )
            })
            .replace("${", "$ {")
    }
}

/// A dead-letter queue and the tasks whose rules send undeliverable events to it. SQS keeps
/// one access policy per queue (a queue policy resource sets the whole policy), so each queue
/// gets one policy with a statement per rule, as CDK builds for a queue several rules use.
#[derive(Debug, Clone, Serialize)]
pub struct DeadLetterQueue {
    pub arn: String,
    /// A name unique among the spec's queues, for resource names (the queue name, plus its
    /// region and account when two queues share a name).
    pub name: String,
    pub region: String,
    pub account: String,
    pub queue_name: String,
    /// Ids of the tasks that use it, in task order.
    pub tasks: Vec<String>,
}

/// The spec's dead-letter queues, each with the tasks that use it.
fn dead_letter_queues(tasks: &[TaskModel]) -> Vec<DeadLetterQueue> {
    let mut queues: Vec<DeadLetterQueue> = Vec::new();
    for t in tasks {
        let Some(arn) = &t.dead_letter_queue else {
            continue;
        };
        // Scheduler sends to a dead-letter queue with the schedule's role (an identity policy),
        // not as a service principal: its queue needs no resource policy.
        if t.uses_scheduler() {
            continue;
        }
        match queues.iter_mut().find(|q| &q.arn == arn) {
            Some(q) => q.tasks.push(t.id.clone()),
            None => {
                let (region, account, queue_name) = iam::queue_parts(arn);
                queues.push(DeadLetterQueue {
                    arn: arn.clone(),
                    name: queue_name.clone(),
                    region,
                    account,
                    queue_name,
                    tasks: vec![t.id.clone()],
                });
            }
        }
    }
    // Names are identifiers in every target: two queues whose names look alike (`a-b`, `a_b`,
    // or one name in two accounts) are told apart by region and account.
    let ident = |n: &str| pascal(n);
    let clashes: Vec<bool> = queues
        .iter()
        .map(|q| {
            queues
                .iter()
                .filter(|o| ident(&o.queue_name) == ident(&q.queue_name))
                .count()
                > 1
        })
        .collect();
    for (q, clash) in queues.iter_mut().zip(clashes) {
        if clash {
            q.name = format!("{}-{}-{}", q.queue_name, q.region, q.account);
        }
    }
    queues
}

/// The cluster tasks run in.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Cluster {
    /// Created by the deployment.
    Create { name: String },
    /// Named by ARN in the spec.
    Existing { arn: String, name: String },
}

/// What every role the deployment creates carries.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RoleSettings {
    pub permissions_boundary: Option<String>,
    /// `None` is IAM's `/`.
    pub path: Option<String>,
}

/// A role: created by the deployment, or an existing one named by ARN.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Role {
    Create { name: String },
    Existing { arn: String },
}

/// Where a secret comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SecretSource {
    SecretsManager,
    SsmParameter,
}

/// An environment variable read from a secret at start-up.
#[derive(Debug, Clone, Serialize)]
pub struct Secret {
    pub name: String,
    pub value_from: String,
    pub source: SecretSource,
    /// The secret's ARN without ECS's `:json-key:version-stage:version-id` suffix.
    pub resource_arn: String,
    /// Which form of Secrets Manager ARN the spec gave (`None` for SSM parameters).
    pub arn_form: Option<SecretArnForm>,
}

/// The two forms of a Secrets Manager secret ARN. A secret's real ARN ends in `-` and six
/// random characters that IAM must match: a policy naming a secret without them matches
/// nothing (Secrets Manager user guide, "Secret ARN"; the documented way to grant on a name is
/// the `-??????` suffix, which CDK's `Secret.fromSecretPartialArn` uses too).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SecretArnForm {
    /// Ends in `-` and six letters and digits of more than one kind (`-AbCdEf`, `-a1b2c3`),
    /// as Secrets Manager's random suffixes nearly always are: granted exactly.
    Complete,
    /// No such suffix: granted with `-??????`.
    Partial,
    /// Ends in `-` and six characters of one kind only: lower-case letters
    /// (`…:secret:prod/db-backup`), upper-case letters or digits (`…:secret:export-202412`),
    /// which read like part of a name as much as like the random suffix: granted both ways,
    /// and `check` says so. (A random suffix is of one kind about once in a hundred; CDK's
    /// `arnIsComplete` takes every six-character tail as complete.)
    Ambiguous,
}

impl Secret {
    /// The resources to grant `secretsmanager:GetSecretValue` on.
    pub fn grant_arns(&self) -> Vec<String> {
        match self.arn_form {
            Some(SecretArnForm::Complete) | None => vec![self.resource_arn.clone()],
            Some(SecretArnForm::Partial) => vec![format!("{}-??????", self.resource_arn)],
            Some(SecretArnForm::Ambiguous) => vec![
                self.resource_arn.clone(),
                format!("{}-??????", self.resource_arn),
            ],
        }
    }
}

/// The form of a Secrets Manager ARN (without its JSON-key suffix).
pub fn secret_arn_form(arn: &str) -> SecretArnForm {
    let name = arn.splitn(7, ':').nth(6).unwrap_or_default();
    match name.rsplit_once('-') {
        Some((head, tail))
            if !head.is_empty()
                && tail.len() == 6
                && tail.bytes().all(|c| c.is_ascii_alphanumeric()) =>
        {
            let one_kind = tail.bytes().all(|c| c.is_ascii_lowercase())
                || tail.bytes().all(|c| c.is_ascii_uppercase())
                || tail.bytes().all(|c| c.is_ascii_digit());
            if one_kind {
                SecretArnForm::Ambiguous
            } else {
                SecretArnForm::Complete
            }
        }
        _ => SecretArnForm::Partial,
    }
}

/// The log group a created task definition writes to.
#[derive(Debug, Clone, Serialize)]
pub struct Log {
    pub group_name: String,
    pub retention_days: Option<u32>,
    pub stream_prefix: String,
}

/// A task definition created by the deployment.
#[derive(Debug, Clone, Serialize)]
pub struct CreatedDefinition {
    pub family: String,
    pub image: String,
    pub ecr_repository: Option<EcrRepository>,
    pub cpu: ParamOr<u32>,
    pub memory: ParamOr<u32>,
    pub architecture: Architecture,
    pub command: Option<Vec<String>>,
    pub entry_point: Option<Vec<String>>,
    pub environment: BTreeMap<String, String>,
    pub secrets: Vec<Secret>,
    pub log: Log,
    pub task_role: Role,
    pub execution_role: Role,
    /// Managed policies for the created task role.
    pub task_policies: Vec<String>,
    /// Statements the job's code needs, for the created task role.
    pub task_statements: Vec<PolicyStatement>,
    /// GiB; `None` is Fargate's 20.
    pub ephemeral_storage: Option<u32>,
    pub read_only_root_filesystem: bool,
    /// Writable scratch volumes: name → container path, sorted by name.
    pub scratch: BTreeMap<String, String>,
    /// Seconds; `None` is ECS's 30.
    pub stop_timeout: Option<u32>,
    pub user: Option<String>,
}

/// The task definition a rule runs.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Definition {
    Create(Box<CreatedDefinition>),
    /// An existing definition, with the roles it uses where the spec names them.
    Existing {
        arn: String,
        task_role: Option<String>,
        execution_role: Option<String>,
    },
}

/// What starts the task.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Trigger {
    Pattern {
        pattern: serde_json::Value,
        /// Custom bus name or ARN; `None` is the default bus.
        bus: Option<String>,
    },
    Schedule {
        expression: String,
        /// Run through EventBridge Scheduler instead of a scheduled rule.
        #[serde(skip_serializing_if = "Option::is_none")]
        scheduler: Option<Scheduler>,
    },
}

/// How EventBridge Scheduler runs a schedule (see [`crate::validate::scheduler`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Scheduler {
    /// The IANA zone the expression is evaluated in; `UTC` unless the spec names one.
    pub timezone: String,
    /// Minutes of flexible window; `None` is off.
    pub flexible_window: Option<u32>,
    /// UTC instants, `2035-01-01T00:00:00Z`.
    pub start: Option<String>,
    pub end: Option<String>,
    /// An existing schedule group; `None` is the `default` group.
    pub group: Option<String>,
}

/// The target's retry policy.
#[derive(Debug, Clone, Serialize)]
pub struct Retry {
    pub attempts: Option<u32>,
    pub max_event_age: Option<u32>,
}

/// One entry of a capacity provider strategy, with AWS's defaults filled in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct StrategyItem {
    pub provider: CapacityProvider,
    pub weight: u32,
    /// 0 when the spec sets none (written only when above 0).
    pub base: u32,
}

/// How RunTask starts the tasks beyond the definition: placement and the options ECS offers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RunOptions {
    /// The capacity provider strategy; empty means the `FARGATE` launch type.
    pub capacity_provider_strategy: Vec<StrategyItem>,
    pub enable_execute_command: bool,
    pub enable_ecs_managed_tags: bool,
    /// The RunTask `group`; `None` is ECS's default (`family:FAMILY`).
    pub group: Option<String>,
}

impl RunOptions {
    /// The launch type to write: `FARGATE`, unless a strategy is set (they exclude each other).
    pub fn launch_type(&self) -> Option<&'static str> {
        self.capacity_provider_strategy
            .is_empty()
            .then_some("FARGATE")
    }

    /// The options beyond the defaults in words, one phrase each, as `tfc simulate` and
    /// `tfc graph` show them (none for the FARGATE launch type with no options).
    pub fn describe(&self) -> Vec<String> {
        let mut parts = Vec::new();
        if !self.capacity_provider_strategy.is_empty() {
            let items: Vec<String> = self
                .capacity_provider_strategy
                .iter()
                .map(|i| {
                    let base = if i.base > 0 {
                        format!("base {}, ", i.base)
                    } else {
                        String::new()
                    };
                    format!("{} ({base}weight {})", i.provider.name(), i.weight)
                })
                .collect();
            parts.push(format!("capacity providers {}", items.join(", ")));
        }
        if self.enable_execute_command {
            parts.push("ECS Exec enabled".to_string());
        }
        if self.enable_ecs_managed_tags {
            parts.push("ECS managed tags".to_string());
        }
        if let Some(g) = &self.group {
            parts.push(format!("group {g}"));
        }
        parts
    }
}

/// One task, its rule and its target.
#[derive(Debug, Clone, Serialize)]
pub struct TaskModel {
    /// The task's id, or `TASK-NAME` for one of its `extra_triggers`.
    pub id: String,
    /// The task whose definition (and its log group and roles) this one runs: its own id, or
    /// the task's for an extra trigger, which creates none of them.
    pub definition_owner: String,
    pub description: Option<String>,
    pub container: String,
    pub definition: Definition,
    pub network: Network,
    pub platform_version: String,
    pub count: ParamOr<u32>,
    pub trigger: Trigger,
    pub enabled: ParamOr<bool>,
    pub rule_name: String,
    pub events_role_name: String,
    /// An existing role for the rule's (or schedule's) target, instead of the created one.
    pub events_role_arn: Option<String>,
    /// The overrides as written, for tools that apply them (simulate).
    pub overrides: Overrides,
    pub input: TargetInput,
    pub retry: Option<Retry>,
    pub dead_letter_queue: Option<String>,
    pub tags: BTreeMap<String, String>,
    pub propagate_tags: bool,
    pub run: RunOptions,
}

impl TaskModel {
    /// Whether EventBridge Scheduler starts the task (else an EventBridge rule).
    pub fn uses_scheduler(&self) -> bool {
        matches!(
            self.trigger,
            Trigger::Schedule {
                scheduler: Some(_),
                ..
            }
        )
    }
}

/// Applies `defaults` to a task: what `validate` checks and `lower` resolves.
/// Maps merge key by key (the task wins); other fields are taken
/// whole from the task when it sets them. A task with `task_definition` takes no container fields
/// from `defaults`.
pub fn effective(defaults: Option<&Defaults>, task: &Task) -> Task {
    let Some(d) = defaults else {
        return task.clone();
    };
    let mut t = task.clone();
    let existing = t.task_definition.is_some();
    fn pick<T: Clone>(own: &mut Option<T>, default: &Option<T>) {
        if own.is_none() {
            own.clone_from(default);
        }
    }
    fn merge(
        own: &mut Option<BTreeMap<String, String>>,
        default: &Option<BTreeMap<String, String>>,
    ) {
        if let Some(d) = default {
            let mut merged = d.clone();
            merged.extend(own.take().unwrap_or_default());
            *own = Some(merged);
        }
    }
    if !existing {
        pick(&mut t.image, &d.image);
        pick(&mut t.cpu, &d.cpu);
        pick(&mut t.memory, &d.memory);
        pick(&mut t.architecture, &d.architecture);
        pick(&mut t.command, &d.command);
        pick(&mut t.entry_point, &d.entry_point);
        pick(&mut t.logging, &d.logging);
        merge(&mut t.environment, &d.environment);
        merge(&mut t.secrets, &d.secrets);
        pick(&mut t.task_role, &d.task_role);
        pick(&mut t.execution_role, &d.execution_role);
        pick(&mut t.ephemeral_storage, &d.ephemeral_storage);
        pick(
            &mut t.read_only_root_filesystem,
            &d.read_only_root_filesystem,
        );
        pick(&mut t.scratch, &d.scratch);
        pick(&mut t.stop_timeout, &d.stop_timeout);
        pick(&mut t.user, &d.user);
        pick(&mut t.task_policies, &d.task_policies);
        pick(&mut t.task_statements, &d.task_statements);
    }
    pick(&mut t.events_role, &d.events_role);
    pick(&mut t.container, &d.container);
    pick(&mut t.network, &d.network);
    pick(&mut t.platform_version, &d.platform_version);
    pick(&mut t.count, &d.count);
    pick(&mut t.retry, &d.retry);
    pick(&mut t.dead_letter_queue, &d.dead_letter_queue);
    pick(&mut t.propagate_tags, &d.propagate_tags);
    // Launch type and strategy are one choice: a task that makes it takes neither from
    // `defaults`.
    if t.launch_type.is_none() && t.capacity_provider_strategy.is_none() {
        pick(&mut t.launch_type, &d.launch_type);
        pick(
            &mut t.capacity_provider_strategy,
            &d.capacity_provider_strategy,
        );
    }
    pick(&mut t.enable_execute_command, &d.enable_execute_command);
    pick(&mut t.enable_ecs_managed_tags, &d.enable_ecs_managed_tags);
    pick(&mut t.task_group, &d.task_group);
    merge(&mut t.tags, &d.tags);
    t
}

/// The task as one of its extra triggers runs it: the same fields, that trigger and its
/// overrides.
pub fn extra_task(t: &Task, extra: &crate::spec::ExtraTrigger) -> Task {
    Task {
        description: extra.description.clone().or_else(|| t.description.clone()),
        trigger: extra.trigger.clone(),
        overrides: extra.overrides.clone(),
        extra_triggers: None,
        ..t.clone()
    }
}

/// Names derived from the spec name and a task id; `validate` checks their limits.
pub struct Names {
    pub rule: String,
    pub family: String,
    pub log_group: String,
    pub task_role: String,
    pub execution_role: String,
    pub events_role: String,
}

/// The AWS names tfc gives a task's resources.
pub fn names(spec_name: &str, task_id: &str) -> Names {
    // Concatenation rather than `format!`: this runs for every task in check and lower.
    let join = |parts: &[&str]| {
        let mut s = String::with_capacity(parts.iter().map(|p| p.len()).sum());
        parts.iter().for_each(|p| s.push_str(p));
        s
    };
    let base = join(&[spec_name, "-", task_id]);
    Names {
        rule: base.clone(),
        family: base.clone(),
        log_group: join(&["/ecs/", spec_name, "/", task_id]),
        task_role: join(&[&base, "-task"]),
        execution_role: join(&[&base, "-execution"]),
        events_role: join(&[&base, "-events"]),
    }
}

/// PascalCase of a task id (`nightly-report` → `NightlyReport`): logical ids, class names.
pub fn pascal(id: &str) -> String {
    let mut out = String::with_capacity(id.len());
    push_pascal(&mut out, id);
    out
}

/// Appends [`pascal`] of `s` without building it apart: each run of ASCII letters and digits,
/// its first letter upper-cased. Appending `a` then `b` equals `pascal` of `a-b`; identifiers
/// are derived on every line of a target, so this allocates nothing of its own.
pub fn push_pascal(out: &mut String, s: &str) {
    // Byte by byte: every byte of a non-ASCII character separates, as the character does.
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_alphanumeric() {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_alphanumeric() {
            i += 1;
        }
        out.push(char::from(bytes[start].to_ascii_uppercase()));
        out.push_str(&s[start + 1..i]);
    }
}

/// The last `/`-separated part of an ARN (`…:cluster/main` → `main`); of a cluster ARN that is
/// a parameter (a symbolic spec), the marker for its cluster name.
pub fn arn_resource_name(arn: &str) -> String {
    use crate::spec::params;
    if let Some(params::Piece::Param(name)) = params::whole_marker(arn) {
        return format!("{}{name}{}", params::NAME_OF, params::CLOSE);
    }
    arn.rsplit('/').next().unwrap_or(arn).to_string()
}

/// The private ECR repository an image comes from, if it does (see [`image`]).
pub fn ecr_repository(image: &str) -> Option<EcrRepository> {
    // In a symbolic spec a parameter may stand only in the tag (see `spec::params`): the
    // repository is the same whatever its value, so any valid tag stands in for it.
    use crate::spec::params::{pieces, Piece};
    let image: String = pieces(image)
        .into_iter()
        .map(|p| match p {
            Piece::Text(t) => t,
            Piece::Param(_) | Piece::ClusterName(_) => "x",
        })
        .collect();
    match image::parse(&image).ok()?.registry {
        image::Registry::Ecr(repo) => Some(repo),
        _ => None,
    }
}

/// Splits a secret reference into its source and the ARN to grant read access on.
pub fn secret_source(value_from: &str) -> (SecretSource, String) {
    if value_from.starts_with("arn:") && value_from.split(':').nth(2) == Some("secretsmanager") {
        // arn:aws:secretsmanager:region:account:secret:name-AbCdEf[:json-key:version-stage:version-id]
        let arn: Vec<&str> = value_from.split(':').take(7).collect();
        (SecretSource::SecretsManager, arn.join(":"))
    } else {
        (SecretSource::SsmParameter, value_from.to_string())
    }
}

/// Lowers a validated spec to the model. Call only after `validate` reported no errors.
pub fn lower(spec: &Spec) -> Model {
    let cluster = match &spec.cluster {
        Some(c) => Cluster::Existing {
            arn: c.arn.clone(),
            name: arn_resource_name(&c.arn),
        },
        None => Cluster::Create {
            name: spec.name.clone(),
        },
    };
    let mut tasks: Vec<TaskModel> = Vec::new();
    for (id, task) in &spec.tasks {
        let t = effective(spec.defaults.as_ref(), task);
        tasks.push(lower_task(spec, id, id, &t));
        for (name, extra) in t.extra_triggers.iter().flatten() {
            tasks.push(lower_task(
                spec,
                &format!("{id}-{name}"),
                id,
                &extra_task(&t, extra),
            ));
        }
    }
    Model {
        name: spec.name.clone(),
        description: spec.description.clone(),
        tags: spec.tags.clone(),
        cluster,
        roles: RoleSettings {
            permissions_boundary: spec
                .iam
                .as_ref()
                .and_then(|i| i.permissions_boundary.clone()),
            path: spec.iam.as_ref().and_then(|i| i.role_path.clone()),
        },
        dead_letter_queues: dead_letter_queues(&tasks),
        tasks,
    }
}

/// A Scheduler trigger's options: dates become UTC instants (a checked spec has valid ones;
/// anything else, such as a parameter reference, is kept as written).
fn lower_scheduler(t: &crate::spec::types::Trigger) -> Scheduler {
    use crate::validate::scheduler as s;
    let timezone = t.timezone.clone().unwrap_or_else(|| "UTC".into());
    let zone = s::zone(&timezone).unwrap_or(jiff::tz::TimeZone::UTC);
    let date = |d: &Option<String>| {
        d.as_ref().map(|text| match s::instant(text, &zone) {
            Ok(t) => s::utc_text(t),
            Err(_) => text.clone(),
        })
    };
    Scheduler {
        flexible_window: t
            .flexible_window
            .as_ref()
            .and_then(|w| s::window(w).ok().flatten()),
        start: date(&t.start),
        end: date(&t.end),
        group: t.group.clone(),
        timezone,
    }
}

fn lower_task(spec: &Spec, id: &str, def_id: &str, t: &Task) -> TaskModel {
    let n = names(&spec.name, id);
    // The definition's own names are its owner's (the same for a task's own trigger).
    let d = names(&spec.name, def_id);
    let container = t.container.clone().unwrap_or_else(|| def_id.to_string());
    let role = |given: &Option<String>, name: &str| match given {
        Some(arn) => Role::Existing { arn: arn.clone() },
        None => Role::Create {
            name: name.to_string(),
        },
    };
    let definition = match &t.task_definition {
        Some(arn) => Definition::Existing {
            arn: arn.clone(),
            task_role: t.task_role.clone(),
            execution_role: t.execution_role.clone(),
        },
        None => {
            let image = t.image.clone().unwrap_or_default();
            let logging = t.logging.clone().unwrap_or_default();
            Definition::Create(Box::new(CreatedDefinition {
                family: d.family.clone(),
                ecr_repository: ecr_repository(&image),
                image,
                cpu: t.cpu.clone().unwrap_or(ParamOr::Lit(DEFAULT_CPU)),
                memory: t.memory.clone().unwrap_or(ParamOr::Lit(DEFAULT_MEMORY)),
                architecture: t.architecture.unwrap_or(Architecture::X86_64),
                command: t.command.clone(),
                entry_point: t.entry_point.clone(),
                environment: t.environment.clone().unwrap_or_default(),
                secrets: t
                    .secrets
                    .iter()
                    .flatten()
                    .map(|(name, value_from)| {
                        let (source, resource_arn) = secret_source(value_from);
                        let arn_form = (source == SecretSource::SecretsManager)
                            .then(|| secret_arn_form(&resource_arn));
                        Secret {
                            name: name.clone(),
                            value_from: value_from.clone(),
                            source,
                            resource_arn,
                            arn_form,
                        }
                    })
                    .collect(),
                log: Log {
                    group_name: d.log_group.clone(),
                    retention_days: logging.retention_days,
                    stream_prefix: logging.stream_prefix.unwrap_or_else(|| def_id.to_string()),
                },
                task_role: role(&t.task_role, &d.task_role),
                execution_role: role(&t.execution_role, &d.execution_role),
                task_policies: t.task_policies.clone().unwrap_or_default(),
                task_statements: t.task_statements.clone().unwrap_or_default(),
                ephemeral_storage: t.ephemeral_storage,
                read_only_root_filesystem: t.read_only_root_filesystem.unwrap_or(false),
                scratch: t.scratch.clone().unwrap_or_default(),
                stop_timeout: t.stop_timeout,
                user: t.user.clone(),
            }))
        }
    };
    let trigger = match (&t.trigger.event, &t.trigger.schedule) {
        (_, Some(expr)) => Trigger::Schedule {
            expression: expr.clone(),
            scheduler: crate::validate::scheduler::uses_scheduler(&t.trigger)
                .then(|| lower_scheduler(&t.trigger)),
        },
        (event, None) => Trigger::Pattern {
            pattern: event.clone().unwrap_or_default(),
            bus: t.trigger.bus.clone(),
        },
    };
    let overrides = t.overrides.clone().unwrap_or_default();
    let mut tags = spec.tags.clone();
    tags.extend(t.tags.clone().unwrap_or_default());
    TaskModel {
        id: id.to_string(),
        definition_owner: def_id.to_string(),
        description: t.description.clone(),
        input: build_input(&container, &overrides, &|path| match &trigger {
            Trigger::Pattern { pattern, .. } => kinds::path_kind(pattern, path),
            Trigger::Schedule { .. } => kinds::ValueKind::Unknown,
        }),
        container,
        definition,
        network: t.network.clone().unwrap_or(Network {
            subnets: ParamOr::Lit(Vec::new()),
            security_groups: ParamOr::Lit(Vec::new()),
            assign_public_ip: false,
        }),
        platform_version: t
            .platform_version
            .clone()
            .unwrap_or_else(|| "LATEST".into()),
        count: t.count.clone().unwrap_or(ParamOr::Lit(1)),
        trigger,
        enabled: t.trigger.enabled.clone().unwrap_or(ParamOr::Lit(true)),
        rule_name: n.rule,
        events_role_name: n.events_role,
        events_role_arn: t.events_role.clone(),
        overrides,
        retry: t.retry.as_ref().map(|r| Retry {
            attempts: r.attempts,
            max_event_age: r.max_event_age,
        }),
        dead_letter_queue: t.dead_letter_queue.clone(),
        tags,
        propagate_tags: t.propagate_tags.unwrap_or(true),
        run: RunOptions {
            capacity_provider_strategy: t
                .capacity_provider_strategy
                .iter()
                .flatten()
                .map(|i| StrategyItem {
                    provider: i.provider,
                    weight: i.weight.unwrap_or(0),
                    base: i.base.unwrap_or(0),
                })
                .collect(),
            enable_execute_command: t.enable_execute_command.unwrap_or(false),
            enable_ecs_managed_tags: t.enable_ecs_managed_tags.unwrap_or(false),
            group: t.task_group.clone(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    #[test]
    fn ecr_images_name_their_repository() {
        let r =
            ecr_repository("123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app:latest").unwrap();
        assert_eq!(
            (r.account.as_str(), r.region.as_str(), r.name.as_str()),
            ("123456789012", "eu-west-1", "team/app")
        );
        assert!(ecr_repository("public.ecr.aws/nginx/nginx:1").is_none());
        assert!(ecr_repository("nginx:latest").is_none());
    }

    #[test]
    fn secret_suffixes_of_one_kind_are_ambiguous() {
        let form = |name: &str| {
            secret_arn_form(&format!(
                "arn:aws:secretsmanager:eu-west-1:123456789012:secret:{name}"
            ))
        };
        assert_eq!(form("db-AbCdEf"), SecretArnForm::Complete);
        assert_eq!(form("db-a1b2c3"), SecretArnForm::Complete);
        assert_eq!(form("prod/db"), SecretArnForm::Partial);
        assert_eq!(form("db-backups"), SecretArnForm::Partial);
        for name in ["prod/db-backup", "export-202412", "db-ABCDEF"] {
            assert_eq!(form(name), SecretArnForm::Ambiguous, "{name}");
        }
    }

    #[test]
    fn secrets_manager_json_keys_grant_on_the_secret() {
        let (src, arn) = secret_source(
            "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf:password::",
        );
        assert_eq!(src, SecretSource::SecretsManager);
        assert_eq!(
            arn,
            "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf"
        );
        let (src, _) = secret_source("arn:aws:ssm:eu-west-1:123456789012:parameter/db/url");
        assert_eq!(src, SecretSource::SsmParameter);
    }

    #[test]
    fn defaults_merge_maps_and_skip_container_fields_for_existing_definitions() {
        let d = Defaults {
            image: Some("img".into()),
            environment: Some(BTreeMap::from([
                ("A".into(), "1".into()),
                ("B".into(), "1".into()),
            ])),
            container: Some("web".into()),
            ..Defaults::default()
        };
        let t = Task {
            environment: Some(BTreeMap::from([("B".into(), "2".into())])),
            ..Task::default()
        };
        let e = effective(Some(&d), &t);
        assert_eq!(e.image.as_deref(), Some("img"));
        assert_eq!(e.environment.unwrap()["B"], "2");
        let existing = Task {
            task_definition: Some("arn".into()),
            ..Task::default()
        };
        let e = effective(Some(&d), &existing);
        assert_eq!(e.image, None);
        assert_eq!(e.environment, None);
        assert_eq!(e.container.as_deref(), Some("web"));
    }
}
