//! TCP session state: the part of Suricata's stream engine that decides
//! `flow:established`, the end-of-flow `tcp_state` counters and port reuse.
//!
//! [`TcpSession`] follows the state machine of Suricata 8's
//! `src/stream-tcp.c` (`StreamTcpPacketStateNone` through
//! `StreamTcpPacketStateTimeWait`): the same states, the same transitions on
//! the same flags and directions, and the same sequence-number tests where
//! they decide a transition (the 3-way handshake's seq/ack, RST acceptance,
//! the FIN exchange). State names and their numbering mirror Suricata's
//! `enum TcpState` because `ssn->state >= TCP_ESTABLISHED` and
//! `>= TCP_LAST_ACK` tests depend on that order.
//!
//! # Windows and acknowledgements
//!
//! Each side keeps Suricata's `last_ack`, `window` and `next_win` (the right
//! edge, `last_ack + window`, which only grows: `StreamTcpUpdateNextWin`).
//! SYN and SYN/ACK windows are taken unscaled; later windows are shifted by
//! the window-scale option when the SYN offered it (the client's windows by
//! the SYN's shift, the server's by the SYN/ACK's, 0 if the SYN/ACK lacks
//! it: `StreamTcp3whsSynAckUpdate`); a shift above 14 counts as 0, and a
//! midstream pick-up assumes 14. In ESTABLISHED an ACK
//! (`HandleEstablishedPacketToServer`/`ToClient`) is refused, its data not
//! added to the stream so that detection inspects the packet alone, when
//! its acknowledgement fails `StreamTcpValidateAck` (above the peer's
//! `next_win`, or more than a window below its `last_ack`:
//! `stream.est_invalid_ack`), when its data ends before what the peer
//! acknowledged (`stream.est_pkt_before_last_ack`), or when it ends past
//! the sender's `next_win` (`stream.est_packet_out_of_window`; not for
//! midstream sessions, and not for zero-window probes). A FIN is checked
//! the same way (`StreamTcpHandleFin`: `stream.fin_invalid_ack`,
//! `stream.fin_out_of_window`), and so is the 4-way handshake's final ACK
//! and the SYN_RECV "missed packets" case (sequence number up to
//! `next_win`). Stream events are not counted (the event names are in the
//! comments), nor is `tcp.ack_unseen_data`.
//!
//! # What it deliberately leaves out
//!
//! No reassembly and no segment storage: the session is 72 bytes of fixed
//! state. Timestamps are checked as under Suricata's default policy (a TSval
//! below the sender's last one is rejected, PAWS), without the 24-day
//! exception. The acknowledgement checks of the closing states (FIN_WAIT1
//! and after), SACK (Suricata widens `next_win` by SACKed bytes), RSTs'
//! window updates, the SYN/ACK queue for several SYN/ACKs, TCP Fast Open,
//! `stream.async-oneside` and OS-specific RST policies are not modelled.
//! RST acceptance uses the policy Suricata's default configuration applies
//! (`host-os-policy` windows for IPv4, BSD default for IPv6: both accept a
//! RST whose sequence number equals the next expected one,
//! `StreamTcpValidateRst`). Packets those checks would reject in Suricata may
//! therefore move our state where Suricata's does not; the flow conformance
//! test measures how often that changes a counter.

use super::packet::{tcp_flags, TcpMeta};
use super::state::FlowState;

/// TCP session states, numbered as Suricata's `enum TcpState`
/// (`src/stream-tcp-private.h`). Suricata names states from the point of view
/// its code uses: a FIN from the client moves the session to `CloseWait`, a
/// FIN from the server to `FinWait1`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum TcpState {
    /// No session: nothing acceptable seen yet (for example midstream
    /// traffic with `stream.midstream` off).
    #[default]
    None = 0,
    /// Client SYN seen.
    SynSent = 2,
    /// Server SYN/ACK seen (or a SYN/ACK picked up midstream).
    SynRecv = 3,
    /// Handshake complete (or an ACK picked up midstream).
    Established = 4,
    /// The server sent a FIN.
    FinWait1 = 5,
    /// The client acknowledged the server's FIN.
    FinWait2 = 6,
    /// Both FINs seen, the last one not yet acknowledged.
    TimeWait = 7,
    /// The client's FIN, then the server's FIN, seen.
    LastAck = 8,
    /// The client sent a FIN.
    CloseWait = 9,
    /// Both sides sent a FIN before seeing the other's.
    Closing = 10,
    /// Closed by the final ACK or by a RST.
    Closed = 11,
}

impl TcpState {
    /// Every state, in Suricata's order.
    pub const ALL: [TcpState; 11] = [
        TcpState::None,
        TcpState::SynSent,
        TcpState::SynRecv,
        TcpState::Established,
        TcpState::FinWait1,
        TcpState::FinWait2,
        TcpState::TimeWait,
        TcpState::LastAck,
        TcpState::CloseWait,
        TcpState::Closing,
        TcpState::Closed,
    ];

    /// The counter name Suricata uses under `flow.end.tcp_state`
    /// (`FlowEndCountersRegister` in `src/flow-util.c`).
    pub fn name(self) -> &'static str {
        match self {
            TcpState::None => "none",
            TcpState::SynSent => "syn_sent",
            TcpState::SynRecv => "syn_recv",
            TcpState::Established => "established",
            TcpState::FinWait1 => "fin_wait1",
            TcpState::FinWait2 => "fin_wait2",
            TcpState::TimeWait => "time_wait",
            TcpState::LastAck => "last_ack",
            TcpState::CloseWait => "close_wait",
            TcpState::Closing => "closing",
            TcpState::Closed => "closed",
        }
    }

    /// Suricata's `ssn->state >= TCP_ESTABLISHED`: what `flow:established`
    /// tests for TCP. Note that the closing states count as established.
    pub fn is_established(self) -> bool {
        self >= TcpState::Established
    }

    /// The flow state this TCP state moves the flow to
    /// (`StreamTcpPacketSetState`), if any.
    pub fn flow_state(self) -> Option<FlowState> {
        match self {
            TcpState::Established
            | TcpState::FinWait1
            | TcpState::FinWait2
            | TcpState::Closing
            | TcpState::CloseWait => Some(FlowState::Established),
            TcpState::LastAck | TcpState::TimeWait | TcpState::Closed => Some(FlowState::Closed),
            TcpState::None | TcpState::SynSent | TcpState::SynRecv => None,
        }
    }
}

/// `SEQ_LT` and friends: sequence-number order modulo 2^32.
fn seq_lt(a: u32, b: u32) -> bool {
    (a.wrapping_sub(b) as i32) < 0
}
fn seq_gt(a: u32, b: u32) -> bool {
    (a.wrapping_sub(b) as i32) > 0
}
fn seq_leq(a: u32, b: u32) -> bool {
    !seq_gt(a, b)
}

/// One direction's sequence space.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Side {
    /// Initial sequence number.
    isn: u32,
    /// Next sequence number expected from this side.
    next_seq: u32,
    /// Highest acknowledgement the other side sent for this side's data.
    last_ack: u32,
    /// Latest accepted TSval of this side (0: none yet).
    last_ts: u32,
    /// The receive window the peer last advertised for this side's data,
    /// scaled by `wscale` (Suricata's `TcpStream.window`).
    window: u32,
    /// Right edge of that window: this side may send up to here, and the
    /// peer may acknowledge up to here (`next_win`).
    next_win: u32,
    /// Shift applied to the windows the peer advertises, once the
    /// handshake negotiated window scaling (`wscale`).
    wscale: u8,
}

impl Side {
    /// `StreamTcpPacketIsRetransmission`: data wholly at or below what was
    /// already seen or acknowledged.
    fn is_retransmission(&self, seq: u32, len: u32) -> bool {
        if len == 0 {
            return false;
        }
        let end = seq.wrapping_add(len);
        (seq_lt(seq, self.last_ack) && seq_gt(end, self.last_ack))
            || seq_leq(end, self.last_ack)
            || seq_leq(end, self.next_seq)
    }

