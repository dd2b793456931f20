//! The `tfc` binary: parse the command line and hand over to `tfc::cli`.

use clap::Parser;

/// The allocator: mimalloc. tfc builds and drops many small trees (YAML values, the plan, a
/// template's nodes); glibc's malloc spent about 30 % of `check`'s instructions on them, mimalloc
/// a fifth of that less in all (callgrind: 50 files of 10 tasks 266 M -> 202 M instructions,
/// Terraform 1,000 tasks 369 M -> 306 M), and `check` over 2,000 files takes a third less wall
/// time (README "Performance").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's option numbers, `enum mi_option_e` of the mimalloc.h that is built (build.rs).
mod mi_option {
    include!(concat!(env!("OUT_DIR"), "/mimalloc_options.rs"));
}

unsafe extern "C" {
    /// mimalloc.h: `void mi_option_set(mi_option_t option, long value)`.
    fn mi_option_set(option: std::ffi::c_int, value: std::ffi::c_long);
}

/// The options for a process that lives milliseconds to seconds and whose peak memory is
/// measured (README "Performance": at most 40 MiB for 1,000 tasks):
/// - arenas are committed as they are used, not at once (`arena_eager_commit` 0), and memory
///   freed goes back to the system after 10 ms (`purge_delay`; mimalloc's default is a second).
///   With the defaults a 1,000-task Terraform compile peaked at 53 MB against glibc's 37 MB;
///   with these, 34–37 MB. A delay of 0 purges on nearly every free: over 2,000 files that was a
///   second of system time.
extern "C" fn set_allocator_options() {
    // SAFETY: mi_option_set writes one entry of mimalloc's static option table (it allocates
    // nothing and needs no initialisation), with option numbers read from mimalloc's header.
    unsafe {
        mi_option_set(mi_option::ARENA_EAGER_COMMIT, 0);
        mi_option_set(mi_option::PURGE_DELAY, 10);
    }
}

/// [`set_allocator_options`] runs before mimalloc reserves its first arena, which happens
/// before `main` (the runtime allocates first) and reads the options then: a numbered
/// `.init_array` entry runs before the unnumbered constructors, mimalloc's among them (std sets
/// up `argv` the same way, at `.init_array.00099`). Elsewhere mimalloc keeps its defaults.
#[cfg(target_os = "linux")]
#[used]
#[unsafe(link_section = ".init_array.00100")]
static SET_ALLOCATOR_OPTIONS: extern "C" fn() = set_allocator_options;

fn main() -> std::process::ExitCode {
    tfc::cli::run(tfc::cli::Cli::parse())
}

#[cfg(test)]
mod tests {
    unsafe extern "C" {
        /// mimalloc.h: `long mi_option_get(mi_option_t option)`.
        fn mi_option_get(option: std::ffi::c_int) -> std::ffi::c_long;
    }

    /// The options were set before `main` (the test harness's `main` is not ours: only the
    /// constructor can have set them), under the numbers mimalloc reads them by.
    #[test]
    #[cfg(target_os = "linux")]
    fn the_allocator_options_are_set_before_main() {
        // SAFETY: mi_option_get reads mimalloc's option table.
        let (eager, delay) = unsafe {
            (
                mi_option_get(super::mi_option::ARENA_EAGER_COMMIT),
                mi_option_get(super::mi_option::PURGE_DELAY),
            )
        };
        assert_eq!((eager, delay), (0, 10));
    }
}
