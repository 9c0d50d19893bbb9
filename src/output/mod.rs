//! Output: fast.log, EVE JSON and stats, laid out as Suricata 8 writes
//! them, so users can diff our files against Suricata's.
//!
//! The last stage of the pipeline. The detection engine and the runtime fill
//! an [`AlertRecord`] per alert (plain numbers, addresses and borrowed
//! slices; this module depends on no other stage's types) and write it
//! through an [`AlertSink`]:
//!
//! - [`FastLog`]: one fast.log line per alert, byte for byte as Suricata's
//!   ([`fast_log`] has the layout rules);
//! - [`Eve`]: one `eve.json` alert record per alert, with Suricata's field
//!   names, types and order, valid against its EVE schema ([`eve`]);
//! - [`MultiSink`]: both (or any set) at once; [`CountingSink`]: none.
//!
//! [`StatsDoc`] assembles `stats.json` from the counter sections other
//! stages hand over; [`RunSummary`] is the line printed at the end of a run.
//!
//! **No allocation per alert.** Formatting writes into a reusable `Vec<u8>`:
//! times and addresses are formatted on the stack, EVE records are
//! serialize-only structs that borrow from the record. The
//! [`AlertFormat`] half is pure, so worker threads can format into their own
//! buffers and a single writer thread can append whole batches
//! ([`LineWriter::write_formatted`]).
//!
//! **Time zone.** Suricata prints local time; we print UTC unless given a
//! fixed [`UtcOffset`] (see [`time`]).
//!
//! # Example
//!
//! ```
//! use std::net::{IpAddr, Ipv4Addr};
//! use rulewire::output::{
//!     AlertRecord, AlertSink, FastLog, FastLogFormat, IpInfo, Transport,
//! };
//!
//! let rec = AlertRecord {
//!     ts_secs: 1_612_510_490,
//!     ts_nanos: 3_000,
//!     sid: 1,
//!     msg: Some("http raw uri test"),
//!     ip: Some(IpInfo {
//!         src: IpAddr::V4(Ipv4Addr::LOCALHOST),
//!         dst: IpAddr::V4(Ipv4Addr::LOCALHOST),
//!         proto: 6,
//!         transport: Transport::Ports { src: 80, dst: 4660 },
//!     }),
//!     ..AlertRecord::default()
//! };
//! let mut log = FastLog::new(FastLogFormat::default(), Vec::new());
//! log.alert(&rec)?;
//! let text = String::from_utf8(log.into_inner()?).unwrap();
//! assert_eq!(
//!     text,
//!     "02/05/2021-07:34:50.000003  [**] [1:1:0] http raw uri test [**] \
//!      [Classification: (null)] [Priority: 3] {TCP} 127.0.0.1:80 -> 127.0.0.1:4660\n"
//! );
//! # Ok::<(), std::io::Error>(())
//! ```

pub mod addr;
pub mod buffered;
pub mod eve;
pub mod fast_log;
pub mod proto;
pub mod record;
pub mod select;
pub mod sink;
pub mod stats;
pub mod time;

pub use addr::AddrText;
pub use buffered::{BufferSink, BufferTap, FormatSet, PacketBytes, SplitWriter};
pub use eve::{AnomalyKind, AnomalyRecord, EveFormat, EveOptions};
pub use fast_log::FastLogFormat;
pub use proto::proto_name;
pub use record::{
    AlertAction, AlertRecord, Direction, FlowCounters, FlowInfo, IpInfo, PacketFields, PktSrc,
    Transport,
};
pub use select::AlertOutputs;
pub use sink::{AlertFormat, AlertSink, CountingSink, Eve, FastLog, LineWriter, MultiSink};
pub use stats::{RunSummary, StatsDoc, StatsError};
pub use time::{eve_time, fast_log_time, TimeText, UtcOffset};
