//! Acceptance tests of the repository's HCL as its users run it, with the
//! real terraform CLI against moto:
//! - the live root `terraform/` with `local.tfvars`: its state lives in the
//!   emulator's S3 through the S3 backend (`backends/local.s3.tfbackend`),
//!   a second concurrent `terraform plan` is refused by the lock file and
//!   the error is shown;
//! - every example applies, plans empty and destroys to nothing; the
//!   consumer example reads the stack the complete example made;
//! - the package `scripts/package` lays out installs with a plain
//!   `terraform init` from its filesystem mirror, and a consumer repository
//!   uses the module through `git::file://…?ref=<tag>` of a scratch clone;
//! - the modules' apply-time `terraform test` (tests-emulator/) passes.
//!
//! Every copy of the HCL installs the provider with `terraform init` from a
//! filesystem mirror (no dev_overrides), as users do. LocalStack's
//! community edition serves no EKS or RDS, which the live root, the
//! complete and the multi-environment examples need, and its tagging API
//! finds no S3 bucket, through which a stack finds its bucket (every
//! example has one): there these tests print why they skip.

use std::io::{Read, Write};
use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use acceptance_tests::stack::{everything_left, rt};
use acceptance_tests::terraform::{PROVIDER_VERSION, mirror_cli_config};
use acceptance_tests::{Emulator, Target, TfOutput, Workspace, provider_binary, repo_root};

/// Whether the emulator serves EKS and RDS; prints why not.
fn serves_full_stack(target: Target, what: &str) -> bool {
    let ok = target.serves("rds") && target.serves("eks");
    if !ok {
        println!(
            "SKIPPED: {what} needs EKS and RDS, which {} does not serve (its community edition answers 501); it runs on moto",
            target.name()
        );
    }
    ok
}

/// Whether the emulator's tagging API finds buckets (every example but the
/// consumer has one); prints why not.
fn finds_buckets(target: Target, what: &str) -> bool {
    let ok = target.serves("tagging:s3");
    if !ok {
        println!(
            "SKIPPED: {what} has a bucket, which the stack finds through the tagging API; {}'s tagging API finds no bucket. It runs on moto",
            target.name()
        );
    }
    ok
}

/// `terraform init` (plain: the provider from the workspace's mirror).
fn init(ws: &Workspace, extra: &[&str]) -> TfOutput {
    let mut args = vec!["init", "-no-color", "-input=false"];
    args.extend_from_slice(extra);
    ws.run(&args).success()
}

/// `terraform <command> -var-file=emulator.tfvars -var endpoint_url=…`.
fn with_emulator(ws: &Workspace, emulator: &Emulator, command: &[&str]) -> TfOutput {
    let endpoint = format!("endpoint_url={}", emulator.endpoint);
    let mut args = command.to_vec();
    args.extend_from_slice(&[
        "-no-color",
        "-input=false",
        "-var-file=emulator.tfvars",
        "-var",
        &endpoint,
    ]);
    ws.run(&args)
}

/// Applies an example with its emulator.tfvars, checks the next plan is
/// empty; returns the outputs as JSON.
fn apply_and_replan(ws: &Workspace, emulator: &Emulator) -> serde_json::Value {
    with_emulator(ws, emulator, &["apply", "-auto-approve"]).success();
    let plan = with_emulator(ws, emulator, &["plan", "-detailed-exitcode"]);
    assert_eq!(
        plan.code,
        0,
        "the plan after apply is not empty:\n{}",
        plan.all()
    );
    outputs(ws)
}

/// `terraform output -json`.
fn outputs(ws: &Workspace) -> serde_json::Value {
    let out = ws.run(&["output", "-json", "-no-color"]).success();
    serde_json::from_str(&out.stdout).expect("output -json")
}

/// The value of output `name`.
fn output<'a>(outputs: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    &outputs[name]["value"]
}

/// Destroys an example and checks the emulator holds nothing of it.
fn destroy_to_nothing(ws: &Workspace, emulator: &Emulator, keep_buckets: &[&str]) {
    with_emulator(ws, emulator, &["destroy", "-auto-approve"]).success();
    let left = rt().block_on(everything_left(emulator, keep_buckets));
    assert!(left.is_empty(), "destroy left {left:?}");
}

