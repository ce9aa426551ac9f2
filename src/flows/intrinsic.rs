//! The intrinsic functions (`States.Format`, `States.StringToJson`, `States.Array`, `States.Hash`,
//! `States.MathAdd`, `States.UUID`, …): parsed once from a template's `.$` field, evaluated
//! against the input and the context object.
//!
//! Arguments are string literals in single quotes (`\` escapes the next character: `\'`, `\\`,
//! and in `States.Format` `\{` `\}` for literal braces), numbers, `true`, `false`, `null`, paths
//! (`$.x`, `$$.x`) and calls.

use base64::Engine as _;
use serde_json::{Number, Value};
use sha2::Digest as _;

use super::errors::{FlowError, INTRINSIC_FAILURE};
use super::path::Path;

/// A parsed call of an intrinsic function (its arguments may be literals, paths or calls).
#[derive(Clone, Debug, PartialEq)]
pub struct Call {
    text: String,
    name: String,
    args: Vec<Arg>,
}

#[derive(Clone, Debug, PartialEq)]
enum Arg {
    /// A string literal: its value, and its text between the quotes (escapes kept, which
    /// `States.Format` needs to tell `\{` from `{`).
    Str {
        value: String,
        raw: String,
    },
    Literal(Value),
    Path(Path),
    Call(Box<Call>),
}

/// The functions, with how many arguments each takes (least, most).
const FUNCTIONS: &[(&str, usize, usize)] = &[
    ("States.Format", 1, usize::MAX),
    ("States.StringToJson", 1, 1),
    ("States.JsonToString", 1, 1),
    ("States.Array", 0, usize::MAX),
    ("States.ArrayPartition", 2, 2),
    ("States.ArrayContains", 2, 2),
    ("States.ArrayRange", 3, 3),
    ("States.ArrayGetItem", 2, 2),
    ("States.ArrayLength", 1, 1),
    ("States.ArrayUnique", 1, 1),
    ("States.Base64Encode", 1, 1),
    ("States.Base64Decode", 1, 1),
    ("States.Hash", 2, 2),
    ("States.JsonMerge", 3, 3),
    ("States.MathRandom", 2, 3),
    ("States.MathAdd", 2, 2),
    ("States.StringSplit", 2, 2),
    ("States.UUID", 0, 0),
];

const HASHES: &[&str] = &["MD5", "SHA-1", "SHA-256", "SHA-384", "SHA-512"];

/// `States.ArrayRange` makes at most this many items (as AWS).
const RANGE_LIMIT: usize = 1000;

impl Call {
    /// Whether a `.$` value is an intrinsic call (`States.…(`) rather than a path.
    pub fn is_call(text: &str) -> bool {
        text.trim_start().starts_with("States.")
    }

