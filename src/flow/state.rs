//! Small value types shared by the flow table and its callers: the flow
//! state Suricata's timeouts and end counters use, and a packet's direction.

/// Suricata's flow state (`enum FlowState` in `src/flow.h`), which picks the
/// timeout and names the `flow.end.state.*` counter a flow ends under.
/// Suricata's bypass states do not exist here (we never bypass).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FlowState {
    /// Created, not yet established.
    #[default]
    New = 0,
    /// TCP: the stream reached `Established` (or a later open state).
    /// Other protocols: packets seen in both directions.
    Established = 1,
    /// TCP only: `LastAck`, `TimeWait` or `Closed`.
    Closed = 2,
}

impl FlowState {
    /// Every state.
    pub const ALL: [FlowState; 3] = [FlowState::New, FlowState::Established, FlowState::Closed];

    /// The counter name under `flow.end.state`.
    pub fn name(self) -> &'static str {
        match self {
            FlowState::New => "new",
            FlowState::Established => "established",
            FlowState::Closed => "closed",
        }
    }
}

/// A packet's direction within its flow, as `flow:to_server` /
/// `flow:to_client` test it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Direction {
    /// From the client (`to_server`, `from_client`).
    ToServer,
    /// From the server (`to_client`, `from_server`).
    ToClient,
}

impl Direction {
    /// True for [`Direction::ToServer`].
    pub fn is_to_server(self) -> bool {
        self == Direction::ToServer
    }

    /// The other direction.
    pub fn reversed(self) -> Direction {
        match self {
            Direction::ToServer => Direction::ToClient,
            Direction::ToClient => Direction::ToServer,
        }
    }

    /// 0 for to-server, 1 for to-client: an index for per-direction arrays.
    pub fn index(self) -> usize {
        match self {
            Direction::ToServer => 0,
            Direction::ToClient => 1,
        }
    }
}
