//! Kubernetes resource quantities (`128Mi`, `0.5`, `100m`, `1G`, `2e3`): one grammar, read
//! exactly (a value in billionths, added and compared without rounding, written back in the
//! canonical form of kube-apiserver's quota messages and statuses: `1500m`, `128Mi`, `2k`), as a
//! number (limits, autoscaling targets) or kept in the form the API server writes back (flags).

use std::cmp::Ordering;
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

/// How a quantity is written back: with decimal (`k`, `M`, `m`) or binary (`Ki`, `Mi`) units,
/// or as a decimal exponent (`1e3`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    DecimalSi,
    BinarySi,
    DecimalExponent,
}

#[derive(Clone, Copy, Debug)]
pub struct Quantity {
    /// The value in billionths (nano units), the API server's finest precision.
    nanos: i128,
    format: Format,
}

const NANO: i128 = 1_000_000_000;

impl Quantity {
    pub fn zero() -> Self {
        Quantity {
            nanos: 0,
            format: Format::DecimalSi,
        }
    }

    pub fn count(n: i64) -> Self {
        Quantity {
            nanos: i128::from(n) * NANO,
            format: Format::DecimalSi,
        }
    }

    /// Reads a quantity (`128Mi`, `0.5`, `100m`, `1e3`); a value finer than a billionth is
    /// rounded up, as the API server rounds it.
    pub fn parse(text: &str) -> Result<Self, String> {
        let bad = || {
            format!(
                "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$': {text:?}"
            )
        };
        let text = text.trim();
        let (negative, unsigned) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text.strip_prefix('+').unwrap_or(text)),
        };
        let end = unsigned
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(unsigned.len());
        let (number, suffix) = unsigned.split_at(end);
        if number.is_empty() || number == "." || number.matches('.').count() > 1 {
            return Err(bad());
        }
        let (whole, frac) = number.split_once('.').unwrap_or((number, ""));
        let digits = format!("{whole}{frac}");
        if digits.len() > 30 {
            return Err(bad());
        }
        let mantissa: i128 = digits.parse().map_err(|_| bad())?;
        // value = mantissa * 10^-frac.len() * unit
        let (format, factor, exponent): (Format, i128, i32) = match suffix {
            "" => (Format::DecimalSi, 1, 0),
            "n" => (Format::DecimalSi, 1, -9),
            "u" => (Format::DecimalSi, 1, -6),
            "m" => (Format::DecimalSi, 1, -3),
            "k" => (Format::DecimalSi, 1, 3),
            "M" => (Format::DecimalSi, 1, 6),
            "G" => (Format::DecimalSi, 1, 9),
            "T" => (Format::DecimalSi, 1, 12),
            "P" => (Format::DecimalSi, 1, 15),
            "E" => (Format::DecimalSi, 1, 18),
            "Ki" => (Format::BinarySi, 1 << 10, 0),
            "Mi" => (Format::BinarySi, 1 << 20, 0),
            "Gi" => (Format::BinarySi, 1 << 30, 0),
            "Ti" => (Format::BinarySi, 1 << 40, 0),
            "Pi" => (Format::BinarySi, 1 << 50, 0),
            "Ei" => (Format::BinarySi, 1 << 60, 0),
            other => {
                let e = other.strip_prefix(['e', 'E']).ok_or_else(bad)?;
                let unsigned = e.strip_prefix(['+', '-']).unwrap_or(e);
                if unsigned.is_empty() || !unsigned.chars().all(|c| c.is_ascii_digit()) {
                    return Err(bad());
                }
                (Format::DecimalExponent, 1, e.parse::<i32>().map_err(|_| bad())?)
            }
        };
        // In billionths: mantissa * factor * 10^(exponent + 9 - frac digits). An exponent
        // beyond what 128 bits hold is too big (or, below, rounds up to one billionth).
        let shift = i64::from(exponent) + 9 - frac.len() as i64;
        let scaled = mantissa.checked_mul(factor).ok_or_else(bad)?;
        let nanos = if shift >= 0 {
            u32::try_from(shift)
                .ok()
                .and_then(|shift| 10i128.checked_pow(shift))
                .and_then(|p| scaled.checked_mul(p))
                .ok_or_else(bad)?
        } else {
            match u32::try_from(-shift).ok().and_then(|shift| 10i128.checked_pow(shift)) {
                // Rounded up, as the API server rounds a value finer than it keeps.
                Some(p) => scaled / p + i128::from(scaled % p != 0),
                None => i128::from(scaled != 0),
            }
        };
        Ok(Quantity {
            nanos: if negative { -nanos } else { nanos },
            format,
        })
    }

    /// From a JSON quantity (a string, or a bare number as clients may send it).
    pub fn of_json(v: &serde_json::Value) -> Option<Self> {
        match v {
            serde_json::Value::String(s) => Quantity::parse(s).ok(),
            serde_json::Value::Number(n) => Quantity::parse(&n.to_string()).ok(),
            _ => None,
        }
    }

    pub fn is_zero(&self) -> bool {
        self.nanos == 0
    }

    pub fn is_negative(&self) -> bool {
        self.nanos < 0
    }

    /// The value in thousandths (rounded up), as the API server compares limits.
    pub fn millis(&self) -> i128 {
        (self.nanos + 999_999).div_euclid(1_000_000)
    }
}