    /// `StreamTcpUpdateLastAck`: the peer's acknowledgement only moves
    /// forward.
    fn update_last_ack(&mut self, ack: u32) {
        if seq_gt(ack, self.last_ack) {
            self.last_ack = ack;
        }
    }

    /// `next_win = last_ack + window`, as the handshake handlers set it.
    fn set_next_win(&mut self) {
        self.next_win = self.last_ack.wrapping_add(self.window);
    }

    /// `StreamTcpUpdateNextWin`: the right edge only moves forward (SACKed
    /// bytes, which Suricata adds, are not tracked).
    fn update_next_win(&mut self) {
        let edge = self.last_ack.wrapping_add(self.window);
        if seq_gt(edge, self.next_win) {
            self.next_win = edge;
        }
    }

    /// `StreamTcpValidateAck` for states after `SynSent`, without the
    /// async-oneside exception: an acknowledgement `ack` of this side's
    /// data is valid from `last_ack - window` (when the window is not 0)
    /// up to `next_win`.
    fn ack_valid(&self, ack: u32) -> bool {
        if seq_gt(ack, self.last_ack) {
            return seq_leq(ack, self.next_win);
        }
        ack == self.last_ack
            || self.window == 0
            || !seq_lt(ack, self.last_ack.wrapping_sub(self.window))
    }
}

/// Suricata's `TCP_WSCALE_MAX`: the shift assumed for midstream pick-ups.
const WSCALE_MAX: u8 = 14;

/// `TCP_GET_WSCALE`: the option's shift, 0 when absent or above 14.
fn wscale_of(t: &TcpMeta) -> u8 {
    t.wscale.filter(|&w| w <= WSCALE_MAX).unwrap_or(0)
}

const MIDSTREAM: u16 = 0x01;
const MIDSTREAM_SYNACK: u16 = 0x02;
/// Both sides use the timestamp option (`STREAMTCP_FLAG_TIMESTAMP`).
const TIMESTAMP: u16 = 0x04;
/// The client's SYN carried a timestamp.
const CLIENT_TS: u16 = 0x08;
/// TCP Fast Open: the SYN carried data (`STREAMTCP_FLAG_TCP_FAST_OPEN`; we
/// see no TCP options, so data on a SYN is the sign).
const TFO: u16 = 0x10;
/// The server answered the SYN with a SYN of its own: a 4-way handshake
/// ("split handshake", `STREAMTCP_FLAG_4WHS`).
const FOUR_WHS: u16 = 0x20;
/// Picked up midstream on an ACK; the server's first packet sets the
/// server's window (`STREAMTCP_FLAG_MIDSTREAM_ESTABLISHED`).
const MIDSTREAM_ESTABLISHED: u16 = 0x40;
/// The SYN carried the window-scale option (`STREAMTCP_FLAG_SERVER_WSCALE`).
const SYN_WSCALE: u16 = 0x80;

/// What one packet did to the session.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct TcpOutcome {
    /// The packet created the session (count `tcp.sessions`).
    pub new_session: bool,
    /// ... by midstream pick-up (count `tcp.midstream_pickups`).
    pub midstream_pickup: bool,
    /// The packet found no session and was a FIN, SYN/ACK or ACK: the
    /// midstream exception policy applies to it (Suricata calls
    /// `ExceptionPolicyApply` there whether or not pick-up is enabled).
    pub midstream_exception: bool,
    /// The flow's direction must be reversed: the packet was a SYN/ACK
    /// picked up midstream, so its sender is the server (`FlowSwap`).
    pub swap: bool,
    /// The packet completed the handshake while carrying data: Suricata
    /// marks it established although the state was `SynRecv` when the flow
    /// was looked up (`StreamTcpPacketStateSynRecv`, "special case").
    pub established_with_data: bool,
    /// The session accepted the packet and it carries data that is not
    /// on a RST: Suricata hands it to stream reassembly
    /// (`StreamTcpReassembleHandleSegment`).
    pub segment: bool,
}

/// The sequence numbers stream reassembly needs, per side `[client,
/// server]`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TcpSeqs {
    /// Initial sequence numbers: a side's stream offset 0 is `isn + 1`.
    pub isn: [u32; 2],
    /// Highest acknowledgement the other side sent for this side's data.
    pub last_ack: [u32; 2],
}

/// Per-flow TCP state. `TcpState::None` means "no session" (Suricata's
/// `protoctx == NULL`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct TcpSession {
    state: TcpState,
    flags: u16,
    client: Side,
    server: Side,
    /// The latest SYN that differed from the first (other ISN or TSval),
    /// as (ISN, TSval): Suricata queues such SYNs and lets the SYN/ACK pick
    /// the one it answers (`StreamTcp3whsStoreSyn`); we keep the last one.
    alt_syn: Option<(u32, u32)>,
}

/// Whether a state handler accepted the packet (then the generic sequence
/// bookkeeping runs) or rejected it (Suricata's `return -1`: nothing else
/// changes).
enum Verdict {
    Accept,
    Reject,
    /// The handler did the sequence and window tracking itself
    /// (`HandleEstablishedPacketTo*`); `segment`: the packet's data goes
    /// to the stream (false: refused, out of window or an invalid ACK).
    Tracked {
        segment: bool,
    },
}

impl TcpSession {
    /// The session's state.
    pub fn state(&self) -> TcpState {
        self.state
    }

    /// What `stream_size` compares: bytes of sequence space used by the
    /// client and by the server (`next_seq - isn`, the SYN counted), or
    /// `None` without a session.
    pub fn stream_sizes(&self) -> Option<[u32; 2]> {
        self.exists().then(|| {
            [
                self.client.next_seq.wrapping_sub(self.client.isn),
                self.server.next_seq.wrapping_sub(self.server.isn),
            ]
        })
    }

    /// The sides' ISNs and acknowledged edges, `None` without a session.
    pub fn seqs(&self) -> Option<TcpSeqs> {
        self.exists().then_some(TcpSeqs {
            isn: [self.client.isn, self.server.isn],
            last_ack: [self.client.last_ack, self.server.last_ack],
        })
    }

    /// True once a session exists.
    pub fn exists(&self) -> bool {
        self.state != TcpState::None
    }

    /// Suricata's `TcpSessionPacketSsnReuse`: does this packet start a new
    /// connection on the tuple of this (finished) one? `to_server` is the
    /// packet's direction in the old flow.
    pub fn is_reuse(&self, t: &TcpMeta, to_server: bool, midstream: bool) -> bool {
        let syn_ack = t.flags & (tcp_flags::SYN | tcp_flags::ACK);
        if t.flags & (tcp_flags::RST | tcp_flags::FIN) != 0 {
            return false;
        }
        let done_enough = || self.state >= TcpState::LastAck || self.state == TcpState::None;
        if syn_ack == tcp_flags::SYN {
            // TcpSessionReuseDoneEnoughSyn
            if !self.exists() {
                return true;
            }
            if to_server && self.client.isn == t.seq {
                return false; // SYN retransmission
            }
            done_enough()
        } else if midstream && syn_ack == tcp_flags::SYN | tcp_flags::ACK {
            // TcpSessionReuseDoneEnoughSynAck
            if !to_server {
                if !self.exists() || self.server.isn == t.seq {
                    return false;
                }
                done_enough()
            } else {
                !self.exists() || done_enough()
            }
        } else {
            false
        }
    }

