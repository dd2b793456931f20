//! The command line: clap definitions (doc comments are the help text) and the command drivers.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::diagnostics::{render_github, render_human_styled, Diagnostic, FileReport, Severity};
use crate::targets::{Format, Layout, Target};

mod output;

pub use output::MANIFEST;
use output::{Destination, Plan};

/// Exit code: the spec is invalid, the output is stale, or (simulate, event) nothing starts.
pub const EXIT_INVALID: u8 = 1;
/// Exit code: bad usage, an unreadable file or an I/O error; for `simulate` and `event` also an
/// invalid spec or event.
pub const EXIT_USAGE: u8 = 2;

/// The diagnostic code of a spec `tfc check` could not read.
pub const UNREADABLE: &str = "unreadable";

/// Compile one YAML spec of EventBridge-triggered ECS Fargate tasks to CloudFormation,
/// Terraform or CDK.
#[derive(Debug, Parser)]
#[command(name = "tfc", version, about, long_about = None)]
#[command(
    after_help = "Exit codes: 0 success; 1 a spec is invalid, the output is stale (compile --check) or no task starts (simulate, event); 2 bad usage, an unreadable file, or an invalid spec or event given to simulate or event. `tfc COMMAND --help` says what each code means for that command.\n\nExamples:\n  tfc check examples/*/spec.yaml\n  tfc schema > schemas/tfc.schema.json\n  tfc model examples/django-manage/spec.yaml"
)]
pub struct Cli {
    /// Colour diagnostics: auto (when stderr is a terminal and NO_COLOR is unset or empty),
    /// always (even with NO_COLOR), never.
    #[arg(long, global = true, value_enum, value_name = "WHEN", default_value_t = ColorWhen::Auto)]
    pub color: ColorWhen,
    #[command(subcommand)]
    pub command: Command,
}

/// When diagnostics are coloured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    /// When stderr is a terminal and NO_COLOR is unset or empty (no-color.org).
    Auto,
    /// Always, even when piped or with NO_COLOR set.
    Always,
    /// Never.
    Never,
}

impl ColorWhen {
    /// Whether stderr gets ANSI colours.
    pub fn enabled(self) -> bool {
        use std::io::IsTerminal;
        match self {
            ColorWhen::Always => true,
            ColorWhen::Never => false,
            ColorWhen::Auto => {
                std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                    && std::io::stderr().is_terminal()
            }
        }
    }
}

/// Whether this process colours stderr, set once by [`run`] from `--color`.
static COLOR: std::sync::OnceLock<bool> = std::sync::OnceLock::new();

fn color() -> bool {
    COLOR.get().copied().unwrap_or(false)
}

thread_local! {
    /// What this thread's command printed, while it is captured (stderr, stdout): a compile of
    /// several specs runs each on a thread of its own and prints each one's output whole, in
    /// the order of the arguments.
    static CAPTURE: std::cell::RefCell<Option<(String, String)>> =
        const { std::cell::RefCell::new(None) };
}

/// Runs `f` with this thread's output captured; returns its result and what it printed.
fn captured<T>(f: impl FnOnce() -> T) -> (T, String, String) {
    CAPTURE.with(|c| *c.borrow_mut() = Some((String::new(), String::new())));
    let value = f();
    let (err, out) = CAPTURE.with(|c| c.borrow_mut().take()).unwrap_or_default();
    (value, err, out)
}

/// Appends `text` to this thread's capture of stderr (`err`) or stdout; false when nothing is
/// captured.
fn capture(text: &str, err: bool) -> bool {
    CAPTURE.with(|c| match c.borrow_mut().as_mut() {
        Some((e, o)) => {
            if err { e } else { o }.push_str(text);
            true
        }
        None => false,
    })
}

/// Writes to stderr, or to the capture.
fn write_err(text: &str) {
    if !capture(text, true) {
        let _ = std::io::stderr().lock().write_all(text.as_bytes());
    }
}

/// Prints `error: MSG` to stderr (`error` in bold red on a colour terminal).
fn error(msg: impl std::fmt::Display) {
    write_err(&format!(
        "{}: {msg}\n",
        crate::diagnostics::severity_label(Severity::Error, color())
    ));
}

/// Prints `warning: MSG` to stderr.
fn warning(msg: impl std::fmt::Display) {
    write_err(&format!(
        "{}: {msg}\n",
        crate::diagnostics::severity_label(Severity::Warning, color())
    ));
}

/// Parameter values (for a spec that declares `parameters`).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ParamArgs {
    /// Take parameter values from this environment of the spec's `environments`.
    #[arg(long, value_name = "NAME")]
    pub env: Option<String>,
    /// Set a parameter: NAME=VALUE (lists comma-separated); wins over --env and defaults.
    #[arg(long = "set", value_name = "NAME=VALUE")]
    pub set: Vec<String>,
}

