//! SigmaHQ's regression tests as files: the `info.yml` that a rule's
//! `regression_tests_path` points to, and where its pieces live in the
//! repository. Format only; running a test is `api::regression`.
//!
//! SigmaHQ's layout (rules repository, `tests/regression_tests_runner.py` and
//! `regression_data/`): a rule at `rules/<dirs>/<name>.yml` keeps its tests in
//! `regression_data/rules/<dirs>/<name>/`: `info.yml` and one event file per
//! test, named after the rule's `id` (`<id>.evtx`, with the same events
//! rendered as `<id>.json` next to it). Paths inside `info.yml` are relative
//! to the repository root.
//!
//! `info.yml` holds `id`, `description`, `date`, `author`, `rule_metadata`
//! (a list of `{id, title}`; the runner reads the last entry's `id`) and
//! `regression_tests_info`: a list of `{name, type, provider, match_count?,
//! path}`. The runner runs `evtx` tests on the `.evtx` file and `json`,
//! `ndjson`, `jsonl` tests on the file itself; any other type fails. A test
//! passes when at least `match_count` events match (more only warns), or at
//! least one when `match_count` is absent.

pub mod info;
pub mod layout;

pub use info::*;
pub use layout::*;
