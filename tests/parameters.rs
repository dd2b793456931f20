//! Deploy-time parameters from the command line's side: baking is exactly substitution, every
//! command takes `--env` / `--set` and says which values it used, and the mistakes users make
//! fail with a message that names them. (What `check` reports, with positions, is in the
//! invalid corpus; the baked outputs are golden files judged by every target's validators.)

mod common;

use common::{parameterised_examples, root, run, scratch, tfc};
use pretty_assertions::assert_eq;
use tfc::targets::Target;

fn example() -> std::path::PathBuf {
    root().join("examples/environments/spec.yaml")
}

fn compile(args: &[&str]) -> (Option<i32>, String, String) {
    run(tfc().arg("compile").args(args))
}

#[test]
fn baking_an_environment_compiles_exactly_like_the_spec_with_its_values_written_in() {
    let cases = parameterised_examples();
    assert!(cases.len() >= 2);
    for (spec, env) in cases {
        let plain = scratch(&format!("baked-{env}")).join("spec.yaml");
        std::fs::write(&plain, common::baked_spec(&spec, &env)).unwrap();
        for target in Target::ALL {
            let (code, baked, err) = compile(&[
                spec.to_str().unwrap(),
                "-t",
                target.name(),
                "--bake",
                "--env",
                &env,
            ]);
            assert_eq!(code, Some(0), "{err}");
            let (code, written, err) = compile(&[plain.to_str().unwrap(), "-t", target.name()]);
            assert_eq!(code, Some(0), "{err}");
            assert_eq!(baked, written, "{env} {}", target.name());
        }
    }
}

#[test]
fn environments_give_different_values_and_set_wins() {
    let spec = example();
    let spec = spec.to_str().unwrap();
    let (_, prod, err) = compile(&[spec, "-t", "tf", "--bake", "--env", "prod"]);
    assert!(prod.contains("my-proj:1.3.2\""), "{prod}");
    assert!(prod.contains("com.corp.env.prod.manage"));
    assert!(prod.contains("cpu                      = \"2048\""));
    assert!(
        err.contains("image_tag = 1.3.2 (environment prod)")
            && err.contains("cpu = 2048 (environment prod)"),
        "{err}"
    );
    let (_, staging, err) = compile(&[spec, "-t", "tf", "--bake", "--env", "staging"]);
    assert!(staging.contains("my-proj:latest\""));
    assert!(staging.contains("com.corp.env.staging.manage"));
    assert!(err.contains("image_tag = latest (default)"), "{err}");
    let (code, set, err) = compile(&[
        spec,
        "-t",
        "tf",
        "--bake",
        "--env",
        "staging",
        "--set",
        "image_tag=1.4.0-rc.1",
        "--set",
        "subnets=subnet-0a1b2c3d4e5f60718,subnet-0123456789abcdef0",
    ]);
    assert_eq!(code, Some(0), "{err}");
    assert!(set.contains("my-proj:1.4.0-rc.1\""));
    assert!(set.contains("[\"subnet-0a1b2c3d4e5f60718\", \"subnet-0123456789abcdef0\"]"));
    assert!(err.contains("image_tag = 1.4.0-rc.1 (--set)"), "{err}");
}