#[test]
fn minimal_example_applies_plans_empty_and_destroys_to_nothing() {
    if !finds_buckets(Target::from_env(), "the minimal example") {
        return;
    }
    let emulator = Emulator::start();
    let ws = Workspace::from_repo(&["modules", "examples/minimal"], "examples/minimal");
    init(&ws, &[]);
    let out = apply_and_replan(&ws, &emulator);
    assert!(
        output(&out, "vpc_id").as_str().unwrap().starts_with("vpc-"),
        "{out}"
    );
    assert_eq!(
        output(&out, "public_subnet_ids").as_object().unwrap().len(),
        2
    );
    assert_eq!(
        output(&out, "nat_gateway_ids").as_object().unwrap().len(),
        1
    );
    assert!(output(&out, "bucket_name").is_string(), "{out}");
    destroy_to_nothing(&ws, &emulator, &[]);
}

#[test]
fn multi_environment_example_applies_plans_empty_and_destroys_to_nothing() {
    if !serves_full_stack(Target::from_env(), "the multi-environment example") {
        return;
    }
    let emulator = Emulator::start();
    let ws = Workspace::from_repo(
        &["modules", "examples/multi-environment"],
        "examples/multi-environment",
    );
    init(&ws, &[]);
    let out = apply_and_replan(&ws, &emulator);
    let stacks = output(&out, "stacks").as_object().unwrap();
    let mut envs: Vec<&String> = stacks.keys().collect();
    envs.sort();
    assert_eq!(envs, ["dev", "prod", "staging"], "{out}");
    // One VPC per environment, each in its own CIDR.
    let vpcs: std::collections::BTreeSet<&str> = stacks
        .values()
        .map(|s| s["vpc_id"].as_str().unwrap())
        .collect();
    assert_eq!(vpcs.len(), 3, "{out}");
    destroy_to_nothing(&ws, &emulator, &[]);
}

#[test]
fn consumer_example_reads_the_stack_the_complete_example_made() {
    if !serves_full_stack(Target::from_env(), "the complete example") {
        return;
    }
    let emulator = Emulator::start();
    let complete = Workspace::from_repo(
        &["modules", "examples/complete", "examples/consumer"],
        "examples/complete",
    );
    init(&complete, &[]);
    let made = apply_and_replan(&complete, &emulator);
    assert!(output(&made, "cluster_name").is_string(), "{made}");
    assert!(output(&made, "db_endpoint").is_string(), "{made}");
    assert!(output(&made, "alerts_topic_arn").is_string(), "{made}");

    // The consumer, in the same copy of the repository: reads the stack by
    // name through the reader module.
    let consumer = complete.base().join("examples/consumer");
    let run = |args: &[&str]| {
        let endpoint = format!("endpoint_url={}", emulator.endpoint);
        let mut all = args.to_vec();
        all.extend_from_slice(&[
            "-no-color",
            "-input=false",
            "-var-file=emulator.tfvars",
            "-var",
            &endpoint,
            "-var",
            "stack_name=todo-example-complete",
        ]);
        complete.run_in(&consumer, &all)
    };
    complete
        .run_in(&consumer, &["init", "-no-color", "-input=false"])
        .success();
    run(&["apply", "-auto-approve"]).success();
    let plan = run(&["plan", "-detailed-exitcode"]);
    assert_eq!(plan.code, 0, "consumer re-plan not empty:\n{}", plan.all());
    let read: serde_json::Value = serde_json::from_str(
        &complete
            .run_in(&consumer, &["output", "-json", "-no-color"])
            .success()
            .stdout,
    )
    .unwrap();
    assert_eq!(
        output(&read, "kubernetes")["cluster_name"],
        *output(&made, "cluster_name"),
        "{read}"
    );
    assert_eq!(
        output(&read, "kubernetes")["host"],
        *output(&made, "cluster_endpoint"),
        "{read}"
    );
    assert_eq!(
        output(&read, "database")["writer"],
        *output(&made, "db_endpoint"),
        "{read}"
    );
    assert_eq!(
        output(&read, "database")["secret_arn"],
        *output(&made, "db_master_secret_arn"),
        "{read}"
    );
    assert_eq!(
        output(&read, "bucket_name"),
        output(&made, "bucket_name"),
        "{read}"
    );
    assert_eq!(
        output(&read, "alerts_topic_arn"),
        output(&made, "alerts_topic_arn"),
        "{read}"
    );
    assert_eq!(
        output(&read, "network")["vpc_id"],
        *output(&made, "vpc_id"),
        "{read}"
    );
    // The IRSA trust policy names the stack's OIDC provider.
    let trust = output(&read, "irsa_trust_policy").as_str().unwrap();
    let oidc = output(&made, "cluster_oidc_provider_arn").as_str().unwrap();
    assert!(trust.contains(oidc), "{trust}");

    // The consumer owns nothing: its destroy leaves the stack as it was.
    run(&["destroy", "-auto-approve"]).success();
    let plan = with_emulator(&complete, &emulator, &["plan", "-detailed-exitcode"]);
    assert_eq!(
        plan.code,
        0,
        "the consumer changed the stack:\n{}",
        plan.all()
    );
    destroy_to_nothing(&complete, &emulator, &[]);
}

