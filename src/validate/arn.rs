//! The grammar of every ARN and image reference a spec may supply, strict enough that nothing
//! but the named resource can reach an IAM policy or an ARN tfc builds.
//!
//! A spec is untrusted input: a role ARN with `*` in its path would become `iam:PassRole` on a
//! wildcard, an image host with `${…}` would reach `Fn::Sub` or a TypeScript template literal.
//! So partitions, regions and accounts are matched against their real shapes, names against the
//! owning service's naming rules, and the IAM wildcard and policy-variable characters (`*`, `?`,
//! `$`) can never appear in an ARN from the spec (`$` would start a policy variable `${…}`).
//! tfc adds wildcards itself only where they are documented: the Secrets Manager `-??????`
//! suffix of a partial secret ARN and `task-definition/FAMILY:*` for an unpinned family.

use std::sync::OnceLock;

use regex::Regex;

/// AWS partitions (`aws`, `aws-cn`, `aws-us-gov`, the ISO partitions, the European Sovereign
/// Cloud).
pub const PARTITION: &str = r"aws(-cn|-us-gov|-iso|-iso-[a-z]|-eusc)?";
/// The shape of every AWS region name: lower-case area codes, a compass direction and a number
/// (`eu-west-1`, `us-gov-west-1`, `cn-northwest-1`, `us-isob-east-1`, `eusc-de-east-1`).
pub const REGION: &str = r"[a-z]{2,4}(-[a-z]{2,4})*-(north|south|east|west|central|northeast|northwest|southeast|southwest)-[0-9]{1,2}";
/// A 12-digit account id.
pub const ACCOUNT: &str = r"[0-9]{12}";

/// `arn:PARTITION:SERVICE:REGION:ACCOUNT:` with the given service (for regional resources).
fn regional(service: &str) -> String {
    format!("arn:{PARTITION}:{service}:{REGION}:{ACCOUNT}:")
}