impl ParamArgs {
    /// The values chosen; `single`: exactly one set (every command but `check`).
    fn values(&self, single: bool) -> Result<crate::spec::params::Values, ExitCode> {
        let mut set = Vec::new();
        for s in &self.set {
            match s.split_once('=') {
                Some((name, value)) if !name.is_empty() => {
                    set.push((name.to_string(), value.to_string()))
                }
                _ => {
                    error(format!("--set {s}: expected NAME=VALUE"));
                    return Err(ExitCode::from(EXIT_USAGE));
                }
            }
        }
        Ok(crate::spec::params::Values {
            env: self.env.clone(),
            set,
            single,
        })
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check specs and report every problem with file:line:col.
    ///
    /// Every file is checked, also after one fails; a file that cannot be read is reported as
    /// an error of that file (code `unreadable`) and counted in the summary line.
    ///
    /// Exit codes: 0 every spec is valid (warnings allowed); 1 a spec is invalid, or has
    /// warnings with --deny-warnings; 2 a file could not be read or the command line is wrong
    /// (this wins over 1).
    #[command(
        after_help = "Examples:\n  tfc check spec.yaml\n  tfc check --format github specs/*.yaml\n  tfc check --deny-warnings --format json spec.yaml"
    )]
    Check {
        /// Spec files to check.
        #[arg(required = true, value_name = "SPEC")]
        specs: Vec<PathBuf>,
        /// How to print problems.
        #[arg(long, value_enum, default_value_t = ReportFormat::Human)]
        format: ReportFormat,
        /// Fail (exit 1) on warnings too.
        #[arg(long)]
        deny_warnings: bool,
        /// Check for one target: its deployment limits become errors (CloudFormation's stack
        /// quotas for `cloudformation`, as YAML, and `cdk`; none for `terraform`). Without it,
        /// they are warnings for any CloudFormation or CDK deployment.
        #[arg(long, short, value_enum, value_name = "TARGET")]
        target: Option<Target>,
        /// Check one set of parameter values instead of every environment.
        #[command(flatten)]
        params: ParamArgs,
    },
    /// Compile a spec to CloudFormation, Terraform or CDK.
    ///
    /// Without -o the output goes to stdout. -o PATH is a directory when it ends with `/` or is
    /// an existing directory, a file when it is an existing file or has an extension, else a
    /// directory; missing directories are created. With -o FILE the single document is written
    /// there; with -o DIR the target's files are written inside DIR, with a manifest
    /// (`.tfc-files`: the files tfc wrote, one relative path a line) so that the next compile
    /// deletes the files it no longer writes, and nothing else. Every file is written to a
    /// temporary file and renamed into place; nothing is written when the spec has errors or
    /// any write fails.
    ///
    /// Exit codes: 0 written (with --check: everything up to date); 1 the spec is invalid
    /// (the same diagnostics as `tfc check`; nothing written), or with --check a file is
    /// changed, missing or stale; 2 the spec cannot be read, the command line is wrong (e.g.
    /// --format contradicting -o's extension) or a file cannot be written.
    #[command(
        after_help = "Examples:\n  tfc compile spec.yaml --target cloudformation > template.yaml\n  tfc compile spec.yaml --target cfn -o template.json\n  tfc compile spec.yaml --target terraform -o deploy/\n  tfc compile spec.yaml --target terraform -o deploy/ --check"
    )]
    Compile {
        /// The spec files. With more than one, -o is a pattern holding `{dir}` (the spec's
        /// directory) and/or `{stem}` (its file name without the extension), e.g.
        /// `-o '{dir}/cloudformation/'`: every spec is compiled (on every core) before anything
        /// is written, and nothing is written when any of them fails.
        #[arg(value_name = "SPEC", required = true, num_args = 1..)]
        specs: Vec<PathBuf>,
        /// What to generate.
        #[arg(long, short, value_enum)]
        target: Target,
        /// Where to write: a file (has an extension) or a directory (ends with `/`); may hold
        /// `{dir}` and `{stem}` (see SPEC).
        #[arg(long, short, value_name = "PATH")]
        output: Option<PathBuf>,
        /// CloudFormation's format (the only target with two). Default: from -o FILE's
        /// extension (.json, .yaml, .yml), else yaml. Contradicting the extension, or given for
        /// terraform or cdk, is an error.
        #[arg(long, value_enum)]
        format: Option<Format>,
        /// Write nothing; compare what would be written with the files under -o and exit 1
        /// with a unified diff when they differ, are missing, or are stale (written by an
        /// earlier compile and no longer generated) (for CI and pre-commit).
        #[arg(long, requires = "output")]
        check: bool,
        #[command(flatten)]
        params: ParamArgs,
        /// Write the parameter values (from --env, --set, defaults) into the output as plain
        /// literals. Without it a spec with parameters compiles to the target's own parameters
        /// (CloudFormation `Parameters`, Terraform variables, CDK props), and with -o DIR/ each
        /// environment's values are written next to it (only --env's with --env).
        #[arg(long)]
        bake: bool,
    },
    /// Simulate events offline: which tasks start, and with what overrides, command and
    /// environment.
    ///
    /// EVENT files hold one event, a JSON array of events, or JSON lines; each may be an event as
    /// EventBridge delivers it (`source`, `detail-type`, `detail`) or a PutEvents entry
    /// (`Source`, `DetailType`, `Detail` as a string, `EventBusName`).
    ///
    /// Exit codes: 0 some task starts; 1 the input is valid and no task starts (no match, or
    /// the input transformer would fail); 2 bad input: the spec is invalid or unreadable, an
    /// event is not valid JSON or not an event, there is no event, or --at is wrong.
    #[command(
        after_help = "Examples:\n  tfc simulate spec.yaml --event event.json\n  echo '{\"source\":\"com.acme\",\"detail-type\":\"Run\",\"detail\":{}}' | tfc simulate spec.yaml\n  tfc simulate spec.yaml --at 2026-11-29T03:00:00Z\n  tfc simulate spec.yaml --event events.jsonl --format json | jq '.[] | select(.matched)'"
    )]
    Simulate {
        /// The spec file.
        #[arg(value_name = "SPEC")]
        spec: PathBuf,
        /// The event file; `-` or none reads standard input.
        #[arg(long, value_name = "EVENT")]
        event: Option<PathBuf>,
        /// Evaluate schedules at this minute (e.g. 2026-11-29T03:00:00Z, or with an offset
        /// such as +01:00), in each schedule's own time zone; without --event, simulates the
        /// scheduled event EventBridge emits then.
        #[arg(long, value_name = "TIME")]
        at: Option<String>,
        /// List each scheduled task's next N run times, in UTC and on its zone's clock, instead
        /// of simulating an event.
        #[arg(long, value_name = "N", conflicts_with_all = ["event", "at"])]
        next: Option<usize>,
        /// With --next: list runs from this instant (default: now).
        #[arg(long, value_name = "TIME", requires = "next")]
        from: Option<String>,
        /// How to print the outcome.
        #[arg(long, value_enum, default_value_t = SimulateFormat::Human)]
        format: SimulateFormat,
        #[command(flatten)]
        params: ParamArgs,
    },
    /// Print an event that starts TASK (its pattern satisfied, its override paths filled), as a
    /// PutEvents entry; tfc simulates it before printing.
    ///
    /// Exit codes: 0 the event is printed; 1 the event built from the --set values would not
    /// start TASK (nothing printed; the reason is on stderr); 2 the spec is invalid or
    /// unreadable, TASK is unknown or runs on a schedule, or a --set is malformed.
    #[command(
        after_help = "Examples:\n  tfc event spec.yaml manage --set '$.detail.command=showmigrations myapp'\n  tfc event spec.yaml run --set '$.detail.argv=[\"python\",\"manage.py\",\"migrate\"]' --aws-cli"
    )]
    Event {
        /// The spec file.
        #[arg(value_name = "SPEC")]
        spec: PathBuf,
        /// The task id.
        #[arg(value_name = "TASK")]
        task: String,
        /// Set a value in the event: `$.path=VALUE` (VALUE is JSON if it parses, else a string);
        /// `NAME=VALUE` (no `$`) sets a parameter of the spec.
        #[arg(long = "set", value_name = "PATH=VALUE")]
        sets: Vec<String>,
        /// Take parameter values from this environment of the spec's `environments`.
        #[arg(long, value_name = "NAME")]
        env: Option<String>,
        /// Print an `aws events put-events` command line instead of the JSON entry.
        #[arg(long)]
        aws_cli: bool,
    },
    /// Draw the event flow (trigger → rule → task, with the overrides from the event) as a
    /// Mermaid flowchart or a Graphviz graph.
    ///
    /// Exit codes: 0 printed; 1 the spec is invalid; 2 it cannot be read or the command line is
    /// wrong.
    #[command(
        after_help = "Examples:\n  tfc graph spec.yaml > flow.mmd\n  tfc graph spec.yaml --format dot | dot -Tsvg > flow.svg"
    )]
    Graph {
        /// The spec file.
        #[arg(value_name = "SPEC")]
        spec: PathBuf,
        /// Mermaid (renders in GitHub and GitLab markdown) or DOT.
        #[arg(long, value_enum, default_value_t = GraphFormat::Mermaid)]
        format: GraphFormat,
        #[command(flatten)]
        params: ParamArgs,
    },
    /// Print a shell completion script.
    ///
    /// Exit codes: 0 printed; 2 the command line is wrong.
    #[command(
        after_help = "Examples:\n  tfc completions bash > /etc/bash_completion.d/tfc\n  tfc completions zsh > \"${fpath[1]}/_tfc\"\n  tfc completions fish > ~/.config/fish/completions/tfc.fish"
    )]
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the JSON Schema (draft 2020-12) of the spec, for editors and check-jsonschema.
    ///
    /// Exit codes: 0 printed; 2 the command line is wrong.
    #[command(
        after_help = "Examples:\n  tfc schema > schemas/tfc.schema.json\n  check-jsonschema --schemafile schemas/tfc.schema.json spec.yaml"
    )]
    Schema,
    /// Print the resolved, target-neutral model of a spec as JSON (for debugging), or with
    /// --plan the resource plan every target renders: each resource with its neutral id,
    /// properties, references and dependencies.
    ///
    /// Exit codes: 0 printed; 1 the spec is invalid; 2 it cannot be read or the command line is
    /// wrong.
    #[command(
        after_help = "Examples:\n  tfc model spec.yaml | jq '.tasks[0].input'\n  tfc model --plan spec.yaml | jq '.groups[].resources[] | {id: .id, kind, depends_on}'"
    )]
    Model {
        /// The spec file.
        #[arg(value_name = "SPEC")]
        spec: PathBuf,
        /// Print the resource plan instead of the model.
        #[arg(long)]
        plan: bool,
        #[command(flatten)]
        params: ParamArgs,
    },
}

