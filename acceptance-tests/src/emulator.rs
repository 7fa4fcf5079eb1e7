//! The local AWS emulator: installed into a venv on first use, started on a
//! free loopback port, health-checked, reset, and always stopped.

use std::fs::File;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::{build_dir, repo_root};

/// Which emulator the tests run against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// moto server: serves every API the stack needs.
    Moto,
    /// LocalStack community in host mode: no EKS, no RDS.
    LocalStack,
}

impl Target {
    /// The target chosen by `TODO_ACC_TARGET` (default moto).
    pub fn from_env() -> Target {
        match std::env::var("TODO_ACC_TARGET")
            .unwrap_or_default()
            .to_ascii_lowercase()
            .as_str()
        {
            "" | "moto" => Target::Moto,
            "localstack" => Target::LocalStack,
            other => panic!("TODO_ACC_TARGET={other:?}: use \"moto\" (default) or \"localstack\""),
        }
    }

    /// Whether this target serves an AWS service (by endpoint name), or
    /// `tagging:s3`: the Resource Groups Tagging API finding S3 buckets by
    /// tag, which is how a stack finds its bucket. LocalStack's tagging API
    /// answers no bucket (nor key) at all: its S3 and KMS are its own, the
    /// tagging API moto's.
    pub fn serves(self, service: &str) -> bool {
        match self {
            Target::Moto => true,
            Target::LocalStack => !matches!(service, "eks" | "rds" | "tagging:s3"),
        }
    }

    /// The account id the emulator reports.
    pub fn account_id(self) -> &'static str {
        match self {
            Target::Moto => "123456789012",
            Target::LocalStack => "000000000000",
        }
    }

    /// A short name for messages.
    pub fn name(self) -> &'static str {
        match self {
            Target::Moto => "moto",
            Target::LocalStack => "localstack",
        }
    }
}

/// A running emulator. Dropping it stops the process.
pub struct Emulator {
    /// The target kind.
    pub target: Target,
    /// `http://127.0.0.1:PORT`.
    pub endpoint: String,
    port: u16,
    process: Child,
    log: PathBuf,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("find a free loopback port")
}

fn find_python(candidates: &[&str]) -> Option<PathBuf> {
    for c in candidates {
        let path = PathBuf::from(c);
        if path.is_absolute() {
            if path.exists() {
                return Some(path);
            }
            continue;
        }
        if Command::new(c)
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
        {
            return Some(path);
        }
    }
    None
}

fn pyenv_python(minor: &str) -> Vec<String> {
    let home = std::env::var("HOME").unwrap_or_default();
    let mut found = Vec::new();
    if let Ok(entries) = std::fs::read_dir(Path::new(&home).join(".pyenv/versions")) {
        let mut names: Vec<String> = entries
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().to_string())
            .collect();
        names.sort();
        for name in names.into_iter().rev() {
            if name.starts_with(minor) {
                found.push(format!("{home}/.pyenv/versions/{name}/bin/python3"));
            }
        }
    }
    found
}

/// Creates the venv `name` with `requirements` unless it is already complete.
/// A lock file serialises concurrent test processes.
fn ensure_venv(
    name: &str,
    requirements: &Path,
    python_candidates: &[String],
    marker_bin: &str,
) -> PathBuf {
    let venv = build_dir().join(name);
    let done = venv.join(".installed");
    let wanted = std::fs::read_to_string(requirements).expect("read requirements");
    if std::fs::read_to_string(&done).ok().as_deref() == Some(wanted.as_str()) {
        return venv;
    }
    let lock = File::create(build_dir().join(format!("{name}.lock"))).expect("create lock file");
    lock.lock().expect("lock venv install");
    if std::fs::read_to_string(&done).ok().as_deref() == Some(wanted.as_str()) {
        return venv;
    }
    let candidates: Vec<&str> = python_candidates.iter().map(String::as_str).collect();
    let python = find_python(&candidates).unwrap_or_else(|| {
        panic!(
            "The acceptance tests need Python ({}) to install the emulator. Install it (e.g. `apt-get install python3 python3-venv`) and run the tests again.",
            python_candidates.join(" or ")
        )
    });
    eprintln!(
        "installing the emulator into {} (first run only)...",
        venv.display()
    );
    let _ = std::fs::remove_dir_all(&venv);
    let status = Command::new(&python)
        .args(["-m", "venv"])
        .arg(&venv)
        .status()
        .expect("run python -m venv");
    assert!(status.success(), "python -m venv {} failed", venv.display());
    let pip = venv.join("bin/pip");
    let status = Command::new(&pip)
        .args(["install", "--quiet", "--disable-pip-version-check", "-r"])
        .arg(requirements)
        .status()
        .expect("run pip");
    assert!(
        status.success(),
        "pip install -r {} failed",
        requirements.display()
    );
    assert!(
        venv.join("bin").join(marker_bin).exists(),
        "{marker_bin} missing after install"
    );
    std::fs::write(&done, wanted).expect("write install marker");
    venv
}

