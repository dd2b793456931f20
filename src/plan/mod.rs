//! The resource plan: every resource a deployment creates, decided once for every target.
//!
//! [`lower`] turns the [`Model`](crate::model::Model) (what the spec means) into a [`Plan`]
//! (what gets created): each resource with a stable, target-neutral [`Id`], its properties, the
//! resources it refers to (as [`Ref`]s and [`Arn`]s) and the resources it must wait for
//! ([`Resource::depends_on`]). Sharing is decided here (one cluster; one queue policy per
//! dead-letter queue, with a statement per rule), and so is every IAM statement (from
//! [`crate::model::iam`], with its symbolic resources resolved to plan references).
//!
//! Backends receive the plan and nothing else: each maps a plan entry to its language's
//! resource (a table from [`Part`] to resource type and name) and spells references and
//! dependencies from the plan. A backend that cannot say something the plan asks for documents
//! why where it renders that entry. `tfc model --plan` prints the plan.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::model::iam::{self, Res, RoleUse};
use crate::model::{self, Model, TaskModel};

pub use crate::model::iam::{Condition, EVENTS_SERVICE};
pub use crate::model::{
    pascal, push_pascal, EcrRepository, Retry, RunOptions, Secret, SecretArnForm, SecretSource,
    StrategyItem,
};
pub use crate::model::{placeholder_name, TargetInput};
pub use crate::spec::params::{has_marker, pieces, whole_marker, Piece};
pub use crate::spec::{
    Architecture, CapacityProvider, CommandOverride, Network, OverrideValue, Overrides, ParamOr,
    ParamType,
};

/// An IAM statement whose resources are plan references.
pub type Statement = iam::Statement<Arn>;

/// A whole deployment: the resources, in the order targets lay them out, and the outputs.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    /// The spec's name (file and class names).
    pub name: String,
    /// The spec's description, if it has one.
    pub description: Option<String>,
    /// The description of the deployed stack (CloudFormation, CDK): see
    /// [`Model::stack_description`].
    pub stack_description: String,
    /// Tags every taggable resource carries (each resource's `tags` include them).
    pub tags: BTreeMap<String, String>,
    /// The cluster every task runs in.
    pub cluster: ClusterRef,
    /// The resources' groups, in order: the stack's shared resources, then one per task, then
    /// one per dead-letter queue.
    pub groups: Vec<Group>,
    pub outputs: Vec<Output>,
    /// Deploy-time parameters the resources refer to, for native rendering (empty when every
    /// value is a literal). A reference is a [`ParamOr::Param`] field or a marker inside a
    /// string (see [`pieces`]).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub parameters: Vec<Parameter>,
    /// The sets of values to write next to the output (one per environment), each holding the
    /// values its environment and `--set` give; the others take their defaults.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub value_sets: Vec<ValueSet>,
}

/// A deploy-time parameter of the plan.
#[derive(Debug, Clone, Serialize)]
pub struct Parameter {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: ParamType,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed: Option<Vec<serde_json::Value>>,
    /// A regular expression the whole value (each id of a list) must match.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
}

impl Parameter {
    /// Whether the value may be an empty list (a list parameter whose default or allowed value
    /// is empty): targets then cannot use their account-validated id types.
    pub fn may_be_empty(&self) -> bool {
        let empty = |v: &serde_json::Value| v.as_array().is_some_and(Vec::is_empty);
        matches!(
            self.kind,
            ParamType::SubnetIds | ParamType::SecurityGroupIds
        ) && (self.default.as_ref().is_some_and(empty) || self.allowed.iter().flatten().any(empty))
    }
}

/// Values for some parameters: an environment's, written next to the output.
#[derive(Debug, Clone, Serialize)]
pub struct ValueSet {
    /// The environment's name (the file's name), or `parameters` for `--set` values alone.
    pub name: String,
    pub values: BTreeMap<String, serde_json::Value>,
}

/// Resources that belong together, under a comment (`None` for the stack's shared resources).
#[derive(Debug, Clone, Serialize)]
pub struct Group {
    pub owner: Owner,
    pub comment: Option<String>,
    pub resources: Vec<Resource>,
}

/// What a resource belongs to.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(tag = "kind", content = "name", rename_all = "snake_case")]
pub enum Owner {
    /// The deployment as a whole.
    Stack,
    /// A task, by id.
    Task(String),
    /// A dead-letter queue, by its name unique in the spec
    /// ([`model::DeadLetterQueue::name`]).
    Queue(String),
}

/// Which of its owner's resources.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Part {
    Cluster,
    CapacityProviders,
    LogGroup,
    TaskRole,
    TaskRolePolicy,
    ExecutionRole,
    ExecutionRolePolicy,
    TaskDefinition,
    EventsRole,
    EventsRolePolicy,
    Rule,
    Target,
    Schedule,
    QueuePolicy,
}

