//! The module `modules/todo-stack` checks its inputs with the provider's
//! rules and the provider's words: the same bad value, given to the module
//! and to `todo_cloud_stack` directly, is refused at `terraform validate`
//! by both with the same sentence (the attribute path aside), once; and a
//! value the provider takes, the module takes too. No emulator: validate
//! makes no AWS call.

use acceptance_tests::Workspace;
use serde_json::Value;

const REQUIRED: &str = r#"
terraform {
  required_providers {
    todo = { source = "todo-app/todo" }
  }
}

provider "todo" {
  region = "us-east-1"
}
"#;

/// One input: the module's arguments and the resource's attributes that say
/// the same thing (besides a network, which both get).
struct Case {
    key: &'static str,
    module: &'static str,
    resource: &'static str,
}

const CASES: &[Case] = &[
    Case {
        key: "k8s_too_old",
        module: r#"create_cluster = true
  cluster_version = "1.27"
  node_groups = { g = { min_size = 1, max_size = 2 } }"#,
        resource: r#"cluster = { version = "1.27", node_groups = { g = { min_size = 1, max_size = 2 } } }"#,
    },
    Case {
        key: "k8s_too_new",
        module: r#"create_cluster = true
  cluster_version = "1.40"
  node_groups = { g = { min_size = 1, max_size = 2 } }"#,
        resource: r#"cluster = { version = "1.40", node_groups = { g = { min_size = 1, max_size = 2 } } }"#,
    },
    Case {
        key: "ami_type",
        module: r#"create_cluster = true
  cluster_version = "1.31"
  node_groups = { g = { min_size = 1, max_size = 2, ami_type = "X" } }"#,
        resource: r#"cluster = { version = "1.31", node_groups = { g = { min_size = 1, max_size = 2, ami_type = "X" } } }"#,
    },
    Case {
        key: "postgres_too_old",
        module: r#"create_database = true
  db_engine_version = "12""#,
        resource: r#"database = { engine_version = "12" }"#,
    },
    Case {
        key: "bucket_uppercase",
        module: r#"create_bucket = true
  bucket_name = "Todo-assets""#,
        resource: r#"storage = { bucket_name = "Todo-assets" }"#,
    },
    Case {
        key: "password_short",
        module: r#"create_database = true
  db_master_password_wo = "short"
  db_master_password_wo_version = 1"#,
        resource: r#"database = { master_password_wo = "short", master_password_wo_version = 1 }"#,
    },
    Case {
        key: "fractional_timeout",
        module: r#"timeouts = { create = "1.5h" }"#,
        resource: r#"timeouts = { create = "1.5h" }"#,
    },
    Case {
        key: "timeout_words",
        module: r#"timeouts = { create = "90 minutes" }"#,
        resource: r#"timeouts = { create = "90 minutes" }"#,
    },
    Case {
        key: "zero_timeout",
        module: r#"timeouts = { delete = "0s" }"#,
        resource: r#"timeouts = { delete = "0s" }"#,
    },
    Case {
        key: "k8s_malformed",
        module: r#"create_cluster = true
  cluster_version = "v1.31"
  node_groups = { g = { min_size = 1, max_size = 2 } }"#,
        resource: r#"cluster = { version = "v1.31", node_groups = { g = { min_size = 1, max_size = 2 } } }"#,
    },
    Case {
        key: "ami_custom",
        module: r#"create_cluster = true
  cluster_version = "1.31"
  node_groups = { g = { min_size = 1, max_size = 2, ami_type = "CUSTOM" } }"#,
        resource: r#"cluster = { version = "1.31", node_groups = { g = { min_size = 1, max_size = 2, ami_type = "CUSTOM" } } }"#,
    },
    Case {
        key: "postgres_malformed",
        module: r#"create_database = true
  db_engine_version = "16.4.1""#,
        resource: r#"database = { engine_version = "16.4.1" }"#,
    },
    Case {
        key: "bucket_short",
        module: r#"create_bucket = true
  bucket_name = "ab""#,
        resource: r#"storage = { bucket_name = "ab" }"#,
    },
    Case {
        key: "bucket_reserved",
        module: r#"create_bucket = true
  bucket_name = "xn--todo""#,
        resource: r#"storage = { bucket_name = "xn--todo" }"#,
    },
    Case {
        key: "password_slash",
        module: r#"create_database = true
  db_master_password_wo = "abc/defgh"
  db_master_password_wo_version = 1"#,
        resource: r#"database = { master_password_wo = "abc/defgh", master_password_wo_version = 1 }"#,
    },
    Case {
        key: "retention",
        module: r#"create_database = true
  db_backup_retention_days = 36"#,
        resource: r#"database = { backup_retention_days = 36 }"#,
    },
];

