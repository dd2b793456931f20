//! Embeds the lean schema the screen reads (`src/spec/lean.rs`): the published schema with its
//! annotations stripped at build time, so start-up parses a sixth of the text.

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
}
