//! Acceptance-test harness: a local AWS emulator (moto by default,
//! LocalStack with `TODO_ACC_TARGET=localstack`) and the real `terraform`
//! CLI driving the provider through `dev_overrides`.
//!
//! Everything the tests need is installed on first use into the repository's
//! ignored `.build/` directory (a Python venv with pinned versions). A missing
//! `terraform` or `python3` fails the test with an instruction; nothing is
//! skipped silently.

pub mod emulator;
pub mod proxy;
pub mod stack;
pub mod terraform;

use std::path::PathBuf;

pub use emulator::{Emulator, Target};
pub use terraform::{TfOutput, Workspace};

/// The repository root.
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("acceptance-tests lives in the repository root")
        .to_path_buf()
}

/// The ignored build area for venvs and scratch files.
pub fn build_dir() -> PathBuf {
    let dir = repo_root().join(".build");
    std::fs::create_dir_all(&dir).expect("create .build");
    dir
}

/// The provider binary under test: `TODO_PROVIDER_BIN` if set, otherwise
/// the build of `provider/src/main.rs` that cargo made for this test run
/// (this crate's `todo-provider-under-test` target, next to the test
/// executable's `deps/` directory).
pub fn provider_binary() -> PathBuf {
    if let Ok(path) = std::env::var("TODO_PROVIDER_BIN") {
        return PathBuf::from(path);
    }
    let exe = std::env::current_exe().expect("current test executable");
    let profile_dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("test executable lives in target/<profile>/deps");
    profile_dir.join("todo-provider-under-test")
}