    /// Runs one packet through the state machine. `to_server` is the
    /// packet's direction as the flow saw it before this call.
    pub fn process(&mut self, to_server: bool, t: &TcpMeta, midstream: bool) -> TcpOutcome {
        let mut out = TcpOutcome::default();
        let before = self.state;
        if before >= TcpState::SynRecv && !self.ts_valid(to_server, t) {
            return out; // stream.pkt_invalid_timestamp
        }
        let sender_next = if to_server {
            self.client.next_seq
        } else {
            self.server.next_seq
        };
        let seq_was_next = t.seq == sender_next;
        let verdict = match before {
            TcpState::None => {
                self.state_none(to_server, t, midstream, &mut out);
                // A midstream pick-up of a data packet reassembles it.
                out.segment =
                    out.midstream_pickup && t.payload_len > 0 && t.flags & tcp_flags::SYN == 0;
                return out;
            }
            TcpState::SynSent => {
                self.state_syn_sent(to_server, t);
                return out;
            }
            TcpState::SynRecv => self.state_syn_recv(to_server, t, &mut out),
            TcpState::Established => self.state_established(to_server, t),
            TcpState::FinWait1 => self.state_fin_wait1(to_server, t),
            TcpState::FinWait2 => self.state_fin_wait2(to_server, t),
            TcpState::Closing => self.state_closing(to_server, t),
            TcpState::CloseWait => self.state_close_wait(to_server, t),
            TcpState::LastAck => self.state_last_ack(to_server, t),
            TcpState::TimeWait => self.state_time_wait(to_server, t),
            TcpState::Closed => Verdict::Reject,
        };
        let accepted = match verdict {
            Verdict::Accept if t.flags & tcp_flags::RST == 0 => {
                self.bookkeeping(to_server, t);
                true
            }
            Verdict::Tracked { segment } => segment,
            _ => false,
        };
        if accepted {
            out.segment = t.payload_len > 0;
            if let (true, Some((ts, _))) = (self.flags & TIMESTAMP != 0, t.timestamp) {
                let (sender, _) = self.sides(to_server);
                if seq_was_next || sender.last_ts == 0 {
                    sender.last_ts = ts;
                }
            }
        }
        out
    }

    /// `StreamTcpValidateTimestamp` under the default (windows) policy: on a
    /// session using timestamps, a TSval older than the sender's last one is
    /// invalid. A side whose handshake TSval was 0 takes the next one.
    fn ts_valid(&self, to_server: bool, t: &TcpMeta) -> bool {
        let Some((ts, _)) = t.timestamp else {
            return true;
        };
        if self.flags & TIMESTAMP == 0 {
            return true;
        }
        let sender = if to_server {
            &self.client
        } else {
            &self.server
        };
        sender.last_ts == 0 || ts.wrapping_sub(sender.last_ts) as i32 >= 0
    }

    /// Midstream pick-up: the session uses timestamps if this packet does.
    fn pickup_timestamps(&mut self, to_server: bool, t: &TcpMeta) {
        if let Some((val, ecr)) = t.timestamp {
            self.flags |= TIMESTAMP;
            let (sender, receiver) = self.sides(to_server);
            sender.last_ts = val;
            receiver.last_ts = ecr;
        }
    }

    fn sides(&mut self, to_server: bool) -> (&mut Side, &mut Side) {
        if to_server {
            (&mut self.client, &mut self.server)
        } else {
            (&mut self.server, &mut self.client)
        }
    }

    fn set_state(&mut self, s: TcpState) {
        self.state = s;
    }

    /// Sequence tracking Suricata repeats in every state handler: the
    /// sender's next sequence advances over in-order data, and the receiver's
    /// next sequence and last-ack move up to what the packet acknowledges
    /// ("in case we have missed the packet and the peer already acked it").
    fn bookkeeping(&mut self, to_server: bool, t: &TcpMeta) {
        let (sender, receiver) = self.sides(to_server);
        let end = t.seq.wrapping_add(t.payload_len);
        if seq_leq(t.seq, sender.next_seq) && seq_gt(end, sender.next_seq) {
            sender.next_seq = end;
        }
        if t.flags & tcp_flags::ACK != 0 {
            if seq_gt(t.ack, receiver.next_seq) {
                receiver.next_seq = t.ack;
            }
            if seq_gt(t.ack, receiver.last_ack) {
                receiver.last_ack = t.ack;
            }
        }
    }

    /// `StreamTcpValidateRst` under the default policy: the RST's sequence
    /// number is the sender's next expected one.
    fn rst_valid(&self, to_server: bool, t: &TcpMeta) -> bool {
        let sender = if to_server {
            &self.client
        } else {
            &self.server
        };
        t.seq == sender.next_seq && self.ts_valid(to_server, t)
    }

    /// Windows of a midstream pick-up on an ACK or FIN: both shifts are
    /// assumed to be 14; the sender's window is its packet's, the
    /// receiver's is empty until it sends (`MIDSTREAM_ESTABLISHED`).
    fn pickup_windows(sender: &mut Side, receiver: &mut Side, t: &TcpMeta) {
        sender.wscale = WSCALE_MAX;
        receiver.wscale = WSCALE_MAX;
        sender.window = u32::from(t.window) << WSCALE_MAX;
        sender.set_next_win();
        receiver.next_win = receiver.last_ack;
    }

    /// `StreamTcpPacketStateNone`.
    fn state_none(&mut self, to_server: bool, t: &TcpMeta, midstream: bool, out: &mut TcpOutcome) {
        let f = t.flags;
        let seq = t.seq;
        let ack = t.ack;
        if f & tcp_flags::RST != 0 {
            // stream.rst_but_no_session
        } else if f & tcp_flags::FIN != 0 {
            out.midstream_exception = true;
            // Picked up only with data (a bare FIN is
            // stream.fin_but_no_session).
            if midstream && t.payload_len > 0 {
                let (sender, receiver) = self.sides(to_server);
                sender.isn = seq.wrapping_sub(1);
                sender.next_seq = seq.wrapping_add(t.payload_len).wrapping_add(1);
                sender.last_ack = seq;
                receiver.isn = ack.wrapping_sub(1);
                receiver.next_seq = ack;
                receiver.last_ack = ack;
                Self::pickup_windows(sender, receiver, t);
                self.flags = MIDSTREAM | MIDSTREAM_ESTABLISHED;
                self.pickup_timestamps(to_server, t);
                self.set_state(TcpState::FinWait1);
                out.new_session = true;
                out.midstream_pickup = true;
            }
        } else if f & (tcp_flags::SYN | tcp_flags::ACK) == tcp_flags::SYN | tcp_flags::ACK {
            out.midstream_exception = true;
            if midstream {
                // PacketSwap + FlowSwap: the SYN/ACK's sender becomes the
                // server, whatever direction the flow had given it.
                out.swap = true;
                let (sender, receiver) = self.sides(!to_server);
                sender.isn = seq;
                sender.next_seq = seq.wrapping_add(1);
                sender.last_ack = seq;
                receiver.isn = ack.wrapping_sub(1);
                receiver.next_seq = ack;
                receiver.last_ack = ack;
                // Suricata keeps the SYN/ACK's own window on the server's
                // stream; with the option, the client's shift is the
                // SYN/ACK's and the server's is assumed to be the maximum.
                sender.window = u32::from(t.window);
                sender.set_next_win();
                if t.wscale.is_some() {
                    receiver.wscale = wscale_of(t);
                    sender.wscale = WSCALE_MAX;
                }
                self.flags = MIDSTREAM | MIDSTREAM_SYNACK;
                self.pickup_timestamps(!to_server, t);
                self.set_state(TcpState::SynRecv);
                out.new_session = true;
                out.midstream_pickup = true;
            }
        } else if f & tcp_flags::SYN != 0 {
            let (sender, receiver) = self.sides(to_server);
            sender.isn = seq;
            sender.next_seq = seq.wrapping_add(1).wrapping_add(t.payload_len);
            sender.last_ts = t.timestamp.map_or(0, |(val, _)| val);
            // The SYN's window limits the server's data; it is never
            // scaled. Its shift applies to the client's later windows.
            receiver.window = u32::from(t.window);
            if t.wscale.is_some() {
                receiver.wscale = wscale_of(t);
                self.flags |= SYN_WSCALE;
            }
            if t.payload_len > 0 {
                self.flags |= TFO;
            }
            if t.timestamp.is_some() {
                self.flags |= CLIENT_TS;
            }
            self.set_state(TcpState::SynSent);
            out.new_session = true;
        } else if f & tcp_flags::ACK != 0 {
            out.midstream_exception = true;
            if !midstream {
                return;
            }
            let (sender, receiver) = self.sides(to_server);
            sender.isn = seq.wrapping_sub(1);
            sender.next_seq = seq.wrapping_add(t.payload_len);
            sender.last_ack = seq;
            receiver.isn = ack.wrapping_sub(1);
            receiver.next_seq = ack;
            receiver.last_ack = ack;
            Self::pickup_windows(sender, receiver, t);
            self.flags = MIDSTREAM | MIDSTREAM_ESTABLISHED;
            self.pickup_timestamps(to_server, t);
            self.set_state(TcpState::Established);
            out.new_session = true;
            out.midstream_pickup = true;
        }
    }

