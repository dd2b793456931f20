//! The spec v1 types: what users write, typed with serde and documented for the JSON Schema.
//!
//! Doc comments on every field become `description`s in `tfc schema`, which editors show on hover.
//! Structural rules (enums, ranges, patterns, `additionalProperties: false`) live here; rules that
//! need more than one field (Fargate cpu/memory pairs, cron syntax, event patterns) live in
//! `crate::validate`.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Pattern of the spec `name` and of task ids: lower-case letters, digits and dashes.
pub const ID_PATTERN: &str = r"^[a-z][a-z0-9-]*$";
/// Subnet ids as EC2 (and cfn-lint) accept them.
pub const SUBNET_PATTERN: &str = r"^subnet-([0-9a-f]{8}|[0-9a-f]{17})$";
/// Security group ids as EC2 (and cfn-lint) accept them.
pub const SG_PATTERN: &str = r"^sg-([0-9a-f]{8}|[0-9a-f]{17})$";
/// Retention periods CloudWatch Logs accepts, in days.
pub const RETENTION_DAYS: [u32; 22] = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
];

/// A tfc spec: ECS Fargate tasks and the EventBridge triggers that start them.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    title = "tfc spec v1",
    extend("$id" = "https://github.com/tfc-dev/tfc/schemas/tfc.schema.json")
)]
pub struct Spec {
    /// Spec format version. Only `1` exists.
    #[schemars(range(min = 1, max = 1), extend("default" = 1))]
    pub version: u32,
    /// Project name: lower-case letters, digits and dashes, starting with a letter. It prefixes
    /// every generated AWS name (rules, roles, log groups, the cluster).
    #[schemars(pattern(r"^[a-z][a-z0-9-]*$"), length(min = 1, max = 32))]
    pub name: String,
    /// What these tasks are for; becomes the stack/module description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Tags applied to every taggable resource, merged under each task's own `tags`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, String>,
    /// Deploy-time parameters, by name (lower-case letters, digits and `_`). Use one as a whole
    /// value, `{ param: NAME }` (subnets, security groups, `cpu`, `memory`, `count`,
    /// `trigger.enabled`, `cluster.arn`), or inside a string as `((NAME))` (image, environment
    /// values, command and entry point arguments, event-pattern strings, `trigger.bus`,
    /// `logging.stream_prefix`). References are read only in a spec that declares parameters.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[schemars(extend("propertyNames" = { "pattern": "^[a-z][a-z0-9_]*$" }))]
    pub parameters: BTreeMap<String, Parameter>,
    /// Values of the parameters per named environment (`staging`, `prod`, …): for some or all
    /// parameters; the others take their `default`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[schemars(extend("propertyNames" = { "pattern": "^[a-z][a-z0-9-]*$" }))]
    pub environments: BTreeMap<String, BTreeMap<String, serde_json::Value>>,
    /// Settings for every IAM role tfc creates (task, execution and events roles): the
    /// permissions boundary and path many organisations require.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iam: Option<Iam>,
    /// The ECS cluster the tasks run in. Omit it and the spec creates one cluster named after
    /// `name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster: Option<Cluster>,
    /// Values every task inherits unless it sets them itself. Maps (`environment`, `secrets`,
    /// `tags`) merge key by key, the task's value winning; every other field is replaced whole.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub defaults: Option<Defaults>,
    /// The tasks, keyed by task id (lower-case letters, digits and dashes). At least one.
    #[schemars(extend("minProperties" = 1, "propertyNames" = { "pattern": "^[a-z][a-z0-9-]*$" }))]
    pub tasks: BTreeMap<String, Task>,
}

/// A deploy-time parameter.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Parameter {
    /// What values it takes: `string`, `number`, `boolean`, `subnet_ids` (a list of subnet
    /// ids), `security_group_ids` (a list of security group ids) or `arn`.
    #[serde(rename = "type")]
    pub kind: ParamType,
    /// What it is for (shown by the deployment tools).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The value when an environment gives none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<serde_json::Value>,
    /// The only values it may take.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1))]
    pub allowed: Option<Vec<serde_json::Value>>,
    /// A regular expression a string value (or each id of a list) must match in full.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
}

