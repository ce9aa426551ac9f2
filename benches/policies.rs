//! The scale-to-zero policies on invocation traces: a fixed 10-minute keep-alive, reactive scale
//! to zero after 60 s, and the hybrid (proactive) policy, replayed with the engine's own code
//! (`kfn::scaling::simulate`). Generates the synthetic shapes (periodic, bursty, Poisson, rare,
//! and their mix), or reads a user's trace, prints a table and draws cold-start % against idle
//! replica-minutes into a PNG.
//!
//! ```text
//! cargo bench --bench policies [-- --trace FILE]... [--functions N] [--minutes M] [--seed S] [--png FILE]
//! ```

use std::path::PathBuf;
use std::time::Instant;

use kfn::scaling::Settings;
use kfn::scaling::simulate::{self, Outcome};
use kfn::scaling::trace::{self, Shape, Trace};
use plotters::prelude::*;
use plotters::style::FontStyle;

struct Options {
    traces: Vec<PathBuf>,
    functions: usize,
    minutes: u32,
    seed: u64,
    png: PathBuf,
}

fn options() -> Options {
    let mut o = Options {
        traces: Vec::new(),
        functions: 200,
        minutes: 3 * 1440,
        seed: 14,
        png: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("benches/policies.png"),
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = |flag: &str| args.next().unwrap_or_else(|| fail(&format!("{flag} needs a value")));
        match a.as_str() {
            "--trace" => o.traces.push(value("--trace").into()),
            "--functions" => o.functions = number(&value("--functions"), "--functions"),
            "--minutes" => o.minutes = number(&value("--minutes"), "--minutes"),
            "--seed" => o.seed = number(&value("--seed"), "--seed"),
            "--png" => o.png = value("--png").into(),
            // What cargo bench passes to every bench.
            "--bench" => {}
            other => fail(&format!(
                "unknown argument {other:?}: expected --trace FILE, --functions N, --minutes M, --seed S or --png FILE"
            )),
        }
    }
    o
}

fn number<T: std::str::FromStr>(text: &str, flag: &str) -> T {
    text.parse()
        .unwrap_or_else(|_| fail(&format!("{flag} {text:?} is not a whole number")))
}

fn fail(message: &str) -> ! {
    eprintln!("policies: {message}");
    std::process::exit(2)
}

fn main() {
    let o = options();
    let mut traces: Vec<(String, Trace)> = Vec::new();
    for shape in Shape::ALL {
        traces.push((
            shape.name().to_string(),
            trace::generate(shape, o.functions, o.minutes, o.seed),
        ));
    }
    for path in &o.traces {
        let text = std::fs::read_to_string(path).unwrap_or_else(|e| fail(&format!("--trace {}: {e}", path.display())));
        let t = trace::read(&text).unwrap_or_else(|e| fail(&format!("--trace {}: {e}", path.display())));
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        traces.push((name, t));
    }
    println!(
        "{} generated traces of {} functions over {} minutes (seed {}){}",
        Shape::ALL.len(),
        o.functions,
        o.minutes,
        o.seed,
        match o.traces.len() {
            0 => String::new(),
            n => format!(", and {n} from files"),
        }
    );
    let mut rows: Vec<(String, Outcome)> = Vec::new();
    for (name, t) in &traces {
        for policy in simulate::policies() {
            let started = Instant::now();
            let outcome = simulate::run(t, &policy, Settings::default());
            eprintln!(
                "{name}: {} in {:.0} ms ({} functions × {} minutes)",
                policy.name,
                started.elapsed().as_secs_f64() * 1000.0,
                t.functions.len(),
                t.minutes
            );
            rows.push((name.clone(), outcome));
        }
    }
    println!("\n{}", simulate::table(&rows));
    match plot(&rows, &o.png) {
        Ok(()) => println!("plot: {}", o.png.display()),
        Err(e) => eprintln!("no plot: {e}"),
    }
}

