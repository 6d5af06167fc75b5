//! Arbitrary bytes as TOML, through every TOML reader of chainkb:
//!
//! * a chain template `graphs/*.toml` of the data folder `tests/fixtures/mini` (one of its
//!   three, replaced, or a fourth, added), read as `check` / `import` read a folder; when it
//!   reads without problems, export → import must give the same dataset
//!   (`chainkb_fuzz::round_trip`);
//! * target weights (`targets::config::Weights::parse`, `--weights`) and admission rules
//!   (`targets::config::parse_rules`, `--rules`);
//! * segment keywords for `intake` (`intake::Keywords::parse`, `--keywords`), resolved against
//!   the templates of the fixture.
//!
//! The first byte chooses the reader; the rest is the text. Checks: no panic, no hang.
#![no_main]

use chainkb::data::{self, Encoding, Resolver};
use chainkb::intake::Keywords;
use chainkb::targets::config;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

const TEMPLATES: &[&str] = &[
    "graphs/lithium.toml",
    "graphs/pv.toml",
    "graphs/vaccine.toml",
    "graphs/more.toml",
];

fn resolver() -> &'static Resolver {
    static R: OnceLock<Resolver> = OnceLock::new();
    R.get_or_init(|| Resolver::new(chainkb_fuzz::mini().dataset))
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, bytes)) = data.split_first() else {
        return;
    };
    match pick % 8 {
        n @ 0..4 => {
            let name = TEMPLATES[n as usize];
            let loaded = data::load_inputs(chainkb_fuzz::mini_with(name, bytes), Encoding::Auto);
            chainkb_fuzz::show(&loaded);
            if loaded.is_ok() {
                chainkb_fuzz::round_trip(&loaded.dataset);
            }
        }
        n => {
            let Ok(text) = std::str::from_utf8(bytes) else {
                return;
            };
            match n {
                4 | 5 => {
                    if let Ok(w) = config::Weights::parse(Some(text)) {
                        let _ = w.origin_region("江苏省");
                    }
                }
                6 => {
                    let _ = config::parse_rules(Some(text));
                }
                _ => match Keywords::parse(text, "k.toml", resolver()) {
                    Ok(kw) => {
                        let _ = kw.find("年产10万吨碳酸锂及正极材料项目");
                    }
                    Err(errs) => {
                        let _ = errs.join("\n");
                    }
                },
            }
        }
    }
});
