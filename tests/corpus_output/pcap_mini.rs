//! Test-only reading of the conformance pcaps: packet times and bytes by
//! packet number, and the ICMP type/code of a packet. Independent of
//! `rulewire::capture` and `rulewire::decode` on purpose: these tests check
//! the output module against Suricata's files, not our own decoder.

/// One packet: time and captured bytes.
pub struct Pkt {
    pub secs: u64,
    pub nanos: u32,
    pub data: Vec<u8>,
}

/// A classic pcap file (either byte order, micro or nano seconds).
pub struct Pcap {
    pub linktype: u32,
    pub packets: Vec<Pkt>,
}

pub fn read_pcap(bytes: &[u8]) -> Option<Pcap> {
    let magic = bytes.get(0..4)?;
    let (le, nano) = match magic {
        [0xd4, 0xc3, 0xb2, 0xa1] => (true, false),
        [0xa1, 0xb2, 0xc3, 0xd4] => (false, false),
        [0x4d, 0x3c, 0xb2, 0xa1] => (true, true),
        [0xa1, 0xb2, 0x3c, 0x4d] => (false, true),
        _ => return None,
    };
    let u32_at = |off: usize| -> Option<u32> {
        let b: [u8; 4] = bytes.get(off..off + 4)?.try_into().ok()?;
        Some(if le {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        })
    };
    let linktype = u32_at(20)?;
    let mut packets = Vec::new();
    let mut off = 24;
    while off + 16 <= bytes.len() {
        let secs = u32_at(off)?;
        let frac = u32_at(off + 4)?;
        let caplen = u32_at(off + 8)? as usize;
        let data = bytes.get(off + 16..off + 16 + caplen)?.to_vec();
        let nanos = if nano {
            frac
        } else {
            frac.saturating_mul(1000)
        };
        packets.push(Pkt {
            secs: u64::from(secs),
            nanos,
            data,
        });
        off += 16 + caplen;
    }
    Some(Pcap { linktype, packets })
}

/// ICMP (IPv4) or ICMPv6 type and code of the innermost such header, through
/// Ethernet/VLAN, SLL, NULL and raw link layers and IP-in-IP/GRE tunnels.
pub fn icmp_type_code(linktype: u32, pkt: &[u8]) -> Option<(u8, u8)> {
    match linktype {
        1 => ethernet(pkt),
        0 => {
            // BSD loopback: a 4-byte address family in host order.
            let fam = u32::from_le_bytes(pkt.get(0..4)?.try_into().ok()?);
            let fam = if fam > 0xffff { fam.swap_bytes() } else { fam };
            match fam {
                2 => ipv4(pkt.get(4..)?),
                24 | 28 | 30 => ipv6(pkt.get(4..)?),
                _ => None,
            }
        }
        113 => ethertype(
            u16::from_be_bytes(pkt.get(14..16)?.try_into().ok()?),
            pkt.get(16..)?,
        ),
        101 | 12 | 14 | 228 | 229 => ip(pkt),
        _ => None,
    }
}

fn ethernet(pkt: &[u8]) -> Option<(u8, u8)> {
    let et = u16::from_be_bytes(pkt.get(12..14)?.try_into().ok()?);
    ethertype(et, pkt.get(14..)?)
}

fn ethertype(et: u16, rest: &[u8]) -> Option<(u8, u8)> {
    match et {
        0x0800 => ipv4(rest),
        0x86dd => ipv6(rest),
        0x8100 | 0x88a8 | 0x9100 => {
            let inner = u16::from_be_bytes(rest.get(2..4)?.try_into().ok()?);
            ethertype(inner, rest.get(4..)?)
        }
        _ => None,
    }
}

fn ip(pkt: &[u8]) -> Option<(u8, u8)> {
    match pkt.first()? >> 4 {
        4 => ipv4(pkt),
        6 => ipv6(pkt),
        _ => None,
    }
}

fn ipv4(pkt: &[u8]) -> Option<(u8, u8)> {
    let ihl = usize::from(pkt.first()? & 0x0f) * 4;
    let frag_off = u16::from_be_bytes(pkt.get(6..8)?.try_into().ok()?) & 0x1fff;
    if frag_off != 0 {
        return None;
    }
    let proto = *pkt.get(9)?;
    next(proto, pkt.get(ihl..)?)
}

fn ipv6(pkt: &[u8]) -> Option<(u8, u8)> {
    let mut nh = *pkt.get(6)?;
    let mut rest = pkt.get(40..)?;
    loop {
        match nh {
            0 | 43 | 60 => {
                let len = (usize::from(*rest.get(1)?) + 1) * 8;
                nh = *rest.first()?;
                rest = rest.get(len..)?;
            }
            44 => {
                let off = u16::from_be_bytes(rest.get(2..4)?.try_into().ok()?) >> 3;
                if off != 0 {
                    return None;
                }
                nh = *rest.first()?;
                rest = rest.get(8..)?;
            }
            _ => return next(nh, rest),
        }
    }
}

fn next(proto: u8, rest: &[u8]) -> Option<(u8, u8)> {
    match proto {
        1 | 58 => Some((*rest.first()?, *rest.get(1)?)),
        4 => ipv4(rest),
        41 => ipv6(rest),
        47 => {
            let flags = u16::from_be_bytes(rest.get(0..2)?.try_into().ok()?);
            let ptype = u16::from_be_bytes(rest.get(2..4)?.try_into().ok()?);
            let mut len = 4;
            for bit in [0x8000u16, 0x2000, 0x1000] {
                if flags & bit != 0 {
                    len += 4;
                }
            }
            match ptype {
                0x6558 => ethernet(rest.get(len..)?),
                other => ethertype(other, rest.get(len..)?),
            }
        }
        _ => None,
    }
}
