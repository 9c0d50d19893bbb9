//! `PcapWriter`: exact bytes against the pcap format by hand, refusals, and
//! writer -> reader round trips (fixed cases and proptest).

use proptest::prelude::*;
use rulewire::capture::{
    CaptureErrorKind, CaptureFormat, CaptureSlice, LinkType, PcapWriter, Timestamp, TsPrecision,
};

#[test]
fn writes_the_exact_bytes_of_the_format() {
    let mut w = PcapWriter::new(Vec::new(), LinkType::ETHERNET, TsPrecision::Micro).unwrap();
    w.write_packet(Timestamp::new(0x0102_0304, 5_006_000), &[0xaa, 0xbb], 60)
        .unwrap();
    let out = w.into_inner().unwrap();
    #[rustfmt::skip]
    let want: &[u8] = &[
        0xd4, 0xc3, 0xb2, 0xa1, // magic, little-endian microseconds
        0x02, 0x00, 0x04, 0x00, // version 2.4
        0, 0, 0, 0, 0, 0, 0, 0, // thiszone, sigfigs
        0x00, 0x00, 0x04, 0x00, // snaplen 262144
        0x01, 0x00, 0x00, 0x00, // link type 1
        0x04, 0x03, 0x02, 0x01, // seconds
        0x8e, 0x13, 0x00, 0x00, // 5006 microseconds
        0x02, 0x00, 0x00, 0x00, // caplen 2
        0x3c, 0x00, 0x00, 0x00, // orig_len 60
        0xaa, 0xbb,
    ];
    assert_eq!(out, want);
}

#[test]
fn nanosecond_magic_and_fraction() {
    let mut w =
        PcapWriter::with_snaplen(Vec::new(), LinkType::RAW, TsPrecision::Nano, 1500).unwrap();
    w.write_packet(Timestamp::new(1, 123_456_789), &[0x45], 0)
        .unwrap();
    let out = w.into_inner().unwrap();
    assert_eq!(&out[..4], &[0x4d, 0x3c, 0xb2, 0xa1]);
    assert_eq!(&out[16..24], &[0xdc, 0x05, 0, 0, 101, 0, 0, 0]);
    assert_eq!(&out[28..32], &123_456_789u32.to_le_bytes());
    // orig_len smaller than the data is raised to caplen.
    assert_eq!(&out[36..40], &1u32.to_le_bytes());
}

#[test]
fn refuses_packets_longer_than_snaplen_and_seconds_past_32_bits() {
    let mut w =
        PcapWriter::with_snaplen(Vec::new(), LinkType::ETHERNET, TsPrecision::Micro, 4).unwrap();
    let e = w
        .write_packet(Timestamp::new(1, 0), &[0; 5], 5)
        .unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::InvalidInput);
    let e = w
        .write_packet(Timestamp::new(1 << 32, 0), &[0; 4], 4)
        .unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::InvalidInput);
    // Nothing was written past the header.
    assert_eq!(w.into_inner().unwrap().len(), 24);
}

#[test]
fn written_file_reads_back_and_truncation_is_reported() {
    let mut w = PcapWriter::new(Vec::new(), LinkType::LINUX_SLL, TsPrecision::Micro).unwrap();
    for i in 0..3u8 {
        w.write_packet(Timestamp::from_micros(100 + u64::from(i), 7), &[i; 10], 10)
            .unwrap();
    }
    let out = w.into_inner().unwrap();
    let slice = CaptureSlice::new(&out).unwrap();
    assert!(matches!(
        slice.format(),
        CaptureFormat::Pcap {
            linktype: LinkType::LINUX_SLL,
            nanosecond: false,
            ..
        }
    ));
    let got: Vec<_> = slice.packets().map(|p| p.unwrap()).collect();
    assert_eq!(got.len(), 3);
    assert_eq!(got[2].data, &[2u8; 10]);
    assert_eq!((got[2].ts.secs(), got[2].ts.micros()), (102, 7));

    // Drop the last byte: packets 1 and 2, then an error for 3 at 24 + 2 * 26.
    let items: Vec<_> = CaptureSlice::new(&out[..out.len() - 1])
        .unwrap()
        .packets()
        .collect();
    assert_eq!(items.len(), 3);
    let e = items[2].as_ref().unwrap_err();
    assert_eq!((e.packet_index(), e.byte_offset()), (Some(3), Some(76)));
    assert!(matches!(e.kind(), CaptureErrorKind::TruncatedRecord { .. }));
}

