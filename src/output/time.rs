//! Packet timestamps as text, in the two forms Suricata 8 writes, and the
//! time zone they are written in.
//!
//! - fast.log: `MM/DD/YYYY-HH:MM:SS.uuuuuu` (Suricata's `CreateTimeString`);
//! - EVE: `YYYY-MM-DDTHH:MM:SS.uuuuuu+hhmm` (`CreateIsoTimeString`, strftime
//!   `%z` for the offset).
//!
//! Both print microseconds; nanoseconds are truncated, not rounded, as
//! Suricata does when it turns a capture time into its microsecond `SCTime_t`.
//!
//! **Time zone.** Suricata prints local time (`localtime_r`). We print UTC
//! unless the caller hands over another [`UtcOffset`], for example one read
//! from `TZ` with [`UtcOffset::from_tz`]. Only fixed offsets are supported
//! (`UTC`, `UTC0`, `EST5`, `<+0530>-5:30` ...), not zone files with daylight
//! saving rules: a named zone such as `Europe/Berlin` is refused, so the
//! caller can say so and keep UTC. The conformance files were written with
//! `TZ=UTC`, so UTC reproduces them.
//!
//! Formatting never allocates: the text lands in a [`TimeText`] on the stack.
//! Calendar dates use the proleptic Gregorian calendar for any `u64` second,
//! so no input can make this module panic.

/// A fixed offset east of UTC, in seconds (less than a day either way).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct UtcOffset {
    secs: i32,
}

/// Seconds in a day; offsets must be strictly inside (-DAY, DAY).
const DAY: i64 = 86_400;

impl UtcOffset {
    /// UTC itself: `+0000`.
    pub const UTC: UtcOffset = UtcOffset { secs: 0 };

    /// An offset of `secs` seconds east of UTC, or `None` when it is a day
    /// or more.
    pub fn from_seconds(secs: i32) -> Option<UtcOffset> {
        (i64::from(secs).abs() < DAY).then_some(UtcOffset { secs })
    }

    /// Seconds east of UTC.
    pub fn seconds(self) -> i32 {
        self.secs
    }

    /// The offset the `TZ` environment variable names: UTC when it is unset,
    /// `None` when it names something [`from_tz`](UtcOffset::from_tz) does
    /// not support (the caller should say so and use UTC).
    pub fn from_env() -> Option<UtcOffset> {
        match std::env::var("TZ") {
            Err(std::env::VarError::NotPresent) => Some(UtcOffset::UTC),
            Err(std::env::VarError::NotUnicode(_)) => None,
            Ok(tz) => UtcOffset::from_tz(&tz),
        }
    }

    /// The offset a `TZ` value names, when it names a fixed one.
    ///
    /// Accepted: empty (the C library's default, UTC), `UTC`, `GMT`,
    /// `Etc/UTC`, `Etc/GMT`, `Universal`, `Zulu` (each optionally after a
    /// `:`), and POSIX `std offset` without a daylight-saving part, where
    /// `std` is three or more letters or `<...>` and `offset` is
    /// `[+|-]hh[:mm[:ss]]` *west* of UTC (so `EST5` is UTC-5). Anything
    /// else (zone names, DST rules) gives `None`.
    pub fn from_tz(tz: &str) -> Option<UtcOffset> {
        let tz = tz.strip_prefix(':').unwrap_or(tz);
        if matches!(
            tz,
            "" | "UTC" | "GMT" | "Etc/UTC" | "Etc/GMT" | "Universal" | "Zulu" | "UCT"
        ) {
            return Some(UtcOffset::UTC);
        }
        let rest = if let Some(quoted) = tz.strip_prefix('<') {
            let end = quoted.find('>')?;
            if end < 3 {
                return None;
            }
            quoted.get(end + 1..)?
        } else {
            let name_len = tz.bytes().take_while(u8::is_ascii_alphabetic).count();
            if name_len < 3 {
                return None;
            }
            tz.get(name_len..)?
        };
        let west = parse_posix_offset(rest)?;
        UtcOffset::from_seconds(west.checked_neg()?)
    }
}

