//! Deterministic synthetic data sets in the data-folder formats, for scale tests and benches:
//! 40 chains × 30 segments, 300 parks under 60 regions, N enterprises with skewed locations.

use std::fmt::Write as _;
use std::io::{BufWriter, Write};
use std::path::Path;

pub const CHAINS: usize = 40;
pub const SEGMENTS_PER_CHAIN: usize = 30;
pub const CITIES: usize = 10;
pub const COUNTIES_PER_CITY: usize = 5;
pub const TOP_PARKS: usize = 100;
pub const SUB_PARKS: usize = 200;
pub const INDUSTRIES: usize = 10;

/// splitmix64: a tiny, well-known deterministic generator (same seed → same data everywhere).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

pub fn chain_id(c: usize) -> String {
    format!("合成链{c:02}")
}
pub fn segment_id(c: usize, s: usize) -> String {
    format!("合成链{c:02}-环节{s:02}")
}
pub fn park_id(p: usize) -> String {
    if p < TOP_PARKS {
        format!("合成园区{p:03}")
    } else {
        format!("合成园区{:03}-片区{p:03}", (p - TOP_PARKS) % TOP_PARKS)
    }
}
fn city_id(c: usize) -> String {
    format!("合成市{c:02}")
}
fn county_id(c: usize) -> String {
    format!("合成县{c:02}")
}

