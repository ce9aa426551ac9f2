//! The runtime catalog: every runtime id kfn accepts, what files it expects, and the images a
//! cluster runs it with. One table, documented in docs/runtimes.md.

pub mod metrics;

use std::fmt;

/// The language of a runtime id: Python and Node.js are the languages kfn's own function runtime
/// (`kfn runtime serve`) runs, on a cluster and on the local engine. Other catalog entries are
/// accepted for compatibility with Kubeless objects and run with `--runtime-image`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Language {
    Python,
    NodeJs,
    Other,
}

impl Language {
    /// The language of a runtime id: the catalog's, else (an id newer than the catalog) by its
    /// prefix, `python…` or `node…`.
    pub fn of(name: &str) -> Language {
        match find(name) {
            Some(r) => r.language,
            None if name.starts_with("python") => Language::Python,
            None if name.starts_with("node") => Language::NodeJs,
            None => Language::Other,
        }
    }

    /// Whether kfn's own runtime runs it (Python and Node.js).
    pub fn runs_locally(self) -> bool {
        self != Language::Other
    }
}

/// One runtime id of the catalog, such as `python3.12`.
#[derive(Clone, Copy, Debug)]
pub struct Runtime {
    /// The language part of the id (Kubeless `ID`): `python`, `nodejs`, `go`, …
    pub id: &'static str,
    /// The version part: `3.12`, `20`, …
    pub version: &'static str,
    pub language: Language,
    /// The dependency file name (`requirements.txt`, `package.json`, …), empty when none.
    pub dep_file: &'static str,
    /// The suffix of a plain source file (`.py`, `.js`, …).
    pub suffix: &'static str,
    /// The image function pods run (an official language image).
    pub image: &'static str,
    /// The image dependencies are installed with, empty when the runtime has none.
    pub install_image: &'static str,
    /// Whether Kubeless v1.0.8 shipped this id (kept for existing objects and scripts).
    pub kubeless: bool,
}

impl Runtime {
    /// The user-facing id: `python3.12`.
    pub fn name(&self) -> String {
        format!("{}{}", self.id, self.version)
    }
}

impl fmt::Display for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.id, self.version)
    }
}

const fn py(version: &'static str, image: &'static str, kubeless: bool) -> Runtime {
    Runtime {
        id: "python",
        version,
        language: Language::Python,
        dep_file: "requirements.txt",
        suffix: ".py",
        image,
        install_image: image,
        kubeless,
    }
}

const fn node(version: &'static str, image: &'static str, kubeless: bool) -> Runtime {
    node_named("nodejs", version, image, kubeless)
}

const fn node_named(id: &'static str, version: &'static str, image: &'static str, kubeless: bool) -> Runtime {
    Runtime {
        id,
        version,
        language: Language::NodeJs,
        dep_file: "package.json",
        suffix: ".js",
        image,
        install_image: image,
        kubeless,
    }
}

const fn other(
    id: &'static str,
    version: &'static str,
    dep_file: &'static str,
    suffix: &'static str,
    image: &'static str,
) -> Runtime {
    Runtime {
        id,
        version,
        language: Language::Other,
        dep_file,
        suffix,
        image,
        install_image: "",
        kubeless: true,
    }
}

