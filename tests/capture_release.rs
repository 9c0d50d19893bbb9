//! `CaptureFile::release_before` on a mapped capture: the released pages
//! leave the process's resident memory, and packets read from them again
//! have the bytes they had. Alone in its binary, so no other test maps or
//! unmaps files while the resident counts are read.

use std::io::Write;

use rulewire::capture::CaptureFile;

/// A little-endian microsecond pcap of `n` Ethernet frames of `len` bytes,
/// frame `i` filled with the byte `i % 251` (written from the format, not
/// with our writer).
fn pcap(n: u32, len: u32) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&0xa1b2_c3d4u32.to_le_bytes());
    out.extend_from_slice(&2u16.to_le_bytes());
    out.extend_from_slice(&4u16.to_le_bytes());
    out.extend_from_slice(&0i32.to_le_bytes());
    out.extend_from_slice(&0u32.to_le_bytes());
    out.extend_from_slice(&65535u32.to_le_bytes());
    out.extend_from_slice(&1u32.to_le_bytes());
    for i in 0..n {
        out.extend_from_slice(&(1_700_000_000 + i).to_le_bytes());
        out.extend_from_slice(&0u32.to_le_bytes());
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&len.to_le_bytes());
        out.resize(out.len() + len as usize, (i % 251) as u8);
    }
    out
}

/// This process's resident file-backed memory, in KiB (Linux).
fn rss_file_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("RssFile:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[test]
fn released_pages_leave_memory_and_read_back_the_same() {
    // 12,000 frames of 1,500 bytes: about 18 MB, several release steps.
    let bytes = pcap(12_000, 1500);
    let mut tmp = tempfile::NamedTempFile::new().unwrap();
    tmp.write_all(&bytes).unwrap();
    tmp.flush().unwrap();
    let file = CaptureFile::open(tmp.path()).unwrap();

    // Read every packet (which maps every page in) and check its bytes.
    let check_all = |file: &CaptureFile| {
        let mut count = 0u32;
        for p in file.packets() {
            let p = p.unwrap();
            let fill = ((p.index - 1) % 251) as u8;
            assert_eq!(p.data.len(), 1500);
            assert!(p.data.iter().all(|&b| b == fill), "packet {}", p.index);
            count += 1;
        }
        assert_eq!(count, 12_000);
    };
    check_all(&file);
    let before = rss_file_kib();

    file.release_before(bytes.len() as u64);
    let after = rss_file_kib();
    if let (Some(before), Some(after)) = (before, after) {
        // At least 12 MiB of the 18 MB (whole 4 MiB steps) went.
        assert!(
            before >= after + 12 * 1024,
            "RssFile {before} KiB before the release, {after} KiB after"
        );
    } else {
        eprintln!("no /proc/self/status RssFile here: resident sizes not checked");
    }

    // The released pages come back from the file with the same bytes,
    // and releasing again (or less) is harmless.
    check_all(&file);
    file.release_before(0);
    file.release_before(bytes.len() as u64);
    check_all(&file);
}

#[test]
fn captures_in_memory_ignore_release() {
    let bytes = pcap(10, 100);
    let file = CaptureFile::from_bytes(bytes).unwrap();
    file.release_before(u64::MAX);
    assert_eq!(file.packets().count(), 10);
}