impl Part {
    /// The part's name in [`Id::name`].
    pub fn name(self) -> &'static str {
        match self {
            Part::Cluster => "cluster",
            Part::CapacityProviders => "cluster-capacity-providers",
            Part::LogGroup => "log-group",
            Part::TaskRole => "task-role",
            Part::TaskRolePolicy => "task-role-policy",
            Part::ExecutionRole => "execution-role",
            Part::ExecutionRolePolicy => "execution-role-policy",
            Part::TaskDefinition => "task-definition",
            Part::EventsRole => "events-role",
            Part::EventsRolePolicy => "events-role-policy",
            Part::Rule => "rule",
            Part::Target => "target",
            Part::Schedule => "schedule",
            Part::QueuePolicy => "queue-policy",
        }
    }
}

/// A resource's stable, target-neutral name: its owner and which of the owner's resources it is.
/// Serialized as [`Id::name`].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Id {
    pub owner: Owner,
    pub part: Part,
}

impl Id {
    pub fn new(owner: &Owner, part: Part) -> Id {
        Id {
            owner: owner.clone(),
            part,
        }
    }

    /// The cluster tfc creates.
    pub fn cluster() -> Id {
        Id::new(&Owner::Stack, Part::Cluster)
    }

    /// Kebab case, unique in the plan: `manage-events-role`, `cluster`, `dlq-queue-policy`.
    /// Targets derive their identifiers from it (CloudFormation: `ManageEventsRole`).
    pub fn name(&self) -> String {
        match &self.owner {
            Owner::Stack => self.part.name().to_string(),
            Owner::Task(t) | Owner::Queue(t) => format!("{t}-{}", self.part.name()),
        }
    }
}

impl Serialize for Id {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.name())
    }
}

impl std::fmt::Display for Id {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name())
    }
}

/// Something that exists: created by the plan, or named by ARN in the spec.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Ref {
    Created { id: Id },
    Existing { arn: String },
}

/// The cluster tasks run in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ClusterRef {
    Created { id: Id },
    Existing { arn: String, name: String },
}

/// A resource (or condition value) an IAM statement names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Arn {
    /// Text as it is: an ARN from the spec, or `*`.
    Literal { text: String },
    /// The ARN of a resource the plan creates (a role, the cluster, a task definition's current
    /// revision, a rule).
    Of { id: Id },
    /// Every stream of a log group the plan creates.
    LogStreams { id: Id },
    /// A private ECR repository.
    Repository { repository: EcrRepository },
    /// Every task of the cluster, in the deployment's partition, region and account.
    ClusterTasks { cluster: ClusterRef },
    /// The account the deployment is applied in.
    Account,
}

/// One resource of the plan.
#[derive(Debug, Clone, Serialize)]
pub struct Resource {
    pub id: Id,
    #[serde(flatten)]
    pub kind: Kind,
    /// The resource's own tags (empty for kinds without tags).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, String>,
    /// Resources this one must wait for beyond those it refers to.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub depends_on: Vec<Id>,
}

/// What a resource is, with its properties.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Kind {
    Cluster(Cluster),
    CapacityProviders(CapacityProviders),
    LogGroup(LogGroup),
    Role(Role),
    Policy(Policy),
    TaskDefinition(Box<TaskDefinition>),
    Rule(Rule),
    Target(Box<Target>),
    Schedule(Box<Schedule>),
    QueuePolicy(QueuePolicy),
}

/// An ECS cluster.
#[derive(Debug, Clone, Serialize)]
pub struct Cluster {
    pub name: String,
}

/// The capacity providers associated with the cluster tfc creates: exactly those its tasks'
/// strategies name, with no default strategy (a task without a strategy names its launch type).
/// One association resource in every target (CloudFormation requires a separate resource to
/// set them with CDK's construct, Terraform has only the separate resource).
#[derive(Debug, Clone, Serialize)]
pub struct CapacityProviders {
    pub cluster: Id,
    /// `FARGATE`, `FARGATE_SPOT`, sorted.
    pub providers: Vec<CapacityProvider>,
}

/// A CloudWatch Logs group.
#[derive(Debug, Clone, Serialize)]
pub struct LogGroup {
    pub name: String,
    pub retention_days: Option<u32>,
    /// Kept when the deployment is deleted (logs outlive the stack, as CDK's default).
    pub retain_on_delete: bool,
}