/// The built-in catalog, in the order `get-server-config` lists it (by language, then version).
pub const CATALOG: &[Runtime] = &[
    other("ballerina", "0.981.0", "", ".bal", "ballerina/ballerina:0.981.0"),
    other(
        "dotnetcore",
        "2.0",
        "project.csproj",
        ".cs",
        "mcr.microsoft.com/dotnet/core/runtime:2.0",
    ),
    other(
        "dotnetcore",
        "2.1",
        "project.csproj",
        ".cs",
        "mcr.microsoft.com/dotnet/core/runtime:2.1",
    ),
    other(
        "dotnetcore",
        "2.2",
        "project.csproj",
        ".cs",
        "mcr.microsoft.com/dotnet/core/runtime:2.2",
    ),
    other(
        "dotnetcore",
        "3.1",
        "project.csproj",
        ".cs",
        "mcr.microsoft.com/dotnet/core/runtime:3.1",
    ),
    other("go", "1.13", "go.mod", ".go", "golang:1.13"),
    other("go", "1.14", "go.mod", ".go", "golang:1.14"),
    other("java", "1.8", "pom.xml", ".java", "openjdk:8-jre"),
    other("java", "11", "pom.xml", ".java", "openjdk:11-jre"),
    node("10", "node:10-slim", true),
    node("12", "node:12-slim", true),
    node("14", "node:14-slim", true),
    node("18", "node:18-slim", false),
    node("20", "node:20-slim", false),
    node("22", "node:22-slim", false),
    other("php", "7.2", "composer.json", ".php", "php:7.2"),
    other("php", "7.3", "composer.json", ".php", "php:7.3"),
    other("php", "7.4", "composer.json", ".php", "php:7.4"),
    py("3.6", "python:3.6-slim", true),
    py("3.7", "python:3.7-slim", true),
    py("3.8", "python:3.8-slim", true),
    py("3.9", "python:3.9-slim", false),
    py("3.10", "python:3.10-slim", false),
    py("3.11", "python:3.11-slim", false),
    py("3.12", "python:3.12-slim", false),
    py("3.13", "python:3.13-slim", false),
    other("ruby", "2.3", "Gemfile", ".rb", "ruby:2.3"),
    other("ruby", "2.4", "Gemfile", ".rb", "ruby:2.4"),
    other("ruby", "2.5", "Gemfile", ".rb", "ruby:2.5"),
    other("ruby", "2.6", "Gemfile", ".rb", "ruby:2.6"),
    other("jvm", "1.8", "", ".jar", "openjdk:8-jre-alpine"),
    node_named("nodejs_distroless", "8", "node:8-slim", true),
    node_named("nodejsCE", "8", "node:8-slim", true),
    other("vertx", "1.8", "pom.xml", ".java", "openjdk:8-jdk-alpine"),
];

/// Bare language names and the id they stand for (the newest version).
const ALIASES: &[(&str, &str)] = &[("python", "python3.13"), ("nodejs", "nodejs22"), ("node", "nodejs22")];

/// Looks up a runtime id (`python3.12`, `nodejs20`) or a bare language (`python`, `nodejs`).
pub fn find(name: &str) -> Option<&'static Runtime> {
    let name = ALIASES
        .iter()
        .find(|(alias, _)| *alias == name)
        .map(|(_, id)| *id)
        .unwrap_or(name);
    CATALOG
        .iter()
        .find(|r| r.id.len() + r.version.len() == name.len() && name.starts_with(r.id) && name.ends_with(r.version))
}

/// The language part of an id, as Kubeless splits it: the leading run of letters, `_` and `-`.
pub fn language_of(name: &str) -> &str {
    let end = name
        .find(|c: char| !(c.is_ascii_alphabetic() || c == '_' || c == '-'))
        .unwrap_or(name.len());
    &name[..end]
}

/// Every id of the catalog, in catalog order.
pub fn names() -> Vec<String> {
    CATALOG.iter().map(Runtime::name).collect()
}

/// Whether the local engine runs a runtime id with kfn's own runtime (Python and Node.js);
/// the other ids need a cluster.
pub fn runs_locally(name: &str) -> bool {
    Language::of(name).runs_locally()
}

/// The bare names that stand for the newest version of a language (`python`, `nodejs`).
pub fn aliases() -> impl Iterator<Item = &'static str> {
    ALIASES.iter().map(|(alias, _)| *alias)
}

/// Sorts runtime ids by language, then by version as numbers: `python3.9` before `python3.10`.
pub fn sort_ids(ids: &mut [String]) {
    ids.sort_by_cached_key(|id| {
        let language = language_of(id).to_string();
        let version: Vec<u64> = id[language.len()..]
            .split(|c: char| !c.is_ascii_digit())
            .map(|part| part.parse().unwrap_or(0))
            .collect();
        (language, version)
    });
}

