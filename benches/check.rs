//! `cargo bench --bench check`: how long checking (and compiling) one spec takes, in-process.
//! Timings live here, not in tests. Numbers for the README's development notes.

use std::time::Instant;

fn main() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    for name in ["django-manage", "nightly-report", "safe-argv"] {
        let bytes =
            std::fs::read(root.join("examples").join(name).join("spec.yaml")).expect("example");
        // Warm up (compiles the JSON Schema validator once per process, as the CLI does).
        assert!(!tfc::check(&bytes).has_errors());
        let runs = 2000;
        let start = Instant::now();
        for _ in 0..runs {
            std::hint::black_box(tfc::check(std::hint::black_box(&bytes)));
        }
        let check = start.elapsed() / runs;
        let spec = tfc::check(&bytes).spec.expect("valid");
        let start = Instant::now();
        for _ in 0..runs {
            let model = tfc::model::lower(&spec);
            for target in tfc::targets::Target::ALL {
                std::hint::black_box(
                    target
                        .backend()
                        .render(
                            &tfc::plan::lower(&model),
                            tfc::targets::Layout::Single,
                            tfc::targets::Format::Yaml,
                        )
                        .expect("render"),
                );
            }
        }
        let render = start.elapsed() / runs;
        println!("{name:16} check {check:>10.1?}   lower+render all targets {render:>10.1?}");
    }
}