/// An IAM role a service assumes.
#[derive(Debug, Clone, Serialize)]
pub struct Role {
    pub name: String,
    /// The trust policy's one statement.
    pub trust: Statement,
    /// Managed policies attached to it, in spec order (CloudFormation's `ManagedPolicyArns`,
    /// Terraform's exclusive attachments, CDK's `managedPolicies`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub managed_policies: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permissions_boundary: Option<String>,
    /// The IAM path; `None` is `/`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

/// An inline policy of a role the plan creates.
#[derive(Debug, Clone, Serialize)]
pub struct Policy {
    /// The policy's name on its role.
    pub name: String,
    pub role: Id,
    pub statements: Vec<Statement>,
}

/// A Fargate task definition with one container.
#[derive(Debug, Clone, Serialize)]
pub struct TaskDefinition {
    pub family: String,
    pub cpu: ParamOr<u32>,
    pub memory: ParamOr<u32>,
    pub architecture: Architecture,
    pub execution_role: Ref,
    pub task_role: Ref,
    /// GiB; `None` is Fargate's default (20).
    pub ephemeral_storage: Option<u32>,
    /// The task's volumes (bind mounts on its ephemeral storage), by name, sorted.
    pub volumes: Vec<String>,
    pub container: Container,
}

/// The task definition's container.
#[derive(Debug, Clone, Serialize)]
pub struct Container {
    pub name: String,
    pub image: String,
    /// The private ECR repository the image comes from, if any.
    pub ecr_repository: Option<EcrRepository>,
    pub entry_point: Option<Vec<String>>,
    pub command: Option<Vec<String>>,
    pub environment: BTreeMap<String, String>,
    pub secrets: Vec<Secret>,
    /// The log group the `awslogs` driver writes to, in the deployment's region.
    pub log_group: Id,
    pub stream_prefix: String,
    pub read_only_root_filesystem: bool,
    /// Read-write mounts of the task's volumes: (volume, container path), by volume name.
    pub mount_points: Vec<(String, String)>,
    /// Seconds; `None` is ECS's default (30).
    pub stop_timeout: Option<u32>,
    pub user: Option<String>,
}

/// An EventBridge rule.
#[derive(Debug, Clone, Serialize)]
pub struct Rule {
    pub name: String,
    pub description: Option<String>,
    pub trigger: RuleTrigger,
    pub enabled: ParamOr<bool>,
}

/// What a rule matches.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RuleTrigger {
    Pattern {
        pattern: serde_json::Value,
        /// A custom bus by name or ARN; `None` is the default bus.
        bus: Option<String>,
    },
    Schedule {
        expression: String,
    },
}

/// A rule's ECS target: RunTask on Fargate.
#[derive(Debug, Clone, Serialize)]
pub struct Target {
    pub rule: Id,
    /// The target's id within its rule.
    pub target_id: String,
    pub cluster: ClusterRef,
    /// The role EventBridge uses to call RunTask: the created events role, or one the spec
    /// names.
    pub role: Ref,
    pub task_definition: Ref,
    /// For an existing task definition, the roles it uses where the spec names them (task,
    /// execution): what a target may pass.
    pub existing_roles: (Option<String>, Option<String>),
    pub count: ParamOr<u32>,
    pub platform_version: String,
    pub network: Network,
    /// Tags of the task definition are copied to the tasks.
    pub propagate_tags: bool,
    /// Tags every task started gets.
    pub task_tags: BTreeMap<String, String>,
    /// Placement (launch type or capacity provider strategy), ECS Exec, managed tags, group.
    pub run: RunOptions,
    /// The container the overrides apply to.
    pub container: String,
    /// The overrides as the spec writes them (CDK's `containerOverrides` spell them so).
    pub overrides: Overrides,
    /// What EventBridge passes to RunTask, built once (see [`model::input`]).
    pub input: TargetInput,
    pub retry: Option<Retry>,
    pub dead_letter_queue: Option<String>,
}

/// An EventBridge Scheduler schedule with its ECS target (a schedule has exactly one target,
/// inside the schedule resource in every target language).
#[derive(Debug, Clone, Serialize)]
pub struct Schedule {
    pub name: String,
    pub description: Option<String>,
    pub expression: String,
    /// The IANA zone; always written (Scheduler's default is UTC, as CDK spells it).
    pub timezone: String,
    /// Minutes; `None` is `OFF`.
    pub flexible_window: Option<u32>,
    /// UTC instants `2035-01-01T00:00:00Z`.
    pub start: Option<String>,
    pub end: Option<String>,
    pub group: Option<String>,
    pub enabled: ParamOr<bool>,
    /// RunTask as the schedule calls it. `target.rule` is the schedule itself; the retry policy
    /// is always set (Scheduler's defaults, 185 attempts for 86,400 s, when the spec sets none),
    /// as CDK always writes it; the input is `None`-like `{}` when nothing is overridden.
    pub target: Target,
}

/// The access policy of a dead-letter queue: EventBridge may send to it, for the plan's rules.
#[derive(Debug, Clone, Serialize)]
pub struct QueuePolicy {
    pub queue_arn: String,
    pub region: String,
    pub account: String,
    pub queue_name: String,
    /// The tasks whose rules use the queue, in task order.
    pub tasks: Vec<String>,
    pub statements: Vec<Statement>,
    /// Created only where the deployment's account is this one (a policy cannot be attached to
    /// another account's queue).
    pub only_in_account: String,
}