/// The type of a parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ParamType {
    String,
    Number,
    Boolean,
    SubnetIds,
    SecurityGroupIds,
    Arn,
}

/// A whole value taken from a parameter.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ParamRef {
    /// The name of a parameter declared under `parameters`.
    pub param: String,
}

/// A field that takes a literal or a whole-value parameter reference. Checking bakes every
/// reference into a literal (see [`super::params`]); a reference survives only into the
/// symbolic spec that native rendering lowers, where it becomes the target's own parameter.
/// Its schema is the literal's: the editor schema adds `{ param: NAME }` to the fields that
/// take one.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(untagged)]
pub enum ParamOr<T> {
    Lit(T),
    Param(ParamRef),
}

impl<T> ParamOr<T> {
    /// The literal, unless this is a reference.
    pub fn lit(&self) -> Option<&T> {
        match self {
            ParamOr::Lit(v) => Some(v),
            ParamOr::Param(_) => None,
        }
    }

    /// The parameter's name, for a reference.
    pub fn param(&self) -> Option<&str> {
        match self {
            ParamOr::Lit(_) => None,
            ParamOr::Param(r) => Some(&r.param),
        }
    }
}

impl<T: Clone> ParamOr<T> {
    /// The literal, or `fallback` for a reference (which only a symbolic spec has).
    pub fn lit_or(&self, fallback: T) -> T {
        self.lit().cloned().unwrap_or(fallback)
    }
}

impl<T> ParamOr<Vec<T>> {
    /// An empty literal list (left out when serialised).
    pub fn is_empty_list(&self) -> bool {
        self.lit().is_some_and(Vec::is_empty)
    }
}

impl<T: Default> Default for ParamOr<T> {
    fn default() -> Self {
        ParamOr::Lit(T::default())
    }
}

/// A literal as itself, a reference as `((name))`.
impl<T: std::fmt::Display> std::fmt::Display for ParamOr<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ParamOr::Lit(v) => v.fmt(f),
            ParamOr::Param(r) => write!(f, "(({}))", r.param),
        }
    }
}

impl<T> From<T> for ParamOr<T> {
    fn from(v: T) -> Self {
        ParamOr::Lit(v)
    }
}

impl<T: JsonSchema> JsonSchema for ParamOr<T> {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> std::borrow::Cow<'static, str> {
        T::schema_name()
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        T::json_schema(generator)
    }
}

/// Settings for the IAM roles tfc creates.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Iam {
    /// ARN of the managed policy set as the permissions boundary of every role tfc creates,
    /// e.g. `arn:aws:iam::123456789012:policy/team-boundary`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions_boundary: Option<String>,
    /// The IAM path of every role tfc creates, starting and ending with `/`, e.g. `/jobs/`.
    /// Default `/`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(pattern(r"^/([!-~]*/)?$"), length(max = 512))]
    pub role_path: Option<String>,
}

/// An IAM statement the task's own code needs: `Allow` of exact actions on exact resources.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyStatement {
    /// Actions, each `service:Action` exactly (e.g. `s3:GetObject`); no wildcards.
    #[schemars(
        length(min = 1, max = 100),
        inner(pattern(r"^[a-z0-9-]+:[A-Za-z0-9]+$"))
    )]
    pub actions: Vec<String>,
    /// Resource ARNs, exactly (e.g. `arn:aws:s3:::reports/latest.csv`); no `*`, `?` or
    /// `${…}`: attach a managed policy (`task_policies`) to grant on a prefix.
    #[schemars(length(min = 1, max = 100), inner(length(min = 1, max = 2048)))]
    pub resources: Vec<String>,
}

