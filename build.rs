//! Bundles the seed knowledge base (`graphs/*.toml`, `seeds/*.csv`) into the binary, so the
//! embedded default database can be built on a fresh machine from any directory.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let root = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let mut files: Vec<(String, String)> = Vec::new();
    for (dir, ext) in [("graphs", "toml"), ("seeds", "csv")] {
        let d = Path::new(&root).join(dir);
        println!("cargo:rerun-if-changed={}", d.display());
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let p = entry.path();
            let name = entry.file_name().to_string_lossy().to_string();
            if p.is_file() && !name.starts_with('.') && p.extension().is_some_and(|e| e == ext) {
                println!("cargo:rerun-if-changed={}", p.display());
                files.push((format!("{dir}/{name}"), p.display().to_string()));
            }
        }
    }
    files.sort();
    let mut src =
        String::from("/// The bundled seed data: (canonical name, bytes), sorted by name.\n");
    src.push_str("pub static FILES: &[(&str, &[u8])] = &[\n");
    for (name, path) in &files {
        let _ = writeln!(src, "    ({name:?}, include_bytes!({path:?})),");
    }
    src.push_str("];\n");
    let out = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    std::fs::write(Path::new(&out).join("bundle.rs"), src).expect("write bundle.rs");
}
