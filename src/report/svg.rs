//! [`render`]: the unique-sources-per-window series of a [`Report`] as a
//! standalone SVG bar chart (title, axes, ticks, labels, one bar per
//! window), in the spirit of CERT Polska's chart of unique source addresses
//! per five-minute window.
//!
//! The SVG is hand-written text: well-formed XML (every text is escaped),
//! no scripts, no external references, fixed size. Each window is exactly
//! one `<rect class="bar">` (height 0 for an empty window) with a `<title>`
//! tooltip, so a reader can count the data points.

use std::fmt::Write as _;

use super::Report;

const WIDTH: f64 = 960.0;
const HEIGHT: f64 = 420.0;
const LEFT: f64 = 70.0;
const RIGHT: f64 = 20.0;
const TOP: f64 = 50.0;
const BOTTOM: f64 = 80.0;
/// Most labels along the time axis.
const MAX_X_LABELS: usize = 12;

/// The chart of [`Report::windows`] as an SVG document.
pub fn render(report: &Report) -> String {
    let w = &report.windows;
    let mut s = String::with_capacity(4096 + 200 * w.points.len());
    let _ = writeln!(s, r#"<?xml version="1.0" encoding="UTF-8"?>"#);
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="12">"#
    );
    let title = format!(
        "Unique source addresses per {} window",
        duration(w.width_secs)
    );
    let _ = writeln!(s, "<title>{}</title>", escape(&title));
    let _ = writeln!(
        s,
        r##"<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>"##
    );
    let _ = writeln!(
        s,
        r#"<text class="title" x="{}" y="22" text-anchor="middle" font-size="16" font-weight="bold">{}</text>"#,
        WIDTH / 2.0,
        escape(&title)
    );
    if let Some(src) = &report.source {
        let _ = writeln!(
            s,
            r##"<text class="subtitle" x="{}" y="40" text-anchor="middle" fill="#555555">{}</text>"##,
            WIDTH / 2.0,
            escape(src)
        );
    }
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let base = TOP + plot_h;
    let max = w.points.iter().map(|p| p.unique_sources).max().unwrap_or(0);
    let step = tick_step(max);
    let top_value = (max.div_ceil(step) * step).max(step);
    let y_of = |v: u64| base - plot_h * v as f64 / top_value as f64;

    // Y axis: ticks, grid lines, labels.
    let _ = writeln!(s, r#"<g class="y-axis">"#);
    let mut v = 0;
    while v <= top_value {
        let y = y_of(v);
        let _ = writeln!(
            s,
            r##"<line x1="{LEFT}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="#dddddd"/>"##,
            LEFT + plot_w
        );
        let _ = writeln!(
            s,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="end">{v}</text>"#,
            LEFT - 6.0,
            y + 4.0
        );
        v += step;
    }
    let _ = writeln!(
        s,
        r##"<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{base}" stroke="#000000"/>"##
    );
    let _ = writeln!(
        s,
        r#"<text x="18" y="{:.1}" text-anchor="middle" transform="rotate(-90 18 {:.1})">unique sources</text>"#,
        TOP + plot_h / 2.0,
        TOP + plot_h / 2.0
    );
    let _ = writeln!(s, "</g>");

    // X axis and labels.
    let n = w.points.len();
    let slot = if n == 0 { plot_w } else { plot_w / n as f64 };
    let _ = writeln!(s, r#"<g class="x-axis">"#);
    let _ = writeln!(
        s,
        r##"<line x1="{LEFT}" y1="{base}" x2="{:.1}" y2="{base}" stroke="#000000"/>"##,
        LEFT + plot_w
    );
    let every = n.div_ceil(MAX_X_LABELS).max(1);
    let mut last_day = "";
    for (i, p) in w.points.iter().enumerate().step_by(every) {
        let x = LEFT + slot * (i as f64 + 0.5);
        let (day, time) = split_time(&p.start_time);
        let _ = writeln!(
            s,
            r##"<line x1="{x:.1}" y1="{base}" x2="{x:.1}" y2="{:.1}" stroke="#000000"/>"##,
            base + 4.0
        );
        let _ = writeln!(
            s,
            r#"<text x="{x:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
            base + 18.0,
            escape(time)
        );
        if day != last_day {
            let _ = writeln!(
                s,
                r##"<text x="{x:.1}" y="{:.1}" text-anchor="middle" fill="#555555">{}</text>"##,
                base + 32.0,
                escape(day)
            );
            last_day = day;
        }
    }
    let _ = writeln!(
        s,
        r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">window start (UTC){}</text>"#,
        LEFT + plot_w / 2.0,
        HEIGHT - 14.0,
        if w.sparse {
            ", only windows with packets"
        } else {
            ""
        }
    );
    let _ = writeln!(s, "</g>");

    // Bars.
    let _ = writeln!(s, r##"<g class="bars" fill="#3465a4">"##);
    let gap = if slot > 4.0 { 1.0 } else { 0.0 };
    for (i, p) in w.points.iter().enumerate() {
        let x = LEFT + slot * i as f64 + gap / 2.0;
        let y = y_of(p.unique_sources);
        let _ = writeln!(
            s,
            r#"<rect class="bar" x="{x:.2}" y="{y:.2}" width="{:.2}" height="{:.2}"><title>{}: {} sources, {} packets</title></rect>"#,
            (slot - gap).max(0.1),
            base - y,
            escape(&p.start_time),
            p.unique_sources,
            p.packets
        );
    }
    let _ = writeln!(s, "</g>");
    if n == 0 {
        let _ = writeln!(
            s,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">no packets with an IP source</text>"#,
            LEFT + plot_w / 2.0,
            TOP + plot_h / 2.0
        );
    }
    let _ = writeln!(s, "</svg>");
    s
}

/// A round tick step giving at most about eight ticks up to `max`.
fn tick_step(max: u64) -> u64 {
    let mut step: u64 = 1;
    loop {
        for m in [1, 2, 5] {
            let s = step.saturating_mul(m);
            if max / s <= 8 {
                return s;
            }
        }
        step = step.saturating_mul(10);
        if step == u64::MAX {
            return step;
        }
    }
}

/// `300` -> `5-minute`, `3600` -> `1-hour`, `90` -> `90-second`.
fn duration(secs: u64) -> String {
    match secs {
        s if s % 3600 == 0 => format!("{}-hour", s / 3600),
        s if s % 60 == 0 => format!("{}-minute", s / 60),
        s => format!("{s}-second"),
    }
}

/// Splits an EVE time `2011-11-13T06:00:00.000000+0000` into the day and
/// `HH:MM`.
fn split_time(t: &str) -> (&str, &str) {
    let day = t.get(..10).unwrap_or(t);
    let time = t.get(11..16).unwrap_or("");
    (day, time)
}

/// Escapes XML text and attribute values.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if c.is_control() => out.push('?'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round() {
        assert_eq!(tick_step(0), 1);
        assert_eq!(tick_step(8), 1);
        assert_eq!(tick_step(19), 5);
        assert_eq!(tick_step(150), 20);
        assert_eq!(tick_step(9000), 2000);
        assert!(tick_step(u64::MAX) > 0, "no overflow at the top");
    }

    #[test]
    fn durations() {
        assert_eq!(duration(300), "5-minute");
        assert_eq!(duration(3600), "1-hour");
        assert_eq!(duration(90), "90-second");
    }

    #[test]
    fn escapes_markup() {
        assert_eq!(escape(r#"a<b>&"c'"#), "a&lt;b&gt;&amp;&quot;c&apos;");
        assert_eq!(escape("x\u{1}y"), "x?y");
    }

    #[test]
    fn splits_eve_time() {
        assert_eq!(
            split_time("2011-11-13T06:05:00.000000+0000"),
            ("2011-11-13", "06:05")
        );
    }
}
