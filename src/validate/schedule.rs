//! EventBridge schedule expressions: `cron(...)` and `rate(...)`, parsed, validated, evaluated.
//!
//! Source: Amazon EventBridge User Guide, "Setting a schedule pattern for scheduled rules"
//! <https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html>
//! and its "Cron expressions reference" (`eb-cron-expressions.html`: field table, wildcards,
//! only one `#` expression, "you can't specify the Day-of-month and Day-of-week fields in the same
//! cron expression", examples) and "Rate expressions reference" (`eb-rate-expressions.html`:
//! positive value; singular unit exactly when the value is 1). The 256-character limit is the
//! `ScheduleExpression` length constraint of the EventBridge `PutRule` API.
//!
//! Where the guide is silent we follow Quartz, which EventBridge cron resembles, and err strict:
//! `L`, `LW`, `nW`, `nL` and `n#k` must be the whole day field; `L` alone in day-of-week is
//! Saturday; ranges may not wrap around (`22-2` must be written `22-23,0-2`); an increment is at
//! most 59 for minutes, 23 for hours, 31, 12, and 230 for years; `nW` never leaves its month and
//! never fires in a month shorter than `n` days; names and letters are case-insensitive (`jan`,
//! `mon`, `l`, `15w`).

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleError {
    /// What is wrong, naming the field (e.g. "day-of-week `8` is out of range 1–7 (or SUN–SAT)").
    pub message: String,
    /// What would be valid, with an example.
    pub help: String,
    /// Where in the expression the offending part starts, in characters (`None`: the whole
    /// expression), so a caret can point at the cron field or rate value at fault.
    pub offset: Option<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Schedule {
    Rate { value: u32, unit: RateUnit },
    Cron(Cron),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateUnit {
    Minute,
    Hour,
    Day,
}

/// A parsed cron expression (six fields: minutes hours day-of-month month day-of-week year).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cron {
    /// One entry per field, in expression order; `None` is `?` (only the two day fields).
    fields: [Option<Vec<Part>>; 6],
}

/// A UTC minute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Minute {
    pub year: i32,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
}

/// One comma-separated element of a cron field.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    /// `(from, to, step)`: `v`, `a-b`, `*`, `v/s`, `a-b/s`, `*/s`; every `step`-th value.
    Range(u32, u32, u32),
    /// Day-of-month `L`: the last day of the month.
    Last,
    /// Day-of-month `LW`: the last weekday (Monday–Friday) of the month.
    LastWeekday,
    /// Day-of-month `15W`: the weekday nearest the 15th, within the same month.
    NearestWeekday(u32),
    /// Day-of-week `6L`: the last Friday of the month.
    LastOf(u32),
    /// Day-of-week `3#2`: the second Tuesday of the month.
    Nth(u32, u32),
}

/// `fail!(help; "message {x}")` returns a [`ScheduleError`] from the enclosing function.
macro_rules! fail {
    ($help:expr; $($message:tt)+) => {
        return Err(ScheduleError { message: format!($($message)+), help: $help.into(), offset: None })
    };
}

/// `fail_at!(offset; help; "message")`: [`fail!`] pointing at a character offset.
macro_rules! fail_at {
    ($offset:expr; $help:expr; $($message:tt)+) => {
        return Err(ScheduleError {
            message: format!($($message)+),
            help: $help.into(),
            offset: Some($offset),
        })
    };
}

const DOM: usize = 2;
const DOW: usize = 4;
const YEAR: usize = 5;
const MAX_LEN: usize = 256;
const DAILY: &str = "cron(0 10 * * ? *)";

struct Spec {
    name: &'static str,
    lo: u32,
    hi: u32,
    names: &'static [&'static str],
    wildcards: &'static str,
    bounds: &'static str,
    example: &'static str,
}

