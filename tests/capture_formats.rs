//! Hand-made capture files, byte by byte, against the reader: pcap in both
//! byte orders and both precisions, the modified format, pcapng with several
//! interfaces, resolutions, sections and block kinds, and every error the
//! reader promises (truncation, garbage, absurd lengths).
//!
//! The byte builders below write fields with `to_le_bytes`/`to_be_bytes`
//! straight from the format specifications; they share no code with the
//! reader or with `PcapWriter`.

use rulewire::capture::{
    fuzz_pcap_reader, CaptureErrorKind, CaptureFile, CaptureFormat, CaptureSlice, LinkType,
    RawPacket, MAX_CAPLEN,
};

// ---------- byte builders ----------

fn u16b(v: u16, be: bool) -> [u8; 2] {
    if be {
        v.to_be_bytes()
    } else {
        v.to_le_bytes()
    }
}

fn u32b(v: u32, be: bool) -> [u8; 4] {
    if be {
        v.to_be_bytes()
    } else {
        v.to_le_bytes()
    }
}

/// A pcap file header: `magic` written in the file's byte order.
fn pcap_header(magic: u32, be: bool, snaplen: u32, linktype: u32) -> Vec<u8> {
    let mut v = Vec::new();
    v.extend(u32b(magic, be));
    v.extend(u16b(2, be));
    v.extend(u16b(4, be));
    v.extend(u32b(0, be)); // thiszone
    v.extend(u32b(0, be)); // sigfigs
    v.extend(u32b(snaplen, be));
    v.extend(u32b(linktype, be));
    v
}

/// A pcap record header (16 bytes) followed by `data`.
fn pcap_record(be: bool, secs: u32, frac: u32, caplen: u32, orig: u32, data: &[u8]) -> Vec<u8> {
    let mut v = Vec::new();
    for f in [secs, frac, caplen, orig] {
        v.extend(u32b(f, be));
    }
    v.extend_from_slice(data);
    v
}

fn pad4(v: &mut Vec<u8>) {
    while v.len() % 4 != 0 {
        v.push(0);
    }
}

/// A pcapng block: type, total length, body (padded), total length.
fn ng_block(be: bool, block_type: u32, body: &[u8]) -> Vec<u8> {
    let mut b = body.to_vec();
    pad4(&mut b);
    let len = 12 + b.len() as u32;
    let mut v = Vec::new();
    v.extend(u32b(block_type, be));
    v.extend(u32b(len, be));
    v.extend(b);
    v.extend(u32b(len, be));
    v
}

fn shb(be: bool) -> Vec<u8> {
    let mut body = Vec::new();
    body.extend(u32b(0x1A2B_3C4D, be));
    body.extend(u16b(1, be));
    body.extend(u16b(0, be));
    body.extend(if be {
        (-1i64).to_be_bytes()
    } else {
        (-1i64).to_le_bytes()
    });
    ng_block(be, 0x0A0D_0D0A, &body)
}

/// An option: code, length, value padded to 4.
fn ng_option(be: bool, code: u16, value: &[u8]) -> Vec<u8> {
    let mut v = Vec::new();
    v.extend(u16b(code, be));
    v.extend(u16b(value.len() as u16, be));
    v.extend_from_slice(value);
    pad4(&mut v);
    v
}

/// An IDB; `tsresol`/`tsoffset` become options when given.
fn idb(
    be: bool,
    linktype: u16,
    snaplen: u32,
    tsresol: Option<u8>,
    tsoffset: Option<i64>,
) -> Vec<u8> {
    let mut body = Vec::new();
    body.extend(u16b(linktype, be));
    body.extend(u16b(0, be));
    body.extend(u32b(snaplen, be));
    if let Some(r) = tsresol {
        body.extend(ng_option(be, 9, &[r]));
    }
    if let Some(o) = tsoffset {
        let b = if be { o.to_be_bytes() } else { o.to_le_bytes() };
        body.extend(ng_option(be, 14, &b));
    }
    if tsresol.is_some() || tsoffset.is_some() {
        body.extend(ng_option(be, 0, &[])); // opt_endofopt
    }
    ng_block(be, 1, &body)
}

