//! The text form of a [`Report`]: a summary, then one table per section
//! in CERT Polska's layout (`count | what`, a rule of `=` under the title),
//! then the unique-sources series as a bar per window.
//!
//! Layout only: every number comes from the [`Report`]; nothing is counted
//! here.

use std::io::{self, Write};

use super::{Report, Table};

/// Most windows listed one per line; longer series are left to `--json`
/// and `--svg`.
const MAX_TEXT_WINDOWS: usize = 288;
/// Width of the longest window bar, in characters.
const BAR_WIDTH: u64 = 50;

pub(crate) fn write(r: &Report, out: &mut impl Write) -> io::Result<()> {
    let s = &r.summary;
    match &r.source {
        Some(src) => writeln!(out, "rulewire report: {src}")?,
        None => writeln!(out, "rulewire report")?,
    }
    writeln!(
        out,
        "packets {}, bytes {}, ipv4 {}, ipv6 {}, no ip {}, fragments {}, invalid {}",
        s.packets, s.bytes, s.ipv4, s.ipv6, s.no_ip, s.fragments, s.invalid
    )?;
    if let (Some(first), Some(last)) = (&s.first, &s.last) {
        writeln!(out, "from {first} to {last}")?;
    }
    writeln!(out, "unique sources {}", s.unique_sources)?;
    if let Some(e) = &r.capture_error {
        writeln!(out, "capture read error (counts stop here): {e}")?;
    }
    if !r.geoip.is_empty() {
        writeln!(out, "geoip: {}", r.geoip.join(", "))?;
    }

    section(out, "Protocols", &s.protocols, false, |row| {
        format!("{} ({})", row.name, row.proto)
    })?;
    section(
        out,
        "TCP header errors",
        &r.tcp_header_errors,
        false,
        |row| row.text.clone(),
    )?;
    section(out, "TCP flag combinations", &r.tcp_flags, false, |row| {
        format!("{} ({})", row.hex, row.names)
    })?;
    section(out, "Payloads", &r.payloads, true, |row| {
        let more = if row.truncated { "..." } else { "" };
        format!(
            "{}{more} |{}{more}| ({} bytes)",
            row.hex, row.printable, row.len
        )
    })?;
    section(out, "Sources", &r.sources, true, |row| {
        let mut line = row.addr.to_string();
        if let Some(asn) = row.asn {
            line.push_str(&format!(" | AS{asn}"));
        }
        if let Some(c) = &row.country {
            line.push_str(&format!(" | {c}"));
        }
        if let Some(org) = &row.as_org {
            line.push_str(&format!(" | {org}"));
        }
        line
    })?;
    if let Some(c) = &r.countries {
        section(out, "Source countries", c, true, |row| {
            format!(
                "{} ({} sources)",
                row.country.as_deref().unwrap_or("unknown"),
                row.sources
            )
        })?;
    }
    if let Some(a) = &r.asns {
        section(out, "Source ASes", a, true, |row| {
            let asn = row.asn.map_or("unknown".to_string(), |a| format!("AS{a}"));
            match &row.as_org {
                Some(org) => format!("{asn} {org} ({} sources)", row.sources),
                None => format!("{asn} ({} sources)", row.sources),
            }
        })?;
    }
    section(out, "Destination ports", &r.dst_ports, true, |row| {
        row.text.clone()
    })?;
    section(out, "Decoder events", &r.decoder_events, false, |row| {
        row.event.to_string()
    })?;
    windows(r, out)
}

/// One table: title with totals, a rule, `count | label` rows, notes.
fn section<R>(
    out: &mut impl Write,
    title: &str,
    table: &Table<R>,
    top_n: bool,
    label: impl Fn(&R) -> String,
) -> io::Result<()>
where
    R: CountOf,
{
    writeln!(out)?;
    let shown = table.rows.len() as u64;
    let heading = if top_n && shown < table.distinct {
        format!(
            "{title}, top {shown} of {} ({} packets)",
            table.distinct, table.total
        )
    } else {
        format!(
            "{title} ({} packets, {} distinct)",
            table.total, table.distinct
        )
    };
    writeln!(out, "{heading}")?;
    writeln!(out, "{}", "=".repeat(heading.len().max(20)))?;
    if table.rows.is_empty() {
        writeln!(out, "(none)")?;
    }
    let width = table
        .rows
        .iter()
        .map(|r| r.count().to_string().len())
        .max()
        .unwrap_or(1);
    for row in &table.rows {
        writeln!(out, "{:>width$} | {}", row.count(), label(row))?;
    }
    if table.overflow > 0 {
        writeln!(
            out,
            "({} more packets not counted: the table reached its key limit)",
            table.overflow
        )?;
    }
    Ok(())
}

fn windows(r: &Report, out: &mut impl Write) -> io::Result<()> {
    let w = &r.windows;
    writeln!(out)?;
    let peak = w
        .points
        .iter()
        .max_by_key(|p| (p.unique_sources, u64::MAX - p.start));
    let heading = match peak {
        Some(p) => format!(
            "Unique sources per {} s window ({} windows, peak {} at {}, UTC)",
            w.width_secs,
            w.points.len(),
            p.unique_sources,
            p.start_time
                .get(..16)
                .unwrap_or(&p.start_time)
                .replace('T', " ")
        ),
        None => format!("Unique sources per {} s window (none)", w.width_secs),
    };
    writeln!(out, "{heading}")?;
    writeln!(out, "{}", "=".repeat(heading.len()))?;
    if w.sparse {
        writeln!(
            out,
            "(the span is long: only windows with packets are listed)"
        )?;
    }
    if w.saturated {
        writeln!(out, "(key limit reached: counts are lower bounds)")?;
    }
    if w.points.len() > MAX_TEXT_WINDOWS {
        writeln!(
            out,
            "({} windows: see --json or --svg for the series)",
            w.points.len()
        )?;
        return Ok(());
    }
    let max = peak.map_or(1, |p| p.unique_sources.max(1));
    let width = max.to_string().len();
    for p in &w.points {
        let bar = (p.unique_sources * BAR_WIDTH).div_ceil(max) as usize;
        // `2011-11-13T06:05:00.000000+0000` -> `2011-11-13 06:05`.
        let day = p.start_time.get(..10).unwrap_or(&p.start_time);
        let hm = p.start_time.get(11..16).unwrap_or("");
        writeln!(
            out,
            "{day} {hm} {:>width$} {}",
            p.unique_sources,
            "#".repeat(bar)
        )?;
    }
    Ok(())
}

/// The count column of a row.
trait CountOf {
    fn count(&self) -> u64;
}

macro_rules! count_of {
    ($($t:ty),*) => {
        $(impl CountOf for $t {
            fn count(&self) -> u64 {
                self.count
            }
        })*
    };
}

count_of!(
    super::ProtoRow,
    super::HeaderErrorRow,
    super::FlagRow,
    super::PayloadRow,
    super::SourceRow,
    super::CountryRow,
    super::AsnRow,
    super::PortRow,
    super::EventRow
);
