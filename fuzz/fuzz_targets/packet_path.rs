//! Arbitrary bytes split into frames (`[link][dt][len lo][len hi][bytes]`
//! after a knob byte) and run through one runtime `Worker` with tiny flow
//! and defrag limits: decode, defragmentation, flow creation, timeouts and
//! eviction must never panic, and memory must stay under the caps (see
//! `rulewire::runtime::fuzz_packet_path`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    rulewire::runtime::fuzz_packet_path(data);
});
