//! Backends: one file per target, each rendering the model through its own templates.
