//! Parameters rendered natively (`tfc compile` without `--bake`): for every example with
//! environments, the parameterised output with an environment's values substituted is the
//! output baked for that environment, target by target; and the real tools accept what is
//! written. CloudFormation is resolved here the way CloudFormation resolves the intrinsics tfc
//! writes with parameters (`Ref`, `Fn::Sub`, `Fn::If` over its conditions, `Fn::Select`/
//! `Fn::Split`, `AWS::NoValue`), per the user guide's "Parameters" and "Intrinsic function
//! reference"; Terraform plans each `.tfvars` with the real CLI (tests/terraform_cli.rs) and
//! CDK synthesizes each environment's context (tests/cdk.rs). Since each baked output is in the
//! cross-target equivalence test, every environment of a native output is too.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use common::{environments, native_golden_dirs, scratch};
use pretty_assertions::assert_eq;
use serde_json::{json, Map, Value};

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// What each parameter of `template` is for one environment: its file's value, else its
/// default; list types split on commas, as CloudFormation does.
fn parameter_values(template: &Value, file: &Value) -> BTreeMap<String, Value> {
    let given: BTreeMap<&str, &str> = file
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["ParameterKey"].as_str().unwrap(),
                p["ParameterValue"].as_str().unwrap(),
            )
        })
        .collect();
    let mut out = BTreeMap::new();
    for (name, p) in template["Parameters"].as_object().unwrap() {
        let text = given
            .get(name.as_str())
            .copied()
            .or_else(|| p["Default"].as_str());
        let Some(text) = text else { continue };
        let kind = p["Type"].as_str().unwrap();
        out.insert(
            name.clone(),
            if kind.contains("List") {
                json!(text.split(',').collect::<Vec<_>>())
            } else {
                json!(text)
            },
        );
    }
    out
}

struct Resolver {
    params: BTreeMap<String, Value>,
    conditions: BTreeMap<String, bool>,
}

impl Resolver {
    /// `None` is `AWS::NoValue`.
    fn value(&self, v: &Value) -> Option<Value> {
        match v {
            Value::Array(items) => Some(Value::Array(
                items.iter().filter_map(|x| self.value(x)).collect(),
            )),
            Value::Object(map) if map.len() == 1 => {
                let (k, arg) = map.iter().next().unwrap();
                match k.as_str() {
                    "Ref" if arg == "AWS::NoValue" => None,
                    "Ref" => Some(
                        self.params
                            .get(arg.as_str().unwrap())
                            .cloned()
                            .unwrap_or_else(|| v.clone()),
                    ),
                    "Fn::If" => {
                        let a = arg.as_array().unwrap();
                        let c = self.conditions[a[0].as_str().unwrap()];
                        self.value(&a[if c { 1 } else { 2 }])
                    }
                    "Fn::Select" => {
                        let a = arg.as_array().unwrap();
                        let list = self.value(&a[1]).unwrap();
                        Some(list[a[0].as_u64().unwrap() as usize].clone())
                    }
                    "Fn::Split" => {
                        let a = arg.as_array().unwrap();
                        let s = self.value(&a[1]).unwrap();
                        Some(json!(s
                            .as_str()
                            .unwrap()
                            .split(a[0].as_str().unwrap())
                            .collect::<Vec<_>>()))
                    }
                    "Fn::Sub" => Some(self.sub(arg)),
                    _ => Some(json!({ k: self.value(arg) })),
                }
            }
            Value::Object(map) => Some(Value::Object(
                map.iter()
                    .filter_map(|(k, x)| self.value(x).map(|x| (k.clone(), x)))
                    .collect(),
            )),
            // Numbers as CloudFormation passes them to a resource: text.
            Value::Number(n) => Some(json!(n.to_string())),
            other => Some(other.clone()),
        }
    }

    /// An `Fn::Sub` with the parameters (and variables that resolve to text) substituted: the
    /// plain text when nothing is left to substitute.
    fn sub(&self, arg: &Value) -> Value {
        let (mut text, vars) = match arg {
            Value::String(s) => (s.clone(), Map::new()),
            Value::Array(a) => (
                a[0].as_str().unwrap().to_string(),
                a[1].as_object().unwrap().clone(),
            ),
            _ => panic!("Fn::Sub of {arg}"),
        };
        let mut left = Map::new();
        for (k, v) in vars {
            match self.value(&v) {
                Some(Value::String(s)) if k != "Dollar" => {
                    text = text.replace(&format!("${{{k}}}"), &s)
                }
                _ => {
                    left.insert(k, v);
                }
            }
        }
        for (k, v) in &self.params {
            if let Some(s) = v.as_str() {
                text = text.replace(&format!("${{{k}}}"), s);
            }
        }
        if !left.is_empty() {
            json!({ "Fn::Sub": [text, left] })
        } else if text.contains("${") {
            json!({ "Fn::Sub": text })
        } else {
            json!(text)
        }
    }

    fn condition(&self, v: &Value) -> bool {
        let (k, arg) = v.as_object().unwrap().iter().next().unwrap();
        match k.as_str() {
            "Fn::Not" => !self.condition(&arg[0]),
            "Fn::Equals" => {
                let a = self.text(&arg[0]);
                let b = self.text(&arg[1]);
                a == b
            }
            _ => panic!("condition {v}"),
        }
    }

    fn text(&self, v: &Value) -> Value {
        match v.as_object().and_then(|o| o.get("Fn::Join")) {
            Some(join) => {
                let list = self.value(&join[1]).unwrap();
                json!(list
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|x| x.as_str().unwrap().to_string())
                    .collect::<Vec<_>>()
                    .join(join[0].as_str().unwrap()))
            }
            None => self.value(v).unwrap(),
        }
    }
}

