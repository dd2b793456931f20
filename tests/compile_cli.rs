//! `tfc compile -o`: the format from the file name, directories from a trailing slash, the
//! `.tfc-files` manifest that lets a recompile delete exactly the files it no longer writes,
//! and writes that are all-or-nothing.

mod common;

use std::path::Path;

use common::{root, run, scratch, seed, tfc, tree};
use pretty_assertions::assert_eq;

fn compile(spec: &Path, target: &str, extra: &[&str], out: &Path) -> (Option<i32>, String) {
    let (code, _, stderr) = run(tfc()
        .arg("compile")
        .arg(spec)
        .args(["-t", target])
        .args(extra)
        .arg("-o")
        .arg(out));
    assert!(!stderr.contains("panicked"), "{stderr}");
    (code, stderr)
}

/// `-o DIR/`, spelled with its trailing slash.
fn slash(dir: &Path) -> std::path::PathBuf {
    let mut s = dir.as_os_str().to_owned();
    s.push("/");
    s.into()
}

#[test]
fn the_output_file_extension_picks_the_format() {
    let dir = scratch("ext");
    let golden = root().join("examples/django-manage/cloudformation");
    let want_json = std::fs::read_to_string(golden.join("template.json")).unwrap();
    let want_yaml = std::fs::read_to_string(golden.join("template.yaml")).unwrap();
    for (name, want, extra) in [
        ("t.json", &want_json, &[][..]),
        ("T.JSON", &want_json, &[][..]),
        ("t.yaml", &want_yaml, &[][..]),
        ("t.yml", &want_yaml, &[][..]),
        ("t.json", &want_json, &["--format", "json"][..]),
        ("t.yml", &want_yaml, &["--format", "yaml"][..]),
        // No extension that names a format: --format, else YAML.
        ("t.template", &want_yaml, &[][..]),
        ("j.template", &want_json, &["--format", "json"][..]),
    ] {
        let (code, stderr) = compile(&seed(), "cfn", extra, &dir.join(name));
        assert_eq!(code, Some(0), "{name} {extra:?}: {stderr}");
        assert_eq!(
            &std::fs::read_to_string(dir.join(name)).unwrap(),
            want,
            "{name} {extra:?}"
        );
    }
    serde_json::from_str::<serde_json::Value>(
        &std::fs::read_to_string(dir.join("t.json")).unwrap(),
    )
    .expect("-o t.json is JSON");
}

#[test]
fn formats_the_target_or_the_file_name_contradict_are_usage_errors() {
    let dir = scratch("bad-format");
    for (target, extra, file, says) in [
        ("cfn", &["--format", "json"][..], "t.yaml", "contradicts"),
        ("cfn", &["--format", "yaml"][..], "t.json", "contradicts"),
        (
            "terraform",
            &["--format", "json"][..],
            "main.tf",
            "only cloudformation",
        ),
        (
            "cdk",
            &["--format", "json"][..],
            "app.ts",
            "only cloudformation",
        ),
        (
            "tf",
            &["--format", "yaml"][..],
            "main.tf",
            "only cloudformation",
        ),
        ("terraform", &[][..], "main.tf.json", "not JSON"),
        ("cdk", &[][..], "app.yaml", "not YAML"),
    ] {
        let (code, stderr) = compile(&seed(), target, extra, &dir.join(file));
        assert_eq!(code, Some(2), "{target} {extra:?} -o {file}: {stderr}");
        assert!(
            stderr.contains(says),
            "{target} {extra:?} -o {file}: {stderr}"
        );
        assert!(!dir.join(file).exists(), "{file} written");
    }
    let (code, _, stderr) = run(tfc()
        .arg("compile")
        .arg(seed())
        .args(["-t", "tf", "-o", ""]));
    assert_eq!(code, Some(2), "{stderr}");
    // On stdout too.
    let (code, _, stderr) = run(tfc()
        .arg("compile")
        .arg(seed())
        .args(["-t", "cdk", "--format", "json"]));
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("cdk has no JSON form"), "{stderr}");
    assert_eq!(tree(&dir), Vec::<String>::new());
}