/// The error details of `terraform validate -json`, by case key: a
/// module's from the copy `terraform get` made (`.terraform/modules/<key>/`),
/// a resource's from the snippet naming it.
fn errors(ws: &Workspace) -> Vec<(String, String)> {
    let out = ws.run(&["validate", "-json", "-no-color"]);
    let json: Value = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("validate -json: {e}\n{}", out.all()));
    json["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| d["severity"] == "error")
        .map(|d| {
            let detail = d["detail"].as_str().unwrap_or_default().to_string();
            let key = CASES
                .iter()
                .map(|c| c.key)
                .find(|k| {
                    detail.contains(&format!(".terraform/modules/{k}/"))
                        || d["snippet"]["context"]
                            .as_str()
                            .is_some_and(|c| c.contains(&format!("\"{k}\"")))
                })
                .unwrap_or_else(|| panic!("an error of no case: {d}"));
            (key.to_string(), detail)
        })
        .collect()
}

/// The sentence without the attribute path in front of it (the module's
/// `node_groups["g"].ami_type: `, the provider's
/// `cluster.node_groups["g"].ami_type: `) and without Terraform's note on
/// where the rule is.
fn sentence(detail: &str) -> String {
    let detail = detail
        .split("\n\nThis was checked by the validation rule")
        .next()
        .unwrap_or_default();
    let path_end = detail.find(": ").filter(|&at| {
        let head = &detail[..at];
        !head.is_empty()
            && !head.starts_with('"')
            && !head.contains(' ')
            && head
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_.[]\"-".contains(c))
    });
    match path_end {
        Some(at) => detail[at + 2..].to_string(),
        None => detail.to_string(),
    }
    .split_whitespace()
    .collect::<Vec<_>>()
    .join(" ")
}

#[test]
fn the_module_refuses_what_the_provider_refuses_in_the_providers_words() {
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("repository root")
        .to_path_buf();
    let module_calls: String = CASES
        .iter()
        .map(|c| {
            format!(
                "module \"{}\" {{\n  source = \"{}/modules/todo-stack\"\n  name = \"todo-{}\"\n  vpc_cidr = \"10.0.0.0/16\"\n  availability_zones = [\"us-east-1a\", \"us-east-1b\"]\n  {}\n}}\n",
                c.key,
                repo.display(),
                c.key.replace('_', "-"),
                c.module
            )
        })
        .collect();
    let resources: String = CASES
        .iter()
        .map(|c| {
            format!(
                "resource \"todo_cloud_stack\" \"{}\" {{\n  name = \"todo-{}\"\n  network = {{ cidr_block = \"10.0.0.0/16\", availability_zones = [\"us-east-1a\", \"us-east-1b\"] }}\n  {}\n}}\n",
                c.key,
                c.key.replace('_', "-"),
                c.resource
            )
        })
        .collect();

    let provider_ws = Workspace::new(&format!("{REQUIRED}\n{resources}"));
    let module_ws = Workspace::new(&format!("{REQUIRED}\n{module_calls}"));
    module_ws.run(&["get", "-no-color"]).success();
    let by_provider = errors(&provider_ws);
    let by_module = errors(&module_ws);

    let mut wrong = Vec::new();
    for case in CASES {
        let of = |list: &[(String, String)]| -> Vec<String> {
            list.iter()
                .filter(|(k, _)| k == case.key)
                .map(|(_, d)| sentence(d))
                .collect()
        };
        let (provider, module) = (of(&by_provider), of(&by_module));
        if provider != module {
            wrong.push(format!(
                "{}:\n  provider: {provider:#?}\n  module:   {module:#?}",
                case.key
            ));
        }
    }
    // The cases do refuse something: a table of values both take would
    // prove nothing.
    assert!(
        by_provider.len() >= CASES.len() - 2,
        "the provider refused only {by_provider:#?}"
    );
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