#[rustfmt::skip]
const SPECS: [Spec; 6] = [
    Spec { name: "minutes", lo: 0, hi: 59, names: &[], wildcards: ",-*/",
        bounds: "0–59", example: "cron(0/15 * * * ? *)" },
    Spec { name: "hours", lo: 0, hi: 23, names: &[], wildcards: ",-*/",
        bounds: "0–23", example: "cron(0/5 8-17 ? * MON-FRI *)" },
    Spec { name: "day-of-month", lo: 1, hi: 31, names: &[], wildcards: ",-*?/LW",
        bounds: "1–31", example: "cron(0 8 1 * ? *)" },
    Spec { name: "month", lo: 1, hi: 12, wildcards: ",-*/", bounds: "1–12 (or JAN–DEC)",
        names: &["JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                 "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"],
        example: "cron(0 8 1 JAN,JUL ? *)" },
    Spec { name: "day-of-week", lo: 1, hi: 7, wildcards: ",-*?L#", bounds: "1–7 (or SUN–SAT)",
        names: &["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"],
        example: "cron(0 18 ? * MON-FRI *)" },
    Spec { name: "year", lo: 1970, hi: 2199, names: &[], wildcards: ",-*/",
        bounds: "1970–2199", example: "cron(0 8 1 * ? 2026-2030)" },
];

/// Parses and validates `cron(...)` or `rate(...)`; the first problem found as an error.
pub fn parse_schedule(expr: &str) -> Result<Schedule, ScheduleError> {
    let len = expr.chars().count();
    if len > MAX_LEN {
        fail!("shorten it, e.g. use ranges like `1-15` instead of long lists";
            "schedule expression is {len} characters long; the maximum is {MAX_LEN}");
    }
    let trimmed = expr.trim();
    if trimmed != expr {
        fail!(format!("remove it: `{trimmed}`");
            "schedule expression `{expr}` has leading or trailing whitespace");
    }
    for (kind, example) in [("rate", "rate(5 minutes)"), ("cron", DAILY)] {
        let open = format!("{kind}(");
        let prefix = expr
            .get(..open.len())
            .filter(|p| p.eq_ignore_ascii_case(&open));
        let Some(prefix) = prefix else { continue };
        let help = format!("e.g. `{example}`");
        if prefix != open {
            fail!(help; "schedule expression `{expr}` must start with lowercase `{open}`");
        }
        let Some(inner) = expr[open.len()..].strip_suffix(')') else {
            fail!(help; "schedule expression `{expr}` is missing the closing `)`");
        };
        let parsed = if kind == "rate" {
            parse_rate(inner)
        } else {
            parse_cron(inner)
        };
        // Offsets inside the parentheses become offsets in the expression.
        return parsed.map_err(|mut e| {
            e.offset = e.offset.map(|o| o + open.chars().count());
            e
        });
    }
    fail!(format!("e.g. `{DAILY}` (10:00 UTC every day) or `rate(5 minutes)`");
        "schedule expression `{expr}` must be `cron(...)` or `rate(...)`")
}

fn parse_rate(inner: &str) -> Result<Schedule, ScheduleError> {
    const SHAPE: &str = "write `rate(value unit)`, e.g. `rate(5 minutes)` or `rate(1 hour)`";
    let (num, word) = inner.split_once(' ').unwrap_or((inner, ""));
    if num.is_empty() || word.is_empty() || word.contains(char::is_whitespace) {
        fail!(SHAPE;
            "rate expression `rate({inner})` must be a value and a unit separated by one space");
    }
    let value = match digits(num) {
        Some(0) => {
            fail_at!(0; "the shortest rate is `rate(1 minute)`"; "rate value `{num}` must be positive")
        }
        Some(n) if !num.starts_with('0') => n,
        _ if num.bytes().all(|b| b.is_ascii_digit()) => {
            let help = match digits(num.trim_start_matches('0')) {
                Some(v) => format!("write `rate({v} {word})`"),
                None => SHAPE.to_string(),
            };
            let max = u32::MAX;
            fail_at!(0; help;
                "rate value `{num}` must be a whole number from 1 to {max} without leading zeros");
        }
        _ => fail_at!(0; SHAPE;
            "rate value `{num}` must be a positive whole number (no sign or decimals)"),
    };
    let unit_at = num.chars().count() + 1;
    let lower = word.to_ascii_lowercase();
    let base = lower.strip_suffix('s').unwrap_or(&lower);
    let unit = match base {
        "minute" => RateUnit::Minute,
        "hour" => RateUnit::Hour,
        "day" => RateUnit::Day,
        _ => {
            fail_at!(unit_at; "use minute(s), hour(s) or day(s), e.g. `rate(5 minutes)` or `rate(7 days)`";
            "rate unit `{word}` is not supported")
        }
    };
    let plural = value != 1;
    let right = format!(
        "write `rate({value} {base}{})`",
        if plural { "s" } else { "" }
    );
    if word != lower {
        fail_at!(unit_at; right; "rate unit `{word}` must be lowercase");
    }
    if word.ends_with('s') != plural {
        let form = if plural { "plural" } else { "singular" };
        fail_at!(unit_at; right; "rate unit `{word}` must be {form} when the value is {value}");
    }
    Ok(Schedule::Rate { value, unit })
}

fn parse_cron(inner: &str) -> Result<Schedule, ScheduleError> {
    let fields: Vec<&str> = inner.split_whitespace().collect();
    let count = fields.len();
    if count != 6 {
        let help = "the fields are: minutes hours day-of-month month day-of-week year";
        fail!(format!("{help} (Unix cron has no year), e.g. `{DAILY}`");
            "cron expression has {count} fields but needs 6");
    }
    let joined = fields.join(" ");
    if inner != joined {
        fail!(format!("write `cron({joined})`");
            "cron expression fields must be separated by single spaces");
    }
    let mut parsed: [Option<Vec<Part>>; 6] = Default::default();
    // Fields are separated by single spaces (checked above): field i starts after the
    // previous fields and their spaces.
    let field_at = |i: usize| -> usize { fields[..i].iter().map(|f| f.chars().count() + 1).sum() };
    for (i, text) in fields.iter().enumerate() {
        parsed[i] = parse_field(i, text).map_err(|mut e| {
            e.offset = Some(field_at(i));
            e
        })?;
    }
    let with = |i: usize, v: &'static str| {
        let mut f = fields.clone();
        f[i] = v;
        format!("cron({})", f.join(" "))
    };
    let (dom, dow) = (fields[DOM], fields[DOW]);
    match (&parsed[DOM], &parsed[DOW]) {
        (None, None) => {
            fail_at!(field_at(DOM); format!("to run every day write `{}`", with(DOM, "*"));
            "day-of-month and day-of-week cannot both be `?`; exactly one must be")
        }
        (Some(_), Some(_)) => {
            let help = match (dom, dow) {
                (_, "*") => format!("write `{}`", with(DOW, "?")),
                ("*", _) => format!("write `{}`", with(DOM, "?")),
                _ => format!("write `{}` or `{}`", with(DOW, "?"), with(DOM, "?")),
            };
            let both = "cannot both be specified; one must be `?`";
            fail_at!(field_at(DOM); help; "day-of-month `{dom}` and day-of-week `{dow}` {both}")
        }
        _ => Ok(Schedule::Cron(Cron { fields: parsed })),
    }
}

