//! A Choice state's rules: which `Next` the first matching rule names, or the `Default`.
//!
//! As in AWS: a comparison whose `Variable` (or `…Path` operand) is missing from the input is
//! `States.Runtime`; a comparison of values of another type than the operator's is false
//! (`NumericEquals` on a string); `IsPresent` is false on a missing path.

use std::cmp::Ordering;

use serde_json::Value;

use super::definition::{ChoiceRule, Condition, Operand, Operator};
use super::errors::FlowError;
use super::timestamp;

/// Whether `condition` holds for `input` (the Choice's effective input).
pub fn holds(condition: &Condition, input: &Value, context: &Value) -> Result<bool, FlowError> {
    match condition {
        Condition::And(all) => {
            for c in all {
                if !holds(c, input, context)? {
                    return Ok(false);
                }
            }
            Ok(true)
        }
        Condition::Or(any) => {
            for c in any {
                if holds(c, input, context)? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        Condition::Not(c) => Ok(!holds(c, input, context)?),
        Condition::Compare {
            variable,
            operator,
            operand,
        } => {
            let found = variable.find(input, context);
            if *operator == Operator::IsPresent {
                return Ok(found.is_some() == expect_bool(operand));
            }
            let Some(value) = found else {
                return Err(FlowError::runtime(format!(
                    "invalid path {} in a Choice rule: the Variable could not be found in the input",
                    variable.as_str()
                )));
            };
            let other = match operand {
                Operand::Literal(v) => v.clone(),
                Operand::Path(p) => p.find(input, context).ok_or_else(|| {
                    FlowError::runtime(format!(
                        "invalid path {} in a Choice rule: the {}Path operand could not be found in the input",
                        p.as_str(),
                        name(*operator)
                    ))
                })?,
            };
            Ok(compare(*operator, &value, &other))
        }
    }
}

fn expect_bool(operand: &Operand) -> bool {
    matches!(operand, Operand::Literal(Value::Bool(true)))
}

fn name(operator: Operator) -> String {
    format!("{operator:?}")
}

/// `value OPERATOR other`; false when either is not of the operator's type.
fn compare(operator: Operator, value: &Value, other: &Value) -> bool {
    use Operator::*;
    let is = |test: bool| test == (other == &Value::Bool(true));
    match operator {
        IsNull => is(value.is_null()),
        IsPresent => is(true),
        IsNumeric => is(value.is_number()),
        IsString => is(value.is_string()),
        IsBoolean => is(value.is_boolean()),
        IsTimestamp => is(value.as_str().and_then(timestamp::parse).is_some()),
        BooleanEquals => matches!((value, other), (Value::Bool(a), Value::Bool(b)) if a == b),
        StringMatches => match (value, other) {
            (Value::String(s), Value::String(pattern)) => glob(pattern, s),
            _ => false,
        },
        StringEquals | StringLessThan | StringGreaterThan | StringLessThanEquals | StringGreaterThanEquals => {
            match (value, other) {
                (Value::String(a), Value::String(b)) => ordered(operator, a.cmp(b)),
                _ => false,
            }
        }
        NumericEquals | NumericLessThan | NumericGreaterThan | NumericLessThanEquals | NumericGreaterThanEquals => {
            match (value, other) {
                (Value::Number(a), Value::Number(b)) => {
                    let order = match (a.as_i64(), b.as_i64()) {
                        (Some(x), Some(y)) => Some(x.cmp(&y)),
                        _ => a.as_f64().zip(b.as_f64()).and_then(|(x, y)| x.partial_cmp(&y)),
                    };
                    order.is_some_and(|o| ordered(operator, o))
                }
                _ => false,
            }
        }
        TimestampEquals
        | TimestampLessThan
        | TimestampGreaterThan
        | TimestampLessThanEquals
        | TimestampGreaterThanEquals => {
            let a = value.as_str().and_then(timestamp::parse);
            let b = other.as_str().and_then(timestamp::parse);
            match (a, b) {
                (Some(a), Some(b)) => ordered(operator, a.cmp(&b)),
                _ => false,
            }
        }
    }
}

fn ordered(operator: Operator, order: Ordering) -> bool {
    use Operator::*;
    match operator {
        StringEquals | NumericEquals | TimestampEquals => order == Ordering::Equal,
        StringLessThan | NumericLessThan | TimestampLessThan => order == Ordering::Less,
        StringGreaterThan | NumericGreaterThan | TimestampGreaterThan => order == Ordering::Greater,
        StringLessThanEquals | NumericLessThanEquals | TimestampLessThanEquals => order != Ordering::Greater,
        StringGreaterThanEquals | NumericGreaterThanEquals | TimestampGreaterThanEquals => order != Ordering::Less,
        _ => false,
    }
}

/// `StringMatches`: `*` is any run of characters, `\*` a star, `\\` a backslash.
fn glob(pattern: &str, text: &str) -> bool {
    enum Part {
        Char(char),
        Star,
    }
    let mut parts = Vec::new();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => parts.push(Part::Char(chars.next().unwrap_or('\\'))),
            '*' => parts.push(Part::Star),
            c => parts.push(Part::Char(c)),
        }
    }
    let text: Vec<char> = text.chars().collect();
    // Classic wildcard matching with backtracking to the last star.
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match parts.get(p) {
            Some(Part::Char(c)) if *c == text[t] => {
                p += 1;
                t += 1;
            }
            Some(Part::Star) => {
                star = Some((p, t));
                p += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    p = sp + 1;
                    t = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    parts[p..].iter().all(|x| matches!(x, Part::Star))
}

/// The state the first matching rule leads to, else `default`, else `States.NoChoiceMatched`.
pub fn choose<'a>(
    rules: &'a [ChoiceRule],
    default: Option<&'a str>,
    input: &Value,
    context: &Value,
) -> Result<&'a str, FlowError> {
    for rule in rules {
        if holds(&rule.condition, input, context)? {
            return Ok(&rule.next);
        }
    }
    default.ok_or_else(|| {
        FlowError::new(
            super::errors::NO_CHOICE_MATCHED,
            "no Choice rule matched the input and the state has no Default",
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flows::path::Path;
    use serde_json::json;

    fn cmp(variable: &str, operator: Operator, operand: Value) -> Condition {
        Condition::Compare {
            variable: Path::parse(variable).unwrap(),
            operator,
            operand: Operand::Literal(operand),
        }
    }

    fn cmp_path(variable: &str, operator: Operator, other: &str) -> Condition {
        Condition::Compare {
            variable: Path::parse(variable).unwrap(),
            operator,
            operand: Operand::Path(Path::parse(other).unwrap()),
        }
    }

    fn input() -> Value {
        json!({
            "s": "hello", "n": 7, "f": 2.5, "b": true, "z": null,
            "t": "2016-03-14T01:59:00Z", "t2": "2016-03-14T02:59:00+01:00",
            "file": "log-2024.txt", "other": 7, "word": "hellp"
        })
    }

    fn h(c: Condition) -> bool {
        holds(&c, &input(), &json!({"Execution": {"Name": "x"}})).unwrap()
    }

    #[test]
    fn every_comparison_operator() {
        use Operator::*;
        assert!(h(cmp("$.s", StringEquals, json!("hello"))));
        assert!(!h(cmp("$.s", StringEquals, json!("Hello"))));
        assert!(h(cmp("$.s", StringLessThan, json!("help"))));
        assert!(h(cmp("$.s", StringGreaterThan, json!("hell"))));
        assert!(h(cmp("$.s", StringLessThanEquals, json!("hello"))));
        assert!(h(cmp("$.s", StringGreaterThanEquals, json!("hello"))));
        assert!(h(cmp("$.file", StringMatches, json!("log-*.txt"))));
        assert!(!h(cmp("$.file", StringMatches, json!("log-*.csv"))));
        assert!(h(cmp("$.file", StringMatches, json!("*"))));
        assert!(!h(cmp("$.file", StringMatches, json!("log-\\*.txt"))));
        assert!(h(cmp("$.n", NumericEquals, json!(7))));
        assert!(h(cmp("$.n", NumericEquals, json!(7.0))));
        assert!(h(cmp("$.f", NumericLessThan, json!(3))));
        assert!(h(cmp("$.f", NumericGreaterThan, json!(2))));
        assert!(h(cmp("$.n", NumericLessThanEquals, json!(7))));
        assert!(h(cmp("$.n", NumericGreaterThanEquals, json!(7))));
        assert!(!h(cmp("$.n", NumericGreaterThan, json!(7))));
        assert!(h(cmp("$.b", BooleanEquals, json!(true))));
        assert!(!h(cmp("$.b", BooleanEquals, json!(false))));
        assert!(h(cmp("$.t", TimestampEquals, json!("2016-03-14T01:59:00Z"))));
        assert!(h(cmp("$.t", TimestampEquals, json!("2016-03-14T02:59:00+01:00"))));
        assert!(h(cmp("$.t", TimestampLessThan, json!("2016-03-14T02:00:00Z"))));
        assert!(h(cmp("$.t", TimestampGreaterThan, json!("2016-03-14T01:00:00Z"))));
        assert!(h(cmp("$.t", TimestampLessThanEquals, json!("2016-03-14T01:59:00Z"))));
        assert!(h(cmp("$.t", TimestampGreaterThanEquals, json!("2016-03-14T01:59:00Z"))));
        // Values of another type than the operator's: false, not an error.
        assert!(!h(cmp("$.s", NumericEquals, json!(7))));
        assert!(!h(cmp("$.n", StringEquals, json!("7"))));
        assert!(!h(cmp("$.s", TimestampEquals, json!("2016-03-14T01:59:00Z"))));
    }

    #[test]
    fn path_variants_compare_with_another_field() {
        use Operator::*;
        assert!(h(cmp_path("$.n", NumericEquals, "$.other")));
        assert!(h(cmp_path("$.s", StringLessThan, "$.word")));
        assert!(h(cmp_path("$.t", TimestampEquals, "$.t2")));
        assert!(h(cmp_path("$.b", BooleanEquals, "$.b")));
        assert!(h(cmp_path("$.s", StringEquals, "$.s")));
        assert!(h(cmp_path("$.n", NumericGreaterThan, "$.f")));
        let e = holds(&cmp_path("$.n", NumericEquals, "$.missing"), &input(), &Value::Null).unwrap_err();
        assert_eq!(e.error, "States.Runtime");
        assert!(h(cmp_path("$$.Execution.Name", StringEquals, "$$.Execution.Name")));
    }

    #[test]
    fn type_tests_and_is_present() {
        use Operator::*;
        assert!(h(cmp("$.z", IsNull, json!(true))));
        assert!(h(cmp("$.s", IsNull, json!(false))));
        assert!(h(cmp("$.n", IsNumeric, json!(true))));
        assert!(h(cmp("$.s", IsNumeric, json!(false))));
        assert!(h(cmp("$.s", IsString, json!(true))));
        assert!(h(cmp("$.b", IsBoolean, json!(true))));
        assert!(h(cmp("$.t", IsTimestamp, json!(true))));
        assert!(h(cmp("$.s", IsTimestamp, json!(false))));
        assert!(h(cmp("$.s", IsPresent, json!(true))));
        assert!(h(cmp("$.missing", IsPresent, json!(false))));
        assert!(!h(cmp("$.missing", IsPresent, json!(true))));
        let e = holds(&cmp("$.missing", StringEquals, json!("x")), &input(), &Value::Null).unwrap_err();
        assert_eq!(e.error, "States.Runtime");
        assert!(e.cause.contains("$.missing"), "{e}");
    }

    #[test]
    fn and_or_not_and_choose() {
        use Operator::*;
        let yes = || cmp("$.n", NumericEquals, json!(7));
        let no = || cmp("$.n", NumericEquals, json!(8));
        assert!(h(Condition::And(vec![yes(), yes()])));
        assert!(!h(Condition::And(vec![yes(), no()])));
        assert!(h(Condition::Or(vec![no(), yes()])));
        assert!(!h(Condition::Or(vec![no(), no()])));
        assert!(h(Condition::Not(Box::new(no()))));
        // And stops at the first false: a missing path after it is not read.
        assert!(!h(Condition::And(vec![
            no(),
            cmp("$.missing", StringEquals, json!("x"))
        ])));
        let rules = vec![
            ChoiceRule {
                condition: no(),
                next: "A".into(),
            },
            ChoiceRule {
                condition: yes(),
                next: "B".into(),
            },
        ];
        assert_eq!(choose(&rules, Some("D"), &input(), &Value::Null).unwrap(), "B");
        assert_eq!(choose(&rules[..1], Some("D"), &input(), &Value::Null).unwrap(), "D");
        let e = choose(&rules[..1], None, &input(), &Value::Null).unwrap_err();
        assert_eq!(e.error, "States.NoChoiceMatched");
    }
}