fn compile(cell: &'static OnceLock<Regex>, pattern: impl FnOnce() -> String) -> &'static Regex {
    cell.get_or_init(|| {
        // Every pattern here is a constant tested below; a failure is a bug in tfc, and the
        // never-matching fallback keeps it from being a panic on user input.
        Regex::new(&pattern()).unwrap_or_else(|_| Regex::new("[^\\s\\S]").expect("trivial regex"))
    })
}

macro_rules! grammar {
    ($(#[$meta:meta])* $name:ident, $pattern:expr) => {
        $(#[$meta])*
        pub fn $name() -> &'static Regex {
            static CELL: OnceLock<Regex> = OnceLock::new();
            compile(&CELL, || $pattern)
        }
    };
}

/// Whether `name` has the shape of an AWS region name ([`REGION`], matched by hand: an image
/// host names one, and compiling the regex was a tenth of a one-task `tfc check`): two or more
/// `-`-separated parts, the area codes of 2–4 lower-case letters, then a compass direction, then
/// a number of one or two digits.
pub fn is_region(name: &str) -> bool {
    let mut parts = name.rsplit('-');
    let number = parts.next().unwrap_or_default();
    let direction = parts.next().unwrap_or_default();
    let mut areas = 0;
    let areas_ok = parts.all(|area| {
        areas += 1;
        (2..=4).contains(&area.len()) && area.bytes().all(|c| c.is_ascii_lowercase())
    });
    (1..=2).contains(&number.len())
        && number.bytes().all(|c| c.is_ascii_digit())
        && matches!(
            direction,
            "north"
                | "south"
                | "east"
                | "west"
                | "central"
                | "northeast"
                | "northwest"
                | "southeast"
                | "southwest"
        )
        && areas_ok
        && areas > 0
}
grammar!(
    /// An ECS cluster ARN.
    cluster_arn,
    format!("^{}cluster/[A-Za-z0-9_-]{{1,255}}$", regional("ecs"))
);
grammar!(
    /// An ECS task-definition ARN, with or without a revision.
    task_definition_arn,
    format!(
        "^{}task-definition/[A-Za-z0-9_-]{{1,255}}(:[1-9][0-9]{{0,8}})?$",
        regional("ecs")
    )
);
grammar!(
    /// An IAM role ARN: an optional path of printable ASCII without the IAM wildcard and
    /// policy-variable characters, and a role name of IAM's characters.
    role_arn,
    format!(
        r"^arn:{PARTITION}:iam::{ACCOUNT}:role/([\x21-\x7e--[*?$/]]+/){{0,64}}[A-Za-z0-9+=,.@_-]{{1,64}}$"
    )
);
grammar!(
    /// An SQS queue ARN (standard or FIFO; the caller decides which it accepts).
    sqs_arn,
    format!("^{}[A-Za-z0-9_-]{{1,80}}$", regional("sqs"))
);
grammar!(
    /// A Secrets Manager secret ARN, complete (`NAME-AbCdEf`) or partial (`NAME`), optionally
    /// followed by ECS's `:json-key:version-stage:version-id` suffix.
    secret_arn,
    format!(
        r"^{}secret:[A-Za-z0-9/_+=.@-]{{1,512}}(:[^:\x00-\x1f\x7f*?$]*:[A-Za-z0-9_.-]*:[A-Za-z0-9_.-]*)?$",
        regional("secretsmanager")
    )
);
grammar!(
    /// An SSM parameter ARN.
    ssm_arn,
    format!("^{}parameter/[A-Za-z0-9_.\\-/]{{1,2048}}$", regional("ssm"))
);
grammar!(
    /// An event bus ARN.
    bus_arn,
    format!("^{}event-bus/[A-Za-z0-9._\\-/]{{1,256}}$", regional("events"))
);
grammar!(
    /// An event bus name.
    bus_name,
    r"^[A-Za-z0-9._\-/]{1,256}$".to_string()
);

grammar!(
    /// A managed IAM policy ARN (customer-managed or AWS-managed), with an optional path.
    managed_policy_arn,
    format!("^arn:{PARTITION}:iam::({ACCOUNT}|aws):policy/([A-Za-z0-9+=,.@_-]+/)*[A-Za-z0-9+=,.@_-]{{1,128}}$")
);
grammar!(
    /// A resource ARN of a task statement: any service, an optional region and account (S3
    /// has neither), and a resource without whitespace, wildcards or policy variables.
    resource_arn,
    format!("^arn:{PARTITION}:[a-z0-9-]{{1,64}}:({REGION})?:({ACCOUNT}|aws)?:[^\\s*?$]{{1,1900}}$")
);

/// The account id of an ARN, when it has one.
pub fn arn_account(arn: &str) -> Option<&str> {
    arn.split(':').nth(4).filter(|a| a.len() == 12)
}

/// The region of an ARN, when it has one.
pub fn arn_region(arn: &str) -> Option<&str> {
    arn.split(':').nth(3).filter(|r| !r.is_empty())
}

/// The characters an ARN from the spec may never hold, and why; `None` when it holds none.
pub fn wildcard(arn: &str) -> Option<char> {
    arn.chars().find(|c| matches!(c, '*' | '?' | '$'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_have_the_real_shape() {
        for ok in [
            "eu-west-1",
            "us-east-1",
            "us-gov-west-1",
            "cn-northwest-1",
            "us-isob-east-1",
            "eu-isoe-west-1",
            "us-isof-south-1",
            "ap-southeast-7",
            "il-central-1",
            "mx-central-1",
            "eusc-de-east-1",
        ] {
            assert!(is_region(ok), "{ok}");
        }
        for bad in [
            "*",
            "eu-west-*",
            "${AWS::Region}",
            "eu-west",
            "EU-WEST-1",
            "eu-west-1 ",
            "xx-upward-1",
            "",
        ] {
            assert!(!is_region(bad), "{bad}");
        }
    }

    #[test]
    fn the_region_matcher_is_the_region_grammar() {
        // Every string of up to five parts built from pieces near the grammar's edges.
        let grammar = Regex::new(&format!("^{REGION}$")).expect("REGION compiles");
        let pieces = [
            "",
            "e",
            "eu",
            "eus",
            "eusc",
            "euscx",
            "EU",
            "e1",
            "west",
            "north",
            "northwest",
            "upward",
            "1",
            "12",
            "123",
            "a1",
            "-",
            "*",
        ];
        let mut names = vec![String::new()];
        let mut tried = 0;
        for _ in 0..4 {
            let mut longer = Vec::new();
            for name in &names {
                for piece in pieces {
                    let next = if name.is_empty() {
                        piece.to_string()
                    } else {
                        format!("{name}-{piece}")
                    };
                    assert_eq!(is_region(&next), grammar.is_match(&next), "{next:?}");
                    tried += 1;
                    longer.push(next);
                }
            }
            names = longer;
        }
        assert!(tried > 100_000);
    }

    #[test]
    fn role_arns_never_carry_wildcards() {
        assert!(role_arn().is_match("arn:aws:iam::123456789012:role/app-task"));
        assert!(role_arn().is_match("arn:aws:iam::123456789012:role/service-role/app"));
        assert!(role_arn().is_match("arn:aws-us-gov:iam::123456789012:role/a/b/c/app"));
        for bad in [
            "arn:aws:iam::123456789012:role/*",
            "arn:aws:iam::123456789012:role/*/admin",
            "arn:aws:iam::123456789012:role/a?b",
            "arn:aws:iam::123456789012:role/${aws:username}",
            "arn:aws:iam::123456789012:role/${x}/admin",
            "arn:aws:iam::*:role/admin",
            "arn:*:iam::123456789012:role/admin",
            "arn:aws:iam::123456789012:user/x",
            "arn:aws-evil:iam::123456789012:role/x",
            "arn:aws:iam::123456789012:role//x",
        ] {
            assert!(!role_arn().is_match(bad), "{bad}");
        }
    }

    #[test]
    fn regional_arns_need_a_real_region_and_account() {
        assert!(cluster_arn().is_match("arn:aws:ecs:eu-west-1:123456789012:cluster/main"));
        assert!(!cluster_arn().is_match("arn:aws:ecs:*:123456789012:cluster/main"));
        assert!(!cluster_arn().is_match("arn:aws:ecs:eu-west-1:*:cluster/main"));
        assert!(task_definition_arn()
            .is_match("arn:aws:ecs:eu-west-1:123456789012:task-definition/reindex:7"));
        assert!(!task_definition_arn()
            .is_match("arn:aws:ecs:eu-west-1:123456789012:task-definition/reindex:*"));
        assert!(sqs_arn().is_match("arn:aws:sqs:eu-west-1:123456789012:dlq"));
        assert!(!sqs_arn().is_match("arn:aws:sqs:eu-west-1:123456789012:*"));
        assert!(
            secret_arn().is_match("arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf")
        );
        assert!(secret_arn()
            .is_match("arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf:password::"));
        assert!(!secret_arn().is_match("arn:aws:secretsmanager:eu-west-1:123456789012:secret:*"));
        assert!(!secret_arn()
            .is_match("arn:aws:secretsmanager:eu-west-1:123456789012:secret:db:pass*word::"));
        assert!(ssm_arn().is_match("arn:aws:ssm:eu-west-1:123456789012:parameter/app/db"));
        assert!(!ssm_arn().is_match("arn:aws:ssm:eu-west-1:123456789012:parameter/app/*"));
        assert!(bus_arn().is_match("arn:aws:events:eu-west-1:123456789012:event-bus/ops"));
        assert!(!bus_arn().is_match("arn:aws:events:${AWS::Region}:123456789012:event-bus/ops"));
    }

    #[test]
    fn wildcards_are_named() {
        assert_eq!(wildcard("arn:aws:iam::1:role/*"), Some('*'));
        assert_eq!(wildcard("arn:aws:iam::1:role/a?"), Some('?'));
        assert_eq!(wildcard("arn:aws:iam::1:role/${x}"), Some('$'));
        assert_eq!(wildcard("arn:aws:iam::1:role/x"), None);
    }
}