    /// Parses a call: an unknown function or a wrong number or kind of literal arguments is an
    /// error saying so.
    pub fn parse(text: &str) -> Result<Call, String> {
        let chars: Vec<char> = text.chars().collect();
        let mut at = 0;
        let call = parse_call(&chars, &mut at)?;
        skip_space(&chars, &mut at);
        if at < chars.len() {
            let rest: String = chars[at..].iter().collect();
            return Err(format!("unexpected {rest:?} after the call {}", call.text));
        }
        Ok(call)
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The function called (`States.Format`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Evaluates it; a failure is `States.IntrinsicFailure` with the reason.
    pub fn eval(&self, input: &Value, context: &Value) -> Result<Value, FlowError> {
        let mut values = Vec::with_capacity(self.args.len());
        for arg in &self.args {
            values.push(match arg {
                Arg::Str { value, .. } => Value::String(value.clone()),
                Arg::Literal(v) => v.clone(),
                Arg::Path(p) => p
                    .select(input, context)
                    .map_err(|e| FlowError::new(INTRINSIC_FAILURE, format!("{}: {}", self.name, e.cause)))?,
                Arg::Call(c) => c.eval(input, context)?,
            });
        }
        self.apply(values)
            .map_err(|why| FlowError::new(INTRINSIC_FAILURE, format!("{}: {why}", self.text)))
    }

    fn apply(&self, values: Vec<Value>) -> Result<Value, String> {
        let v = &values;
        match self.name.as_str() {
            "States.Format" => {
                let template = match &self.args[0] {
                    Arg::Str { raw, .. } => raw.clone(),
                    _ => string(&v[0], 1)?.to_string(),
                };
                format(&template, &v[1..])
            }
            "States.StringToJson" => {
                serde_json::from_str(string(&v[0], 1)?).map_err(|e| format!("argument 1 is not JSON: {e}"))
            }
            "States.JsonToString" => Ok(Value::String(v[0].to_string())),
            "States.Array" => Ok(Value::Array(values)),
            "States.ArrayPartition" => {
                let items = array(&v[0], 1)?;
                let size = integer(&v[1], 2)?;
                if size < 1 {
                    return Err(format!("the chunk size must be at least 1, got {size}"));
                }
                Ok(Value::Array(
                    items.chunks(size as usize).map(|c| Value::Array(c.to_vec())).collect(),
                ))
            }
            "States.ArrayContains" => Ok(Value::Bool(array(&v[0], 1)?.contains(&v[1]))),
            "States.ArrayRange" => {
                let (start, end, step) = (integer(&v[0], 1)?, integer(&v[1], 2)?, integer(&v[2], 3)?);
                if step == 0 {
                    return Err("the step must not be 0".into());
                }
                let mut out = Vec::new();
                let mut n = start;
                while (step > 0 && n <= end) || (step < 0 && n >= end) {
                    if out.len() == RANGE_LIMIT {
                        return Err(format!("the range has more than {RANGE_LIMIT} items"));
                    }
                    out.push(Value::from(n));
                    match n.checked_add(step) {
                        Some(next) => n = next,
                        None => break,
                    }
                }
                Ok(Value::Array(out))
            }
            "States.ArrayGetItem" => {
                let items = array(&v[0], 1)?;
                let index = integer(&v[1], 2)?;
                usize::try_from(index)
                    .ok()
                    .and_then(|i| items.get(i))
                    .cloned()
                    .ok_or_else(|| format!("index {index} is out of the array's bounds (length {})", items.len()))
            }
            "States.ArrayLength" => Ok(Value::from(array(&v[0], 1)?.len())),
            "States.ArrayUnique" => {
                let mut out: Vec<Value> = Vec::new();
                for item in array(&v[0], 1)? {
                    if !out.contains(item) {
                        out.push(item.clone());
                    }
                }
                Ok(Value::Array(out))
            }
            "States.Base64Encode" => Ok(Value::String(
                base64::engine::general_purpose::STANDARD.encode(string(&v[0], 1)?),
            )),
            "States.Base64Decode" => {
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(string(&v[0], 1)?)
                    .map_err(|e| format!("argument 1 is not base64: {e}"))?;
                String::from_utf8(bytes)
                    .map(Value::String)
                    .map_err(|_| "the decoded bytes are not UTF-8 text".into())
            }
            "States.Hash" => {
                let data = match &v[0] {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                let algorithm = string(&v[1], 2)?;
                let bytes: Vec<u8> = match algorithm {
                    "MD5" => md5::Md5::digest(&data).to_vec(),
                    "SHA-1" => sha1::Sha1::digest(&data).to_vec(),
                    "SHA-256" => sha2::Sha256::digest(&data).to_vec(),
                    "SHA-384" => sha2::Sha384::digest(&data).to_vec(),
                    "SHA-512" => sha2::Sha512::digest(&data).to_vec(),
                    other => {
                        return Err(format!("unknown algorithm {other:?}; accepted: {}", HASHES.join(", ")));
                    }
                };
                Ok(Value::String(bytes.iter().map(|b| format!("{b:02x}")).collect()))
            }
            "States.JsonMerge" => {
                let (Value::Object(a), Value::Object(b)) = (&v[0], &v[1]) else {
                    return Err("arguments 1 and 2 must be objects".into());
                };
                if v[2] != Value::Bool(false) {
                    return Err(
                        "argument 3 (deep merge) must be false: only the shallow merge is supported, as in AWS".into(),
                    );
                }
                let mut merged = a.clone();
                for (k, val) in b {
                    merged.insert(k.clone(), val.clone());
                }
                Ok(Value::Object(merged))
            }
            "States.MathRandom" => {
                let (start, end) = (integer(&v[0], 1)?, integer(&v[1], 2)?);
                if end <= start {
                    return Err(format!("the end ({end}) must be greater than the start ({start})"));
                }
                let seed = match v.get(2) {
                    Some(s) => integer(s, 3)? as u64,
                    None => getrandom::u64().map_err(|e| format!("no randomness: {e}"))?,
                };
                let span = (end as i128 - start as i128) as u128;
                let r = splitmix64(seed) as u128 % span;
                Ok(Value::from((start as i128 + r as i128) as i64))
            }
            "States.MathAdd" => {
                let (a, b) = (number(&v[0], 1)?, number(&v[1], 2)?);
                if let (Some(x), Some(y)) = (a.as_i64(), b.as_i64()) {
                    return x
                        .checked_add(y)
                        .map(Value::from)
                        .ok_or_else(|| "the sum overflows".into());
                }
                let sum = a.as_f64().unwrap_or(0.0) + b.as_f64().unwrap_or(0.0);
                Number::from_f64(sum)
                    .map(Value::Number)
                    .ok_or_else(|| "the sum is not a finite number".into())
            }
            "States.StringSplit" => {
                let text = string(&v[0], 1)?;
                let delimiters: Vec<char> = string(&v[1], 2)?.chars().collect();
                Ok(Value::Array(
                    text.split(|c| delimiters.contains(&c))
                        .filter(|s| !s.is_empty())
                        .map(|s| Value::String(s.to_string()))
                        .collect(),
                ))
            }
            "States.UUID" => Ok(Value::String(uuid::Uuid::new_v4().to_string())),
            other => Err(format!("unknown function {other}")),
        }
    }
}

fn splitmix64(seed: u64) -> u64 {
    let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn string(v: &Value, n: usize) -> Result<&str, String> {
    v.as_str()
        .ok_or_else(|| format!("argument {n} must be a string, got {v}"))
}

fn array(v: &Value, n: usize) -> Result<&Vec<Value>, String> {
    v.as_array()
        .ok_or_else(|| format!("argument {n} must be an array, got {v}"))
}

fn number(v: &Value, n: usize) -> Result<&Number, String> {
    match v {
        Value::Number(x) => Ok(x),
        _ => Err(format!("argument {n} must be a number, got {v}")),
    }
}

fn integer(v: &Value, n: usize) -> Result<i64, String> {
    let x = number(v, n)?;
    if let Some(i) = x.as_i64() {
        return Ok(i);
    }
    match x.as_f64() {
        Some(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Ok(f as i64),
        _ => Err(format!("argument {n} must be an integer, got {v}")),
    }
}

/// `States.Format`: each `{}` of `template` (escapes as written in the literal) is the next
/// argument (a string as it is, anything else as JSON).
fn format(template: &str, args: &[Value]) -> Result<Value, String> {
    let mut out = String::new();
    let mut next = args.iter();
    let mut chars = template.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(e) = chars.next() {
                    out.push(e);
                }
            }
            '{' if chars.peek() == Some(&'}') => {
                chars.next();
                let Some(arg) = next.next() else {
                    return Err(format!(
                        "the template has more {{}} than the {} arguments given",
                        args.len()
                    ));
                };
                match arg {
                    Value::String(s) => out.push_str(s),
                    other => out.push_str(&other.to_string()),
                }
            }
            c => out.push(c),
        }
    }
    if next.next().is_some() {
        return Err(format!(
            "the template has fewer {{}} than the {} arguments given",
            args.len()
        ));
    }
    Ok(Value::String(out))
}

/// The number of `{}` in a Format template (escapes as written).
fn placeholders(raw: &str) -> usize {
    let mut n = 0;
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '{' if chars.peek() == Some(&'}') => {
                chars.next();
                n += 1;
            }
            _ => {}
        }
    }
    n
}