    /// `StreamTcpPacketStateSynSent`.
    fn state_syn_sent(&mut self, to_server: bool, t: &TcpMeta) {
        let f = t.flags;
        let syn_ack = f & (tcp_flags::SYN | tcp_flags::ACK);
        if to_server && syn_ack == tcp_flags::SYN | tcp_flags::ACK && self.flags & FOUR_WHS != 0 {
            // 4-way handshake: the client's SYN/ACK acks the server's SYN and
            // repeats the client's ISN.
            if f & tcp_flags::RST == 0
                && t.ack == self.server.isn.wrapping_add(1)
                && t.seq == self.client.isn
            {
                self.client.next_seq = t.seq.wrapping_add(1);
                self.server.last_ack = t.ack;
                self.client.last_ack = self.client.isn.wrapping_add(1);
                self.server.window = u32::from(t.window);
                self.server.wscale = if self.flags & SYN_WSCALE != 0 {
                    wscale_of(t)
                } else {
                    0
                };
                self.client.set_next_win();
                self.server.set_next_win();
                self.set_state(TcpState::SynRecv);
            }
            return;
        }
        if to_server {
            // A resent or different SYN: remember it for the SYN/ACK.
            let ts = t.timestamp.map_or(0, |(val, _)| val);
            if syn_ack == tcp_flags::SYN
                && f & tcp_flags::RST == 0
                && (t.seq != self.client.isn || ts != self.client.last_ts)
            {
                self.alt_syn = Some((t.seq, ts));
            }
            // Other client packets change nothing here (no 4-way handshake,
            // no async-oneside).
            return;
        }
        let has_ts = self.flags & CLIENT_TS != 0;
        if syn_ack == tcp_flags::SYN | tcp_flags::ACK && f & (tcp_flags::RST | tcp_flags::FIN) == 0
        {
            // StateSynSentCheckSynAck3Whs / ...TFO: the SYN/ACK must ack the
            // SYN (and echo its TSval); after a Fast Open SYN it may ack the
            // SYN's data too. Else it may answer the alternative SYN.
            let ts_ok = Self::syn_sent_ts_valid(t, self.client.last_ts, has_ts);
            let syn_only = self.client.isn.wrapping_add(1);
            if ts_ok && t.ack == syn_only {
                self.client.next_seq = syn_only;
            } else if ts_ok && self.flags & TFO != 0 && t.ack == self.client.next_seq {
                // data acked
            } else if let Some((isn, ts)) = self.alt_syn.filter(|&(isn, ts)| {
                t.ack == isn.wrapping_add(1) && Self::syn_sent_ts_valid(t, ts, ts != 0)
            }) {
                self.client.isn = isn;
                self.client.next_seq = isn.wrapping_add(1);
                self.client.last_ts = ts;
            } else {
                return; // stream.3whs_synack_with_wrong_ack
            }
            self.alt_syn = None;
            self.server.isn = t.seq;
            self.server.next_seq = t.seq.wrapping_add(1);
            self.server.last_ack = t.seq;
            self.client.last_ack = t.ack;
            // StreamTcp3whsSynAckUpdate: the SYN/ACK's window (unscaled)
            // limits the client; the client's windows are scaled by the
            // SYN/ACK's shift only when the SYN offered scaling too.
            self.client.window = u32::from(t.window);
            self.client.wscale = if self.flags & SYN_WSCALE != 0 {
                wscale_of(t)
            } else {
                0
            };
            self.server.next_win = t.seq.wrapping_add(1).wrapping_add(self.server.window);
            self.client.set_next_win();
            match t.timestamp {
                Some((val, _)) if self.flags & CLIENT_TS != 0 => {
                    self.flags |= TIMESTAMP;
                    self.server.last_ts = val;
                }
                _ => self.flags &= !TIMESTAMP,
            }
            self.set_state(TcpState::SynRecv);
            return;
        }
        if !Self::syn_sent_ts_valid(t, self.client.last_ts, has_ts) {
            return; // stream.pkt_invalid_timestamp
        }
        if syn_ack == tcp_flags::SYN && f & tcp_flags::RST == 0 {
            // A SYN from the server: 4-way handshake
            // (http://www.breakingpointsystems.com/community/blog/tcp-portals-the-three-way-handshake-is-a-lie).
            self.flags |= FOUR_WHS;
            self.server.isn = t.seq;
            self.server.next_seq = t.seq.wrapping_add(1);
            self.server.last_ts = t.timestamp.map_or(0, |(val, _)| val);
            self.server.window = u32::from(t.window);
            self.server.wscale = wscale_of(t);
            if t.wscale.is_some() {
                self.flags |= SYN_WSCALE;
            } else {
                self.flags &= !SYN_WSCALE;
            }
            return;
        }
        if f & tcp_flags::RST != 0 {
            // A server RST refusing the SYN closes the session. (A client
            // RST needs seq == isn and == isn + 1 at once in Suricata, so it
            // never does.) With ACK set, the ack must be the SYN's + 1, or 0.
            let ack_ok =
                f & tcp_flags::ACK == 0 || t.ack == 0 || t.ack == self.client.isn.wrapping_add(1);
            if self.rst_valid(false, t) && ack_ok {
                self.set_state(TcpState::Closed);
            }
        }
    }

    /// `StateSynSentValidateTimestamp`: a server packet must echo the SYN's
    /// TSval `syn_ts`, and may echo nothing if the SYN had none (`had_ts`).
    fn syn_sent_ts_valid(t: &TcpMeta, syn_ts: u32, had_ts: bool) -> bool {
        let Some((_, ecr)) = t.timestamp else {
            return true;
        };
        if had_ts {
            !(syn_ts != 0 && ecr != 0 && ecr != syn_ts)
        } else {
            !(syn_ts == 0 && ecr != 0)
        }
    }