/// A value the deployment reports.
#[derive(Debug, Clone, Serialize)]
pub struct Output {
    pub owner: Owner,
    /// Kebab case, unique in the plan: `cluster-arn`, `manage-rule-arn`.
    pub name: String,
    pub description: String,
    pub value: Arn,
}

impl Plan {
    /// Every resource, in order.
    pub fn resources(&self) -> impl Iterator<Item = &Resource> {
        self.groups.iter().flat_map(|g| &g.resources)
    }

    /// The resource with this id.
    pub fn get(&self, id: &Id) -> Option<&Resource> {
        self.resources().find(|r| &r.id == id)
    }
}

/// The ARN a [`Ref`] stands for.
pub fn arn_of(r: &Ref) -> Arn {
    match r {
        Ref::Created { id } => Arn::Of { id: id.clone() },
        Ref::Existing { arn } => Arn::Literal { text: arn.clone() },
    }
}

/// Lowers the model to the plan.
pub fn lower(model: &Model) -> Plan {
    let stack = Owner::Stack;
    let mut shared = Vec::new();
    let cluster = match &model.cluster {
        model::Cluster::Create { name } => {
            shared.push(Resource {
                id: Id::cluster(),
                kind: Kind::Cluster(Cluster { name: name.clone() }),
                tags: model.tags.clone(),
                depends_on: Vec::new(),
            });
            let mut providers: Vec<CapacityProvider> = model
                .tasks
                .iter()
                .flat_map(|t| t.run.capacity_provider_strategy.iter().map(|i| i.provider))
                .collect();
            providers.sort();
            providers.dedup();
            if !providers.is_empty() {
                shared.push(Resource {
                    id: Id::new(&Owner::Stack, Part::CapacityProviders),
                    kind: Kind::CapacityProviders(CapacityProviders {
                        cluster: Id::cluster(),
                        providers,
                    }),
                    tags: BTreeMap::new(),
                    depends_on: Vec::new(),
                });
            }
            ClusterRef::Created { id: Id::cluster() }
        }
        model::Cluster::Existing { arn, name } => ClusterRef::Existing {
            arn: arn.clone(),
            name: name.clone(),
        },
    };
    let cluster_arn = match &cluster {
        ClusterRef::Created { id } => Arn::Of { id: id.clone() },
        ClusterRef::Existing { arn, .. } => Arn::Literal { text: arn.clone() },
    };
    let mut outputs = vec![Output {
        owner: stack.clone(),
        name: "cluster-arn".into(),
        description: "ARN of the ECS cluster the tasks run in".into(),
        value: cluster_arn.clone(),
    }];
    let mut groups = vec![Group {
        owner: stack,
        comment: None,
        resources: shared,
    }];
    for task in &model.tasks {
        let (group, task_outputs) = lower_task(task, &model.roles, &cluster, &cluster_arn);
        groups.push(group);
        outputs.extend(task_outputs);
    }
    for queue in &model.dead_letter_queues {
        let owner = Owner::Queue(queue.name.clone());
        let statements = model
            .tasks
            .iter()
            .filter(|t| queue.tasks.contains(&t.id))
            .map(|t| {
                let owner = Owner::Task(t.id.clone());
                iam::dead_letter_statement(t, &queue.arn)
                    .map(|r| resolve(&r, &owner, t, &cluster, &cluster_arn))
            })
            .collect();
        groups.push(Group {
            comment: Some(format!(
                "Dead-letter queue {} (tasks {})",
                queue.queue_name,
                queue.tasks.join(", ")
            )),
            resources: vec![Resource {
                id: Id::new(&owner, Part::QueuePolicy),
                kind: Kind::QueuePolicy(QueuePolicy {
                    queue_arn: queue.arn.clone(),
                    region: queue.region.clone(),
                    account: queue.account.clone(),
                    queue_name: queue.queue_name.clone(),
                    tasks: queue.tasks.clone(),
                    statements,
                    only_in_account: queue.account.clone(),
                }),
                tags: BTreeMap::new(),
                depends_on: Vec::new(),
            }],
            owner,
        });
    }
    Plan {
        name: model.name.clone(),
        description: model.description.clone(),
        stack_description: model.stack_description(),
        tags: model.tags.clone(),
        cluster,
        groups,
        outputs,
        parameters: Vec::new(),
        value_sets: Vec::new(),
    }
}