fn skip_space(chars: &[char], at: &mut usize) {
    while *at < chars.len() && chars[*at].is_whitespace() {
        *at += 1;
    }
}

fn parse_call(chars: &[char], at: &mut usize) -> Result<Call, String> {
    skip_space(chars, at);
    let start = *at;
    while *at < chars.len() && (chars[*at].is_alphanumeric() || chars[*at] == '.') {
        *at += 1;
    }
    let name: String = chars[start..*at].iter().collect();
    if chars.get(*at) != Some(&'(') {
        return Err(format!(
            "{name:?} is not a call: the function's name is followed by `(`"
        ));
    }
    let Some(&(_, least, most)) = FUNCTIONS.iter().find(|(n, _, _)| *n == name) else {
        return Err(format!(
            "unknown intrinsic function {name:?}; known: {}",
            FUNCTIONS.iter().map(|f| f.0).collect::<Vec<_>>().join(", ")
        ));
    };
    *at += 1;
    let mut args = Vec::new();
    skip_space(chars, at);
    if chars.get(*at) == Some(&')') {
        *at += 1;
    } else {
        loop {
            args.push(parse_arg(chars, at)?);
            skip_space(chars, at);
            match chars.get(*at) {
                Some(',') => *at += 1,
                Some(')') => {
                    *at += 1;
                    break;
                }
                Some(c) => {
                    return Err(format!(
                        "unexpected {c:?} in the arguments of {name}: arguments are separated by `,` and end with `)`"
                    ));
                }
                None => return Err(format!("the arguments of {name} have no closing `)`")),
            }
        }
    }
    let text: String = chars[start..*at].iter().collect();
    if args.len() < least || args.len() > most {
        let takes = if least == most {
            format!("{least}")
        } else if most == usize::MAX {
            format!("at least {least}")
        } else {
            format!("{least} to {most}")
        };
        return Err(format!(
            "{name} takes {takes} argument{}, got {}",
            if least == 1 && most == 1 { "" } else { "s" },
            args.len()
        ));
    }
    check_literals(&name, &args)?;
    Ok(Call { text, name, args })
}

