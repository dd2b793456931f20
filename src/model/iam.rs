//! The IAM statements a deployment needs, decided once for every target. Resources and condition
//! values are symbolic ([`Res`]); each backend turns them into its own references, so the
//! CloudFormation, Terraform and CDK outputs grant exactly the same things.

use serde::Serialize;

use super::{CreatedDefinition, Definition, EcrRepository, Role, SecretSource, TaskModel};

/// A resource (or condition value) a statement names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Res {
    /// Text as it is: an ARN from the spec, or `*`.
    Literal(String),
    /// The task's log group and all its streams.
    LogGroup,
    /// A private ECR repository.
    Repository(EcrRepository),
    /// The task definition tfc creates (its current revision).
    TaskDefinition,
    /// The cluster's ARN.
    Cluster,
    /// Every task of the cluster, in the stack's partition, region and account.
    ClusterTasks,
    /// A role tfc creates for the task.
    CreatedRole(RoleUse),
    /// The task's rule.
    Rule,
    /// The account the stack deploys into.
    Account,
}

/// Which of a task's roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RoleUse {
    Task,
    Execution,
}

/// `{ op: { key: value } }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Condition<R = Res> {
    pub op: &'static str,
    pub key: &'static str,
    pub value: R,
}

/// One `Allow` statement. `R` is how resources are named: [`Res`] relative to a task here, the
/// plan's own references once the plan resolves them (`plan::Arn`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Statement<R = Res> {
    /// A statement id, for resource policies.
    pub sid: Option<String>,
    /// The AWS service a resource policy allows (identity policies have none).
    pub service_principal: Option<&'static str>,
    pub actions: Vec<String>,
    pub resources: Vec<R>,
    pub condition: Option<Condition<R>>,
}

impl<R> Statement<R> {
    /// The same statement with every resource and condition value renamed by `f`.
    pub fn map<S>(self, f: impl Fn(R) -> S) -> Statement<S> {
        Statement {
            sid: self.sid,
            service_principal: self.service_principal,
            actions: self.actions,
            resources: self.resources.into_iter().map(&f).collect(),
            condition: self.condition.map(|c| Condition {
                op: c.op,
                key: c.key,
                value: f(c.value),
            }),
        }
    }
}