/// An EPB on `if_id` at `units` timestamp units.
fn epb(be: bool, if_id: u32, units: u64, data: &[u8], orig: u32) -> Vec<u8> {
    let mut body = Vec::new();
    body.extend(u32b(if_id, be));
    body.extend(u32b((units >> 32) as u32, be));
    body.extend(u32b(units as u32, be));
    body.extend(u32b(data.len() as u32, be));
    body.extend(u32b(orig, be));
    body.extend_from_slice(data);
    ng_block(be, 6, &body)
}

fn spb(be: bool, data: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    body.extend(u32b(data.len() as u32, be));
    body.extend_from_slice(data);
    ng_block(be, 3, &body)
}

fn opb(be: bool, if_id: u16, units: u64, data: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    body.extend(u16b(if_id, be));
    body.extend(u16b(0, be)); // drops
    body.extend(u32b((units >> 32) as u32, be));
    body.extend(u32b(units as u32, be));
    body.extend(u32b(data.len() as u32, be));
    body.extend(u32b(data.len() as u32, be));
    body.extend_from_slice(data);
    ng_block(be, 2, &body)
}

// ---------- helpers over the reader ----------

/// All packets and the final error (if any) of `bytes`.
fn read(bytes: &[u8]) -> (Vec<RawPacket<'_>>, Option<rulewire::capture::CaptureError>) {
    let slice = CaptureSlice::new(bytes).expect("header parses");
    let mut ok = Vec::new();
    let mut err = None;
    let mut it = slice.packets();
    for item in it.by_ref() {
        match item {
            Ok(p) => ok.push(p),
            Err(e) => {
                assert!(err.is_none(), "two errors");
                err = Some(e);
            }
        }
    }
    assert!(it.next().is_none(), "iterator stays ended");
    fuzz_pcap_reader(bytes);
    (ok, err)
}

fn ts(p: &RawPacket<'_>) -> (u64, u32) {
    (p.ts.secs(), p.ts.nanos())
}

const P1: &[u8] = &[0xde, 0xad, 0xbe, 0xef, 0x01];
const P2: &[u8] = &[0x45, 0x00, 0x00, 0x14, 0x00, 0x00, 0x40, 0x00];

// ---------- pcap ----------

fn two_packet_pcap(magic: u32, be: bool) -> Vec<u8> {
    let mut f = pcap_header(magic, be, 65535, 1);
    f.extend(pcap_record(be, 1_600_000_000, 250, 5, 60, P1));
    f.extend(pcap_record(be, 1_600_000_001, 999_999, 8, 8, P2));
    f
}

#[test]
fn pcap_little_endian_microseconds() {
    let f = two_packet_pcap(0xa1b2_c3d4, false);
    assert_eq!(&f[..4], &[0xd4, 0xc3, 0xb2, 0xa1]);
    let (p, err) = read(&f);
    assert!(err.is_none());
    assert_eq!(p.len(), 2);
    assert_eq!(
        (p[0].index, p[0].data, p[0].orig_len, p[0].linktype),
        (1, P1, 60, LinkType::ETHERNET)
    );
    assert_eq!(ts(&p[0]), (1_600_000_000, 250_000));
    assert_eq!((p[1].index, p[1].data, p[1].orig_len), (2, P2, 8));
    assert_eq!(ts(&p[1]), (1_600_000_001, 999_999_000));
    assert_eq!(
        CaptureSlice::new(&f).unwrap().format(),
        CaptureFormat::Pcap {
            nanosecond: false,
            big_endian: false,
            modified: false,
            linktype: LinkType::ETHERNET,
            snaplen: 65535
        }
    );
}

#[test]
fn pcap_big_endian_microseconds() {
    let f = two_packet_pcap(0xa1b2_c3d4, true);
    assert_eq!(&f[..4], &[0xa1, 0xb2, 0xc3, 0xd4]);
    let (p, err) = read(&f);
    assert!(err.is_none());
    assert_eq!(p.len(), 2);
    assert_eq!((p[0].data, p[0].orig_len), (P1, 60));
    assert_eq!(ts(&p[0]), (1_600_000_000, 250_000));
    assert_eq!(ts(&p[1]), (1_600_000_001, 999_999_000));
    assert!(matches!(
        CaptureSlice::new(&f).unwrap().format(),
        CaptureFormat::Pcap {
            big_endian: true,
            nanosecond: false,
            ..
        }
    ));
}

