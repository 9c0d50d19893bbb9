//! `report --geoip`: a tiny MaxMind DB written here (IPv4 search tree,
//! 24-bit records, the MaxMind DB 2.0 data encoding, following the public
//! "MaxMind DB File Format Specification"), read back through the
//! `maxminddb` crate, and the report's source, country and AS tables over
//! the CERT Polska seed capture.

use std::net::IpAddr;
use std::path::PathBuf;
use std::process::Command;

use rulewire::capture::CaptureFile;
use rulewire::report::{GeoIp, Report, ReportOptions};

// ---- a minimal MaxMind DB writer ---------------------------------------

/// A value of the MaxMind DB data section.
enum Val {
    Str(&'static str),
    U16(u16),
    U32(u32),
    U64(u64),
    Map(Vec<(&'static str, Val)>),
    Arr(Vec<Val>),
}

/// Control byte (type in the top 3 bits, or 0 plus an extended type
/// byte), then the size (< 29 inline, else 29 + one byte).
fn control(out: &mut Vec<u8>, ty: u8, size: usize) {
    let (top, ext) = if ty <= 7 {
        (ty << 5, None)
    } else {
        (0, Some(ty - 7))
    };
    let inline = if size < 29 { size as u8 } else { 29 };
    out.push(top | inline);
    if let Some(e) = ext {
        out.push(e);
    }
    if size >= 29 {
        assert!(size < 29 + 256, "test strings stay short");
        out.push((size - 29) as u8);
    }
}

fn uint(out: &mut Vec<u8>, ty: u8, value: u64) {
    let bytes = value.to_be_bytes();
    let skip = bytes.iter().take_while(|&&b| b == 0).count();
    control(out, ty, 8 - skip);
    out.extend_from_slice(&bytes[skip..]);
}

fn encode(v: &Val, out: &mut Vec<u8>) {
    match v {
        Val::Str(s) => {
            control(out, 2, s.len());
            out.extend_from_slice(s.as_bytes());
        }
        Val::U16(n) => uint(out, 5, u64::from(*n)),
        Val::U32(n) => uint(out, 6, u64::from(*n)),
        Val::U64(n) => uint(out, 9, *n),
        Val::Map(pairs) => {
            control(out, 7, pairs.len());
            for (k, v) in pairs {
                encode(&Val::Str(k), out);
                encode(v, out);
            }
        }
        Val::Arr(items) => {
            control(out, 11, items.len());
            for v in items {
                encode(v, out);
            }
        }
    }
}

#[derive(Clone, Copy)]
enum Child {
    Empty,
    Node(usize),
    Data(usize),
}

/// An IPv4-only database mapping each (network, prefix length) to a
/// record. Networks must not nest.
fn mmdb(db_type: &'static str, entries: Vec<([u8; 4], u8, Val)>) -> Vec<u8> {
    let mut data = Vec::new();
    let mut nodes: Vec<[Child; 2]> = vec![[Child::Empty; 2]];
    for (net, prefix, val) in entries {
        let offset = data.len();
        encode(&val, &mut data);
        let addr = u32::from_be_bytes(net);
        let mut node = 0;
        for depth in 0..prefix {
            let bit = ((addr >> (31 - depth)) & 1) as usize;
            if depth + 1 == prefix {
                nodes[node][bit] = Child::Data(offset);
            } else {
                node = match nodes[node][bit] {
                    Child::Node(n) => n,
                    Child::Empty => {
                        nodes.push([Child::Empty; 2]);
                        nodes[node][bit] = Child::Node(nodes.len() - 1);
                        nodes.len() - 1
                    }
                    Child::Data(_) => panic!("nested networks"),
                };
            }
        }
    }
    let count = nodes.len();
    let mut out = Vec::new();
    for n in &nodes {
        for c in n {
            let record = match *c {
                Child::Empty => count,
                Child::Node(i) => i,
                Child::Data(off) => count + 16 + off,
            } as u32;
            out.extend_from_slice(&record.to_be_bytes()[1..]);
        }
    }
    out.extend_from_slice(&[0; 16]);
    out.extend_from_slice(&data);
    out.extend_from_slice(b"\xab\xcd\xefMaxMind.com");
    let meta = Val::Map(vec![
        ("binary_format_major_version", Val::U16(2)),
        ("binary_format_minor_version", Val::U16(0)),
        ("build_epoch", Val::U64(1_700_000_000)),
        ("database_type", Val::Str(db_type)),
        (
            "description",
            Val::Map(vec![("en", Val::Str("rulewire test"))]),
        ),
        ("ip_version", Val::U16(4)),
        ("languages", Val::Arr(vec![Val::Str("en")])),
        ("node_count", Val::U32(count as u32)),
        ("record_size", Val::U16(24)),
    ]);
    encode(&meta, &mut out);
    out
}

fn asn(n: u32, org: &'static str) -> Val {
    Val::Map(vec![
        ("autonomous_system_number", Val::U32(n)),
        ("autonomous_system_organization", Val::Str(org)),
    ])
}

fn country(code: &'static str) -> Val {
    Val::Map(vec![(
        "country",
        Val::Map(vec![("iso_code", Val::Str(code))]),
    )])
}

const CHINANET: &str = "CHINANET-BACKBONE No.31,Jin-rong Street";

/// CERT Polska's top five as host entries, and Ecatel's 89.248.160.0/19.
fn asn_db() -> Vec<u8> {
    mmdb(
        "GeoLite2-ASN",
        vec![
            ([118, 122, 188, 27], 32, asn(4134, CHINANET)),
            ([121, 14, 5, 100], 32, asn(4134, CHINANET)),
            (
                [184, 107, 227, 10],
                32,
                asn(32613, "IWEB-AS - iWeb Technologies Inc."),
            ),
            (
                [124, 74, 192, 107],
                32,
                asn(4812, "CHINANET-SH-AP China Telecom (Group)"),
            ),
            (
                [221, 194, 128, 145],
                32,
                asn(4837, "CHINA169-BACKBONE CNCGROUP China169 Backbone"),
            ),
            ([89, 248, 160, 0], 19, asn(29073, "Ecatel LTD")),
        ],
    )
}

fn country_db() -> Vec<u8> {
    mmdb(
        "GeoLite2-Country",
        vec![
            ([118, 122, 188, 27], 32, country("CN")),
            ([121, 14, 5, 100], 32, country("CN")),
            ([184, 107, 227, 10], 32, country("CA")),
            ([124, 74, 192, 107], 32, country("CN")),
            ([221, 194, 128, 145], 32, country("CN")),
            ([89, 248, 160, 0], 19, country("NL")),
        ],
    )
}

fn certpl() -> CaptureFile {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("pcaps/certpl-port0-wave.pcap");
    CaptureFile::open(&path).unwrap()
}

// ---- tests ---------------------------------------------------------------

#[test]
fn lookups_through_one_database() {
    let geo = GeoIp::from_bytes("asn.mmdb", asn_db()).unwrap();
    assert_eq!(geo.database_types(), vec!["GeoLite2-ASN".to_string()]);
    let hit = geo.lookup("118.122.188.27".parse().unwrap());
    assert_eq!(hit.asn, Some(4134));
    assert_eq!(hit.as_org.as_deref(), Some(CHINANET));
    assert_eq!(hit.country, None, "an ASN database has no country");
    // Inside the /19: 89.248.160.0 - 89.248.191.255.
    assert_eq!(
        geo.lookup("89.248.174.80".parse().unwrap()).asn,
        Some(29073)
    );
    assert_eq!(geo.lookup("89.248.192.1".parse().unwrap()).asn, None);
    assert_eq!(geo.lookup("118.122.188.28".parse().unwrap()).asn, None);
    // An IPv6 address in an IPv4-only database: no data, no failure.
    let v6: IpAddr = "2001:db8::1".parse().unwrap();
    assert_eq!(geo.lookup(v6), Default::default());
}

#[test]
fn two_databases_combine() {
    let dir = tempfile::tempdir().unwrap();
    let (a, c) = (dir.path().join("asn.mmdb"), dir.path().join("country.mmdb"));
    std::fs::write(&a, asn_db()).unwrap();
    std::fs::write(&c, country_db()).unwrap();
    let geo = GeoIp::open_all(&[&a, &c]).unwrap();
    let info = geo.lookup("184.107.227.10".parse().unwrap());
    assert_eq!(
        (info.asn, info.country.as_deref()),
        (Some(32613), Some("CA"))
    );
}

#[test]
fn report_with_geoip_cert_tables() {
    let dir = tempfile::tempdir().unwrap();
    let (a, c) = (dir.path().join("asn.mmdb"), dir.path().join("country.mmdb"));
    std::fs::write(&a, asn_db()).unwrap();
    std::fs::write(&c, country_db()).unwrap();
    let opts = ReportOptions {
        geoip: Some(GeoIp::open_all(&[&a, &c]).unwrap()),
        ..ReportOptions::default()
    };
    let r = Report::from_capture(&certpl(), &opts);
    let top = &r.sources.rows[0];
    assert_eq!(top.addr.to_string(), "118.122.188.27");
    assert_eq!(
        (top.count, top.asn, top.country.as_deref()),
        (576, Some(4134), Some("CN"))
    );
    assert_eq!(
        r.sources.rows[5].asn, None,
        "others are not in the database"
    );

    // CN: 576 + 72 + 24 + 18 from four sources; CA: 36 from one; the 225
    // other sources (239 packets) are unknown.
    let countries: Vec<(u64, u64, Option<&str>)> = r
        .countries
        .as_ref()
        .unwrap()
        .rows
        .iter()
        .map(|c| (c.count, c.sources, c.country.as_deref()))
        .collect();
    assert_eq!(
        countries,
        vec![(690, 4, Some("CN")), (239, 225, None), (36, 1, Some("CA"))]
    );
    let asns: Vec<(u64, u64, Option<u32>)> = r
        .asns
        .as_ref()
        .unwrap()
        .rows
        .iter()
        .map(|a| (a.count, a.sources, a.asn))
        .collect();
    assert_eq!(
        asns,
        vec![
            (648, 2, Some(4134)),
            (239, 225, None),
            (36, 1, Some(32613)),
            (24, 1, Some(4812)),
            (18, 1, Some(4837)),
        ]
    );
    assert_eq!(
        r.asns.as_ref().unwrap().rows[0].as_org.as_deref(),
        Some(CHINANET)
    );
    assert_eq!(r.geoip, vec!["GeoLite2-ASN", "GeoLite2-Country"]);

    let mut out = Vec::new();
    r.write_text(&mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains(&format!("576 | 118.122.188.27 | AS4134 | CN | {CHINANET}")));
    assert!(text.contains("690 | CN (4 sources)"));
}

#[test]
fn cli_geoip_flag() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("GeoLite2-ASN.mmdb");
    std::fs::write(&db, asn_db()).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_rulewire"))
        .args(["report", "--json", "-r"])
        .arg(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("pcaps/certpl-port0-wave.pcap"))
        .arg("--geoip")
        .arg(&db)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["sources"]["rows"][0]["asn"], 4134);
    assert_eq!(v["asns"]["rows"][0]["count"], 648);

    let bad = dir.path().join("not-a-db.mmdb");
    std::fs::write(&bad, b"hello").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_rulewire"))
        .args(["report", "-r"])
        .arg(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("pcaps/certpl-port0-wave.pcap"))
        .arg("--geoip")
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("not-a-db.mmdb"), "{err}");
}
