//! EventBridge Scheduler run times: table tests for `tfc simulate --next` across daylight-saving
//! transitions in two zones, one-time `at(…)` schedules, start/end bounds and flexible windows.
//!
//! The expected instants are worked out by hand from the tz database's rules, not from the
//! library tfc uses:
//! - Europe/Berlin (tzdata rule `EU`): CET is UTC+1, CEST UTC+2; summer time starts on the last
//!   Sunday of March at 01:00 UTC (29 March 2026: 02:00 local becomes 03:00) and ends on the last
//!   Sunday of October at 01:00 UTC (25 October 2026: 03:00 local becomes 02:00 again).
//! - America/New_York (tzdata rule `US`, since 2007): EST is UTC−5, EDT UTC−4; summer time starts
//!   on the second Sunday of March at 02:00 local (8 March 2026) and ends on the first Sunday of
//!   November at 02:00 local (1 November 2026: 02:00 EDT becomes 01:00 EST).
//!
//! What Scheduler does at the transitions is AWS's (Knowledge Center, "adjust EventBridge
//! schedules for daylight saving time"): a cron time the clocks skip does not run that day; a
//! time that happens twice runs once (tfc documents the first); a rate of days is 24 hours.

mod common;

use common::{root, tfc};
use pretty_assertions::assert_eq;
use tfc::model::Scheduler;
use tfc::validate::scheduler::{self, Runs};

fn scheduler(zone: &str) -> Scheduler {
    Scheduler {
        timezone: zone.into(),
        flexible_window: None,
        start: None,
        end: None,
        group: None,
    }
}

/// The next `n` runs as `…Z` texts.
fn next(expr: &str, s: Option<&Scheduler>, from: &str, n: usize) -> Vec<String> {
    let when = scheduler::when(expr, s).unwrap();
    match when.next(from.parse().unwrap(), n) {
        Runs::Times(t) => t.into_iter().map(scheduler::utc_text).collect(),
        Runs::FromCreation => panic!("{expr}: no start"),
    }
}

#[test]
fn cron_runs_across_daylight_saving_transitions() {
    let berlin = scheduler("Europe/Berlin");
    let new_york = scheduler("America/New_York");
    #[rustfmt::skip]
    let table: [(&str, &Scheduler, &str, &[&str]); 6] = [
        // Spring, Berlin: 02:15 does not exist on 29 March; CET +1 before, CEST +2 after.
        ("cron(15 2 * * ? *)", &berlin, "2026-03-27T00:00:00Z",
            &["2026-03-27T01:15:00Z", "2026-03-28T01:15:00Z", "2026-03-30T00:15:00Z"]),
        // Autumn, Berlin: 02:30 happens at 00:30Z (CEST) and 01:30Z (CET) on 25 October: once.
        ("cron(30 2 * * ? *)", &berlin, "2026-10-24T00:00:00Z",
            &["2026-10-24T00:30:00Z", "2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z"]),
        // Every hour, Berlin, spring: local 01:00 CET, (02:00 skipped), 03:00 CEST are
        // consecutive UTC hours.
        ("cron(0 * * * ? *)", &berlin, "2026-03-29T00:00:00Z",
            &["2026-03-29T00:00:00Z", "2026-03-29T01:00:00Z", "2026-03-29T02:00:00Z"]),
        // Spring, New York: 02:30 does not exist on 8 March; EST −5 before, EDT −4 after.
        ("cron(30 2 * * ? *)", &new_york, "2026-03-07T00:00:00Z",
            &["2026-03-07T07:30:00Z", "2026-03-09T06:30:00Z"]),
        // Autumn, New York: 01:30 happens at 05:30Z (EDT) and 06:30Z (EST) on 1 November: once.
        ("cron(30 1 * * ? *)", &new_york, "2026-10-31T00:00:00Z",
            &["2026-10-31T05:30:00Z", "2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z"]),
        // Weekdays at 09:00 New York, over the spring change (Friday 6, Monday 9 March).
        ("cron(0 9 ? * MON-FRI *)", &new_york, "2026-03-06T00:00:00Z",
            &["2026-03-06T14:00:00Z", "2026-03-09T13:00:00Z"]),
    ];
    for (expr, s, from, expected) in table {
        assert_eq!(
            next(expr, Some(s), from, expected.len()),
            expected,
            "{expr} in {} from {from}",
            s.timezone
        );
    }
}

