//! [`Timestamp`]: when a packet was captured, in seconds and nanoseconds
//! since the Unix epoch (UTC), plus the two text forms Suricata writes.
//!
//! pcap files store microseconds or nanoseconds, pcapng files any power of
//! ten or two per second; every reader converts to nanoseconds here, so the
//! precision a file had is never lost. Suricata keeps microseconds, so the
//! text forms print six fractional digits (truncated, as Suricata does).
//! Calendar dates use the proleptic Gregorian calendar in UTC; conformance
//! fast.log files were written with TZ=UTC (e.g. 1612510490 prints as
//! `02/05/2021-07:34:50`).

use std::fmt;

const NANOS_PER_SEC: u32 = 1_000_000_000;

/// Seconds and nanoseconds since 1970-01-01T00:00:00Z.
///
/// Invariant: `nanos < 1_000_000_000`. Ordered by time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Timestamp {
    secs: u64,
    nanos: u32,
}

impl Timestamp {
    /// `secs` seconds plus `nanos` nanoseconds; nanoseconds of a second or
    /// more carry into `secs` (saturating at `u64::MAX` seconds).
    pub fn new(secs: u64, nanos: u32) -> Timestamp {
        Timestamp {
            secs: secs.saturating_add(u64::from(nanos / NANOS_PER_SEC)),
            nanos: nanos % NANOS_PER_SEC,
        }
    }

    /// `secs` seconds plus `micros` microseconds (carrying as [`Timestamp::new`]).
    pub fn from_micros(secs: u64, micros: u32) -> Timestamp {
        let carry = u64::from(micros / 1_000_000);
        Timestamp::new(secs.saturating_add(carry), (micros % 1_000_000) * 1_000)
    }

    /// Whole seconds since the epoch.
    pub fn secs(self) -> u64 {
        self.secs
    }

    /// Nanoseconds past [`secs`](Timestamp::secs), below one billion.
    pub fn nanos(self) -> u32 {
        self.nanos
    }

    /// Microseconds past [`secs`](Timestamp::secs), truncated.
    pub fn micros(self) -> u32 {
        self.nanos / 1_000
    }

    /// Suricata's fast.log form, `MM/DD/YYYY-HH:MM:SS.uuuuuu`, in UTC.
    pub fn fast_log(self) -> FastLogTime {
        FastLogTime(self)
    }

    /// Suricata's EVE form, `YYYY-MM-DDTHH:MM:SS.uuuuuu+0000`, in UTC.
    pub fn eve(self) -> EveTime {
        EveTime(self)
    }

    /// (year, month 1-12, day 1-31, hour, minute, second) in UTC.
    fn civil(self) -> (i64, u32, u32, u32, u32, u32) {
        // Seconds fit in i64 days; above ~2^63 s the date is nonsense anyway,
        // so clamp rather than overflow.
        let secs = self.secs.min(i64::MAX as u64);
        let days = (secs / 86_400) as i64;
        let rem = (secs % 86_400) as u32;
        let (y, m, d) = civil_from_days(days);
        (y, m, d, rem / 3600, (rem / 60) % 60, rem % 60)
    }
}

/// Days since 1970-01-01 to (year, month, day), after Howard Hinnant's
/// `civil_from_days` (public-domain algorithm description,
/// <https://howardhinnant.github.io/date_algorithms.html>).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11]
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32; // [1, 31]
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32; // [1, 12]
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Display adapter from [`Timestamp::fast_log`].
#[derive(Debug, Clone, Copy)]
pub struct FastLogTime(Timestamp);

impl fmt::Display for FastLogTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, mo, d, h, mi, s) = self.0.civil();
        write!(
            f,
            "{mo:02}/{d:02}/{y:04}-{h:02}:{mi:02}:{s:02}.{:06}",
            self.0.micros()
        )
    }
}

/// Display adapter from [`Timestamp::eve`].
#[derive(Debug, Clone, Copy)]
pub struct EveTime(Timestamp);

impl fmt::Display for EveTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, mo, d, h, mi, s) = self.0.civil();
        write!(
            f,
            "{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{:06}+0000",
            self.0.micros()
        )
    }
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn fast_log_matches_suricata_conformance_line() {
        // DetectEngineHttpRawUriTest02: tcpdump -tt says 1612510490.000003,
        // Suricata's fast.log says 02/05/2021-07:34:50.000003.
        let ts = Timestamp::from_micros(1_612_510_490, 3);
        assert_eq!(ts.fast_log().to_string(), "02/05/2021-07:34:50.000003");
        assert_eq!(ts.eve().to_string(), "2021-02-05T07:34:50.000003+0000");
    }

    #[test]
    fn epoch_leap_day_and_year_end() {
        assert_eq!(
            Timestamp::new(0, 0).fast_log().to_string(),
            "01/01/1970-00:00:00.000000"
        );
        // 2024-02-29T12:00:00Z = 1709208000
        assert_eq!(
            Timestamp::new(1_709_208_000, 999_999_999).eve().to_string(),
            "2024-02-29T12:00:00.999999+0000"
        );
        // 1999-12-31T23:59:59Z = 946684799
        assert_eq!(
            Timestamp::new(946_684_799, 0).fast_log().to_string(),
            "12/31/1999-23:59:59.000000"
        );
    }

    #[test]
    fn fractions_carry_into_seconds() {
        let t = Timestamp::from_micros(10, 2_500_000);
        assert_eq!((t.secs(), t.nanos()), (12, 500_000_000));
        let t = Timestamp::new(1, 3_000_000_001);
        assert_eq!((t.secs(), t.nanos()), (4, 1));
        let t = Timestamp::new(u64::MAX, 1_000_000_000);
        assert_eq!((t.secs(), t.nanos()), (u64::MAX, 0));
        assert_eq!(t.micros(), 0);
        // Clamped, not a panic.
        let _ = t.fast_log().to_string();
    }
}