    /// `StreamTcpPacketStateSynRecv`.
    fn state_syn_recv(&mut self, to_server: bool, t: &TcpMeta, out: &mut TcpOutcome) -> Verdict {
        let f = t.flags;
        let (seq, ack, len) = (t.seq, t.ack, t.payload_len);
        if f & tcp_flags::RST != 0 {
            if self.rst_valid(to_server, t) {
                self.set_state(TcpState::Closed);
            }
            return Verdict::Reject;
        }
        if f & tcp_flags::FIN != 0 {
            return self.handle_fin(to_server, t);
        }
        if f & tcp_flags::SYN != 0 || f & tcp_flags::ACK == 0 {
            return Verdict::Reject;
        }
        // An ACK from the server side after the SYN/ACK means the client's
        // ACK was missed (IDS mode carries on), except after a midstream
        // SYN/ACK pick-up; Fast Open sessions accept it too.
        if self.flags & FOUR_WHS != 0 && !to_server {
            // 4-way handshake: the server's ACK of the client's SYN/ACK.
            if seq != self.server.next_seq {
                return Verdict::Reject; // stream.4whs_wrong_seq
            }
            if !self.client.ack_valid(ack) {
                return Verdict::Reject; // stream.4whs_invalid_ack
            }
            self.client.last_ack = ack;
            self.server.next_seq = seq.wrapping_add(len);
            self.client.window = u32::from(t.window) << self.client.wscale;
            self.client.set_next_win();
            self.set_state(TcpState::Established);
            return Verdict::Accept;
        }
        let missed_ack =
            (!to_server && self.flags & MIDSTREAM_SYNACK == 0) || self.flags & TFO != 0;
        let win = u32::from(t.window);
        if seq == self.client.next_seq && ack == self.server.next_seq {
            self.client.next_seq = self.client.next_seq.wrapping_add(len);
            self.server.update_last_ack(ack);
            self.server.window = win << self.server.wscale;
            self.server.set_next_win();
            if self.flags & MIDSTREAM != 0 {
                self.client.window = win << self.client.wscale;
                self.client.set_next_win();
                if self.flags & MIDSTREAM_SYNACK == 0 {
                    self.client.wscale = WSCALE_MAX;
                    self.server.wscale = WSCALE_MAX;
                }
            }
            self.set_state(TcpState::Established);
            out.established_with_data = len > 0;
        } else if seq == self.client.next_seq {
            // stream.3whs_right_seq_wrong_ack_evasion
            return Verdict::Reject;
        } else if !to_server
            && seq_gt(seq, self.client.next_seq)
            && seq_gt(ack, self.client.last_ack)
        {
            // SYN/ACK followed by more server traffic: packet loss.
            self.client.last_ack = ack;
            self.server.next_seq = seq.wrapping_add(len);
            // Suricata sets the client's next_win from the scaled window,
            // then leaves the unscaled one in place.
            self.client.window = win << self.client.wscale;
            self.client.set_next_win();
            self.client.window = win;
            self.server.set_next_win();
            self.set_state(TcpState::Established);
        } else if seq_gt(seq, self.client.next_seq)
            && seq_leq(seq, self.client.next_win)
            && ack == self.server.next_seq
        {
            // Proper ack, seq beyond next_seq but in window: missed packets.
            self.client.next_seq = seq.wrapping_add(len);
            self.server.update_last_ack(ack);
            self.server.window = win << self.server.wscale;
            self.server.set_next_win();
            if self.flags & MIDSTREAM != 0 {
                self.client.window = win;
                self.client.wscale = WSCALE_MAX;
                self.server.wscale = WSCALE_MAX;
            }
            self.set_state(TcpState::Established);
        } else if missed_ack && ack == self.client.last_ack && seq == self.server.next_seq {
            self.server.next_seq = seq.wrapping_add(len);
            self.server.window = win << self.server.wscale;
            self.server.set_next_win();
            self.set_state(TcpState::Established);
        } else {
            // stream.3whs_wrong_seq_wrong_ack
            return Verdict::Reject;
        }
        Verdict::Accept
    }

    /// `StreamTcpHandleFin`, from `SynRecv` and `Established`.
    fn handle_fin(&mut self, to_server: bool, t: &TcpMeta) -> Verdict {
        let (sender, receiver) = self.sides(to_server);
        if t.flags & tcp_flags::ACK != 0 && !receiver.ack_valid(t.ack) {
            return Verdict::Reject; // stream.fin_invalid_ack
        }
        // The FIN's data must lie between what the peer acked and the
        // window's right edge.
        let end = t.seq.wrapping_add(t.payload_len);
        if seq_lt(t.seq, sender.last_ack) || seq_gt(end, sender.next_win) {
            return Verdict::Reject; // stream.fin_out_of_window
        }
        if !(to_server && t.flags & tcp_flags::SYN != 0) {
            receiver.window = u32::from(t.window) << receiver.wscale;
        }
        if to_server {
            if t.flags & tcp_flags::SYN != 0 {
                return Verdict::Reject; // stream.fin_syn
            }
            // Suricata does not count the client's FIN in next_seq here;
            // the checks that follow accept next_seq and next_seq + 1.
            self.client.next_seq = t.seq.wrapping_add(t.payload_len);
            self.set_state(TcpState::CloseWait);
        } else {
            self.server.next_seq = t.seq.wrapping_add(t.payload_len).wrapping_add(1);
            self.set_state(TcpState::FinWait1);
        }
        Verdict::Accept
    }

    /// `StreamTcpPacketStateEstablished`.
    fn state_established(&mut self, to_server: bool, t: &TcpMeta) -> Verdict {
        let f = t.flags;
        if f & tcp_flags::RST != 0 {
            if self.rst_valid(to_server, t) {
                self.set_state(TcpState::Closed);
            }
            Verdict::Reject
        } else if f & tcp_flags::FIN != 0 {
            self.handle_fin(to_server, t)
        } else if f & tcp_flags::SYN != 0 {
            Verdict::Reject
        } else if f & tcp_flags::ACK != 0 {
            self.established_ack(to_server, t)
        } else {
            Verdict::Accept
        }
    }

    /// `HandleEstablishedPacketToServer` / `...ToClient` (no async-oneside):
    /// an ACK whose acknowledgement is invalid, data wholly before what the
    /// peer acked, or data beyond the window's right edge is refused (its
    /// data is not added to the stream). The sender's `next_seq` moves
    /// before the window check, as in Suricata.
    fn established_ack(&mut self, to_server: bool, t: &TcpMeta) -> Verdict {
        let (seq, ack, len) = (t.seq, t.ack, t.payload_len);
        let end = seq.wrapping_add(len);
        // Suricata's exception for an ACK of a zero-window probe's byte
        // (`STREAMTCP_FLAG_ZWP_*`) never applies: `StreamTcpPacket` clears
        // the flag on every packet of the other direction before this runs.
        let first_server_pkt = !to_server && self.flags & MIDSTREAM_ESTABLISHED != 0;
        let (sender, receiver) = self.sides(to_server);
        if t.flags & tcp_flags::ACK != 0 && !receiver.ack_valid(ack) {
            return Verdict::Tracked { segment: false }; // stream.est_invalid_ack
        }
        if first_server_pkt {
            // The server's first packet after a midstream pick-up: its
            // window, as Suricata keeps it, on the server's stream.
            sender.window = u32::from(t.window) << sender.wscale;
            sender.set_next_win();
            self.flags &= !MIDSTREAM_ESTABLISHED;
        }
        let midstream = self.flags & MIDSTREAM != 0;
        let (sender, receiver) = self.sides(to_server);
        let keep_alive = len <= 1 && seq == sender.next_seq.wrapping_sub(1);
        if !keep_alive
            && seq_lt(end, sender.last_ack)
            && !(seq_gt(sender.last_ack, sender.next_seq) && seq_gt(end, sender.next_seq))
        {
            // Data before the peer's ack, unless the peer acked data we
            // never saw and this packet reaches past what we saw.
            return Verdict::Tracked { segment: false }; // stream.est_pkt_before_last_ack
        }
        if len == 1 && seq == sender.next_seq && sender.window == 0 {
            // Zero-window probe: kept, no window check, no window update.
            return Verdict::Tracked { segment: true };
        }
        if !seq_lt(end, sender.next_seq) {
            sender.next_seq = end;
        }
        if !(seq_leq(end, sender.next_win) || midstream) {
            return Verdict::Tracked { segment: false }; // stream.est_packet_out_of_window
        }
        receiver.window = u32::from(t.window) << receiver.wscale;
        receiver.update_last_ack(ack);
        receiver.update_next_win();
        Verdict::Tracked { segment: true }
    }

    /// RST in any closing state: accepted ones close the session.
    fn closing_rst(&mut self, to_server: bool, t: &TcpMeta) -> Verdict {
        if self.rst_valid(to_server, t) {
            self.set_state(TcpState::Closed);
        }
        Verdict::Reject
    }

