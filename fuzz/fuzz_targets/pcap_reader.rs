//! Arbitrary bytes as a capture file: the reader must never panic, never
//! stall, and yield packets then at most one error.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    rulewire::capture::fuzz_pcap_reader(data);
});
