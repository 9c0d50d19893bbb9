//! The typed rule model.
//!
//! A [`Rule`] is the header, the rule's identity and metadata, the
//! packet/flow/app-layer [`Condition`]s, and an ordered list of
//! [`MatchList`]s: one per inspection buffer, in order of first use, each
//! holding that buffer's transforms and its [`Match`]es in rule order.
//! That is Suricata's sigmatch-list layout, built the way Suricata builds
//! it: a content goes to the buffer that was active when it appeared
//! (payload unless a sticky buffer was selected), a Snort 2 style modifier
//! (`content:"x"; http_uri;`) moves the last payload content to its
//! buffer, a `pcre` buffer flag (`/U`) puts the pcre in that buffer, and
//! selecting a buffer that already has a list continues that list.
//! Relative keywords (`distance`, `within`, `R`, `relative`) refer to the
//! previous match in the same list.
//!
//! Conditions are position-independent, so they are kept in rule order but
//! apart from the lists. A keyword the parser does not know stays as
//! [`Condition::Unknown`] with its text and makes the rule unsupported
//! ([`Rule::unsupported`]); such a rule must not be used for detection,
//! since an unknown keyword may have been a sticky buffer.
//!
//! Equality ignores where the rule came from: the loader keeps location
//! and original text beside the model, in [`super::LoadedRule`].

use super::buffer::{Buffer, Transform};
use super::header::{Action, Header, Protocol};
use super::keywords::app::{
    AppLayerProtocol, Asn1, Base64Decode, DceIface, DceOpnums, FileProperty, Filestore, NegString,
    SslStates, SslVersions, TlsVersion,
};
use super::keywords::byte::{ByteExtract, ByteJump, ByteMath, ByteTest, IsDataAt};
use super::keywords::content::Content;
use super::keywords::flow::{Flow, Flowbits, Flowint, StreamSize, Xbits};
use super::keywords::meta::{Metadata, Reference, Tag, Target, Threshold};
use super::keywords::packet::{ChecksumKind, Fragbits, IpOpt, IpProto, TcpFlags, Window};
use super::keywords::pcre::Pcre;
use super::keywords::value::IntMatch;

/// One parsed rule.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Rule {
    /// `alert`, `drop`, ...
    pub action: Action,
    /// `tcp`, `http`, ...
    pub protocol: Protocol,
    /// Addresses, ports and direction; `None` for a Snort 3 service or
    /// file rule (`alert http ( ... )`), which applies to any endpoints.
    pub header: Option<Header>,
    /// `msg`, escapes removed.
    pub msg: Option<String>,
    /// `sid`.
    pub sid: Option<u32>,
    /// `gid` (Suricata and Snort default to 1).
    pub gid: Option<u32>,
    /// `rev`.
    pub rev: Option<u32>,
    /// `classtype`.
    pub classtype: Option<String>,
    /// `priority`.
    pub priority: Option<u32>,
    /// `reference`s, in order.
    pub references: Vec<Reference>,
    /// `metadata` entries of all `metadata` options, in order.
    pub metadata: Metadata,
    /// `target`.
    pub target: Option<Target>,
    /// Packet, flow, app-layer and post-match keywords, in rule order.
    pub conditions: Vec<Condition>,
    /// Buffer match lists, in order of first use.
    pub lists: Vec<MatchList>,
}

impl Rule {
    /// The generator id (1 when absent).
    pub fn gid(&self) -> u32 {
        self.gid.unwrap_or(1)
    }

    /// The revision (0 when absent).
    pub fn rev(&self) -> u32 {
        self.rev.unwrap_or(0)
    }

    /// Names of the keywords this rule uses that the parser does not know,
    /// in rule order (one entry per use). Empty for a supported rule.
    pub fn unsupported(&self) -> Vec<&str> {
        self.conditions
            .iter()
            .filter_map(|c| match c {
                Condition::Unknown { name, .. } => Some(name.as_str()),
                _ => None,
            })
            .collect()
    }

    /// Whether every keyword of the rule is known.
    pub fn is_supported(&self) -> bool {
        !self
            .conditions
            .iter()
            .any(|c| matches!(c, Condition::Unknown { .. }))
    }

