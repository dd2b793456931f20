//! Golden files: every example compiled to every target (and format) equals the output checked
//! in under `examples/<name>/<target>/`: the directory output (`-o DIR/`, with its `.tfc-files`
//! manifest) plus, for CloudFormation, the JSON template written as a file into that directory
//! (`-o DIR/template.json`: a file output is not in the manifest, so both stay).
//! `TFC_BLESS=1 cargo test --test golden` rewrites them. Compiling twice must give
//! byte-identical output (determinism).

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::{example_specs, tfc};
use tfc::targets::Target;

/// Where each golden variant is written, relative to the target's folder: every format a
/// target has gets a golden file. `None`: the directory output.
fn variants(target: Target) -> Vec<Option<&'static str>> {
    match target {
        Target::Cloudformation => vec![None, Some("template.json")],
        Target::Terraform => vec![None],
        Target::Cdk => vec![None],
    }
}

fn read_tree(dir: &Path) -> BTreeMap<String, String> {
    let mut files = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
                files.insert(rel, std::fs::read_to_string(&p).unwrap());
            }
        }
    }
    files
}

fn compile_into(spec: &Path, target: Target, out: &Path, extra: &[String]) {
    for file in variants(target) {
        let mut dir = out.as_os_str().to_owned();
        dir.push("/");
        let o = tfc()
            .arg("compile")
            .arg(spec)
            .args(["--target", target.name()])
            .args(extra)
            .arg("-o")
            .arg(file.map_or(std::path::PathBuf::from(dir), |f| out.join(f)))
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "{}: {}",
            spec.display(),
            String::from_utf8_lossy(&o.stderr)
        );
    }
}

#[test]
fn every_example_matches_its_golden_output_for_every_target() {
    let bless = std::env::var_os("TFC_BLESS").is_some();
    let scratch = std::env::temp_dir().join(format!("tfc-golden-{}", std::process::id()));
    let mut failures = Vec::new();
    // Plain examples into `examples/NAME/TARGET/`; those with parameters, baked for each
    // environment, into `examples/NAME/ENV/TARGET/`.
    let mut cases: Vec<(std::path::PathBuf, std::path::PathBuf, Vec<String>)> = example_specs()
        .into_iter()
        .map(|s| (s.clone(), s.parent().unwrap().to_path_buf(), Vec::new()))
        .collect();
    for (spec, env) in common::parameterised_examples() {
        let base = spec.parent().unwrap().join(&env);
        cases.push((spec, base, vec!["--bake".into(), "--env".into(), env]));
    }
    // And with the parameters rendered natively, every environment's values next to them,
    // into `examples/NAME/native/TARGET/`.
    for spec in common::all_example_specs() {
        if common::environments(&spec).is_some() {
            let base = spec.parent().unwrap().join("native");
            cases.push((spec, base, Vec::new()));
        }
    }
    assert!(
        cases.len() > example_specs().len(),
        "no example with parameters"
    );
    for (spec, example, extra) in cases {
        let example = example.as_path();
        for target in Target::ALL {
            let out = scratch
                .join(
                    example
                        .strip_prefix(common::root().join("examples"))
                        .unwrap(),
                )
                .join(target.name());
            let _ = std::fs::remove_dir_all(&out);
            compile_into(&spec, target, &out, &extra);
            let got = read_tree(&out);
            assert!(!got.is_empty());
            // Determinism: a second compilation is byte-identical.
            let again = scratch.join("again");
            let _ = std::fs::remove_dir_all(&again);
            compile_into(&spec, target, &again, &extra);
            assert_eq!(
                got,
                read_tree(&again),
                "{}: output differs between two runs",
                spec.display()
            );

            let golden = example.join(target.name());
            if bless {
                let _ = std::fs::remove_dir_all(&golden);
                for (rel, contents) in &got {
                    let p = golden.join(rel);
                    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
                    std::fs::write(p, contents).unwrap();
                }
                continue;
            }
            let want = read_tree(&golden);
            if want != got {
                let mut msg = format!("{}: differs from {}", spec.display(), golden.display());
                for (rel, contents) in &got {
                    match want.get(rel) {
                        None => msg.push_str(&format!("\n  new file {rel}")),
                        Some(w) if w != contents => msg.push_str(&format!(
                            "\n  {rel}:\n{}",
                            pretty_assertions::StrComparison::new(w, contents)
                        )),
                        _ => {}
                    }
                }
                for rel in want.keys().filter(|r| !got.contains_key(*r)) {
                    msg.push_str(&format!("\n  missing file {rel}"));
                }
                failures.push(msg);
            }
        }
    }
    let _ = std::fs::remove_dir_all(&scratch);
    assert!(
        failures.is_empty(),
        "{}\n(TFC_BLESS=1 cargo test --test golden rewrites the golden files)",
        failures.join("\n")
    );
}
