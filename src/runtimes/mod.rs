//! The runtime catalog: every runtime id kfn accepts, what files it expects, and the images a
//! cluster runs it with. One table, documented in docs/runtimes.md.

use std::fmt;

/// Languages kfn's own function runtime (`kfn runtime serve`) can run. Other catalog entries are
/// accepted for compatibility with Kubeless objects and run with `--runtime-image`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Language {
    Python,
    NodeJs,
    Other,
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

#[cfg(test)]
mod tests {
    use super::*;

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