/// A task-relative IAM resource as a plan reference.
fn resolve(
    r: &Res,
    owner: &Owner,
    task: &TaskModel,
    cluster: &ClusterRef,
    cluster_arn: &Arn,
) -> Arn {
    let of = |part| Arn::Of {
        id: Id::new(owner, part),
    };
    // What the definition owns (itself, its log group, its roles) is its owner task's: another
    // task's for an extra trigger.
    let definition_owner = Owner::Task(task.definition_owner.clone());
    let of_definition = |part| Arn::Of {
        id: Id::new(&definition_owner, part),
    };
    match r {
        Res::Literal(text) => Arn::Literal { text: text.clone() },
        Res::LogGroup => Arn::LogStreams {
            id: Id::new(&definition_owner, Part::LogGroup),
        },
        Res::Repository(repository) => Arn::Repository {
            repository: repository.clone(),
        },
        Res::TaskDefinition => of_definition(Part::TaskDefinition),
        Res::Cluster => cluster_arn.clone(),
        Res::ClusterTasks => Arn::ClusterTasks {
            cluster: cluster.clone(),
        },
        Res::CreatedRole(RoleUse::Task) => of_definition(Part::TaskRole),
        Res::CreatedRole(RoleUse::Execution) => of_definition(Part::ExecutionRole),
        Res::Rule => {
            debug_assert!(matches!(owner, Owner::Task(id) if *id == task.id));
            of(Part::Rule)
        }
        Res::Account => Arn::Account,
    }
}

