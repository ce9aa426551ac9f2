//! Exact resource quantities for quota arithmetic: a value in billionths with the format the
//! quantity was written in, added and compared without rounding, and written back in the
//! canonical form kube-apiserver's messages and quota statuses use (`1500m`, `128Mi`, `2k`).

use std::cmp::Ordering;
use std::fmt;

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
        // In billionths: mantissa * factor * 10^(exponent + 9 - frac digits).
        let shift = exponent + 9 - frac.len() as i32;
        let scaled = mantissa.checked_mul(factor).ok_or_else(bad)?;
        let nanos = if shift >= 0 {
            10i128
                .checked_pow(shift as u32)
                .and_then(|p| scaled.checked_mul(p))
                .ok_or_else(bad)?
        } else {
            let p = 10i128.checked_pow((-shift) as u32).unwrap_or(i128::MAX);
            (scaled + p - 1) / p
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

    /// The sum; a zero takes the other's format, as the API server adds.
    pub fn add(self, other: Quantity) -> Quantity {
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
        assert_eq!(q("64Mi").add(q("64Mi")).to_string(), "128Mi");
        assert_eq!(q("500m").add(q("500m")).to_string(), "1");
        assert_eq!(Quantity::zero().add(q("1Gi")).to_string(), "1Gi");
        assert!(q("1Gi") > q("1G") && q("1") == q("1000m"));
        assert_eq!(q("1.5").millis(), 1500);
        assert!(Quantity::parse("1 Gi").is_err() && Quantity::parse("abc").is_err());
    }
}