    /// The match list for `buffer`, if the rule inspects it.
    pub fn list(&self, buffer: Buffer) -> Option<&MatchList> {
        self.lists.iter().find(|l| l.buffer == buffer)
    }

    /// Every content of the rule with the buffer it inspects.
    pub fn contents(&self) -> impl Iterator<Item = (Buffer, &Content)> {
        self.lists.iter().flat_map(|l| {
            l.matches.iter().filter_map(move |m| match m {
                Match::Content(c) => Some((l.buffer, c)),
                _ => None,
            })
        })
    }
}

/// The matches against one inspection buffer.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct MatchList {
    /// The buffer.
    pub buffer: Buffer,
    /// Transforms applied to the buffer before matching, in order.
    pub transforms: Vec<Transform>,
    /// Matches, in rule order; relative ones refer to the previous match.
    pub matches: Vec<Match>,
}

/// A keyword matched against a buffer, in the buffer's list.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Match {
    /// `content` with its modifiers.
    Content(Content),
    /// `pcre`.
    Pcre(Pcre),
    /// `byte_test`.
    ByteTest(ByteTest),
    /// `byte_jump`.
    ByteJump(ByteJump),
    /// `byte_extract`.
    ByteExtract(ByteExtract),
    /// `byte_math`.
    ByteMath(ByteMath),
    /// `isdataat`.
    IsDataAt(IsDataAt),
    /// `bsize` (Snort 3: `bufferlen`): the buffer's length.
    Bsize(IntMatch),
    /// `urilen`: length of the URI (normalised list, or `raw`).
    Urilen(IntMatch),
    /// `base64_decode`: decode part of this buffer for `base64_data`.
    Base64Decode(Base64Decode),
    /// `asn1`.
    Asn1(Asn1),
}

/// A keyword that is not tied to a buffer.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Condition {
    /// `flow`.
    Flow(Flow),
    /// `flowbits`.
    Flowbits(Flowbits),
    /// `xbits`.
    Xbits(Xbits),
    /// `flowint`.
    Flowint(Flowint),
    /// `stream_size`.
    StreamSize(StreamSize),
    /// `flags` (TCP).
    Flags(TcpFlags),
    /// `fragbits`.
    Fragbits(Fragbits),
    /// `ipopts`.
    Ipopts(IpOpt),
    /// `ip_proto`.
    IpProto(IpProto),
    /// `dsize`: payload size.
    Dsize(IntMatch),
    /// `ttl`.
    Ttl(IntMatch),
    /// `tos`.
    Tos(IntMatch),
    /// `id` (IPv4 identification).
    Id(IntMatch),
    /// `fragoffset`.
    Fragoffset(IntMatch),
    /// `sameip`: source equals destination.
    Sameip,
    /// `seq` (TCP sequence number).
    Seq(u32),
    /// `ack` (TCP acknowledgement number).
    Ack(u32),
    /// `window`.
    Window(Window),
    /// `tcp.mss`.
    TcpMss(IntMatch),
    /// `itype`.
    Itype(IntMatch),
    /// `icode`.
    Icode(IntMatch),
    /// `icmp_id`.
    IcmpId(u16),
    /// `icmp_seq`.
    IcmpSeq(u16),
    /// A checksum test (`ipv4-csum:valid`): `true` means valid.
    Checksum(ChecksumKind, bool),
    /// `decode-event`.
    DecodeEvent(String),
    /// `stream-event`.
    StreamEvent(String),
    /// `app-layer-event`.
    AppLayerEvent(String),
    /// `app-layer-protocol`.
    AppLayerProtocol(AppLayerProtocol),
    /// `ssl_state`.
    SslState(SslStates),
    /// `ssl_version`.
    SslVersion(SslVersions),
    /// `tls.version`.
    TlsVersion(TlsVersion),
    /// `tls.fingerprint` (legacy).
    TlsFingerprint(NegString),
    /// `dce_iface`.
    DceIface(DceIface),
    /// `dce_opnum`.
    DceOpnum(DceOpnums),
    /// `ftpbounce`.
    Ftpbounce,
    /// `ftpdata_command` (`stor`/`retr`).
    FtpdataCommand(String),
    /// A file keyword (`fileext`, `filemagic`, `filename`, `filemd5`...).
    File(FileProperty, NegString),
    /// `filestore`.
    Filestore(Filestore),
    /// Snort `sip_method`.
    SipMethod(Vec<String>),
    /// Snort `sip_stat_code`.
    SipStatCode(Vec<u16>),
    /// Snort 3 `service`.
    Service(Vec<String>),
    /// `noalert`.
    Noalert,
    /// `alert` (Suricata 8): the rule alerts whatever its action, e.g. a
    /// `pass` rule that also logs.
    Alert,
    /// `tag`.
    Tag(Tag),
    /// `threshold`.
    Threshold(Threshold),
    /// `detection_filter`.
    DetectionFilter(Threshold),
    /// A keyword the parser does not know: kept, never dropped.
    Unknown {
        /// The keyword.
        name: String,
        /// Its value as written (trimmed), if any.
        value: Option<String>,
    },
}

