//! The REPL's built-in pager: a result taller than the terminal is shown a screen at a time, says
//! that it is paging and how to leave, reads keys only from a terminal (crossterm, so it works
//! on Windows without `less`), and hands any key that is not a paging key to the next prompt, so
//! a command typed ahead is never swallowed.

use std::io::{self, Write};
use std::time::Duration;
use unicode_width::UnicodeWidthStr;

/// What the user pressed while the pager waits at the end of a screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Key {
    /// Space or PageDown: the next screen.
    NextPage,
    /// Enter or Down: one more line.
    NextLine,
    /// q, Esc, Ctrl-C or Ctrl-D: leave the rest unshown.
    Quit,
    /// Anything else was typed: the start of the next command (with the keys typed right after
    /// it, Enter as `\n`). Paging stops, the rest of the result is printed, the text goes on at
    /// the next prompt.
    Typed(String),
    /// A key that means nothing here (an arrow, a resize): ask again.
    Other,
}

/// Whether paging is on, from the environment: `CHAINKB_PAGER=off` (or `0`, `no`, `false`) and
/// the older `CHAINKB_NO_PAGER` turn it off; anything but on/off is a warning, and paging stays on.
pub fn enabled_by_env() -> bool {
    if std::env::var_os("CHAINKB_NO_PAGER").is_some() {
        return false;
    }
    match std::env::var("CHAINKB_PAGER") {
        Err(_) => true,
        Ok(v) => match v.trim().to_lowercase().as_str() {
            "off" | "0" | "no" | "false" => false,
            "on" | "1" | "yes" | "true" | "" => true,
            other => {
                stderrln!(
                    "{}",
                    crate::msg!(
                        "提示：CHAINKB_PAGER={other} 无法识别（应为 on 或 off），分页保持开启",
                        "hint: CHAINKB_PAGER={other} is not on or off; paging stays on"
                    )
                );
                true
            }
        },
    }
}

/// The rows a line takes on a terminal `cols` wide (a line wider than the terminal wraps).
fn rows_of(line: &str, cols: usize) -> usize {
    let w = UnicodeWidthStr::width(line);
    if cols == 0 || w == 0 {
        1
    } else {
        w.div_ceil(cols)
    }
}

/// The line said before the first screen of a paged result.
pub fn notice(lines: usize) -> String {
    format!("（输出 {lines} 行，分页显示；空格 下一页，回车 下一行，q 退出；.pager off 关闭分页）")
}

/// Show `text` on a terminal `rows` high and `cols` wide, a screen at a time, asking `next_key`
/// between screens. Text that fits is written whole, without a notice. Returns what was typed
/// ahead (empty when nothing was), for the next prompt.
pub fn page<W: Write>(
    text: &str,
    rows: usize,
    cols: usize,
    out: &mut W,
    next_key: &mut dyn FnMut() -> Key,
) -> io::Result<String> {
    let lines: Vec<&str> = text.lines().collect();
    let needed: usize = lines.iter().map(|l| rows_of(l, cols)).sum();
    // The prompt that follows takes a row too.
    if rows < 3 || needed < rows {
        out.write_all(text.as_bytes())?;
        out.flush()?;
        return Ok(String::new());
    }
    writeln!(out, "{}", notice(lines.len()))?;
    // The first screen leaves a row for the notice and one for the status line.
    let mut budget = rows - 2;
    let mut shown = 0;
    loop {
        let first = shown;
        while shown < lines.len() {
            let r = rows_of(lines[shown], cols);
            // Each step shows at least one line, however tall.
            if r > budget && shown > first {
                break;
            }
            writeln!(out, "{}", lines[shown])?;
            budget = budget.saturating_sub(r);
            shown += 1;
        }
        if shown == lines.len() {
            out.flush()?;
            return Ok(String::new());
        }
        let status = format!(
            "-- 第 {shown}/{} 行 · 空格 下一页 · 回车 下一行 · q 退出 --",
            lines.len()
        );
        let key = loop {
            write!(out, "{status}")?;
            out.flush()?;
            let key = next_key();
            // The status line is replaced by what comes next (crossterm: ANSI, or the console
            // API on an old Windows console).
            crossterm::queue!(
                out,
                crossterm::cursor::MoveToColumn(0),
                crossterm::terminal::Clear(crossterm::terminal::ClearType::CurrentLine)
            )?;
            if key != Key::Other {
                break key;
            }
        };
        match key {
            Key::NextPage | Key::Other => budget = rows - 1,
            Key::NextLine => budget = 1,
            Key::Quit => {
                writeln!(
                    out,
                    "（分页结束：其余 {} 行未显示；.pager off 可关闭分页）",
                    lines.len() - shown
                )?;
                out.flush()?;
                return Ok(String::new());
            }
            Key::Typed(typed) => {
                for l in &lines[shown..] {
                    writeln!(out, "{l}")?;
                }
                writeln!(
                    out,
                    "（分页结束：收到键入的内容，已交给下一个提示符；.pager off 可关闭分页）"
                )?;
                out.flush()?;
                return Ok(typed);
            }
        }
    }
}