/// An existing ECS cluster.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Cluster {
    /// ARN of an existing ECS cluster, e.g. `arn:aws:ecs:eu-west-1:123456789012:cluster/main`.
    #[schemars(pattern(
        r"^arn:aws[a-z-]*:ecs:[a-z0-9-]+:[0-9]{12}:cluster/[A-Za-z0-9_-]{1,255}$"
    ))]
    pub arn: String,
}

/// Declares the task fields shared by `defaults` and each task once, so the two can never
/// drift apart; `$extra` adds the task-only fields.
macro_rules! task_struct {
    ($(#[$meta:meta])* $name:ident { $($extra:tt)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            $($extra)*
            /// Name of the container the overrides address. Default: the task id.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            #[schemars(pattern(r"^[A-Za-z0-9_-]{1,255}$"))]
            pub container: Option<String>,
            /// Container image, e.g. `123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:latest`.
            /// Exactly one of `image` and `task_definition` per task.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            #[schemars(length(min = 1, max = 255))]
            pub image: Option<String>,
            /// Fargate CPU units. Default 256.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            #[schemars(extend("enum" = [256, 512, 1024, 2048, 4096, 8192, 16384]))]
            pub cpu: Option<ParamOr<u32>>,
            /// Memory in MiB; must form a valid Fargate pair with `cpu`. Default 512.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            #[schemars(range(min = 512, max = 122880))]
            pub memory: Option<ParamOr<u32>>,
            /// CPU architecture of the image. Default `x86_64`.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub architecture: Option<Architecture>,
            /// The container command (Docker CMD), one argument per element.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub command: Option<Vec<String>>,
            /// The container entry point (Docker ENTRYPOINT), one argument per element.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub entry_point: Option<Vec<String>>,
            /// Environment variables set in the task definition. Values are strings: quote
            /// numbers and booleans.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            #[schemars(extend("propertyNames" = { "pattern": "^[A-Za-z_][A-Za-z0-9_]*$" }))]
            pub environment: Option<BTreeMap<String, String>>,
            /// Environment variables read at start-up from Secrets Manager secret ARNs or SSM
            /// parameter ARNs. The created execution role may read exactly these.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            #[schemars(extend("propertyNames" = { "pattern": "^[A-Za-z_][A-Za-z0-9_]*$" }))]
            pub secrets: Option<BTreeMap<String, String>>,
            /// Ephemeral storage of the task in GiB, 21–200 (Fargate gives 20 GiB without it).
            /// Needs platform 1.4.0 or later.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            #[schemars(range(min = 21, max = 200))]
            pub ephemeral_storage: Option<u32>,
            /// Mount the container's root file system read-only. Give the job writable
            /// directories with `scratch`. Default false.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub read_only_root_filesystem: Option<bool>,
            /// Writable scratch directories on the task's ephemeral storage: volume name →
            /// absolute container path, e.g. `{ tmp: /tmp, cache: /app/cache }`. Each becomes a
            /// task volume mounted read-write. A task's own `scratch` replaces the one in
            /// `defaults` whole.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            #[schemars(extend(
                "propertyNames" = { "pattern": "^[A-Za-z0-9_-]{1,255}$" },
                "additionalProperties" = { "type": "string", "pattern": "^/[!-~]{0,4095}$" }
            ))]
            pub scratch: Option<BTreeMap<String, String>>,
            /// Seconds ECS waits after SIGTERM before it kills the container, 2–120 on Fargate.
            /// Default 30.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            #[schemars(range(min = 2, max = 120))]
            pub stop_timeout: Option<u32>,
            /// The user the container runs as: `UID`, `UID:GID`, `NAME` or `NAME:GROUP`.
            /// Default: the image's user.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            #[schemars(pattern(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?$"))]
            pub user: Option<String>,
            /// ARN of the IAM role the task's code runs as. Default: a role is created (no
            /// permissions) for tasks with an `image`.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub task_role: Option<String>,
            /// ARNs of managed policies attached to the task role tfc creates: what the job's own
            /// code needs (at most 20, IAM's limit per role). Not with a given `task_role`.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            #[schemars(length(max = 20))]
            pub task_policies: Option<Vec<String>>,
            /// IAM statements added to the task role tfc creates, each `{ actions: [...],
            /// resources: [...] }` with exact actions and ARNs (at most 50). Not with a given
            /// `task_role`.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            #[schemars(length(max = 50))]
            pub task_statements: Option<Vec<PolicyStatement>>,
            /// ARN of the IAM role ECS uses to pull the image, write logs and read secrets.
            /// Default: a role is created with exactly those permissions.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub execution_role: Option<String>,
            /// ARN of an existing IAM role EventBridge (or EventBridge Scheduler) uses to start
            /// the task, instead of the role tfc creates. It must trust `events.amazonaws.com`
            /// (`scheduler.amazonaws.com` for Scheduler) and allow `ecs:RunTask`,
            /// `ecs:TagResource` and `iam:PassRole` as tfc's own would.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub events_role: Option<String>,
            /// Container logs: `awslogs` into a log group created for the task.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub logging: Option<Logging>,
            /// Where the task runs (awsvpc). Required for Fargate, here or in `defaults`.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub network: Option<Network>,
            /// Fargate platform version (Linux): `LATEST`, `1.4.0` or `1.3.0`. Default `LATEST`.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            #[schemars(extend("enum" = ["LATEST", "1.4.0", "1.3.0"]))]
            pub platform_version: Option<String>,
            /// Tasks started per trigger, 1–10. Default 1.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            #[schemars(range(min = 1, max = 10))]
            pub count: Option<ParamOr<u32>>,
            /// How EventBridge retries a failed RunTask.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub retry: Option<Retry>,
            /// ARN of a standard SQS queue that receives events EventBridge could not deliver.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub dead_letter_queue: Option<String>,
            /// Tags for this task's resources and the tasks it starts; merged over the spec's `tags`.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub tags: Option<BTreeMap<String, String>>,
            /// Copy the task definition's tags to each started task. Default true.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub propagate_tags: Option<bool>,
            /// The launch type RunTask uses: `FARGATE`, the only one tfc runs. Default `FARGATE`
            /// unless `capacity_provider_strategy` is set; the two exclude each other, and a
            /// task's own `launch_type` or strategy replaces the other one from `defaults`.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub launch_type: Option<LaunchType>,
            /// Capacity providers to start the tasks on instead of the launch type, e.g.
            /// `FARGATE_SPOT` with weight 3 and `FARGATE` with base 1 and weight 1 as the fallback
            /// (1–6 entries, each provider once, at most one `base`, at least one weight above
            /// 0). The cluster tfc creates gets the providers its tasks use; an existing cluster
            /// must have them associated already. `FARGATE_SPOT` runs x86_64 images only.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            #[schemars(length(min = 1, max = 6))]
            pub capacity_provider_strategy: Option<Vec<CapacityProviderItem>>,
            /// Allow ECS Exec (`aws ecs execute-command`) into the started tasks. tfc grants the
            /// `ssmmessages` permissions ECS Exec needs to the task role it creates; a given
            /// `task_role` must have them already. Needs platform 1.4.0 or later. Default false.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub enable_execute_command: Option<bool>,
            /// Have ECS add its managed tags (`aws:ecs:clusterName`, …) to the started tasks.
            /// Default false.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub enable_ecs_managed_tags: Option<bool>,
            /// The RunTask `group` the started tasks belong to (letters, digits and `_ - : . /`,
            /// up to 255). Default: ECS's `family:FAMILY`.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            #[schemars(pattern(r"^[A-Za-z0-9_:./-]{1,255}$"))]
            pub task_group: Option<String>,
        }
    };
}