/// What a literal argument is, for the messages.
enum Want {
    Any,
    Str,
    Array,
    Object,
    Int,
    Num,
}

fn check_literals(name: &str, args: &[Arg]) -> Result<(), String> {
    use Want::*;
    let wants: &[Want] = match name {
        "States.Format" => &[Str],
        "States.StringToJson" | "States.Base64Encode" | "States.Base64Decode" => &[Str],
        "States.StringSplit" => &[Str, Str],
        "States.ArrayPartition" | "States.ArrayGetItem" => &[Array, Int],
        "States.ArrayContains" => &[Array, Any],
        "States.ArrayLength" | "States.ArrayUnique" => &[Array],
        "States.ArrayRange" => &[Int, Int, Int],
        "States.Hash" => &[Any, Str],
        "States.JsonMerge" => &[Object, Object, Any],
        "States.MathRandom" => &[Int, Int, Int],
        "States.MathAdd" => &[Num, Num],
        _ => &[],
    };
    for (i, (arg, want)) in args.iter().zip(wants).enumerate() {
        let n = i + 1;
        let literal = match arg {
            Arg::Str { value, .. } => Value::String(value.clone()),
            Arg::Literal(v) => v.clone(),
            Arg::Path(_) | Arg::Call(_) => continue,
        };
        let ok = match want {
            Any => true,
            Str => literal.is_string(),
            Array | Object => false,
            Int => literal.as_i64().is_some(),
            Num => literal.is_number(),
        };
        if !ok {
            let what = match want {
                Any => "anything",
                Str => "a string",
                Array => "an array (a path or a call)",
                Object => "an object (a path or a call)",
                Int => "an integer",
                Num => "a number",
            };
            return Err(format!("argument {n} of {name} must be {what}, got {literal}"));
        }
    }
    match (name, args) {
        ("States.Format", [Arg::Str { raw, .. }, rest @ ..]) if placeholders(raw) != rest.len() => Err(format!(
            "States.Format's template has {} {{}} but {} argument{} follow it",
            placeholders(raw),
            rest.len(),
            if rest.len() == 1 { "" } else { "s" }
        )),
        ("States.Hash", [_, Arg::Str { value, .. }]) if !HASHES.contains(&value.as_str()) => Err(format!(
            "States.Hash: unknown algorithm {value:?}; accepted: {}",
            HASHES.join(", ")
        )),
        ("States.JsonMerge", [_, _, Arg::Literal(deep)]) if deep != &Value::Bool(false) => Err(format!(
            "argument 3 of States.JsonMerge (deep merge) must be false, got {deep}: only the shallow merge is supported, as in AWS"
        )),
        ("States.ArrayRange", [Arg::Literal(_), Arg::Literal(_), Arg::Literal(step)]) if step.as_i64() == Some(0) => {
            Err("the step of States.ArrayRange must not be 0".into())
        }
        _ => Ok(()),
    }
}

