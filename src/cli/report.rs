//! `rulewire report -r FILE [--json] [--svg OUT] [--geoip DB]`: flags to
//! [`rulewire::report`] and back to the terminal. Nothing is counted here.
//!
//! Exit codes: 0 when the report was written (also when the capture ended
//! early with a read error: the report says so and a warning goes to
//! stderr); an `Err` (exit 2 from the dispatcher) when the capture or the
//! GeoIP database cannot be opened or an output cannot be written. A
//! closed stdout (`| head`) ends quietly with 0.

use std::io::{self, Write};

use rulewire::capture::CaptureFile;
use rulewire::report::{svg, GeoIp, Report, ReportOptions};

use super::args::ReportArgs;

/// Runs `rulewire report`; returns the exit code, or the message of a fatal
/// error.
pub fn run(args: &ReportArgs) -> Result<i32, String> {
    let file = CaptureFile::open(&args.read).map_err(|e| e.to_string())?;
    let mut options = ReportOptions::default();
    if let Some(db) = &args.geoip {
        options.geoip = Some(GeoIp::open(db).map_err(|e| e.to_string())?);
    }
    let report = Report::from_capture(&file, &options);
    if let Some(path) = &args.svg {
        std::fs::write(path, svg::render(&report))
            .map_err(|e| format!("{}: cannot write the SVG: {e}", path.display()))?;
    }
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let written = if args.json {
        report.write_json(&mut out)
    } else {
        report.write_text(&mut out)
    }
    .and_then(|()| out.flush());
    match written {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return Ok(0),
        Err(e) => return Err(format!("cannot write the report: {e}")),
        Ok(()) => {}
    }
    if let Some(e) = &report.capture_error {
        eprintln!("rulewire: warning: the capture ended early: {e}");
    }
    Ok(0)
}