/// `[+|-]hh[:mm[:ss]]`, the whole string, as seconds (positive = west).
fn parse_posix_offset(s: &str) -> Option<i32> {
    let (sign, digits) = match s.as_bytes().first()? {
        b'+' => (1, s.get(1..)?),
        b'-' => (-1, s.get(1..)?),
        _ => (1, s),
    };
    let mut secs = 0i32;
    let mut parts = 0;
    for (i, part) in digits.split(':').enumerate() {
        if i > 2 || part.is_empty() || part.len() > 2 || !part.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let v: i32 = part.parse().ok()?;
        let (limit, unit) = match i {
            0 => (24, 3600),
            1 => (59, 60),
            _ => (59, 1),
        };
        if v > limit {
            return None;
        }
        secs += v * unit;
        parts += 1;
    }
    (parts > 0).then_some(sign * secs)
}

/// Hands `v`'s decimal digits to `push`, most significant first,
/// zero-padded to at least `width` digits (no allocation: the digits are
/// gathered on the stack).
pub(crate) fn push_decimal(v: u64, width: usize, mut push: impl FnMut(u8)) {
    // u64::MAX has 20 digits.
    let mut digits = [0u8; 20];
    let mut n = v;
    let mut len = 0;
    loop {
        if let Some(d) = digits.get_mut(len) {
            *d = b'0' + (n % 10) as u8;
        }
        len += 1;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for _ in len..width {
        push(b'0');
    }
    for &d in digits.iter().take(len).rev() {
        push(d);
    }
}

/// A formatted time, held on the stack. Long enough for any `u64` second
/// (a twelve-digit year) in either form.
#[derive(Clone, Copy)]
pub struct TimeText {
    buf: [u8; 48],
    len: usize,
}

impl TimeText {
    fn new() -> TimeText {
        TimeText {
            buf: [0; 48],
            len: 0,
        }
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        // Only ASCII digits and punctuation are ever pushed.
        std::str::from_utf8(self.as_bytes()).unwrap_or("ts-error")
    }

    /// The text as bytes.
    pub fn as_bytes(&self) -> &[u8] {
        self.buf.get(..self.len).unwrap_or(&[])
    }

    fn push(&mut self, b: u8) {
        if let Some(slot) = self.buf.get_mut(self.len) {
            *slot = b;
            self.len += 1;
        }
    }

    /// `v` in decimal, zero-padded to at least `width` digits.
    fn push_num(&mut self, v: u64, width: usize) {
        push_decimal(v, width, |b| self.push(b));
    }

    fn push_year(&mut self, year: i64, width: usize) {
        if year < 0 {
            self.push(b'-');
        }
        self.push_num(year.unsigned_abs(), width);
    }
}

impl std::fmt::Debug for TimeText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("TimeText").field(&self.as_str()).finish()
    }
}

impl std::fmt::Display for TimeText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A broken-down local time.
struct Civil {
    year: i64,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
}

fn civil(secs: u64, offset: UtcOffset) -> Civil {
    let local = i128::from(secs) + i128::from(offset.secs);
    let days = local.div_euclid(i128::from(DAY));
    let rem = local.rem_euclid(i128::from(DAY)) as u32; // in 0..86400
                                                        // |days| < 2^50 for any u64 second, so it fits an i64.
    let (year, month, day) = date_from_days(days as i64);
    Civil {
        year,
        month,
        day,
        hour: rem / 3600,
        minute: rem / 60 % 60,
        second: rem % 60,
    }
}