fn parse_field(i: usize, text: &str) -> Result<Option<Vec<Part>>, ScheduleError> {
    let (name, wildcards) = (SPECS[i].name, SPECS[i].wildcards);
    let allowed = |c: &char| c.is_ascii_alphanumeric() || wildcards.contains(*c);
    let bad_char = text.chars().find(|c| !allowed(c));
    if let Some(c) = bad_char {
        let help = if c == '?' {
            format!("`?` is only for day-of-month or day-of-week; `*` means every value: `{DAILY}`")
        } else {
            let wild: Vec<String> = wildcards.chars().map(|c| format!("`{c}`")).collect();
            let (bounds, example, wild) = (SPECS[i].bounds, SPECS[i].example, wild.join(" "));
            format!("{name} takes {bounds} and {wild}, e.g. `{example}`")
        };
        fail!(help; "{name} `{text}` contains `{c}`, which is not allowed there");
    }
    if text == "?" {
        return Ok(None);
    }
    if text.contains('?') {
        fail!("use `?` alone, e.g. `cron(0 8 ? * MON *)`";
            "{name} `{text}`: `?` must be the whole field");
    }
    if text.matches('#').count() > 1 {
        fail!("keep one, e.g. `cron(0 9 ? * 2#1 *)` (first Monday), and add a rule per extra";
            "{name} `{text}` has more than one `#` expression; only one is allowed");
    }
    let items: Vec<&str> = text.split(',').collect();
    let parts = items.iter().map(|item| parse_part(i, item, text));
    let parts: Vec<Part> = parts.collect::<Result<_, _>>()?;
    let mut pairs = items.iter().zip(&parts);
    let special = pairs.find(|(_, p)| !matches!(p, Part::Range(..)));
    if let (Some((item, _)), true) = (special, parts.len() > 1) {
        fail!(format!("make `{item}` the whole {name} field, or use a separate rule");
            "{name} `{text}`: `{item}` cannot be combined with other values");
    }
    Ok(Some(parts))
}

fn parse_part(i: usize, raw: &str, text: &str) -> Result<Part, ScheduleError> {
    let spec = &SPECS[i];
    let (name, lo, hi, example) = (spec.name, spec.lo, spec.hi, spec.example);
    let upper = raw.to_ascii_uppercase();
    let item = upper.as_str();
    if item.is_empty() {
        fail!(format!("separate values with single commas, e.g. `{example}`");
            "{name} `{text}` has an empty list element");
    }
    if i == DOM {
        match item.strip_suffix('W') {
            _ if item == "L" => return Ok(Part::Last),
            Some("L") => return Ok(Part::LastWeekday),
            Some(day) => match digits(day).filter(|d| (1..=31).contains(d)) {
                Some(d) => return Ok(Part::NearestWeekday(d)),
                None => fail!("e.g. `cron(0 8 15W * ? *)` (the weekday nearest the 15th)";
                    "day-of-month `{raw}`: `W` must follow a single day 1–31 (or be `LW`)"),
            },
            None if item.contains('L') => {
                fail!("e.g. `cron(0 8 L * ? *)` (last day) or `cron(0 8 LW * ? *)` (last weekday)";
                    "day-of-month `{raw}`: `L` is only valid alone or as `LW`")
            }
            None => {}
        }
    }
    if i == DOW {
        if item == "L" {
            return Ok(Part::Range(7, 7, 1));
        }
        if let Some(day) = item.strip_suffix('L') {
            return Ok(Part::LastOf(value(spec, day, raw)?));
        }
        if let Some((day, nth)) = item.split_once('#') {
            let day = value(spec, day, raw)?;
            return match digits(nth) {
                Some(n @ 1..=5) => Ok(Part::Nth(day, n)),
                _ => fail!("e.g. `cron(0 9 ? * 2#1 *)` (first Monday of the month)";
                    "day-of-week `{raw}`: the occurrence after `#` must be 1–5"),
            };
        }
    }
    let (base, step) = match item.split_once('/') {
        Some((base, step)) => (base, Some(step)),
        None => (item, None),
    };
    let max = (hi - lo + 1).min(hi); // like Quartz: at most 59 for minutes, 23 for hours
    let step_value = match step.map(|s| (s, digits(s).filter(|n| (1..=max).contains(n)))) {
        None => 1,
        Some((_, Some(n))) => n,
        Some((s, None)) => fail!(format!("e.g. `{example}`");
            "{name} `{raw}` has increment `{s}`; it must be a whole number from 1 to {max}"),
    };
    if base == "*" {
        return Ok(Part::Range(lo, hi, step_value));
    }
    if let Some((a, b)) = base.split_once('-') {
        let (a, b) = (value(spec, a, raw)?, value(spec, b, raw)?);
        if a > b {
            let wrap = format!(", or to wrap around use two ranges: `{a}-{hi},{lo}-{b}`");
            let wrap = if i == YEAR { "" } else { &wrap };
            fail!(format!("write `{b}-{a}`{wrap}");
                "{name} range `{raw}` runs backwards ({a} > {b})");
        }
        return Ok(Part::Range(a, b, step_value));
    }
    let v = value(spec, base, raw)?;
    let to = if step.is_some() { hi } else { v };
    Ok(Part::Range(v, to, step_value))
}