impl std::ops::Add for Quantity {
    type Output = Quantity;

    /// The sum; a zero takes the other's format, as the API server adds.
    fn add(self, other: Quantity) -> Quantity {
        Quantity {
            nanos: self.nanos + other.nanos,
            format: if self.nanos == 0 { other.format } else { self.format },
        }
    }
}

impl PartialEq for Quantity {
    fn eq(&self, other: &Self) -> bool {
        self.nanos == other.nanos
    }
}

impl Eq for Quantity {}

impl PartialOrd for Quantity {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Quantity {
    fn cmp(&self, other: &Self) -> Ordering {
        self.nanos.cmp(&other.nanos)
    }
}

impl fmt::Display for Quantity {
    /// The canonical form: the largest unit that writes the value as a whole number.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.nanos;
        if n == 0 {
            return f.write_str("0");
        }
        let whole = n % NANO == 0;
        if self.format == Format::BinarySi && whole && (n / NANO).abs() >= 1024 {
            let mut value = n / NANO;
            let mut unit = 0;
            while unit < 6 && value % 1024 == 0 {
                value /= 1024;
                unit += 1;
            }
            let suffix = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"][unit];
            return write!(f, "{value}{suffix}");
        }
        // Decimal: the largest power of 1000 (from 10^-9 up) that divides the value.
        let mut value = n;
        let mut exponent = -9;
        while exponent < 18 && value % 1000 == 0 {
            value /= 1000;
            exponent += 3;
        }
        if self.format == Format::DecimalExponent {
            return if exponent == 0 {
                write!(f, "{value}")
            } else {
                write!(f, "{value}e{exponent}")
            };
        }
        let suffix = match exponent {
            -9 => "n",
            -6 => "u",
            -3 => "m",
            0 => "",
            3 => "k",
            6 => "M",
            9 => "G",
            12 => "T",
            15 => "P",
            _ => "E",
        };
        write!(f, "{value}{suffix}")
    }
}

/// The number a quantity stands for (`128Mi` is 134217728, `500m` is 0.5).
pub fn value(text: &str) -> Result<f64, QuantityError> {
    Ok(exact(text)?.nanos as f64 / NANO as f64)
}

/// The quantity `text` is, or the error that names it and the fix of a common misspelling.
fn exact(text: &str) -> Result<Quantity, QuantityError> {
    Quantity::parse(text).map_err(|_| QuantityError {
        given: text.to_string(),
        fix: fix(text),
    })
}

/// Checks a quantity and returns it in the form the API server keeps (`0.5` becomes `500m`).
pub fn canonical(text: &str) -> Result<String, QuantityError> {
    let q = exact(text)?;
    let text = text.trim();
    let number = text.trim_start_matches(['+', '-']);
    // A plain decimal fraction is kept in millis, as the API server writes it back.
    if number.chars().all(|c| c.is_ascii_digit() || c == '.')
        && let Some((_, frac)) = number.split_once('.')
        && frac.len() <= 3
    {
        return Ok(q.to_string());
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

    fn q(s: &str) -> Quantity {
        Quantity::parse(s).unwrap()
    }

    #[test]
    fn quantities_are_written_back_as_the_api_server_writes_them() {
        for (given, shown) in [
            ("1", "1"),
            ("0.5", "500m"),
            ("1500m", "1500m"),
            ("1000m", "1"),
            ("2000", "2k"),
            ("64Mi", "64Mi"),
            ("1024Mi", "1Gi"),
            ("1536", "1536"),
            ("512", "512"),
            ("1e3", "1e3"),
            ("0", "0"),
            ("1.5Gi", "1536Mi"),
        ] {
            assert_eq!(q(given).to_string(), shown, "{given}");
        }
        assert_eq!((q("64Mi") + q("64Mi")).to_string(), "128Mi");
        assert_eq!((q("500m") + q("500m")).to_string(), "1");
        assert_eq!((Quantity::zero() + q("1Gi")).to_string(), "1Gi");
        assert!(q("1Gi") > q("1G") && q("1") == q("1000m"));
        assert_eq!(q("1.5").millis(), 1500);
        assert!(Quantity::parse("1 Gi").is_err() && Quantity::parse("abc").is_err());
        // Exponents beyond what the value can hold: refused when too big, a billionth when tiny.
        assert!(Quantity::parse("1e2147483647").is_err() && Quantity::parse("1e40").is_err());
        assert_eq!(q("1e-48").to_string(), "1e-9");
        assert_eq!(q("0e-48").to_string(), "0");
        assert_eq!(q("1e-2147483648").to_string(), "1e-9");
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