/// Write a data folder with `enterprises` enterprises under `dir` (graphs/ and seeds/).
pub fn generate(dir: &Path, enterprises: usize, seed: u64) -> std::io::Result<()> {
    let graphs = dir.join("graphs");
    let seeds = dir.join("seeds");
    std::fs::create_dir_all(&graphs)?;
    std::fs::create_dir_all(&seeds)?;
    let mut rng = Rng(seed);
    let src = format!("chainkb gen --seed {seed}");

    for c in 0..CHAINS {
        let mut t = String::new();
        let _ = writeln!(t, "[chain]\nid = \"{}\"\nsource = \"{src}\"\n", chain_id(c));
        for s in 0..SEGMENTS_PER_CHAIN {
            let stage = ["上游", "中游", "下游"][s * 3 / SEGMENTS_PER_CHAIN];
            let _ = writeln!(
                t,
                "[[segment]]\nid = \"{}\"\nstage = \"{stage}\"\n",
                segment_id(c, s)
            );
        }
        for s in 1..SEGMENTS_PER_CHAIN {
            let _ = writeln!(
                t,
                "[[supplies]]\nfrom = \"{}\"\nto = \"{}\"\n",
                segment_id(c, s - 1),
                segment_id(c, s)
            );
            if s >= 3 && rng.below(2) == 0 {
                let extra = rng.below(s - 2);
                let _ = writeln!(
                    t,
                    "[[supplies]]\nfrom = \"{}\"\nto = \"{}\"\n",
                    segment_id(c, extra),
                    segment_id(c, s)
                );
            }
        }
        std::fs::write(graphs.join(format!("chain-{c:02}.toml")), t)?;
    }

    let mut w = BufWriter::new(std::fs::File::create(seeds.join("regions.csv"))?);
    writeln!(w, "id,level,parent,source")?;
    writeln!(w, "合成省,省,,{src}")?;
    for c in 0..CITIES {
        writeln!(w, "{},州市,合成省,{src}", city_id(c))?;
    }
    for k in 0..CITIES * COUNTIES_PER_CITY {
        writeln!(
            w,
            "{},区县,{},{src}",
            county_id(k),
            city_id(k / COUNTIES_PER_CITY)
        )?;
    }
    w.flush()?;

    let mut w = BufWriter::new(std::fs::File::create(seeds.join("industries.csv"))?);
    writeln!(w, "id,chains,source")?;
    for i in 0..INDUSTRIES {
        let chains: Vec<String> = (0..CHAINS)
            .filter(|c| c % INDUSTRIES == i)
            .map(chain_id)
            .collect();
        writeln!(w, "合成产业{i:02},{},{src}", chains.join(";"))?;
    }
    w.flush()?;

    let mut w = BufWriter::new(std::fs::File::create(seeds.join("systems.csv"))?);
    writeln!(w, "place,system,industry,class,source")?;
    for c in 0..CITIES {
        for i in 0..3 {
            let ind = (c + i) % INDUSTRIES;
            writeln!(
                w,
                "{},{}产业体系,合成产业{ind:02},{},{src}",
                city_id(c),
                city_id(c),
                ["主导", "爆发型", "支撑型"][i]
            )?;
        }
    }
    w.flush()?;

    let mut w = BufWriter::new(std::fs::File::create(seeds.join("parks.csv"))?);
    writeln!(w, "id,kind,parent,area_km2,focus,source")?;
    for p in 0..TOP_PARKS + SUB_PARKS {
        let (kind, parent) = if p < TOP_PARKS {
            ("园区", county_id(p % (CITIES * COUNTIES_PER_CITY)))
        } else {
            ("片区", park_id((p - TOP_PARKS) % TOP_PARKS))
        };
        let focus = format!("合成产业{:02}", rng.below(INDUSTRIES));
        writeln!(
            w,
            "{},{kind},{parent},{},{focus},{src}",
            park_id(p),
            1 + rng.below(50)
        )?;
    }
    w.flush()?;

    // Locations are skewed: a few parks hold most enterprises (u³ concentrates near 0).
    let parks = TOP_PARKS + SUB_PARKS;
    let pick_park = |rng: &mut Rng| ((rng.unit().powi(3)) * parks as f64) as usize % parks;
    let tags = ["上市", "专精特新", "高新技术企业", "民营500强", "链主"];
    let mut w = BufWriter::with_capacity(
        1 << 20,
        std::fs::File::create(seeds.join("enterprises.csv"))?,
    );
    writeln!(
        w,
        "id,province,city,location,revenue_yi,tags,segments,source"
    )?;
    for e in 0..enterprises {
        let park = pick_park(&mut rng);
        let chain = rng.below(CHAINS);
        let n = 1 + rng.below(3);
        let mut segs: Vec<usize> = (0..n).map(|_| rng.below(SEGMENTS_PER_CHAIN)).collect();
        segs.sort_unstable();
        segs.dedup();
        let segs: Vec<String> = segs.into_iter().map(|s| segment_id(chain, s)).collect();
        let tag = if rng.below(10) == 0 {
            tags[rng.below(tags.len())]
        } else {
            ""
        };
        let revenue = if rng.below(3) == 0 {
            format!("{:.2}", rng.unit() * rng.unit() * 100.0)
        } else {
            String::new()
        };
        writeln!(
            w,
            "合成企业{e:07},合成省,{},{},{revenue},{tag},{},{src}",
            city_id(park % CITIES),
            park_id(park),
            segs.join(";")
        )?;
    }
    w.flush()?;

    let mut w = BufWriter::new(std::fs::File::create(seeds.join("projects.csv"))?);
    writeln!(w, "id,name,location,investment_yi,status,segments,source")?;
    let statuses = ["规划", "推介", "在谈", "签约", "开工", "投产"];
    for p in 0..(enterprises / 100).max(10) {
        let chain = rng.below(CHAINS);
        writeln!(
            w,
            "P{p:06},合成项目{p:06},{},{:.2},{},{},{src}",
            park_id(pick_park(&mut rng)),
            rng.unit() * 50.0,
            statuses[rng.below(statuses.len())],
            segment_id(chain, rng.below(SEGMENTS_PER_CHAIN))
        )?;
    }
    w.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_data_passes_check_and_is_deterministic() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        generate(a.path(), 500, 7).unwrap();
        generate(b.path(), 500, 7).unwrap();
        let read = |d: &Path| std::fs::read(d.join("seeds/enterprises.csv")).unwrap();
        assert_eq!(read(a.path()), read(b.path()));
        let loaded = crate::data::load(&[a.path().to_path_buf()], Default::default()).unwrap();
        assert!(
            loaded.is_ok(),
            "{:?}",
            &loaded.diags[..loaded.diags.len().min(5)]
        );
        let ds = &loaded.dataset;
        let count = |k| ds.nodes.iter().filter(|n| n.kind == k).count();
        assert_eq!(count(crate::model::Kind::Enterprise), 500);
        assert_eq!(
            count(crate::model::Kind::Segment),
            CHAINS * SEGMENTS_PER_CHAIN
        );
        assert_eq!(count(crate::model::Kind::Park), TOP_PARKS + SUB_PARKS);
    }
}