/// Output format of `tfc graph`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    Mermaid,
    Dot,
}

/// Output format of `tfc simulate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SimulateFormat {
    /// For people.
    Human,
    /// A JSON array with one object per event and task.
    Json,
}

/// Output format of diagnostics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// rustc-style, with the source line and a caret (stderr).
    Human,
    /// A JSON array of files with their diagnostics (stdout).
    Json,
    /// GitHub Actions annotations (stdout).
    Github,
}

/// Runs the parsed command line.
pub fn run(cli: Cli) -> ExitCode {
    let _ = COLOR.set(cli.color.enabled());
    match cli.command {
        Command::Check {
            specs,
            format,
            deny_warnings,
            target,
            params,
        } => match params.values(params.env.is_some() || !params.set.is_empty()) {
            Ok(values) => check(&specs, format, deny_warnings, target, &values),
            Err(code) => code,
        },
        Command::Schema => {
            emit(&crate::spec::schema_text());
            ExitCode::SUCCESS
        }
        Command::Model { spec, plan, params } => match params.values(true) {
            Ok(values) => model(&spec, plan, &values),
            Err(code) => code,
        },
        Command::Compile {
            specs,
            target,
            output,
            format,
            check,
            params,
            bake,
        } => match params.values(true) {
            Ok(values) => compile_many(
                &specs,
                output.as_deref(),
                &CompileOptions {
                    target,
                    format,
                    check,
                    values: &values,
                    bake,
                },
            ),
            Err(code) => code,
        },
        Command::Simulate {
            spec,
            event,
            at,
            next: Some(n),
            from,
            format,
            params,
        } => {
            let _ = (event, at);
            match params.values(true) {
                Ok(values) => next_runs(&spec, n, from.as_deref(), format, &values),
                Err(code) => code,
            }
        }
        Command::Simulate {
            spec,
            event,
            at,
            format,
            params,
            ..
        } => match params.values(true) {
            Ok(values) => simulate(&spec, event.as_deref(), at.as_deref(), format, &values),
            Err(code) => code,
        },
        Command::Event {
            spec,
            task,
            sets,
            env,
            aws_cli,
        } => {
            // `$.path=…` sets the event; `NAME=…` a parameter.
            let (paths, names): (Vec<String>, Vec<String>) =
                sets.into_iter().partition(|s| s.starts_with('$'));
            let params = ParamArgs { env, set: names };
            match params.values(true) {
                Ok(values) => event(&spec, &task, &paths, aws_cli, &values),
                Err(code) => code,
            }
        }
        Command::Graph {
            spec,
            format,
            params,
        } => match params.values(true).and_then(|v| load_valid(&spec, &v)) {
            Ok(spec) => {
                let model = crate::model::lower(&spec);
                emit(&match format {
                    GraphFormat::Mermaid => crate::graph::mermaid(&model),
                    GraphFormat::Dot => crate::graph::dot(&model),
                });
                ExitCode::SUCCESS
            }
            Err(code) => code,
        },
        Command::Completions { shell } => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut cmd, "tfc", &mut script);
            emit(&String::from_utf8_lossy(&script));
            ExitCode::SUCCESS
        }
    }
}

/// Writes to stdout (or the capture); a closed pipe (`tfc … | head`) is not an error worth a
/// panic.
fn emit(text: &str) {
    if !capture(text, false) {
        let _ = std::io::stdout().lock().write_all(text.as_bytes());
    }
}