/// A single value of the field: a number within bounds or (month, day-of-week) a name.
fn value(spec: &Spec, token: &str, raw: &str) -> Result<u32, ScheduleError> {
    let (name, bounds) = (spec.name, spec.bounds);
    let help = format!("use {bounds}, e.g. `{}`", spec.example);
    if token.is_empty() {
        fail!(help; "{name} `{raw}` is missing a value");
    }
    if token.bytes().all(|b| b.is_ascii_digit()) {
        match token.parse::<u32>() {
            Ok(v) if (spec.lo..=spec.hi).contains(&v) => return Ok(v),
            _ => fail!(help; "{name} `{token}` is out of range {bounds}"),
        }
    }
    match spec.names.iter().zip(1..).find(|(n, _)| **n == token) {
        Some((_, v)) => Ok(v),
        None => fail!(help; "{name} `{raw}`: `{token}` is not a valid {name} value"),
    }
}

/// ASCII digits only (no sign, no whitespace), as a `u32`.
fn digits(s: &str) -> Option<u32> {
    let ok = !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    ok.then(|| s.parse().ok()).flatten()
}

impl Cron {
    /// Whether the schedule fires at this UTC minute.
    pub fn fires_at(&self, at: Minute) -> bool {
        let (year, last) = (u32::try_from(at.year), days_in_month(at.year, at.month));
        let date_ok = year.is_ok() && (1..=12).contains(&at.month) && (1..=last).contains(&at.day);
        if !date_ok || at.hour > 23 || at.minute > 59 {
            return false;
        }
        let (weekday, year) = (weekday(at.year, at.month, at.day), year.unwrap_or(0));
        let values = [at.minute, at.hour, at.day, at.month, weekday, year];
        let mut fields = self.fields.iter().zip(values);
        fields.all(|(field, v)| match field {
            None => true,
            Some(parts) => parts.iter().any(|p| p.matches(v, &at)),
        })
    }
}

impl Cron {
    /// Whether the day fields (day-of-month, month, day-of-week, year) allow this date.
    pub fn matches_date(&self, year: i32, month: u32, day: u32) -> bool {
        let at = Minute {
            year,
            month,
            day,
            hour: 0,
            minute: 0,
        };
        let Ok(y) = u32::try_from(year) else {
            return false;
        };
        let values = [
            (DOM, day),
            (3, month),
            (DOW, weekday(year, month, day)),
            (YEAR, y),
        ];
        values.iter().all(|&(i, v)| match &self.fields[i] {
            None => true,
            Some(parts) => parts.iter().any(|p| p.matches(v, &at)),
        })
    }

    /// Every (hour, minute) of a day the time fields allow, in order.
    pub fn times(&self) -> Vec<(u32, u32)> {
        let at = Minute {
            year: 2000,
            month: 1,
            day: 1,
            hour: 0,
            minute: 0,
        };
        let allows = |i: usize, v: u32| match &self.fields[i] {
            None => true,
            Some(parts) => parts.iter().any(|p| p.matches(v, &at)),
        };
        let mut out = Vec::new();
        for h in (0..24).filter(|&h| allows(1, h)) {
            for m in (0..60).filter(|&m| allows(0, m)) {
                out.push((h, m));
            }
        }
        out
    }
}

impl Part {
    /// `v` is the field's value at `at` (for day-of-week, the weekday 1 = SUN … 7 = SAT).
    fn matches(&self, v: u32, at: &Minute) -> bool {
        let (y, m, d) = (at.year, at.month, at.day);
        let last = days_in_month(y, m);
        match *self {
            Part::Range(lo, hi, step) => {
                (lo..=hi).contains(&v) && (v - lo).checked_rem(step) == Some(0)
            }
            Part::Last => d == last,
            Part::LastWeekday => d == nearest_weekday(y, m, last),
            Part::NearestWeekday(n) => n <= last && d == nearest_weekday(y, m, n),
            Part::LastOf(w) => v == w && d + 7 > last,
            Part::Nth(w, n) => v == w && d.div_ceil(7) == n,
        }
    }
}

/// The weekday (Monday–Friday) nearest day `n` (1 ≤ n ≤ last day), without leaving the month.
fn nearest_weekday(y: i32, m: u32, n: u32) -> u32 {
    match weekday(y, m, n) {
        7 if n == 1 => 3,
        7 => n - 1,
        1 if n == days_in_month(y, m) => n - 2,
        1 => n + 1,
        _ => n,
    }
}