/// Days since 1970-01-01 to (year, month 1-12, day 1-31), proleptic
/// Gregorian. Works in 400-year eras of 146,097 days, with years starting on
/// March 1st so the leap day falls at the end of a year (the method Howard
/// Hinnant describes in "chrono-Compatible Low-Level Date Algorithms").
fn date_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468; // days since 0000-03-01
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // day of era, 0..146096
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365; // 0..399
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // day of March-year, 0..365
    let mp = (5 * doy + 2) / 153; // March = 0
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// fast.log's `MM/DD/YYYY-HH:MM:SS.uuuuuu` for `secs` + `nanos` since the
/// epoch, in `offset`'s time. Nanoseconds of a second or more are clamped.
pub fn fast_log_time(secs: u64, nanos: u32, offset: UtcOffset) -> TimeText {
    let c = civil(secs, offset);
    let mut t = TimeText::new();
    t.push_num(u64::from(c.month), 2);
    t.push(b'/');
    t.push_num(u64::from(c.day), 2);
    t.push(b'/');
    t.push_year(c.year, 2);
    t.push(b'-');
    push_clock(&mut t, &c, nanos);
    t
}

/// EVE's `YYYY-MM-DDTHH:MM:SS.uuuuuu+hhmm` for `secs` + `nanos` since the
/// epoch, in `offset`'s time.
pub fn eve_time(secs: u64, nanos: u32, offset: UtcOffset) -> TimeText {
    let c = civil(secs, offset);
    let mut t = TimeText::new();
    t.push_year(c.year, 4);
    t.push(b'-');
    t.push_num(u64::from(c.month), 2);
    t.push(b'-');
    t.push_num(u64::from(c.day), 2);
    t.push(b'T');
    push_clock(&mut t, &c, nanos);
    let off = offset.secs;
    t.push(if off < 0 { b'-' } else { b'+' });
    let abs = u64::from(off.unsigned_abs());
    t.push_num(abs / 3600, 2);
    t.push_num(abs / 60 % 60, 2);
    t
}