/// Installs the moto venv if needed and returns its directory.
pub fn ensure_moto() -> PathBuf {
    let mut pythons = vec!["python3".to_string(), "python3.11".to_string()];
    pythons.extend(pyenv_python("3.11"));
    ensure_venv(
        "venv-moto",
        &repo_root().join("acceptance-tests/emulator/requirements-moto.txt"),
        &pythons,
        "moto_server",
    )
}

/// Installs the LocalStack venv (Python 3.13) if needed.
///
/// Python 3.13, not 3.12: localstack-core 2026.3.0 declares
/// `Requires-Python >=3.10` but `localstack/utils/tagging.py` does
/// `from warnings import deprecated` (new in 3.13). On 3.12 that ImportError is
/// swallowed by plux while it loads the `localstack.runtime.components` entry
/// point, and the runtime then dies with the misleading "No component plugins
/// found in namespace localstack.runtime.components".
pub fn ensure_localstack() -> PathBuf {
    let mut pythons = vec!["python3.13".to_string()];
    pythons.extend(pyenv_python("3.13"));
    ensure_venv(
        "venv-localstack",
        &repo_root().join("acceptance-tests/emulator/requirements-localstack.txt"),
        &pythons,
        "python",
    )
}

/// LocalStack init script (`start.d`, run in-process before the gateway
/// listens) that adds `POST /_localstack/state/reset`. In LocalStack 2026.3.0
/// that endpoint exists only in Pro; community answers 404 there, and
/// `POST /moto-api/reset` answers 200 without resetting anything.
const LOCALSTACK_STATE_RESET: &str = r#"# Written by acceptance-tests/src/emulator.rs. LocalStack community has no
# state-reset endpoint (POST /_localstack/state/reset is a Pro feature), so
# this init script, run in-process at start, adds one that does what Pro's
# does: for each loaded service, run its reset hooks and clear its stores.
import logging
import os
import shutil

from moto.core.base_backend import BackendDict

from localstack import config
from localstack.http import Resource
from localstack.services.internal import get_internal_apis
from localstack.services.plugins import SERVICE_PLUGINS
from localstack.services.stores import AccountRegionBundle
from localstack.state import AssetDirectory, StateVisitor

LOG = logging.getLogger("acc_state_reset")


class _ResetVisitor(StateVisitor):
    def visit(self, container):
        if isinstance(container, (AccountRegionBundle, BackendDict)):
            container.reset()
        elif isinstance(container, AssetDirectory):
            # Only this instance's own files: S3 keeps its objects under a
            # /tmp directory shared by every LocalStack on the machine.
            path = os.path.abspath(container.path)
            if path.startswith(os.path.abspath(config.dirs.data) + os.sep):
                shutil.rmtree(path, ignore_errors=True)


class _StateReset:
    def on_post(self, request):
        names = SERVICE_PLUGINS.list_loaded_services()
        for name in names:
            service = SERVICE_PLUGINS.get_service(name)
            service.lifecycle_hook.on_before_state_reset()
            service.accept_state_visitor(_ResetVisitor())
            storage = getattr(service._provider, "_storage_backend", None)
            if hasattr(storage, "reset"):
                storage.reset()  # S3 object bodies
            service.lifecycle_hook.on_after_state_reset()
        LOG.info("state reset: %s", ", ".join(names))
        return {"reset": names}


get_internal_apis().add(Resource("/_localstack/state/reset", _StateReset()))
"#;

/// One HTTP/1.0 request to the emulator; returns (status, body).
fn http(port: u16, method: &str, path: &str) -> std::io::Result<(u16, String)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    write!(
        stream,
        "{method} {path} HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n"
    )?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    let status = response
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    Ok((status, body))
}

impl Emulator {
    /// Starts the emulator chosen by `TODO_ACC_TARGET` and waits until it
    /// answers its health check.
    pub fn start() -> Emulator {
        Emulator::start_target(Target::from_env())
    }