fn allow(actions: &[&'static str], resources: Vec<Res>, condition: Option<Condition>) -> Statement {
    Statement {
        sid: None,
        service_principal: None,
        actions: actions.iter().map(|a| a.to_string()).collect(),
        resources,
        condition,
    }
}

/// The services that assume the roles tfc creates.
pub const EVENTS_SERVICE: &str = "events.amazonaws.com";
pub const SCHEDULER_SERVICE: &str = "scheduler.amazonaws.com";
pub const ECS_TASKS_SERVICE: &str = "ecs-tasks.amazonaws.com";

/// The trust policy statement of a role tfc creates: `service` may assume it, and only on behalf
/// of the stack's own account (`aws:SourceAccount`, the confused-deputy protection the IAM user
/// guide recommends for service roles). `aws:SourceArn` is left out: for the events role it
/// would name the rule, which itself names the role (a dependency cycle in every target).
pub fn trust_statement(service: &'static str) -> Statement {
    Statement {
        sid: None,
        service_principal: Some(service),
        actions: vec!["sts:AssumeRole".to_string()],
        resources: Vec::new(),
        condition: Some(Condition {
            op: "StringEquals",
            key: "aws:SourceAccount",
            value: Res::Account,
        }),
    }
}

/// The role reference as a resource: created roles symbolically, existing ones by ARN.
fn role_res(role: &Role, used_as: RoleUse) -> Res {
    match role {
        Role::Create { .. } => Res::CreatedRole(used_as),
        Role::Existing { arn } => Res::Literal(arn.clone()),
    }
}

/// What a created execution role needs (ECS developer guide, "Amazon ECS task execution IAM
/// role"): write the task's logs, pull its private ECR image, read exactly its secrets.
pub fn execution_statements(def: &CreatedDefinition) -> Vec<Statement> {
    let mut out = vec![allow(
        &["logs:CreateLogStream", "logs:PutLogEvents"],
        vec![Res::LogGroup],
        None,
    )];
    if let Some(repo) = &def.ecr_repository {
        out.push(allow(
            &[
                "ecr:BatchCheckLayerAvailability",
                "ecr:BatchGetImage",
                "ecr:GetDownloadUrlForLayer",
            ],
            vec![Res::Repository(repo.clone())],
            None,
        ));
        // GetAuthorizationToken has no resource-level permissions: AWS requires `*`.
        out.push(allow(
            &["ecr:GetAuthorizationToken"],
            vec![Res::Literal("*".into())],
            None,
        ));
    }
    for (source, action) in [
        (
            SecretSource::SecretsManager,
            "secretsmanager:GetSecretValue",
        ),
        (SecretSource::SsmParameter, "ssm:GetParameters"),
    ] {
        let mut arns: Vec<String> = def
            .secrets
            .iter()
            .filter(|s| s.source == source)
            .flat_map(|s| s.grant_arns())
            .collect();
        arns.sort();
        arns.dedup();
        if !arns.is_empty() {
            out.push(allow(
                &[action],
                arns.into_iter().map(Res::Literal).collect(),
                None,
            ));
        }
    }
    out
}

/// The ECS Exec statement: the actions the SSM agent in the task calls to open sessions
/// (ECS developer guide, "Monitor Amazon ECS containers with ECS Exec"; the statement CDK's
/// `enableExecuteCommand` adds). `ssmmessages` has no resource-level permissions: AWS requires
/// `*`.
pub const EXEC_ACTIONS: [&str; 4] = [
    "ssmmessages:CreateControlChannel",
    "ssmmessages:CreateDataChannel",
    "ssmmessages:OpenControlChannel",
    "ssmmessages:OpenDataChannel",
];

/// The inline policy of a created task role: the ECS Exec channels when the task allows ECS
/// Exec, then the spec's own `task_statements` as written (exact actions on exact ARNs, checked
/// by `validate`). Empty for every other task (the role then has no inline policy at all).
pub fn task_statements(task: &TaskModel) -> Vec<Statement> {
    let mut out = Vec::new();
    if task.run.enable_execute_command {
        out.push(allow(&EXEC_ACTIONS, vec![Res::Literal("*".into())], None));
    }
    if let Definition::Create(def) = &task.definition {
        // Each action and resource once (as IAM and CDK read them), in the spec's order.
        fn once(list: &[String]) -> Vec<String> {
            let mut seen = std::collections::BTreeSet::new();
            list.iter()
                .filter(|x| seen.insert(x.as_str()))
                .cloned()
                .collect()
        }
        for s in &def.task_statements {
            out.push(Statement {
                sid: None,
                service_principal: None,
                actions: once(&s.actions),
                resources: once(&s.resources).into_iter().map(Res::Literal).collect(),
                condition: None,
            });
        }
    }
    out
}

/// What the events role needs to start the task: CDK's `EcsTask` grants plus the conditions AWS
/// documents (ECS developer guide, "Amazon ECS CloudWatch Events IAM role").
pub fn events_statements(task: &TaskModel) -> Vec<Statement> {
    let run_task = match &task.definition {
        Definition::Create(_) => Res::TaskDefinition,
        // Any revision of an existing family, unless the ARN pins one (as CDK does).
        Definition::Existing { arn, .. } if !has_revision(arn) => Res::Literal(format!("{arn}:*")),
        Definition::Existing { arn, .. } => Res::Literal(arn.clone()),
    };
    let mut out = vec![
        allow(
            &["ecs:RunTask"],
            vec![run_task],
            Some(Condition {
                op: "ArnEquals",
                key: "ecs:cluster",
                value: Res::Cluster,
            }),
        ),
        allow(
            &["ecs:TagResource"],
            vec![Res::ClusterTasks],
            Some(Condition {
                op: "StringEquals",
                key: "ecs:CreateAction",
                value: Res::Literal("RunTask".into()),
            }),
        ),
    ];
    // One PassRole statement for every role the task uses, as CDK writes it with its
    // recommended `@aws-cdk/aws-iam:minimizePolicies` flag.
    let mut roles: Vec<Res> = match &task.definition {
        Definition::Create(d) => vec![
            role_res(&d.execution_role, RoleUse::Execution),
            role_res(&d.task_role, RoleUse::Task),
        ],
        Definition::Existing {
            task_role,
            execution_role,
            ..
        } => execution_role
            .iter()
            .chain(task_role.iter())
            .map(|arn| Res::Literal(arn.clone()))
            .collect(),
    };
    roles.dedup();
    if !roles.is_empty() {
        out.push(allow(
            &["iam:PassRole"],
            roles,
            Some(Condition {
                op: "StringLike",
                key: "iam:PassedToService",
                value: Res::Literal("ecs-tasks.amazonaws.com".into()),
            }),
        ));
    }
    // Scheduler delivers undeliverable runs to the dead-letter queue as the schedule's role
    // (Scheduler user guide, "Configuring a dead-letter queue": the execution role needs
    // `sqs:SendMessage` on the queue), where a rule uses the queue's resource policy.
    if let (true, Some(queue)) = (task.uses_scheduler(), &task.dead_letter_queue) {
        out.push(allow(
            &["sqs:SendMessage"],
            vec![Res::Literal(queue.clone())],
            None,
        ));
    }
    out
}

/// The service that assumes a task's events role: EventBridge, or EventBridge Scheduler.
pub fn events_service(task: &TaskModel) -> &'static str {
    if task.uses_scheduler() {
        SCHEDULER_SERVICE
    } else {
        EVENTS_SERVICE
    }
}

/// What the dead-letter queue's policy allows: EventBridge sending, for this task's rule only
/// (the statement CDK adds for a queue it owns).
pub fn dead_letter_statement(task: &TaskModel, queue_arn: &str) -> Statement {
    Statement {
        sid: Some(format!("AllowEventRule{}", super::pascal(&task.id))),
        service_principal: Some("events.amazonaws.com"),
        ..allow(
            &["sqs:SendMessage"],
            vec![Res::Literal(queue_arn.to_string())],
            Some(Condition {
                op: "ArnEquals",
                key: "aws:SourceArn",
                value: Res::Rule,
            }),
        )
    }
}

/// Whether a task-definition ARN pins a revision (`…:family:7`).
pub fn has_revision(arn: &str) -> bool {
    arn.rsplit_once(':')
        .is_some_and(|(_, rev)| !rev.is_empty() && rev.chars().all(|c| c.is_ascii_digit()))
}

/// The parts of an SQS queue ARN: (region, account, name).
pub fn queue_parts(arn: &str) -> (String, String, String) {
    let parts: Vec<&str> = arn.split(':').collect();
    let get = |i: usize| parts.get(i).copied().unwrap_or_default().to_string();
    (get(3), get(4), get(5))
}
