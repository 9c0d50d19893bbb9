//! report: the analyst's view of a capture, the tables the seed reports
//! were written from and Suricata does not print.
//!
//! [`Report::from_capture`] decodes every packet once and counts:
//!
//! * TCP header errors by kind, in tcpdump's words (`bad hdr length 8 -
//!   too short, < 20`), as in CERT Polska's table;
//! * TCP flag combinations, in hex and by name (`0x12 (SYN, ACK)`, `0x00
//!   (<none>)`), for valid and malformed headers alike;
//! * payloads, top N, in hex and printable form;
//! * sources (packets per source address), with AS and country from
//!   MaxMind-format databases when [`ReportOptions::geoip`] is set, and
//!   then per-country and per-AS totals;
//! * destination ports, where a real port 0, a port read from a malformed
//!   header, and "no port" (fragments, headers too short) are separate rows;
//! * unique sources per time window (five minutes by default), which
//!   [`svg::render`] draws;
//! * decoder events and a per-protocol summary.
//!
//! The result is a [`Report`]: [`Report::write_text`] prints it,
//! [`Report::write_json`] (or any serde serializer) writes it as JSON.
//!
//! ```
//! use rulewire::capture::{CaptureFile, LinkType, PcapWriter, Timestamp, TsPrecision};
//! use rulewire::decode::craft::{PacketBuilder, TcpSpec};
//! use rulewire::report::{Report, ReportOptions};
//!
//! // One CERT Polska-style probe: data offset 2 (8 bytes), flags 0x82.
//! let frame = PacketBuilder::ipv4([118, 122, 188, 27], [203, 0, 113, 10])
//!     .tcp(0, 0, TcpSpec::new(0x82).data_offset(2))
//!     .ethernet();
//! let mut w = PcapWriter::new(Vec::new(), LinkType::ETHERNET, TsPrecision::Micro)?;
//! w.write_packet(Timestamp::new(1_321_164_000, 0), &frame, frame.len() as u32)?;
//! let file = CaptureFile::from_bytes(w.into_inner()?)?;
//!
//! let report = Report::from_capture(&file, &ReportOptions::default());
//! assert_eq!(report.tcp_header_errors.rows[0].text, "bad hdr length 8 - too short, < 20");
//! assert_eq!(report.tcp_flags.rows[0].hex, "0x82");
//! assert_eq!(report.tcp_flags.rows[0].names, "SYN, CWR");
//! assert_eq!(report.dst_ports.rows[0].text, "tcp/0 (malformed header)");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Bounds
//!
//! Memory does not grow with the capture beyond
//! [`ReportOptions::max_keys`] distinct keys per table (sources, payloads,
//! ports, windows, source-window pairs); what does not fit is counted as
//! overflow and said so in the output. Payload keys hold at most
//! [`PAYLOAD_KEY_LEN`] bytes (plus the full length). A read error part-way
//! through a capture ends the count; the report keeps what was counted and
//! names the error in [`Report::capture_error`].
//!
//! # Not here
//!
//! No reassembly (fragments stay fragments, streams are not followed), no
//! rule matching, no application-layer parsing.

#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)
)]

mod classify;
mod geoip;
pub mod svg;
mod tally;
mod text;

pub use classify::{flag_names, proto_name, tcp_header_error, NoPort, TcpHeaderError};
pub use geoip::{GeoInfo, GeoIp};
pub use tally::Table;

use std::collections::{BTreeMap, HashSet};
use std::io::{self, Write};
use std::net::IpAddr;
use std::path::PathBuf;

use serde::Serialize;

use crate::capture::{CaptureError, CaptureFile, RawPacket, Timestamp};
use crate::decode::{decode, DecodeConfig, DecodeEvent};
use classify::{facts, PortKey};
use tally::Tally;

/// Payload bytes kept per payload key; longer payloads are counted by
/// their first bytes and full length.
pub const PAYLOAD_KEY_LEN: usize = 64;

/// Errors of the report's inputs (the capture's own errors are
/// [`CaptureError`]s).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReportError {
    /// A GeoIP database could not be opened or is no MaxMind DB.
    #[error("{}: cannot use as a MaxMind database: {reason}", path.display())]
    GeoIp {
        /// The database file.
        path: PathBuf,
        /// What went wrong.
        reason: String,
    },
}