/// A font file this machine has, for the plot's text (plotters draws text through ab_glyph).
fn font() -> Result<&'static [u8], String> {
    let candidates = [
        std::env::var("KFN_PLOT_FONT").unwrap_or_default(),
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf".into(),
        "/usr/share/fonts/TTF/DejaVuSans.ttf".into(),
        "/usr/share/fonts/dejavu/DejaVuSans.ttf".into(),
        "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf".into(),
        "/System/Library/Fonts/Supplemental/Arial.ttf".into(),
    ];
    for path in candidates.iter().filter(|p| !p.is_empty()) {
        if let Ok(bytes) = std::fs::read(path) {
            return Ok(Box::leak(bytes.into_boxed_slice()));
        }
    }
    Err("no font file found (set KFN_PLOT_FONT to a .ttf file)".into())
}

const COLORS: [RGBColor; 3] = [RGBColor(214, 39, 40), RGBColor(31, 119, 180), RGBColor(44, 160, 44)];

/// One panel per trace: a point per policy, cold-start % against idle replica-minutes.
fn plot(rows: &[(String, Outcome)], path: &std::path::Path) -> Result<(), Box<dyn std::error::Error>> {
    plotters::style::register_font("sans-serif", FontStyle::Normal, font()?)
        .map_err(|_| "the font file is not a font")?;
    let mut names: Vec<&str> = Vec::new();
    for (n, _) in rows {
        if !names.contains(&n.as_str()) {
            names.push(n);
        }
    }
    let columns = 3;
    let lines = names.len().div_ceil(columns);
    let root = BitMapBackend::new(path, (1200, 60 + 360 * lines as u32)).into_drawing_area();
    root.fill(&WHITE)?;
    let (title, body) = root.split_vertically(60);
    title.draw_text(
        "Cold starts against idle replica-minutes (lower left is better)",
        &("sans-serif", 24).into_font().color(&BLACK),
        (20, 18),
    )?;
    let panels = body.split_evenly((lines, columns));
    for (panel, name) in panels.iter().zip(&names) {
        let points: Vec<&Outcome> = rows.iter().filter(|(n, _)| n == name).map(|(_, o)| o).collect();
        let max_idle = points.iter().map(|o| o.total.idle_minutes).max().unwrap_or(1).max(1) as f64;
        let max_cold = points.iter().map(|o| o.cold_percent()).fold(1.0, f64::max);
        let mut chart = ChartBuilder::on(panel)
            .caption(*name, ("sans-serif", 20))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(56)
            .build_cartesian_2d(0.0..max_idle * 1.15, 0.0..max_cold * 1.2)?;
        chart
            .configure_mesh()
            .x_desc("idle replica-minutes")
            .y_desc("cold starts, % of calls")
            .x_labels(5)
            .y_labels(5)
            .x_label_formatter(&|v| format!("{v:.0}"))
            .y_label_formatter(&|v| format!("{v:.1}"))
            .label_style(("sans-serif", 13))
            .draw()?;
        for (i, o) in points.iter().enumerate() {
            let color = COLORS[i % COLORS.len()];
            let at = (o.total.idle_minutes as f64, o.cold_percent());
            let label = o.policy.split([' ', ',']).next().unwrap_or_default().to_string();
            chart.draw_series([EmptyElement::at(at)
                + Circle::new((0, 0), 6, color.filled())
                + Text::new(label, (9, -16), ("sans-serif", 14).into_font().color(&color))])?;
        }
    }
    // The legend: which colour is which policy.
    let legend = simulate::policies();
    for (i, p) in legend.iter().enumerate() {
        let x = 760;
        let y = 8 + 16 * i as i32;
        title.draw(&Circle::new((x, y + 7), 5, COLORS[i].filled()))?;
        title.draw_text(&p.name, &("sans-serif", 14).into_font().color(&BLACK), (x + 12, y))?;
    }
    root.present()?;
    Ok(())
}