#[test]
fn pcap_nanoseconds_both_byte_orders() {
    for be in [false, true] {
        let f = two_packet_pcap(0xa1b2_3c4d, be);
        let (p, err) = read(&f);
        assert!(err.is_none());
        assert_eq!(ts(&p[0]), (1_600_000_000, 250), "be={be}");
        assert_eq!(ts(&p[1]), (1_600_000_001, 999_999), "be={be}");
        assert!(matches!(
            CaptureSlice::new(&f).unwrap().format(),
            CaptureFormat::Pcap {
                nanosecond: true,
                ..
            }
        ));
    }
}

#[test]
fn pcap_modified_format_has_24_byte_records() {
    let mut f = pcap_header(0xa1b2_cd34, false, 65535, 101);
    // 16-byte classic header + ifindex(4) protocol(2) pkt_type(1) pad(1).
    f.extend(pcap_record(false, 7, 3, 8, 8, &[]));
    f.extend([2, 0, 0, 0, 0x08, 0x00, 0, 0]);
    f.extend(P2);
    let (p, err) = read(&f);
    assert!(err.is_none());
    assert_eq!(p.len(), 1);
    assert_eq!((p[0].data, p[0].linktype), (P2, LinkType::RAW));
    assert_eq!(ts(&p[0]), (7, 3_000));
}

#[test]
fn pcap_fraction_of_a_second_or_more_carries() {
    let mut f = pcap_header(0xa1b2_c3d4, false, 0, 1);
    f.extend(pcap_record(false, 10, 1_500_000, 1, 1, &[9]));
    let (p, _) = read(&f);
    assert_eq!(ts(&p[0]), (11, 500_000_000));
}

#[test]
fn zero_length_packet_is_yielded() {
    let mut f = pcap_header(0xa1b2_c3d4, false, 65535, 1);
    f.extend(pcap_record(false, 1, 0, 0, 0, &[]));
    f.extend(pcap_record(false, 2, 0, 5, 5, P1));
    let (p, err) = read(&f);
    assert!(err.is_none());
    assert_eq!(p.len(), 2);
    assert_eq!((p[0].index, p[0].data.len(), p[0].orig_len), (1, 0, 0));
    assert_eq!((p[1].index, p[1].data), (2, P1));
}

// ---------- pcap errors ----------

#[test]
fn truncated_file_header() {
    let f = two_packet_pcap(0xa1b2_c3d4, false);
    for cut in [0usize, 3, 4, 10, 23] {
        let e = CaptureSlice::new(&f[..cut]).unwrap_err();
        match e.kind() {
            CaptureErrorKind::TruncatedFileHeader { needed, available } => {
                assert_eq!((*needed, *available), (24, cut), "cut {cut}");
            }
            k => panic!("cut {cut}: {k:?}"),
        }
        assert_eq!(e.packet_index(), None);
        fuzz_pcap_reader(&f[..cut]);
    }
}

#[test]
fn garbage_magic() {
    let f = b"GET / HTTP/1.1\r\nHost: example.com\r\n\r\n";
    let e = CaptureSlice::new(f).unwrap_err();
    assert_eq!(e.kind(), &CaptureErrorKind::UnknownMagic(0x2054_4547)); // "GET " LE
    assert_eq!(
        e.to_string(),
        "not a pcap or pcapng file (magic number 0x20544547)"
    );
}

#[test]
fn truncated_packet_record_names_index_and_offset() {
    // Record 1: 24..45 (16 + 5), record 2: 45..69 (16 + 8), record 3 from 69.
    let mut f = two_packet_pcap(0xa1b2_c3d4, false);
    f.extend(pcap_record(false, 3, 0, 8, 8, P2));
    assert_eq!(f.len(), 93);
    // Cut inside record 3's data: two packets, then the error for packet 3.
    let (p, err) = read(&f[..90]);
    assert_eq!(p.len(), 2);
    let e = err.expect("an error");
    assert_eq!((e.packet_index(), e.byte_offset()), (Some(3), Some(69)));
    assert_eq!(
        e.kind(),
        &CaptureErrorKind::TruncatedRecord {
            needed: 24,
            available: 21
        }
    );
    assert_eq!(
        e.to_string(),
        "packet 3 at byte offset 69: truncated packet record: need 24 bytes, 21 left in file"
    );
    // Cut inside record 3's 16-byte header.
    let (p, err) = read(&f[..75]);
    assert_eq!(p.len(), 2);
    let e = err.expect("an error");
    assert_eq!(
        e.kind(),
        &CaptureErrorKind::TruncatedRecord {
            needed: 16,
            available: 6
        }
    );
    assert_eq!(e.packet_index(), Some(3));
}