#[test]
fn a_trailing_slash_makes_a_new_directory() {
    let dir = scratch("slash");
    for (target, name, files) in [
        (
            "terraform",
            "new.d",
            vec![".tfc-files", "main.tf", "outputs.tf", "versions.tf"],
        ),
        ("cfn", "deploy/cfn.v2", vec![".tfc-files", "template.yaml"]),
        ("cfn", "plain", vec![".tfc-files", "template.yaml"]),
    ] {
        let out = dir.join(name);
        let (code, stderr) = compile(&seed(), target, &[], &slash(&out));
        assert_eq!(code, Some(0), "{name}: {stderr}");
        assert!(out.is_dir(), "{name}");
        assert_eq!(tree(&out), files, "{name}");
    }
    // A directory output of CloudFormation in JSON.
    let out = dir.join("json");
    let (code, stderr) = compile(&seed(), "cfn", &["--format", "json"], &slash(&out));
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(tree(&out), [".tfc-files", "template.json"]);
    assert_eq!(
        std::fs::read_to_string(out.join(".tfc-files")).unwrap(),
        "template.json\n"
    );
    // An existing file is no directory.
    std::fs::write(dir.join("file"), "x").unwrap();
    let (code, stderr) = compile(&seed(), "tf", &[], &slash(&dir.join("file")));
    assert_eq!(code, Some(2), "{stderr}");
    assert_eq!(std::fs::read_to_string(dir.join("file")).unwrap(), "x");
}

#[test]
fn recompiling_deletes_exactly_the_files_an_earlier_compile_wrote_and_no_longer_writes() {
    let dir = scratch("recompile");
    let out = dir.join("out");
    let (code, stderr) = compile(&seed(), "cdk", &[], &slash(&out));
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(out.join(".tfc-files")).unwrap(),
        ".gitignore\nbin/my-proj.ts\ncdk.json\nlib/my-proj-stack.ts\nlib/my-proj-tasks.ts\npackage.json\ntsconfig.json\n"
    );
    // The user's own files, next to and among the generated ones.
    std::fs::write(out.join("README.md"), "mine").unwrap();
    std::fs::write(out.join("lib/helper.ts"), "mine").unwrap();
    std::fs::create_dir_all(out.join("node_modules/x")).unwrap();
    std::fs::write(out.join("node_modules/x/index.js"), "mine").unwrap();

    // The spec is renamed: the app's bin/ and lib/ files get new names.
    let renamed = dir.join("renamed.tfc.yaml");
    let text = std::fs::read_to_string(seed()).unwrap();
    std::fs::write(&renamed, text.replace("name: my-proj", "name: other-proj")).unwrap();
    let (code, stderr) = compile(&renamed, "cdk", &[], &out);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(
        tree(&out),
        [
            ".gitignore",
            ".tfc-files",
            "README.md",
            "bin/other-proj.ts",
            "cdk.json",
            "lib/helper.ts",
            "lib/other-proj-stack.ts",
            "lib/other-proj-tasks.ts",
            "node_modules/x/index.js",
            "package.json",
            "tsconfig.json",
        ]
    );

    // Another target into the same directory replaces the app, and only the app.
    let (code, stderr) = compile(&seed(), "terraform", &[], &out);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(
        tree(&out),
        [
            ".tfc-files",
            "README.md",
            "lib/helper.ts",
            "main.tf",
            "node_modules/x/index.js",
            "outputs.tf",
            "versions.tf",
        ]
    );
    assert_eq!(
        std::fs::read_to_string(out.join(".tfc-files")).unwrap(),
        "main.tf\noutputs.tf\nversions.tf\n"
    );
    assert_eq!(
        std::fs::read_to_string(out.join("README.md")).unwrap(),
        "mine"
    );
    // Directories are left in place (bin/ is empty now).
    assert!(out.join("bin").is_dir());
}

