//! The engine's own layers, checked from its source: the object service sits under every part
//! that reads or writes objects and names none of them; the reconciler and the other loops
//! reach objects through it, never through the API server (which is only their HTTP front).
//! Paths are resolved as the compiler would (`crate::engine::…`, `super::…`, `self::…`, and
//! `{…}` groups), outside comments, string literals and a file's tests.

use std::path::Path;

/// The parts of the engine each part may name (besides itself). `engine/mod.rs`, which starts
/// them all, and the leaves (store, resources, names, tls, connection) are not listed.
const PARTS: &[(&str, &[&str])] = &[
    ("objects", &["names", "resources", "store"]),
    ("activator", &["objects", "store"]),
    ("replicas", &["activator", "objects", "names", "store"]),
    ("probe", &[]),
    ("controllers", &["objects", "store", "resources"]),
    (
        "reconciler",
        &[
            "objects",
            "replicas",
            "probe",
            "names",
            "store",
            "resources",
            "controllers",
        ],
    ),
    (
        "autoscaler",
        &["activator", "objects", "probe", "names", "store", "resources"],
    ),
    ("flows", &["objects", "replicas", "store", "resources"]),
    ("gateway", &["objects", "replicas", "store", "connection", "flows"]),
    ("cron", &["objects", "replicas", "store", "flows"]),
    ("messaging", &["objects", "replicas", "store", "flows"]),
    ("auth", &["objects", "store", "resources"]),
    (
        "apiserver",
        &[
            "objects",
            "replicas",
            "names",
            "store",
            "resources",
            "connection",
            "auth",
        ],
    ),
];

/// The module path of a source file under `src/`: `engine/objects/gc.rs` is
/// `engine::objects::gc`, `engine/objects/mod.rs` is `engine::objects`.
fn module_of(relative: &str) -> Vec<String> {
    let mut parts: Vec<String> = relative
        .trim_end_matches(".rs")
        .split('/')
        .map(str::to_string)
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts
}

/// The code of a source text: comments, string and character literals blanked, and the
/// file's tests (a `#[cfg(test)]` module) left out.
fn code(text: &str) -> String {
    let text = match text.find("#[cfg(test)]\nmod ") {
        Some(at) => &text[..at],
        None => text,
    };
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '/' if chars.get(i + 1) == Some(&'/') => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
                continue;
            }
            '"' => {
                i += 1;
                while i < chars.len() && chars[i] != '"' {
                    i += if chars[i] == '\\' { 2 } else { 1 };
                }
                out.push_str("\"\"");
            }
            // A character literal ('x', '\n', '"'); a lifetime ('a) has no closing quote.
            '\'' if chars.get(i + 1) == Some(&'\\') => {
                i += 3;
                while i < chars.len() && chars[i] != '\'' {
                    i += 1;
                }
                out.push_str("' '");
            }
            '\'' if chars.get(i + 2) == Some(&'\'') => {
                i += 2;
                out.push_str("' '");
            }
            c => out.push(c),
        }
        i += 1;
    }
    out
}

/// Splits `a, b::{c, d}, e` at its top-level commas.
fn top_level(group: &str) -> Vec<&str> {
    let (mut depth, mut start, mut out) = (0, 0, Vec::new());
    for (i, c) in group.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                out.push(&group[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&group[start..]);
    out
}

/// The absolute paths a path written at the start of `text` names, from `base`: each
/// `{…}` group expanded, `self` in a group meaning the path before it.
fn expand(base: Vec<String>, text: &str, out: &mut Vec<Vec<String>>) {
    let text = text.trim_start();
    if let Some(rest) = text.strip_prefix('{') {
        let mut depth = 1;
        let end = rest
            .char_indices()
            .find(|&(_, c)| {
                depth += match c {
                    '{' => 1,
                    '}' => -1,
                    _ => 0,
                };
                depth == 0
            })
            .map_or(rest.len(), |(i, _)| i);
        for item in top_level(&rest[..end]) {
            match item.trim() {
                "" => {}
                "self" => out.push(base.clone()),
                item => expand(base.clone(), item, out),
            }
        }
        return;
    }
    let ident: String = text
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    if ident.is_empty() {
        out.push(base);
        return;
    }
    let mut path = base;
    path.push(ident.clone());
    match text[ident.len()..].strip_prefix("::") {
        Some(rest) => expand(path, rest, out),
        None => out.push(path),
    }
}

/// The top-level engine parts (`objects`, `apiserver`, …) the code of `module` names.
fn parts_named(module: &[String], code: &str) -> Vec<String> {
    let mut out = Vec::new();
    let starts = ["crate::", "super::", "self::"];
    for (at, _) in code.match_indices("::") {
        let Some(start) = starts.iter().find_map(|s| {
            let begin = (at + 2).checked_sub(s.len())?;
            let before = code[..begin].chars().next_back();
            let boundary = before.is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'));
            (code[begin..].starts_with(s) && boundary).then_some(begin)
        }) else {
            continue;
        };
        let mut rest = &code[start..];
        let mut base: Vec<String> = if let Some(r) = rest.strip_prefix("crate::") {
            rest = r;
            Vec::new()
        } else if let Some(r) = rest.strip_prefix("self::") {
            rest = r;
            module.to_vec()
        } else {
            module.to_vec()
        };
        while let Some(r) = rest.strip_prefix("super::") {
            base.pop();
            rest = r;
        }
        let mut paths = Vec::new();
        expand(base, rest, &mut paths);
        for path in paths {
            if path.first().is_some_and(|p| p == "engine")
                && let Some(part) = path.get(1)
            {
                out.push(part.clone());
            }
        }
    }
    out
}

#[test]
fn each_part_of_the_engine_names_only_the_parts_below_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    crate::layers::files(&src.join("engine"), &mut files);
    let mut wrong = Vec::new();
    for path in files {
        let relative = path.strip_prefix(&src).unwrap().to_string_lossy().replace('\\', "/");
        let module = module_of(&relative);
        let Some((part, allowed)) = module.get(1).and_then(|p| PARTS.iter().find(|(name, _)| name == p)) else {
            continue;
        };
        let text = std::fs::read_to_string(&path).unwrap();
        for named in parts_named(&module, &code(&text)) {
            if named != *part && !allowed.contains(&named.as_str()) {
                wrong.push(format!("{relative} names engine::{named}"));
            }
        }
    }
    wrong.sort();
    wrong.dedup();
    assert!(wrong.is_empty(), "the engine's layers crossed:\n{}", wrong.join("\n"));
}

#[test]
fn relative_grouped_and_quoted_paths_are_read_as_the_compiler_reads_them() {
    let module = module_of("engine/reconciler/replica.rs");
    assert_eq!(module, ["engine", "reconciler", "replica"]);
    let text = "use super::pod;\nuse super::super::{names, objects::{self, Objects}};\n\
        use crate::engine::{apiserver::ApiServer, store};\n// crate::engine::cron in a comment\n\
        fn f() { let _ = (\"crate::engine::gateway\", '\"', '\\''); crate::engine::probe::get(); self::g() }\n\
        #[cfg(test)]\nmod tests {\n    use crate::engine::messaging;\n}\n";
    assert_eq!(
        parts_named(&module, &code(text)),
        [
            "reconciler",
            "names",
            "objects",
            "objects",
            "apiserver",
            "store",
            "probe",
            "reconciler"
        ]
    );
    assert_eq!(module_of("engine/objects/mod.rs"), ["engine", "objects"]);
    assert_eq!(
        parts_named(&module_of("engine/objects/mod.rs"), "use super::apiserver;"),
        ["apiserver"]
    );
}
