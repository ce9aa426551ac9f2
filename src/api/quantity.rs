//! Kubernetes resource quantities (`128Mi`, `0.5`, `100m`, `1G`, `2e3`): one grammar, read as a
//! number (limits, autoscaling targets) or kept in the form the API server writes back (flags).

use std::fmt;

/// A text that is not a quantity, with the quantity a common misspelling means when there is one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuantityError {
    pub given: String,
    pub fix: Option<String>,
}

impl fmt::Display for QuantityError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.fix {
            Some(fix) => write!(f, "{:?} is not a quantity; use {fix}", self.given),
            None => write!(
                f,
                "{:?} is not a quantity: give a number with an optional unit, binary (Ki, Mi, Gi, Ti, Pi, Ei) or decimal (k, M, G, T, P, E; m is thousandths), e.g. 128Mi or 0.5",
                self.given
            ),
        }
    }
}

impl std::error::Error for QuantityError {}

/// The parts of a quantity: sign, digits (with at most one dot) and the unit's factor.
struct Parts<'a> {
    negative: bool,
    number: &'a str,
    suffix: &'a str,
    scale: f64,
}

fn parts(value: &str) -> Result<Parts<'_>, QuantityError> {
    let bad = || QuantityError {
        given: value.to_string(),
        fix: fix(value),
    };
    let negative = value.starts_with('-');
    let unsigned = value.strip_prefix(['+', '-']).unwrap_or(value);
    let number_end = unsigned
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(unsigned.len());
    let (number, suffix) = unsigned.split_at(number_end);
    if number.is_empty() || number == "." || number.matches('.').count() > 1 {
        return Err(bad());
    }
    let scale = match suffix {
        "" => 1.0,
        "n" => 1e-9,
        "u" => 1e-6,
        "m" => 1e-3,
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "P" => 1e15,
        "E" => 1e18,
        "Ki" => 1024.0,
        "Mi" => 1024f64.powi(2),
        "Gi" => 1024f64.powi(3),
        "Ti" => 1024f64.powi(4),
        "Pi" => 1024f64.powi(5),
        "Ei" => 1024f64.powi(6),
        exponent => {
            let digits = exponent.strip_prefix(['e', 'E']).ok_or_else(bad)?;
            let unsigned = digits.strip_prefix(['+', '-']).unwrap_or(digits);
            if unsigned.is_empty() || !unsigned.chars().all(|c| c.is_ascii_digit()) {
                return Err(bad());
            }
            10f64.powi(digits.parse::<i32>().map_err(|_| bad())?)
        }
    };
    Ok(Parts {
        negative,
        number,
        suffix,
        scale,
    })
}

/// The number a quantity stands for (`128Mi` is 134217728, `500m` is 0.5).
pub fn value(text: &str) -> Result<f64, QuantityError> {
    let text = text.trim();
    let p = parts(text)?;
    let n: f64 = p.number.parse().map_err(|_| QuantityError {
        given: text.to_string(),
        fix: None,
    })?;
    Ok(if p.negative { -n } else { n } * p.scale)
}

/// Checks a quantity and returns it in the form the API server keeps (`0.5` becomes `500m`).
pub fn canonical(text: &str) -> Result<String, QuantityError> {
    let p = parts(text)?;
    // A plain decimal fraction is kept in millis, as the API server writes it back.
    if p.suffix.is_empty()
        && let Some((whole, frac)) = p.number.split_once('.')
        && frac.len() <= 3
    {
        let millis: u64 = format!("{whole}{frac:0<3}").parse().map_err(|_| QuantityError {
            given: text.to_string(),
            fix: None,
        })?;
        let sign = if p.negative { "-" } else { "" };
        return Ok(if millis.is_multiple_of(1000) {
            format!("{sign}{}", millis / 1000)
        } else {
            format!("{sign}{millis}m")
        });
    }
    Ok(text.trim_start_matches('+').to_string())
}

/// A number as a quantity text (`50`, `500m`).
pub fn format(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{}", v as i64)
    } else {
        format!("{}m", (v * 1000.0).round() as i64)
    }
}

/// The quantity a common misspelling means: `128MB`, `128mb`, `128MiB` and `128 Mi` are 128Mi.
fn fix(value: &str) -> Option<String> {
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
    fn a_misspelt_quantity_is_answered_with_the_right_one() {
        for (given, fix) in [
            ("128MB", "128Mi"),
            ("128mb", "128Mi"),
            ("1GiB", "1Gi"),
            ("512 Mi", "512Mi"),
            ("2kb", "2Ki"),
        ] {
            assert_eq!(
                canonical(given).unwrap_err().to_string(),
                format!("{given:?} is not a quantity; use {fix}")
            );
        }
        let err = canonical("12xx").unwrap_err().to_string();
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
            assert_eq!(canonical(given).as_deref(), Ok(kept), "{given}");
        }
        for bad in ["", "abc", "12xx", "1..2", "Mi", "1Mib", "."] {
            assert!(canonical(bad).is_err(), "{bad}");
            assert!(value(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_number_of_every_form_the_flags_accept() {
        for (given, n) in [
            ("128Mi", 134217728.0),
            ("500m", 0.5),
            ("1k", 1000.0),
            ("2e3", 2000.0),
            ("1Pi", 1024f64.powi(5)),
            ("-1", -1.0),
            (" 50 ", 50.0),
        ] {
            assert_eq!(value(given), Ok(n), "{given}");
        }
        assert_eq!(format(0.25), "250m");
        assert_eq!(format(50.0), "50");
    }
}
