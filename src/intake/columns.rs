//! One export row read: headers → fields (units in brackets), placeholder cells, revenue in 亿元, tags, stock codes, credit-code check digits.

use crate::model::KNOWN_TAGS;
use std::collections::HashMap;

/// What a column of an export holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Field {
    Name,
    CreditCode,
    Province,
    City,
    Capital,
    Revenue,
    CompanyType,
    Tags,
    Scope,
    Products,
    ListingStatus,
    StockCode,
    Segments,
    Aliases,
}

/// Header spellings per field, compared after trimming and dropping bracketed units.
pub const HEADERS: &[(Field, &[&str])] = &[
    (
        Field::Name,
        &[
            "企业名称",
            "公司名称",
            "名称",
            "企业名",
            "单位名称",
            "主体名称",
        ],
    ),
    (
        Field::CreditCode,
        &["统一社会信用代码", "社会信用代码", "信用代码"],
    ),
    (Field::Province, &["所属省份", "省份", "所属省", "省"]),
    (Field::City, &["所属城市", "城市", "所属地市", "地市", "市"]),
    (Field::Capital, &["注册资本"]),
    (
        Field::Revenue,
        &["营业收入", "营业总收入", "营收", "年营业收入"],
    ),
    (Field::CompanyType, &["企业类型", "公司类型"]),
    (
        Field::Tags,
        &["企业标签", "标签", "企业资质", "资质", "科技型企业"],
    ),
    (Field::Scope, &["经营范围"]),
    (
        Field::Products,
        &["主营产品", "主营业务", "主要产品", "产品"],
    ),
    (Field::ListingStatus, &["上市状态", "上市情况"]),
    (Field::StockCode, &["股票代码", "证券代码"]),
    (
        Field::Segments,
        &["产业链环节", "所属环节", "环节", "segments"],
    ),
    (
        Field::Aliases,
        &["企业简称", "简称", "股票简称", "证券简称", "曾用名"],
    ),
];

/// A header without spaces, `*` marks and bracketed parts; the bracketed text (a unit such as
/// 万元) is returned separately.
pub fn clean_header(h: &str) -> (String, String) {
    let mut key = String::new();
    let mut unit = String::new();
    let mut depth = 0u32;
    for c in h.chars() {
        match c {
            '(' | '（' | '[' | '【' | '〔' => depth += 1,
            ')' | '）' | ']' | '】' | '〕' => depth = depth.saturating_sub(1),
            c if c.is_whitespace() || c == '*' || c == '\u{feff}' => {}
            c if depth > 0 => unit.push(c),
            c => key.push(c),
        }
    }
    (key.to_lowercase(), unit)
}

/// Which columns hold which field, and the unit each header states.
#[derive(Debug, Default)]
pub struct Mapping {
    pub fields: HashMap<Field, Vec<usize>>,
    pub units: HashMap<usize, String>,
    /// Headers that map to nothing (reported once, then ignored).
    pub ignored: Vec<String>,
}

impl Mapping {
    pub fn new(header: &[String]) -> Mapping {
        let mut m = Mapping::default();
        for (i, h) in header.iter().enumerate() {
            let (key, unit) = clean_header(h);
            if key.is_empty() {
                continue;
            }
            match HEADERS
                .iter()
                .find(|(_, names)| names.iter().any(|n| n.to_lowercase() == key))
            {
                Some((f, _)) => {
                    m.fields.entry(*f).or_default().push(i);
                    m.units.insert(i, unit);
                }
                None => m.ignored.push(h.trim().to_string()),
            }
        }
        m
    }

    pub fn has(&self, f: Field) -> bool {
        self.fields.contains_key(&f)
    }

    /// The first non-empty cell of the field's columns, with its column index.
    pub fn first<'a>(&self, f: Field, cells: &'a [String]) -> Option<(usize, &'a str)> {
        self.fields.get(&f)?.iter().find_map(|&i| {
            let v = clean_cell(cells.get(i).map_or("", String::as_str));
            (!v.is_empty()).then_some((i, v))
        })
    }

    /// Every non-empty cell of the field's columns, joined by `；`.
    pub fn joined(&self, f: Field, cells: &[String]) -> String {
        let Some(cols) = self.fields.get(&f) else {
            return String::new();
        };
        cols.iter()
            .map(|&i| clean_cell(cells.get(i).map_or("", String::as_str)))
            .filter(|v| !v.is_empty())
            .collect::<Vec<_>>()
            .join("；")
    }
}

/// A cell trimmed, with the platforms' placeholders for "nothing" (`-`, `--`, `暂无` …) read as
/// empty.
pub fn clean_cell(cell: &str) -> &str {
    let t = cell.trim();
    match t {
        "-" | "--" | "—" | "——" | "/" | "暂无" | "未公开" | "无" | "N/A" | "n/a" | "null"
        | "NULL" => "",
        _ => t,
    }
}

