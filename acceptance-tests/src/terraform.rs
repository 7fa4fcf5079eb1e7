//! Runs the real `terraform` CLI in a temporary directory, with the
//! provider under test installed through `dev_overrides` (a generated root
//! module), or, for the repository's own HCL (`terraform/`, `modules/`,
//! `examples/`), from a filesystem mirror by a plain `terraform init`, as a
//! user installs a release.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::provider_binary;

/// The output of one terraform command.
#[derive(Debug)]
pub struct TfOutput {
    /// Exit code.
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
    /// Wall time.
    pub elapsed: Duration,
}

impl TfOutput {
    /// stdout and stderr together.
    pub fn all(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }

    /// Panics with the full output unless the command succeeded.
    pub fn success(self) -> TfOutput {
        assert_eq!(self.code, 0, "terraform failed:\n{}", self.all());
        self
    }
}

/// A temporary root module plus the CLI configuration to run it.
pub struct Workspace {
    dir: tempfile::TempDir,
    root: PathBuf,
    cli_config: PathBuf,
    env: Vec<(String, String)>,
}

/// Copies `from` into `to` recursively, leaving out what a working copy of
/// a root module accumulates (`.terraform/`, lock files, local state).
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create copy target");
    for entry in std::fs::read_dir(from).expect("read dir to copy") {
        let entry = entry.expect("dir entry");
        let name = entry.file_name().to_string_lossy().to_string();
        if name == ".terraform" || name == ".terraform.lock.hcl" || name.contains(".tfstate") {
            continue;
        }
        let path = entry.path();
        if entry.file_type().expect("file type").is_dir() {
            copy_tree(&path, &to.join(&name));
        } else {
            std::fs::copy(&path, to.join(&name)).expect("copy file");
        }
    }
}

/// The file the provider under test logs its AWS requests to
/// (`TODO_CALL_LOG`): `.build/calls/<target>/<test process>.log`. After the
/// suite, `scripts/test` checks every logged request against the generated
/// IAM policy (`terraform-provider-todo iam-policy --check-calls`).
pub fn call_log() -> Option<PathBuf> {
    let dir = crate::build_dir()
        .join("calls")
        .join(crate::Target::from_env().name());
    std::fs::create_dir_all(&dir).ok()?;
    let exe = std::env::current_exe().ok()?;
    let name = exe.file_stem()?.to_string_lossy().to_string();
    Some(dir.join(format!("{name}-{}.log", std::process::id())))
}

/// The provider's version (the workspace's, shared by every crate).
pub const PROVIDER_VERSION: &str = env!("CARGO_PKG_VERSION");

/// A CLI configuration that installs `todo-app/todo` only from the
/// filesystem mirror at `mirror` (the registry is never asked).
pub fn mirror_cli_config(mirror: &Path) -> String {
    format!(
        "provider_installation {{\n  filesystem_mirror {{\n    path    = \"{}\"\n    include = [\"registry.terraform.io/todo-app/todo\"]\n  }}\n  direct {{\n    exclude = [\"registry.terraform.io/todo-app/todo\"]\n  }}\n}}\n",
        mirror.display()
    )
}

/// The terraform executable: `TERRAFORM` if set, else from PATH.
pub fn terraform_binary() -> PathBuf {
    let candidate = std::env::var("TERRAFORM").unwrap_or_else(|_| "terraform".into());
    let ok = Command::new(&candidate)
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        ok,
        "The acceptance tests need the terraform CLI (>= 1.11) on PATH (or TERRAFORM=/path/to/terraform). \
         Install it from https://developer.hashicorp.com/terraform/install and run the tests again."
    );
    PathBuf::from(candidate)
}

impl Workspace {
    /// A workspace whose `main.tf` is `config`.
    pub fn new(config: &str) -> Workspace {
        let dir = tempfile::Builder::new()
            .prefix("todo-acc-")
            .tempdir()
            .expect("temp dir");
        let plugin_dir = dir.path().join("plugins");
        std::fs::create_dir_all(&plugin_dir).expect("plugins dir");
        let binary = provider_binary();
        assert!(
            binary.exists(),
            "provider binary {} is missing",
            binary.display()
        );
        std::os::unix::fs::symlink(&binary, plugin_dir.join("terraform-provider-todo"))
            .expect("link provider");
        let cli_config = dir.path().join("terraformrc");
        std::fs::write(
            &cli_config,
            format!(
                "provider_installation {{\n  dev_overrides {{\n    \"todo-app/todo\" = \"{}\"\n  }}\n  direct {{}}\n}}\n",
                plugin_dir.display()
            ),
        )
        .expect("write CLI config");
        let root = dir.path().join("root");
        std::fs::create_dir_all(&root).expect("root dir");
        std::fs::write(root.join("main.tf"), config).expect("write main.tf");
        Workspace {
            dir,
            root,
            cli_config,
            env: Vec::new(),
        }
    }