/// What to count and how much to show.
#[derive(Debug)]
pub struct ReportOptions {
    /// Rows shown in the top-N tables (payloads, sources, ports,
    /// countries, ASes). Header errors, flags and events show every row.
    pub top: usize,
    /// Width of a time window in seconds (default 300, five minutes).
    pub window_secs: u64,
    /// Most distinct keys per table (and per window bookkeeping).
    pub max_keys: usize,
    /// Most windows the series lists from first to last; a longer span
    /// lists only the windows that saw packets ([`Windows::sparse`]).
    pub max_points: usize,
    /// Decoder settings.
    pub decode: DecodeConfig,
    /// Databases for AS and country of sources.
    pub geoip: Option<GeoIp>,
}

impl Default for ReportOptions {
    fn default() -> ReportOptions {
        ReportOptions {
            top: 10,
            window_secs: 300,
            max_keys: 1 << 20,
            max_points: 10_000,
            decode: DecodeConfig::default(),
            geoip: None,
        }
    }
}

/// The whole report. Serialises to the JSON `--json` prints.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The capture file, when known.
    pub source: Option<String>,
    /// Totals.
    pub summary: Summary,
    /// TCP header errors by kind (every kind seen).
    pub tcp_header_errors: Table<HeaderErrorRow>,
    /// TCP flag combinations (every combination seen).
    pub tcp_flags: Table<FlagRow>,
    /// Payloads, top N.
    pub payloads: Table<PayloadRow>,
    /// Packets per source address, top N.
    pub sources: Table<SourceRow>,
    /// Packets per source country, top N (with GeoIP only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub countries: Option<Table<CountryRow>>,
    /// Packets per source AS, top N (with GeoIP only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub asns: Option<Table<AsnRow>>,
    /// Destination ports of TCP, UDP and SCTP packets, top N.
    pub dst_ports: Table<PortRow>,
    /// Decoder events (every event seen).
    pub decoder_events: Table<EventRow>,
    /// Unique sources per time window.
    pub windows: Windows,
    /// The `database_type` of each GeoIP database used.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub geoip: Vec<String>,
    /// The read error that ended the capture early, if any.
    pub capture_error: Option<String>,
}

/// Totals over the capture.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Packets read.
    pub packets: u64,
    /// Captured bytes.
    pub bytes: u64,
    /// Earliest timestamp (EVE form).
    pub first: Option<String>,
    /// Latest timestamp (EVE form).
    pub last: Option<String>,
    /// Packets whose (inner-most) IP layer is IPv4.
    pub ipv4: u64,
    /// Packets whose (inner-most) IP layer is IPv6.
    pub ipv6: u64,
    /// Packets without an IP layer that decoded (ARP, broken IP ...).
    pub no_ip: u64,
    /// IP fragments.
    pub fragments: u64,
    /// Packets the decoder marked invalid.
    pub invalid: u64,
    /// Distinct source addresses.
    pub unique_sources: u64,
    /// IP packets per transport protocol (every protocol seen).
    pub protocols: Table<ProtoRow>,
}

/// A row of [`Summary::protocols`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProtoRow {
    /// Packets.
    pub count: u64,
    /// IP protocol number.
    pub proto: u8,
    /// Its short name.
    pub name: String,
}

/// A row of [`Report::tcp_header_errors`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HeaderErrorRow {
    /// Packets.
    pub count: u64,
    /// The error.
    pub error: TcpHeaderError,
    /// The error in tcpdump's words.
    pub text: String,
}

/// A row of [`Report::tcp_flags`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FlagRow {
    /// Packets.
    pub count: u64,
    /// The flag byte.
    pub flags: u8,
    /// `0x12`.
    pub hex: String,
    /// `SYN, ACK`.
    pub names: String,
}

/// A row of [`Report::payloads`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PayloadRow {
    /// Packets.
    pub count: u64,
    /// Full payload length in bytes.
    pub len: usize,
    /// Lower-case hex of the first (at most [`PAYLOAD_KEY_LEN`]) bytes.
    pub hex: String,
    /// The same bytes, printable ASCII kept and the rest shown as `.`.
    pub printable: String,
    /// The payload is longer than the bytes shown.
    pub truncated: bool,
}

/// A row of [`Report::sources`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceRow {
    /// Packets.
    pub count: u64,
    /// Source address.
    pub addr: IpAddr,
    /// AS number (with GeoIP).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub asn: Option<u32>,
    /// AS organisation (with GeoIP).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub as_org: Option<String>,
    /// Country code (with GeoIP).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}

/// A row of [`Report::countries`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CountryRow {
    /// Packets.
    pub count: u64,
    /// Distinct sources.
    pub sources: u64,
    /// Country code; `None` for addresses the databases do not place.
    pub country: Option<String>,
}

