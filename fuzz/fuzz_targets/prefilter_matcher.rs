//! Arbitrary patterns and an arbitrary haystack through the prefilter's
//! matcher: it must never panic, must report every pattern that occurs
//! within its bound and none that does not occur at all (the body and
//! the input format: `rulewire::detect::prefilter::fuzz_matcher`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    rulewire::detect::prefilter::fuzz_matcher(data);
});