/// The state bucket `backends/local.s3.tfbackend` names.
const STATE_BUCKET: &str = "todo-terraform-state-local";
/// The state's key there.
const STATE_KEY: &str = "todo-cloud-stack/local/terraform.tfstate";

/// Whether object `key` exists in the state bucket.
async fn state_object(emulator: &Emulator, key: &str) -> Option<Vec<u8>> {
    let s3 = aws_sdk_s3::Client::new(&emulator.sdk_config().await);
    match s3.get_object().bucket(STATE_BUCKET).key(key).send().await {
        Ok(o) => Some(o.body.collect().await.unwrap().into_bytes().to_vec()),
        Err(e) => {
            let e = e.into_service_error();
            assert!(e.is_no_such_key(), "reading {key}: {e:?}");
            None
        }
    }
}

/// Reads `child`'s stdout until it contains `what` (a prompt ends without
/// a newline); returns everything read so far.
fn wait_for_output(child: &mut std::process::Child, what: &str, limit: Duration) -> String {
    let mut stdout = child.stdout.take().expect("piped stdout");
    let seen = Arc::new(Mutex::new(String::new()));
    let sink = seen.clone();
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = stdout.read(&mut buf) {
            if n == 0 {
                break;
            }
            sink.lock()
                .unwrap()
                .push_str(&String::from_utf8_lossy(&buf[..n]));
        }
    });
    let deadline = Instant::now() + limit;
    loop {
        let text = seen.lock().unwrap().clone();
        if text.contains(what) {
            return text;
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!("terraform ended ({status}) before printing {what:?}:\n{text}");
        }
        assert!(
            Instant::now() < deadline,
            "no {what:?} within {limit:?}:\n{text}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn live_root_keeps_its_state_in_the_emulators_s3_behind_a_lock() {
    if !serves_full_stack(Target::from_env(), "the live root terraform/") {
        return;
    }
    let emulator = Emulator::start();
    rt().block_on(async {
        let s3 = aws_sdk_s3::Client::new(&emulator.sdk_config().await);
        s3.create_bucket()
            .bucket(STATE_BUCKET)
            .send()
            .await
            .unwrap();
    });
    let ws = Workspace::from_repo(&["terraform"], "terraform");
    let s3_endpoint = format!("-backend-config=endpoints={{s3=\"{}\"}}", emulator.endpoint);
    init(
        &ws,
        &["-backend-config=backends/local.s3.tfbackend", &s3_endpoint],
    );
    let endpoint = format!("aws_endpoint_url={}", emulator.endpoint);
    let vars = ["-var-file=local.tfvars", "-var", endpoint.as_str()];
    let tf = |command: &[&str]| {
        let mut args = command.to_vec();
        args.extend_from_slice(&["-no-color", "-input=false"]);
        args.extend_from_slice(&vars);
        ws.run(&args)
    };
    tf(&["apply", "-auto-approve"]).success();

    // The state is in the bucket, not on disk; no lock is left behind.
    assert!(
        !ws.root().join("terraform.tfstate").exists(),
        "state written locally"
    );
    let state = rt()
        .block_on(state_object(&emulator, STATE_KEY))
        .expect("no state object in the emulator's bucket");
    let state: serde_json::Value = serde_json::from_slice(&state).unwrap();
    let types: Vec<&str> = state["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["type"].as_str().unwrap())
        .collect();
    assert!(types.contains(&"todo_cloud_stack"), "{types:?}");
    let lock_key = format!("{STATE_KEY}.tflock");
    assert!(rt().block_on(state_object(&emulator, &lock_key)).is_none());
    let plan = tf(&["plan", "-detailed-exitcode"]);
    assert_eq!(plan.code, 0, "re-plan not empty:\n{}", plan.all());

    // An apply waiting for its approval holds the lock ...
    let mut holder = {
        let mut args = vec!["apply", "-no-color", "-input=true"];
        args.extend_from_slice(&vars);
        args.extend_from_slice(&["-var", "tags={owner=\"lock-holder\"}"]);
        ws.spawn_interactive(&args)
    };
    wait_for_output(&mut holder, "Enter a value", Duration::from_secs(120));
    assert!(
        rt().block_on(state_object(&emulator, &lock_key)).is_some(),
        "no lock object while an apply waits"
    );
    // ... so a concurrent plan is refused, and says who holds the lock.
    let refused = tf(&["plan", "-lock-timeout=0s"]);
    assert_eq!(refused.code, 1, "{}", refused.all());
    let shown = refused.all();
    for part in [
        "Error acquiring the state lock",
        "Lock Info:",
        "OperationTypeApply",
        &format!("{STATE_BUCKET}/{STATE_KEY}"),
    ] {
        assert!(shown.contains(part), "missing {part:?} in:\n{shown}");
    }
    // Declining the apply releases the lock; nothing changed.
    holder.stdin.as_mut().unwrap().write_all(b"no\n").unwrap();
    let status = holder.wait().unwrap();
    assert!(!status.success(), "a declined apply exits non-zero");
    assert!(rt().block_on(state_object(&emulator, &lock_key)).is_none());
    let plan = tf(&["plan", "-detailed-exitcode"]);
    assert_eq!(plan.code, 0, "after the declined apply:\n{}", plan.all());

    tf(&["destroy", "-auto-approve"]).success();
    let left = rt().block_on(everything_left(&emulator, &[STATE_BUCKET]));
    assert!(left.is_empty(), "destroy left {left:?}");
}

/// Runs `program ARGS` in `dir`; panics with its output unless it succeeds.
fn run_ok(program: &str, args: &[&str], dir: &Path) -> String {
    let out = Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("run {program}: {e}"));
    let text = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{program} {args:?} failed:\n{text}");
    text
}

#[test]
fn packaged_provider_installs_from_the_mirror_for_a_consumer_of_the_tagged_module() {
    if !finds_buckets(Target::from_env(), "the minimal example") {
        return;
    }
    let emulator = Emulator::start();
    let ws = Workspace::from_repo(&["examples/minimal"], "examples/minimal");
    let base = ws.base().to_path_buf();

    // The release layout, from the binary under test.
    let dist = base.join("dist");
    let binary = provider_binary();
    run_ok(
        "bash",
        &[
            repo_root().join("scripts/package").to_str().unwrap(),
            "--binary",
            binary.to_str().unwrap(),
            "--out",
            dist.to_str().unwrap(),
        ],
        &repo_root(),
    );
    let prefix = format!("terraform-provider-todo_{PROVIDER_VERSION}");
    let sums = std::fs::read_to_string(dist.join(format!("{prefix}_SHA256SUMS"))).unwrap();
    assert!(
        sums.contains(&format!("{prefix}_linux_amd64.zip")),
        "{sums}"
    );
    assert!(sums.contains(&format!("{prefix}_manifest.json")), "{sums}");
    run_ok(
        "sha256sum",
        &["--check", &format!("{prefix}_SHA256SUMS")],
        &dist,
    );
    let manifest: serde_json::Value = serde_json::from_slice(
        &std::fs::read(dist.join(format!("{prefix}_manifest.json"))).unwrap(),
    )
    .unwrap();
    assert_eq!(
        manifest["metadata"]["protocol_versions"],
        serde_json::json!(["6.0"])
    );
    let listing = run_ok(
        "python3",
        &["-m", "zipfile", "-l", &format!("{prefix}_linux_amd64.zip")],
        &dist,
    );
    assert!(
        listing.contains(&format!("terraform-provider-todo_v{PROVIDER_VERSION}")),
        "{listing}"
    );
    ws.set_cli_config(&mirror_cli_config(&dist.join("mirror")));

    // A scratch clone of this repository with a release tag, as the
    // module's users fetch it.
    let scratch = base.join("scratch");
    run_ok(
        "git",
        &[
            "clone",
            "--quiet",
            repo_root().to_str().unwrap(),
            scratch.to_str().unwrap(),
        ],
        &base,
    );
    let tag = format!("v{PROVIDER_VERSION}");
    run_ok("git", &["tag", "--force", &tag], &scratch);

    // The minimal example as a consumer repository writes it: the module
    // from git at the tag, the provider pinned to the packaged version.
    let main = ws.root().join("main.tf");
    let text = std::fs::read_to_string(&main).unwrap();
    let source = format!(
        "git::file://{}//modules/todo-stack?ref={tag}",
        scratch.display()
    );
    let rewritten = text.replace("../../modules/todo-stack", &source);
    assert_ne!(
        rewritten, text,
        "examples/minimal/main.tf names no module source"
    );
    std::fs::write(&main, rewritten).unwrap();
    let versions = ws.root().join("versions.tf");
    let text = std::fs::read_to_string(&versions).unwrap();
    let pinned = text.replace("~> 0.1.0", PROVIDER_VERSION);
    assert_ne!(
        pinned, text,
        "examples/minimal/versions.tf: no \"~> 0.1.0\" to pin"
    );
    std::fs::write(&versions, pinned).unwrap();

    let init = init(&ws, &[]);
    let said = init.all();
    assert!(
        said.contains(&format!("Installed todo-app/todo v{PROVIDER_VERSION}")),
        "{said}"
    );
    assert!(said.contains("git::file://"), "{said}");
    let lock = std::fs::read_to_string(ws.root().join(".terraform.lock.hcl")).unwrap();
    let locked = lock.lines().any(|l| {
        l.trim_start().starts_with("version") && l.contains(&format!("\"{PROVIDER_VERSION}\""))
    });
    assert!(locked, "{lock}");
    let out = apply_and_replan(&ws, &emulator);
    assert!(
        output(&out, "vpc_id").as_str().unwrap().starts_with("vpc-"),
        "{out}"
    );
    destroy_to_nothing(&ws, &emulator, &[]);
}

#[test]
fn modules_pass_their_apply_time_terraform_test_on_the_emulator() {
    if !finds_buckets(Target::from_env(), "the modules' apply-time test") {
        return;
    }
    let emulator = Emulator::start();
    // The test file's provider block takes the emulator from the SDK's
    // AWS_ENDPOINT_URL (see the file's header).
    let ws = Workspace::from_repo(&["modules"], "modules/todo-stack")
        .env("AWS_ENDPOINT_URL", &emulator.endpoint);
    init(&ws, &["-test-directory=tests-emulator"]);
    let out = ws.run(&["test", "-no-color", "-test-directory=tests-emulator"]);
    assert_eq!(out.code, 0, "terraform test failed:\n{}", out.all());
    assert!(out.stdout.contains("3 passed, 0 failed"), "{}", out.stdout);
    let left = rt().block_on(everything_left(&emulator, &[]));
    assert!(left.is_empty(), "terraform test left {left:?}");
}