/// Read one key from the terminal (raw mode only while waiting). A key that starts a command
/// brings the keys typed right after it along, so none of them is lost.
pub fn terminal_key() -> Key {
    use crossterm::event::{self, Event, KeyCode, KeyEventKind, KeyModifiers};
    if crossterm::terminal::enable_raw_mode().is_err() {
        return Key::Quit;
    }
    let key = loop {
        let ev = match event::read() {
            Ok(Event::Key(k)) if k.kind != KeyEventKind::Release => k,
            Ok(_) => continue,
            Err(_) => break Key::Quit,
        };
        let ctrl = ev.modifiers.contains(KeyModifiers::CONTROL);
        break match ev.code {
            KeyCode::Char('c' | 'd') if ctrl => Key::Quit,
            KeyCode::Char('q') | KeyCode::Esc => Key::Quit,
            KeyCode::Char(' ') | KeyCode::PageDown => Key::NextPage,
            KeyCode::Enter | KeyCode::Down => Key::NextLine,
            KeyCode::Char(c) if !ctrl => {
                let mut typed = c.to_string();
                // The keys already waiting (typed ahead, or a paste) come along.
                while let Ok(true) = event::poll(Duration::from_millis(30)) {
                    match event::read() {
                        Ok(Event::Key(k)) if k.kind != KeyEventKind::Release => match k.code {
                            KeyCode::Char(c) if !k.modifiers.contains(KeyModifiers::CONTROL) => {
                                typed.push(c)
                            }
                            KeyCode::Enter => typed.push('\n'),
                            KeyCode::Tab => typed.push('\t'),
                            KeyCode::Backspace => {
                                typed.pop();
                            }
                            _ => {}
                        },
                        Ok(_) => {}
                        Err(_) => break,
                    }
                }
                Key::Typed(typed)
            }
            _ => Key::Other,
        };
    };
    let _ = crossterm::terminal::disable_raw_mode();
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(n: usize) -> String {
        (1..=n).map(|i| format!("line {i}\n")).collect()
    }

    fn run(text: &str, rows: usize, keys: &[Key]) -> (String, String, usize) {
        let mut out = Vec::new();
        let mut asked = 0;
        let mut it = keys.iter();
        let typed = page(text, rows, 80, &mut out, &mut || {
            asked += 1;
            it.next().cloned().unwrap_or(Key::Quit)
        })
        .unwrap();
        (String::from_utf8(out).unwrap(), typed, asked)
    }

    #[test]
    fn what_fits_is_printed_whole_without_a_notice() {
        let (out, typed, asked) = run(&text(8), 10, &[]);
        assert_eq!(out, text(8));
        assert_eq!((typed.as_str(), asked), ("", 0));
    }

    #[test]
    fn a_long_result_says_it_pages_and_goes_a_screen_at_a_time() {
        let (out, typed, asked) = run(&text(25), 10, &[Key::NextPage, Key::NextPage]);
        assert!(out.starts_with(&notice(25)), "{out}");
        assert!(out.contains(".pager off"), "{out}");
        // 8 lines, then 9, then the last 8
        assert!(out.contains("-- 第 8/25 行"), "{out}");
        assert!(out.contains("-- 第 17/25 行"), "{out}");
        assert!(out.contains("line 25\n"), "{out}");
        assert_eq!((typed.as_str(), asked), ("", 2));
    }

    #[test]
    fn enter_shows_one_more_line_and_q_leaves_saying_what_was_left() {
        let (out, _, asked) = run(&text(25), 10, &[Key::NextLine, Key::Other, Key::Quit]);
        assert!(out.contains("-- 第 9/25 行"), "{out}");
        assert!(!out.contains("line 10\n"), "{out}");
        assert!(out.contains("其余 16 行未显示"), "{out}");
        assert_eq!(asked, 3);
    }

    #[test]
    fn a_typed_key_ends_paging_prints_the_rest_and_is_handed_on() {
        let (out, typed, asked) = run(&text(25), 10, &[Key::Typed("chains\nreg".into())]);
        assert_eq!(typed, "chains\nreg");
        assert_eq!(asked, 1);
        for i in 1..=25 {
            assert!(out.contains(&format!("line {i}\n")), "line {i}: {out}");
        }
        assert!(out.contains("收到键入的内容"), "{out}");
    }

    #[test]
    fn wide_lines_count_the_rows_they_wrap_to() {
        // 6 lines of 100 columns on a terminal 80 wide and 10 high take 12 rows: paged.
        let wide: String = (0..6).map(|_| format!("{}\n", "x".repeat(100))).collect();
        let (out, _, asked) = run(&wide, 10, &[Key::NextPage]);
        assert!(out.starts_with("（输出 6 行"), "{out}");
        assert_eq!(asked, 1);
        assert_eq!(rows_of("锂电池", 4), 2);
        assert_eq!(rows_of("", 80), 1);
    }
}