task_struct!(
    /// Fields every task inherits unless it sets them itself.
    Defaults {}
);

task_struct!(
    /// One ECS Fargate task and the EventBridge trigger that starts it.
    Task {
        /// What the task does; becomes the rule's description.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[schemars(length(max = 512))]
        pub description: Option<String>,
        /// ARN of an existing task definition to run instead of creating one from `image`.
        /// Container fields (image, cpu, memory, command, …) may not be set with it, and
        /// `container` is required.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub task_definition: Option<String>,
        /// What starts the task: an event pattern or a schedule.
        pub trigger: Trigger,
        /// Container overrides filled from the triggering event by the rule's input transformer.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub overrides: Option<Overrides>,
        /// More triggers of the same task definition, by name (lower-case letters, digits and
        /// dashes), each with its own `trigger` and `overrides`: e.g. a nightly schedule in
        /// `trigger` and an on-demand event here. `trigger` keeps the names a one-trigger task
        /// has; each of these gets its own rule (or schedule), events role and outputs, named
        /// `TASK-NAME`. At most 4.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[schemars(extend("maxProperties" = 4, "propertyNames" = { "pattern": "^[a-z][a-z0-9-]*$" }))]
        pub extra_triggers: Option<BTreeMap<String, ExtraTrigger>>,
    }
);