    /// Starts a given emulator.
    pub fn start_target(target: Target) -> Emulator {
        let port = free_port();
        let log = build_dir().join(format!("emulator-{}-{port}.log", target.name()));
        let log_file = File::create(&log).expect("create emulator log");
        let supervisor = repo_root().join("acceptance-tests/emulator/supervise.py");
        let (venv, args, envs): (PathBuf, Vec<String>, Vec<(String, String)>) = match target {
            Target::Moto => {
                let venv = ensure_moto();
                let args = vec![
                    venv.join("bin/moto_server").to_string_lossy().to_string(),
                    "-H".into(),
                    "127.0.0.1".into(),
                    "-p".into(),
                    port.to_string(),
                ];
                (
                    venv,
                    args,
                    vec![("MOTO_IAM_LOAD_MANAGED_POLICIES".into(), "true".into())],
                )
            }
            Target::LocalStack => {
                let venv = ensure_localstack();
                let state = build_dir().join(format!("localstack-{port}"));
                // A fresh FILESYSTEM_ROOT per start, holding the init script
                // that serves the reset endpoint (see LOCALSTACK_STATE_RESET).
                let _ = std::fs::remove_dir_all(&state);
                let init = state.join("etc/localstack/init/start.d");
                std::fs::create_dir_all(&init).expect("localstack dir");
                std::fs::write(init.join("acc_state_reset.py"), LOCALSTACK_STATE_RESET)
                    .expect("write the localstack init script");
                let args = vec![
                    venv.join("bin/python").to_string_lossy().to_string(),
                    "-m".into(),
                    "localstack.runtime.main".into(),
                ];
                let envs = vec![
                    ("OVERRIDE_IN_DOCKER".into(), "0".into()),
                    ("GATEWAY_LISTEN".into(), format!("127.0.0.1:{port}")),
                    (
                        "FILESYSTEM_ROOT".into(),
                        state.to_string_lossy().to_string(),
                    ),
                    ("PERSISTENCE".into(), "0".into()),
                    ("SKIP_INFRA_DOWNLOADS".into(), "1".into()),
                    ("DISABLE_EVENTS".into(), "1".into()),
                    // plux caches its entry-point index in
                    // $XDG_CACHE_HOME/plux/<hash>.entry_points.txt and writes it
                    // non-atomically; LocalStacks starting at the same moment
                    // can read a half-written index and again find no
                    // component plugins. Give each instance its own cache.
                    (
                        "XDG_CACHE_HOME".into(),
                        state.join("cache").to_string_lossy().to_string(),
                    ),
                ];
                (venv, args, envs)
            }
        };
        let python = venv.join("bin/python");
        let process = Command::new(python)
            .arg(&supervisor)
            .arg(std::process::id().to_string())
            .arg("--")
            .args(&args)
            .envs(envs)
            .stdin(Stdio::null())
            .stdout(log_file.try_clone().expect("clone log handle"))
            .stderr(log_file)
            .spawn()
            .expect("start the emulator");
        let mut emulator = Emulator {
            target,
            endpoint: format!("http://127.0.0.1:{port}"),
            port,
            process,
            log,
        };
        emulator.wait_healthy(Duration::from_secs(120));
        emulator
    }

    fn health_path(&self) -> &'static str {
        match self.target {
            Target::Moto => "/moto-api/",
            Target::LocalStack => "/_localstack/health",
        }
    }

    fn wait_healthy(&mut self, limit: Duration) {
        let start = Instant::now();
        loop {
            if let Ok((200, _)) = http(self.port, "GET", self.health_path()) {
                return;
            }
            if let Ok(Some(status)) = self.process.try_wait() {
                panic!(
                    "the {} emulator exited ({status}) before it was healthy; its log:\n{}",
                    self.target.name(),
                    std::fs::read_to_string(&self.log).unwrap_or_default()
                );
            }
            if start.elapsed() > limit {
                panic!(
                    "the {} emulator was not healthy after {limit:?}; its log:\n{}",
                    self.target.name(),
                    std::fs::read_to_string(&self.log).unwrap_or_default()
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Clears all emulator state.
    pub fn reset(&self) {
        let (path, method) = match self.target {
            Target::Moto => ("/moto-api/reset", "POST"),
            // Served by LOCALSTACK_STATE_RESET: the community edition has no
            // reset endpoint of its own.
            Target::LocalStack => ("/_localstack/state/reset", "POST"),
        };
        let (status, body) = http(self.port, method, path).expect("reset the emulator");
        assert!(
            (200..300).contains(&status),
            "emulator reset answered {status}: {body}"
        );
    }

    /// The emulator's log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// An AWS SDK configuration pointing at the emulator.
    pub async fn sdk_config(&self) -> aws_config::SdkConfig {
        aws_config::defaults(aws_config::BehaviorVersion::latest())
            .region(aws_config::Region::new("us-east-1"))
            .endpoint_url(&self.endpoint)
            .credentials_provider(aws_credential_types::Credentials::new(
                "test",
                "test",
                None,
                None,
                "acceptance",
            ))
            .load()
            .await
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        // TERM lets the supervisor stop the emulator's whole process group.
        let _ = Command::new("kill")
            .args(["-TERM", &self.process.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.process.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}
