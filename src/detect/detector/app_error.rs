//! The detector's part of `app-layer.error-policy`: when the flow's
//! app-layer parser fails on the packet ([`FlowApp::parse_error`]), the
//! policy in effect (see [`crate::flow::app_layer_error_policy`]) is
//! applied as Suricata's `ExceptionPolicyApply` does, before any rule:
//! - `drop-packet`, `pass-packet`: the packet is not inspected (and
//!   dropped in IPS mode, for `drop-packet`);
//! - `drop-flow`: neither is the rest of the flow (all dropped in IPS
//!   mode); `pass-flow`, `bypass`: the rest of the flow is not inspected;
//! - `reject`, `rejectboth`: in IPS mode `drop-flow` plus a reject of this
//!   packet; in IDS mode the packet is still inspected;
//! - `ignore`: nothing.

use crate::applayer::Observed;
use crate::flow::ExceptionPolicy as P;
use crate::ips::RejectDirection;
use crate::output::AlertSink;
use crate::runtime::PacketCtx;

use super::super::actions::{FlowState, FlowVerdict, Verdict};
use super::{Detector, View};

impl<S: AlertSink> Detector<S> {
    /// Applies the app-layer error policy when the flow's parser fails on
    /// the packet; whether inspection of the packet stops.
    pub(super) fn app_layer_error(
        &mut self,
        ctx: &PacketCtx<'_>,
        v: &View<'_, '_>,
        flow: Option<&mut FlowState>,
    ) -> bool {
        let (Some(f), Some(state), Some(ports)) = (ctx.flow, flow, v.ports) else {
            return false;
        };
        let pkt = Observed {
            ip_proto: v.proto(),
            to_server: f.direction == crate::flow::Direction::ToServer,
            ports,
            stream_ready: f.stream_established,
            payload: v.payload,
        };
        if !state.app.parse_error(&pkt) {
            return false;
        }
        let ips = self.ips_mode;
        let drop = if ips { Verdict::Drop } else { Verdict::Accept };
        let policy = self.post.app_layer_error_policy(ips);
        match policy {
            P::Ignore | P::Auto => false,
            P::PassPacket => true,
            P::DropPacket => {
                self.last_verdict = drop;
                true
            }
            P::PassFlow | P::Bypass => {
                state.set_verdict(FlowVerdict::Pass);
                true
            }
            P::DropFlow => {
                state.set_verdict(FlowVerdict::Drop);
                self.last_verdict = drop;
                true
            }
            P::Reject | P::RejectBoth if ips => {
                state.set_verdict(FlowVerdict::Drop);
                self.last_verdict = Verdict::Reject;
                self.last_reject = if policy == P::RejectBoth {
                    RejectDirection::Both
                } else {
                    RejectDirection::Source
                };
                true
            }
            P::Reject | P::RejectBoth => false,
        }
    }
}