#[test]
fn every_truncation_yields_the_whole_records_before_it() {
    let mut f = two_packet_pcap(0xa1b2_c3d4, false);
    f.extend(pcap_record(false, 3, 0, 8, 8, P2));
    let ends = [45usize, 69, 93]; // where records 1, 2, 3 end
    for cut in 24..=f.len() {
        let (p, err) = read(&f[..cut]);
        let whole = ends.iter().filter(|&&e| e <= cut).count();
        assert_eq!(p.len(), whole, "cut {cut}");
        let clean = cut == 24 || ends.contains(&cut);
        assert_eq!(err.is_none(), clean, "cut {cut}");
        if let Some(e) = err {
            assert_eq!(e.packet_index(), Some(whole as u64 + 1), "cut {cut}");
        }
    }
}

#[test]
fn caplen_above_snaplen_is_cut_to_snaplen_as_libpcap_does() {
    let data: Vec<u8> = (0..100u8).collect();
    let mut f = pcap_header(0xa1b2_c3d4, false, 64, 1);
    f.extend(pcap_record(false, 1, 0, 100, 1500, &data));
    f.extend(pcap_record(false, 2, 0, 5, 5, P1));
    let (p, err) = read(&f);
    assert!(err.is_none());
    assert_eq!(p.len(), 2);
    assert_eq!(p[0].data, &data[..64]);
    assert_eq!(p[0].orig_len, 1500);
    assert_eq!(
        p[1].data, P1,
        "the record after the cut one is read in full"
    );
}

#[test]
fn absurd_caplen_is_an_error_not_an_allocation() {
    let mut f = two_packet_pcap(0xa1b2_c3d4, false);
    // Record 3 claims 4 MiB (conformance bug-1450-02 has 4325376).
    f.extend(pcap_record(false, 3, 0, 4_325_376, 4_325_376, &[0; 40]));
    let (p, err) = read(&f);
    assert_eq!(p.len(), 2);
    let e = err.expect("error");
    assert_eq!(
        e.kind(),
        &CaptureErrorKind::CapLenTooLarge {
            caplen: 4_325_376,
            limit: MAX_CAPLEN
        }
    );
    assert_eq!(e.packet_index(), Some(3));
    assert_eq!(e.byte_offset(), Some(69));

    // Just above the limit, with every byte present: still an error.
    let big = vec![0u8; MAX_CAPLEN as usize + 1];
    let mut f = pcap_header(0xa1b2_c3d4, false, 0, 1);
    f.extend(pcap_record(
        false,
        1,
        0,
        MAX_CAPLEN + 1,
        MAX_CAPLEN + 1,
        &big,
    ));
    let (p, err) = read(&f);
    assert!(p.is_empty());
    assert!(matches!(
        err.unwrap().kind(),
        CaptureErrorKind::CapLenTooLarge { caplen, .. } if *caplen == MAX_CAPLEN + 1
    ));

    // At the limit: accepted.
    let mut f = pcap_header(0xa1b2_c3d4, false, 0, 1);
    f.extend(pcap_record(false, 1, 0, MAX_CAPLEN, MAX_CAPLEN, &big[1..]));
    let (p, err) = read(&f);
    assert!(err.is_none());
    assert_eq!(p[0].data.len(), MAX_CAPLEN as usize);
}

#[test]
fn link_type_above_16_bits_is_refused_and_fcs_bits_are_ignored() {
    let f = pcap_header(0xa1b2_c3d4, false, 0, 0x0001_0001);
    assert_eq!(
        CaptureSlice::new(&f).unwrap_err().kind(),
        &CaptureErrorKind::UnsupportedLinkType(0x0001_0001)
    );
    // LT_FCS_DATALINK_EXT: FCS length 4 in bits 28..31, flag bit 26.
    let f = pcap_header(0xa1b2_c3d4, false, 0, 0x4400_0001);
    assert!(matches!(
        CaptureSlice::new(&f).unwrap().format(),
        CaptureFormat::Pcap {
            linktype: LinkType::ETHERNET,
            ..
        }
    ));
}

// ---------- pcapng ----------