fn lower_task(
    task: &TaskModel,
    settings: &model::RoleSettings,
    cluster: &ClusterRef,
    cluster_arn: &Arn,
) -> (Group, Vec<Output>) {
    let owner = Owner::Task(task.id.clone());
    let id = |part| Id::new(&owner, part);
    let statements = |list: Vec<iam::Statement>| -> Vec<Statement> {
        list.into_iter()
            .map(|s| s.map(|r| resolve(&r, &owner, task, cluster, cluster_arn)))
            .collect()
    };
    let role = |part, name: &str, service, managed_policies: &[String]| Resource {
        id: id(part),
        kind: Kind::Role(Role {
            name: name.to_string(),
            trust: iam::trust_statement(service)
                .map(|r| resolve(&r, &owner, task, cluster, cluster_arn)),
            managed_policies: managed_policies.to_vec(),
            permissions_boundary: settings.permissions_boundary.clone(),
            path: settings.path.clone(),
        }),
        tags: task.tags.clone(),
        depends_on: Vec::new(),
    };
    let mut resources = Vec::new();
    let shared = task.definition_owner != task.id;
    // How outputs and comments name what starts the task: the task, or one of its extra
    // triggers (`report (trigger on-demand)`).
    let label = match task
        .id
        .strip_prefix(&format!("{}-", task.definition_owner))
        .filter(|_| shared)
    {
        Some(name) => format!("{} (trigger {name})", task.definition_owner),
        None => task.id.clone(),
    };
    let task_definition = match &task.definition {
        // An extra trigger runs its task's definition: nothing of it is created again.
        model::Definition::Create(_) if shared => Ref::Created {
            id: Id::new(
                &Owner::Task(task.definition_owner.clone()),
                Part::TaskDefinition,
            ),
        },
        model::Definition::Create(def) => {
            resources.push(Resource {
                id: id(Part::LogGroup),
                kind: Kind::LogGroup(LogGroup {
                    name: def.log.group_name.clone(),
                    retention_days: def.log.retention_days,
                    retain_on_delete: true,
                }),
                tags: task.tags.clone(),
                depends_on: Vec::new(),
            });
            let mut role_ref = |given: &model::Role, part, managed: &[String]| match given {
                model::Role::Create { name } => {
                    resources.push(role(part, name, iam::ECS_TASKS_SERVICE, managed));
                    Ref::Created { id: id(part) }
                }
                model::Role::Existing { arn } => Ref::Existing { arn: arn.clone() },
            };
            let task_role = role_ref(&def.task_role, Part::TaskRole, &def.task_policies);
            let execution_role = role_ref(&def.execution_role, Part::ExecutionRole, &[]);
            let task_statements = iam::task_statements(task);
            if let (Ref::Created { id: role }, false) = (&task_role, task_statements.is_empty()) {
                resources.push(Resource {
                    id: id(Part::TaskRolePolicy),
                    kind: Kind::Policy(Policy {
                        name: "task-permissions".into(),
                        role: role.clone(),
                        statements: statements(task_statements),
                    }),
                    tags: BTreeMap::new(),
                    depends_on: Vec::new(),
                });
            }
            if let Ref::Created { id: role } = &execution_role {
                resources.push(Resource {
                    id: id(Part::ExecutionRolePolicy),
                    kind: Kind::Policy(Policy {
                        name: "logs-image-secrets".into(),
                        role: role.clone(),
                        statements: statements(iam::execution_statements(def)),
                    }),
                    tags: BTreeMap::new(),
                    depends_on: Vec::new(),
                });
            }
            resources.push(Resource {
                id: id(Part::TaskDefinition),
                kind: Kind::TaskDefinition(Box::new(TaskDefinition {
                    family: def.family.clone(),
                    cpu: def.cpu.clone(),
                    memory: def.memory.clone(),
                    architecture: def.architecture,
                    execution_role,
                    task_role,
                    ephemeral_storage: def.ephemeral_storage,
                    volumes: def.scratch.keys().cloned().collect(),
                    container: Container {
                        name: task.container.clone(),
                        image: def.image.clone(),
                        ecr_repository: def.ecr_repository.clone(),
                        entry_point: def.entry_point.clone(),
                        command: def.command.clone(),
                        environment: def.environment.clone(),
                        secrets: def.secrets.clone(),
                        log_group: id(Part::LogGroup),
                        stream_prefix: def.log.stream_prefix.clone(),
                        read_only_root_filesystem: def.read_only_root_filesystem,
                        mount_points: def
                            .scratch
                            .iter()
                            .map(|(k, v)| (k.clone(), v.clone()))
                            .collect(),
                        stop_timeout: def.stop_timeout,
                        user: def.user.clone(),
                    },
                })),
                tags: task.tags.clone(),
                depends_on: Vec::new(),
            });
            Ref::Created {
                id: id(Part::TaskDefinition),
            }
        }
        model::Definition::Existing { arn, .. } => Ref::Existing { arn: arn.clone() },
    };
    // The events role: created with exactly the statements RunTask needs, or the spec's own
    // (which tfc neither changes nor waits for).
    let events_role = match &task.events_role_arn {
        Some(arn) => Ref::Existing { arn: arn.clone() },
        None => {
            resources.push(role(
                Part::EventsRole,
                &task.events_role_name,
                iam::events_service(task),
                &[],
            ));
            resources.push(Resource {
                id: id(Part::EventsRolePolicy),
                kind: Kind::Policy(Policy {
                    name: "run-task".into(),
                    role: id(Part::EventsRole),
                    statements: statements(iam::events_statements(task)),
                }),
                tags: BTreeMap::new(),
                depends_on: Vec::new(),
            });
            Ref::Created {
                id: id(Part::EventsRole),
            }
        }
    };
    let scheduler = match &task.trigger {
        model::Trigger::Schedule {
            expression,
            scheduler: Some(s),
        } => Some((expression, s)),
        _ => None,
    };
    // What RunTask needs before the first run: the events role's policy, and the capacity
    // providers of a strategy on the cluster tfc creates (RunTask fails on providers the
    // cluster has not associated yet).
    let mut waits = Vec::new();
    if matches!(events_role, Ref::Created { .. }) {
        waits.push(id(Part::EventsRolePolicy));
    }
    if matches!(cluster, ClusterRef::Created { .. })
        && !task.run.capacity_provider_strategy.is_empty()
    {
        waits.push(Id::new(&Owner::Stack, Part::CapacityProviders));
    }
    let invoker = if scheduler.is_some() {
        Part::Schedule
    } else {
        Part::Rule
    };
    let target = Target {
        rule: id(invoker),
        target_id: task.id.clone(),
        cluster: cluster.clone(),
        role: events_role,
        task_definition: task_definition.clone(),
        existing_roles: match &task.definition {
            model::Definition::Existing {
                task_role,
                execution_role,
                ..
            } => (task_role.clone(), execution_role.clone()),
            model::Definition::Create(_) => (None, None),
        },
        count: task.count.clone(),
        platform_version: task.platform_version.clone(),
        network: task.network.clone(),
        propagate_tags: task.propagate_tags,
        task_tags: task.tags.clone(),
        run: task.run.clone(),
        container: task.container.clone(),
        overrides: task.overrides.clone(),
        input: task.input.clone(),
        retry: task.retry.clone(),
        dead_letter_queue: task.dead_letter_queue.clone(),
    };
    if let Some((expression, s)) = scheduler {
        let retry = task.retry.clone().unwrap_or(model::Retry {
            attempts: None,
            max_event_age: None,
        });
        resources.push(Resource {
            id: id(Part::Schedule),
            kind: Kind::Schedule(Box::new(Schedule {
                name: task.rule_name.clone(),
                description: task.description.clone(),
                expression: expression.clone(),
                timezone: s.timezone.clone(),
                flexible_window: s.flexible_window,
                start: s.start.clone(),
                end: s.end.clone(),
                group: s.group.clone(),
                enabled: task.enabled.clone(),
                target: Target {
                    retry: Some(model::Retry {
                        attempts: Some(retry.attempts.unwrap_or(185)),
                        max_event_age: Some(retry.max_event_age.unwrap_or(86_400)),
                    }),
                    ..target
                },
            })),
            tags: BTreeMap::new(),
            // As for a rule's target: the role's policy first, or the first run may be denied.
            depends_on: waits,
        });
        let mut outputs = vec![Output {
            owner: owner.clone(),
            name: format!("{}-schedule-arn", task.id),
            description: format!(
                "ARN of the EventBridge Scheduler schedule that starts task {label}"
            ),
            value: Arn::Of {
                id: id(Part::Schedule),
            },
        }];
        if !shared {
            outputs.push(Output {
                owner: owner.clone(),
                name: format!("{}-task-definition-arn", task.id),
                description: format!("ARN of the task definition of task {}", task.id),
                value: arn_of(&task_definition),
            });
        }
        let group = Group {
            comment: Some(match &task.description {
                Some(d) => format!("Task {label}: {d}"),
                None => format!("Task {label}"),
            }),
            resources,
            owner,
        };
        return (group, outputs);
    }
    resources.push(Resource {
        id: id(Part::Rule),
        kind: Kind::Rule(Rule {
            name: task.rule_name.clone(),
            description: task.description.clone(),
            trigger: match &task.trigger {
                model::Trigger::Pattern { pattern, bus } => RuleTrigger::Pattern {
                    pattern: pattern.clone(),
                    bus: bus.clone(),
                },
                model::Trigger::Schedule { expression, .. } => RuleTrigger::Schedule {
                    expression: expression.clone(),
                },
            },
            enabled: task.enabled.clone(),
        }),
        tags: task.tags.clone(),
        depends_on: Vec::new(),
    });
    resources.push(Resource {
        id: id(Part::Target),
        kind: Kind::Target(Box::new(target)),
        tags: BTreeMap::new(),
        // The events role's policy must exist before the first event is delivered: with
        // `retry.attempts: 0` an event that arrives before it is lost.
        depends_on: waits,
    });
    let mut outputs = vec![Output {
        owner: owner.clone(),
        name: format!("{}-rule-arn", task.id),
        description: format!("ARN of the EventBridge rule that starts task {label}"),
        value: Arn::Of { id: id(Part::Rule) },
    }];
    if !shared {
        outputs.push(Output {
            owner: owner.clone(),
            name: format!("{}-task-definition-arn", task.id),
            description: format!("ARN of the task definition of task {}", task.id),
            value: arn_of(&task_definition),
        });
    }
    let group = Group {
        comment: Some(match &task.description {
            Some(d) => format!("Task {label}: {d}"),
            None => format!("Task {label}"),
        }),
        resources,
        owner,
    };
    (group, outputs)
}

