//! Detection: signature groups, the fast-pattern prefilter and full rule
//! evaluation over named inspection buffers. (Being built.)

pub mod keywords;
