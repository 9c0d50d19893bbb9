//! Keyword evaluators: one module per rule keyword family, each a pure
//! function of the inspected bytes and per-packet match state. (Being
//! built.)
