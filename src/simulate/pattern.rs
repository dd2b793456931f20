//! EventBridge event-pattern matching (being written).