fn parse_arg(chars: &[char], at: &mut usize) -> Result<Arg, String> {
    skip_space(chars, at);
    match chars.get(*at) {
        None => Err("an argument is missing before the end".into()),
        Some('\'') => {
            *at += 1;
            let start = *at;
            let mut value = String::new();
            loop {
                match chars.get(*at) {
                    None => return Err("a string argument has no closing `'`".into()),
                    Some('\\') => {
                        let Some(c) = chars.get(*at + 1) else {
                            return Err("a string argument has no closing `'`".into());
                        };
                        value.push(*c);
                        *at += 2;
                    }
                    Some('\'') => break,
                    Some(c) => {
                        value.push(*c);
                        *at += 1;
                    }
                }
            }
            let raw: String = chars[start..*at].iter().collect();
            *at += 1;
            Ok(Arg::Str { value, raw })
        }
        Some('$') => {
            let start = *at;
            let (mut depth, mut quote) = (0i32, None::<char>);
            while let Some(&c) = chars.get(*at) {
                if let Some(q) = quote {
                    if c == '\\' {
                        *at += 1;
                    } else if c == q {
                        quote = None;
                    }
                } else {
                    match c {
                        '\'' | '"' => quote = Some(c),
                        '[' | '(' => depth += 1,
                        ']' | ')' if depth > 0 => depth -= 1,
                        ',' | ')' if depth == 0 => break,
                        _ => {}
                    }
                }
                *at += 1;
            }
            let text: String = chars[start..(*at).min(chars.len())].iter().collect();
            Path::parse(text.trim()).map(Arg::Path)
        }
        Some(c) if c.is_alphabetic() => {
            let start = *at;
            let mut end = *at;
            while end < chars.len() && (chars[end].is_alphanumeric() || chars[end] == '.') {
                end += 1;
            }
            let word: String = chars[start..end].iter().collect();
            match word.as_str() {
                "true" | "false" | "null" => {
                    *at = end;
                    Ok(Arg::Literal(serde_json::from_str(&word).expect("a JSON literal")))
                }
                _ if word.starts_with("States.") => parse_call(chars, at).map(|c| Arg::Call(Box::new(c))),
                _ => Err(format!(
                    "{word:?} is not an argument: strings are in single quotes ('text'), paths start with `$`"
                )),
            }
        }
        Some(_) => {
            let start = *at;
            while *at < chars.len() && !matches!(chars[*at], ',' | ')') && !chars[*at].is_whitespace() {
                *at += 1;
            }
            let word: String = chars[start..*at].iter().collect();
            match serde_json::from_str::<Value>(&word) {
                Ok(v @ Value::Number(_)) => Ok(Arg::Literal(v)),
                _ => Err(format!(
                    "{word:?} is not an argument: strings are in single quotes ('text'), paths start with `$`"
                )),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn eval(text: &str, input: Value) -> Result<Value, FlowError> {
        Call::parse(text)
            .unwrap()
            .eval(&input, &json!({"Execution": {"Name": "e1"}}))
    }

    #[test]
    fn array_range_stops_at_the_integer_limits() {
        let e = |t: &str| eval(t, json!({})).unwrap();
        assert_eq!(
            e("States.ArrayRange(9223372036854775806, 9223372036854775807, 1)"),
            json!([9223372036854775806i64, 9223372036854775807i64])
        );
        assert_eq!(
            e("States.ArrayRange(-9223372036854775807, -9223372036854775808, -1)"),
            json!([-9223372036854775807i64, i64::MIN])
        );
    }

    #[test]
    fn each_function_gives_what_aws_documents() {
        let i = json!({"name": "Ana", "n": 3, "list": [1, 2, 2, 3, 4], "o": {"a": 1, "b": 1}, "p": {"b": 2}});
        let e = |t: &str| eval(t, i.clone()).unwrap();
        assert_eq!(
            e("States.Format('Hello, {}! {} \\{x\\} it\\'s', $.name, $.n)"),
            json!("Hello, Ana! 3 {x} it's")
        );
        assert_eq!(e("States.Format('run {}', $$.Execution.Name)"), json!("run e1"));
        assert_eq!(e("States.StringToJson('{\"a\": [1]}')"), json!({"a": [1]}));
        assert_eq!(e("States.JsonToString($.o)"), json!("{\"a\":1,\"b\":1}"));
        assert_eq!(
            e("States.Array('a', 1, true, null, $.n)"),
            json!(["a", 1, true, null, 3])
        );
        assert_eq!(e("States.ArrayPartition($.list, 2)"), json!([[1, 2], [2, 3], [4]]));
        assert_eq!(e("States.ArrayContains($.list, 4)"), json!(true));
        assert_eq!(e("States.ArrayContains($.list, 9)"), json!(false));
        assert_eq!(e("States.ArrayRange(1, 9, 2)"), json!([1, 3, 5, 7, 9]));
        assert_eq!(e("States.ArrayRange(3, 1, -1)"), json!([3, 2, 1]));
        assert_eq!(e("States.ArrayGetItem($.list, 4)"), json!(4));
        assert_eq!(e("States.ArrayLength($.list)"), json!(5));
        assert_eq!(e("States.ArrayUnique($.list)"), json!([1, 2, 3, 4]));
        assert_eq!(
            e("States.Base64Encode('Data to encode')"),
            json!("RGF0YSB0byBlbmNvZGU=")
        );
        assert_eq!(
            e("States.Base64Decode('RGF0YSB0byBlbmNvZGU=')"),
            json!("Data to encode")
        );
        assert_eq!(
            e("States.Hash('input data', 'SHA-1')"),
            json!("aaff4a450a104cd177d28d18d74485e8cae074b7")
        );
        assert_eq!(
            e("States.Hash('abc', 'MD5')"),
            json!("900150983cd24fb0d6963f7d28e17f72")
        );
        assert_eq!(
            e("States.Hash('abc', 'SHA-256')"),
            json!("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        );
        assert_eq!(e("States.JsonMerge($.o, $.p, false)"), json!({"a": 1, "b": 2}));
        assert_eq!(e("States.MathAdd($.n, -1)"), json!(2));
        assert_eq!(e("States.MathAdd(1.5, 1)"), json!(2.5));
        assert_eq!(e("States.StringSplit('1,2,,3', ',')"), json!(["1", "2", "3"]));
        assert_eq!(
            e("States.StringSplit('This.is+a,test=string', '.+,=')"),
            json!(["This", "is", "a", "test", "string"])
        );
        assert_eq!(e("States.ArrayLength(States.Array(1, 2))"), json!(2));
        let seeded = e("States.MathRandom(1, 999, 1234)");
        assert_eq!(seeded, e("States.MathRandom(1, 999, 1234)"));
        for _ in 0..50 {
            let r = e("States.MathRandom(5, 8)").as_i64().unwrap();
            assert!((5..8).contains(&r), "{r}");
        }
        let u = e("States.UUID()");
        let u = uuid::Uuid::parse_str(u.as_str().unwrap()).unwrap();
        assert_eq!(u.get_version_num(), 4);
    }

    #[test]
    fn bad_calls_are_refused_at_parse_time() {
        let err = |t: &str| Call::parse(t).unwrap_err();
        assert!(err("States.Nope(1)").contains("unknown intrinsic function"));
        assert!(err("States.ArrayLength()").contains("takes 1 argument, got 0"));
        assert!(err("States.UUID(1)").contains("takes 0 arguments, got 1"));
        assert!(err("States.ArrayLength('abc')").contains("must be an array"));
        assert!(err("States.MathAdd('1', 2)").contains("must be a number"));
        assert!(err("States.Format('{} and {}', $.a)").contains("2 {}"));
        assert!(err("States.Hash('x', 'SHA-3')").contains("unknown algorithm"));
        assert!(err("States.JsonMerge($.a, $.b, true)").contains("must be false"));
        assert!(err("States.Format('x'").contains("closing"));
        assert!(err("States.Format(x)").contains("single quotes"));
        assert!(err("States.Array($.a[)").contains("JSONPath"));
    }

    #[test]
    fn failures_at_run_time_are_intrinsic_failures() {
        for t in [
            "States.ArrayGetItem($.l, 5)",
            "States.StringToJson($.s)",
            "States.ArrayLength($.s)",
            "States.Base64Decode('%%%')",
            "States.ArrayLength($.missing)",
        ] {
            let e = eval(t, json!({"l": [1], "s": "{not json"})).unwrap_err();
            assert_eq!(e.error, "States.IntrinsicFailure", "{t}");
        }
    }
}
