//! Invocation traces: per function, how many calls arrived in each minute. Read from a CSV
//! (the long form `function,minute,count`, or the wide form of the public Azure Functions 2019
//! trace: `HashOwner,HashApp,HashFunction,Trigger,1,2,…,1440`), or generated with the shapes
//! seen in production (periodic timers, bursts, Poisson arrivals at several rates, rare calls)
//! by a seeded, deterministic generator.

use std::collections::BTreeMap;
use std::fmt;

/// A trace: `minutes` minutes of calls for each function.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Trace {
    pub minutes: u32,
    pub functions: Vec<FunctionTrace>,
}

/// One function's calls: `(minute, count)` with a count above zero, by minute.
#[derive(Clone, Debug, PartialEq)]
pub struct FunctionTrace {
    pub name: String,
    pub calls: Vec<(u32, u32)>,
}

impl FunctionTrace {
    pub fn total(&self) -> u64 {
        self.calls.iter().map(|&(_, c)| c as u64).sum()
    }
}

impl Trace {
    /// All calls in the trace.
    pub fn total(&self) -> u64 {
        self.functions.iter().map(FunctionTrace::total).sum()
    }
}

/// A trace file that is not one, with the line and the field.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TraceError {
    #[error(
        "the trace is empty: expected a header `function,minute,count` or `HashOwner,HashApp,HashFunction,Trigger,1,2,…`"
    )]
    Empty,
    #[error(
        "line 1: unknown header {0:?}: expected `function,minute,count` or the Azure Functions trace's `HashOwner,HashApp,HashFunction,Trigger,1,2,…,1440`"
    )]
    Header(String),
    #[error("line {line}: {field} {value:?} is not {expected}")]
    Field {
        line: usize,
        field: String,
        value: String,
        expected: &'static str,
    },
    #[error("line {line}: {found} fields, expected {expected}")]
    Width { line: usize, found: usize, expected: usize },
}

/// Reads a trace in either form; the first line (the header) says which.
pub fn read(text: &str) -> Result<Trace, TraceError> {
    let mut lines = text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty());
    let (_, header) = lines.next().ok_or(TraceError::Empty)?;
    let columns: Vec<&str> = header.split(',').map(str::trim).collect();
    let lower: Vec<String> = columns.iter().map(|c| c.to_ascii_lowercase()).collect();
    if lower == ["function", "minute", "count"] {
        read_long(lines)
    } else if lower.len() > 4 && lower[..4] == ["hashowner", "hashapp", "hashfunction", "trigger"] {
        for (i, c) in columns[4..].iter().enumerate() {
            if c.parse::<usize>() != Ok(i + 1) {
                return Err(TraceError::Field {
                    line: 1,
                    field: format!("column {}", i + 5),
                    value: c.to_string(),
                    expected: "the next minute (1, 2, … in order)",
                });
            }
        }
        read_wide(lines, columns.len())
    } else {
        Err(TraceError::Header(header.to_string()))
    }
}

fn number(line: usize, field: &str, value: &str) -> Result<u32, TraceError> {
    value.trim().parse().map_err(|_| TraceError::Field {
        line,
        field: field.to_string(),
        value: value.to_string(),
        expected: "a whole number from 0",
    })
}

fn read_long<'a>(lines: impl Iterator<Item = (usize, &'a str)>) -> Result<Trace, TraceError> {
    let mut by_name: BTreeMap<String, BTreeMap<u32, u32>> = BTreeMap::new();
    let mut order = Vec::new();
    let mut minutes = 0;
    for (i, line) in lines {
        let n = i + 1;
        let fields: Vec<&str> = line.split(',').collect();
        if fields.len() != 3 {
            return Err(TraceError::Width {
                line: n,
                found: fields.len(),
                expected: 3,
            });
        }
        let name = fields[0].trim();
        if name.is_empty() {
            return Err(TraceError::Field {
                line: n,
                field: "function".into(),
                value: String::new(),
                expected: "a name",
            });
        }
        let minute = number(n, "minute", fields[1])?;
        let count = number(n, "count", fields[2])?;
        minutes = minutes.max(minute + 1);
        if !by_name.contains_key(name) {
            order.push(name.to_string());
        }
        let calls = by_name.entry(name.to_string()).or_default();
        if count > 0 {
            *calls.entry(minute).or_default() += count;
        }
    }
    let functions = order
        .into_iter()
        .map(|name| {
            let calls = by_name.remove(&name).unwrap_or_default().into_iter().collect();
            FunctionTrace { name, calls }
        })
        .collect();
    Ok(Trace { minutes, functions })
}