fn push_clock(t: &mut TimeText, c: &Civil, nanos: u32) {
    t.push_num(u64::from(c.hour), 2);
    t.push(b':');
    t.push_num(u64::from(c.minute), 2);
    t.push(b':');
    t.push_num(u64::from(c.second), 2);
    t.push(b'.');
    t.push_num(u64::from(nanos.min(999_999_999) / 1_000), 6);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fast(secs: u64, nanos: u32) -> String {
        fast_log_time(secs, nanos, UtcOffset::UTC)
            .as_str()
            .to_owned()
    }

    fn eve(secs: u64, nanos: u32) -> String {
        eve_time(secs, nanos, UtcOffset::UTC).as_str().to_owned()
    }

    #[test]
    fn epoch() {
        assert_eq!(fast(0, 0), "01/01/1970-00:00:00.000000");
        assert_eq!(eve(0, 0), "1970-01-01T00:00:00.000000+0000");
    }

    #[test]
    fn conformance_example() {
        // 2021-02-05 = 18663 days after the epoch (51 years, 13 leap days:
        // 51*365 + 13 = 18628, plus January's 31 and 4 days of February).
        // 18663*86400 = 1612483200; +07:34:50 = 27290 s -> 1612510490.
        assert_eq!(fast(1_612_510_490, 3_000), "02/05/2021-07:34:50.000003");
    }

    #[test]
    fn leap_days() {
        // 2000-02-29 (a 400-year leap year): 11016 days * 86400.
        // 30 years from 1970 = 10950 days + 7 leap days (72..96) = 10957
        // days to 2000-01-01; + 31 + 28 = 11016.
        assert_eq!(fast(951_782_400, 0), "02/29/2000-00:00:00.000000");
        // One second before: 1999-... no, 2000-02-28T23:59:59.
        assert_eq!(eve(951_782_399, 0), "2000-02-28T23:59:59.000000+0000");
        // 2000-03-01 is a day after the 29th.
        assert_eq!(fast(951_868_800, 0), "03/01/2000-00:00:00.000000");
        // 2024-02-29: 2024-01-01 = 19723 days (54 years * 365 = 19710 + 13
        // leap days 1972..2020); + 31 + 28 = 19782 days = 1709164800 s.
        assert_eq!(eve(1_709_164_800, 0), "2024-02-29T00:00:00.000000+0000");
        // 2100 is not a leap year: 2100-03-01 follows 2100-02-28.
        // 2100-01-01 = 47482 days (130*365 = 47450 + 32 leap days 1972..2096);
        // + 31 + 27 = 47540 -> 2100-02-28 = 4107456000 s.
        assert_eq!(fast(4_107_456_000, 0), "02/28/2100-00:00:00.000000");
        assert_eq!(
            fast(4_107_456_000 + 86_400, 0),
            "03/01/2100-00:00:00.000000"
        );
    }

    #[test]
    fn year_end_and_u32_limit() {
        // 1999-12-31T23:59:59 = 946684800 - 1.
        assert_eq!(
            eve(946_684_799, 999_999_999),
            "1999-12-31T23:59:59.999999+0000"
        );
        // The last second a classic pcap can hold: 2106-02-07T06:28:15.
        assert_eq!(
            eve(u64::from(u32::MAX), 0),
            "2106-02-07T06:28:15.000000+0000"
        );
    }

    #[test]
    fn nanos_are_truncated_to_micros() {
        assert_eq!(fast(0, 999), "01/01/1970-00:00:00.000000");
        assert_eq!(fast(0, 1_999), "01/01/1970-00:00:00.000001");
        assert_eq!(fast(0, 123_456_789), "01/01/1970-00:00:00.123456");
        assert_eq!(fast(0, 999_999_999), "01/01/1970-00:00:00.999999");
        // Out-of-range nanoseconds clamp instead of printing seven digits.
        assert_eq!(fast(0, u32::MAX), "01/01/1970-00:00:00.999999");
    }

    #[test]
    fn huge_seconds_do_not_panic() {
        let t = eve(u64::MAX, 0);
        assert!(t.ends_with("+0000"), "{t}");
        let t = fast(u64::MAX, 0);
        assert!(t.contains('-'), "{t}");
    }

    #[test]
    fn offsets_shift_the_clock_and_print_in_eve() {
        let ist = UtcOffset::from_seconds(5 * 3600 + 1800).unwrap();
        assert_eq!(
            eve_time(0, 0, ist).as_str(),
            "1970-01-01T05:30:00.000000+0530"
        );
        let est = UtcOffset::from_seconds(-5 * 3600).unwrap();
        assert_eq!(
            eve_time(0, 0, est).as_str(),
            "1969-12-31T19:00:00.000000-0500"
        );
        assert_eq!(
            fast_log_time(0, 0, est).as_str(),
            "12/31/1969-19:00:00.000000"
        );
        assert!(UtcOffset::from_seconds(86_400).is_none());
        assert!(UtcOffset::from_seconds(-86_400).is_none());
    }

    #[test]
    fn tz_strings() {
        for utc in [
            "", "UTC", ":UTC", "GMT", "Etc/UTC", "UTC0", "GMT+0", "UTC-0",
        ] {
            assert_eq!(UtcOffset::from_tz(utc), Some(UtcOffset::UTC), "{utc:?}");
        }
        assert_eq!(
            UtcOffset::from_tz("EST5").map(UtcOffset::seconds),
            Some(-18_000)
        );
        assert_eq!(
            UtcOffset::from_tz("JST-9").map(UtcOffset::seconds),
            Some(32_400)
        );
        assert_eq!(
            UtcOffset::from_tz("<+0530>-5:30").map(UtcOffset::seconds),
            Some(19_800)
        );
        assert_eq!(
            UtcOffset::from_tz("XYZ+1:02:03").map(UtcOffset::seconds),
            Some(-3723)
        );
        // Zone files and DST rules are not supported.
        for bad in [
            "Europe/Berlin",
            "EST5EDT",
            "CET-1CEST",
            "EST",
            "E5",
            "EST25",
            "EST5:60",
        ] {
            assert_eq!(UtcOffset::from_tz(bad), None, "{bad:?}");
        }
    }
}
