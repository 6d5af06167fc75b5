//! Arbitrary bytes as an enterprise-platform CSV export, through `chainkb intake`'s path:
//! `intake::read_rows` (decode, CSV with line breaks anywhere, blank lines kept) →
//! `intake::intake` (header search, column mapping, cleaning, keyword segments, duplicates,
//! firms already in the data) against the bundled templates, seeds and keywords →
//! `intake::to_csv`.
//!
//! The first byte chooses the encoding; the rest is the file. Checks: no panic, no hang; the
//! candidates file written must read without problems together with the templates (what
//! `intake::verify` checks before writing: a failure there is an internal error).
#![no_main]

use chainkb::data::{self, Encoding, Input, Resolver};
use chainkb::intake::{self, Keywords, Known, Options};
use libfuzzer_sys::fuzz_target;
use std::path::PathBuf;
use std::sync::OnceLock;

struct Setup {
    resolver: Resolver,
    keywords: Keywords,
    known: Known,
    templates: Vec<(String, Vec<u8>)>,
    file: PathBuf,
}

fn setup() -> &'static Setup {
    static S: OnceLock<Setup> = OnceLock::new();
    S.get_or_init(|| {
        let inputs = chainkb::bundle::inputs();
        let templates = inputs
            .iter()
            .filter(|i| i.name.starts_with("graphs/"))
            .map(|i| (i.name.clone(), i.bytes.clone().expect("bundled bytes")))
            .collect();
        let resolver = Resolver::new(data::load_inputs(inputs, Encoding::Auto).dataset);
        let keywords = intake::load_keywords(
            Some(&PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../config/segment-keywords.toml"
            ))),
            &resolver,
        )
        .expect("the shipped keywords resolve against the bundled templates");
        let known = Known::new(resolver.dataset());
        let dir = std::env::temp_dir().join(format!("chainkb-fuzz-intake-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("create the scratch folder");
        Setup {
            resolver,
            keywords,
            known,
            templates,
            file: dir.join("export.csv"),
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, bytes)) = data.split_first() else {
        return;
    };
    let s = setup();
    let encoding = [Encoding::Auto, Encoding::Utf8, Encoding::Gbk][pick as usize % 3];
    std::fs::write(&s.file, bytes).expect("write the export");
    let rows = match intake::read_rows(&s.file, None, encoding) {
        Ok(rows) => rows,
        Err(_) => return,
    };
    let opts = Options {
        source: Some("fuzz"),
        known: Some(&s.known),
        skip_known: pick & 0x80 != 0,
    };
    let Ok(outcome) = intake::intake(&rows, "export.csv", &opts, &s.resolver, &s.keywords) else {
        return;
    };
    let _ = outcome.lines("export.csv");
    let _ = outcome.summary("export.csv", "candidates-x.csv");
    let csv = intake::to_csv(&outcome.candidates);
    if outcome.candidates.is_empty() {
        return;
    }
    // What `intake::verify` does, against the bundled templates.
    let mut inputs: Vec<Input> = s
        .templates
        .iter()
        .map(|(n, b)| Input {
            name: n.clone(),
            display: n.clone(),
            bytes: Ok(b.clone()),
            path: None,
        })
        .collect();
    inputs.push(Input {
        name: "seeds/candidates-intake.csv".into(),
        display: "(written) candidates".into(),
        bytes: Ok(csv.clone()),
        path: None,
    });
    let loaded = data::load_inputs(inputs, Encoding::Auto);
    let ours: Vec<String> = loaded
        .diags
        .iter()
        .filter(|d| d.file == "(written) candidates")
        .map(|d| d.to_string())
        .collect();
    assert!(
        ours.is_empty(),
        "intake wrote a candidates file that does not pass check:\n{}\n---\n{}",
        ours.join("\n"),
        String::from_utf8_lossy(&csv)
    );
});