/// Reads a spec: at most one byte more than a spec may have, so a huge or endless file
/// (`/dev/zero`) costs no more memory than the limit before `load` reports it.
fn read(path: &Path) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let fail = |e: std::io::Error| format!("cannot read {}: {e}", path.display());
    let file = std::fs::File::open(path).map_err(fail)?;
    let mut bytes = Vec::new();
    file.take(crate::spec::load::MAX_SPEC_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(fail)?;
    Ok(bytes)
}

/// Prints reports in the chosen format. The human format ends with a summary line that says
/// `failed` exactly when the command fails on these reports: an error, an unreadable file, or a
/// warning with `deny_warnings`.
pub fn print_reports(
    reports: &[(FileReport, Option<String>)],
    format: ReportFormat,
    deny_warnings: bool,
) {
    match format {
        ReportFormat::Human => {
            let color = color();
            let mut err = String::new();
            let (mut errors, mut warnings, mut unreadable) = (0, 0, 0);
            for (report, source) in reports {
                err.push_str(&render_human_styled(report, source.as_deref(), color));
                errors += report.errors();
                warnings += report.warnings();
                unreadable += usize::from(report.diagnostics.iter().any(|d| d.code == UNREADABLE));
            }
            let failed = errors > 0 || (deny_warnings && warnings > 0);
            let files = reports.len();
            let verdict = if failed {
                crate::diagnostics::paint(color, "\x1b[1;31m", "failed")
            } else {
                crate::diagnostics::paint(color, "\x1b[1;32m", "ok")
            };
            use std::fmt::Write as _;
            let _ = writeln!(
                err,
                "{verdict}: {files} file{} checked{}, {errors} error{}, {warnings} warning{}{}",
                plural(files),
                if unreadable > 0 {
                    format!(" ({unreadable} unreadable)")
                } else {
                    String::new()
                },
                plural(errors),
                plural(warnings),
                if deny_warnings && warnings > 0 {
                    " (warnings denied)"
                } else {
                    ""
                }
            );
            write_err(&err);
        }
        ReportFormat::Json => {
            let all: Vec<&FileReport> = reports.iter().map(|(r, _)| r).collect();
            emit(&(serde_json::to_string_pretty(&all).unwrap_or_default() + "\n"));
        }
        ReportFormat::Github => {
            for (report, _) in reports {
                emit(&render_github(report));
            }
        }
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn check(
    specs: &[PathBuf],
    format: ReportFormat,
    deny_warnings: bool,
    target: Option<Target>,
    values: &crate::spec::params::Values,
) -> ExitCode {
    // Every file on every core (rayon's work-stealing pool); the reports come back in the
    // order of the arguments, so the output is the same as with one thread.
    use rayon::prelude::*;
    let one = |path: &PathBuf| {
        let name = path.display().to_string();
        match read(path) {
            Ok(bytes) => {
                let checked = crate::check_with(&bytes, target.map(|t| (t, Format::Yaml)), values);
                let source = String::from_utf8(bytes).ok();
                (FileReport::new(name, checked.diagnostics), source, false)
            }
            Err(msg) => {
                // Reported like any other problem of that file, in every format, so a
                // missing file can never look like a pass.
                let d = Diagnostic::error(UNREADABLE, "", msg);
                (FileReport::new(name, vec![d]), None, true)
            }
        }
    };
    // One file needs no pool (starting its threads would cost more than the check).
    let checked: Vec<(FileReport, Option<String>, bool)> = if specs.len() > 1 {
        specs.par_iter().map(one).collect()
    } else {
        specs.iter().map(one).collect()
    };
    let io_error = checked.iter().any(|(_, _, e)| *e);
    let reports: Vec<(FileReport, Option<String>)> =
        checked.into_iter().map(|(r, s, _)| (r, s)).collect();
    print_reports(&reports, format, deny_warnings);
    let failed = reports
        .iter()
        .any(|(r, _)| r.errors() > 0 || (deny_warnings && r.warnings() > 0));
    if io_error {
        ExitCode::from(EXIT_USAGE)
    } else if failed {
        ExitCode::from(EXIT_INVALID)
    } else {
        ExitCode::SUCCESS
    }
}

/// Reads and checks a spec for commands that need a valid one. Problems go to stderr: on
/// errors the command stops (exit 1; exit 2 when the file cannot be read), warnings are shown
/// and it goes on.
pub fn load_valid(
    path: &Path,
    values: &crate::spec::params::Values,
) -> Result<crate::spec::Spec, ExitCode> {
    load_valid_for(path, None, values)
}

/// [`load_valid`] for commands whose input the spec is (`simulate`, `event`): an invalid spec
/// is bad input, exit 2, kept apart from exit 1 (valid input, nothing starts).
fn load_valid_input(
    path: &Path,
    values: &crate::spec::params::Values,
) -> Result<crate::spec::Spec, ExitCode> {
    load_valid(path, values).map_err(|_| ExitCode::from(EXIT_USAGE))
}

/// [`load_valid`] for compiling to `target` in `format`: the stack quotas of that output are
/// errors (none for Terraform).
fn load_valid_for(
    path: &Path,
    deploy: Option<(Target, Format)>,
    values: &crate::spec::params::Values,
) -> Result<crate::spec::Spec, ExitCode> {
    let bytes = read(path).map_err(|msg| {
        error(msg);
        ExitCode::from(EXIT_USAGE)
    })?;
    let checked = crate::check_with(&bytes, deploy, values);
    report_checked(path, bytes, checked).map(|(spec, _)| spec)
}

/// Prints what [`crate::check_with`] found in the spec at `path` (read as `bytes`): on errors
/// exit 1, otherwise the spec and the plan the check lowered, if it did (warnings are shown, and
/// the parameter values used).
fn report_checked(
    path: &Path,
    bytes: Vec<u8>,
    checked: crate::Checked,
) -> Result<(crate::spec::Spec, Option<crate::plan::Plan>), ExitCode> {
    let failed = checked.has_errors();
    if !checked.diagnostics.is_empty() {
        let report = FileReport::new(path.display().to_string(), checked.diagnostics);
        print_reports(
            &[(report, String::from_utf8(bytes).ok())],
            ReportFormat::Human,
            false,
        );
    }
    match checked.spec {
        Some(spec) if !failed => {
            if let Some(used) = checked.parameters.filter(|u| !u.is_empty()) {
                write_err(&format!("parameters: {used}\n"));
            }
            Ok((spec, checked.plan))
        }
        _ => Err(ExitCode::from(EXIT_INVALID)),
    }
}

/// Checks a spec compiled with its parameters as references: with `--env`, that environment;
/// otherwise every environment (or the defaults), each with the `--set` values. Reports every
/// problem; `Err` when there is an error.
fn check_native(
    path: &Path,
    bytes: &[u8],
    deploy: Option<(Target, Format)>,
    values: &crate::spec::params::Values,
) -> Result<(), ExitCode> {
    let envs: Vec<Option<String>> = match &values.env {
        Some(e) => vec![Some(e.clone())],
        None => {
            let named: Vec<Option<String>> = crate::spec::load::load(bytes)
                .ok()
                .and_then(|d| {
                    d.value
                        .get("environments")
                        .and_then(|e| e.as_object())
                        .map(|e| e.keys().cloned().map(Some).collect())
                })
                .unwrap_or_default();
            if named.is_empty() || values.set.is_empty() {
                vec![None]
            } else {
                named
            }
        }
    };
    let mut diagnostics: Vec<crate::diagnostics::Diagnostic> = Vec::new();
    for env in envs {
        let chosen = crate::spec::params::Values {
            single: env.is_some() || !values.set.is_empty(),
            env,
            set: values.set.clone(),
        };
        for d in crate::check_with(bytes, deploy, &chosen).diagnostics {
            if !diagnostics.contains(&d) {
                diagnostics.push(d);
            }
        }
    }
    let failed = diagnostics.iter().any(|d| d.is_error());
    if !diagnostics.is_empty() {
        let report = FileReport::new(path.display().to_string(), diagnostics);
        print_reports(
            &[(report, String::from_utf8(bytes.to_vec()).ok())],
            ReportFormat::Human,
            false,
        );
    }
    if failed {
        Err(ExitCode::from(EXIT_INVALID))
    } else {
        Ok(())
    }
}

fn model(path: &Path, plan: bool, values: &crate::spec::params::Values) -> ExitCode {
    // Without --env or --set, a spec with parameters shows them as references: `((name))` in
    // strings, `{ "param": name }` for whole values, and the parameters themselves.
    let bytes = read(path).unwrap_or_default();
    let declares =
        crate::spec::load::load(&bytes).is_ok_and(|d| crate::spec::params::declares(&d.value));
    if declares && values.is_empty() {
        if let Err(code) = check_native(path, &bytes, None, values) {
            return code;
        }
        let shown = crate::symbolic_spec(&bytes).and_then(|(_, spec)| {
            let mut json = if plan {
                serde_json::to_value(crate::native_plan(&bytes, values)?)
            } else {
                serde_json::to_value(crate::model::lower(&spec)).map(|mut m| {
                    if let Some(o) = m.as_object_mut() {
                        o.insert(
                            "parameters".into(),
                            serde_json::to_value(&spec.parameters).unwrap_or_default(),
                        );
                    }
                    m
                })
            }
            .map_err(|e| e.to_string())?;
            crate::spec::params::readable(&mut json);
            Ok(json)
        });
        return match shown {
            Ok(json) => {
                emit(&(serde_json::to_string_pretty(&json).unwrap_or_default() + "\n"));
                ExitCode::SUCCESS
            }
            Err(msg) => {
                error(msg);
                ExitCode::from(EXIT_INVALID)
            }
        };
    }
    match load_valid(path, values) {
        Ok(spec) => {
            let model = crate::model::lower(&spec);
            let json = if plan {
                serde_json::to_string_pretty(&crate::plan::lower(&model))
            } else {
                serde_json::to_string_pretty(&model)
            };
            emit(&(json.unwrap_or_default() + "\n"));
            ExitCode::SUCCESS
        }
        Err(code) => code,
    }
}

fn format_name(format: Format) -> &'static str {
    match format {
        Format::Yaml => "yaml",
        Format::Json => "json",
    }
}

/// The format to render: `--format` if given, else the one -o FILE's extension names, else
/// YAML. Only CloudFormation has several; for the other targets `--format` and an extension
/// naming JSON or YAML are errors (the file would not hold what its name says).
fn output_format(
    target: Target,
    explicit: Option<Format>,
    dest: Destination<'_>,
) -> Result<Format, String> {
    let from_extension = match dest {
        Destination::File(p) => p
            .extension()
            .and_then(|e| e.to_str())
            .and_then(|e| match e.to_ascii_lowercase().as_str() {
                "json" => Some(Format::Json),
                "yaml" | "yml" => Some(Format::Yaml),
                _ => None,
            })
            .map(|f| (f, p)),
        _ => None,
    };
    let native = match target {
        Target::Cloudformation => None,
        Target::Terraform => Some("HCL (.tf)"),
        Target::Cdk => Some("TypeScript (.ts)"),
    };
    if let Some(native) = native {
        if let Some(f) = explicit {
            return Err(format!(
                "--format {}: {} has no {} form, it writes {native}; only cloudformation has a \
                 choice of formats (yaml or json); drop --format",
                format_name(f),
                target.name(),
                format_name(f).to_uppercase()
            ));
        }
        if let Some((f, p)) = from_extension {
            return Err(format!(
                "-o {}: {} writes {native}, not {}; name the file accordingly",
                p.display(),
                target.name(),
                format_name(f).to_uppercase()
            ));
        }
        return Ok(Format::default());
    }
    match (explicit, from_extension) {
        (Some(f), Some((e, p))) if f != e => Err(format!(
            "--format {} contradicts -o {} (a {} file name); drop --format, or name the file .{}",
            format_name(f),
            p.display(),
            format_name(e).to_uppercase(),
            format_name(f)
        )),
        (Some(f), _) => Ok(f),
        (None, Some((e, _))) => Ok(e),
        (None, None) => Ok(Format::default()),
    }
}

/// The output path of one spec: `pattern` with `{dir}` (the spec's directory, `.` for a bare
/// file name) and `{stem}` (its file name without the extension) filled in.
pub fn output_for(pattern: &Path, spec: &Path) -> PathBuf {
    let text = pattern.to_string_lossy();
    let dir = match spec.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_string_lossy().into_owned(),
        _ => ".".to_string(),
    };
    let stem = spec
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    PathBuf::from(text.replace("{dir}", &dir).replace("{stem}", &stem))
}

