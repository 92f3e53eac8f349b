//! The report's fixed prose, kept in `crates/report/templates/<section>/<paragraph>.md` and filled by name.
//!
//! A template is plain text with `{name}` placeholders (`name` is lower case, digits and `_`; `{{` and `}}` are a
//! literal brace). [`fill!`] reads it at compile time with `include_str!`, fills it, and checks *at compile time*
//! that every placeholder of the template has a value and every value names a placeholder, so a typo in either
//! cannot ship: `fill!("method/method.md", size = p.size, seed = meta.seed, ...)`. A value is anything `Display`;
//! say how it is formatted where it is computed (`budget = format!("{:.1}", s)`).
//!
//! **Line rule.** Template files are wrapped at about 120 columns, but every paragraph renders as one line, as the
//! report's paragraphs always have: a single newline is a soft break and renders as one space; a blank line ends a
//! paragraph and renders as a blank line; the file's final newline is not part of the text. The caller writes the
//! newlines after it, as for any other line it writes. So a template holds prose only: no table, list or heading
//! that needs its own line (those stay in code).
//!
//! This is not a template engine: no loops, conditions or formatting specs. A sentence whose shape depends on the
//! run is chosen in code, and a sentence built from many computed figures stays a `format!` in code.

use std::fmt::{self, Display};

/// What a template and its values disagree on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// A `{name}` of the template has no value.
    Missing(String),
    /// A value names no placeholder of the template.
    Unused(String),
    /// A brace that neither opens a `{name}` nor is doubled.
    Brace(usize),
}

impl Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Missing(n) => write!(f, "the template's {{{n}}} has no value: pass `{n} = ...`"),
            Error::Unused(n) => write!(f, "the value `{n}` names no placeholder of the template"),
            Error::Brace(at) => write!(
                f,
                "a lone brace at byte {at} of the template: write {{name}}, or {{{{ / }}}} for a brace"
            ),
        }
    }
}

/// One piece of a template, from byte `at`.
enum Piece {
    /// One byte of text, to copy.
    Byte,
    /// `{{` or `}}`: one brace.
    Brace,
    /// `{name}`: the name is `b[start..end]`.
    Name { start: usize, end: usize },
    /// A brace that is neither.
    Lone,
}

const fn piece(b: &[u8], at: usize) -> Piece {
    let doubled = at + 1 < b.len() && b[at + 1] == b[at];
    match b[at] {
        b'{' | b'}' if doubled => Piece::Brace,
        b'}' => Piece::Lone,
        b'{' => {
            let mut end = at + 1;
            while end < b.len() && matches!(b[end], b'a'..=b'z' | b'0'..=b'9' | b'_') {
                end += 1;
            }
            if end == at + 1 || end == b.len() || b[end] != b'}' {
                Piece::Lone
            } else {
                Piece::Name { start: at + 1, end }
            }
        }
        _ => Piece::Byte,
    }
}

