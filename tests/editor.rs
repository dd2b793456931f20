//! The schema in a real editor: drives the pinned yaml-language-server (what VS Code's YAML
//! extension runs) over its stdio LSP protocol with `schemas/tfc.schema.json`, through
//! `tests/tools/lsp/lsp.mjs`, once, and asserts on what the server answered:
//!
//! - every example and the hostile spec, opened as they are (schema from their relative
//!   `# yaml-language-server: $schema=../../schemas/tfc.schema.json` modeline), get no diagnostic;
//! - the seed example with `command:` misspelled `comand:` and `cpu: two` gets diagnostics on
//!   exactly those two lines, from our schema (its `title` names the source);
//! - the same through an absolute `file://` modeline and through the `yaml.schemas` setting
//!   (what the README tells VS Code users to set);
//! - completion on a new line inside a task offers the task fields not yet written and the
//!   task `defaultSnippets`; completion in an empty file offers the spec snippet;
//! - hover on `memory` shows its description from the schema.

mod common;

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// The whole run (the driver kills the server after 30 s; this is the backstop).
const TIMEOUT: Duration = Duration::from_secs(60);

/// A `file://` URI for an absolute path (percent-encoding what a URI path may not hold).
fn file_uri(path: &Path) -> String {
    let mut uri = String::from("file://");
    for b in path.to_string_lossy().bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            uri.push(char::from(b));
        } else {
            uri.push_str(&format!("%{b:02X}"));
        }
    }
    uri
}

/// Runs the driver on one job and returns its JSON results.
fn run_lsp(job: &Value) -> Value {
    let modules = common::node_modules();
    let mut child = Command::new("node")
        .arg(common::root().join("tests/tools/lsp/lsp.mjs"))
        .env("TFC_NODE_MODULES", &modules)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("node runs");
    let mut stdin = child.stdin.take().expect("stdin");
    stdin
        .write_all(job.to_string().as_bytes())
        .expect("write the job");
    drop(stdin);
    let mut stdout = child.stdout.take().expect("stdout");
    let mut stderr = child.stderr.take().expect("stderr");
    let out = std::thread::spawn(move || {
        let mut s = String::new();
        stdout.read_to_string(&mut s).map(|_| s)
    });
    let err = std::thread::spawn(move || {
        let mut s = String::new();
        stderr.read_to_string(&mut s).map(|_| s)
    });
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for node") {
            break status;
        }
        if start.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("lsp.mjs ran over {TIMEOUT:?}: killed");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let stdout = out.join().expect("stdout reader").expect("stdout");
    let stderr = err.join().expect("stderr reader").expect("stderr");
    assert!(
        status.success(),
        "lsp.mjs failed ({status}): {stderr}\n{stdout}"
    );
    let results: Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("lsp.mjs printed no JSON ({e}): {stdout}\n{stderr}"));
    assert_eq!(results["timedOut"], false, "{results:#}");
    assert_eq!(
        results["server"]["version"], "2.0.0",
        "the pinned server: {results:#}"
    );
    results
}

/// 0-based index of the only line of `text` that starts (after indentation) with `prefix`.
fn line_of(text: &str, prefix: &str) -> usize {
    let hits: Vec<usize> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.trim_start().starts_with(prefix))
        .map(|(i, _)| i)
        .collect();
    assert_eq!(hits.len(), 1, "{prefix:?} in:\n{text}");
    hits[0]
}

/// Replaces the one occurrence of `from` in `text`.
fn mutate(text: &str, from: &str, to: &str) -> String {
    assert_eq!(text.matches(from).count(), 1, "{from:?} in:\n{text}");
    text.replacen(from, to, 1)
}

fn diagnostics<'a>(results: &'a Value, uri: &str) -> &'a Vec<Value> {
    results["diagnostics"][uri]
        .as_array()
        .unwrap_or_else(|| panic!("no diagnostics published for {uri}: {results:#}"))
}

fn lines_with_diagnostics(results: &Value, uri: &str) -> BTreeSet<u64> {
    diagnostics(results, uri)
        .iter()
        .filter_map(|d| d["line"].as_u64())
        .collect()
}

