//! Label selectors in the API server's text syntax (`app=web,tier in (a,b),!old`), as list
//! requests and `--selector`/`--function-selector` flags give them: parsed into kube-core's
//! `Selector` (kube-core reads LabelSelector objects, not this text).

use std::collections::BTreeSet;

use kube::core::{Expression, Selector};

/// A label selector text that is not one, in the API server's words.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SelectorError {
    #[error("unable to parse requirement: found '{0}', expected: '('")]
    NoSet(String),
    #[error("unable to parse requirement: invalid label key \"{0}\"")]
    Key(String),
    #[error("unable to parse requirement: invalid label value: \"{0}\"")]
    Value(String),
}

/// Parses a label selector in the API server's syntax: comma-separated requirements, each
/// `k=v`, `k==v`, `k!=v`, `k in (a,b)`, `k notin (a,b)`, `k` (exists) or `!k` (does not exist).
pub fn parse_label_selector(text: &str) -> Result<Selector, SelectorError> {
    let mut exprs = Vec::new();
    for part in split_top_level(text) {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        exprs.push(parse_requirement(part)?);
    }
    Ok(Selector::from_iter(exprs))
}

/// Splits at commas that are not inside parentheses.
fn split_top_level(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0usize, 0usize);
    for (i, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

fn parse_requirement(part: &str) -> Result<Expression, SelectorError> {
    if let Some(key) = part.strip_prefix('!') {
        return Ok(Expression::DoesNotExist(valid_key(key.trim())?));
    }
    if let Some((k, v)) = part.split_once("!=") {
        return Ok(Expression::NotEqual(valid_key(k.trim())?, valid_value(v.trim())?));
    }
    if let Some((k, v)) = part.split_once("==").or_else(|| part.split_once('=')) {
        return Ok(Expression::Equal(valid_key(k.trim())?, valid_value(v.trim())?));
    }
    for (word, negate) in [(" notin ", true), (" in ", false)] {
        if let Some((k, set)) = part.split_once(word) {
            let set = set.trim();
            let inner = set
                .strip_prefix('(')
                .and_then(|s| s.strip_suffix(')'))
                .ok_or_else(|| SelectorError::NoSet(set.to_string()))?;
            let values = inner
                .split(',')
                .map(|v| valid_value(v.trim()))
                .collect::<Result<BTreeSet<_>, _>>()?;
            let key = valid_key(k.trim())?;
            return Ok(if negate {
                Expression::NotIn(key, values)
            } else {
                Expression::In(key, values)
            });
        }
    }
    Ok(Expression::Exists(valid_key(part)?))
}

fn valid_key(key: &str) -> Result<String, SelectorError> {
    let ok =
        !key.is_empty() && key.len() <= 317 && key.chars().all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c));
    if ok {
        Ok(key.to_string())
    } else {
        Err(SelectorError::Key(key.to_string()))
    }
}

fn valid_value(value: &str) -> Result<String, SelectorError> {
    let ok = value.len() <= 63 && value.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
    if ok {
        Ok(value.to_string())
    } else {
        Err(SelectorError::Value(value.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_selectors_are_refused() {
        assert!(parse_label_selector("app in web").is_err());
        assert!(parse_label_selector("a b=c").is_err());
        assert!(parse_label_selector("app=we b").is_err());
    }

    #[test]
    fn requirements_become_expressions() {
        let s = parse_label_selector("app=web, tier in (a,b),!old").unwrap();
        let want = Selector::from_iter([
            Expression::Equal("app".into(), "web".into()),
            Expression::In("tier".into(), BTreeSet::from(["a".to_string(), "b".to_string()])),
            Expression::DoesNotExist("old".into()),
        ]);
        assert_eq!(s, want);
    }
}