#[test]
fn a_rule_schedule_is_utc_whatever_the_season() {
    assert_eq!(
        next("cron(15 2 * * ? *)", None, "2026-03-28T00:00:00Z", 3),
        [
            "2026-03-28T02:15:00Z",
            "2026-03-29T02:15:00Z",
            "2026-03-30T02:15:00Z"
        ]
    );
}

#[test]
fn a_rate_of_days_is_24_hours_from_its_start() {
    // Starting at 02:15 CET on 28 March: 24 hours later it is 03:15 CEST on the wall clock.
    let s = Scheduler {
        start: Some("2026-03-28T01:15:00Z".into()),
        ..scheduler("Europe/Berlin")
    };
    assert_eq!(
        next("rate(1 day)", Some(&s), "2026-03-28T00:00:00Z", 3),
        [
            "2026-03-28T01:15:00Z",
            "2026-03-29T01:15:00Z",
            "2026-03-30T01:15:00Z"
        ]
    );
    // From a later instant, the first run is the next step of the start's grid.
    assert_eq!(
        next("rate(6 hours)", Some(&s), "2026-03-28T08:00:00Z", 2),
        ["2026-03-28T13:15:00Z", "2026-03-28T19:15:00Z"]
    );
    // Without a start, a rate counts from when the schedule is created: no times to list.
    let when = scheduler::when("rate(5 minutes)", Some(&scheduler("UTC"))).unwrap();
    assert_eq!(
        when.next("2026-01-01T00:00:00Z".parse().unwrap(), 3),
        Runs::FromCreation
    );
}

#[test]
fn one_time_schedules_run_once_on_the_zones_clock() {
    let berlin = scheduler("Europe/Berlin");
    // 25 March 2035 is the last Sunday of March: 04:30 is already CEST (+2).
    assert_eq!(
        next(
            "at(2035-03-25T04:30:00)",
            Some(&berlin),
            "2035-01-01T00:00:00Z",
            5
        ),
        ["2035-03-25T02:30:00Z"]
    );
    // Asked after it: nothing.
    assert!(next(
        "at(2035-03-25T04:30:00)",
        Some(&berlin),
        "2035-03-25T02:31:00Z",
        5
    )
    .is_empty());
    // A time the clocks skip never runs.
    assert!(next(
        "at(2026-03-29T02:30:00)",
        Some(&berlin),
        "2026-01-01T00:00:00Z",
        5
    )
    .is_empty());
}

#[test]
fn start_and_end_bound_the_runs() {
    let s = Scheduler {
        start: Some("2026-01-02T00:00:00Z".into()),
        end: Some("2026-01-04T12:00:00Z".into()),
        ..scheduler("UTC")
    };
    // Not before start; `end` itself is excluded ("before which the schedule can invoke").
    assert_eq!(
        next("cron(0 12 * * ? *)", Some(&s), "2026-01-01T00:00:00Z", 10),
        ["2026-01-02T12:00:00Z", "2026-01-03T12:00:00Z"]
    );
}

#[test]
fn flexible_window_bounds() {
    use tfc::spec::types::FlexibleWindow;
    let table = [
        (FlexibleWindow::Off("off".into()), Ok(None)),
        (FlexibleWindow::Minutes(1), Ok(Some(1))),
        (FlexibleWindow::Minutes(1440), Ok(Some(1440))),
        (FlexibleWindow::Minutes(0), Err(())),
        (FlexibleWindow::Minutes(1441), Err(())),
        (FlexibleWindow::Off("on".into()), Err(())),
        (FlexibleWindow::Off("OFF".into()), Err(())),
    ];
    for (w, expected) in table {
        assert_eq!(scheduler::window(&w).map_err(|_| ()), expected, "{w:?}");
    }
}