/// A row of [`Report::asns`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AsnRow {
    /// Packets.
    pub count: u64,
    /// Distinct sources.
    pub sources: u64,
    /// AS number; `None` for addresses the databases do not know.
    pub asn: Option<u32>,
    /// AS organisation.
    pub as_org: Option<String>,
}

/// A row of [`Report::dst_ports`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PortRow {
    /// Packets.
    pub count: u64,
    /// `tcp`, `udp` or `sctp`.
    pub proto: String,
    /// The destination port; `None` when the packet has none.
    pub port: Option<u16>,
    /// The port was read from a header the decoder rejected.
    pub malformed_header: bool,
    /// Why there is no port.
    pub no_port: Option<NoPort>,
    /// The row as printed: `tcp/445`, `tcp/0 (malformed header)`,
    /// `udp: no port (later fragment)`.
    pub text: String,
}

/// A row of [`Report::decoder_events`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EventRow {
    /// Packets.
    pub count: u64,
    /// Suricata's event name, e.g. `tcp.invalid_optlen`.
    pub event: &'static str,
}

/// Unique sources per time window, first to last window.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Windows {
    /// Window width in seconds.
    pub width_secs: u64,
    /// One point per window, in time order.
    pub points: Vec<WindowPoint>,
    /// The span had more windows than
    /// [`ReportOptions::max_points`]: only windows with packets are listed.
    pub sparse: bool,
    /// Some source-window pairs did not fit under
    /// [`ReportOptions::max_keys`]; counts are lower bounds.
    pub saturated: bool,
}

/// One time window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WindowPoint {
    /// Window start, seconds since the epoch (a multiple of the width).
    pub start: u64,
    /// Window start in EVE form (UTC).
    pub start_time: String,
    /// Distinct source addresses seen in the window.
    pub unique_sources: u64,
    /// Packets in the window.
    pub packets: u64,
}

/// Counts packets one at a time; [`ReportBuilder::finish`] makes the
/// [`Report`]. For sources other than a [`CaptureFile`] (live capture,
/// packets in memory).
#[derive(Debug)]
pub struct ReportBuilder<'o> {
    opts: &'o ReportOptions,
    source: Option<String>,
    summary: Summary,
    first: Option<Timestamp>,
    last: Option<Timestamp>,
    protocols: Tally<u8>,
    tcp_errors: Tally<TcpHeaderError>,
    flags: Tally<u8>,
    payloads: Tally<Box<[u8]>>,
    sources: Tally<IpAddr>,
    ports: Tally<PortKey>,
    events: Tally<DecodeEvent>,
    pairs: HashSet<(u64, IpAddr)>,
    windows: BTreeMap<u64, (u64, u64)>,
    windows_saturated: bool,
    capture_error: Option<String>,
}

