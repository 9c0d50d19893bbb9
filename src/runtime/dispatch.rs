//! dispatch: which worker a captured frame goes to.
//!
//! [`flow_hash`] reads just enough of a frame to find its **outermost IP
//! header** and hashes the **unordered address pair** (so both directions
//! of a conversation hash alike). It ignores ports on purpose:
//!
//! * every fragment of a datagram carries the same address pair, but only
//!   the first carries ports; hashing the pair sends all fragments, and the
//!   datagram rebuilt from them, to the same worker as the unfragmented
//!   packets of the same flow (the defrag module's requirement);
//! * tunnels are hashed by the outer header, so a tunnel's outer flow and
//!   every inner flow it carries are on one worker;
//! * ICMP errors (IPv4 types 3, 4, 5, 11, 12; ICMPv6 types 1 to 4) are
//!   hashed by the address pair of the header they quote, so the error
//!   reaches the worker holding the flow it refers to (the flow table
//!   attaches it to that flow), as Suricata's flow hash does.
//!
//! Frames without a recognised IP header (ARP, unknown link types,
//! truncated frames) hash to 0. Any fixed choice is correct: such frames
//! have no flow. VLAN tags (up to four) and the Ethernet, Linux SLL/SLL2,
//! BSD loopback and raw-IP link types are understood; other
//! encapsulations before IP (MPLS, PPPoE...) hash to 0 as a whole, which
//! keeps them on one worker (correct, just not spread).
//!
//! The cost is a few bounds-checked reads per frame; nothing is decoded
//! twice in full, and nothing allocates.

use crate::capture::LinkType;

/// Most VLAN tags skipped before giving up.
const MAX_VLAN_TAGS: usize = 4;

/// The worker for a frame: `flow_hash % workers` (`workers` ≥ 1).
pub fn worker_for(linktype: LinkType, data: &[u8], workers: usize) -> usize {
    if workers <= 1 {
        return 0;
    }
    // The multiply-shift maps the hash onto 0..workers without a division.
    ((u128::from(flow_hash(linktype, data)) * workers as u128) >> 64) as usize
}

/// A symmetric hash of the frame's outermost IP address pair (see the
/// module docs); 0 when there is none.
pub fn flow_hash(linktype: LinkType, data: &[u8]) -> u64 {
    match ip_start(linktype, data) {
        Some(off) => ip_hash(data.get(off..).unwrap_or(&[])),
        None => 0,
    }
}

fn be16(d: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes([*d.get(at)?, *d.get(at + 1)?]))
}

/// Offset of the IP header behind the link layer.
fn ip_start(linktype: LinkType, d: &[u8]) -> Option<usize> {
    match linktype {
        LinkType::ETHERNET => ether_payload(d, 12),
        LinkType::LINUX_SLL => ether_payload(d, 14),
        LinkType::LINUX_SLL2 => {
            let et = be16(d, 0)?;
            is_ip(et).then_some(20)
        }
        LinkType::NULL | LinkType::LOOP => (d.len() > 4).then_some(4),
        LinkType::RAW
        | LinkType::DLT_RAW
        | LinkType::DLT_RAW_OPENBSD
        | LinkType::IPV4
        | LinkType::IPV6 => Some(0),
        _ => None,
    }
}

fn is_ip(ethertype: u16) -> bool {
    ethertype == 0x0800 || ethertype == 0x86dd
}

/// The IP header's offset given where the first ethertype is, skipping
/// VLAN tags.
fn ether_payload(d: &[u8], mut at: usize) -> Option<usize> {
    for _ in 0..=MAX_VLAN_TAGS {
        let et = be16(d, at)?;
        if is_ip(et) {
            return Some(at + 2);
        }
        if matches!(et, 0x8100 | 0x88a8 | 0x9100) {
            at += 4;
            continue;
        }
        return None;
    }
    None
}

/// Hashes the address pair of the IP header at the start of `ip`, or of
/// the header an ICMP error quotes.
fn ip_hash(ip: &[u8]) -> u64 {
    match ip.first().map(|b| b >> 4) {
        Some(4) if ip.len() >= 20 => {
            let (a, b) = (&ip[12..16], &ip[16..20]);
            let ihl = usize::from(ip[0] & 0x0f) * 4;
            let frag = be16(ip, 6).unwrap_or(0) & 0x3fff;
            if ip[9] == 1 && frag == 0 && ihl >= 20 {
                if let Some(quoted) = icmp_quoted(ip.get(ihl..).unwrap_or(&[]), false) {
                    return ip_pair_only(quoted).unwrap_or_else(|| pair_hash(a, b));
                }
            }
            pair_hash(a, b)
        }
        Some(6) if ip.len() >= 40 => {
            let (a, b) = (&ip[8..24], &ip[24..40]);
            // Only a directly following ICMPv6 header is looked at; with
            // extension headers in between the pair of the outer header
            // is used.
            if ip[6] == 58 {
                if let Some(quoted) = icmp_quoted(&ip[40..], true) {
                    return ip_pair_only(quoted).unwrap_or_else(|| pair_hash(a, b));
                }
            }
            pair_hash(a, b)
        }
        _ => 0,
    }
}