fn read_wide<'a>(lines: impl Iterator<Item = (usize, &'a str)>, width: usize) -> Result<Trace, TraceError> {
    let mut functions = Vec::new();
    for (i, line) in lines {
        let n = i + 1;
        let fields: Vec<&str> = line.split(',').collect();
        if fields.len() != width {
            return Err(TraceError::Width {
                line: n,
                found: fields.len(),
                expected: width,
            });
        }
        let mut calls = Vec::new();
        for (m, value) in fields[4..].iter().enumerate() {
            let count = number(n, &format!("minute {}", m + 1), value)?;
            if count > 0 {
                calls.push((m as u32, count));
            }
        }
        let name = format!("{}/{}", short(fields[1]), short(fields[2]));
        functions.push(FunctionTrace { name, calls });
    }
    Ok(Trace {
        minutes: (width - 4) as u32,
        functions,
    })
}

/// The first characters of a hash, enough to tell functions apart in a table.
fn short(hash: &str) -> &str {
    let hash = hash.trim();
    hash.get(..8).unwrap_or(hash)
}

/// Writes a trace in the long form (`function,minute,count`).
pub fn write_long(trace: &Trace) -> String {
    let mut out = String::from("function,minute,count\n");
    for f in &trace.functions {
        for &(m, c) in &f.calls {
            out.push_str(&format!("{},{m},{c}\n", f.name));
        }
    }
    out
}

/// The shapes the generator makes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// Timers: every 5 to 180 minutes, some exact, some with a minute or two of jitter.
    Periodic,
    /// Quiet for a while (30 min to 3 h on average), then a burst of calls for a few minutes.
    Bursty,
    /// Independent arrivals at 0.02 to 5 calls a minute.
    Poisson,
    /// One to six calls a day at random times.
    Rare,
    /// The four, as production has them: 30% periodic, 20% bursty, 30% Poisson, 20% rare.
    Mix,
}

impl Shape {
    pub const ALL: [Shape; 5] = [Shape::Periodic, Shape::Bursty, Shape::Poisson, Shape::Rare, Shape::Mix];

    pub fn name(self) -> &'static str {
        match self {
            Shape::Periodic => "periodic",
            Shape::Bursty => "bursty",
            Shape::Poisson => "poisson",
            Shape::Rare => "rare",
            Shape::Mix => "mix",
        }
    }

    /// The shape a name gives, or the names accepted.
    pub fn parse(text: &str) -> Result<Shape, String> {
        Shape::ALL.into_iter().find(|s| s.name() == text).ok_or_else(|| {
            format!("unknown trace shape {text:?}: expected one of periodic, bursty, poisson, rare, mix")
        })
    }
}

impl fmt::Display for Shape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A small seeded generator (SplitMix64): the same seed gives the same trace everywhere.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in `lo..=hi`.
    pub fn between(&mut self, lo: u32, hi: u32) -> u32 {
        lo + (self.next_u64() % (hi - lo + 1) as u64) as u32
    }

    pub fn pick<T: Copy>(&mut self, from: &[T]) -> T {
        from[(self.next_u64() % from.len() as u64) as usize]
    }

    /// Exponentially distributed with this mean.
    pub fn exponential(&mut self, mean: f64) -> f64 {
        -mean * (1.0 - self.unit()).ln()
    }

    /// Poisson distributed with this mean (Knuth's method; means up to a few dozen).
    pub fn poisson(&mut self, mean: f64) -> u32 {
        let limit = (-mean).exp();
        let mut k = 0;
        let mut p = self.unit();
        while p > limit {
            k += 1;
            p *= self.unit();
        }
        k
    }
}

/// A synthetic trace of `functions` functions over `minutes` minutes.
pub fn generate(shape: Shape, functions: usize, minutes: u32, seed: u64) -> Trace {
    let mut rng = Rng::new(seed);
    let functions = (0..functions)
        .map(|i| {
            let shape = match shape {
                Shape::Mix => match rng.unit() {
                    u if u < 0.3 => Shape::Periodic,
                    u if u < 0.5 => Shape::Bursty,
                    u if u < 0.8 => Shape::Poisson,
                    _ => Shape::Rare,
                },
                s => s,
            };
            let mut own = Rng::new(rng.next_u64());
            let (kind, calls) = one(shape, minutes, &mut own);
            FunctionTrace {
                name: format!("{kind}-{i}"),
                calls,
            }
        })
        .collect();
    Trace { minutes, functions }
}

