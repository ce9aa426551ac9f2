//! Flag-value conventions of the Kubeless command line: comma-separated lists with CSV quoting,
//! `key=value` / `key:value` pairs, and Kubernetes resource quantities.

/// Splits one `stringSlice` flag value at commas, as Go's CSV reader does (a double-quoted
/// field may contain commas; `""` inside quotes is a quote).
pub fn split_csv(value: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut chars = value.chars().peekable();
    let mut quoted = false;
    let mut at_start = true;
    while let Some(c) = chars.next() {
        match c {
            '"' if at_start => quoted = true,
            '"' if quoted => {
                if chars.peek() == Some(&'"') {
                    chars.next();
                    field.push('"');
                } else {
                    quoted = false;
                }
            }
            ',' if !quoted => {
                fields.push(std::mem::take(&mut field));
                at_start = true;
                continue;
            }
            other => field.push(other),
        }
        at_start = false;
    }
    fields.push(field);
    fields
}

/// All items of a repeatable `stringSlice` flag, each occurrence split at commas.
pub fn items(values: &[String]) -> Vec<String> {
    values
        .iter()
        .flat_map(|v| split_csv(v))
        .filter(|s| !s.is_empty())
        .collect()
}

/// Splits `key=value` or `key:value` at the first `=` or `:`; no separator gives an empty value.
pub fn key_value(item: &str) -> (String, String) {
    match item.find(['=', ':']) {
        Some(i) => (item[..i].to_string(), item[i + 1..].to_string()),
        None => (item.to_string(), String::new()),
    }
}

/// Every `key=value` pair of a repeatable flag.
pub fn pairs(values: &[String]) -> Vec<(String, String)> {
    items(values).iter().map(|i| key_value(i)).collect()
}

/// Checks a Kubernetes resource quantity (`128Mi`, `0.5`, `100m`, `1G`, `2e3`) and returns it in
/// the form the API server keeps (`0.5` becomes `500m`).
pub fn quantity(value: &str) -> Result<String, String> {
    let bad = || match quantity_fix(value) {
        Some(fix) => format!("{value:?} is not a quantity; use {fix}"),
        None => format!(
            "{value:?} is not a quantity: give a number with an optional unit, binary (Ki, Mi, Gi, Ti, Pi, Ei) or decimal (k, M, G, T, P, E; m is thousandths), e.g. 128Mi or 0.5"
        ),
    };
    let unsigned = value.strip_prefix(['+', '-']).unwrap_or(value);
    let number_end = unsigned
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(unsigned.len());
    let (number, suffix) = unsigned.split_at(number_end);
    if number.is_empty() || number == "." || number.matches('.').count() > 1 {
        return Err(bad());
    }
    let suffix_ok = matches!(
        suffix,
        "" | "Ki" | "Mi" | "Gi" | "Ti" | "Pi" | "Ei" | "n" | "u" | "m" | "k" | "M" | "G" | "T" | "P" | "E"
    ) || suffix
        .strip_prefix(['e', 'E'])
        .map(|e| e.strip_prefix(['+', '-']).unwrap_or(e))
        .is_some_and(|digits| !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()));
    if !suffix_ok {
        return Err(bad());
    }
    // A plain decimal fraction is kept in millis, as the API server writes it back.
    if suffix.is_empty() && number.contains('.') {
        let (whole, frac) = number.split_once('.').expect("contains a dot");
        if frac.len() <= 3 {
            let millis: u64 = format!("{whole}{frac:0<3}").parse().map_err(|_| bad())?;
            let sign = if value.starts_with('-') { "-" } else { "" };
            return Ok(if millis.is_multiple_of(1000) {
                format!("{sign}{}", millis / 1000)
            } else {
                format!("{sign}{millis}m")
            });
        }
    }
    Ok(value.trim_start_matches('+').to_string())
}

/// The quantity a common misspelling means: `128MB`, `128mb`, `128MiB` and `128 Mi` are 128Mi.
fn quantity_fix(value: &str) -> Option<String> {
    let compact: String = value.chars().filter(|c| !c.is_whitespace()).collect();
    let number_end = compact
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(compact.len());
    let (number, suffix) = compact.split_at(number_end);
    if number.is_empty() || number.matches('.').count() > 1 {
        return None;
    }
    let unit = suffix.strip_suffix(['B', 'b']).unwrap_or(suffix);
    let unit = unit.strip_suffix(['i', 'I']).unwrap_or(unit);
    let binary = match unit.to_ascii_uppercase().as_str() {
        "K" => "Ki",
        "M" => "Mi",
        "G" => "Gi",
        "T" => "Ti",
        "P" => "Pi",
        "E" => "Ei",
        _ => return None,
    };
    let fixed = format!("{number}{binary}");
    (fixed != value).then_some(fixed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_split_at_the_first_separator() {
        assert_eq!(key_value("foo=bar=baz"), ("foo".into(), "bar=baz".into()));
        assert_eq!(key_value("a:b=c"), ("a".into(), "b=c".into()));
        assert_eq!(key_value("foobar"), ("foobar".into(), "".into()));
        assert_eq!(key_value("k=v:w"), ("k".into(), "v:w".into()));
    }

    #[test]
    fn lists_split_at_commas_unless_quoted() {
        assert_eq!(
            items(&["foo:bar,bar=foo,foobar".into()]),
            ["foo:bar", "bar=foo", "foobar"]
        );
        assert_eq!(items(&["\"qux=bar,baz\"".into()]), ["qux=bar,baz"]);
        assert_eq!(items(&["a=1".into(), "b=2".into()]), ["a=1", "b=2"]);
        assert_eq!(items(&["\"say \"\"hi\"\"\"".into()]), ["say \"hi\""]);
    }

    #[test]
    fn a_misspelt_quantity_is_answered_with_the_right_one() {
        for (given, fix) in [
            ("128MB", "128Mi"),
            ("128mb", "128Mi"),
            ("1GiB", "1Gi"),
            ("512 Mi", "512Mi"),
            ("2kb", "2Ki"),
        ] {
            assert_eq!(
                quantity(given).unwrap_err(),
                format!("{given:?} is not a quantity; use {fix}")
            );
        }
        let err = quantity("12xx").unwrap_err();
        assert!(
            err.contains("e.g. 128Mi") && !err.contains("regular expression"),
            "{err}"
        );
    }

    #[test]
    fn quantities_are_checked_and_kept_like_the_api_server() {
        for (given, kept) in [
            ("128Mi", "128Mi"),
            ("0.5", "500m"),
            ("1.5", "1500m"),
            ("2.0", "2"),
            ("100m", "100m"),
            ("1G", "1G"),
            ("2e3", "2e3"),
            ("1", "1"),
        ] {
            assert_eq!(quantity(given).as_deref(), Ok(kept), "{given}");
        }
        for bad in ["", "abc", "12xx", "1..2", "Mi", "1Mib", "."] {
            assert!(quantity(bad).is_err(), "{bad}");
        }
    }
}