/// `tfc compile` of one or several specs. One spec with a plain -o is [`compile`] itself.
/// Several specs (or a pattern) are compiled in parallel, each with its output captured and
/// printed whole in the order of the arguments (so the output is the same with one thread);
/// files are written only when every spec compiled, then spec by spec.
/// What `tfc compile` does with each spec, besides where it writes.
struct CompileOptions<'a> {
    target: Target,
    format: Option<Format>,
    check: bool,
    values: &'a crate::spec::params::Values,
    bake: bool,
}

fn compile_many(specs: &[PathBuf], output: Option<&Path>, opts: &CompileOptions<'_>) -> ExitCode {
    let check = opts.check;
    let pattern = output.filter(|o| {
        let t = o.to_string_lossy();
        t.contains("{dir}") || t.contains("{stem}")
    });
    if let ([spec], None) = (specs, pattern) {
        return compile(spec, output, opts, true).0;
    }
    let Some(pattern) = pattern else {
        error("several specs need -o with `{dir}` or `{stem}`, one output per spec (e.g. -o '{dir}/cloudformation/')");
        return ExitCode::from(EXIT_USAGE);
    };
    let outputs: Vec<PathBuf> = specs.iter().map(|s| output_for(pattern, s)).collect();
    for (i, o) in outputs.iter().enumerate() {
        if let Some(j) = outputs[..i].iter().position(|p| p == o) {
            error(format!(
                "{} and {} would both be written to {}: make -o tell them apart ({{dir}}, {{stem}})",
                specs[j].display(),
                specs[i].display(),
                o.display()
            ));
            return ExitCode::from(EXIT_USAGE);
        }
    }
    use rayon::prelude::*;
    let results: Vec<((ExitCode, Option<Plan>), String, String)> = specs
        .par_iter()
        .zip(outputs.par_iter())
        .map(|(spec, out)| captured(|| compile(spec, Some(out.as_path()), opts, false)))
        .collect();
    let mut code = ExitCode::SUCCESS;
    let mut worst = 0u8;
    let mut plans = Vec::new();
    for ((c, plan), err, out) in results {
        emit(&out);
        write_err(&err);
        let n = if c == ExitCode::SUCCESS {
            0
        } else if c == ExitCode::from(EXIT_INVALID) {
            1
        } else {
            2
        };
        if n > worst {
            worst = n;
            code = c;
        }
        plans.extend(plan);
    }
    if worst > 0 {
        if !check && !plans.is_empty() {
            error("nothing written: every spec must compile first");
        }
        return code;
    }
    for plan in plans {
        if let Err(msg) = plan.apply() {
            error(msg);
            return ExitCode::from(EXIT_USAGE);
        }
    }
    ExitCode::SUCCESS
}

