//! The command line: clap definitions (doc comments are the help text) and the command drivers.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::diagnostics::{render_github, render_human, FileReport};
use crate::targets::{Format, Layout, OutputFile, Target};

/// Exit code: the spec is invalid (or output is stale).
pub const EXIT_INVALID: u8 = 1;
/// Exit code: bad usage or an I/O error.
pub const EXIT_USAGE: u8 = 2;

/// Compile one YAML spec of EventBridge-triggered ECS Fargate tasks to CloudFormation,
/// Terraform or CDK.
#[derive(Debug, Parser)]
#[command(name = "tfc", version, about, long_about = None)]
#[command(
    after_help = "Examples:\n  tfc check examples/*/spec.yaml\n  tfc schema > schemas/tfc.schema.json\n  tfc model examples/django-manage/spec.yaml"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check specs and report every problem with file:line:col.
    ///
    /// Exit codes: 0 every spec is valid, 1 a spec is invalid (or has warnings with
    /// --deny-warnings), 2 a file could not be read or the command line is wrong.
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
    },
    /// Compile a spec to CloudFormation, Terraform or CDK.
    ///
    /// Without -o the output goes to stdout. With -o FILE (a name with an extension) the single
    /// document is written there; with -o DIR the target's files are written inside DIR. Nothing
    /// is written when the spec has errors (exit 1, the same diagnostics as `tfc check`).
    #[command(
        after_help = "Examples:\n  tfc compile spec.yaml --target cloudformation > template.yaml\n  tfc compile spec.yaml --target cfn --format json -o template.json\n  tfc compile spec.yaml --target cloudformation -o deploy/"
    )]
    Compile {
        /// The spec file.
        #[arg(value_name = "SPEC")]
        spec: PathBuf,
        /// What to generate.
        #[arg(long, short, value_enum)]
        target: Target,
        /// Where to write: a file (has an extension) or a directory.
        #[arg(long, short, value_name = "PATH")]
        output: Option<PathBuf>,
        /// Output format, for targets that have more than one.
        #[arg(long, value_enum, default_value_t = Format::Yaml)]
        format: Format,
        /// Write nothing; compare what would be written with the files under -o and exit 1
        /// with a unified diff when they differ or are missing (for CI and pre-commit).
        #[arg(long, requires = "output")]
        check: bool,
    },
    /// Simulate events offline: which tasks start, and with what overrides, command and
    /// environment.
    ///
    /// EVENT files hold one event, a JSON array of events, or JSON lines; each may be an event as
    /// EventBridge delivers it (`source`, `detail-type`, `detail`) or a PutEvents entry
    /// (`Source`, `DetailType`, `Detail` as a string, `EventBusName`). Exit codes: 0 some task
    /// starts, 1 none does (no match, or the input transformer would fail), 2 bad input.
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
        /// Evaluate schedules at this UTC minute (e.g. 2026-11-29T03:00:00Z); without --event,
        /// simulates the scheduled event EventBridge emits then.
        #[arg(long, value_name = "TIME")]
        at: Option<String>,
        /// How to print the outcome.
        #[arg(long, value_enum, default_value_t = SimulateFormat::Human)]
        format: SimulateFormat,
    },
    /// Print an event that starts TASK (its pattern satisfied, its override paths filled), as a
    /// PutEvents entry; tfc simulates it before printing.
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
        /// Set a value in the event: `$.path=VALUE` (VALUE is JSON if it parses, else a string).
        #[arg(long = "set", value_name = "PATH=VALUE")]
        sets: Vec<String>,
        /// Print an `aws events put-events` command line instead of the JSON entry.
        #[arg(long)]
        aws_cli: bool,
    },
    /// Draw the event flow (trigger → rule → task, with the overrides from the event) as a
    /// Mermaid flowchart or a Graphviz graph.
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
    },
    /// Print a shell completion script.
    #[command(
        after_help = "Examples:\n  tfc completions bash > /etc/bash_completion.d/tfc\n  tfc completions zsh > \"${fpath[1]}/_tfc\"\n  tfc completions fish > ~/.config/fish/completions/tfc.fish"
    )]
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the JSON Schema (draft 2020-12) of the spec, for editors and check-jsonschema.
    #[command(
        after_help = "Examples:\n  tfc schema > schemas/tfc.schema.json\n  check-jsonschema --schemafile schemas/tfc.schema.json spec.yaml"
    )]
    Schema,
    /// Print the resolved, target-neutral model of a spec as JSON (for debugging).
    #[command(after_help = "Examples:\n  tfc model spec.yaml | jq '.tasks[0].input'")]
    Model {
        /// The spec file.
        #[arg(value_name = "SPEC")]
        spec: PathBuf,
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
    match cli.command {
        Command::Check {
            specs,
            format,
            deny_warnings,
        } => check(&specs, format, deny_warnings),
        Command::Schema => {
            emit(&crate::spec::schema_text());
            ExitCode::SUCCESS
        }
        Command::Model { spec } => model(&spec),
        Command::Compile {
            spec,
            target,
            output,
            format,
            check,
        } => compile(&spec, target, output.as_deref(), format, check),
        Command::Simulate {
            spec,
            event,
            at,
            format,
        } => simulate(&spec, event.as_deref(), at.as_deref(), format),
        Command::Event {
            spec,
            task,
            sets,
            aws_cli,
        } => event(&spec, &task, &sets, aws_cli),
        Command::Graph { spec, format } => match load_valid(&spec) {
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

/// Writes to stdout; a closed pipe (`tfc … | head`) is not an error worth a panic.
fn emit(text: &str) {
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}

/// Reads a spec: at most one byte more than a spec may have, so a huge or endless file
/// (`/dev/zero`) costs no more memory than the limit before `load` reports it.
fn read(path: &Path) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let fail = |e: std::io::Error| format!("error: cannot read {}: {e}", path.display());
    let file = std::fs::File::open(path).map_err(fail)?;
    let mut bytes = Vec::new();
    file.take(crate::spec::load::MAX_SPEC_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(fail)?;
    Ok(bytes)
}

/// Prints reports in the chosen format.
pub fn print_reports(reports: &[(FileReport, Option<String>)], format: ReportFormat) {
    match format {
        ReportFormat::Human => {
            let mut err = std::io::stderr().lock();
            let (mut errors, mut warnings) = (0, 0);
            for (report, source) in reports {
                let _ = err.write_all(render_human(report, source.as_deref()).as_bytes());
                errors += report.errors();
                warnings += report.warnings();
            }
            let files = reports.len();
            let _ = writeln!(
                err,
                "{}: {files} file{} checked, {errors} error{}, {warnings} warning{}",
                if errors > 0 { "failed" } else { "ok" },
                plural(files),
                plural(errors),
                plural(warnings)
            );
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

fn check(specs: &[PathBuf], format: ReportFormat, deny_warnings: bool) -> ExitCode {
    let mut reports = Vec::new();
    let mut io_error = false;
    for path in specs {
        let name = path.display().to_string();
        match read(path) {
            Ok(bytes) => {
                let checked = crate::check(&bytes);
                let source = String::from_utf8(bytes).ok();
                reports.push((FileReport::new(name, checked.diagnostics), source));
            }
            Err(msg) => {
                eprintln!("{msg}");
                io_error = true;
            }
        }
    }
    print_reports(&reports, format);
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
/// errors the command stops (exit 1), warnings are shown and it goes on.
pub fn load_valid(path: &Path) -> Result<crate::spec::Spec, ExitCode> {
    load_valid_for(path, None)
}

/// [`load_valid`] for compiling to `target`: CloudFormation's stack quotas (warnings for
/// `check`) are errors when the output is a CloudFormation template or a CDK app.
fn load_valid_for(path: &Path, target: Option<Target>) -> Result<crate::spec::Spec, ExitCode> {
    let bytes = read(path).map_err(|msg| {
        eprintln!("{msg}");
        ExitCode::from(EXIT_USAGE)
    })?;
    let mut checked = crate::check(&bytes);
    if matches!(target, Some(Target::Cloudformation | Target::Cdk)) {
        for d in &mut checked.diagnostics {
            if d.code == "stack-quota" {
                d.severity = crate::diagnostics::Severity::Error;
            }
        }
    }
    match target {
        // CDK uploads every template to S3: the inline size does not apply.
        Some(Target::Cdk) => checked.diagnostics.retain(|d| d.code != "template-size"),
        // Terraform has no stacks.
        Some(Target::Terraform) => checked
            .diagnostics
            .retain(|d| d.code != "template-size" && d.code != "stack-quota"),
        _ => {}
    }
    let failed = checked.has_errors();
    if !checked.diagnostics.is_empty() {
        let report = FileReport::new(path.display().to_string(), checked.diagnostics);
        print_reports(
            &[(report, String::from_utf8(bytes).ok())],
            ReportFormat::Human,
        );
    }
    match checked.spec {
        Some(spec) if !failed => Ok(spec),
        _ => Err(ExitCode::from(EXIT_INVALID)),
    }
}

fn model(path: &Path) -> ExitCode {
    match load_valid(path) {
        Ok(spec) => {
            let model = crate::model::lower(&spec);
            emit(&(serde_json::to_string_pretty(&model).unwrap_or_default() + "\n"));
            ExitCode::SUCCESS
        }
        Err(code) => code,
    }
}

/// Where compiled output goes.
enum Destination<'a> {
    Stdout,
    File(&'a Path),
    Directory(&'a Path),
}

fn destination(output: Option<&Path>) -> Destination<'_> {
    match output {
        None => Destination::Stdout,
        Some(p) if p.is_dir() => Destination::Directory(p),
        Some(p) if p.extension().is_some() => Destination::File(p),
        Some(p) => Destination::Directory(p),
    }
}

fn compile(
    path: &Path,
    target: Target,
    output: Option<&Path>,
    format: Format,
    check: bool,
) -> ExitCode {
    let spec = match load_valid_for(path, Some(target)) {
        Ok(spec) => spec,
        Err(code) => return code,
    };
    let model = crate::model::lower(&spec);
    let dest = destination(output);
    let layout = match dest {
        Destination::Directory(_) => Layout::Directory,
        _ => Layout::Single,
    };
    let files = match target.backend().render(&model, layout, format) {
        Ok(files) => files,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    if check {
        return match stale_files(&dest, &files) {
            Ok(diff) if diff.is_empty() => ExitCode::SUCCESS,
            Ok(diff) => {
                emit(&diff);
                eprintln!("error: the generated files are out of date with {}; run the same `tfc compile` without --check", path.display());
                ExitCode::from(EXIT_INVALID)
            }
            Err(msg) => {
                eprintln!("error: {msg}");
                ExitCode::from(EXIT_USAGE)
            }
        };
    }
    match write_output(&dest, &files) {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            eprintln!("error: {msg}");
            ExitCode::from(EXIT_USAGE)
        }
    }
}

/// The paths `files` would be written to.
fn destinations(dest: &Destination<'_>, files: &[OutputFile]) -> Result<Vec<PathBuf>, String> {
    match dest {
        Destination::Stdout => Err("--check needs -o".into()),
        Destination::File(path) => match files {
            [_] => Ok(vec![path.to_path_buf()]),
            _ => Err(format!(
                "this target writes {} files; give -o a directory",
                files.len()
            )),
        },
        Destination::Directory(dir) => Ok(files.iter().map(|f| dir.join(&f.path)).collect()),
    }
}

/// A unified diff of every generated file against what is on disk (missing files diff
/// against nothing); empty when all are up to date. Writes nothing.
fn stale_files(dest: &Destination<'_>, files: &[OutputFile]) -> Result<String, String> {
    let mut out = String::new();
    for (file, path) in files.iter().zip(destinations(dest, files)?) {
        // A checkout with CRLF line endings (git's core.autocrlf on Windows) holds the same
        // output: compare ignoring the line-ending convention.
        let on_disk = match std::fs::read_to_string(&path) {
            Ok(s) if s.contains("\r\n") => Some(s.replace("\r\n", "\n")),
            Ok(s) => Some(s),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
        };
        if on_disk.as_deref() == Some(file.contents.as_str()) {
            continue;
        }
        let shown = path.display().to_string();
        let old_name = if on_disk.is_some() {
            shown.clone()
        } else {
            "/dev/null".into()
        };
        let diff =
            similar::TextDiff::from_lines(on_disk.as_deref().unwrap_or(""), file.contents.as_str())
                .unified_diff()
                .header(&old_name, &shown)
                .to_string();
        out.push_str(&diff);
    }
    Ok(out)
}

fn write_output(dest: &Destination<'_>, files: &[OutputFile]) -> Result<(), String> {
    match dest {
        Destination::Stdout => {
            let mut out = std::io::stdout().lock();
            for f in files {
                out.write_all(f.contents.as_bytes())
                    .map_err(|e| format!("cannot write to stdout: {e}"))?;
            }
            Ok(())
        }
        Destination::File(path) => match files {
            [one] => std::fs::write(path, &one.contents)
                .map_err(|e| format!("cannot write {}: {e}", path.display())),
            _ => Err(format!(
                "this target writes {} files; give -o a directory",
                files.len()
            )),
        },
        Destination::Directory(dir) => {
            for f in files {
                let path = dir.join(&f.path);
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent)
                        .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
                }
                std::fs::write(&path, &f.contents)
                    .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            }
            Ok(())
        }
    }
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

fn simulate(
    path: &Path,
    source: Option<&Path>,
    at: Option<&str>,
    format: SimulateFormat,
) -> ExitCode {
    let spec = match load_valid(path) {
        Ok(spec) => spec,
        Err(code) => return code,
    };
    let model = crate::model::lower(&spec);
    let minute = match at.map(crate::validate::schedule::Minute::parse).transpose() {
        Ok(m) => m,
        Err(e) => {
            eprintln!("error: --at: {e}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let events = match event_source(source, at) {
        Ok(events) => events,
        Err(e) => {
            eprintln!("error: {e}");
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
                eprintln!("error: {e}");
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
        eprintln!("error: no event given");
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

fn event(path: &Path, task_id: &str, sets: &[String], aws_cli: bool) -> ExitCode {
    let spec = match load_valid(path) {
        Ok(spec) => spec,
        Err(code) => return code,
    };
    let model = crate::model::lower(&spec);
    let Some(task) = model.tasks.iter().find(|t| t.id == task_id) else {
        let ids: Vec<&str> = model.tasks.iter().map(|t| t.id.as_str()).collect();
        eprintln!(
            "error: no task `{task_id}` in {}; tasks: {}",
            path.display(),
            ids.join(", ")
        );
        return ExitCode::from(EXIT_USAGE);
    };
    let mut parsed = Vec::new();
    for s in sets {
        let Some((p, v)) = s.split_once('=') else {
            eprintln!("error: --set `{s}`: write PATH=VALUE, e.g. '$.detail.command=migrate'");
            return ExitCode::from(EXIT_USAGE);
        };
        let value =
            serde_json::from_str(v).unwrap_or_else(|_| serde_json::Value::String(v.to_string()));
        parsed.push((p.to_string(), value));
    }
    let event = match crate::simulate::example::example_event(task, &parsed) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let entry = crate::simulate::example::put_events_entry(task, &event);
    // Check our own output: the entry, as EventBridge would deliver it, must start the task.
    let (delivered, bus) = match crate::simulate::normalize_event(entry.clone()) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(EXIT_INVALID);
        }
    };
    let outcome = crate::simulate::simulate(&model, &delivered, bus.as_deref(), None)
        .into_iter()
        .find(|o| o.task == task.id);
    match outcome {
        Some(o) if o.started => {}
        Some(o) => {
            eprint!(
                "error: the event tfc built does not start task `{}`:\n{}",
                task.id,
                render_outcome(&o)
            );
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