/// One more trigger of a task: what starts it, and the overrides it sends.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExtraTrigger {
    /// What this trigger is for; becomes its rule's (or schedule's) description. Default: the
    /// task's `description`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 512))]
    pub description: Option<String>,
    /// What starts the task this way: an event pattern or a schedule, as `trigger`.
    pub trigger: Trigger,
    /// The overrides this trigger sends (none of the task's own `overrides`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overrides: Option<Overrides>,
}

/// The CPU architecture of a task's image: `x86_64` (Intel/AMD) or `arm64` (Graviton).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
pub enum Architecture {
    #[serde(rename = "x86_64")]
    X86_64,
    #[serde(rename = "arm64")]
    Arm64,
}

/// The launch type of the started tasks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
pub enum LaunchType {
    #[serde(rename = "FARGATE")]
    Fargate,
}

/// A Fargate capacity provider: `FARGATE` (on demand) or `FARGATE_SPOT` (spare capacity at a
/// discount, interrupted with a two-minute warning).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize, JsonSchema,
)]
pub enum CapacityProvider {
    #[serde(rename = "FARGATE")]
    Fargate,
    #[serde(rename = "FARGATE_SPOT")]
    FargateSpot,
}

impl CapacityProvider {
    /// The provider's name in AWS.
    pub fn name(self) -> &'static str {
        match self {
            CapacityProvider::Fargate => "FARGATE",
            CapacityProvider::FargateSpot => "FARGATE_SPOT",
        }
    }
}

/// One entry of a capacity provider strategy.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CapacityProviderItem {
    /// `FARGATE` or `FARGATE_SPOT`.
    pub provider: CapacityProvider,
    /// Relative share of the tasks started after the bases are met, 0–1000. Default 0 (an
    /// entry with weight 0 only takes its `base`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 1000))]
    pub weight: Option<u32>,
    /// Tasks that run on this provider first, 0–100000; only one entry may set it. Default 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 100000))]
    pub base: Option<u32>,
}

/// Container logging.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Logging {
    /// Days CloudWatch keeps the logs; one of the periods CloudWatch Logs accepts. Default: never
    /// expire.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("enum" = RETENTION_DAYS))]
    pub retention_days: Option<u32>,
    /// Prefix of the log stream names. Default: the task id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(pattern(r"^[^:*]{1,128}$"))]
    pub stream_prefix: Option<String>,
}

