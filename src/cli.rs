//! The command line: clap definitions (doc comments are the help text) and the command drivers.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::diagnostics::{render_github, render_human, Diagnostic, FileReport};

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
            print!("{}", crate::spec::schema_text());
            ExitCode::SUCCESS
        }
        Command::Model { spec } => model(&spec),
    }
}

fn read(path: &Path) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("error: cannot read {}: {e}", path.display()))
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
            println!("{}", serde_json::to_string_pretty(&all).unwrap_or_default());
        }
        ReportFormat::Github => {
            for (report, _) in reports {
                print!("{}", render_github(report));
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

/// Reads and checks a spec for commands that need a valid one; prints problems on failure.
pub fn load_valid(path: &Path) -> Result<(crate::spec::Spec, Vec<Diagnostic>), ExitCode> {
    let bytes = read(path).map_err(|msg| {
        eprintln!("{msg}");
        ExitCode::from(EXIT_USAGE)
    })?;
    let checked = crate::check(&bytes);
    let source = String::from_utf8(bytes).ok();
    let failed = checked.has_errors();
    match checked.spec {
        Some(spec) if !failed => Ok((spec, checked.diagnostics)),
        _ => {
            let report = FileReport::new(path.display().to_string(), checked.diagnostics);
            print_reports(&[(report, source)], ReportFormat::Human);
            Err(ExitCode::from(EXIT_INVALID))
        }
    }
}

fn model(path: &Path) -> ExitCode {
    match load_valid(path) {
        Ok((spec, _)) => {
            let model = crate::model::lower(&spec);
            println!(
                "{}",
                serde_json::to_string_pretty(&model).unwrap_or_default()
            );
            ExitCode::SUCCESS
        }
        Err(code) => code,
    }
}