/// Section with two interfaces: 0 = Ethernet at the default microseconds,
/// 1 = raw IP at milliseconds (if_tsresol 3), snaplen 4. Then: EPB on 1, an
/// unknown block, EPB on 0, SPB (interface 0), OPB on 1, an ISB.
fn two_interface_ng(be: bool) -> Vec<u8> {
    let mut f = shb(be);
    f.extend(idb(be, 1, 0, None, None));
    f.extend(idb(be, 101, 4, Some(3), None));
    f.extend(epb(be, 1, 1_700_000_000_123, P1, 5));
    f.extend(ng_block(be, 0x0000_0BAD, &[1, 2, 3, 4, 5, 6, 7, 8]));
    f.extend(epb(be, 0, 1_600_000_000_000_001, P2, 60));
    f.extend(spb(be, P1));
    f.extend(opb(be, 1, 42_999, &P2[..3]));
    f.extend(ng_block(be, 5, &[0; 20]));
    f
}

fn check_two_interface_ng(f: &[u8]) {
    let (p, err) = read(f);
    assert!(err.is_none(), "{err:?}");
    assert_eq!(p.len(), 4);
    assert_eq!(p.iter().map(|p| p.index).collect::<Vec<_>>(), [1, 2, 3, 4]);
    // EPB on interface 1: raw, cut to snaplen 4, milliseconds.
    assert_eq!(
        (p[0].linktype, p[0].data, p[0].orig_len),
        (LinkType::RAW, &P1[..4], 5)
    );
    assert_eq!(ts(&p[0]), (1_700_000_000, 123_000_000));
    // EPB on interface 0: Ethernet, microseconds.
    assert_eq!(
        (p[1].linktype, p[1].data, p[1].orig_len),
        (LinkType::ETHERNET, P2, 60)
    );
    assert_eq!(ts(&p[1]), (1_600_000_000, 1_000));
    // SPB: interface 0, no timestamp, padding not included.
    assert_eq!(
        (p[2].linktype, p[2].data, p[2].orig_len),
        (LinkType::ETHERNET, P1, 5)
    );
    assert_eq!(ts(&p[2]), (0, 0));
    // OPB on interface 1.
    assert_eq!((p[3].linktype, p[3].data), (LinkType::RAW, &P2[..3]));
    assert_eq!(ts(&p[3]), (42, 999_000_000));
}

#[test]
fn pcapng_two_interfaces_little_endian() {
    let f = two_interface_ng(false);
    assert_eq!(
        CaptureSlice::new(&f).unwrap().format(),
        CaptureFormat::PcapNg { big_endian: false }
    );
    check_two_interface_ng(&f);
}

#[test]
fn pcapng_two_interfaces_big_endian() {
    let f = two_interface_ng(true);
    assert_eq!(
        CaptureSlice::new(&f).unwrap().format(),
        CaptureFormat::PcapNg { big_endian: true }
    );
    check_two_interface_ng(&f);
}

#[test]
fn pcapng_binary_resolution_and_offset() {
    let mut f = shb(false);
    // 2^-10 s units.
    f.extend(idb(false, 1, 0, Some(0x80 | 10), None));
    // Seconds units, offset one billion seconds.
    f.extend(idb(false, 1, 0, Some(0), Some(1_000_000_000)));
    // Nanoseconds, offset -5 s.
    f.extend(idb(false, 1, 0, Some(9), Some(-5)));
    f.extend(epb(false, 0, 5 * 1024 + 512, P1, 5));
    f.extend(epb(false, 1, 7, P1, 5));
    f.extend(epb(false, 2, 10_000_000_007, P1, 5));
    let (p, err) = read(&f);
    assert!(err.is_none(), "{err:?}");
    assert_eq!(ts(&p[0]), (5, 500_000_000));
    assert_eq!(ts(&p[1]), (1_000_000_007, 0));
    assert_eq!(ts(&p[2]), (5, 7));
}