/// The diagnostics of one document on one line, with the line's messages.
fn messages_on(results: &Value, uri: &str, line: usize) -> String {
    diagnostics(results, uri)
        .iter()
        .filter(|d| d["line"].as_u64() == Some(line as u64))
        .map(|d| {
            format!(
                "{} [{}]",
                d["message"].as_str().unwrap_or_default(),
                d["source"].as_str().unwrap_or_default()
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn result<'a>(results: &'a Value, uri: &str, method: &str) -> &'a Value {
    results["results"]
        .as_array()
        .and_then(|r| r.iter().find(|x| x["uri"] == uri && x["method"] == method))
        .unwrap_or_else(|| panic!("no {method} result for {uri}: {results:#}"))
}

fn labels(v: &Value) -> BTreeSet<String> {
    v["labels"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|l| l.as_str().map(String::from))
        .collect()
}

#[test]
#[ignore = "needs the pinned validators: run scripts/test"]
fn yaml_language_server_validates_completes_and_hovers_with_our_schema() {
    let root = common::root();
    let schema_path = root.join("schemas/tfc.schema.json");
    let schema_uri = file_uri(&schema_path);
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(&schema_path).expect("schemas/tfc.schema.json"),
    )
    .expect("the schema is JSON");
    let title = schema["title"].as_str().expect("the schema has a title");

    let mut documents = Vec::new();
    let mut requests = Vec::new();

    // 1. Every example and the hostile spec, as checked in: no diagnostics.
    let mut pristine = common::all_example_specs();
    pristine.push(root.join("tests/hostile/spec.yaml"));
    for path in &pristine {
        let text = std::fs::read_to_string(path).expect("spec");
        assert!(
            text.starts_with("# yaml-language-server: $schema=../../schemas/tfc.schema.json\n"),
            "{} lacks the schema modeline",
            path.display()
        );
        documents.push(json!({ "uri": file_uri(path), "text": text }));
    }

    // 2. The seed with a misspelled key and a wrong type, at a virtual path next to it (the
    //    server gets the text from didOpen; the relative modeline resolves against the URI).
    let seed = std::fs::read_to_string(root.join("examples/django-manage/spec.yaml"))
        .expect("seed example");
    let broken = mutate(
        &mutate(&seed, "    command: [", "    comand: ["),
        "    cpu: 2048",
        "    cpu: two",
    );
    let broken_uri = file_uri(&root.join("examples/django-manage/broken.yaml"));
    let comand_line = line_of(&broken, "comand:");
    let cpu_line = line_of(&broken, "cpu: two");
    let memory_line = line_of(&broken, "memory:");
    documents.push(json!({ "uri": broken_uri, "text": broken }));
    requests.push(json!({
        "uri": broken_uri, "method": "hover", "line": memory_line, "character": 6
    }));

    // 3. An absolute file:// modeline, from a file outside the repository.
    let absolute_text = format!(
        "# yaml-language-server: $schema={schema_uri}\nversion: 1\nname: demo\ntasks:\n  run:\n    image: img\n    memory: lots\n    trigger:\n      schedule: rate(1 hour)\n"
    );
    let absolute_uri = "file:///tmp/tfc-editor-test/elsewhere/spec.yaml";
    let absolute_memory_line = line_of(&absolute_text, "memory: lots");
    documents.push(json!({ "uri": absolute_uri, "text": absolute_text }));

    // 4. No modeline: the `yaml.schemas` setting associates the file by glob. A misspelled
    //    trigger key, and a new line inside a task for completion.
    let settings_text = "version: 1\nname: demo\ntasks:\n  run:\n    description: Runs\n    \n  other:\n    image: img\n    trigger:\n      shedule: rate(1 hour)\n";
    let settings_uri = file_uri(&root.join("tests/editor-fixture/jobs.tfc.yaml"));
    let shedule_line = line_of(settings_text, "shedule:");
    let trigger_missing_line = line_of(settings_text, "run:");
    let blank_line = 5;
    assert_eq!(settings_text.lines().nth(blank_line), Some("    "));
    documents.push(json!({ "uri": settings_uri, "text": settings_text }));
    requests.push(json!({
        "uri": settings_uri, "method": "completion", "line": blank_line, "character": 4
    }));

    // 5. An empty spec file: completion offers the whole-spec snippet.
    let empty_uri = file_uri(&root.join("tests/editor-fixture/new.tfc.yaml"));
    documents.push(json!({ "uri": empty_uri, "text": "" }));
    requests.push(json!({ "uri": empty_uri, "method": "completion", "line": 0, "character": 0 }));

    let yaml_settings = json!({
        "validate": true,
        "hover": true,
        "completion": true,
        "schemaStore": { "enable": false },
        "schemas": { schema_uri.clone(): ["**/*.tfc.yaml"] },
    });
    let job = json!({
        "rootUri": file_uri(root),
        "settings": { "yaml": yaml_settings, "http": {}, "[yaml]": {}, "editor": {} },
        "documents": documents,
        "requests": requests,
    });
    let results = run_lsp(&job);

    // 1.
    for path in &pristine {
        let uri = file_uri(path);
        assert!(
            diagnostics(&results, &uri).is_empty(),
            "{}: {:#}",
            path.display(),
            results["diagnostics"][&uri]
        );
    }

    // 2. Exactly the two broken lines, from our schema.
    assert_eq!(
        lines_with_diagnostics(&results, &broken_uri),
        BTreeSet::from([comand_line as u64, cpu_line as u64]),
        "diagnostics: {:#}",
        results["diagnostics"][&broken_uri]
    );
    let on_comand = messages_on(&results, &broken_uri, comand_line);
    assert!(
        on_comand.contains("Property comand is not allowed"),
        "{on_comand}"
    );
    let on_cpu = messages_on(&results, &broken_uri, cpu_line);
    assert!(
        // `cpu` takes a number or `{ param: NAME }`.
        on_cpu.contains("Incorrect type. Expected \"integer | ParamRef\""),
        "{on_cpu}"
    );
    for d in diagnostics(&results, &broken_uri) {
        assert_eq!(d["source"], format!("yaml-schema: {title}"), "{d}");
        assert_eq!(d["severity"], 1, "an error: {d}");
    }

    // 3.
    assert_eq!(
        lines_with_diagnostics(&results, absolute_uri),
        BTreeSet::from([absolute_memory_line as u64]),
        "{:#}",
        results["diagnostics"][absolute_uri]
    );
    assert!(messages_on(&results, absolute_uri, absolute_memory_line)
        .contains("Expected \"integer | ParamRef\""));

    // 4. The misspelled `schedule` and the task without a trigger.
    assert_eq!(
        lines_with_diagnostics(&results, &settings_uri),
        BTreeSet::from([shedule_line as u64, trigger_missing_line as u64]),
        "{:#}",
        results["diagnostics"][&settings_uri]
    );
    assert!(messages_on(&results, &settings_uri, shedule_line).contains("shedule"));
    assert!(messages_on(&results, &settings_uri, trigger_missing_line)
        .contains("Missing property \"trigger\""));
    let completion = result(&results, &settings_uri, "completion");
    let offered = labels(completion);
    let task_fields: Vec<&str> = schema["$defs"]["Task"]["properties"]
        .as_object()
        .expect("Task properties")
        .keys()
        .map(String::as_str)
        .collect();
    for field in &task_fields {
        if *field == "description" {
            assert!(!offered.contains(*field), "already written: {offered:?}");
        } else {
            assert!(offered.contains(*field), "{field} not offered: {offered:?}");
        }
    }
    for field in ["image", "trigger", "overrides", "cpu", "memory"] {
        assert!(offered.contains(field), "{field}: {offered:?}");
    }
    for not_here in ["version", "tasks", "defaults", "source", "from"] {
        assert!(!offered.contains(not_here), "{not_here}: {offered:?}");
    }
    for snippet in schema["$defs"]["Task"]["defaultSnippets"]
        .as_array()
        .expect("Task defaultSnippets")
    {
        let label = snippet["label"].as_str().expect("snippet label");
        assert!(offered.contains(label), "snippet {label:?}: {offered:?}");
    }

    // 5.
    let new_file = labels(result(&results, &empty_uri, "completion"));
    for label in ["version", "name", "tasks", "defaults", "cluster"] {
        assert!(new_file.contains(label), "{label}: {new_file:?}");
    }
    for snippet in schema["defaultSnippets"]
        .as_array()
        .expect("spec defaultSnippets")
    {
        let label = snippet["label"].as_str().expect("snippet label");
        assert!(new_file.contains(label), "snippet {label:?}: {new_file:?}");
    }

    // 2. Hover: `memory`'s description, from the schema.
    let hover = result(&results, &broken_uri, "hover")["hover"]
        .as_str()
        .unwrap_or_else(|| panic!("no hover on memory: {results:#}"))
        .to_string();
    let memory = &schema["$defs"]["Task"]["properties"]["memory"];
    let described = memory["markdownDescription"]
        .as_str()
        .or(memory["description"].as_str())
        .expect("memory has a description");
    assert!(
        hover.contains(described),
        "hover {hover:?} lacks {described:?}"
    );
    assert!(hover.contains(title), "{hover:?}");
}