/// An amount cell in 亿元: the unit comes from the cell (`12.5亿`, `3000万元`) or else the header
/// (`营业收入(万元)`); a cell without a unit under a header without one is an error, not a guess.
// String: the reason in the intake report's row for the cell (`intake::row`).
pub fn revenue_yi(cell: &str, header_unit: &str) -> Result<f64, String> {
    // Full-width digits and signs (５００, －３) are what a Chinese input method types.
    let mut t: String = cell
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, ',' | '，'))
        .map(|c| match c {
            '０'..='９' | '．' | '－' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            c => c,
        })
        .collect();
    if t.contains("美元") || t.contains("港元") || t.contains("港币") {
        return Err(crate::msg!("不是人民币", "is not in 人民币"));
    }
    t = t.replace("人民币", "");
    let mut factor = None;
    for (suffix, f) in [
        ("亿元", 1.0),
        ("亿", 1.0),
        ("万元", 1e-4),
        ("万", 1e-4),
        ("元", 1e-8),
    ] {
        if let Some(rest) = t.strip_suffix(suffix) {
            t = rest.to_string();
            factor = Some(f);
            break;
        }
    }
    let factor = match factor {
        Some(f) => f,
        None if header_unit.contains('亿') => 1.0,
        None if header_unit.contains('万') => 1e-4,
        None if header_unit.contains('元') => 1e-8,
        None => {
            return Err(crate::msg!(
                "没有单位，表头也没有写（应在表头写万元或亿元，如 营业收入(万元)，或写在格里）",
                "has no unit and the header states none (expected 万元 or 亿元 in the header, e.g. 营业收入(万元), or in the cell)"
            ));
        }
    };
    match t.parse::<f64>() {
        Ok(v) if v.is_finite() && v >= 0.0 => Ok(v * factor),
        // A loss is not a revenue: an export that puts 净利润 here, or a sign typed by mistake.
        Ok(v) if v < 0.0 => Err(crate::msg!(
            "是负数：营业收入不会小于 0",
            "is negative: a revenue is never below 0"
        )),
        _ => Err(crate::msg!("不是数字", "is not a number")),
    }
}

/// A number as a plain decimal without float noise (`4009.17`, `0.0012`).
pub fn plain_decimal(v: f64) -> String {
    let s = format!("{v:.8}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s.is_empty() { "0".into() } else { s.into() }
}

/// Known tags named by a platform label (`国家级专精特新"小巨人"企业` → 专精特新小巨人,
/// `失信被执行人` → 失信), in KNOWN_TAGS spelling; None when the label names none.
pub fn map_tag(label: &str) -> Option<&'static str> {
    let l = label.trim();
    if let Some(t) = KNOWN_TAGS.iter().find(|t| **t == l) {
        return Some(t);
    }
    let rules: &[(&[&str], &str)] = &[
        (&["失信"], "失信"),
        (&["小巨人"], "专精特新小巨人"),
        (&["专精特新"], "专精特新"),
        (&["高新技术企业", "高新企业"], "高新技术企业"),
        (&["瞪羚"], "瞪羚"),
        (&["独角兽"], "独角兽"),
        (&["单项冠军"], "单项冠军"),
        (&["世界500强"], "世界500强"),
        (&["民营企业500强", "民营500强"], "民营500强"),
        (&["制造业500强"], "制造业500强"),
        (&["中国企业500强", "中国500强"], "中国500强"),
        (&["国有", "国企", "央企"], "国有"),
        (&["外商", "外资", "台港澳", "港澳台", "中外合资"], "外资"),
    ];
    for (keys, tag) in rules {
        if keys.iter().any(|k| l.contains(k)) {
            return Some(tag);
        }
    }
    if [
        "A股",
        "B股",
        "H股",
        "港股",
        "美股",
        "中概股",
        "主板",
        "创业板",
        "科创板",
    ]
    .contains(&l)
    {
        return Some("上市");
    }
    if l.contains("上市")
        && !["非上市", "未上市", "退市", "终止上市"]
            .iter()
            .any(|k| l.contains(k))
    {
        return Some("上市");
    }
    None
}