    /// `StreamTcpPacketStateFinWait1`: the server sent a FIN.
    fn state_fin_wait1(&mut self, to_server: bool, t: &TcpMeta) -> Verdict {
        let f = t.flags;
        let (seq, ack, len) = (t.seq, t.ack, t.payload_len);
        if f & tcp_flags::RST != 0 {
            return self.closing_rst(to_server, t);
        }
        if f & tcp_flags::FIN != 0 {
            // FIN|ACK goes to TimeWait, a bare FIN to Closing.
            let next = if f & tcp_flags::ACK != 0 {
                TcpState::TimeWait
            } else {
                TcpState::Closing
            };
            let retransmission = if to_server {
                self.client.is_retransmission(seq, len)
            } else {
                self.server.is_retransmission(seq, len)
                    || (f & tcp_flags::ACK != 0
                        && seq == self.server.next_seq.wrapping_sub(1)
                        && ack == self.client.last_ack)
            };
            let sender_next = if to_server {
                self.client.next_seq
            } else {
                self.server.next_seq
            };
            if !retransmission && seq_lt(seq, sender_next.wrapping_sub(1)) {
                return Verdict::Reject; // stream.fin1_fin_wrong_seq
            }
            if !retransmission {
                self.set_state(next);
            }
            return Verdict::Accept;
        }
        if f & tcp_flags::SYN != 0 {
            return Verdict::Reject;
        }
        if f & tcp_flags::ACK != 0 {
            if to_server {
                let retransmission = self.client.is_retransmission(seq, len);
                if !retransmission && ack == self.server.next_seq && seq == self.client.next_seq {
                    self.set_state(TcpState::FinWait2);
                }
            } else {
                let retransmission = self.server.is_retransmission(seq, len);
                if !retransmission && seq == self.server.next_seq.wrapping_sub(1) {
                    self.set_state(TcpState::FinWait2);
                }
            }
        }
        Verdict::Accept
    }

    /// `StreamTcpPacketStateFinWait2`: the client acknowledged the server's
    /// FIN; the client's FIN ends it.
    fn state_fin_wait2(&mut self, to_server: bool, t: &TcpMeta) -> Verdict {
        let f = t.flags;
        let (seq, ack, len) = (t.seq, t.ack, t.payload_len);
        if f & tcp_flags::RST != 0 {
            return self.closing_rst(to_server, t);
        }
        if f & tcp_flags::FIN != 0 {
            let (sender, receiver) = if to_server {
                (self.client, self.server)
            } else {
                (self.server, self.client)
            };
            let retransmission = (seq == sender.next_seq.wrapping_sub(1)
                && ack == receiver.last_ack)
                || sender.is_retransmission(seq, len);
            if !retransmission && seq_lt(seq, sender.next_seq) {
                return Verdict::Reject; // stream.fin2_fin_wrong_seq
            }
            if !retransmission {
                self.set_state(TcpState::TimeWait);
            }
            return Verdict::Accept;
        }
        if f & tcp_flags::SYN != 0 {
            return Verdict::Reject;
        }
        Verdict::Accept
    }

    /// `StreamTcpPacketStateClosing`: both FINs crossed; an ACK ends it.
    fn state_closing(&mut self, to_server: bool, t: &TcpMeta) -> Verdict {
        let f = t.flags;
        if f & tcp_flags::RST != 0 {
            return self.closing_rst(to_server, t);
        }
        if f & tcp_flags::SYN != 0 || f & tcp_flags::ACK == 0 {
            return Verdict::Reject;
        }
        let sender = if to_server { self.client } else { self.server };
        if t.seq != sender.next_seq {
            return Verdict::Reject; // stream.closing_ack_wrong_seq
        }
        if !sender.is_retransmission(t.seq, t.payload_len) {
            self.set_state(TcpState::TimeWait);
        }
        Verdict::Accept
    }

    /// `StreamTcpPacketStateCloseWait`: the client sent a FIN; the server's
    /// FIN moves on to `LastAck`.
    fn state_close_wait(&mut self, to_server: bool, t: &TcpMeta) -> Verdict {
        let f = t.flags;
        if f & tcp_flags::RST != 0 {
            return self.closing_rst(to_server, t);
        }
        if f & tcp_flags::FIN != 0 {
            let sender = if to_server { self.client } else { self.server };
            let retransmission = sender.is_retransmission(t.seq, t.payload_len);
            if !retransmission && seq_lt(t.seq, sender.next_seq) {
                return Verdict::Reject; // stream.closewait_fin_out_of_window
            }
            if !to_server && !retransmission {
                self.server.next_seq = t.seq.wrapping_add(t.payload_len).wrapping_add(1);
                self.set_state(TcpState::LastAck);
            }
            return Verdict::Accept;
        }
        if f & tcp_flags::SYN != 0 {
            return Verdict::Reject;
        }
        Verdict::Accept
    }

    /// `StreamTcpPacketStateLastAck`: the client's ACK of the server's FIN
    /// closes the session.
    fn state_last_ack(&mut self, to_server: bool, t: &TcpMeta) -> Verdict {
        let f = t.flags;
        if f & tcp_flags::RST != 0 {
            return self.closing_rst(to_server, t);
        }
        if f & tcp_flags::SYN != 0 {
            return Verdict::Reject;
        }
        if f & tcp_flags::FIN == 0 && f & tcp_flags::ACK != 0 && to_server {
            let next = self.client.next_seq;
            if !self.client.is_retransmission(t.seq, t.payload_len) {
                if seq_lt(t.seq, next) {
                    // older data, no change
                } else if t.seq != next && t.seq != next.wrapping_add(1) {
                    return Verdict::Reject; // stream.lastack_ack_wrong_seq
                } else {
                    self.set_state(TcpState::Closed);
                }
            }
        }
        Verdict::Accept
    }

