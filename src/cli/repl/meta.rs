//! The REPL's meta commands (`.help`, `.format`, `.lang`, `.export`, `.draw`, `.open` …, and
//! the planning ones `cli::journal` answers): each runs on the session and says what it did,
//! or why not, in the session's language.

use super::help::{
    HELP_GAPS, HELP_GAPS_ZH, HELP_QUERY, HELP_QUERY_ZH, META_COMMANDS, META_HELP_ZH,
};
use super::{Session, meta_words};
use crate::cli::{Failure, open_graph, resolve_one};
use crate::lang::Lang;
use crate::model::Kind;
use crate::report::Format;
use crate::tr;
use rustyline::history::DefaultHistory;
use std::path::{Path, PathBuf};
use std::rc::Rc;

impl Session {
    /// Run a meta command; `Ok(false)` means leave the session.
    /// Its words are split on spaces; a double-quoted word may hold spaces
    /// (`.export "招商 名单.xlsx"`, `.draw 光电子 in "中国（西南）玉溪国际物流港" x.svg`).
    pub(super) fn meta(&mut self, line: &str, history: &DefaultHistory) -> Result<bool, Failure> {
        let words = meta_words(line)?;
        let cmd = words.first().map_or("", String::as_str);
        let args: Vec<&str> = words.iter().skip(1).map(String::as_str).collect();
        match cmd {
            ".help" | ".format" | ".timing" | ".lang" | ".pager" if args.len() > 1 => {
                let usage = META_COMMANDS
                    .iter()
                    .find(|m| m.0 == cmd)
                    .and_then(|m| m.1.split("  ").next())
                    .unwrap_or(cmd);
                let n = args.len();
                return Err(Failure::user(tr!(
                    self.lang,
                    "`{cmd}` 只接一个词，这里有 {n} 个：用法：{usage}",
                    "`{cmd}` takes one word, not {n}: usage: {usage}"
                )));
            }
            ".schema" | ".history" | ".quit" | ".exit" if !args.is_empty() => {
                let got = args.join(" ");
                return Err(Failure::user(tr!(
                    self.lang,
                    "`{cmd}` 不接参数（却有 `{got}`）",
                    "`{cmd}` takes no words (got `{got}`)"
                )));
            }
            ".quit" | ".exit" => return Ok(false),
            ".help" => {
                let lang = self.lang;
                let (query, gaps, meta) = lang.pick(
                    (HELP_QUERY_ZH, HELP_GAPS_ZH, META_HELP_ZH),
                    (HELP_QUERY, HELP_GAPS, META_COMMANDS),
                );
                match args.first().copied() {
                    None => {
                        stdoutln!("{query}\n\n{}", lang.pick("元命令：", "Meta commands:"));
                        for (_, h) in meta {
                            stdoutln!("  {h}");
                        }
                    }
                    Some("query" | "查询") => stdoutln!("{query}"),
                    Some("gaps" | "缺口") => stdoutln!("{gaps}"),
                    Some("meta" | "元命令") => {
                        for (_, h) in meta {
                            stdoutln!("  {h}");
                        }
                    }
                    Some(other) => {
                        return Err(Failure::user(tr!(
                            lang,
                            "没有 `{other}` 的帮助（主题：query、gaps、meta）",
                            "no help on `{other}` (topics: query, gaps, meta)"
                        )));
                    }
                }
            }
            ".schema" => stdout!("{}", crate::cli::schema_text(&self.graph, self.lang)),
            ".format" => {
                self.format = match args.first().copied() {
                    Some("table") => Format::Table,
                    Some("json") => Format::Json,
                    Some("csv") => Format::Csv,
                    _ => {
                        return Err(Failure::user(self.lang.pick(
                            "用法：.format table|json|csv",
                            "usage: .format table|json|csv",
                        )));
                    }
                };
            }
            ".lang" => match args.first().copied() {
                None => stdoutln!("{}", self.lang),
                Some(word) => {
                    self.lang = Lang::parse(word)
                        .ok_or_else(|| {
                            self.lang
                                .pick(
                                    "用法：.lang zh|en（中文或英文）",
                                    "usage: .lang zh|en (中文 or English)",
                                )
                                .to_string()
                        })
                        .map_err(Failure::user)?;
                    crate::lang::set_messages(self.lang);
                    if let Some((_, table)) = &mut self.last {
                        table.lang = self.lang;
                    }
                }
            },
            ".timing" => {
                self.timing = match args.first().copied() {
                    Some("on") => true,
                    Some("off") => false,
                    _ => {
                        return Err(Failure::user(
                            self.lang
                                .pick("用法：.timing on|off", "usage: .timing on|off"),
                        ));
                    }
                };
            }
            ".pager" => {
                self.pager = match args.first().copied() {
                    Some("on") => true,
                    Some("off") => false,
                    None => {
                        stdoutln!(
                            "{}",
                            match (self.pager, self.lang) {
                                (true, Lang::Zh) => "分页已开启",
                                (false, Lang::Zh) => "分页已关闭",
                                (true, Lang::En) => "paging is on",
                                (false, Lang::En) => "paging is off",
                            }
                        );
                        return Ok(true);
                    }
                    _ => {
                        return Err(Failure::user(
                            self.lang
                                .pick("用法：.pager on|off", "usage: .pager on|off"),
                        ));
                    }
                };
                stdoutln!(
                    "{}",
                    match (self.pager, self.lang) {
                        (true, Lang::Zh) => "分页已开启：比终端高的结果分屏显示",
                        (false, Lang::Zh) => "分页已关闭：结果一次全部打印",
                        (true, Lang::En) =>
                            "paging is on: results taller than the terminal are shown a screen at a time",
                        (false, Lang::En) => "paging is off: results are printed whole",
                    }
                );
            }
            ".export" => {
                let lang = self.lang;
                let [file] = args.as_slice() else {
                    return Err(Failure::user(lang.pick(
                        "用法：.export 文件（.xlsx、.csv、.md 或 .json）",
                        "usage: .export FILE (.xlsx, .csv, .md or .json)",
                    )));
                };
                let Some((query, table)) = &self.last else {
                    return Err(Failure::user(lang.pick(
                        "还没有可导出的结果：先运行一条查询",
                        "nothing to export yet: run a query first",
                    )));
                };
                // Sheet named after the statement's chain and place, never its text.
                crate::cli::query::write_handout(
                    &self.graph,
                    query,
                    &[table],
                    Path::new(file),
                    "",
                )?;
                let n = table.rows.len();
                match lang {
                    Lang::Zh => stdoutln!("已把 {n} 行写入 {file}"),
                    Lang::En => {
                        stdoutln!("wrote {} to {file}", crate::cli::counted(n, "row", "rows"))
                    }
                }
            }
            ".draw" => {
                let (chain, place, file) = match args.as_slice() {
                    [chain, file] => (*chain, None, *file),
                    [chain, "in" | "在", place, file] => (*chain, Some(*place), *file),
                    _ => {
                        return Err(Failure::user(self.lang.pick(
                            "用法：.draw 产业链 [在 地方] 文件.svg|文件.png|文件.dot",
                            "usage: .draw CHAIN [in PLACE] FILE.svg|FILE.png|FILE.dot",
                        )));
                    }
                };
                let c = resolve_one(&self.graph, chain, &[Kind::Chain])?;
                let p = match place {
                    Some(p) => Some(resolve_one(&self.graph, p, &[Kind::Park, Kind::Region])?),
                    None => None,
                };
                let ext = Path::new(file)
                    .extension()
                    .map(|e| e.to_string_lossy().to_lowercase());
                let format = match ext.as_deref().and_then(crate::cli::draw_format) {
                    Some(f) => f,
                    None => {
                        return Err(Failure::user(tr!(
                            self.lang,
                            "无法画到 `{file}`：文件请以 .svg 或 .png 结尾，Graphviz 用 .dot（.gv）",
                            "cannot draw into `{file}`: name the file .svg or .png, or .dot (.gv) for Graphviz"
                        )));
                    }
                };
                let picture = crate::draw::layout(&self.graph, c, p);
                let bytes = match format {
                    "dot" => crate::draw::to_dot(&picture).into_bytes(),
                    "png" => crate::draw::png::render(
                        &crate::draw::to_svg(&picture),
                        crate::draw::png::font_from_env().as_deref(),
                    )?,
                    _ => crate::draw::to_svg(&picture).into_bytes(),
                };
                let lang = self.lang;
                std::fs::write(file, bytes).map_err(|e| {
                    Failure::environment(tr!(
                        lang,
                        "无法写入 {file}：{e}",
                        "cannot write {file}: {e}"
                    ))
                })?;
                let n = picture.boxes.len();
                stdoutln!(
                    "{}",
                    tr!(
                        lang,
                        "已写入 {file}（{n} 个环节）",
                        "wrote {file} ({n} segments)"
                    )
                );
            }
            ".open" => {
                let [path] = args.as_slice() else {
                    return Err(Failure::user(
                        self.lang
                            .pick("用法：.open 数据库路径", "usage: .open PATH"),
                    ));
                };
                let db = Some(PathBuf::from(path));
                self.graph = Rc::new(open_graph(&db)?);
                self.db = db;
                stdoutln!("{}", tr!(self.lang, "已打开 {path}", "opened {path}"));
            }
            ".history" => {
                // The lines of a multi-line statement line up under its first.
                for (i, entry) in history.iter().enumerate() {
                    stdoutln!("{:>4}  {}", i + 1, entry.replace('\n', "\n      "));
                }
            }
            other if let Some(done) = crate::cli::journal::repl_meta(&self.db, other, &args) => {
                // A write changed the state: read it again.
                if done.map_err(Failure::user)? {
                    self.graph = Rc::new(open_graph(&self.db)?);
                }
            }
            other => {
                let names: Vec<&str> = META_COMMANDS.iter().map(|m| m.0).collect();
                let close = crate::names::suggest(other, names, 1);
                return Err(Failure::user(match self.lang {
                    Lang::Zh => format!(
                        "没有 `{other}` 这个命令{}（.help 列出全部命令）",
                        crate::query::error::did_you_mean_zh(&close)
                    ),
                    Lang::En => format!(
                        "unknown command `{other}`{} (.help lists them)",
                        crate::names::did_you_mean(&close)
                    ),
                }));
            }
        }
        Ok(true)
    }
}