/// The awsvpc network configuration of a Fargate task.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Network {
    /// Subnet ids (1–16), e.g. `subnet-0123456789abcdef0`.
    #[schemars(
        length(min = 1, max = 16),
        inner(pattern(r"^subnet-([0-9a-f]{8}|[0-9a-f]{17})$"))
    )]
    pub subnets: ParamOr<Vec<String>>,
    /// Security group ids (0–5), e.g. `sg-0123456789abcdef0`. Default: the VPC's default group.
    #[serde(default, skip_serializing_if = "ParamOr::is_empty_list")]
    #[schemars(length(max = 5), inner(pattern(r"^sg-([0-9a-f]{8}|[0-9a-f]{17})$")))]
    pub security_groups: ParamOr<Vec<String>>,
    /// Give the task a public IP (needed to pull images from a public subnet without a NAT).
    /// Default false.
    #[serde(default)]
    pub assign_public_ip: bool,
}

/// What starts a task: exactly one of `event` and `schedule`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Trigger {
    /// An EventBridge event pattern, written exactly as AWS documents it: every leaf is an array
    /// of values or operator objects (`prefix`, `suffix`, `anything-but`, `numeric`, `exists`,
    /// `cidr`, `equals-ignore-case`, `wildcard`, `$or`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<BTreeMap<String, serde_json::Value>>")]
    #[schemars(extend("examples" = [{ "source": ["com.example.app"], "detail-type": ["Run"], "detail": { "subject": ["execute"] } }]))]
    pub event: Option<serde_json::Value>,
    /// A schedule expression: `cron(min hour day-of-month month day-of-week year)`,
    /// `rate(value unit)`, or (EventBridge Scheduler only) a one-time `at(yyyy-mm-ddThh:mm:ss)`.
    /// Evaluated in UTC, or in `timezone` with EventBridge Scheduler.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(pattern(r"^(cron|rate|at)\(.*\)$"))]
    #[schemars(extend("examples" = ["cron(0 3 * * ? *)", "rate(1 hour)", "at(2035-01-15T03:00:00)"]))]
    pub schedule: Option<String>,
    /// Schedules only: run through EventBridge Scheduler (`AWS::Scheduler::Schedule`) instead of
    /// a scheduled EventBridge rule. Default: true when any Scheduler-only field (`timezone`,
    /// `flexible_window`, `start`, `end`, `group`, an `at(…)` expression) is set, else false.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheduler: Option<bool>,
    /// Scheduler only: the IANA time zone the expression is evaluated in, e.g. `Europe/Berlin`
    /// (daylight saving time included). Default `UTC`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 50))]
    #[schemars(extend("examples" = ["Europe/Berlin", "America/New_York"]))]
    pub timezone: Option<String>,
    /// Scheduler only: `off` (run at the scheduled minute), or the most minutes (1–1440) after
    /// it that Scheduler may pick to spread load. Default `off`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flexible_window: Option<FlexibleWindow>,
    /// Scheduler only: no run before this instant, ISO 8601 with an offset
    /// (`2035-01-01T00:00:00Z`, `2035-01-01T00:00:00+01:00`) or a local time in `timezone`
    /// (`2035-01-01T00:00:00`). The first run of a `rate(…)` schedule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("examples" = ["2035-01-01T00:00:00Z"]))]
    pub start: Option<String>,
    /// Scheduler only: no run at or after this instant; same forms as `start`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("examples" = ["2035-12-31T00:00:00Z"]))]
    pub end: Option<String>,
    /// Scheduler only: the name of an existing schedule group. Default: the `default` group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(pattern(r"^[0-9a-zA-Z-_.]{1,64}$"))]
    pub group: Option<String>,
    /// Event triggers only: the name or ARN of a custom event bus. Default: the account's
    /// default bus.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bus: Option<String>,
    /// Whether the rule is enabled. Default true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<ParamOr<bool>>,
}

/// A Scheduler flexible time window: `off`, or the maximum minutes (1–1440) after the scheduled
/// time. Its schema is one shape (a string or a whole number, with examples) rather than an
/// `anyOf`: a value outside it gets `tfc check`'s message naming what is valid instead of a
/// schema's "invalid value".
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(untagged)]
pub enum FlexibleWindow {
    /// `off`: run at the scheduled minute.
    Off(String),
    /// The maximum window in minutes.
    Minutes(u32),
}