#[test]
fn simulate_at_honours_the_zone() {
    let spec = root().join("examples/local-time/spec.yaml");
    let run = |at: &str| {
        let out = tfc()
            .args(["simulate"])
            .arg(&spec)
            .args(["--at", at])
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).to_string(),
        )
    };
    // 02:15 Berlin: 01:15Z in winter, 00:15Z in summer; never 02:15Z.
    for (at, starts) in [
        ("2026-12-05T01:15:00Z", true),
        ("2026-12-05T02:15:00+01:00", true),
        ("2026-07-05T00:15:00Z", true),
        ("2026-07-05T01:15:00Z", false),
        ("2026-12-05T02:15:00Z", false),
        // The spring-forward day: 02:15 does not exist.
        ("2026-03-29T00:15:00Z", false),
        ("2026-03-29T01:15:00Z", false),
    ] {
        let (code, text) = run(at);
        assert_eq!(
            text.contains("+ cleanup: starts"),
            starts,
            "--at {at}: {text}"
        );
        assert_eq!(code, Some(if starts { 0 } else { 1 }), "--at {at}: {text}");
    }
}

#[test]
fn simulate_next_lists_utc_and_local_times() {
    let out = tfc()
        .arg("simulate")
        .arg(root().join("examples/local-time/spec.yaml"))
        .args(["--next", "3", "--from", "2026-03-28T00:00:00Z"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "cleanup: cron(15 2 * * ? *) in Europe/Berlin (EventBridge Scheduler, flexible window 15 min)\n\
         \x20 2026-03-28T01:15:00Z  2026-03-28 02:15 CET (+01:00)\n\
         \x20 2026-03-30T00:15:00Z  2026-03-30 02:15 CEST (+02:00)\n\
         \x20 2026-03-31T00:15:00Z  2026-03-31 02:15 CEST (+02:00)\n\
         migrate-orders: at(2035-03-25T04:30:00) in Europe/Berlin (EventBridge Scheduler)\n\
         \x20 2035-03-25T02:30:00Z  2035-03-25 04:30 CEST (+02:00)\n"
    );
}

#[test]
fn the_scheduler_role_is_trusted_by_scheduler_and_sends_to_its_queue() {
    let checked = tfc::check(&std::fs::read(root().join("examples/local-time/spec.yaml")).unwrap());
    let model = tfc::model::lower(checked.spec.as_ref().unwrap());
    let plan = tfc::plan::lower(&model);
    let json = serde_json::to_value(&plan).unwrap();
    let resources: Vec<&serde_json::Value> = json["groups"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["resources"].as_array().unwrap())
        .collect();
    let role = resources
        .iter()
        .find(|r| r["id"] == "cleanup-events-role")
        .unwrap();
    assert_eq!(
        role["trust"]["service_principal"],
        "scheduler.amazonaws.com"
    );
    assert_eq!(role["trust"]["condition"]["key"], "aws:SourceAccount");
    let policy = resources
        .iter()
        .find(|r| r["id"] == "cleanup-events-role-policy")
        .unwrap();
    let actions: Vec<String> = policy["statements"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["actions"].as_array().unwrap())
        .map(|a| a.as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        actions,
        [
            "ecs:RunTask",
            "ecs:TagResource",
            "iam:PassRole",
            "sqs:SendMessage"
        ]
    );
    // A Scheduler queue needs no resource policy; no rule exists for these tasks.
    assert!(!resources.iter().any(|r| r["kind"] == "queue_policy"));
    assert!(!resources.iter().any(|r| r["kind"] == "rule"));
    assert_eq!(
        resources.iter().filter(|r| r["kind"] == "schedule").count(),
        2
    );
}