#[test]
fn a_hostile_manifest_deletes_nothing_outside_the_output_directory() {
    let dir = scratch("hostile-manifest");
    let out = dir.join("out");
    let outside = dir.join("outside");
    std::fs::create_dir_all(out.join("sub")).unwrap();
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(outside.join("victim"), "keep").unwrap();
    std::fs::write(out.join("sub/file"), "keep").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(&outside, out.join("link")).unwrap();
    let manifest = format!(
        "../outside/victim\n{}\nlink/victim\nsub\n./sub/file\nsub/../sub/file\nsub\\file\n/\n\n.tfc-files\n",
        outside.join("victim").display()
    );
    std::fs::write(out.join(".tfc-files"), manifest).unwrap();
    let (code, stderr) = compile(&seed(), "terraform", &[], &out);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(outside.join("victim")).unwrap(),
        "keep"
    );
    assert_eq!(
        std::fs::read_to_string(out.join("sub/file")).unwrap(),
        "keep"
    );
    assert!(out.join("link").exists());
    for refused in [
        "../outside/victim",
        "link/victim",
        "`sub`",
        "./sub/file",
        "/`",
    ] {
        assert!(
            stderr.contains("not deleting") && stderr.contains(refused),
            "{refused}: {stderr}"
        );
    }
    assert_eq!(
        std::fs::read_to_string(out.join(".tfc-files")).unwrap(),
        "main.tf\noutputs.tf\nversions.tf\n"
    );
    // A manifest that is no text tfc wrote is ignored as a whole.
    std::fs::write(out.join(".tfc-files"), b"main.tf\n\xff\n").unwrap();
    std::fs::write(out.join("extra.tf"), "keep").unwrap();
    let (code, stderr) = compile(&seed(), "terraform", &[], &out);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("not UTF-8"), "{stderr}");
    assert!(out.join("extra.tf").exists());
}

#[test]
fn a_failing_write_changes_nothing_and_no_temporary_file_is_left() {
    let dir = scratch("atomic");
    let out = dir.join("app");
    std::fs::create_dir_all(&out).unwrap();
    // `lib` is a file, so lib/…-stack.ts cannot be written; everything else could be.
    std::fs::write(out.join("lib"), "not a directory").unwrap();
    std::fs::write(out.join("cdk.json"), "old").unwrap();
    let (code, stderr) = compile(&seed(), "cdk", &[], &out);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("cannot"), "{stderr}");
    assert_eq!(
        tree(&out),
        ["cdk.json", "lib"],
        "nothing written, nothing left over"
    );
    assert_eq!(
        std::fs::read_to_string(out.join("cdk.json")).unwrap(),
        "old"
    );
    assert!(
        !out.join("bin").exists(),
        "directories created for the output are removed"
    );

    // A successful compile leaves exactly its files (no temporaries), and a second one does
    // not rewrite what is already up to date.
    std::fs::remove_file(out.join("lib")).unwrap();
    let (code, stderr) = compile(&seed(), "cdk", &[], &out);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(
        tree(&out),
        [
            ".gitignore",
            ".tfc-files",
            "bin/my-proj.ts",
            "cdk.json",
            "lib/my-proj-stack.ts",
            "lib/my-proj-tasks.ts",
            "package.json",
            "tsconfig.json"
        ]
    );
    let mtime = |p: &str| std::fs::metadata(out.join(p)).unwrap().modified().unwrap();
    let before = mtime("lib/my-proj-tasks.ts");
    std::thread::sleep(std::time::Duration::from_millis(20));
    let (code, _) = compile(&seed(), "cdk", &[], &out);
    assert_eq!(code, Some(0));
    assert_eq!(mtime("lib/my-proj-tasks.ts"), before);

    // An invalid spec writes nothing at all.
    let fresh = dir.join("fresh");
    let (code, _) = compile(
        &root().join("tests/invalid/fargate-memory.yaml"),
        "terraform",
        &[],
        &slash(&fresh),
    );
    assert_eq!(code, Some(1));
    assert!(!fresh.exists());
}

#[cfg(unix)]
#[test]
fn a_rewritten_file_keeps_its_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let dir = scratch("perms");
    let file = dir.join("t.yaml");
    std::fs::write(&file, "old").unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    let (code, stderr) = compile(&seed(), "cfn", &[], &file);
    assert_eq!(code, Some(0), "{stderr}");
    let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    assert!(std::fs::read_to_string(&file)
        .unwrap()
        .contains("AWSTemplateFormatVersion"));
    assert_eq!(tree(&dir), ["t.yaml"]);
}

/// Copies the examples' specs (without their outputs) into `dir`, each in a folder of its own.
fn spec_tree(dir: &Path, names: &[&str]) -> Vec<std::path::PathBuf> {
    names
        .iter()
        .map(|n| {
            let d = dir.join(n);
            std::fs::create_dir_all(&d).unwrap();
            let spec = d.join("spec.yaml");
            std::fs::copy(root().join("examples").join(n).join("spec.yaml"), &spec).unwrap();
            spec
        })
        .collect()
}