fn days_in_month(y: i32, m: u32) -> u32 {
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    match m {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Day of week, 1 = Sunday … 7 = Saturday (Sakamoto's method, proleptic Gregorian calendar).
fn weekday(y: i32, m: u32, d: u32) -> u32 {
    const T: [i64; 12] = [0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4];
    let t = T.get((m as usize).wrapping_sub(1)).copied().unwrap_or(0);
    let y = i64::from(y) - i64::from(m < 3);
    let days = y + y.div_euclid(4) - y.div_euclid(100) + y.div_euclid(400) + t + i64::from(d);
    u32::try_from(days.rem_euclid(7)).unwrap_or(0) + 1
}

impl Minute {
    /// Parses RFC 3339 / ISO 8601 UTC like `2026-11-28T03:00:00Z` or `2026-11-28T03:00Z`
    /// (seconds ignored; also accepts a `+00:00` offset; rejects other offsets with a clear error).
    pub fn parse(s: &str) -> Result<Minute, String> {
        let example = "`2026-11-28T03:00:00Z` or `2026-11-28T03:00Z`";
        let bad = || format!("invalid time `{s}`: expected UTC like {example}");
        let (date, time) = s.split_once(['T', 't']).ok_or_else(bad)?;
        let Some(split) = time.find(['Z', 'z', '+', '-']) else {
            return Err(format!(
                "time `{s}` has no UTC offset: add `Z`, e.g. `2026-11-28T03:00Z`"
            ));
        };
        let (clock, offset) = time.split_at(split);
        match offset.as_bytes() {
            b"Z" | b"z" | b"+00:00" => {}
            [_, h1, h2, b':', m1, m2] if [h1, h2, m1, m2].iter().all(|b| b.is_ascii_digit()) => {
                let why = "but only UTC is supported: convert it and end with `Z`";
                return Err(format!("time `{s}` has offset `{offset}`, {why}"));
            }
            _ => return Err(bad()),
        }
        let (hm, seconds) = clock.split_at_checked(5).ok_or_else(bad)?;
        let parsed = (
            nums(date, '-', [4, 2, 2]),
            nums(hm, ':', [2, 2]),
            seconds_ok(seconds),
        );
        let (Some([year, month, day]), Some([hour, minute]), true) = parsed else {
            return Err(bad());
        };
        let year = i32::try_from(year).map_err(|_| bad())?;
        let problem = if !(1..=12).contains(&month) {
            format!("month {month}")
        } else if !(1..=days_in_month(year, month)).contains(&day) {
            format!("day {day}")
        } else if hour > 23 || minute > 59 {
            format!("time of day {hour:02}:{minute:02}")
        } else {
            return Ok(Minute {
                year,
                month,
                day,
                hour,
                minute,
            });
        };
        Err(format!("invalid time `{s}`: {problem} does not exist"))
    }
}

/// Nothing, `:SS` or `:SS.fff`: the seconds of a time, checked but ignored.
fn seconds_ok(s: &str) -> bool {
    let Some(s) = s.strip_prefix(':') else {
        return s.is_empty();
    };
    let (whole, frac) = s.split_once('.').unwrap_or((s, "0"));
    let frac_ok = !frac.is_empty() && frac.bytes().all(|b| b.is_ascii_digit());
    frac_ok && nums(whole, ':', [2]).is_some_and(|[v]| v <= 60)
}

/// `N` numbers of exactly `widths` ASCII digits separated by `sep`, e.g. `2026-11-28`.
fn nums<const N: usize>(s: &str, sep: char, widths: [usize; N]) -> Option<[u32; N]> {
    let mut out = [0; N];
    let mut parts = s.split(sep);
    for (slot, width) in out.iter_mut().zip(widths) {
        *slot = parts.next().filter(|p| p.len() == width).and_then(digits)?;
    }
    parts.next().is_none().then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    /// Rows of `left | right`, skipping blank lines and `//` comments.
    fn rows(table: &str) -> impl Iterator<Item = (&str, &str)> {
        let lines = table.lines().map(str::trim);
        let rows = lines.filter(|l| !l.is_empty() && !l.starts_with("//"));
        rows.map(|l| {
            l.split_once(" | ")
                .map_or((l, ""), |(a, b)| (a.trim_end(), b))
        })
    }

    fn at(s: &str) -> Minute {
        Minute::parse(s).unwrap()
    }

    /// Pairs up `left | right` rows with `check`'s complaint, if any; expects none.
    fn assert_rows(table: &str, check: impl Fn(&str, &str) -> Option<String>) {
        let failures: Vec<String> = rows(table).filter_map(|(a, b)| check(a, b)).collect();
        assert_eq!(failures, Vec::<String>::new());
    }

    // The examples of the AWS guide, then every wildcard in use.
    const VALID: &str = "
        cron(0 10 * * ? *)
        cron(15 12 * * ? *)
        cron(0 18 ? * MON-FRI *)
        cron(0 8 1 * ? *)
        cron(0/15 * * * ? *)
        cron(0/10 * ? * MON-FRI *)
        cron(0/5 8-17 ? * MON-FRI *)
        cron(0 9 ? * 2#1 *)
        cron(0 20 * * ? *)
        cron(1/10 * * * ? *)
        cron(0 8 1 JAN,FEB,MAR ? *)
        cron(0 8 3W * ? *)
        cron(15 10 ? * 6L 2025-2030)
        cron(0 8 LW * ? *)
        cron(0 8 l * ? *)
        cron(0 8 ? jan-dec sun-sat *)
        cron(0-59/2 0,12 1-15/3 */2 ? 2026/2)
        rate(1 minute)
        rate(1 day)";

    #[test]
    fn valid_expressions_parse() {
        assert_rows(VALID, |expr, _| {
            parse_schedule(expr).err().map(|e| format!("{expr}: {e:?}"))
        });
        let rate = |value, unit| Ok(Schedule::Rate { value, unit });
        assert_eq!(parse_schedule("rate(5 minutes)"), rate(5, RateUnit::Minute));
        assert_eq!(parse_schedule("rate(1 hour)"), rate(1, RateUnit::Hour));
        assert_eq!(parse_schedule("rate(7 days)"), rate(7, RateUnit::Day));
    }

    const INVALID: &str = "
        cron(60 10 * * ? *)     | minutes `60` is out of range 0–59
        cron(0/0 * * * ? *)     | minutes `0/0` has increment `0`; it must be a whole number from 1
        cron(? 10 * * ? *)      | minutes `?` contains `?`, which is not allowed there
        cron(0 24 * * ? *)      | hours `24` is out of range 0–23
        cron(0 17-8 * * ? *)    | hours range `17-8` runs backwards (17 > 8)
        cron(0 10 32 * ? *)     | day-of-month `32` is out of range 1–31
        cron(0 10 0 * ? *)      | day-of-month `0` is out of range 1–31
        cron(0 10 1-5W * ? *)   | day-of-month `1-5W`: `W` must follow a single day 1–31
        cron(0 10 L-3 * ? *)    | day-of-month `L-3`: `L` is only valid alone or as `LW`
        cron(0 10 1,L * ? *)    | day-of-month `1,L`: `L` cannot be combined with other values
        cron(0 10 ,1 * ? *)     | day-of-month `,1` has an empty list element
        cron(0 10 ?,1 * * *)    | day-of-month `?,1`: `?` must be the whole field
        cron(0 10 ? 13 MON *)   | month `13` is out of range 1–12 (or JAN–DEC)
        cron(0 10 1 FOO ? *)    | month `FOO`: `FOO` is not a valid month value
        cron(0 10 1 JAN-/2 ? *) | month `JAN-/2` is missing a value
        cron(0 9 ? * 8 *)       | day-of-week `8` is out of range 1–7 (or SUN–SAT)
        cron(0 9 ? * 0 *)       | day-of-week `0` is out of range 1–7 (or SUN–SAT)
        cron(0 9 ? * 3#1,6#3 *) | day-of-week `3#1,6#3` has more than one `#` expression
        cron(0 9 ? * 3#6 *)     | day-of-week `3#6`: the occurrence after `#` must be 1–5
        cron(0 9 ? * 8#1 *)     | day-of-week `8` is out of range 1–7 (or SUN–SAT)
        cron(0 9 ? * 2#1,5 *)   | day-of-week `2#1,5`: `2#1` cannot be combined with other values
        cron(0 9 ? * 2/2 *)     | day-of-week `2/2` contains `/`, which is not allowed there
        cron(0 9 ? * FRI-MON *) | day-of-week range `FRI-MON` runs backwards (6 > 2)
        cron(0 9 * * ? 1969)    | year `1969` is out of range 1970–2199
        cron(0 9 * * ? 2200)    | year `2200` is out of range 1970–2199
        cron(0 9 * * ? 2026/0)  | year `2026/0` has increment `0`
        cron(0 10 * * MON *)    | day-of-month `*` and day-of-week `MON` cannot both be specified
        cron(0 10 ? * ? *)      | day-of-month and day-of-week cannot both be `?`; exactly one
        cron(0 10 * * *)        | cron expression has 5 fields but needs 6
        cron(0 10 * * ? * *)    | cron expression has 7 fields but needs 6
        cron(0 10  * * ? *)     | cron expression fields must be separated by single spaces
        cron(0 10 * * ? *       | schedule expression `cron(0 10 * * ? *` is missing the closing `)`
        CRON(0 10 * * ? *)      | schedule expression `CRON(0 10 * * ? *)` must start with lowercase
        0 10 * * ? *            | schedule expression `0 10 * * ? *` must be `cron(...)` or
        rate(0 minutes)         | rate value `0` must be positive
        rate(05 minutes)        | rate value `05` must be a whole number from 1 to 4294967295
        rate(-5 minutes)        | rate value `-5` must be a positive whole number (no sign
        rate(1.5 hours)         | rate value `1.5` must be a positive whole number
        rate(1 hours)           | rate unit `hours` must be singular when the value is 1
        rate(5 minute)          | rate unit `minute` must be plural when the value is 5
        rate(5 Minutes)         | rate unit `Minutes` must be lowercase
        rate(5 seconds)         | rate unit `seconds` is not supported
        rate(5  minutes)        | rate expression `rate(5  minutes)` must be a value and a unit
        rate(5minutes)          | rate expression `rate(5minutes)` must be a value and a unit";

    #[test]
    fn invalid_expressions_name_the_field() {
        assert_rows(INVALID, |expr, want| match parse_schedule(expr) {
            Err(e) if e.message.starts_with(want) && e.help.contains('`') => None,
            other => Some(format!("{expr}: expected `{want}…`, got {other:?}")),
        });
        let long = format!("cron(0 10 * * ? {})", ["2026"; 60].join(","));
        let message = |expr: &str| parse_schedule(expr).unwrap_err().message;
        let want = "schedule expression is 316 characters long; the maximum is 256";
        assert_eq!(message(&long), want);
        let want = "schedule expression ` rate(5 minutes)` has leading or trailing whitespace";
        assert_eq!(message(" rate(5 minutes)"), want);
    }

    const HELP: &str = "
        cron(0 10 * * MON *)      | write `cron(0 10 ? * MON *)`
        cron(0 10 1 * * *)        | write `cron(0 10 1 * ? *)`
        cron(0 10 1 * MON *)      | write `cron(0 10 1 * ? *)` or `cron(0 10 ? * MON *)`
        cron(0 10 ? * ? *)        | to run every day write `cron(0 10 * * ? *)`
        cron(0 22-2 * * ? *)      | write `2-22`, or to wrap around use two ranges: `22-23,0-2`
        cron(0 8 1 * ? 2030-2026) | write `2026-2030`
        cron(0 10 ? 13 MON *)     | use 1–12 (or JAN–DEC), e.g. `cron(0 8 1 JAN,JUL ? *)`
        rate(1 hours)             | write `rate(1 hour)`
        rate(5 minute)            | write `rate(5 minutes)`
        rate(05 minutes)          | write `rate(5 minutes)`
        rate(1 Days)              | write `rate(1 day)`";

    #[test]
    fn help_shows_the_fix() {
        assert_rows(HELP, |expr, want| match parse_schedule(expr) {
            Err(e) if e.help == want => None,
            other => Some(format!("{expr}: expected help `{want}`, got {other:?}")),
        });
        let help = parse_schedule("cron(0\t10 * * ? *)").unwrap_err().help;
        assert_eq!(help, "write `cron(0 10 * * ? *)`");
    }

    // `expr | time…`: `+time` must fire, `-time` must not. Weekdays checked with `date -u`.
    const FIRES: &str = "
        cron(0 10 * * ? *)           | +2026-05-09T10:00Z -2026-05-09T10:01Z
        cron(15 12 * * ? *)          | +2026-05-09T12:15:59Z -2026-05-09T13:15Z
        cron(0 8 1 * ? *)            | +2026-06-01T08:00Z -2026-06-02T08:00Z
        cron(0/15 * * * ? *)         | +2026-05-09T03:45Z -2026-05-09T03:50Z
        cron(1/10 * * * ? *)         | +2026-05-09T03:21Z -2026-05-09T03:20Z
        cron(0/10 * ? * MON-FRI *)   | +2026-05-08T23:50Z -2026-05-09T00:00Z
        cron(0/5 8-17 ? * MON-FRI *) | +2026-05-08T17:55Z -2026-05-08T18:00Z -2026-05-09T10:00Z
        cron(0 18 ? * MON-FRI *)     | +2026-05-04T18:00Z -2026-05-10T18:00Z
        // `#`: 2026-11-02 is the first Monday of November 2026, 2026-11-30 the fifth.
        cron(0 9 ? * 2#1 *)          | +2026-11-02T09:00Z -2026-11-09T09:00Z -2026-10-05T09:01Z
        cron(0 9 ? * mon#5 *)        | +2026-11-30T09:00Z -2026-11-23T09:00Z
        cron(0 9 ? * SUN#1 *)        | +2026-11-01T09:00Z -2026-11-08T09:00Z
        // Day-of-month `L`, leap years included.
        cron(0 0 L * ? *)            | +2024-02-29T00:00Z -2024-02-28T00:00Z +2026-02-28T00:00Z
        cron(0 0 L * ? *)            | +2100-02-28T00:00Z +2000-02-29T00:00Z +2026-04-30T00:00Z
        // `W`: 2026-08-15 is a Saturday (→ Fri 14th), 2026-03-15 a Sunday (→ Mon 16th).
        cron(0 8 15W * ? *)          | +2026-08-14T08:00Z -2026-08-15T08:00Z +2026-06-15T08:00Z
        cron(0 8 15W * ? *)          | +2026-03-16T08:00Z -2026-03-15T08:00Z -2026-03-13T08:00Z
        // `1W` on Saturday 2026-08-01 stays in August; `31W` skips 30-day months.
        cron(0 8 1W * ? *)           | +2026-08-03T08:00Z -2026-07-31T08:00Z -2026-08-01T08:00Z
        cron(0 8 31W * ? *)          | +2026-05-29T08:00Z -2026-05-31T08:00Z -2027-04-30T08:00Z
        // `LW`: May 2026 ends on a Sunday, February 2026 on a Saturday, June 2026 on a Tuesday.
        cron(0 8 LW * ? *)           | +2026-05-29T08:00Z -2026-05-31T08:00Z +2026-02-27T08:00Z
        cron(0 8 LW * ? *)           | +2026-06-30T08:00Z -2026-06-29T08:00Z
        // Day-of-week `nL` (last Friday) and `L` alone (Saturday).
        cron(0 8 ? * 6L *)           | +2026-11-27T08:00Z -2026-11-20T08:00Z -2026-11-28T08:00Z
        cron(0 8 ? * FRIL *)         | +2026-07-31T08:00Z -2026-07-24T08:00Z -2026-11-26T08:00Z
        cron(0 8 ? * L *)            | +2026-05-09T08:00Z -2026-05-08T08:00Z
        cron(0 8 ? * SUN,SAT *)      | +2026-05-09T08:00Z +2026-05-10T08:00Z -2026-05-11T08:00Z
        // Month, year, increments over ranges.
        cron(0 8 1 JAN,MAR ? *)      | +2027-03-01T08:00Z -2027-02-01T08:00Z
        cron(0 8 1 1/6 ? *)          | +2027-07-01T08:00Z -2027-06-01T08:00Z
        cron(0 8 1 * ? 2026-2027)    | +2027-01-01T08:00Z -2028-01-01T08:00Z
        cron(0 8 1 * ? 2026/2)       | +2028-01-01T08:00Z -2027-01-01T08:00Z -2025-01-01T08:00Z
        cron(0 8 ? * SUN 2026)       | +2026-05-10T08:00Z -2027-05-09T08:00Z
        cron(10-20/5 * * * ? *)      | +2026-05-09T08:20Z -2026-05-09T08:25Z -2026-05-09T08:05Z";

    #[test]
    fn fires_at_each_feature() {
        assert_rows(FIRES, |expr, times| {
            let Ok(Schedule::Cron(cron)) = parse_schedule(expr) else {
                return Some(format!("{expr} does not parse"));
            };
            let wrong = times
                .split(' ')
                .filter(|t| cron.fires_at(at(&t[1..])) != t.starts_with('+'));
            let wrong: Vec<&str> = wrong.collect();
            (!wrong.is_empty()).then(|| format!("{expr} is wrong at {}", wrong.join(" ")))
        });
        let every = match parse_schedule("cron(* * * * ? *)") {
            Ok(Schedule::Cron(c)) => c,
            other => panic!("{other:?}"),
        };
        let ok = at("2026-05-31T10:00Z");
        let (month, day, year, hour) = (13, 32, -1, 24);
        let bad = [
            Minute { month, ..ok },
            Minute { day, ..ok },
            Minute { year, ..ok },
        ];
        assert!(every.fires_at(ok) && !every.fires_at(Minute { hour, ..ok }));
        assert!(bad.iter().all(|m| !every.fires_at(*m)));
    }

    const TIMES: &str = "
        2026-11-28T03:00:00Z        | ok
        2026-11-28T03:00Z           | ok
        2026-11-28T03:00:59.9+00:00 | ok
        2026-11-28t03:00z           | ok
        2026-11-28T03:00+02:00      | time `2026-11-28T03:00+02:00` has offset `+02:00`, but only
        2026-11-28T03:00            | time `2026-11-28T03:00` has no UTC offset: add `Z`
        2026-02-29T03:00Z           | invalid time `2026-02-29T03:00Z`: day 29 does not exist
        2026-13-01T03:00Z           | invalid time `2026-13-01T03:00Z`: month 13 does not exist
        2026-11-28T24:00Z           | invalid time `2026-11-28T24:00Z`: time of day 24:00 does
        2026-11-28 03:00Z           | invalid time `2026-11-28 03:00Z`: expected UTC like
        2026-11-28T3:00Z            | invalid time `2026-11-28T3:00Z`: expected UTC like
        2026-11-28T03:00.5Z         | invalid time `2026-11-28T03:00.5Z`: expected UTC like
        2026-11-28T03:00:00:00Z     | invalid time `2026-11-28T03:00:00:00Z`: expected UTC like
        2026-11-28T03:00+0200       | invalid time `2026-11-28T03:00+0200`: expected UTC like
        2026-1é-28T03:00Z           | invalid time `2026-1é-28T03:00Z`: expected UTC like";

    #[test]
    fn parses_minutes() {
        let want = (2026, 11, 28, 3, 0);
        assert_rows(TIMES, |s, error| match Minute::parse(s) {
            Ok(m) if (m.year, m.month, m.day, m.hour, m.minute) == want && error == "ok" => None,
            Err(e) if e.starts_with(error) => None,
            other => Some(format!("{s}: expected {error}, got {other:?}")),
        });
        assert_eq!(at("2024-02-29T23:59Z").day, 29);
    }

    /// Every token of up to 3 awkward characters in every field: no panics, and whatever parses
    /// can be evaluated.
    #[test]
    fn never_panics() {
        let chars: Vec<String> = "0159LW#?*/-,ÄX ".chars().map(String::from).collect();
        let mut tokens = vec![String::new()];
        for _ in 0..3 {
            let longer = tokens
                .iter()
                .flat_map(|t| chars.iter().map(move |c| t.clone() + c));
            tokens = longer.chain([String::new()]).collect();
        }
        let probe = at("2026-05-31T10:00Z");
        for i in 0..6 {
            for t in &tokens {
                let mut fields = ["0", "10", "?", "*", "MON", "*"];
                fields[i] = t;
                let expr = format!("cron({})", fields.join(" "));
                if let Ok(Schedule::Cron(c)) = parse_schedule(&expr) {
                    c.fires_at(probe);
                }
            }
        }
        for t in &tokens {
            let _ = parse_schedule(&format!("rate({t})"));
            let _ = Minute::parse(&format!("2026-11-28T{t}Z"));
        }
    }
}
