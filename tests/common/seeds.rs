//! The committed seed captures (`pcaps/`, made by
//! `examples/make_seed_pcaps.rs`, see `pcaps/README.md`): where they are,
//! and the numbers their generator's plan fixes. Shared by the tests that
//! read them (`seed_pcaps`, `report_seeds`). Included with
//! `#[path = "common/seeds.rs"] mod seeds;`.

#![allow(dead_code)]

use std::path::PathBuf;

/// The path of committed seed capture `name`.
pub fn seed_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("pcaps")
        .join(name)
}

/// The unique sources CERT Polska's wave generator puts in window `w`:
/// 118.122.188.27 and 121.14.5.100 always, 184.107.227.10 in even
/// windows, 124.74.192.107 every third, 221.194.128.145 every fourth, and
/// 15 - |w - 30| other sources (never negative).
pub fn cert_unique_sources(w: u64) -> u64 {
    2 + u64::from(w % 2 == 0)
        + u64::from(w % 3 == 0)
        + u64::from(w % 4 == 0)
        + 15u64.saturating_sub(w.abs_diff(30))
}
