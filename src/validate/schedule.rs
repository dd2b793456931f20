//! Schedule expressions (stub until the real module lands).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleError {
    pub message: String,
    pub help: String,
}
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Schedule {
    Rate,
}
pub fn parse_schedule(_expr: &str) -> Result<Schedule, ScheduleError> {
    Ok(Schedule::Rate)
}