const fn same(b: &[u8], start: usize, end: usize, name: &[u8]) -> bool {
    if end - start != name.len() {
        return false;
    }
    let mut i = 0;
    while i < name.len() {
        if b[start + i] != name[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// Panics unless the placeholders of `template` are exactly `names` (each may occur more than once). [`fill!`]
/// calls it in a constant, so a mismatch is a compile error at the call.
pub const fn check(template: &str, names: &[&str]) {
    let b = template.as_bytes();
    let mut used = [false; 32];
    assert!(
        names.len() <= used.len(),
        "a template takes at most 32 values"
    );
    let mut at = 0;
    while at < b.len() {
        match piece(b, at) {
            Piece::Byte => at += 1,
            Piece::Brace => at += 2,
            Piece::Lone => panic!(
                "a lone brace in the template: a placeholder is a name in braces, a literal brace is doubled"
            ),
            Piece::Name { start, end } => {
                let mut i = 0;
                while i < names.len() && !same(b, start, end, names[i].as_bytes()) {
                    i += 1;
                }
                assert!(
                    i < names.len(),
                    "a placeholder of the template has no value"
                );
                used[i] = true;
                at = end + 1;
            }
        }
    }
    let mut i = 0;
    while i < names.len() {
        assert!(used[i], "a value names no placeholder of the template");
        i += 1;
    }
}

/// `template` with its soft breaks joined (see the line rule above) and every `{name}` replaced by its value.
pub fn try_fill(template: &str, values: &[(&str, &dyn Display)]) -> Result<String, Error> {
    let text = join(template);
    let b = text.as_bytes();
    let mut used = vec![false; values.len()];
    let mut out = String::with_capacity(text.len());
    let (mut at, mut copied) = (0, 0);
    while at < b.len() {
        match piece(b, at) {
            Piece::Byte => at += 1,
            Piece::Lone => return Err(Error::Brace(at)),
            Piece::Brace => {
                out.push_str(&text[copied..=at]);
                at += 2;
                copied = at;
            }
            Piece::Name { start, end } => {
                let name = &text[start..end];
                let i = values
                    .iter()
                    .position(|(n, _)| *n == name)
                    .ok_or_else(|| Error::Missing(name.to_string()))?;
                used[i] = true;
                out.push_str(&text[copied..at]);
                let (_, value) = values[i];
                out.push_str(&value.to_string());
                at = end + 1;
                copied = at;
            }
        }
    }
    out.push_str(&text[copied..]);
    match values.iter().zip(&used).find(|(_, u)| !**u) {
        Some(((n, _), _)) => Err(Error::Unused(n.to_string())),
        None => Ok(out),
    }
}

/// [`try_fill`], panicking on a mismatch ([`fill!`] has already ruled one out at compile time).
pub fn render(template: &str, values: &[(&str, &dyn Display)]) -> String {
    try_fill(template, values).unwrap_or_else(|e| panic!("{e}"))
}

/// The line rule: soft breaks become spaces, blank lines stay, the final newline goes.
fn join(template: &str) -> String {
    template
        .trim_end_matches('\n')
        .split("\n\n")
        .map(|p| p.lines().collect::<Vec<_>>().join(" "))
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// `fill!("section/paragraph.md", name = value, ...)`: the template `crates/report/templates/section/paragraph.md`,
/// read at compile time and filled by name; a placeholder without a value or a value without a placeholder fails
/// to compile.
macro_rules! fill {
    ($path:literal $(, $name:ident = $value:expr)* $(,)?) => {{
        const TEMPLATE: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/templates/", $path));
        const _: () = $crate::template::check(TEMPLATE, &[$(stringify!($name)),*]);
        $crate::template::render(TEMPLATE, &[$((stringify!($name), &$value as &dyn ::std::fmt::Display)),*])
    }};
}
pub(crate) use fill;

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::{Path, PathBuf};

    #[test]
    fn fills_by_name() {
        let t = "{a} and {b}, {a} again; {{literal}}\n";
        assert_eq!(
            try_fill(t, &[("b", &2), ("a", &"one")]).unwrap(),
            "one and 2, one again; {literal}"
        );
        assert_eq!(render("{n}: {m}\n", &[("m", &2.5), ("n", &"n")]), "n: 2.5");
    }

    #[test]
    fn a_name_without_a_value_or_a_value_without_a_name_is_an_error() {
        assert_eq!(
            try_fill("size {size}", &[]),
            Err(Error::Missing("size".into()))
        );
        assert_eq!(
            try_fill("size {size}", &[("size", &1), ("seed", &2)]),
            Err(Error::Unused("seed".into()))
        );
        assert_eq!(try_fill("a {b", &[]), Err(Error::Brace(2)));
        assert_eq!(try_fill("a } b", &[]), Err(Error::Brace(2)));
        assert_eq!(try_fill("{Size}", &[]), Err(Error::Brace(0)));
        assert!(std::panic::catch_unwind(|| render("{size}", &[])).is_err());
    }

    #[test]
    fn the_compile_time_check_agrees() {
        check("{a} {b} {a} {{c}}", &["b", "a"]);
        for (t, names) in [
            ("{a}", &[][..]),
            ("{a}", &["a", "b"][..]),
            ("{a", &["a"][..]),
            ("{A}", &[][..]),
        ] {
            assert!(
                std::panic::catch_unwind(|| check(t, names)).is_err(),
                "{t} with {names:?}"
            );
        }
    }

    #[test]
    fn soft_breaks_join_and_blank_lines_stay() {
        let t = "One paragraph\nwrapped over\nthree lines.\n\nA second {x}.\n";
        assert_eq!(
            try_fill(t, &[("x", &"one")]).unwrap(),
            "One paragraph wrapped over three lines.\n\nA second one."
        );
        // A value is inserted after the join: its own newlines are kept.
        assert_eq!(try_fill("{x}\n", &[("x", &"a\nb")]).unwrap(), "a\nb");
    }

    fn templates(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                templates(&p, out);
            } else {
                out.push(p);
            }
        }
    }

    /// Every file under `templates/` fills with its own names, keeps the line rule's layout (wrapped at 120
    /// columns, no stray spaces, no block a soft break would break), and is read by the code.
    #[test]
    fn every_template_is_well_formed_and_used() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        templates(&root.join("templates"), &mut files);
        let mut src = Vec::new();
        templates(&root.join("src"), &mut src);
        let code: String = src
            .iter()
            .map(|p| std::fs::read_to_string(p).unwrap())
            .collect::<String>()
            .split_whitespace()
            .collect();
        assert!(!files.is_empty());
        for f in &files {
            let rel = f.strip_prefix(root.join("templates")).unwrap();
            let rel = rel.to_str().unwrap();
            assert!(rel.ends_with(".md"), "{rel}: templates are .md files");
            let t = std::fs::read_to_string(f).unwrap();
            assert!(
                t.ends_with('\n') && !t.ends_with("\n\n"),
                "{rel}: end with one newline"
            );
            assert!(
                !t.contains("\n\n\n"),
                "{rel}: one blank line between paragraphs"
            );
            for l in t.lines() {
                assert!(l.chars().count() <= 120, "{rel}: wrap at 120 columns: {l}");
                assert!(
                    l.is_empty() || l.trim() == l,
                    "{rel}: no spaces around a line: {l:?}"
                );
                for block in ["#", "|", "- ", "```"] {
                    assert!(
                        !l.starts_with(block),
                        "{rel}: {block} needs its own line: keep it in code"
                    );
                }
            }
            let mut names: Vec<String> = Vec::new();
            let b = t.as_bytes();
            let mut at = 0;
            while at < b.len() {
                match piece(b, at) {
                    Piece::Name { start, end } => {
                        names.push(t[start..end].to_string());
                        at = end + 1;
                    }
                    Piece::Brace => at += 2,
                    _ => at += 1,
                }
            }
            names.sort();
            names.dedup();
            let values: Vec<(&str, &dyn Display)> = names
                .iter()
                .map(|n| (n.as_str(), n as &dyn Display))
                .collect();
            let filled = try_fill(&t, &values).unwrap_or_else(|e| panic!("{rel}: {e}"));
            assert!(!filled.contains("  "), "{rel}: a double space");
            assert!(
                code.contains(&format!("fill!(\"{rel}\"")),
                "{rel} is filled nowhere"
            );
        }
    }
}
