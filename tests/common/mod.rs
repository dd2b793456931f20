//! Helpers shared by the integration tests: the binary, the examples, the pinned validators.
#![allow(dead_code)]

pub mod hostile;

use std::path::{Path, PathBuf};
use std::process::Command;

/// The `tfc` binary under test.
pub fn tfc() -> Command {
    Command::new(env!("CARGO_BIN_EXE_tfc"))
}

pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Every example folder's spec, sorted: those that compile as they are (no parameters; see
/// [`parameterised_examples`]).
pub fn example_specs() -> Vec<PathBuf> {
    all_example_specs()
        .into_iter()
        .filter(|p| environments(p).is_none())
        .collect()
}

/// Every example folder's spec, sorted, with parameters or without.
pub fn all_example_specs() -> Vec<PathBuf> {
    let mut specs: Vec<PathBuf> = std::fs::read_dir(root().join("examples"))
        .expect("examples/")
        .filter_map(|e| e.ok())
        .map(|e| e.path().join("spec.yaml"))
        .filter(|p| p.exists())
        .collect();
    specs.sort();
    specs
}

/// The environments of a spec that declares parameters (`None` without parameters).
pub fn environments(spec: &Path) -> Option<Vec<String>> {
    let value: serde_json::Value =
        serde_norway::from_str(&std::fs::read_to_string(spec).ok()?).ok()?;
    value.get("parameters")?;
    Some(
        value
            .get("environments")
            .and_then(|e| e.as_object())
            .map(|e| e.keys().cloned().collect())
            .unwrap_or_default(),
    )
}

/// The examples with parameters, each with its environments: `(spec, environment)`.
pub fn parameterised_examples() -> Vec<(PathBuf, String)> {
    all_example_specs()
        .into_iter()
        .flat_map(|p| {
            environments(&p)
                .unwrap_or_default()
                .into_iter()
                .map(move |e| (p.clone(), e))
        })
        .collect()
}

/// An example's name: the folder holding its `spec.yaml`.
pub fn example_name(spec: &Path) -> String {
    spec.parent()
        .and_then(Path::file_name)
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The folder `scripts/test` installs the pinned validators into. Tests that need them are
/// `#[ignore]`d under plain `cargo test` and run by `scripts/test`; when they run, a missing
/// validator is a failure, never a skip.
pub fn tools() -> PathBuf {
    std::env::var_os("TFC_TOOLS")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join(".tools"))
}

/// A Python validator's executable from .tools/venv, or a failing test that says how to get it.
pub fn python_tool(name: &str) -> PathBuf {
    let p = tools().join("venv/bin").join(name);
    assert!(
        p.exists(),
        "{} is missing: run scripts/test, which installs the pinned validators",
        p.display()
    );
    p
}

/// A Node validator's directory (`.tools/node`) for `node` scripts to resolve packages from.
pub fn node_modules() -> PathBuf {
    let p = tools().join("node/node_modules");
    assert!(
        p.exists(),
        "{} is missing: run scripts/test, which installs the pinned validators",
        p.display()
    );
    p
}

/// A fresh, empty folder for one test: unique per process and call, so parallel tests never
/// share one.
pub fn scratch(name: &str) -> PathBuf {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let dir = std::env::temp_dir().join(format!("tfc-test-{name}-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a scratch folder");
    dir
}

/// Says on the terminal that a long step starts, so a run never looks hung: written to the
/// process's stderr directly, which the test harness does not capture (`eprintln!` would be).
pub fn progress(step: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "tfc tests: {step} …");
}

/// Runs a command to completion: (exit code, stdout, stderr), both lossily decoded.
pub fn run(cmd: &mut Command) -> (Option<i32>, String, String) {
    let out = cmd.output().expect("the command runs");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Every file under `dir` (hidden ones too), as sorted `/`-separated relative paths.
pub fn tree(dir: &Path) -> Vec<String> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = entry.path();
            if p.is_dir() && !p.is_symlink() {
                stack.push(p);
            } else if let Ok(rel) = p.strip_prefix(dir) {
                files.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    files.sort();
    files
}

/// The seed spec, `examples/django-manage/spec.yaml`.
pub fn seed() -> PathBuf {
    root().join("examples/django-manage/spec.yaml")
}

/// Whether `text` holds an ANSI escape sequence.
pub fn has_ansi(text: &str) -> bool {
    text.contains('\u{1b}')
}

/// `tfc compile SPEC -t TARGET -o DIR` into a fresh scratch folder named after `name`, which
/// must succeed; returns the folder.
pub fn compile_to_dir(spec: &Path, target: &str, name: &str) -> PathBuf {
    let dir = scratch(name);
    let out = tfc()
        .arg("compile")
        .arg(spec)
        .args(["-t", target, "-o"])
        .arg(&dir)
        .output()
        .expect("tfc runs");
    assert!(
        out.status.success(),
        "{}: {}",
        spec.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    dir
}

/// The single document `target` renders for spec text that must be valid, in-process.
pub fn render(spec: &[u8], target: tfc::targets::Target) -> String {
    use tfc::targets::{Format, Layout};
    let checked = tfc::check(spec);
    assert!(!checked.has_errors(), "{:?}", checked.diagnostics);
    let model = tfc::model::lower(&checked.spec.expect("a valid spec"));
    target
        .backend()
        .render(&tfc::plan::lower(&model), Layout::Single, Format::Yaml)
        .expect("renders")
        .into_iter()
        .map(|f| f.contents)
        .collect()
}

/// The golden folders of the examples with parameters, one per environment
/// (`examples/NAME/ENV/`), each holding a folder per target like a plain example's.
pub fn baked_golden_dirs() -> Vec<PathBuf> {
    parameterised_examples()
        .into_iter()
        .map(|(spec, env)| spec.parent().unwrap().join(env))
        .collect()
}

/// `spec` with environment `env`'s parameter values written in, as a plain spec (no
/// `parameters`, no `environments`): what `tfc compile --bake --env ENV` must compile exactly
/// like.
pub fn baked_spec(spec: &Path, env: &str) -> String {
    let doc = tfc::spec::load::load(&std::fs::read(spec).unwrap()).expect("loads");
    let values = tfc::spec::params::Values {
        env: Some(env.into()),
        set: Vec::new(),
        single: true,
    };
    let (contexts, problems) = tfc::spec::params::contexts(&doc, &values);
    assert!(
        problems.iter().all(|d| !d.is_error()),
        "{}: {problems:?}",
        spec.display()
    );
    let (mut baked, _) = tfc::spec::params::bake(&doc.value, &contexts[0]);
    let obj = baked.as_object_mut().unwrap();
    obj.remove("parameters");
    obj.remove("environments");
    serde_norway::to_string(&baked).unwrap()
}

/// The golden folders of the examples with parameters compiled natively (`examples/NAME/native/`,
/// a folder per target holding its parameters and every environment's values).
pub fn native_golden_dirs() -> Vec<(PathBuf, PathBuf)> {
    all_example_specs()
        .into_iter()
        .filter(|s| environments(s).is_some())
        .map(|s| {
            let dir = s.parent().unwrap().join("native");
            (s, dir)
        })
        .collect()
}

/// Copies the files under `from` into `to` (which exists).
pub fn copy_tree(from: &Path, to: &Path) {
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(e.file_name());
        if e.path().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_tree(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}