/// One function's calls, and its kind in words (`periodic-10m±1`).
fn one(shape: Shape, minutes: u32, rng: &mut Rng) -> (String, Vec<(u32, u32)>) {
    let mut counts: BTreeMap<u32, u32> = BTreeMap::new();
    let mut add = |m: i64, c: u32| {
        if (0..minutes as i64).contains(&m) && c > 0 {
            *counts.entry(m as u32).or_default() += c;
        }
    };
    let kind = match shape {
        Shape::Periodic | Shape::Mix => {
            let period = rng.pick(&[5u32, 10, 15, 20, 30, 60, 120, 180]);
            let jitter = rng.pick(&[0u32, 0, 1, 2]);
            let mut at = rng.between(0, period - 1) as i64;
            while at < minutes as i64 {
                let j = rng.between(0, 2 * jitter) as i64 - jitter as i64;
                // A timer now and then misses a beat (a deploy, a paused host).
                if rng.unit() > 0.02 {
                    add(at + j, rng.between(1, 2));
                }
                at += period as i64;
            }
            format!("periodic-{period}m±{jitter}")
        }
        Shape::Bursty => {
            let quiet = rng.pick(&[30.0, 60.0, 180.0]);
            let mut at = rng.exponential(quiet) as i64;
            while at < minutes as i64 {
                let length = rng.between(3, 20) as i64;
                let size = rng.between(1, 50);
                for m in at..at + length {
                    if rng.unit() < 0.8 {
                        add(m, rng.between(1, size));
                    }
                }
                at += length + 1 + rng.exponential(quiet) as i64;
            }
            format!("bursty-{quiet}m")
        }
        Shape::Poisson => {
            let rate = rng.pick(&[0.02, 0.05, 0.2, 1.0, 5.0]);
            for m in 0..minutes as i64 {
                add(m, rng.poisson(rate));
            }
            format!("poisson-{rate}/m")
        }
        Shape::Rare => {
            let per_day = rng.between(1, 6);
            let n = (per_day as u64 * minutes as u64).div_ceil(1440);
            for _ in 0..n {
                add(rng.between(0, minutes - 1) as i64, 1);
            }
            format!("rare-{per_day}/d")
        }
    };
    (kind, counts.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_long_form_is_read_and_summed_by_function_and_minute() {
        let t = read("function,minute,count\nf,0,2\ng,3,1\nf,0,1\nf,5,0\nf,7,4\n").unwrap();
        assert_eq!(t.minutes, 8);
        assert_eq!(t.functions.len(), 2);
        assert_eq!(t.functions[0].name, "f");
        assert_eq!(t.functions[0].calls, vec![(0, 3), (7, 4)]);
        assert_eq!(t.functions[1].calls, vec![(3, 1)]);
        assert_eq!(read(&write_long(&t)).unwrap(), t, "written and read back");
    }

    #[test]
    fn the_azure_wide_form_is_read_one_function_a_row() {
        let text = "HashOwner,HashApp,HashFunction,Trigger,1,2,3,4\n\
                    o1,app1234567,fun1234567,http,0,3,0,1\n\
                    o2,app2,fun2,timer,1,0,0,0\n";
        let t = read(text).unwrap();
        assert_eq!(t.minutes, 4);
        assert_eq!(t.functions[0].name, "app12345/fun12345");
        assert_eq!(
            t.functions[0].calls,
            vec![(1, 3), (3, 1)],
            "minute 1 of the file is minute 0"
        );
        assert_eq!(t.functions[1].calls, vec![(0, 1)]);
    }

    #[test]
    fn a_bad_trace_names_the_line_and_the_field() {
        let e = read("function,minute,count\nf,x,1\n").unwrap_err().to_string();
        assert_eq!(e, "line 2: minute \"x\" is not a whole number from 0");
        let e = read("function,minute,count\nf,1\n").unwrap_err().to_string();
        assert_eq!(e, "line 2: 2 fields, expected 3");
        let e = read("name,when\n").unwrap_err().to_string();
        assert!(e.starts_with("line 1: unknown header \"name,when\""), "{e}");
        let e = read("HashOwner,HashApp,HashFunction,Trigger,1,3\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("column 6 \"3\""), "{e}");
        let e = read("HashOwner,HashApp,HashFunction,Trigger,1,2\na,b,c,http,1,-1\n")
            .unwrap_err()
            .to_string();
        assert_eq!(e, "line 2: minute 2 \"-1\" is not a whole number from 0");
        assert_eq!(read("\n").unwrap_err(), TraceError::Empty);
    }

    #[test]
    fn the_generator_is_deterministic_and_makes_its_shapes() {
        let a = generate(Shape::Mix, 50, 1440, 7);
        assert_eq!(a, generate(Shape::Mix, 50, 1440, 7));
        assert_ne!(a, generate(Shape::Mix, 50, 1440, 8));
        for kind in ["periodic", "bursty", "poisson", "rare"] {
            assert!(
                a.functions.iter().any(|f| f.name.starts_with(kind)),
                "{kind} in the mix"
            );
        }
        let p = generate(Shape::Periodic, 10, 1440, 1);
        for f in &p.functions {
            let period: u32 = f.name["periodic-".len()..].split('m').next().unwrap().parse().unwrap();
            let expected = 1440 / period;
            assert!(
                (f.calls.len() as u32).abs_diff(expected) <= expected / 10 + 2,
                "{}: {} firings",
                f.name,
                f.calls.len()
            );
        }
        let r = generate(Shape::Rare, 20, 1440, 1);
        assert!(r.functions.iter().all(|f| (1..=6).contains(&f.calls.len())), "{r:?}");
    }

    #[test]
    fn poisson_draws_have_their_mean() {
        let mut rng = Rng::new(3);
        let n = 20_000;
        let mean = (0..n).map(|_| rng.poisson(0.2) as f64).sum::<f64>() / n as f64;
        assert!((mean - 0.2).abs() < 0.02, "{mean}");
    }
}
