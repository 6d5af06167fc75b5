//! Decoding data files into text: UTF-8 (with or without a byte-order mark) or GBK, chosen by
//! `--encoding` or found (`auto`), with messages that say what to do when the bytes are
//! neither (a second BOM, UTF-16 from Excel's "Unicode text", binary data); and the words of a
//! file that cannot be read, so that references to names it may define are not called unknown.

use std::collections::HashSet;
use std::fmt;
use std::str::FromStr;

/// The text encoding of CSV input.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Encoding {
    /// UTF-8 (a BOM is skipped); if the bytes are not UTF-8, GBK.
    #[default]
    Auto,
    Utf8,
    Gbk,
}

impl FromStr for Encoding {
    type Err = String;
    // String: clap's `--encoding` parser shows it under the argument's name (a usage error).
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "auto" => Ok(Encoding::Auto),
            "utf-8" | "utf8" => Ok(Encoding::Utf8),
            "gbk" | "gb2312" | "gb18030" => Ok(Encoding::Gbk),
            other => Err(crate::msg!(
                "没有 `{other}` 这种编码（应为 auto、utf-8 或 gbk）",
                "unknown encoding `{other}` (expected auto, utf-8 or gbk)"
            )),
        }
    }
}

impl fmt::Display for Encoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Encoding::Auto => "auto",
            Encoding::Utf8 => "utf-8",
            Encoding::Gbk => "gbk",
        })
    }
}

/// Decode file bytes. Errors are messages without a position (the caller adds the file).
// String: the caller makes it the file's `file:1:1` `Diag`.
pub fn decode(bytes: &[u8], encoding: Encoding) -> Result<String, String> {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if body.starts_with(b"\xEF\xBB\xBF") {
        // Saved twice with a byte-order mark: the second would become part of the first
        // column's name.
        return Err(crate::msg!(
            "文件开头有两个字节顺序标记（两次 EF BB BF）：请重新存为带一个或不带 BOM 的 UTF-8",
            "the file starts with two byte-order marks (EF BB BF twice): save it again as UTF-8 with one, or without"
        ));
    }
    let gbk = |b: &[u8]| {
        encoding_rs::GBK
            .decode_without_bom_handling_and_without_replacement(b)
            .map(|s| s.into_owned())
            .ok_or_else(|| {
                crate::msg!(
                    "文件既不是有效的 UTF-8，也不是有效的 GBK",
                    "the file is neither valid UTF-8 nor valid GBK"
                )
            })
    };
    match encoding {
        Encoding::Utf8 => match std::str::from_utf8(body) {
            Ok(s) => Ok(s.to_string()),
            Err(e) => {
                let at = e.valid_up_to() + (bytes.len() - body.len());
                Err(crate::msg!(
                    "文件不是有效的 UTF-8（第一个坏字节在偏移 {at} 处）；如果它是中文 Windows 上的 Excel \
                     存的，请试 --encoding gbk",
                    "the file is not valid UTF-8 (first bad byte at offset {at}); if it was saved by \
                     Excel in Chinese Windows, try --encoding gbk"
                ))
            }
        },
        Encoding::Gbk => gbk(body).map_err(|e| {
            // Chinese UTF-8 is rarely valid GBK: the usual cause is a UTF-8 file.
            if std::str::from_utf8(body).is_ok() {
                crate::msg!(
                    "文件不是有效的 GBK，却是有效的 UTF-8：请去掉 --encoding gbk（或用 --encoding auto）",
                    "the file is not valid GBK, but it is valid UTF-8: drop --encoding gbk (or use --encoding auto)"
                )
            } else {
                e
            }
        }),
        Encoding::Auto => match std::str::from_utf8(body) {
            Ok(s) => Ok(s.to_string()),
            Err(_) => gbk(body),
        },
    }
}