#[test]
fn pcapng_sections_reset_interfaces_and_byte_order() {
    let mut f = shb(false);
    f.extend(idb(false, 1, 0, None, None));
    f.extend(idb(false, 113, 0, None, None));
    f.extend(epb(false, 1, 1_000_000, P1, 5));
    // Section 2, big-endian, one interface (raw IPv4).
    f.extend(shb(true));
    f.extend(idb(true, 228, 0, None, None));
    f.extend(epb(true, 0, 2_000_000, P2, 8));
    let off = f.len() as u64;
    // Interface 1 existed in section 1 only.
    f.extend(epb(true, 1, 3_000_000, P2, 8));
    let (p, err) = read(&f);
    assert_eq!(p.len(), 2);
    assert_eq!((p[0].linktype, ts(&p[0])), (LinkType::LINUX_SLL, (1, 0)));
    assert_eq!((p[1].linktype, ts(&p[1])), (LinkType::IPV4, (2, 0)));
    let e = err.expect("unknown interface");
    assert_eq!(
        e.kind(),
        &CaptureErrorKind::UnknownInterface {
            interface_id: 1,
            described: 1
        }
    );
    assert_eq!((e.packet_index(), e.byte_offset()), (Some(3), Some(off)));
}

#[test]
fn pcapng_truncated_block_names_packet_and_offset() {
    let f = two_interface_ng(false);
    // Block offsets: SHB 28, IDB 20, IDB 32 (two options + end), EPB 1 at 80.
    let epb1_at = 28 + 20 + 32;
    assert_eq!(&f[epb1_at..epb1_at + 4], &[6, 0, 0, 0]);
    let (p, err) = read(&f[..epb1_at + 30]);
    assert!(p.is_empty());
    let e = err.unwrap();
    assert_eq!(
        (e.packet_index(), e.byte_offset()),
        (Some(1), Some(epb1_at as u64))
    );
    assert_eq!(
        e.kind(),
        &CaptureErrorKind::TruncatedRecord {
            needed: 40,
            available: 30
        }
    );
    // Every cut gives no panic, the packets whose blocks are whole, and at
    // most one error.
    for cut in 28..f.len() {
        let (p, _) = read(&f[..cut]);
        assert!(p.len() <= 4);
    }
}

#[test]
fn pcapng_malformed_blocks() {
    // EPB whose caplen runs past its block.
    let mut f = shb(false);
    f.extend(idb(false, 1, 0, None, None));
    let mut bad = epb(false, 0, 0, P1, 5);
    bad[20..24].copy_from_slice(&9u32.to_le_bytes()); // caplen 9 > 8 bytes of body
    f.extend(bad);
    let (_, err) = read(&f);
    assert!(matches!(
        err.unwrap().kind(),
        CaptureErrorKind::MalformedBlock { block_type: 6, .. }
    ));

    // Block length 8 (< 12): malformed, no loop.
    let mut f = shb(false);
    f.extend([0x99, 0, 0, 0, 8, 0, 0, 0, 8, 0, 0, 0]);
    let (_, err) = read(&f);
    let e = err.unwrap();
    assert!(
        matches!(
            e.kind(),
            CaptureErrorKind::MalformedBlock {
                block_type: 0x99,
                ..
            }
        ),
        "{e}"
    );

    // EPB absurd caplen.
    let mut f = shb(false);
    f.extend(idb(false, 1, 0, None, None));
    let mut bad = epb(false, 0, 0, P1, 5);
    bad[20..24].copy_from_slice(&(MAX_CAPLEN + 1).to_le_bytes());
    f.extend(bad);
    let (_, err) = read(&f);
    assert!(matches!(
        err.unwrap().kind(),
        CaptureErrorKind::CapLenTooLarge { .. }
    ));

    // if_tsresol 10^20 does not fit 64 bits.
    let mut f = shb(false);
    f.extend(idb(false, 1, 0, Some(20), None));
    let (_, err) = read(&f);
    assert!(matches!(
        err.unwrap().kind(),
        CaptureErrorKind::MalformedBlock { block_type: 1, reason } if reason.contains("tsresol")
    ));

    // Packet before any interface.
    let mut f = shb(false);
    f.extend(spb(false, P1));
    let (_, err) = read(&f);
    assert!(matches!(
        err.unwrap().kind(),
        CaptureErrorKind::UnknownInterface {
            interface_id: 0,
            described: 0
        }
    ));
}

#[test]
fn pcapng_bad_header() {
    // Too short for a section header.
    let f = shb(false);
    let e = CaptureSlice::new(&f[..20]).unwrap_err();
    assert!(matches!(
        e.kind(),
        CaptureErrorKind::TruncatedFileHeader {
            needed: 28,
            available: 20
        }
    ));
    // Bad byte-order magic.
    let mut f = shb(false);
    f[8..12].copy_from_slice(&[1, 2, 3, 4]);
    let e = CaptureSlice::new(&f).unwrap_err();
    assert!(
        matches!(e.kind(), CaptureErrorKind::MalformedBlock { .. }),
        "{e}"
    );
}