/// Compiles one spec. With `apply` the files are written (or compared, with `check`); without,
/// the write plan is returned for the caller to apply once every spec compiled.
fn compile(
    path: &Path,
    output: Option<&Path>,
    opts: &CompileOptions<'_>,
    apply: bool,
) -> (ExitCode, Option<Plan>) {
    let CompileOptions {
        target,
        format,
        check,
        values,
        bake,
    } = *opts;
    let done = |c: ExitCode| (c, None);
    // The command line first: a wrong one is reported before the spec is read.
    if output.is_some_and(|p| p.as_os_str().is_empty()) {
        error("-o needs a path (`-o .` is the current directory)");
        return done(ExitCode::from(EXIT_USAGE));
    }
    let dest = Destination::of(output);
    let format = match output_format(target, format, dest) {
        Ok(f) => f,
        Err(msg) => {
            error(msg);
            return done(ExitCode::from(EXIT_USAGE));
        }
    };
    let bytes = match read(path) {
        Ok(b) => b,
        Err(msg) => {
            error(msg);
            return done(ExitCode::from(EXIT_USAGE));
        }
    };
    let layout = match dest {
        Destination::Directory(_) => Layout::Directory,
        _ => Layout::Single,
    };
    // Checked once: a spec without parameters (or baked) compiles from this result; a spec
    // rendered with its parameters as references is checked per environment below. For a
    // CloudFormation template the check leaves its size to be measured on the one rendered
    // here, before the check's problems are reported.
    let mut checked = crate::check_measuring(
        &bytes,
        Some((target, format)),
        values,
        crate::Measure::ByCaller,
    );
    let mut rendered = None;
    if let (Some(_), Some(plan)) = (&checked.template_size, &checked.plan) {
        let files = target.backend().render(plan, layout, format);
        if let Some(template) = files.as_ref().ok().and_then(|f| {
            f.iter()
                .find(|f| f.path.starts_with("template."))
                .map(|t| t.contents.len())
        }) {
            checked.add_template_size(template);
        }
        rendered = Some(files);
    }
    let plan = if checked.declares && !bake {
        if matches!(dest, Destination::Stdout | Destination::File(_)) && !values.is_empty() {
            error("--env and --set write parameter files next to the output: use -o DIR/, or --bake to write the values into the output");
            return done(ExitCode::from(EXIT_USAGE));
        }
        if let Err(code) = check_native(path, &bytes, Some((target, format)), values) {
            return done(code);
        }
        match crate::native_plan(&bytes, values) {
            Ok(plan) => plan,
            Err(msg) => {
                error(msg);
                return done(ExitCode::from(EXIT_INVALID));
            }
        }
    } else {
        match report_checked(path, bytes, checked) {
            Ok((_, Some(plan))) => plan,
            Ok((spec, None)) => crate::plan::lower(&crate::model::lower(&spec)),
            Err(code) => return done(code),
        }
    };
    let files = match rendered.unwrap_or_else(|| target.backend().render(&plan, layout, format)) {
        Ok(files) => files,
        Err(e) => {
            error(e);
            return done(ExitCode::from(EXIT_USAGE));
        }
    };
    // The plan is not needed to write what it rendered. Compiling one spec, the process ends
    // after writing: the plan is left for the exit to reclaim rather than freed piece by piece
    // (a twentieth of the CPU of a 1,000-task compile; the peak, at the end of rendering, is
    // the same). Compiling many, each plan is freed before its files are written.
    if apply {
        std::mem::forget(plan);
    } else {
        drop(plan);
    }
    if dest == Destination::Stdout {
        let mut out = std::io::stdout().lock();
        for f in &files {
            if let Err(e) = out.write_all(f.contents.as_bytes()) {
                error(format!("cannot write to stdout: {e}"));
                return done(ExitCode::from(EXIT_USAGE));
            }
        }
        return done(ExitCode::SUCCESS);
    }
    let plan = match Plan::new(dest, files) {
        Ok(plan) => plan,
        Err(msg) => {
            error(msg);
            return done(ExitCode::from(EXIT_USAGE));
        }
    };
    for w in &plan.warnings {
        warning(w);
    }
    if check {
        return done(match plan.diff() {
            Ok((_, 0)) => ExitCode::SUCCESS,
            Ok((diff, n)) => {
                emit(&diff);
                let stale = match plan.deletes().len() {
                    0 => String::new(),
                    1 => " (1 stale, no longer generated: compiling deletes it)".into(),
                    k => format!(" ({k} stale, no longer generated: compiling deletes them)"),
                };
                let are = if n == 1 { "file is" } else { "files are" };
                error(format!(
                    "{n} generated {are} out of date with {}{stale}; \
                     run the same `tfc compile` without --check",
                    path.display()
                ));
                ExitCode::from(EXIT_INVALID)
            }
            Err(msg) => {
                error(msg);
                ExitCode::from(EXIT_USAGE)
            }
        });
    }
    if !apply {
        return (ExitCode::SUCCESS, Some(plan));
    }
    done(match plan.apply() {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            error(msg);
            ExitCode::from(EXIT_USAGE)
        }
    })
}