/// The quoted IP header of an ICMP error message, if `icmp` is one.
fn icmp_quoted(icmp: &[u8], v6: bool) -> Option<&[u8]> {
    let t = *icmp.first()?;
    let error = if v6 {
        (1..=4).contains(&t)
    } else {
        matches!(t, 3 | 4 | 5 | 11 | 12)
    };
    if error {
        icmp.get(8..)
    } else {
        None
    }
}

/// The pair hash of a quoted header, without looking further inside.
fn ip_pair_only(ip: &[u8]) -> Option<u64> {
    match ip.first().map(|b| b >> 4) {
        Some(4) if ip.len() >= 20 => Some(pair_hash(&ip[12..16], &ip[16..20])),
        Some(6) if ip.len() >= 40 => Some(pair_hash(&ip[8..24], &ip[24..40])),
        _ => None,
    }
}

/// Hash of the unordered pair {a, b}.
fn pair_hash(a: &[u8], b: &[u8]) -> u64 {
    let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
    let mut h: u64 = 0x9e37_79b9_7f4a_7c15;
    for chunk in lo.chunks(8).chain(hi.chunks(8)) {
        let mut w = [0u8; 8];
        w[..chunk.len()].copy_from_slice(chunk);
        h = mix(h ^ u64::from_le_bytes(w));
    }
    h
}

/// splitmix64's finaliser.
fn mix(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::craft::{PacketBuilder, TcpSpec};

    #[test]
    fn both_directions_hash_alike() {
        let a = PacketBuilder::ipv4([10, 0, 0, 1], [10, 0, 0, 2])
            .tcp(40000, 80, TcpSpec::syn())
            .ethernet();
        let b = PacketBuilder::ipv4([10, 0, 0, 2], [10, 0, 0, 1])
            .tcp(80, 40000, TcpSpec::syn())
            .ethernet();
        let h = flow_hash(LinkType::ETHERNET, &a);
        assert_ne!(h, 0);
        assert_eq!(h, flow_hash(LinkType::ETHERNET, &b));
        let other = PacketBuilder::ipv4([10, 0, 0, 3], [10, 0, 0, 2])
            .tcp(40000, 80, TcpSpec::syn())
            .ethernet();
        assert_ne!(h, flow_hash(LinkType::ETHERNET, &other));
    }

    #[test]
    fn vlan_tags_and_raw_ip_reach_the_same_pair() {
        let ip = PacketBuilder::ipv4([192, 168, 1, 1], [192, 168, 1, 2])
            .tcp(1, 2, TcpSpec::syn())
            .build();
        let mut eth = vec![0u8; 12];
        eth.extend_from_slice(&[0x81, 0x00, 0x00, 0x05, 0x08, 0x00]);
        eth.extend_from_slice(&ip);
        assert_eq!(
            flow_hash(LinkType::ETHERNET, &eth),
            flow_hash(LinkType::RAW, &ip)
        );
        assert_ne!(flow_hash(LinkType::RAW, &ip), 0);
    }

    #[test]
    fn icmp_error_hashes_by_quoted_header() {
        let quoted = PacketBuilder::ipv4([10, 0, 0, 1], [10, 0, 0, 2])
            .tcp(40000, 80, TcpSpec::syn())
            .build();
        // A router 10.9.9.9 reports unreachable to 10.0.0.1.
        let mut ip = vec![
            0x45, 0, 0, 0, 0, 0, 0, 0, 64, 1, 0, 0, 10, 9, 9, 9, 10, 0, 0, 1,
        ];
        ip.extend_from_slice(&[3, 1, 0, 0, 0, 0, 0, 0]);
        ip.extend_from_slice(&quoted[..28]);
        assert_eq!(
            flow_hash(LinkType::RAW, &ip),
            flow_hash(LinkType::RAW, &quoted)
        );
    }

    #[test]
    fn garbage_hashes_to_zero_and_never_panics() {
        assert_eq!(flow_hash(LinkType::ETHERNET, &[]), 0);
        assert_eq!(flow_hash(LinkType::ETHERNET, &[0u8; 13]), 0);
        assert_eq!(flow_hash(LinkType::RAW, &[0x45, 0, 0]), 0);
        assert_eq!(flow_hash(LinkType(9999), &[0x45; 64]), 0);
        for n in 0..80 {
            let v: Vec<u8> = (0..n as u8).map(|i| i.wrapping_mul(37) ^ 0x45).collect();
            let _ = flow_hash(LinkType::ETHERNET, &v);
            let _ = flow_hash(LinkType::RAW, &v);
            assert!(worker_for(LinkType::RAW, &v, 3) < 3);
        }
    }
}