proptest! {
    #[test]
    fn round_trip(
        nano in any::<bool>(),
        link in any::<u16>(),
        packets in prop::collection::vec(
            (any::<u32>(), 0u32..1_000_000_000, prop::collection::vec(any::<u8>(), 0..300), any::<u32>()),
            0..20,
        ),
    ) {
        let precision = if nano { TsPrecision::Nano } else { TsPrecision::Micro };
        let mut w = PcapWriter::new(Vec::new(), LinkType(link), precision).unwrap();
        for (secs, nanos, data, orig) in &packets {
            w.write_packet(Timestamp::new(u64::from(*secs), *nanos), data, *orig).unwrap();
        }
        let out = w.into_inner().unwrap();
        let got: Vec<_> = CaptureSlice::new(&out).unwrap().packets().collect();
        prop_assert_eq!(got.len(), packets.len());
        for (i, (item, (secs, nanos, data, orig))) in got.iter().zip(&packets).enumerate() {
            let p = item.as_ref().unwrap();
            prop_assert_eq!(p.index, i as u64 + 1);
            prop_assert_eq!(p.linktype, LinkType(link));
            prop_assert_eq!(p.data, &data[..]);
            prop_assert_eq!(p.orig_len, (*orig).max(data.len() as u32));
            prop_assert_eq!(p.ts.secs(), u64::from(*secs));
            let want_nanos = if nano { *nanos } else { nanos / 1000 * 1000 };
            prop_assert_eq!(p.ts.nanos(), want_nanos);
        }
    }

    #[test]
    fn arbitrary_bytes_after_a_valid_header_never_panic(
        nano in any::<bool>(),
        be in any::<bool>(),
        tail in prop::collection::vec(any::<u8>(), 0..600),
    ) {
        let magic: u32 = if nano { 0xa1b2_3c4d } else { 0xa1b2_c3d4 };
        let mut f = if be { magic.to_be_bytes().to_vec() } else { magic.to_le_bytes().to_vec() };
        f.extend([0u8; 12]);
        f.extend([0u8, 0, 0, 0, 1, 0, 0, 0]);
        f.extend(&tail);
        rulewire::capture::fuzz_pcap_reader(&f);
    }

    #[test]
    fn block_shaped_noise_after_a_pcapng_header_never_panics(
        big_endian in any::<bool>(),
        blocks in prop::collection::vec(
            (
                prop::sample::select(vec![1u32, 2, 3, 5, 6, 0x0A0D_0D0A, 0x0BAD, 0x8000_0001]),
                prop::collection::vec(any::<u8>(), 0..80),
                -8i32..8,
            ),
            0..12,
        ),
    ) {
        // Each block is framed, but its length may be off by a few bytes
        // and its body is noise.
        let u32b = |v: u32| if big_endian { v.to_be_bytes() } else { v.to_le_bytes() };
        let mut f = vec![0x0a, 0x0d, 0x0d, 0x0a];
        f.extend(u32b(28));
        f.extend(u32b(0x1A2B_3C4D));
        f.extend([0u8; 12]);
        f.extend(u32b(28));
        for (ty, body, delta) in &blocks {
            let len = (12 + body.len() as i32 + delta).max(0) as u32;
            f.extend(u32b(*ty));
            f.extend(u32b(len));
            f.extend(body);
            f.extend(u32b(len));
        }
        rulewire::capture::fuzz_pcap_reader(&f);
    }

    #[test]
    fn arbitrary_blocks_after_a_pcapng_header_never_panic(
        tail in prop::collection::vec(any::<u8>(), 0..600),
    ) {
        // SHB little-endian, 28 bytes, then an IDB (Ethernet), then noise.
        let mut f = vec![0x0a, 0x0d, 0x0d, 0x0a, 28, 0, 0, 0, 0x4d, 0x3c, 0x2b, 0x1a, 1, 0, 0, 0];
        f.extend([0xff; 8]);
        f.extend([28, 0, 0, 0]);
        f.extend([1, 0, 0, 0, 20, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 20, 0, 0, 0]);
        f.extend(&tail);
        rulewire::capture::fuzz_pcap_reader(&f);
    }
}
