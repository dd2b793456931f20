//! The command line: clap definitions (doc comments are the help text) and the command drivers.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::diagnostics::{render_github, render_human, Diagnostic, FileReport};
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
            emit(
                &(serde_json::to_string_pretty(&model).unwrap_or_default()
                    + "
"),
            );
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
    let spec = match load_valid(path) {
        Ok((spec, warnings)) => {
            if !warnings.is_empty() {
                let report = FileReport::new(path.display().to_string(), warnings);
                print_reports(
                    &[(report, std::fs::read_to_string(path).ok())],
                    ReportFormat::Human,
                );
            }
            spec
        }
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
        let on_disk = match std::fs::read_to_string(&path) {
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