impl JsonSchema for FlexibleWindow {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "FlexibleWindow".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "`off`, or the maximum minutes (1–1440) after the scheduled time that EventBridge Scheduler may start the run.",
            "type": ["string", "integer"],
            "examples": ["off", 15],
        })
    }
}

/// Container overrides sent with each RunTask, filled from the triggering event.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Overrides {
    /// Environment variables to set for this run: a literal string, or `{ from: $.path }` to copy
    /// a string from the event.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[schemars(extend("propertyNames" = { "pattern": "^[A-Za-z_][A-Za-z0-9_]*$" }))]
    pub environment: BTreeMap<String, OverrideValue>,
    /// The command for this run: `{ from: $.path }` takes a whole array of strings from the event
    /// (no shell involved), or a list mixing literal strings and `{ from: $.path }` elements.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<CommandOverride>,
    /// Task CPU units for this run, a Fargate size (256–16384): a number, or
    /// `{ from: $.path }` (a number or a string in the event). With `memory` (the definition's
    /// when not overridden) it must form a Fargate pair. Created task definitions only get
    /// their literal pair checked; `tfc simulate` checks what the event gives.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu: Option<SizeOverride>,
    /// Task memory in MiB for this run: a number, or `{ from: $.path }`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory: Option<SizeOverride>,
    /// CPU units reserved for the container in this run (at most the task's): a number, or
    /// `{ from: $.path }` where the event holds a JSON number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container_cpu: Option<SizeOverride>,
    /// The container's hard memory limit in MiB for this run (at most the task's): a number,
    /// or `{ from: $.path }` where the event holds a JSON number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container_memory: Option<SizeOverride>,
}

impl Overrides {
    /// The four size overrides by field name: task `cpu` and `memory` (RunTask strings), then
    /// `container_cpu` and `container_memory` (numbers).
    pub fn sizes(&self) -> [(&'static str, Option<&SizeOverride>); 4] {
        [
            ("cpu", self.cpu.as_ref()),
            ("memory", self.memory.as_ref()),
            ("container_cpu", self.container_cpu.as_ref()),
            ("container_memory", self.container_memory.as_ref()),
        ]
    }

    /// The size overrides that copy a value from the event, by field name.
    pub fn size_paths(&self) -> Vec<(&'static str, &FromEvent)> {
        self.sizes()
            .into_iter()
            .filter_map(|(name, v)| match v {
                Some(SizeOverride::From(f)) => Some((name, f)),
                _ => None,
            })
            .collect()
    }
}

/// A size for one run: a literal number, or a value copied from the event.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum SizeOverride {
    /// A literal number.
    Literal(#[schemars(range(min = 1, max = 122880))] u32),
    /// A value copied from the triggering event.
    From(FromEvent),
}

/// A literal string or a value copied from the event.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum OverrideValue {
    /// A literal string.
    Literal(String),
    /// A value copied from the triggering event.
    From(FromEvent),
}

/// A reference to a value in the triggering event.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FromEvent {
    /// A JSON path into the event, rooted at `$`, e.g. `$.detail.command` or `$.resources[0]`
    /// (checked by `tfc check`).
    #[schemars(extend("examples" = ["$.detail.command"]))]
    pub from: String,
}

/// The command override.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum CommandOverride {
    /// The whole command is an array of strings taken from the event.
    From(FromEvent),
    /// Literal arguments mixed with values from the event.
    List(Vec<OverrideValue>),
}

/// EventBridge retry policy for the target.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Retry {
    /// Maximum retry attempts, 0–185. Default 185.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 185))]
    pub attempts: Option<u32>,
    /// Maximum age of an event in seconds before it is dropped, 60–86400. Default 86400.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 60, max = 86400))]
    pub max_event_age: Option<u32>,
}