impl Condition {
    /// The keyword this condition was written with (canonical spelling).
    pub fn keyword(&self) -> &str {
        match self {
            Condition::Flow(_) => "flow",
            Condition::Flowbits(_) => "flowbits",
            Condition::Xbits(_) => "xbits",
            Condition::Flowint(_) => "flowint",
            Condition::StreamSize(_) => "stream_size",
            Condition::Flags(_) => "flags",
            Condition::Fragbits(_) => "fragbits",
            Condition::Ipopts(_) => "ipopts",
            Condition::IpProto(_) => "ip_proto",
            Condition::Dsize(_) => "dsize",
            Condition::Ttl(_) => "ttl",
            Condition::Tos(_) => "tos",
            Condition::Id(_) => "id",
            Condition::Fragoffset(_) => "fragoffset",
            Condition::Sameip => "sameip",
            Condition::Seq(_) => "seq",
            Condition::Ack(_) => "ack",
            Condition::Window(_) => "window",
            Condition::TcpMss(_) => "tcp.mss",
            Condition::Itype(_) => "itype",
            Condition::Icode(_) => "icode",
            Condition::IcmpId(_) => "icmp_id",
            Condition::IcmpSeq(_) => "icmp_seq",
            Condition::Checksum(k, _) => k.keyword(),
            Condition::DecodeEvent(_) => "decode-event",
            Condition::StreamEvent(_) => "stream-event",
            Condition::AppLayerEvent(_) => "app-layer-event",
            Condition::AppLayerProtocol(_) => "app-layer-protocol",
            Condition::SslState(_) => "ssl_state",
            Condition::SslVersion(_) => "ssl_version",
            Condition::TlsVersion(_) => "tls.version",
            Condition::TlsFingerprint(_) => "tls.fingerprint",
            Condition::DceIface(_) => "dce_iface",
            Condition::DceOpnum(_) => "dce_opnum",
            Condition::Ftpbounce => "ftpbounce",
            Condition::FtpdataCommand(_) => "ftpdata_command",
            Condition::File(p, _) => p.keyword(),
            Condition::Filestore(_) => "filestore",
            Condition::SipMethod(_) => "sip_method",
            Condition::SipStatCode(_) => "sip_stat_code",
            Condition::Service(_) => "service",
            Condition::Noalert => "noalert",
            Condition::Alert => "alert",
            Condition::Tag(_) => "tag",
            Condition::Threshold(_) => "threshold",
            Condition::DetectionFilter(_) => "detection_filter",
            Condition::Unknown { name, .. } => name,
        }
    }
}

impl Match {
    /// The keyword this match was written with.
    pub fn keyword(&self) -> &'static str {
        match self {
            Match::Content(_) => "content",
            Match::Pcre(_) => "pcre",
            Match::ByteTest(_) => "byte_test",
            Match::ByteJump(_) => "byte_jump",
            Match::ByteExtract(_) => "byte_extract",
            Match::ByteMath(_) => "byte_math",
            Match::IsDataAt(_) => "isdataat",
            Match::Bsize(_) => "bsize",
            Match::Urilen(_) => "urilen",
            Match::Base64Decode(_) => "base64_decode",
            Match::Asn1(_) => "asn1",
        }
    }
}
