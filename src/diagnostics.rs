//! One diagnostic type for every stage, rendered rustc-style for people, as JSON for machines
//! and as GitHub Actions annotations for CI.

use std::fmt::Write as _;

use serde::Serialize;

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Fails `tfc check` only with `--deny-warnings`.
    Warning,
    /// Always fails.
    Error,
}

/// A 1-based line and column (columns count characters, not bytes).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Pos {
    pub line: usize,
    pub col: usize,
}

/// Which part of a field a diagnostic points at when it has no position yet.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Anchor {
    /// The key for mappings and lists (the field), the value for scalars.
    #[default]
    Auto,
    /// The key (e.g. an unknown operator name).
    Key,
}

/// A problem found in a spec, with where it is and what would be valid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// A stable, kebab-case name of the rule, e.g. `fargate-size`.
    pub code: &'static str,
    pub message: String,
    /// The field, as a JSON pointer into the spec (`/tasks/manage/cpu`); empty for the document.
    pub pointer: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pos: Option<Pos>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    #[serde(skip)]
    pub anchor: Anchor,
    /// Where in its scalar value the problem starts, in characters (the cron field at fault),
    /// so the caret can point at it; `None`: the start of the value.
    #[serde(skip)]
    pub offset: Option<usize>,
}

impl Diagnostic {
    pub fn error(
        code: &'static str,
        pointer: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            severity: Severity::Error,
            code,
            message: message.into(),
            pointer: pointer.into(),
            pos: None,
            help: None,
            anchor: Anchor::Auto,
            offset: None,
        }
    }

    pub fn warning(
        code: &'static str,
        pointer: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, pointer, message)
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Points the diagnostic at the key of its field.
    pub fn on_key(mut self) -> Self {
        self.anchor = Anchor::Key;
        self
    }

    /// Points the diagnostic `offset` characters into its scalar value.
    pub fn at_offset(mut self, offset: Option<usize>) -> Self {
        self.offset = offset;
        self
    }

    pub fn at(mut self, pos: Option<Pos>) -> Self {
        self.pos = pos;
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Diagnostics of one file, in source order.
#[derive(Debug, Clone, Serialize)]
pub struct FileReport {
    pub file: String,
    pub diagnostics: Vec<Diagnostic>,
}

impl FileReport {
    pub fn new(file: impl Into<String>, mut diagnostics: Vec<Diagnostic>) -> Self {
        diagnostics.sort_by(|a, b| {
            (a.pos.is_none(), a.pos, &a.pointer).cmp(&(b.pos.is_none(), b.pos, &b.pointer))
        });
        diagnostics.dedup();
        FileReport {
            file: file.into(),
            diagnostics,
        }
    }

    pub fn errors(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }

    pub fn warnings(&self) -> usize {
        self.diagnostics.len() - self.errors()
    }
}

/// Renders diagnostics the way rustc does: message, `--> file:line:col`, the source line, a caret.
/// Plain text; [`render_human_styled`] adds colour.
pub fn render_human(report: &FileReport, source: Option<&str>) -> String {
    render_human_styled(report, source, false)
}

/// ANSI SGR sequences of the human rendering, as rustc colours its diagnostics.
mod ansi {
    pub const RESET: &str = "\x1b[0m";
    pub const BOLD: &str = "\x1b[1m";
    pub const ERROR: &str = "\x1b[1;31m";
    pub const WARNING: &str = "\x1b[1;33m";
    pub const GUTTER: &str = "\x1b[1;34m";
    pub const HELP: &str = "\x1b[1;36m";
}

/// `text` between `style` and a reset when `color`, else `text` itself.
pub fn paint(color: bool, style: &str, text: &str) -> String {
    if color {
        format!("{style}{text}{}", ansi::RESET)
    } else {
        text.to_string()
    }
}

/// The severity label (`error`, `warning`), bold red or bold yellow when `color`.
pub fn severity_label(severity: Severity, color: bool) -> String {
    match severity {
        Severity::Error => paint(color, ansi::ERROR, "error"),
        Severity::Warning => paint(color, ansi::WARNING, "warning"),
    }
}

/// [`render_human`], with ANSI colours when `color` (for a terminal): the severity label and
/// the caret in bold red (error) or yellow (warning), the message bold, the `-->` arrow and the
/// gutter bold blue, `help` bold cyan. The text is the same as without colour.
pub fn render_human_styled(report: &FileReport, source: Option<&str>, color: bool) -> String {
    let mut out = String::new();
    let gutter_paint = |s: &str| paint(color, ansi::GUTTER, s);
    for d in &report.diagnostics {
        let (label, style) = match d.severity {
            Severity::Error => ("error", ansi::ERROR),
            Severity::Warning => ("warning", ansi::WARNING),
        };
        let _ = writeln!(
            out,
            "{}{}",
            paint(color, style, &format!("{label}[{}]", d.code)),
            paint(color, ansi::BOLD, &format!(": {}", d.message))
        );
        match d.pos {
            Some(pos) => {
                let _ = writeln!(
                    out,
                    "  {} {}:{}:{}",
                    gutter_paint("-->"),
                    report.file,
                    pos.line,
                    pos.col
                );
                if let Some(line) = source.and_then(|s| s.lines().nth(pos.line.saturating_sub(1))) {
                    let gutter = pos.line.to_string();
                    let pad = " ".repeat(gutter.len());
                    let shown: String = line.chars().take(200).collect();
                    let caret_pad: String = shown
                        .chars()
                        .take(pos.col.saturating_sub(1))
                        .map(|c| if c == '\t' { '\t' } else { ' ' })
                        .collect();
                    let bar = gutter_paint(&format!("{pad} |"));
                    let _ = writeln!(out, "{bar}");
                    let _ = writeln!(out, "{} {shown}", gutter_paint(&format!("{gutter} |")));
                    let _ = writeln!(out, "{bar} {caret_pad}{}", paint(color, style, "^"));
                }
            }
            None => {
                let _ = writeln!(out, "  {} {}", gutter_paint("-->"), report.file);
            }
        }
        if let Some(help) = &d.help {
            let _ = writeln!(
                out,
                "  {} {}: {help}",
                gutter_paint("="),
                paint(color, ansi::HELP, "help")
            );
        }
        out.push('\n');
    }
    out
}

/// Renders GitHub Actions workflow commands (`::error file=…,line=…,col=…::message`).
pub fn render_github(report: &FileReport) -> String {
    let mut out = String::new();
    for d in &report.diagnostics {
        let level = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut props = format!("file={}", escape_property(&report.file));
        if let Some(pos) = d.pos {
            let _ = write!(props, ",line={},col={}", pos.line, pos.col);
        }
        let _ = write!(props, ",title=tfc {}", d.code);
        let mut msg = d.message.clone();
        if let Some(help) = &d.help {
            let _ = write!(msg, "\nhelp: {help}");
        }
        let _ = writeln!(out, "::{level} {props}::{}", escape_data(&msg));
    }
    out
}

fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    #[test]
    fn human_rendering_points_at_the_column() {
        let d = Diagnostic::error("fargate-size", "/tasks/a/memory", "bad memory")
            .at(Some(Pos { line: 2, col: 11 }))
            .with_help("use 1024");
        let report = FileReport::new("spec.yaml", vec![d]);
        let out = render_human(&report, Some("a: 1\n  memory: 3\n"));
        assert_eq!(
            out,
            "error[fargate-size]: bad memory\n  --> spec.yaml:2:11\n  |\n2 |   memory: 3\n  |           ^\n  = help: use 1024\n\n"
        );
    }

    #[test]
    fn coloured_rendering_has_the_same_text() {
        let d = Diagnostic::warning("shell-injection", "/tasks/a/command", "shell")
            .at(Some(Pos { line: 2, col: 11 }))
            .with_help("use a list");
        let report = FileReport::new("spec.yaml", vec![d]);
        let source = Some("a: 1\n  memory: 3\n");
        let styled = render_human_styled(&report, source, true);
        assert!(
            styled.contains("\x1b[1;33mwarning[shell-injection]\x1b[0m"),
            "{styled}"
        );
        assert!(styled.contains("\x1b[1;34m-->\x1b[0m"), "{styled}");
        assert!(styled.contains("\x1b[1;33m^\x1b[0m"), "{styled}");
        assert!(styled.contains("\x1b[1;36mhelp\x1b[0m"), "{styled}");
        let stripped = regex::Regex::new("\x1b\\[[0-9;]*m")
            .unwrap()
            .replace_all(&styled, "");
        assert_eq!(stripped, render_human(&report, source));
        assert!(!render_human(&report, source).contains('\x1b'));
    }

    #[test]
    fn github_rendering_escapes_newlines_and_commas() {
        let d = Diagnostic::warning("x", "", "a\nb").at(Some(Pos { line: 1, col: 2 }));
        let report = FileReport::new("a,b.yaml", vec![d]);
        assert_eq!(
            render_github(&report),
            "::warning file=a%2Cb.yaml,line=1,col=2,title=tfc x::a%0Ab\n"
        );
    }
}