/// The events to simulate, one at a time: from a file, standard input, or the scheduled event
/// of `--at`.
fn event_source(
    source: Option<&Path>,
    at: Option<&str>,
) -> Result<Box<dyn Iterator<Item = Result<serde_json::Value, String>>>, String> {
    use crate::simulate::stream::EventReader;
    match (source, at) {
        (None, Some(at)) => Ok(Box::new(std::iter::once(Ok(
            crate::simulate::scheduled_event(at),
        )))),
        (Some(p), _) if p != Path::new("-") => {
            let file =
                std::fs::File::open(p).map_err(|e| format!("cannot read {}: {e}", p.display()))?;
            Ok(Box::new(EventReader::new(std::io::BufReader::new(file))))
        }
        _ => Ok(Box::new(EventReader::new(std::io::BufReader::new(
            std::io::stdin(),
        )))),
    }
}

/// Writes the outcomes of one event as it is simulated, so nothing accumulates: human text, or
/// the elements of one JSON array.
struct SimulationOutput {
    format: SimulateFormat,
    first: bool,
    out: std::io::BufWriter<std::io::Stdout>,
}

impl SimulationOutput {
    fn event(
        &mut self,
        i: usize,
        event: &serde_json::Value,
        outcomes: Vec<crate::simulate::Outcome>,
    ) {
        match self.format {
            SimulateFormat::Human => {
                let mut human = format!(
                    "event {}: source {} detail-type {}\n",
                    i + 1,
                    event["source"],
                    event["detail-type"]
                );
                for o in &outcomes {
                    human.push_str(&render_outcome(o));
                }
                self.write(&human);
            }
            SimulateFormat::Json => {
                for o in outcomes {
                    let mut v = serde_json::to_value(&o).unwrap_or_default();
                    if let Some(m) = v.as_object_mut() {
                        m.insert("event".into(), serde_json::json!(i));
                    }
                    let pretty = serde_json::to_string_pretty(&v).unwrap_or_default();
                    let indented: Vec<String> = pretty.lines().map(|l| format!("  {l}")).collect();
                    let text = format!(
                        "{}{}",
                        if self.first { "[\n" } else { ",\n" },
                        indented.join("\n")
                    );
                    self.write(&text);
                    self.first = false;
                }
            }
        }
    }

    /// Writes to stdout; a closed pipe (`tfc … | head`) is not an error worth a panic.
    fn write(&mut self, text: &str) {
        let _ = self.out.write_all(text.as_bytes());
    }

    fn finish(&mut self) {
        if self.format == SimulateFormat::Json {
            let end = if self.first { "[]\n" } else { "\n]\n" };
            self.write(end);
        }
        let _ = self.out.flush();
    }
}

/// `tfc simulate SPEC --next N [--from TIME]`.
fn next_runs(
    path: &Path,
    n: usize,
    from: Option<&str>,
    format: SimulateFormat,
    values: &crate::spec::params::Values,
) -> ExitCode {
    let spec = match load_valid_input(path, values) {
        Ok(spec) => spec,
        Err(code) => return code,
    };
    let from = match from {
        None => crate::validate::scheduler::now(),
        Some(s) => match s.parse::<jiff::Timestamp>() {
            Ok(t) => t,
            Err(_) => {
                error(format!("--from: `{s}` is not an instant: write e.g. 2026-11-29T03:00:00Z or 2026-11-29T04:00:00+01:00"));
                return ExitCode::from(EXIT_USAGE);
            }
        },
    };
    if n > 10_000 {
        error("--next: at most 10000 runs");
        return ExitCode::from(EXIT_USAGE);
    }
    let model = crate::model::lower(&spec);
    let list = crate::simulate::next_runs(&model, from, n);
    let text = match format {
        SimulateFormat::Human => crate::simulate::render_next(&list),
        SimulateFormat::Json => serde_json::to_string_pretty(&list).unwrap_or_default() + "\n",
    };
    let mut out = std::io::stdout();
    let _ = out.write_all(text.as_bytes());
    ExitCode::SUCCESS
}