#[test]
fn mistakes_on_the_command_line_are_named() {
    let spec = example();
    let spec = spec.to_str().unwrap();
    // Values for the parameters files need a directory to write them to (or --bake).
    let (code, out, err) = compile(&[spec, "-t", "cfn", "--env", "prod"]);
    assert_eq!((code, out.as_str()), (Some(2), ""));
    assert!(err.contains("--bake"), "{err}");
    // An unknown environment, a value of the wrong kind, an unknown parameter.
    for (args, expect) in [
        (vec!["--env", "qa"], "the spec has no environment `qa`"),
        (
            vec!["--env", "prod", "--set", "cpu=lots"],
            "--set cpu=lots: a number is expected",
        ),
        (
            vec!["--env", "prod", "--set", "image_tga=1"],
            "did you mean `image_tag`?",
        ),
        (
            vec!["--env", "prod", "--set", "cpu=300"],
            "300 is not one of",
        ),
        // Without an environment, `env` and `subnets` have no value.
        (vec![], "parameter `env` has no value"),
    ] {
        let mut all = vec![spec, "-t", "cfn", "--bake"];
        all.extend(args.iter().copied());
        let (code, out, err) = compile(&all);
        assert_eq!((code, out.as_str()), (Some(1), ""), "{args:?}: {err}");
        assert!(err.contains(expect), "{args:?}: {err}");
    }
    let (code, _, err) = compile(&[spec, "-t", "cfn", "--bake", "--set", "oops"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("expected NAME=VALUE"), "{err}");
    // A spec without parameters refuses values rather than ignoring them.
    let seed = root().join("examples/django-manage/spec.yaml");
    let (code, _, err) = compile(&[seed.to_str().unwrap(), "-t", "cfn", "--env", "prod"]);
    assert_eq!(code, Some(1));
    assert!(err.contains("declares no `parameters`"), "{err}");
}

#[test]
fn check_checks_every_environment_or_the_one_chosen() {
    let spec = example();
    let (code, _, err) = run(tfc().arg("check").arg(&spec));
    assert_eq!(code, Some(0), "{err}");
    // A value that breaks a rule of the field it lands in, in one environment only.
    let text = std::fs::read_to_string(&spec).unwrap().replace(
        "    cpu: 2048\n    memory: 4096\n",
        "    cpu: 2048\n    memory: 1024\n",
    );
    let bad = scratch("params-check").join("spec.yaml");
    std::fs::write(&bad, text).unwrap();
    let (code, _, err) = run(tfc().arg("check").arg(&bad));
    assert_eq!(code, Some(1));
    assert!(
        err.contains("(parameter `memory` in environment `prod`)"),
        "{err}"
    );
    assert!(!err.contains("environment `staging`"), "{err}");
    let (code, _, _) = run(tfc().arg("check").arg(&bad).args(["--env", "staging"]));
    assert_eq!(code, Some(0));
}

#[test]
fn simulate_event_and_graph_use_the_chosen_values_and_say_so() {
    let spec = example();
    let event = |source: &str| {
        format!(
            "{{\"source\":\"{source}\",\"detail-type\":\"Management\",\"detail\":{{\"subject\":\"execute\",\"command\":\"migrate\"}}}}"
        )
    };
    let dir = scratch("params-simulate");
    let prod_event = dir.join("prod.json");
    std::fs::write(&prod_event, event("com.corp.env.prod.manage")).unwrap();
    let simulate = |env: &str| {
        run(tfc()
            .arg("simulate")
            .arg(&spec)
            .arg("--event")
            .arg(&prod_event)
            .args(["--env", env]))
    };
    let (code, out, err) = simulate("prod");
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(err.contains("env = prod (environment prod)"), "{err}");
    let (code, _, _) = simulate("staging");
    assert_eq!(
        code,
        Some(1),
        "the prod event must not start the staging task"
    );
    // Without values, `env` (in the pattern) and `subnets` have none: an error naming them.
    let (code, _, err) = run(tfc()
        .arg("simulate")
        .arg(&spec)
        .arg("--event")
        .arg(&prod_event));
    assert_eq!(code, Some(2));
    assert!(err.contains("parameter `env` has no value"), "{err}");
    // `tfc event`: `$.path=` sets the event, `NAME=` a parameter.
    let (code, out, err) = run(tfc().arg("event").arg(&spec).arg("manage").args([
        "--env",
        "staging",
        "--set",
        "env=prod",
        "--set",
        "$.detail.command=migrate",
    ]));
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("com.corp.env.prod.manage"), "{out}");
    let (code, out, err) = run(tfc().arg("graph").arg(&spec).args(["--env", "prod"]));
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("com.corp.env.prod.manage"), "{out}");
}

#[test]
fn model_shows_parameters_as_references_without_values_and_as_values_with_them() {
    let spec = example();
    let (code, out, err) = run(tfc().args(["model", "--plan"]).arg(&spec));
    assert_eq!(code, Some(0), "{err}");
    let plan: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(out.contains("com.corp.env.((env)).manage"), "{out}");
    assert!(out.contains("\"param\": \"subnets\""), "{out}");
    assert!(!out.chars().any(|c| ('\u{E000}'..='\u{E002}').contains(&c)));
    let names = |key: &str| -> Vec<String> {
        plan[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        names("parameters"),
        [
            "cpu",
            "env",
            "image_tag",
            "memory",
            "security_groups",
            "subnets"
        ]
    );
    assert_eq!(names("value_sets"), ["prod", "staging"]);
    let (code, out, _) = run(tfc().arg("model").arg(&spec));
    assert_eq!(code, Some(0));
    assert!(out.contains("\"parameters\""), "{out}");
    // With an environment, the values themselves.
    let (code, out, err) = run(tfc().arg("model").arg(&spec).args(["--env", "prod"]));
    assert_eq!(code, Some(0), "{err}");
    assert!(
        out.contains("com.corp.env.prod.manage") && !out.contains("(("),
        "{out}"
    );
}

#[test]
fn parameter_names_the_targets_spell_alike_are_an_error() {
    let text = std::fs::read_to_string(example()).unwrap().replace(
        "  image_tag:\n",
        "  image__tag:\n    type: string\n    default: x\n  image_tag:\n",
    );
    let path = scratch("params-alike").join("spec.yaml");
    std::fs::write(&path, text).unwrap();
    let (code, _, err) = run(tfc().arg("check").arg(&path));
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("parameter-name"), "{err}");
}