impl<'o> ReportBuilder<'o> {
    /// An empty count.
    pub fn new(opts: &'o ReportOptions) -> ReportBuilder<'o> {
        let cap = opts.max_keys;
        ReportBuilder {
            opts,
            source: None,
            summary: Summary::default(),
            first: None,
            last: None,
            protocols: Tally::new(256),
            tcp_errors: Tally::new(256),
            flags: Tally::new(256),
            payloads: Tally::new(cap),
            sources: Tally::new(cap),
            ports: Tally::new(cap),
            events: Tally::new(DecodeEvent::ALL.len()),
            pairs: HashSet::new(),
            windows: BTreeMap::new(),
            windows_saturated: false,
            capture_error: None,
        }
    }

    /// Names the capture in the report.
    pub fn source(&mut self, name: impl Into<String>) -> &mut Self {
        self.source = Some(name.into());
        self
    }

    /// Decodes and counts one packet.
    pub fn add(&mut self, packet: &RawPacket<'_>) {
        let d = decode(packet.linktype, packet.data, &self.opts.decode);
        let s = &mut self.summary;
        s.packets += 1;
        s.bytes += packet.data.len() as u64;
        self.first = Some(self.first.map_or(packet.ts, |t| t.min(packet.ts)));
        self.last = Some(self.last.map_or(packet.ts, |t| t.max(packet.ts)));
        if d.is_invalid() {
            s.invalid += 1;
        }
        if d.is_fragment() {
            s.fragments += 1;
        }
        match d.ip() {
            Some(ip) if ip.is_v4() => s.ipv4 += 1,
            Some(_) => s.ipv6 += 1,
            None => s.no_ip += 1,
        }
        for event in d.events().iter() {
            self.events.add(event);
        }
        let f = facts(&d);
        if let Some(proto) = f.proto {
            self.protocols.add(proto);
        }
        if let Some(e) = f.tcp_error {
            self.tcp_errors.add(e);
        }
        if let Some(flags) = f.tcp_flags {
            self.flags.add(flags);
        }
        if let Some(port) = f.port {
            self.ports.add(port);
        }
        if !f.payload.is_empty() {
            // Key: the full length (4 bytes, big-endian), then at most
            // PAYLOAD_KEY_LEN bytes, built on the stack.
            let mut key = [0u8; 4 + PAYLOAD_KEY_LEN];
            let len = u32::try_from(f.payload.len()).unwrap_or(u32::MAX);
            let mut n = 0;
            for (slot, &b) in key
                .iter_mut()
                .zip(len.to_be_bytes().iter().chain(f.payload.iter()))
            {
                *slot = b;
                n += 1;
            }
            let key = key.get(..n).unwrap_or(&[]);
            self.payloads.add_borrowed(key, |k| k.into());
        }
        if let Some(src) = f.src {
            self.sources.add(src);
            self.count_window(packet.ts, src);
        }
    }

    fn count_window(&mut self, ts: Timestamp, src: IpAddr) {
        let width = self.opts.window_secs.max(1);
        let start = ts.secs() / width * width;
        let cap = self.opts.max_keys;
        if !self.windows.contains_key(&start) && self.windows.len() >= cap {
            self.windows_saturated = true;
            return;
        }
        let new_pair = if self.pairs.contains(&(start, src)) {
            false
        } else if self.pairs.len() < cap {
            self.pairs.insert((start, src))
        } else {
            self.windows_saturated = true;
            false
        };
        let w = self.windows.entry(start).or_insert((0, 0));
        w.1 += 1;
        if new_pair {
            w.0 += 1;
        }
    }

    /// Records the error that ended the capture early.
    pub fn capture_error(&mut self, error: &CaptureError) {
        self.capture_error = Some(error.to_string());
    }

    /// Builds the tables (and looks sources up in the GeoIP databases).
    pub fn finish(self) -> Report {
        let top = Some(self.opts.top);
        let geo = self.opts.geoip.as_ref();
        let mut summary = self.summary;
        summary.first = self.first.map(|t| t.eve().to_string());
        summary.last = self.last.map(|t| t.eve().to_string());
        summary.unique_sources = self.sources.distinct() as u64;
        summary.protocols = self.protocols.table(None, |&proto, count| ProtoRow {
            count,
            proto,
            name: proto_name(proto),
        });
        let (countries, asns) = match geo {
            Some(g) => {
                let (c, a) = geo_tables(&self.sources, g, self.opts);
                (Some(c), Some(a))
            }
            None => (None, None),
        };
        Report {
            source: self.source,
            summary,
            tcp_header_errors: self.tcp_errors.table(None, |&error, count| HeaderErrorRow {
                count,
                error,
                text: error.to_string(),
            }),
            tcp_flags: self.flags.table(None, |&flags, count| FlagRow {
                count,
                flags,
                hex: format!("0x{flags:02x}"),
                names: flag_names(flags),
            }),
            payloads: self
                .payloads
                .table(top, |key, count| payload_row(key, count)),
            sources: self.sources.table(top, |&addr, count| {
                let info = geo.map(|g| g.lookup(addr)).unwrap_or_default();
                SourceRow {
                    count,
                    addr,
                    asn: info.asn,
                    as_org: info.as_org,
                    country: info.country,
                }
            }),
            countries,
            asns,
            dst_ports: self.ports.table(top, |&key, count| port_row(key, count)),
            decoder_events: self.events.table(None, |&e, count| EventRow {
                count,
                event: e.name(),
            }),
            windows: windows(&self.windows, self.opts, self.windows_saturated),
            geoip: geo.map(GeoIp::database_types).unwrap_or_default(),
            capture_error: self.capture_error,
        }
    }
}

fn payload_row(key: &[u8], count: u64) -> PayloadRow {
    let (len, bytes) = key.split_at(4.min(key.len()));
    let len = len
        .try_into()
        .map_or(bytes.len(), |b: [u8; 4]| u32::from_be_bytes(b) as usize);
    PayloadRow {
        count,
        len,
        hex: bytes.iter().map(|b| format!("{b:02x}")).collect(),
        printable: bytes
            .iter()
            .map(|&b| {
                if (0x20..0x7f).contains(&b) {
                    b as char
                } else {
                    '.'
                }
            })
            .collect(),
        truncated: len > bytes.len(),
    }
}

fn port_row(key: PortKey, count: u64) -> PortRow {
    match key {
        PortKey::Port {
            proto,
            port,
            malformed,
        } => PortRow {
            count,
            proto: proto_name(proto),
            port: Some(port),
            malformed_header: malformed,
            no_port: None,
            text: format!(
                "{}/{port}{}",
                proto_name(proto),
                if malformed { " (malformed header)" } else { "" }
            ),
        },
        PortKey::None { proto, reason } => PortRow {
            count,
            proto: proto_name(proto),
            port: None,
            malformed_header: false,
            no_port: Some(reason),
            text: format!("{}: no port ({})", proto_name(proto), reason.describe()),
        },
    }
}

fn geo_tables(
    sources: &Tally<IpAddr>,
    geo: &GeoIp,
    opts: &ReportOptions,
) -> (Table<CountryRow>, Table<AsnRow>) {
    let mut countries: Tally<Option<String>> = Tally::new(opts.max_keys);
    let mut country_sources: Tally<Option<String>> = Tally::new(opts.max_keys);
    let mut asns: Tally<Option<u32>> = Tally::new(opts.max_keys);
    let mut asn_sources: Tally<Option<u32>> = Tally::new(opts.max_keys);
    let mut orgs: BTreeMap<u32, String> = BTreeMap::new();
    for (&addr, count) in sources.iter() {
        let info = geo.lookup(addr);
        countries.add_n(info.country.clone(), count);
        country_sources.add(info.country);
        asns.add_n(info.asn, count);
        asn_sources.add(info.asn);
        if let (Some(asn), Some(org)) = (info.asn, info.as_org) {
            orgs.entry(asn).or_insert(org);
        }
    }
    let top = Some(opts.top);
    let countries = countries.table(top, |c, count| CountryRow {
        count,
        sources: country_sources.get(c),
        country: c.clone(),
    });
    let asns = asns.table(top, |a, count| AsnRow {
        count,
        sources: asn_sources.get(a),
        asn: *a,
        as_org: a.and_then(|a| orgs.get(&a).cloned()),
    });
    (countries, asns)
}

fn windows(counts: &BTreeMap<u64, (u64, u64)>, opts: &ReportOptions, saturated: bool) -> Windows {
    let width = opts.window_secs.max(1);
    let point = |start: u64, (unique_sources, packets): (u64, u64)| WindowPoint {
        start,
        start_time: Timestamp::new(start, 0).eve().to_string(),
        unique_sources,
        packets,
    };
    let (Some((&first, _)), Some((&last, _))) = (counts.first_key_value(), counts.last_key_value())
    else {
        return Windows {
            width_secs: width,
            points: Vec::new(),
            sparse: false,
            saturated,
        };
    };
    let span = (last - first) / width + 1;
    let sparse = span > opts.max_points as u64;
    let points = if sparse {
        counts.iter().map(|(&s, &c)| point(s, c)).collect()
    } else {
        (0..span)
            .map(|i| {
                let s = first + i * width;
                point(s, counts.get(&s).copied().unwrap_or((0, 0)))
            })
            .collect()
    };
    Windows {
        width_secs: width,
        points,
        sparse,
        saturated,
    }
}

impl Report {
    /// Reads every packet of `file` and builds the report. A read error
    /// part-way through ends the count and is kept in
    /// [`Report::capture_error`].
    pub fn from_capture(file: &CaptureFile, opts: &ReportOptions) -> Report {
        let mut b = ReportBuilder::new(opts);
        if let Some(p) = file.path() {
            b.source(p.display().to_string());
        }
        for item in file.packets() {
            match item {
                Ok(p) => b.add(&p),
                Err(e) => {
                    b.capture_error(&e);
                    break;
                }
            }
        }
        b.finish()
    }

    /// Writes the report as text: a summary, then one `count | what`
    /// table per section in CERT Polska's layout, then one bar per window.
    ///
    /// # Errors
    ///
    /// Any error of `out`.
    pub fn write_text(&self, out: &mut impl Write) -> io::Result<()> {
        text::write(self, out)
    }

    /// Writes the report as one pretty-printed JSON object and a newline.
    ///
    /// # Errors
    ///
    /// Any error of `out`.
    pub fn write_json(&self, out: &mut impl Write) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, self).map_err(io::Error::other)?;
        out.write_all(b"\n")
    }
}

#[cfg(test)]
mod tests;
