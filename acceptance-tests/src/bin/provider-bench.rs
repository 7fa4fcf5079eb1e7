//! Startup benchmark of the provider binary, as Terraform starts it.
//!
//! usage: provider-bench BINARY [EMULATOR_ENDPOINT]
//!
//! Prints: time from exec to the handshake line (30 runs: min, median, p95),
//! resident memory after GetProviderSchema + ConfigureProvider (idle, 2 s
//! later), and the size of BINARY. With an emulator endpoint, configure makes
//! the real STS credential check against it.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tfplugin::proto::tfplugin6 as pb;
use tfplugin::testing::{ClientIdentity, Handshake, connect_mtls, provider_client};
use tfplugin::value::encode_msgpack;
use tfplugin::{Value, to_value};
use todo_provider::provider::schema::provider_schema;

const RUNS: usize = 30;

fn spawn(binary: &str, identity: &ClientIdentity) -> (Child, String, Duration) {
    let start = Instant::now();
    let mut child = Command::new(binary)
        .env(
            "TF_PLUGIN_MAGIC_COOKIE",
            tfplugin::plugin::MAGIC_COOKIE_VALUE,
        )
        .env("PLUGIN_PROTOCOL_VERSIONS", "5,6")
        .env("PLUGIN_CLIENT_CERT", &identity.cert_pem)
        .env_remove("TF_LOG")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the provider");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("read handshake");
    (child, line, start.elapsed())
}

fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let binary = args
        .get(1)
        .expect("usage: provider-bench BINARY [EMULATOR_ENDPOINT]")
        .clone();
    let endpoint = args.get(2).cloned();
    let identity = ClientIdentity::generate();

    let mut times = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let (mut child, line, elapsed) = spawn(&binary, &identity);
        assert!(
            Handshake::parse(&line).is_ok(),
            "bad handshake line {line:?}"
        );
        times.push(elapsed);
        let _ = child.kill();
        let _ = child.wait();
    }
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "handshake: min {:.2} ms, median {:.2} ms, p95 {:.2} ms ({RUNS} runs; target < 20 ms)",
        ms(times[0]),
        ms(times[RUNS / 2]),
        ms(times[RUNS * 95 / 100])
    );

    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let (mut child, line, _) = spawn(&binary, &identity);
    let handshake = Handshake::parse(&line).expect("handshake");
    let rss = runtime.block_on(async {
        let channel = connect_mtls(&handshake.address, &handshake.server_cert_der, &identity)
            .await
            .expect("connect");
        let mut client = provider_client(channel);
        client
            .get_provider_schema(pb::get_provider_schema::Request {})
            .await
            .expect("schema");
        let mut config: BTreeMap<&str, serde_json::Value> = BTreeMap::new();
        config.insert("region", "us-east-1".into());
        config.insert("access_key", "test".into());
        config.insert("secret_key", "test".into());
        match &endpoint {
            Some(url) => {
                config.insert("endpoint_url", url.clone().into());
            }
            None => {
                config.insert("skip_credentials_validation", true.into());
                config.insert("skip_requesting_account_id", true.into());
            }
        }
        let ty = provider_schema().value_type();
        let value: Value = to_value(&config, &ty).expect("config value");
        let response = client
            .configure_provider(pb::configure_provider::Request {
                terraform_version: "1.11.4".into(),
                config: Some(pb::DynamicValue {
                    msgpack: encode_msgpack(&value, &ty).expect("encode"),
                    json: vec![],
                }),
                client_capabilities: None,
            })
            .await
            .expect("configure")
            .into_inner();
        assert!(
            response.diagnostics.is_empty(),
            "configure failed: {:?}",
            response.diagnostics
        );
        tokio::time::sleep(Duration::from_secs(2)).await;
        rss_kib(child.id())
    });
    let _ = child.kill();
    let _ = child.wait();
    println!(
        "idle RSS after configure{}: {:.1} MiB (target < 25 MiB)",
        if endpoint.is_some() {
            " (with STS check)"
        } else {
            ""
        },
        rss as f64 / 1024.0
    );
    let size = std::fs::metadata(&binary).map(|m| m.len()).unwrap_or(0);
    println!(
        "binary size: {:.1} MiB ({binary}; target < 40 MiB)",
        size as f64 / (1024.0 * 1024.0)
    );
}
