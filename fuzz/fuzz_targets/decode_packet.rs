//! Arbitrary bytes as a packet of every link type, with and without
//! `inspect_invalid`: decoding must never panic and every view must stay
//! inside its checked lengths.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    rulewire::decode::fuzz_decode_all(data);
});