/// Split a label or list cell on the separators platforms use.
pub fn split_labels(cell: &str) -> Vec<&str> {
    cell.split([';', '；', ',', '，', '、', '|', '/', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect()
}

/// A stock code as chainkb's `listing` (`深交所:002812`), from `002812`, `002812.SZ`, `09696.HK`.
pub fn listing_of(code: &str) -> String {
    let c = code.trim().to_uppercase();
    let (num, market) = match c.split_once('.') {
        Some((n, m)) => (n.to_string(), Some(m.to_string())),
        None => (c.clone(), None),
    };
    let board = match market.as_deref() {
        Some("SZ") => Some("深交所"),
        Some("SH") | Some("SS") => Some("上交所"),
        Some("BJ") => Some("北交所"),
        Some("HK") => Some("港交所"),
        Some(_) => None,
        None if num.len() == 6 && num.chars().all(|c| c.is_ascii_digit()) => match &num[..2] {
            "60" | "68" | "90" => Some("上交所"),
            "00" | "30" | "20" => Some("深交所"),
            "43" | "83" | "87" | "88" | "92" => Some("北交所"),
            _ => None,
        },
        None if num.len() == 5 && num.chars().all(|c| c.is_ascii_digit()) => Some("港交所"),
        None => None,
    };
    match board {
        Some(b) => format!("{b}:{num}"),
        None => c,
    }
}

/// The GB 32100-2015 check of an 18-character 统一社会信用代码: Ok, or the reason it fails.
// String: the reason in the intake report's row for the cell (`intake::row`).
pub fn check_credit_code(code: &str) -> Result<(), String> {
    const CHARS: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    const WEIGHTS: [u32; 17] = [
        1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
    ];
    let chars: Vec<char> = code.chars().collect();
    if chars.len() != 18 {
        let n = chars.len();
        let count = super::plural(n, "character");
        return Err(crate::msg!("有 {n} 位，不是 18 位", "has {count}, not 18"));
    }
    let mut sum = 0;
    for (i, c) in chars.iter().enumerate() {
        let Some(v) = CHARS.find(*c) else {
            return Err(crate::msg!(
                "含有统一社会信用代码从不使用的 `{c}`",
                "contains `{c}`, which a 统一社会信用代码 never uses"
            ));
        };
        if i < 17 {
            sum += v as u32 * WEIGHTS[i];
        }
    }
    let want = (31 - sum % 31) % 31;
    let want = CHARS.as_bytes()[want as usize] as char;
    if chars[17] == want {
        Ok(())
    } else {
        Err(crate::msg!(
            "通不过 GB 32100 校验（最后一位应为 `{want}`）",
            "fails the GB 32100 check digit (the last character should be `{want}`)"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_match_after_trimming_units() {
        assert_eq!(
            clean_header(" 营业收入（万元） "),
            ("营业收入".into(), "万元".into())
        );
        let h: Vec<String> = [
            "*企业名称",
            "注册资本(万元)",
            "营业收入[亿元]",
            "法定代表人",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let m = Mapping::new(&h);
        assert_eq!(m.fields[&Field::Name], vec![0]);
        assert_eq!(m.units[&2], "亿元");
        assert_eq!(m.ignored, vec!["法定代表人"]);
    }

    #[test]
    fn revenue_units() {
        assert_eq!(revenue_yi("40,091,700", "万元").unwrap(), 4009.17);
        assert_eq!(revenue_yi("12.5亿", "").unwrap(), 12.5);
        assert_eq!(revenue_yi("3000万元", "亿元").unwrap(), 0.3);
        assert!(revenue_yi("1亿-5亿", "").is_err());
        assert!(revenue_yi("3000", "").unwrap_err().contains("没有单位"));
        assert!(revenue_yi("100万美元", "").is_err());
        assert_eq!(plain_decimal(40091700.0 * 1e-4), "4009.17");
        // full-width digits as typed with a Chinese input method
        assert_eq!(revenue_yi("５００", "万元").unwrap(), 0.05);
        assert_eq!(revenue_yi("１２．５亿", "").unwrap(), 12.5);
        assert!(revenue_yi("-300", "万元").unwrap_err().contains("是负数"));
        assert!(revenue_yi("－３", "亿元").unwrap_err().contains("是负数"));
    }

    #[test]
    fn tags_and_listing() {
        assert_eq!(map_tag("失信被执行人"), Some("失信"));
        assert_eq!(
            map_tag("国家级专精特新\"小巨人\"企业"),
            Some("专精特新小巨人")
        );
        assert_eq!(map_tag("国家高新技术企业"), Some("高新技术企业"));
        assert_eq!(
            map_tag("股份有限公司(上市、自然人投资或控股)"),
            Some("上市")
        );
        assert_eq!(map_tag("股份有限公司(非上市"), None);
        assert_eq!(listing_of("002812"), "深交所:002812");
        assert_eq!(listing_of("601012.SH"), "上交所:601012");
        assert_eq!(listing_of("01211.HK"), "港交所:01211");
        assert_eq!(listing_of("01211"), "港交所:01211");
    }

    #[test]
    fn credit_code_check_digit() {
        assert!(check_credit_code("91350900587527783P").is_ok());
        assert!(
            check_credit_code("91350900587527783Q")
                .unwrap_err()
                .contains("`P`")
        );
        assert!(check_credit_code("9135").is_err());
    }
}