/// What a mistyped runtime most likely meant, among `ids` (sorted, newest last) and the
/// aliases: the newest id the text begins (`python3` → the newest `python3.x`), else the
/// nearest by edit distance, when it is near enough.
pub fn suggest(given: &str, ids: &[String]) -> Option<String> {
    let given = given.trim();
    if given.is_empty() {
        return None;
    }
    let lower = given.to_ascii_lowercase();
    if let Some(id) = ids.iter().find(|id| id.to_ascii_lowercase() == lower) {
        return Some(id.clone());
    }
    if lower.len() >= 2
        && let Some(id) = ids.iter().rev().find(|id| id.to_ascii_lowercase().starts_with(&lower))
    {
        return Some(id.clone());
    }
    // On a tie the newer id wins, and an alias only when it is strictly nearer.
    let mut best: Option<(usize, &str)> = None;
    for (candidate, alias) in ids
        .iter()
        .map(|i| (i.as_str(), false))
        .chain(aliases().map(|a| (a, true)))
    {
        let distance = edit_distance(&lower, &candidate.to_ascii_lowercase());
        if best.is_none_or(|(d, _)| distance < d || (distance == d && !alias)) {
            best = Some((distance, candidate));
        }
    }
    let (distance, candidate) = best?;
    (distance <= (given.chars().count() / 3).max(1)).then(|| candidate.to_string())
}

/// The Levenshtein distance of two strings, in characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1).min(row[j] + 1).min(diagonal + usize::from(ca != *cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_sort_by_version_and_typos_get_a_suggestion() {
        let mut ids = names();
        sort_ids(&mut ids);
        let at = |id: &str| ids.iter().position(|i| i == id).unwrap();
        assert!(at("python3.9") < at("python3.10"));
        assert_eq!(ids[0], "ballerina0.981.0");
        assert_eq!(suggest("python3", &ids).as_deref(), Some("python3.13"));
        assert_eq!(suggest("pyhton3.12", &ids).as_deref(), Some("python3.12"));
        assert_eq!(suggest("Python3.12", &ids).as_deref(), Some("python3.12"));
        assert_eq!(suggest("go1.15", &ids).as_deref(), Some("go1.14"));
        assert_eq!(suggest("node20", &ids).as_deref(), Some("nodejs20"));
        assert_eq!(suggest("pyton", &ids).as_deref(), Some("python"));
        assert_eq!(suggest("cobol2", &ids), None);
        assert!(runs_locally("python3.7") && runs_locally("nodejs20") && runs_locally("python"));
        assert!(!runs_locally("go1.14") && !runs_locally("ruby2.6"));
    }

    #[test]
    fn ids_resolve_with_aliases_for_the_newest() {
        assert_eq!(find("python3.7").unwrap().name(), "python3.7");
        assert_eq!(find("python").unwrap().name(), "python3.13");
        assert_eq!(find("nodejs").unwrap().name(), "nodejs22");
        assert_eq!(find("nodejs_distroless8").unwrap().dep_file, "package.json");
        assert_eq!(find("nodejsCE8").unwrap().id, "nodejsCE");
        assert!(find("python3.1").is_none(), "no prefix matches");
        assert!(find("cobol1").is_none());
        assert_eq!(language_of("nodejs_distroless8"), "nodejs_distroless");
    }

    #[test]
    fn languages_come_from_the_catalog_and_newer_ids_by_their_prefix() {
        assert_eq!(Language::of("python3.7"), Language::Python);
        assert_eq!(Language::of("nodejs_distroless8"), Language::NodeJs);
        assert_eq!(Language::of("nodejsCE8"), Language::NodeJs);
        assert_eq!(Language::of("go1.14"), Language::Other);
        assert_eq!(Language::of("python3.99"), Language::Python, "newer than the catalog");
        assert_eq!(Language::of("node99"), Language::NodeJs);
        assert_eq!(Language::of("cobol1"), Language::Other);
        assert!(!Language::Other.runs_locally() && Language::NodeJs.runs_locally());
    }

    #[test]
    fn the_catalog_has_kubeless_ids_and_current_ones() {
        let names = names();
        for id in [
            "python3.6",
            "python3.8",
            "nodejs14",
            "go1.14",
            "java11",
            "ruby2.6",
            "vertx1.8",
            "ballerina0.981.0",
        ] {
            assert!(names.contains(&id.to_string()), "{id}");
        }
        for id in [
            "python3.9",
            "python3.10",
            "python3.11",
            "python3.12",
            "python3.13",
            "nodejs18",
            "nodejs20",
            "nodejs22",
        ] {
            assert!(names.contains(&id.to_string()), "{id}");
        }
        let unique: std::collections::BTreeSet<_> = names.iter().collect();
        assert_eq!(unique.len(), names.len());
    }

    #[test]
    fn docs_list_every_runtime_id() {
        let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/runtimes.md")).unwrap();
        for name in names() {
            assert!(
                doc.contains(&format!("`{name}`")),
                "docs/runtimes.md does not list {name}"
            );
        }
    }
}
