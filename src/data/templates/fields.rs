//! One table of a chain template read key by key: a string, a list of strings or a required
//! key, each mistake (an unknown key, a value of the wrong type, a missing key) reported where
//! it is, the rest of the table still read.

use super::*;

/// Reads the keys of one table, reporting what is wrong with them.
pub(super) struct Fields<'a, 'i> {
    pub(super) ld: &'a mut Loader,
    text: &'a str,
    file: u32,
    table: &'a DeTable<'i>,
    /// `[chain]`, `[[segment]]`, `[[supplies]]`, for messages.
    what: &'static str,
    header: Range<usize>,
}

impl<'a, 'i> Fields<'a, 'i> {
    /// The fields of one table of kind `what`; keys not in `known` are reported at once.
    pub(super) fn of(
        ld: &'a mut Loader,
        (text, file): (&'a str, u32),
        (what, known): (&'static str, &[&str]),
        table: &'a DeTable<'i>,
        header: Range<usize>,
    ) -> Self {
        let mut f = Fields {
            ld,
            text,
            file,
            table,
            what,
            header,
        };
        f.unknown_keys(known);
        f
    }

    /// The required `id`; when it is missing, also the index of that problem and the names the
    /// table meant, so references to them count as "not checked" instead of unknown.
    pub(super) fn id(&mut self) -> (Option<Str>, Option<usize>, Vec<String>) {
        let problem = self.ld.problems.len();
        let id = self.required("id", "");
        let mut names = Vec::new();
        meant_names_in(self.table, &mut names);
        let problem = id.is_none().then_some(problem);
        (id, problem, names)
    }

    pub(super) fn error(&mut self, byte: usize, msg: String) {
        let pos = pos_of(self.text, self.file, byte);
        self.ld.error(pos, msg);
    }

    /// Report keys that are not in `known`, with a suggestion and the keys there are.
    pub(super) fn unknown_keys(&mut self, known: &[&str]) {
        for (k, _) in self.table.iter() {
            let key: &str = k.get_ref();
            if !known.contains(&key) {
                // A key of another table (`public` on [chain]) says where it belongs.
                let elsewhere = [
                    ("[chain]", CHAIN_KEYS),
                    ("[[segment]]", SEGMENT_KEYS),
                    ("[[supplies]]", SUPPLIES_KEYS),
                ]
                .iter()
                .find(|(_, keys)| keys.contains(&key))
                .map_or(String::new(), |(table, _)| {
                    msg!(
                        "，`{key}` 是 {table} 的键",
                        " (`{key}` is a key of {table})"
                    )
                });
                let lang = messages();
                let dym = did_you_mean_in(&suggest(key, known.iter().copied(), 1), lang);
                let (what, keys) = (self.what, known.join(", "));
                let msg = crate::tr!(
                    lang,
                    "{what} 里没有 `{key}` 这个键{elsewhere}（它的键是 {keys}）{dym}",
                    "unknown key `{key}` in {what}{dym}{elsewhere}; its keys are {keys}"
                );
                self.error(k.span().start, msg);
            }
        }
    }

    pub(super) fn value(&self, key: &str) -> Option<&Spanned<DeValue<'_>>> {
        self.table
            .iter()
            .find(|(k, _)| AsRef::<str>::as_ref(k.get_ref()) == key)
            .map(|(_, v)| v)
    }

    /// A string value; a value of another type is reported and taken as absent.
    pub(super) fn string(&mut self, key: &str) -> Option<Str> {
        let v = self.value(key)?;
        let span = v.span();
        match v.get_ref() {
            DeValue::String(s) => Some(Spanned::new(span, s.to_string())),
            other => {
                let (what, ty) = (self.what, a(other.type_str()));
                self.error(
                    span.start,
                    msg!(
                        "{what} 里的 `{key}` 必须是字符串，而不是{ty}",
                        "`{key}` in {what} must be a string, not {ty}"
                    ),
                );
                None
            }
        }
    }

    /// A string that must be there: its absence is reported at the table's header.
    pub(super) fn required(&mut self, key: &str, hint: &str) -> Option<Str> {
        if self.value(key).is_none() {
            let what = self.what;
            let msg = msg!("{what} 缺少 `{key}`{hint}", "{what} without `{key}`{hint}");
            self.error(self.header.start, msg);
            return None;
        }
        self.string(key)
    }

    /// An array of strings; other values are reported and left out.
    pub(super) fn strings(&mut self, key: &str) -> Vec<Str> {
        let Some(v) = self.value(key) else {
            return Vec::new();
        };
        let span = v.span();
        let items: Vec<(Range<usize>, Result<String, &'static str>)> = match v.get_ref() {
            DeValue::Array(items) => items
                .iter()
                .map(|item| match item.get_ref() {
                    DeValue::String(s) => (item.span(), Ok(s.to_string())),
                    other => (item.span(), Err(other.type_str())),
                })
                .collect(),
            other => {
                let (what, ty) = (self.what, a(other.type_str()));
                self.error(
                    span.start,
                    msg!(
                        "{what} 里的 `{key}` 必须是字符串数组（`{key} = [\"…\"]`），而不是{ty}",
                        "`{key}` in {what} must be an array of strings (`{key} = [\"…\"]`), not {ty}"
                    ),
                );
                return Vec::new();
            }
        };
        let mut out = Vec::new();
        for (span, item) in items {
            match item {
                Ok(s) => out.push(Spanned::new(span, s)),
                Err(ty) => {
                    let (what, ty) = (self.what, a(ty));
                    self.error(
                        span.start,
                        msg!(
                            "{what} 里的 `{key}` 只能装字符串，不能装{ty}",
                            "`{key}` in {what} must hold strings only, not {ty}"
                        ),
                    )
                }
            }
        }
        out
    }
}

/// "an integer", "a table" (in Chinese: 整数, 表 …).
pub(super) fn a(ty: &str) -> String {
    if messages() == Lang::Zh {
        return crate::lang::toml_type_zh(ty).to_string();
    }
    if ty.starts_with(['a', 'e', 'i', 'o', 'u']) {
        format!("an {ty}")
    } else {
        format!("a {ty}")
    }
}