    /// `StreamTcpPacketStateTimeWait`: the last ACK closes the session.
    fn state_time_wait(&mut self, to_server: bool, t: &TcpMeta) -> Verdict {
        let f = t.flags;
        if f & tcp_flags::RST != 0 {
            return self.closing_rst(to_server, t);
        }
        if f & tcp_flags::SYN != 0 {
            return Verdict::Reject;
        }
        if f & tcp_flags::FIN == 0 && f & tcp_flags::ACK != 0 {
            let (seq, len) = (t.seq, t.payload_len);
            if to_server {
                let next = self.client.next_seq;
                let retransmission = self.client.is_retransmission(seq, len);
                if !retransmission && seq != next && seq != next.wrapping_add(1) {
                    return Verdict::Reject; // stream.timewait_ack_wrong_seq
                }
                if !retransmission {
                    self.set_state(TcpState::Closed);
                }
            } else {
                let next = self.server.next_seq;
                let retransmission = self.server.is_retransmission(seq, len);
                if !retransmission && seq != next.wrapping_sub(1) && seq != next {
                    return Verdict::Reject;
                }
                if !retransmission {
                    self.set_state(TcpState::Closed);
                }
            }
        }
        Verdict::Accept
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flow::packet::tcp_flags::{ACK, FIN, PSH, RST, SYN};

    fn seg(flags: u8, seq: u32, ack: u32, len: u32) -> TcpMeta {
        TcpMeta {
            src_port: 0,
            dst_port: 0,
            flags,
            seq,
            ack,
            window: 1024,
            payload_len: len,
            timestamp: None,
            wscale: None,
            checksum_ok: true,
        }
    }

    /// Client ISN 1000, server ISN 5000: SYN, SYN/ACK, ACK.
    fn handshake(s: &mut TcpSession) {
        assert!(s.process(true, &seg(SYN, 1000, 0, 0), false).new_session);
        assert_eq!(s.state(), TcpState::SynSent);
        s.process(false, &seg(SYN | ACK, 5000, 1001, 0), false);
        assert_eq!(s.state(), TcpState::SynRecv);
        let out = s.process(true, &seg(ACK, 1001, 5001, 0), false);
        assert!(!out.established_with_data);
        assert_eq!(s.state(), TcpState::Established);
    }

    #[test]
    fn three_way_handshake() {
        let mut s = TcpSession::default();
        handshake(&mut s);
        assert!(s.state().is_established());
    }

    #[test]
    fn synack_with_wrong_ack_is_ignored() {
        let mut s = TcpSession::default();
        s.process(true, &seg(SYN, 1000, 0, 0), false);
        s.process(false, &seg(SYN | ACK, 5000, 7777, 0), false);
        assert_eq!(s.state(), TcpState::SynSent);
    }

    #[test]
    fn handshake_ack_with_data_is_established_at_once() {
        let mut s = TcpSession::default();
        s.process(true, &seg(SYN, 1000, 0, 0), false);
        s.process(false, &seg(SYN | ACK, 5000, 1001, 0), false);
        let out = s.process(true, &seg(ACK | PSH, 1001, 5001, 20), false);
        assert!(out.established_with_data);
        assert_eq!(s.state(), TcpState::Established);
    }

    #[test]
    fn graceful_close_client_first() {
        // Client FIN -> CloseWait, server FIN -> LastAck, client ACK -> Closed
        // (the sequence of the flowbits-toggle-pre-9 conformance capture).
        let mut s = TcpSession::default();
        handshake(&mut s);
        s.process(true, &seg(ACK | PSH, 1001, 5001, 81), false);
        s.process(false, &seg(ACK, 5001, 1082, 0), false);
        s.process(false, &seg(ACK | PSH, 5001, 1082, 259), false);
        s.process(true, &seg(ACK, 1082, 5260, 0), false);
        s.process(true, &seg(FIN | ACK, 1082, 5260, 0), false);
        assert_eq!(s.state(), TcpState::CloseWait);
        s.process(false, &seg(FIN | ACK, 5260, 1083, 0), false);
        assert_eq!(s.state(), TcpState::LastAck);
        s.process(true, &seg(ACK, 1083, 5261, 0), false);
        assert_eq!(s.state(), TcpState::Closed);
    }

    #[test]
    fn graceful_close_server_first() {
        // Server FIN -> FinWait1, client ACK -> FinWait2, client FIN ->
        // TimeWait, server ACK -> Closed.
        let mut s = TcpSession::default();
        handshake(&mut s);
        s.process(false, &seg(FIN | ACK, 5001, 1001, 0), false);
        assert_eq!(s.state(), TcpState::FinWait1);
        s.process(true, &seg(ACK, 1001, 5002, 0), false);
        assert_eq!(s.state(), TcpState::FinWait2);
        s.process(true, &seg(FIN | ACK, 1001, 5002, 0), false);
        assert_eq!(s.state(), TcpState::TimeWait);
        s.process(false, &seg(ACK, 5002, 1002, 0), false);
        assert_eq!(s.state(), TcpState::Closed);
    }

    #[test]
    fn rst_needs_the_expected_sequence_number() {
        let mut s = TcpSession::default();
        handshake(&mut s);
        s.process(true, &seg(RST, 999_999, 0, 0), false);
        assert_eq!(s.state(), TcpState::Established, "blind RST rejected");
        s.process(true, &seg(RST | ACK, 1001, 5001, 13), false);
        assert_eq!(s.state(), TcpState::Closed);
    }

    #[test]
    fn refused_connection_closes() {
        let mut s = TcpSession::default();
        s.process(true, &seg(SYN, 1000, 0, 0), false);
        s.process(false, &seg(RST | ACK, 0, 1001, 0), false);
        assert_eq!(s.state(), TcpState::Closed);
    }

    #[test]
    fn midstream_off_creates_no_session() {
        for f in [ACK, ACK | PSH, SYN | ACK, FIN | ACK, RST] {
            let mut s = TcpSession::default();
            let out = s.process(true, &seg(f, 10, 20, 5), false);
            assert!(!out.new_session && !s.exists(), "flags {f:#x}");
        }
    }

    #[test]
    fn midstream_pickups() {
        let mut s = TcpSession::default();
        let out = s.process(true, &seg(ACK, 10, 20, 5), true);
        assert!(out.new_session && out.midstream_pickup && !out.swap);
        assert_eq!(s.state(), TcpState::Established);

        let mut s = TcpSession::default();
        let out = s.process(true, &seg(SYN | ACK, 5000, 1001, 0), true);
        assert!(out.swap && out.midstream_pickup);
        assert_eq!(s.state(), TcpState::SynRecv);
        // After the swap the SYN/ACK's receiver is the client; its ACK
        // completes the handshake.
        s.process(true, &seg(ACK, 1001, 5001, 0), true);
        assert_eq!(s.state(), TcpState::Established);

        let mut s = TcpSession::default();
        assert!(
            !s.process(true, &seg(FIN | ACK, 10, 20, 0), true)
                .new_session
        );
        assert!(
            s.process(true, &seg(FIN | ACK, 10, 20, 4), true)
                .new_session
        );
        assert_eq!(s.state(), TcpState::FinWait1);
    }

    fn with_ts(mut t: TcpMeta, val: u32, ecr: u32) -> TcpMeta {
        t.timestamp = Some((val, ecr));
        t
    }

    #[test]
    fn rst_with_an_older_timestamp_is_ignored() {
        // proto-mismatch-http-ssh: the server's RST carries TSval 0 on a
        // session that negotiated timestamps; Suricata's PAWS check drops it.
        let mut s = TcpSession::default();
        s.process(true, &with_ts(seg(SYN, 1000, 0, 0), 500, 0), false);
        s.process(
            false,
            &with_ts(seg(SYN | ACK, 5000, 1001, 0), 9000, 500),
            false,
        );
        s.process(true, &with_ts(seg(ACK, 1001, 5001, 0), 501, 9000), false);
        assert_eq!(s.state(), TcpState::Established);
        s.process(
            false,
            &with_ts(seg(RST | ACK, 5001, 1001, 0), 0, 501),
            false,
        );
        assert_eq!(s.state(), TcpState::Established);
        s.process(
            false,
            &with_ts(seg(RST | ACK, 5001, 1001, 0), 9001, 501),
            false,
        );
        assert_eq!(s.state(), TcpState::Closed);
    }

    #[test]
    fn synack_must_echo_the_syn_timestamp_or_a_resent_syns() {
        // bug-4376: the SYN is resent with a new TSval; the SYN/ACK echoes
        // the second one.
        let mut s = TcpSession::default();
        s.process(true, &with_ts(seg(SYN, 1000, 0, 0), 100, 0), false);
        s.process(
            false,
            &with_ts(seg(SYN | ACK, 5000, 1001, 0), 7, 999),
            false,
        );
        assert_eq!(s.state(), TcpState::SynSent, "echo of no SYN we saw");
        s.process(true, &with_ts(seg(SYN, 1000, 0, 0), 350, 0), false);
        s.process(
            false,
            &with_ts(seg(SYN | ACK, 5000, 1001, 0), 7, 350),
            false,
        );
        assert_eq!(s.state(), TcpState::SynRecv);
    }

    #[test]
    fn fast_open_synack_may_ack_the_syn_data() {
        let mut s = TcpSession::default();
        s.process(true, &seg(SYN, 1000, 0, 86), false);
        s.process(false, &seg(SYN | ACK, 5000, 1087, 0), false);
        assert_eq!(s.state(), TcpState::SynRecv);
        s.process(true, &seg(ACK, 1087, 5001, 0), false);
        assert_eq!(s.state(), TcpState::Established);
    }

    #[test]
    fn four_way_split_handshake() {
        // tcp-split-handshake-01-4whs: SYN, server SYN, client SYN/ACK,
        // server ACK.
        let mut s = TcpSession::default();
        s.process(true, &seg(SYN, 1000, 0, 0), false);
        s.process(false, &seg(SYN, 3000, 0, 0), false);
        assert_eq!(s.state(), TcpState::SynSent);
        s.process(true, &seg(SYN | ACK, 1000, 3001, 0), false);
        assert_eq!(s.state(), TcpState::SynRecv);
        s.process(false, &seg(ACK, 3001, 1001, 0), false);
        assert_eq!(s.state(), TcpState::Established);
        s.process(true, &seg(RST, 1001, 0, 0), false);
        assert_eq!(s.state(), TcpState::Closed);
    }

    #[test]
    fn reuse_rules() {
        let syn = seg(SYN, 1000, 0, 0);
        let new_syn = seg(SYN, 90_000, 0, 0);
        let mut s = TcpSession::default();
        assert!(
            s.is_reuse(&syn, true, false),
            "no session: a SYN starts over"
        );
        s.process(true, &syn, false);
        assert!(
            !s.is_reuse(&syn, true, false),
            "same ISN is a retransmission"
        );
        assert!(!s.is_reuse(&new_syn, true, false), "SynSent is not done");
        s.state = TcpState::TimeWait;
        assert!(
            !s.is_reuse(&new_syn, true, false),
            "TimeWait sorts below LastAck"
        );
        for done in [
            TcpState::LastAck,
            TcpState::CloseWait,
            TcpState::Closing,
            TcpState::Closed,
        ] {
            s.state = done;
            assert!(s.is_reuse(&new_syn, true, false), "{done:?}");
        }
        assert!(
            !s.is_reuse(&seg(SYN | ACK, 1, 2, 0), true, false),
            "SYN/ACK only with midstream"
        );
        assert!(!s.is_reuse(&seg(SYN | RST, 1, 2, 0), true, false));
    }

    fn win(t: TcpMeta, window: u16, wscale: Option<u8>) -> TcpMeta {
        TcpMeta {
            window,
            wscale,
            ..t
        }
    }

    /// A handshake with the given window-scale options; every window 512.
    fn scaled_handshake(isn_c: u32, isn_s: u32, syn: Option<u8>, synack: Option<u8>) -> TcpSession {
        let mut s = TcpSession::default();
        s.process(true, &win(seg(SYN, isn_c, 0, 0), 512, syn), false);
        let c1 = isn_c.wrapping_add(1);
        let s1 = isn_s.wrapping_add(1);
        s.process(
            false,
            &win(seg(SYN | ACK, isn_s, c1, 0), 512, synack),
            false,
        );
        s.process(true, &win(seg(ACK, c1, s1, 0), 512, None), false);
        assert_eq!(s.state(), TcpState::Established);
        s
    }

    #[test]
    fn window_scaling_applies_after_the_handshake_only() {
        let s = scaled_handshake(1000, 5000, Some(7), Some(7));
        // SYN and SYN/ACK windows are never scaled.
        assert_eq!(s.client.window, 512);
        assert_eq!(s.client.next_win, 1001 + 512);
        assert_eq!((s.client.wscale, s.server.wscale), (7, 7));
        // The client's ACK (512 << 7) sets the server's window.
        assert_eq!(s.server.window, 512 << 7);
        assert_eq!(s.server.next_win, 5001 + (512 << 7));
        // Without the option on both, no scaling of the client's windows
        // by the SYN/ACK's shift; Suricata keeps the SYN's shift for the
        // server's (StreamTcp3whsSynAckUpdate sets only the client's).
        let s = scaled_handshake(1000, 5000, Some(7), None);
        assert_eq!((s.client.wscale, s.server.wscale), (0, 7));
        let s = scaled_handshake(1000, 5000, None, Some(7));
        assert_eq!((s.client.wscale, s.server.wscale), (0, 0));
        assert_eq!(s.server.next_win, 5001 + 512);
        // A shift above 14 counts as 0.
        let s = scaled_handshake(1000, 5000, Some(15), Some(15));
        assert_eq!((s.client.wscale, s.server.wscale), (0, 0));
    }

    #[test]
    fn data_past_next_win_is_refused_but_moves_next_seq() {
        let mut s = scaled_handshake(1000, 5000, None, None);
        // The server may send up to 5001 + 512.
        let out = s.process(false, &seg(ACK | PSH, 5001, 1001, 512), false);
        assert!(out.segment);
        let out = s.process(false, &seg(ACK | PSH, 5513, 1001, 1), false);
        assert!(!out.segment, "one byte past next_win");
        assert_eq!(s.server.next_seq, 5514);
        // An ACK beyond next_win is invalid: the packet is refused and
        // changes nothing.
        let out = s.process(true, &win(seg(ACK | PSH, 1001, 5514, 10), 512, None), false);
        assert!(!out.segment);
        assert_eq!((s.server.last_ack, s.client.next_seq), (5001, 1001));
        // An ACK up to next_win is valid and opens the window further.
        let out = s.process(true, &win(seg(ACK | PSH, 1001, 5513, 10), 512, None), false);
        assert!(out.segment);
        assert_eq!(s.server.last_ack, 5513);
        assert_eq!(s.server.next_win, 5513 + 512);
    }

    #[test]
    fn next_win_never_moves_back() {
        let mut s = scaled_handshake(1000, 5000, None, None);
        assert_eq!(s.server.next_win, 5513);
        // A smaller window does not pull the right edge back.
        s.process(true, &win(seg(ACK, 1001, 5001, 0), 100, None), false);
        assert_eq!((s.server.window, s.server.next_win), (100, 5513));
        let out = s.process(false, &seg(ACK | PSH, 5001, 1001, 512), false);
        assert!(out.segment);
    }

    #[test]
    fn ack_validation_edges() {
        let mut side = Side {
            last_ack: 10_000,
            window: 1000,
            next_win: 11_000,
            ..Side::default()
        };
        assert!(side.ack_valid(10_000));
        assert!(side.ack_valid(11_000));
        assert!(!side.ack_valid(11_001));
        // Older ACKs: valid down to last_ack - window.
        assert!(side.ack_valid(9_000));
        assert!(!side.ack_valid(8_999));
        // With a zero window any older ACK passes.
        side.window = 0;
        assert!(side.ack_valid(1));
        // Across the wrap of the sequence space.
        let side = Side {
            last_ack: u32::MAX - 99,
            window: 1000,
            next_win: 900,
            ..Side::default()
        };
        assert!(side.ack_valid(0));
        assert!(side.ack_valid(900));
        assert!(!side.ack_valid(901));
        assert!(side.ack_valid(u32::MAX - 1099));
        assert!(!side.ack_valid(u32::MAX - 1100));
    }

    #[test]
    fn windows_across_the_sequence_wrap() {
        // The server's window (512 << 7) ends past 2^32.
        let isn_s = u32::MAX - 1000;
        let mut s = scaled_handshake(1000, isn_s, Some(7), Some(7));
        let s1 = isn_s.wrapping_add(1);
        assert_eq!(s.server.next_win, s1.wrapping_add(512 << 7));
        let out = s.process(
            false,
            &seg(ACK | PSH, s1.wrapping_add(60_000), 1001, 1000),
            false,
        );
        assert!(out.segment, "in window across the wrap");
        let past = s1.wrapping_add((512 << 7) - 10);
        let out = s.process(false, &seg(ACK | PSH, past, 1001, 20), false);
        assert!(!out.segment, "past the edge across the wrap");
        let ack = s1.wrapping_add(61_000);
        let out = s.process(true, &win(seg(ACK | PSH, 1001, ack, 5), 512, None), false);
        assert!(out.segment);
        assert_eq!(s.server.last_ack, ack);
        assert_eq!(s.server.next_win, ack.wrapping_add(512 << 7));
    }

    #[test]
    fn midstream_pickup_skips_the_window_check_not_the_ack_check() {
        let mut s = TcpSession::default();
        // Picked up with window 1, scaled by 14: next_win 1001 + 16384.
        s.process(true, &win(seg(ACK | PSH, 1001, 5001, 10), 1, None), true);
        assert_eq!(s.state(), TcpState::Established);
        assert_eq!(s.client.next_win, 1001 + 16384);
        // The server's next_win is its ACK until a window is seen: the
        // client cannot ack past it.
        let out = s.process(true, &seg(ACK | PSH, 1011, 5002, 10), true);
        assert!(!out.segment);
        // Past the client's window: midstream sessions take it.
        let out = s.process(true, &seg(ACK | PSH, 17_000, 5001, 1000), true);
        assert!(out.segment);
        // The server's first packet sets its window (1024 << 14).
        let out = s.process(false, &seg(ACK | PSH, 5001, 17_385, 10), true);
        assert!(out.segment);
        assert_eq!(s.server.next_win, 5001 + (1024 << 14));
        let out = s.process(true, &seg(ACK | PSH, 18_000, 5011, 10), true);
        assert!(out.segment);
    }

    #[test]
    fn session_stays_small() {
        assert!(std::mem::size_of::<TcpSession>() <= 72);
    }
}
