//! Offline trigger testing: which tasks an event starts, and with what overrides.

pub mod pattern;
pub mod transform;