// ---------- files ----------

#[test]
fn open_maps_a_file_and_names_it_in_errors() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cut.pcap");
    let mut f = two_packet_pcap(0xa1b2_c3d4, false);
    f.extend_from_slice(&[1, 2, 3]);
    std::fs::write(&path, &f).unwrap();
    let file = CaptureFile::open(&path).unwrap();
    assert_eq!(file.bytes(), &f[..]);
    assert_eq!(file.path(), Some(path.as_path()));
    let items: Vec<_> = file.packets().collect();
    assert_eq!(items.len(), 3);
    assert_eq!(items[1].as_ref().unwrap().data, P2);
    let e = items[2].as_ref().unwrap_err();
    assert_eq!(e.path(), Some(path.as_path()));
    assert!(e
        .to_string()
        .starts_with(&format!("{}: packet 3 at byte offset 69", path.display())));

    // Same bytes from memory: same packets.
    let mem = CaptureFile::from_bytes(f.clone()).unwrap();
    assert_eq!(mem.packets().filter(|r| r.is_ok()).count(), 2);
    let piped = CaptureFile::from_reader(&f[..]).unwrap();
    assert_eq!(piped.packets().count(), 3);
}

#[test]
fn open_errors() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.pcap");
    let e = CaptureFile::open(&missing).unwrap_err();
    assert_eq!(e.kind(), &CaptureErrorKind::Io);
    assert!(std::error::Error::source(&e).is_some());
    assert_eq!(e.path(), Some(missing.as_path()));

    let empty = dir.path().join("empty.pcap");
    std::fs::write(&empty, b"").unwrap();
    let e = CaptureFile::open(&empty).unwrap_err();
    assert_eq!(
        e.kind(),
        &CaptureErrorKind::TruncatedFileHeader {
            needed: 24,
            available: 0
        }
    );

    // A directory is no capture either.
    assert!(CaptureFile::open(dir.path()).is_err());
}

#[test]
fn every_single_byte_corruption_is_handled() {
    let mut files = vec![two_interface_ng(false), two_interface_ng(true)];
    let mut f = two_packet_pcap(0xa1b2_c3d4, true);
    f.extend(pcap_record(true, 3, 0, 8, 8, P2));
    files.push(f);
    for f in files {
        for i in 0..f.len() {
            for v in [0x00, 0xff, 0x80, 0x7f, f[i] ^ 1, f[i].wrapping_add(4)] {
                let mut g = f.clone();
                g[i] = v;
                // Panics only on a broken promise (numbering, bounds, fusing).
                fuzz_pcap_reader(&g);
            }
        }
    }
}

#[test]
fn public_types_cross_threads() {
    fn send_sync<T: Send + Sync + std::panic::UnwindSafe>() {}
    send_sync::<CaptureFile>();
    send_sync::<CaptureSlice<'static>>();
    send_sync::<rulewire::capture::Packets<'static>>();
    send_sync::<RawPacket<'static>>();
    // io::Error (kept as the source) is not UnwindSafe, so errors are only
    // Send + Sync.
    fn send_sync_only<T: Send + Sync>() {}
    send_sync_only::<rulewire::capture::CaptureError>();
}

#[test]
fn pcapng_header_with_options_cut_short() {
    // SHB with a 12-byte shb_userappl option: 40 bytes in all.
    let mut body = Vec::new();
    body.extend(0x1A2B_3C4Du32.to_be_bytes());
    body.extend([0, 1, 0, 0]);
    body.extend((-1i64).to_be_bytes());
    body.extend(ng_option(true, 4, b"rulewire"));
    let f = ng_block(true, 0x0A0D_0D0A, &body);
    assert_eq!(f.len(), 40);
    let e = CaptureSlice::new(&f[..30]).unwrap_err();
    assert_eq!(
        e.kind(),
        &CaptureErrorKind::TruncatedFileHeader {
            needed: 40,
            available: 30
        }
    );
    let (p, err) = read(&f);
    assert!(p.is_empty() && err.is_none());
}
