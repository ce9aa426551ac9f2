//! `-o/--output` (`-o/--out` on lists): the formats a command prints in.

use std::fmt;

/// How a command prints what it got.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputFormat {
    /// A Kubeless-style table (no `-o`).
    Table,
    /// The table with more columns.
    Wide,
    Json,
    Yaml,
}

impl OutputFormat {
    /// The word `-o` takes for it (`""` for the table).
    pub fn word(self) -> &'static str {
        match self {
            OutputFormat::Table => "",
            OutputFormat::Wide => "wide",
            OutputFormat::Json => "json",
            OutputFormat::Yaml => "yaml",
        }
    }

    /// The format `given` names, if it is one of `accepted`. `kubeless` is what the Kubeless
    /// command said to a format it did not take (`Wrong output format. Please use only
    /// json|yaml`); `flag` the flag's names (`-o/--out`).
    pub fn parse(
        given: &str,
        accepted: &[OutputFormat],
        flag: &'static str,
        kubeless: &'static str,
    ) -> Result<OutputFormat, UnknownFormat> {
        accepted
            .iter()
            .copied()
            .find(|f| f.word() == given)
            .ok_or_else(|| UnknownFormat {
                given: given.to_string(),
                accepted: accepted.to_vec(),
                flag,
                kubeless,
            })
    }
}

/// An `-o` value the command does not take.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownFormat {
    pub given: String,
    pub accepted: Vec<OutputFormat>,
    pub flag: &'static str,
    pub kubeless: &'static str,
}

impl fmt::Display for UnknownFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let words: Vec<&str> = self
            .accepted
            .iter()
            .map(|a| match a {
                OutputFormat::Table => "none for a table",
                other => other.word(),
            })
            .collect();
        write!(
            f,
            "{}; got {:?} (given with {}; accepted: {})",
            self.kubeless,
            self.given,
            self.flag,
            words.join(", ")
        )
    }
}

impl std::error::Error for UnknownFormat {}

#[cfg(test)]
mod tests {
    use super::OutputFormat::*;
    use super::*;

    #[test]
    fn a_format_is_one_the_command_takes_or_an_error_naming_flag_value_and_choices() {
        let lists = [Table, Wide, Json, Yaml];
        assert_eq!(OutputFormat::parse("", &lists, "-o/--out", "Wrong"), Ok(Table));
        assert_eq!(OutputFormat::parse("wide", &lists, "-o/--out", "Wrong"), Ok(Wide));
        let err = OutputFormat::parse(
            "wide",
            &[Yaml, Json],
            "-o/--output",
            "Output format needs to be yaml or json",
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Output format needs to be yaml or json; got \"wide\" (given with -o/--output; accepted: yaml, json)"
        );
        let err = OutputFormat::parse("xml", &lists, "-o/--out", "Wrong output format").unwrap_err();
        assert!(
            err.to_string()
                .ends_with("accepted: none for a table, wide, json, yaml)"),
            "{err}"
        );
    }
}
