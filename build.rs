//! Embeds the lean schema the screen reads (`src/spec/lean.rs`): the published schema with its
//! annotations stripped at build time, so start-up parses a sixth of the text. And reads the
//! numbers of the mimalloc options the binary sets (src/main.rs) from the header of the
//! mimalloc that is built, so an upgrade that renumbers them cannot set the wrong one.

#[path = "src/spec/lean.rs"]
mod lean;

fn main() {
    const SCHEMA: &str = "schemas/tfc.schema.json";
    println!("cargo:rerun-if-changed={SCHEMA}");
    println!("cargo:rerun-if-changed=src/spec/lean.rs");
    let text = std::fs::read_to_string(SCHEMA).expect("schemas/tfc.schema.json is readable");
    let mut schema: serde_json::Value =
        serde_json::from_str(&text).expect("schemas/tfc.schema.json is JSON");
    lean::strip(&mut schema);
    let out = std::path::PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::write(
        out.join("tfc.lean.schema.json"),
        serde_json::to_string(&schema).expect("a JSON value serialises"),
    )
    .expect("OUT_DIR is writable");
    mimalloc_options(&out);
}

/// `OUT_DIR/mimalloc_options.rs`: a constant for each option of `enum mi_option_e` in the
/// `mimalloc.h` libmimalloc-sys builds (`DEP_MIMALLOC_INCLUDE_DIR`), numbered as C numbers them.
fn mimalloc_options(out: &std::path::Path) {
    let include = std::env::var("DEP_MIMALLOC_INCLUDE_DIR")
        .expect("libmimalloc-sys (links = \"mimalloc\") gives its include directory");
    let header = std::path::Path::new(&include).join("mimalloc.h");
    println!("cargo:rerun-if-changed={}", header.display());
    let text = std::fs::read_to_string(&header).expect("mimalloc.h is readable");
    let body = text
        .split_once("typedef enum mi_option_e {")
        .and_then(|(_, rest)| rest.split_once("} mi_option_t;"))
        .expect("mimalloc.h declares enum mi_option_e")
        .0;
    let mut constants = String::new();
    let mut number = 0;
    for line in body.lines() {
        let entry = line.split("//").next().unwrap_or_default().trim();
        let name = entry.trim_end_matches(',').trim();
        // The enum's aliases (`legacy = current`) come after `_mi_option_last`.
        if name.is_empty() || name.contains('=') {
            continue;
        }
        if name == "_mi_option_last" {
            break;
        }
        let Some(option) = name.strip_prefix("mi_option_") else {
            panic!("mimalloc.h: unexpected entry `{name}` in enum mi_option_e");
        };
        constants.push_str(&format!(
            "#[allow(dead_code)]\npub const {}: std::ffi::c_int = {number};\n",
            option.to_uppercase()
        ));
        number += 1;
    }
    std::fs::write(out.join("mimalloc_options.rs"), constants).expect("OUT_DIR is writable");
}