impl Resource {
    /// Every plan resource this one names: in its properties, statements and dependencies.
    pub fn references(&self) -> Vec<Id> {
        let mut out = self.depends_on.clone();
        let arn = |a: &Arn, out: &mut Vec<Id>| match a {
            Arn::Of { id } | Arn::LogStreams { id } => out.push(id.clone()),
            Arn::ClusterTasks {
                cluster: ClusterRef::Created { id },
            } => out.push(id.clone()),
            _ => {}
        };
        let statements = |list: &[Statement], out: &mut Vec<Id>| {
            for s in list {
                for r in &s.resources {
                    arn(r, out);
                }
                if let Some(c) = &s.condition {
                    arn(&c.value, out);
                }
            }
        };
        let reference = |r: &Ref, out: &mut Vec<Id>| {
            if let Ref::Created { id } = r {
                out.push(id.clone());
            }
        };
        match &self.kind {
            Kind::Cluster(_) | Kind::LogGroup(_) | Kind::Rule(_) => {}
            Kind::CapacityProviders(c) => out.push(c.cluster.clone()),
            Kind::Role(r) => statements(std::slice::from_ref(&r.trust), &mut out),
            Kind::Policy(p) => {
                out.push(p.role.clone());
                statements(&p.statements, &mut out);
            }
            Kind::TaskDefinition(d) => {
                reference(&d.execution_role, &mut out);
                reference(&d.task_role, &mut out);
                out.push(d.container.log_group.clone());
            }
            Kind::Schedule(s) => {
                let t = &s.target;
                reference(&t.role, &mut out);
                reference(&t.task_definition, &mut out);
                if let ClusterRef::Created { id } = &t.cluster {
                    out.push(id.clone());
                }
            }
            Kind::Target(t) => {
                out.push(t.rule.clone());
                reference(&t.role, &mut out);
                reference(&t.task_definition, &mut out);
                if let ClusterRef::Created { id } = &t.cluster {
                    out.push(id.clone());
                }
            }
            Kind::QueuePolicy(q) => statements(&q.statements, &mut out),
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    fn plan(yaml: &str) -> Plan {
        let checked = crate::check(yaml.as_bytes());
        assert!(!checked.has_errors(), "{:?}", checked.diagnostics);
        lower(&crate::model::lower(checked.spec.as_ref().unwrap()))
    }

    const TWO_TASKS_ONE_QUEUE: &str = "version: 1
name: acme
defaults:
  image: nginx:1.27
  network:
    subnets: [subnet-0123456789abcdef0]
  dead_letter_queue: arn:aws:sqs:eu-west-1:123456789012:acme-dlq
tasks:
  a:
    trigger:
      schedule: rate(1 hour)
  b:
    task_definition: arn:aws:ecs:eu-west-1:123456789012:task-definition/b:3
    container: app
    task_role: arn:aws:iam::123456789012:role/b
    trigger:
      event:
        source: [acme]
";

    #[test]
    fn ids_are_unique_and_every_reference_is_in_the_plan() {
        let p = plan(TWO_TASKS_ONE_QUEUE);
        let ids: Vec<String> = p.resources().map(|r| r.id.name()).collect();
        let mut unique = ids.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), ids.len(), "{ids:?}");
        for r in p.resources() {
            for id in r.references() {
                assert!(p.get(&id).is_some(), "{} names {id}, not in the plan", r.id);
            }
        }
    }