/// `template` deployed with the parameters `file`: its resources and outputs as CloudFormation
/// resolves them.
fn resolved(template: &Value, file: &Value) -> Value {
    let mut r = Resolver {
        params: parameter_values(template, file),
        conditions: BTreeMap::new(),
    };
    for (name, c) in template["Conditions"].as_object().into_iter().flatten() {
        let holds = r.condition(c);
        r.conditions.insert(name.clone(), holds);
    }
    json!({
        "Resources": r.value(&template["Resources"]),
        "Outputs": r.value(&template["Outputs"]),
    })
}

/// The baked template, numbers as text like [`resolved`]'s.
fn baked(template: &Value) -> Value {
    let r = Resolver {
        params: BTreeMap::new(),
        conditions: BTreeMap::new(),
    };
    json!({
        "Resources": r.value(&template["Resources"]),
        "Outputs": r.value(&template["Outputs"]),
    })
}

#[test]
fn cloudformation_parameters_resolve_to_each_environments_baked_template() {
    let dirs = native_golden_dirs();
    assert!(!dirs.is_empty(), "no example with environments");
    for (spec, native) in dirs {
        let envs = environments(&spec).unwrap();
        assert!(envs.len() >= 2, "{}: two environments", spec.display());
        let template = read_json(&native.join("cloudformation/template.json"));
        assert!(template["Parameters"]
            .as_object()
            .is_some_and(|p| !p.is_empty()));
        for env in &envs {
            let file = read_json(&native.join(format!("cloudformation/{env}.parameters.json")));
            let want = baked(&read_json(
                &spec
                    .parent()
                    .unwrap()
                    .join(env)
                    .join("cloudformation/template.json"),
            ));
            assert_eq!(resolved(&template, &file), want, "{env}");
            // The control: another environment's values resolve to something else.
            for other in envs.iter().filter(|o| *o != env) {
                let file =
                    read_json(&native.join(format!("cloudformation/{other}.parameters.json")));
                assert_ne!(resolved(&template, &file), want, "{other} vs {env}");
            }
        }
    }
}

#[test]
fn parameters_files_have_the_shape_the_aws_cli_reads() {
    // `create-stack --parameters file://…` and `deploy --parameter-overrides file://…` take a
    // list of {ParameterKey, ParameterValue} with string values (lists comma-separated).
    for (spec, native) in native_golden_dirs() {
        let template = read_json(&native.join("cloudformation/template.json"));
        for env in environments(&spec).unwrap() {
            let file = read_json(&native.join(format!("cloudformation/{env}.parameters.json")));
            for p in file.as_array().unwrap() {
                let o = p.as_object().unwrap();
                assert_eq!(o.len(), 2, "{p}");
                let key = o["ParameterKey"].as_str().unwrap();
                assert!(o["ParameterValue"].is_string(), "{p}");
                assert!(template["Parameters"].get(key).is_some(), "{key}");
            }
        }
    }
}

/// cfn-lint's own form of a parameters file: list values as JSON arrays (its E2900 types
/// them so; the AWS CLI's form is the comma-separated string tfc writes).
fn cfn_lint_form(template: &Value, file: &Value) -> Value {
    Value::Array(
        file.as_array()
            .unwrap()
            .iter()
            .map(|p| {
                let key = p["ParameterKey"].as_str().unwrap();
                let text = p["ParameterValue"].as_str().unwrap();
                let list = template["Parameters"][key]["Type"]
                    .as_str()
                    .unwrap()
                    .contains("List");
                json!({
                    "ParameterKey": key,
                    "ParameterValue": if list {
                        json!(text.split(',').filter(|s| !s.is_empty()).collect::<Vec<_>>())
                    } else {
                        json!(text)
                    },
                })
            })
            .collect(),
    )
}

fn cfn_lint(args: &[&Path]) -> (bool, String) {
    let (code, out, err) = common::run(Command::new(common::python_tool("cfn-lint")).args(args));
    (code == Some(0) && out.is_empty(), format!("{out}{err}"))
}

#[test]
#[ignore = "needs the pinned validators: run scripts/test"]
fn cfn_lint_accepts_the_template_and_each_environments_values() {
    for (spec, native) in native_golden_dirs() {
        let dir = native.join("cloudformation");
        for t in ["template.yaml", "template.json"] {
            let (ok, text) = cfn_lint(&[&dir.join(t)]);
            assert!(ok, "cfn-lint {t}:\n{text}");
        }
        let template = read_json(&dir.join("template.json"));
        let work = scratch("cfn-lint-params");
        for env in environments(&spec).unwrap() {
            let file = read_json(&dir.join(format!("{env}.parameters.json")));
            let lint = work.join(format!("{env}.json"));
            std::fs::write(&lint, cfn_lint_form(&template, &file).to_string()).unwrap();
            let (ok, text) = cfn_lint(&[
                Path::new("--parameter-files"),
                &lint,
                Path::new("--"),
                &dir.join("template.yaml"),
            ]);
            assert!(ok, "cfn-lint with {env}'s values:\n{text}");
            // The control: a value the template does not allow is reported.
            let mut wrong = cfn_lint_form(&template, &file);
            for p in wrong.as_array_mut().unwrap() {
                if p["ParameterKey"] == "Env" {
                    p["ParameterValue"] = json!("qa");
                }
            }
            let bad = work.join(format!("{env}-wrong.json"));
            std::fs::write(&bad, wrong.to_string()).unwrap();
            let (ok, text) = cfn_lint(&[
                Path::new("--parameter-files"),
                &bad,
                Path::new("--"),
                &dir.join("template.yaml"),
            ]);
            assert!(!ok && text.contains("E2900"), "{text}");
        }
    }
}