    /// A copy of the repository's `paths` (relative to its root, e.g.
    /// `modules`, `examples/minimal`) in a temporary directory, keeping
    /// their layout so relative module sources resolve; commands run in
    /// `root` (one of them). The provider under test is installed by
    /// `terraform init` from an unpacked filesystem mirror that links to
    /// the binary (no registry, no dev_overrides).
    pub fn from_repo(paths: &[&str], root: &str) -> Workspace {
        let dir = tempfile::Builder::new()
            .prefix("todo-acc-")
            .tempdir()
            .expect("temp dir");
        for path in paths {
            copy_tree(&crate::repo_root().join(path), &dir.path().join(path));
        }
        let platform_dir = dir.path().join(format!(
            "mirror/registry.terraform.io/todo-app/todo/{PROVIDER_VERSION}/linux_amd64"
        ));
        std::fs::create_dir_all(&platform_dir).expect("mirror dir");
        let binary = provider_binary();
        assert!(
            binary.exists(),
            "provider binary {} is missing",
            binary.display()
        );
        std::os::unix::fs::symlink(
            &binary,
            platform_dir.join(format!("terraform-provider-todo_v{PROVIDER_VERSION}")),
        )
        .expect("link provider into the mirror");
        let cli_config = dir.path().join("terraformrc");
        std::fs::write(&cli_config, mirror_cli_config(&dir.path().join("mirror")))
            .expect("write CLI config");
        Workspace {
            root: dir.path().join(root),
            dir,
            cli_config,
            env: Vec::new(),
        }
    }

    /// Replaces the CLI configuration.
    pub fn set_cli_config(&self, text: &str) {
        std::fs::write(&self.cli_config, text).expect("write CLI config");
    }

    /// The temporary directory holding everything of this workspace.
    pub fn base(&self) -> &Path {
        self.dir.path()
    }

    /// The root module directory.
    pub fn root(&self) -> PathBuf {
        self.root.clone()
    }

    /// Replaces `main.tf`.
    pub fn write_config(&self, config: &str) {
        std::fs::write(self.root().join("main.tf"), config).expect("write main.tf");
    }

    /// Adds an environment variable for every command.
    pub fn env(mut self, key: &str, value: &str) -> Workspace {
        self.env.push((key.into(), value.into()));
        self
    }

    /// Runs `terraform ARGS` in the root module.
    pub fn run(&self, args: &[&str]) -> TfOutput {
        self.run_in(&self.root(), args)
    }

    /// Runs `terraform ARGS` in `dir`.
    pub fn run_in(&self, dir: &Path, args: &[&str]) -> TfOutput {
        let start = Instant::now();
        let output = self.command(dir, args).output().expect("run terraform");
        TfOutput {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).to_string(),
            stderr: String::from_utf8_lossy(&output.stderr).to_string(),
            elapsed: start.elapsed(),
        }
    }

    /// Starts `terraform ARGS` in the root module in a process group of its
    /// own (so a test can kill terraform and its provider together), with
    /// output discarded.
    pub fn spawn(&self, args: &[&str]) -> std::process::Child {
        use std::os::unix::process::CommandExt;
        self.command(&self.root(), args)
            .process_group(0)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("start terraform")
    }

    /// Starts `terraform ARGS` in the root module with stdin and stdout
    /// piped (to answer a prompt), stderr discarded.
    pub fn spawn_interactive(&self, args: &[&str]) -> std::process::Child {
        use std::process::Stdio;
        self.command(&self.root(), args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start terraform")
    }

    fn command(&self, dir: &Path, args: &[&str]) -> Command {
        let mut cmd = Command::new(terraform_binary());
        cmd.args(args)
            .current_dir(dir)
            .env("TF_CLI_CONFIG_FILE", &self.cli_config)
            .env("TF_IN_AUTOMATION", "1")
            .env("TF_INPUT", "0")
            .env("CHECKPOINT_DISABLE", "1")
            .env("NO_COLOR", "1")
            .env("AWS_ACCESS_KEY_ID", "test")
            .env("AWS_SECRET_ACCESS_KEY", "test")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env_remove("AWS_PROFILE")
            .env_remove("AWS_SESSION_TOKEN")
            .env_remove("TF_LOG")
            .env_remove("TF_LOG_PROVIDER");
        if let Some(log) = call_log() {
            cmd.env("TODO_CALL_LOG", log);
        }
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd
    }
}