#[test]
fn several_specs_compile_each_to_its_own_output_as_one_compile_would() {
    let dir = scratch("many");
    let names = ["django-manage", "spot-jobs", "guardrails", "local-time"];
    let specs = spec_tree(&dir, &names);
    for target in ["cloudformation", "terraform", "cdk"] {
        let pattern = format!("{{dir}}/{target}/");
        let (code, _, stderr) = run(tfc()
            .arg("compile")
            .args(&specs)
            .args(["-t", target, "-o"])
            .arg(&pattern));
        assert_eq!(code, Some(0), "{stderr}");
        for n in names {
            // The same files as the golden output of one compile (the manifest aside).
            let got = dir.join(n).join(target);
            let want = root().join("examples").join(n).join(target);
            let files: Vec<String> = tree(&got)
                .into_iter()
                .filter(|f| f != ".tfc-files")
                .collect();
            let wanted: Vec<String> = tree(&want)
                .into_iter()
                .filter(|f| {
                    f != ".tfc-files" && !(target == "cloudformation" && f == "template.json")
                })
                .collect();
            assert_eq!(files, wanted, "{n} {target}");
            for f in files {
                assert_eq!(
                    std::fs::read_to_string(got.join(&f)).unwrap(),
                    std::fs::read_to_string(want.join(&f)).unwrap(),
                    "{n} {target} {f}"
                );
            }
        }
        // `--check` over all of them passes, and fails naming the one spec that drifted.
        let check = |specs: &[std::path::PathBuf]| {
            run(tfc()
                .arg("compile")
                .args(specs)
                .args(["-t", target, "--check", "-o"])
                .arg(&pattern))
        };
        let (code, _, stderr) = check(&specs);
        assert_eq!(code, Some(0), "{stderr}");
    }
    let main = dir.join("spot-jobs/terraform/main.tf");
    let text = std::fs::read_to_string(&main).unwrap();
    std::fs::write(&main, text + "# edited\n").unwrap();
    let (code, stdout, stderr) = run(tfc().arg("compile").args(&specs).args([
        "-t",
        "terraform",
        "--check",
        "-o",
        "{dir}/terraform/",
    ]));
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stdout.contains("-# edited"), "{stdout}");
    assert_eq!(stderr.matches("out of date").count(), 1, "{stderr}");
    assert!(stderr.contains("spot-jobs/spec.yaml"), "{stderr}");
}

#[test]
fn several_specs_write_nothing_when_one_fails_and_report_in_argument_order() {
    let dir = scratch("many-fail");
    let mut specs = spec_tree(&dir, &["django-manage", "guardrails"]);
    let bad = dir.join("bad.yaml");
    std::fs::copy(
        root().join("tests/invalid/capacity-provider-twice.yaml"),
        &bad,
    )
    .unwrap();
    specs.insert(1, bad);
    let out = dir.join("out/{stem}-{dir}/");
    let (code, _, stderr) = run(tfc()
        .arg("compile")
        .args(&specs)
        .args(["-t", "cloudformation", "-o"])
        .arg(dir.join("out/{stem}/")));
    // Two outputs named `spec`: refused before anything is compiled.
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("would both be written to"), "{stderr}");
    let (code, _, stderr) = run(tfc()
        .arg("compile")
        .args(&specs)
        .args(["-t", "cloudformation", "-o"])
        .arg(&out));
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("appears twice"), "{stderr}");
    assert!(stderr.contains("nothing written"), "{stderr}");
    assert!(!dir.join("out").exists(), "something was written");
    // The django spec's warning comes before the bad spec's error, as the arguments are.
    let warning = stderr.find("shell-injection").unwrap();
    let failure = stderr.find("appears twice").unwrap();
    assert!(warning < failure, "{stderr}");
    // Several specs without a pattern are a usage error.
    let (code, _, stderr) = run(tfc()
        .arg("compile")
        .args(&specs)
        .args(["-t", "cloudformation", "-o"])
        .arg(dir.join("out/")));
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("{dir}"), "{stderr}");
}
