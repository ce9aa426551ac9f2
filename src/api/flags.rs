//! Flag-value conventions of the Kubeless command line: comma-separated lists with CSV quoting,
//! `key=value` / `key:value` pairs (quantities are `api::quantity`).

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
}
