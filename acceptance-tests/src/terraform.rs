//! Runs the real `terraform` CLI in a temporary directory, with the
//! provider under test installed through `dev_overrides`.

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
    cli_config: PathBuf,
    env: Vec<(String, String)>,
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
            cli_config,
            env: Vec::new(),
        }
    }

    /// The root module directory.
    pub fn root(&self) -> PathBuf {
        self.dir.path().join("root")
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
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd
    }
}
