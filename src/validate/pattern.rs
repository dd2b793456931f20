//! Structural validation of EventBridge event patterns (stub until the real module lands).
use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Level {
    Warning,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub level: Level,
    pub pointer: String,
    pub message: String,
    pub help: Option<String>,
}

pub fn check_pattern(_pattern: &Value) -> Vec<Problem> {
    Vec::new()
}