fn simulate(
    path: &Path,
    source: Option<&Path>,
    at: Option<&str>,
    format: SimulateFormat,
    values: &crate::spec::params::Values,
) -> ExitCode {
    let spec = match load_valid_input(path, values) {
        Ok(spec) => spec,
        Err(code) => return code,
    };
    let model = crate::model::lower(&spec);
    // An instant with any offset is converted; otherwise the rule's own UTC parser explains.
    let parse_at = |s: &str| match s.parse::<jiff::Timestamp>() {
        Ok(t) => Ok(crate::validate::scheduler::minute_of(t)),
        Err(_) => crate::validate::schedule::Minute::parse(s),
    };
    let minute = match at.map(parse_at).transpose() {
        Ok(m) => m,
        Err(e) => {
            error(format!("--at: {e}"));
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let events = match event_source(source, at) {
        Ok(events) => events,
        Err(e) => {
            error(e);
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let mut out = SimulationOutput {
        format,
        first: true,
        out: std::io::BufWriter::new(std::io::stdout()),
    };
    let mut started = false;
    let mut count = 0;
    for (i, raw) in events.enumerate() {
        let checked = raw.and_then(|r| {
            let size = crate::simulate::stream::entry_size(&r);
            if size > crate::simulate::stream::MAX_ENTRY_BYTES {
                return Err(format!(
                    "event {} is {size} bytes as PutEvents counts it; EventBridge rejects entries over {} bytes (256 KB)",
                    i + 1,
                    crate::simulate::stream::MAX_ENTRY_BYTES
                ));
            }
            crate::simulate::normalize_event(r).map_err(|e| format!("event {}: {e}", i + 1))
        });
        let (event, bus) = match checked {
            Ok(e) => e,
            Err(e) => {
                out.finish();
                error(e);
                return ExitCode::from(EXIT_USAGE);
            }
        };
        count += 1;
        let outcomes = crate::simulate::simulate(&model, &event, bus.as_deref(), minute);
        started |= outcomes.iter().any(|o| o.started);
        out.event(i, &event, outcomes);
    }
    out.finish();
    if count == 0 {
        error("no event given");
        return ExitCode::from(EXIT_USAGE);
    }
    if started {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_INVALID)
    }
}

fn render_outcome(o: &crate::simulate::Outcome) -> String {
    let mut out = String::new();
    if !o.matched {
        out.push_str(&format!(
            "  - {}: no match: {}\n",
            o.task,
            o.reason.as_deref().unwrap_or("")
        ));
        return out;
    }
    if let Some(rt) = &o.run_task {
        out.push_str(&format!(
            "  + {}: {} {} task{} of {} in {}\n",
            o.task,
            if o.started {
                "starts"
            } else {
                "matches, but RunTask fails for"
            },
            rt.count,
            if rt.count == 1 { "" } else { "s" },
            rt.task_definition,
            rt.cluster
        ));
        out.push_str(&format!(
            "      network: subnets {}, security groups {}, public IP {}\n",
            rt.subnets.join(", "),
            if rt.security_groups.is_empty() {
                "(VPC default)".to_string()
            } else {
                rt.security_groups.join(", ")
            },
            if rt.assign_public_ip { "yes" } else { "no" }
        ));
        if let Some(options) = rt.options() {
            out.push_str(&format!("      run: {options}\n"));
        }
    }
    if let Some(size) = o.size.as_ref().filter(|s| s.overridden) {
        let show = |v: Option<u32>| v.map_or("(the definition's)".to_string(), |n| n.to_string());
        out.push_str(&format!(
            "      size: {} CPU · {} MiB (from the overrides)\n",
            show(size.cpu),
            show(size.memory)
        ));
    }
    if let Some(ov) = &o.overrides {
        out.push_str(&format!(
            "      overrides: {}\n",
            serde_json::to_string(ov).unwrap_or_default()
        ));
    }
    if let Some(ep) = &o.entry_point {
        out.push_str(&format!(
            "      entry point: {}\n",
            serde_json::to_string(ep).unwrap_or_default()
        ));
    }
    match (&o.command, o.command_source) {
        (Some(cmd), source) => out.push_str(&format!(
            "      command: {}{}\n",
            serde_json::to_string(cmd).unwrap_or_default(),
            match source {
                Some("overrides") => " (from the overrides)",
                _ => "",
            }
        )),
        (None, Some("image")) => out
            .push_str("      command: the image's own CMD (the task definition sets no command)\n"),
        (None, Some("existing task definition")) => {
            out.push_str("      command: the existing task definition's\n")
        }
        (None, _) => {}
    }
    for (k, v) in o.environment.iter().flatten() {
        let shown = match v {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        out.push_str(&format!("      env {k}={shown}\n"));
    }
    if o.environment_complete == Some(false) {
        out.push_str(
            "      env: plus the existing task definition's own variables (tfc does not know them)\n",
        );
    }
    for p in &o.problems {
        out.push_str(&format!("      problem: {p}\n"));
    }
    out
}

fn event(
    path: &Path,
    task_id: &str,
    sets: &[String],
    aws_cli: bool,
    values: &crate::spec::params::Values,
) -> ExitCode {
    let spec = match load_valid_input(path, values) {
        Ok(spec) => spec,
        Err(code) => return code,
    };
    let model = crate::model::lower(&spec);
    let Some(task) = model.tasks.iter().find(|t| t.id == task_id) else {
        let ids: Vec<&str> = model.tasks.iter().map(|t| t.id.as_str()).collect();
        error(format!(
            "no task `{task_id}` in {}; tasks: {}",
            path.display(),
            ids.join(", ")
        ));
        return ExitCode::from(EXIT_USAGE);
    };
    let mut parsed = Vec::new();
    for s in sets {
        let Some((p, v)) = s.split_once('=') else {
            error(format!(
                "--set `{s}`: write PATH=VALUE, e.g. '$.detail.command=migrate'"
            ));
            return ExitCode::from(EXIT_USAGE);
        };
        let value =
            serde_json::from_str(v).unwrap_or_else(|_| serde_json::Value::String(v.to_string()));
        parsed.push((p.to_string(), value));
    }
    let event = match crate::simulate::example::example_event(task, &parsed) {
        Ok(e) => e,
        Err(e) => {
            error(e);
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let entry = crate::simulate::example::put_events_entry(task, &event);
    // Check our own output: the entry, as EventBridge would deliver it, must start the task.
    let (delivered, bus) = match crate::simulate::normalize_event(entry.clone()) {
        Ok(d) => d,
        Err(e) => {
            error(e);
            return ExitCode::from(EXIT_INVALID);
        }
    };
    let outcome = crate::simulate::simulate(&model, &delivered, bus.as_deref(), None)
        .into_iter()
        .find(|o| o.task == task.id);
    match outcome {
        Some(o) if o.started => {}
        Some(o) => {
            error(format!(
                "the event tfc built does not start task `{}`:\n{}",
                task.id,
                render_outcome(&o).trim_end()
            ));
            return ExitCode::from(EXIT_INVALID);
        }
        None => return ExitCode::from(EXIT_INVALID),
    }
    if aws_cli {
        emit(&(crate::simulate::example::aws_cli(&entry) + "\n"));
    } else {
        emit(&(serde_json::to_string_pretty(&entry).unwrap_or_default() + "\n"));
    }
    ExitCode::SUCCESS
}