    #[test]
    fn what_each_task_gets() {
        let p = plan(TWO_TASKS_ONE_QUEUE);
        let parts = |task: &str| -> Vec<Part> {
            p.resources()
                .filter(|r| r.id.owner == Owner::Task(task.into()))
                .map(|r| r.id.part)
                .collect()
        };
        use Part::*;
        assert_eq!(
            parts("a"),
            [
                LogGroup,
                TaskRole,
                ExecutionRole,
                ExecutionRolePolicy,
                TaskDefinition,
                EventsRole,
                EventsRolePolicy,
                Rule,
                Target
            ]
        );
        // An existing definition: nothing of the definition is created.
        assert_eq!(parts("b"), [EventsRole, EventsRolePolicy, Rule, Target]);
        assert_eq!(
            p.outputs
                .iter()
                .map(|o| o.name.as_str())
                .collect::<Vec<_>>(),
            [
                "cluster-arn",
                "a-rule-arn",
                "a-task-definition-arn",
                "b-rule-arn",
                "b-task-definition-arn"
            ]
        );
    }

    #[test]
    fn a_target_waits_for_its_events_policy_and_uses_its_own_rule_and_role() {
        let p = plan(TWO_TASKS_ONE_QUEUE);
        for task in ["a", "b"] {
            let owner = Owner::Task(task.into());
            let target = p.get(&Id::new(&owner, Part::Target)).unwrap();
            assert_eq!(target.depends_on, [Id::new(&owner, Part::EventsRolePolicy)]);
            let Kind::Target(t) = &target.kind else {
                panic!("a target")
            };
            assert_eq!(t.rule, Id::new(&owner, Part::Rule));
            assert_eq!(
                t.role,
                Ref::Created {
                    id: Id::new(&owner, Part::EventsRole)
                }
            );
        }
        // Nothing else waits on anything.
        assert_eq!(
            p.resources().filter(|r| !r.depends_on.is_empty()).count(),
            2
        );
    }

    #[test]
    fn a_shared_queue_gets_one_policy_with_a_statement_per_rule() {
        let p = plan(TWO_TASKS_ONE_QUEUE);
        let policies: Vec<&QueuePolicy> = p
            .resources()
            .filter_map(|r| match &r.kind {
                Kind::QueuePolicy(q) => Some(q),
                _ => None,
            })
            .collect();
        assert_eq!(policies.len(), 1);
        let q = policies[0];
        assert_eq!(q.tasks, ["a", "b"]);
        assert_eq!(q.only_in_account, "123456789012");
        let rules: Vec<&Arn> = q
            .statements
            .iter()
            .map(|s| &s.condition.as_ref().unwrap().value)
            .collect();
        assert_eq!(
            rules,
            [
                &Arn::Of {
                    id: Id::new(&Owner::Task("a".into()), Part::Rule)
                },
                &Arn::Of {
                    id: Id::new(&Owner::Task("b".into()), Part::Rule)
                }
            ]
        );
    }

    #[test]
    fn an_existing_cluster_is_referenced_not_created() {
        let p = plan(
            "version: 1
name: acme
cluster:
  arn: arn:aws:ecs:eu-west-1:123456789012:cluster/main
tasks:
  a:
    image: nginx:1.27
    network:
      subnets: [subnet-0123456789abcdef0]
    trigger:
      schedule: rate(1 hour)
",
        );
        assert!(p.get(&Id::cluster()).is_none());
        let policy = p
            .get(&Id::new(&Owner::Task("a".into()), Part::EventsRolePolicy))
            .unwrap();
        let Kind::Policy(policy) = &policy.kind else {
            panic!("a policy")
        };
        assert_eq!(
            policy.statements[0].condition.as_ref().unwrap().value,
            Arn::Literal {
                text: "arn:aws:ecs:eu-west-1:123456789012:cluster/main".into()
            }
        );
    }
}
