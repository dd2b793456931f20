//! The generated spec both benchmarks measure (`benches/check.rs` in-process,
//! `benches/process.rs` as whole processes): half the tasks event-triggered with an environment
//! override, half scheduled.

/// The generated spec of `n` tasks, task ids from `first`.
pub fn spec(n: usize, first: usize) -> String {
    let mut s = String::from(
        "version: 1\nname: bench\ndefaults:\n  image: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1\n  network:\n    subnets: [subnet-0123456789abcdef0]\ntasks:\n",
    );
    for i in first..first + n {
        if i % 2 == 0 {
            s.push_str(&format!(
                "  t{i}:\n    trigger:\n      event:\n        source: [com.acme]\n        detail-type: [T{i}]\n    overrides:\n      environment:\n        X: {{ from: $.detail.x }}\n"
            ));
        } else {
            s.push_str(&format!(
                "  t{i}:\n    trigger:\n      schedule: cron({} 3 * * ? *)\n",
                i % 60
            ));
        }
    }
    s
}
