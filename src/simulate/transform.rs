//! EventBridge input-transformer semantics (being written).