/// `decode` for bytes that are no longer needed: UTF-8 becomes the text without a copy. On
/// failure, the message and the bytes.
pub fn decode_vec(mut bytes: Vec<u8>, encoding: Encoding) -> Result<String, (String, Vec<u8>)> {
    let bom = bytes.starts_with(b"\xEF\xBB\xBF");
    let body = if bom { &bytes[3..] } else { &bytes[..] };
    // `decode` refuses a second byte-order mark; so does the copy-free path.
    if encoding != Encoding::Gbk
        && !body.starts_with(b"\xEF\xBB\xBF")
        && std::str::from_utf8(body).is_ok()
    {
        if bom {
            bytes.drain(..3);
        }
        return String::from_utf8(bytes).map_err(|e| {
            let bytes = e.into_bytes();
            (decode(&bytes, encoding).err().unwrap_or_default(), bytes)
        });
    }
    decode(&bytes, encoding).map_err(|m| (m, bytes))
}

/// Why bytes that hold NUL bytes are not a text file (`what`: CSV, TOML): binary data, or text
/// in UTF-16 (which `decode` does not read).
pub fn not_text(bytes: &[u8], what: &str) -> String {
    let hint = if utf16(bytes).is_some() {
        crate::msg!(
            "（它是 UTF-16 文本：请存为 UTF-8，如 Excel 的“CSV UTF-8”）",
            " (it is UTF-16 text: save it as UTF-8, e.g. Excel's \"CSV UTF-8\")"
        )
    } else {
        String::new()
    };
    crate::msg!(
        "不是文本（{what}）文件：其中有 NUL 字节{hint}",
        "not a text ({what}) file: it holds NUL bytes{hint}"
    )
}

/// The text of UTF-16 bytes with a byte-order mark.
fn utf16(bytes: &[u8]) -> Option<String> {
    let encoding = match bytes {
        [0xFF, 0xFE, ..] => encoding_rs::UTF_16LE,
        [0xFE, 0xFF, ..] => encoding_rs::UTF_16BE,
        _ => return None,
    };
    let (text, _) = encoding.decode_with_bom_removal(bytes);
    Some(text.into_owned())
}

/// The words of a file that could not be read properly, to tell whether a name may be defined
/// in it: its text (UTF-16 with a byte-order mark, else UTF-8, else GBK, else UTF-8 with
/// replacement characters) split at CSV and TOML punctuation (`,` `;` `；` quotes `=`
/// brackets, line ends) and NUL, trimmed; exact and normalized (`names::normalize`).
pub fn words(bytes: &[u8]) -> (HashSet<String>, HashSet<String>) {
    let text = utf16(bytes)
        .or_else(|| decode(bytes, Encoding::Auto).ok())
        .unwrap_or_else(|| String::from_utf8_lossy(bytes).into_owned());
    let exact: HashSet<String> = text
        .split([
            ',', ';', '；', '"', '\'', '=', '[', ']', '\n', '\r', '\t', '\0',
        ])
        .map(str::trim)
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect();
    let normalized = exact.iter().map(|w| crate::names::normalize(w)).collect();
    (exact, normalized)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_bom_and_gbk() {
        assert_eq!(decode(b"\xEF\xBB\xBFid", Encoding::Auto).unwrap(), "id");
        let (gbk, _, _) = encoding_rs::GBK.encode("玉溪高新区");
        assert_eq!(decode(&gbk, Encoding::Auto).unwrap(), "玉溪高新区");
        assert!(
            decode(&gbk, Encoding::Utf8)
                .unwrap_err()
                .contains("--encoding gbk")
        );
    }

    #[test]
    fn decode_vec_reads_as_decode_does() {
        for (bytes, enc) in [
            (&b"\xEF\xBB\xBFid,x"[..], Encoding::Auto),
            (b"id,x", Encoding::Utf8),
            (b"\xD3\xF1\xCF\xAA", Encoding::Auto),
            (b"\xD3\xF1\xCF\xAA", Encoding::Utf8),
            (b"id", Encoding::Gbk),
            (b"\xEF\xBB\xBF\xff", Encoding::Auto),
        ] {
            let got = decode_vec(bytes.to_vec(), enc);
            match decode(bytes, enc) {
                Ok(t) => assert_eq!(got, Ok(t)),
                Err(m) => assert_eq!(got, Err((m, bytes.to_vec()))),
            }
        }
    }

    #[test]
    fn utf8_read_as_gbk_is_named_as_utf8() {
        let err = decode("名称,玉溪高新区\n".as_bytes(), Encoding::Gbk).unwrap_err();
        assert!(
            err.contains("却是有效的 UTF-8：请去掉 --encoding gbk"),
            "{err}"
        );
    }
}
