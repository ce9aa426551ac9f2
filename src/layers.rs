//! The layers of docs/architecture.md, checked: each module names only the modules below it
//! (`crate::…` paths in its source, tests excluded). Nothing but the engine's own command
//! (`cli/local.rs`) reaches into `engine`.

/// Which top-level modules each module may use (besides itself).
const ALLOWED: &[(&str, &[&str])] = &[
    ("api", &["runtimes"]),
    ("output", &[]),
    ("runtimes", &[]),
    ("source", &[]),
    ("kafka", &[]),
    ("runtime", &["runtimes", "source", "api"]),
    ("render", &["api", "runtimes"]),
    ("scaling", &["api", "runtimes"]),
    ("flows", &["api"]),
    ("messaging", &["api", "kafka"]),
    ("local", &["kafka"]),
    ("client", &["api", "local", "output", "runtimes"]),
    (
        "controller",
        &[
            "api",
            "render",
            "messaging",
            "runtimes",
            "client",
            "kafka",
            "scaling",
            "flows",
        ],
    ),
    (
        "engine",
        &[
            "api",
            "render",
            "messaging",
            "runtime",
            "runtimes",
            "source",
            "local",
            "kafka",
            "scaling",
            "flows",
        ],
    ),
    (
        "cli",
        &[
            "api",
            "client",
            "output",
            "runtime",
            "runtimes",
            "source",
            "local",
            "kafka",
            "controller",
            "scaling",
            "flows",
            "render",
        ],
    ),
];

/// Files allowed to use `engine`: the commands that run it.
const ENGINE_COMMANDS: &[&str] = &["cli/local.rs"];

/// Test-only modules (`#[cfg(test)] mod …;`), which may use this file's helpers.
const TESTS: &[&str] = &["engine/layers.rs"];

/// Every `.rs` file under `dir` (also the engine's own layering test reads them).
pub(crate) fn files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The modules a source text names as `crate::module`, outside comments and its tests.
fn used(text: &str) -> Vec<String> {
    let code = text.split("#[cfg(test)]\nmod tests").next().unwrap_or_default();
    let mut out = Vec::new();
    for line in code.lines().map(str::trim_start).filter(|l| !l.starts_with("//")) {
        for (at, _) in line.match_indices("crate::") {
            let name: String = line[at + 7..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                out.push(name);
            }
        }
    }
    out
}

#[test]
fn each_module_uses_only_the_layers_below_it() {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut all = Vec::new();
    files(&src, &mut all);
    let mut wrong = Vec::new();
    for path in all {
        let rel = path.strip_prefix(&src).unwrap().to_string_lossy().replace('\\', "/");
        let module = rel.split('/').next().unwrap().trim_end_matches(".rs").to_string();
        let Some((_, allowed)) = ALLOWED.iter().find(|(m, _)| *m == module) else {
            continue; // lib.rs, main.rs, this file
        };
        let text = std::fs::read_to_string(&path).unwrap();
        for name in used(&text) {
            let ok = name == module
                || allowed.contains(&name.as_str())
                || (name == "layers" && TESTS.contains(&rel.as_str()))
                || (name == "engine" && ENGINE_COMMANDS.contains(&rel.as_str()));
            if !ok {
                wrong.push(format!("{rel} uses crate::{name}"));
            }
        }
    }
    wrong.dedup();
    assert!(wrong.is_empty(), "layers crossed:\n{}", wrong.join("\n"));
}

#[test]
fn paths_in_comments_and_tests_do_not_count() {
    let text = "use crate::api::text;\n// crate::engine in a comment\nfn f() { crate::render::x() }\n#[cfg(test)]\nmod tests {\n    use crate::engine;\n}\n";
    assert_eq!(used(text), ["api", "render"]);
}
