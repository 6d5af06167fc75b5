//! Arbitrary bytes as one seed CSV file of the data folder `tests/fixtures/mini`, read as
//! `chainkb check` and `import` read a folder (`data::load_inputs`).
//!
//! The first byte chooses the file (one of the fixture's six, replaced, or a relations,
//! candidates or second enterprises file, added) and the encoding it is read with; the rest is
//! the file. Checks: no panic, no hang; when the folder reads without problems, export → import
//! gives the same dataset and export → import → export the same files
//! (`chainkb_fuzz::round_trip`).
#![no_main]

use chainkb::data::{self, Encoding};
use libfuzzer_sys::fuzz_target;

const FILES: &[&str] = &[
    "seeds/regions.csv",
    "seeds/parks.csv",
    "seeds/industries.csv",
    "seeds/enterprises.csv",
    "seeds/projects.csv",
    "seeds/systems.csv",
    "seeds/relations.csv",
    "seeds/candidates.csv",
    "seeds/enterprises-more.csv",
];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, bytes)) = data.split_first() else {
        return;
    };
    let name = FILES[pick as usize % FILES.len()];
    let encoding = [Encoding::Auto, Encoding::Utf8, Encoding::Gbk][pick as usize / FILES.len() % 3];
    let loaded = data::load_inputs(chainkb_fuzz::mini_with(name, bytes), encoding);
    chainkb_fuzz::show(&loaded);
    if loaded.is_ok() {
        chainkb_fuzz::round_trip(&loaded.dataset);
    }
});
