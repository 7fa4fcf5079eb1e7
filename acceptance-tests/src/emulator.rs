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

    /// Whether this target serves an AWS service (by endpoint name).
    pub fn serves(self, service: &str) -> bool {
        match self {
            Target::Moto => true,
            Target::LocalStack => !matches!(service, "eks" | "rds"),
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

/// Installs the LocalStack venv (Python >= 3.12) if needed.
pub fn ensure_localstack() -> PathBuf {
    let mut pythons = vec!["python3.12".to_string(), "python3.13".to_string()];
    pythons.extend(pyenv_python("3.12"));
    pythons.extend(pyenv_python("3.13"));
    ensure_venv(
        "venv-localstack",
        &repo_root().join("acceptance-tests/emulator/requirements-localstack.txt"),
        &pythons,
        "python",
    )
}

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
                std::fs::create_dir_all(&state).expect("localstack dir");
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
