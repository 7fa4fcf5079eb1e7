//! Protocol tests: an in-process server with AutoMTLS, and a tonic client
//! calling every RPC, table-driven.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use async_trait::async_trait;
use tfplugin::proto::tfplugin6 as pb;
use tfplugin::provider::{DataReadRequest, DataReadResponse, UpgradeRequest};
use tfplugin::schema::ObjectNesting;
use tfplugin::testing::{ClientIdentity, connect_mtls, provider_client};
use tfplugin::tls::{ServerIdentity, parse_client_cert, server_config};
use tfplugin::value::{decode_msgpack, encode_msgpack};
use tfplugin::{
    ApplyRequest, ApplyResponse, Attribute, Block, ConfigureRequest, Context, DataSource,
    Diagnostic, Diagnostics, ImportResponse, ImportedResource, PlanRequest, PlanResponse, Provider,
    ReadRequest, ReadResponse, Resource, Schema, Type, Value,
};
use tokio_util::sync::CancellationToken;
use tonic::transport::Channel;

type Client = pb::provider_client::ProviderClient<Channel>;

struct TestProvider {
    stop_seen: Arc<std::sync::atomic::AtomicBool>,
}

struct Thing;
struct Echo;

fn thing_schema() -> Schema {
    Schema::new(
        Block::new("A thing.")
            .attribute(Attribute::string("id").computed())
            .attribute(Attribute::string("name").required())
            .attribute(Attribute::number("size"))
            .attribute(Attribute::new("tags", Type::map(Type::String)))
            .attribute(Attribute::string("password").sensitive().write_only())
            .attribute(Attribute::nested(
                "parts",
                ObjectNesting::Map,
                vec![
                    Attribute::number("count").required(),
                    Attribute::string("arn").computed(),
                ],
            )),
    )
    .with_version(2)
}

#[async_trait]
impl Provider for TestProvider {
    fn schema(&self) -> Schema {
        Schema::new(Block::new("Test provider.").attribute(Attribute::string("region")))
    }
    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        vec![Arc::new(Thing)]
    }
    fn data_sources(&self) -> Vec<Arc<dyn DataSource>> {
        vec![Arc::new(Echo)]
    }
    async fn validate(&self, config: &Value) -> Diagnostics {
        let mut d = Diagnostics::new();
        if config.get("region").as_str() == Some("bad") {
            d.error_at(
                tfplugin::AttributePath::new("region"),
                "Invalid AWS region",
                "bad region",
            );
        }
        d
    }
    async fn configure(&self, ctx: &Context, request: ConfigureRequest) -> Diagnostics {
        let stop = ctx.stop.clone();
        let seen = self.stop_seen.clone();
        tokio::spawn(async move {
            stop.cancelled().await;
            seen.store(true, std::sync::atomic::Ordering::SeqCst);
        });
        if request.config.get("region").is_unknown() {
            return Diagnostic::warning("region unknown", "deferred").into();
        }
        Diagnostics::new()
    }
}

#[async_trait]
impl Resource for Thing {
    fn type_name(&self) -> &str {
        "test_thing"
    }
    fn schema(&self) -> Schema {
        thing_schema()
    }
    async fn validate(&self, config: &Value) -> Diagnostics {
        let mut d = Diagnostics::new();
        if config.get("name").as_str() == Some("") {
            d.error_at(
                tfplugin::AttributePath::new("name"),
                "Empty name",
                "name must not be empty",
            );
        }
        d
    }
    async fn upgrade_state(&self, request: UpgradeRequest) -> Result<Value, Diagnostics> {
        // Version 1 called the name "label".
        let mut request = request;
        if request.version == 1 {
            if let Some(obj) = request.json.as_mut().and_then(|j| j.as_object_mut())
                && let Some(label) = obj.remove("label")
            {
                obj.insert("name".into(), label);
            }
            request.version = 2;
        }
        tfplugin::provider::default_upgrade("test_thing", &thing_schema(), request)
    }
    async fn read(&self, _ctx: &Context, request: ReadRequest) -> ReadResponse {
        ReadResponse {
            new_state: request.current_state,
            private: request.private,
            ..Default::default()
        }
    }
    async fn plan(&self, _ctx: &Context, request: PlanRequest) -> PlanResponse {
        let mut planned = request.proposed_new_state.clone();
        if let Value::Object(m) = &mut planned
            && request.prior_state.is_null()
        {
            m.insert("id".into(), Value::Unknown);
        }
        let requires_replace = if !request.prior_state.is_null()
            && request.prior_state.get("name") != request.config.get("name")
        {
            vec![tfplugin::AttributePath::new("name")]
        } else {
            Vec::new()
        };
        if request.config.get("name").as_str() == Some("panic") {
            panic!("planned to panic");
        }
        PlanResponse {
            planned_state: planned,
            requires_replace,
            planned_private: b"p1".to_vec(),
            ..Default::default()
        }
    }
    async fn apply(&self, _ctx: &Context, request: ApplyRequest) -> ApplyResponse {
        if request.planned_state.is_null() {
            return ApplyResponse::default();
        }
        let mut state = request.planned_state.clone();
        if let Value::Object(m) = &mut state {
            let name = m
                .get("name")
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_string();
            m.insert("id".into(), Value::string(format!("thing-{name}")));
        }
        ApplyResponse {
            new_state: state,
            private: request.planned_private,
            ..Default::default()
        }
    }
    async fn import(&self, _ctx: &Context, id: String) -> ImportResponse {
        let state = Value::Object(
            [
                ("id".to_string(), Value::string(id.clone())),
                ("name".to_string(), Value::string(id)),
            ]
            .into_iter()
            .collect(),
        );
        ImportResponse {
            imported: vec![ImportedResource {
                type_name: "test_thing".into(),
                state,
                private: vec![],
            }],
            diagnostics: Diagnostics::new(),
        }
    }
}

#[async_trait]
impl DataSource for Echo {
    fn type_name(&self) -> &str {
        "test_echo"
    }
    fn schema(&self) -> Schema {
        Schema::new(
            Block::new("Echo.")
                .attribute(Attribute::string("input").required())
                .attribute(Attribute::string("output").computed()),
        )
    }
    async fn read(&self, _ctx: &Context, request: DataReadRequest) -> DataReadResponse {
        let input = request.config.get("input").clone();
        DataReadResponse {
            state: Value::Object(
                [
                    ("input".to_string(), input.clone()),
                    ("output".to_string(), input),
                ]
                .into_iter()
                .collect(),
            ),
            diagnostics: Diagnostics::new(),
        }
    }
}

struct Harness {
    client: Client,
    stop_seen: Arc<std::sync::atomic::AtomicBool>,
    shutdown: CancellationToken,
    address: String,
    server_cert: Vec<u8>,
    identity: ClientIdentity,
}

async fn start() -> Harness {
    let identity = ClientIdentity::generate();
    let server = ServerIdentity::generate().unwrap();
    let tls = server_config(&server, parse_client_cert(&identity.cert_pem).unwrap()).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap().to_string();
    let stop_seen = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let provider = Arc::new(TestProvider {
        stop_seen: stop_seen.clone(),
    });
    let shutdown = CancellationToken::new();
    let ctx = Context {
        stop: CancellationToken::new(),
    };
    tokio::spawn(tfplugin::plugin::serve_on(
        listener,
        provider,
        Some(tls),
        ctx,
        shutdown.clone(),
    ));
    let channel = connect_mtls(&address, server.cert.as_ref(), &identity)
        .await
        .expect("mTLS connect");
    Harness {
        client: provider_client(channel),
        stop_seen,
        shutdown,
        address,
        server_cert: server.cert.to_vec(),
        identity,
    }
}

fn thing_type() -> Type {
    thing_schema().value_type()
}

fn dv(value: &Value, ty: &Type) -> Option<pb::DynamicValue> {
    Some(pb::DynamicValue {
        msgpack: encode_msgpack(value, ty).unwrap(),
        json: vec![],
    })
}

fn obj(pairs: &[(&str, Value)]) -> Value {
    Value::Object(
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
    )
}

fn thing(name: &str, id: Value) -> Value {
    obj(&[
        ("id", id),
        ("name", Value::string(name)),
        ("size", Value::Null),
        ("tags", Value::Null),
        ("password", Value::Null),
        ("parts", Value::Null),
    ])
}

fn summaries(d: &[pb::Diagnostic]) -> Vec<String> {
    d.iter().map(|d| d.summary.clone()).collect()
}

type Case = (
    &'static str,
    fn(Client) -> Pin<Box<dyn Future<Output = Result<(), String>> + Send>>,
);

fn ensure(cond: bool, msg: impl Into<String>) -> Result<(), String> {
    if cond { Ok(()) } else { Err(msg.into()) }
}

fn cases() -> Vec<Case> {
    vec![
        ("GetMetadata", |mut c| {
            Box::pin(async move {
                let r = c
                    .get_metadata(pb::get_metadata::Request {})
                    .await
                    .map_err(|e| e.to_string())?
                    .into_inner();
                ensure(
                    r.resources.iter().any(|m| m.type_name == "test_thing"),
                    "resource listed",
                )?;
                ensure(
                    r.data_sources.iter().any(|m| m.type_name == "test_echo"),
                    "data source listed",
                )?;
                let caps = r.server_capabilities.unwrap_or_default();
                ensure(
                    caps.plan_destroy && caps.get_provider_schema_optional,
                    "capabilities",
                )
            })
        }),
        ("GetProviderSchema", |mut c| {
            Box::pin(async move {
                let r = c
                    .get_provider_schema(pb::get_provider_schema::Request {})
                    .await
                    .map_err(|e| e.to_string())?
                    .into_inner();
                let thing = r.resource_schemas.get("test_thing").ok_or("thing schema")?;
                ensure(thing.version == 2, "schema version")?;
                let block = thing.block.as_ref().ok_or("block")?;
                let parts = block
                    .attributes
                    .iter()
                    .find(|a| a.name == "parts")
                    .ok_or("parts")?;
                // Terraform rejects attributes with both type and nested_type.
                ensure(
                    parts.r#type.is_empty() && parts.nested_type.is_some(),
                    "nested attribute has no type",
                )?;
                let password = block
                    .attributes
                    .iter()
                    .find(|a| a.name == "password")
                    .ok_or("password")?;
                ensure(
                    password.sensitive && password.write_only,
                    "sensitive write-only",
                )?;
                let tags = block
                    .attributes
                    .iter()
                    .find(|a| a.name == "tags")
                    .ok_or("tags")?;
                ensure(
                    tags.r#type == br#"["map","string"]"#.to_vec(),
                    format!("tags type {:?}", String::from_utf8_lossy(&tags.r#type)),
                )
            })
        }),
        ("ValidateProviderConfig", |mut c| {
            Box::pin(async move {
                let ty = Type::Object([("region".to_string(), Type::String)].into_iter().collect());
                let bad = obj(&[("region", Value::string("bad"))]);
                let r = c
                    .validate_provider_config(pb::validate_provider_config::Request {
                        config: dv(&bad, &ty),
                    })
                    .await
                    .map_err(|e| e.to_string())?
                    .into_inner();
                ensure(
                    summaries(&r.diagnostics) == vec!["Invalid AWS region"],
                    format!("{:?}", r.diagnostics),
                )?;
                let path = r.diagnostics[0].attribute.clone().ok_or("attribute path")?;
                ensure(path.steps.len() == 1, "one step")
            })
        }),
        ("ValidateResourceConfig", |mut c| {
            Box::pin(async move {
                let r = c
                    .validate_resource_config(pb::validate_resource_config::Request {
                        type_name: "test_thing".into(),
                        config: dv(&thing("", Value::Null), &thing_type()),
                    })
                    .await
                    .map_err(|e| e.to_string())?
                    .into_inner();
                ensure(
                    summaries(&r.diagnostics) == vec!["Empty name"],
                    format!("{:?}", r.diagnostics),
                )?;
                let r = c
                    .validate_resource_config(pb::validate_resource_config::Request {
                        type_name: "nope".into(),
                        config: None,
                    })
                    .await
                    .map_err(|e| e.to_string())?
                    .into_inner();
                ensure(
                    r.diagnostics[0].summary.contains("Unknown resource type"),
                    "unknown type diagnostic",
                )
            })
        }),
        ("ValidateDataResourceConfig", |mut c| {
            Box::pin(async move {
                let r = c
                    .validate_data_resource_config(pb::validate_data_resource_config::Request {
                        type_name: "test_echo".into(),
                        config: None,
                    })
                    .await
                    .map_err(|e| e.to_string())?
                    .into_inner();
                ensure(r.diagnostics.is_empty(), format!("{:?}", r.diagnostics))
            })
        }),
        ("UpgradeResourceState", |mut c| {
            Box::pin(async move {
                let raw =
                    br#"{"id":"t1","label":"old","size":12345678901234567890123,"dropped":1}"#
                        .to_vec();
                let r = c
                    .upgrade_resource_state(pb::upgrade_resource_state::Request {
                        type_name: "test_thing".into(),
                        version: 1,
                        raw_state: Some(pb::RawState {
                            json: raw,
                            flatmap: Default::default(),
                        }),
                    })
                    .await
                    .map_err(|e| e.to_string())?
                    .into_inner();
                ensure(r.diagnostics.is_empty(), format!("{:?}", r.diagnostics))?;
                let v = decode_msgpack(&r.upgraded_state.ok_or("state")?.msgpack, &thing_type())
                    .map_err(|e| e.to_string())?;
                ensure(v.get("name").as_str() == Some("old"), "renamed attribute")?;
                ensure(
                    matches!(v.get("size"), Value::Number(n) if n.to_string() == "12345678901234567890123"),
                    format!("big number kept: {:?}", v.get("size")),
                )?;
                let r = c
                    .upgrade_resource_state(pb::upgrade_resource_state::Request {
                        type_name: "test_thing".into(),
                        version: 3,
                        raw_state: Some(pb::RawState {
                            json: b"{}".to_vec(),
                            flatmap: Default::default(),
                        }),
                    })
                    .await
                    .map_err(|e| e.to_string())?
                    .into_inner();
                ensure(
                    r.diagnostics[0].summary.contains("newer provider"),
                    "newer version refused",
                )?;
                let r = c
                    .upgrade_resource_state(pb::upgrade_resource_state::Request {
                        type_name: "test_thing".into(),
                        version: 2,
                        raw_state: Some(pb::RawState {
                            json: vec![],
                            flatmap: [("id".to_string(), "x".to_string())].into_iter().collect(),
                        }),
                    })
                    .await
                    .map_err(|e| e.to_string())?
                    .into_inner();
                ensure(
                    r.diagnostics[0].summary.contains("legacy state format"),
                    "flatmap refused",
                )
            })
        }),
        ("ConfigureProvider", |mut c| {
            Box::pin(async move {
                let ty = Type::Object([("region".to_string(), Type::String)].into_iter().collect());
                let unknown = obj(&[("region", Value::Unknown)]);
                let r = c
                    .configure_provider(pb::configure_provider::Request {
                        terraform_version: "1.11.4".into(),
                        config: dv(&unknown, &ty),
                        client_capabilities: None,
                    })
                    .await
                    .map_err(|e| e.to_string())?
                    .into_inner();
                ensure(
                    summaries(&r.diagnostics) == vec!["region unknown"],
                    format!("{:?}", r.diagnostics),
                )
            })
        }),
        ("ReadResource", |mut c| {
            Box::pin(async move {
                let state = thing("a", Value::string("thing-a"));
                let r = c
                    .read_resource(pb::read_resource::Request {
                        type_name: "test_thing".into(),
                        current_state: dv(&state, &thing_type()),
                        private: b"pp".to_vec(),
                        provider_meta: None,
                        client_capabilities: None,
                    })
                    .await
                    .map_err(|e| e.to_string())?
                    .into_inner();
                let v = decode_msgpack(&r.new_state.ok_or("state")?.msgpack, &thing_type())
                    .map_err(|e| e.to_string())?;
                ensure(
                    v == state && r.private == b"pp",
                    "state and private round-trip",
                )
            })
        }),
        ("PlanResourceChange", |mut c| {
            Box::pin(async move {
                let proposed = thing("a", Value::Null);
                let r = c
                    .plan_resource_change(pb::plan_resource_change::Request {
                        type_name: "test_thing".into(),
                        prior_state: dv(&Value::Null, &thing_type()),
                        proposed_new_state: dv(&proposed, &thing_type()),
                        config: dv(&proposed, &thing_type()),
                        prior_private: vec![],
                        provider_meta: None,
                        client_capabilities: None,
                    })
                    .await
                    .map_err(|e| e.to_string())?
                    .into_inner();
                let v = decode_msgpack(&r.planned_state.ok_or("planned")?.msgpack, &thing_type())
                    .map_err(|e| e.to_string())?;
                ensure(v.get("id").is_unknown(), "id unknown in plan")?;
                let prior = thing("a", Value::string("thing-a"));
                let renamed = thing("b", Value::string("thing-a"));
                let r = c
                    .plan_resource_change(pb::plan_resource_change::Request {
                        type_name: "test_thing".into(),
                        prior_state: dv(&prior, &thing_type()),
                        proposed_new_state: dv(&renamed, &thing_type()),
                        config: dv(&renamed, &thing_type()),
                        prior_private: vec![],
                        provider_meta: None,
                        client_capabilities: None,
                    })
                    .await
                    .map_err(|e| e.to_string())?
                    .into_inner();
                ensure(r.requires_replace.len() == 1, "rename requires replace")?;
                let boom = thing("panic", Value::Null);
                let r = c
                    .plan_resource_change(pb::plan_resource_change::Request {
                        type_name: "test_thing".into(),
                        prior_state: None,
                        proposed_new_state: dv(&boom, &thing_type()),
                        config: dv(&boom, &thing_type()),
                        prior_private: vec![],
                        provider_meta: None,
                        client_capabilities: None,
                    })
                    .await
                    .map_err(|e| e.to_string())?
                    .into_inner();
                let d = r.diagnostics.first().ok_or("panic diagnostic")?;
                ensure(
                    d.summary.contains("Internal error") && !d.detail.contains("backtrace"),
                    format!("{d:?}"),
                )
            })
        }),
        ("ApplyResourceChange", |mut c| {
            Box::pin(async move {
                let planned = thing("a", Value::Unknown);
                let r = c
                    .apply_resource_change(pb::apply_resource_change::Request {
                        type_name: "test_thing".into(),
                        prior_state: None,
                        planned_state: dv(&planned, &thing_type()),
                        config: dv(&thing("a", Value::Null), &thing_type()),
                        planned_private: b"p1".to_vec(),
                        provider_meta: None,
                    })
                    .await
                    .map_err(|e| e.to_string())?
                    .into_inner();
                let v = decode_msgpack(&r.new_state.ok_or("new state")?.msgpack, &thing_type())
                    .map_err(|e| e.to_string())?;
                ensure(
                    v.get("id").as_str() == Some("thing-a") && r.private == b"p1",
                    "applied",
                )
            })
        }),
        ("ImportResourceState", |mut c| {
            Box::pin(async move {
                let r = c
                    .import_resource_state(pb::import_resource_state::Request {
                        type_name: "test_thing".into(),
                        id: "x1".into(),
                        client_capabilities: None,
                    })
                    .await
                    .map_err(|e| e.to_string())?
                    .into_inner();
                ensure(r.imported_resources.len() == 1, "one imported")?;
                let v = decode_msgpack(
                    &r.imported_resources[0]
                        .state
                        .clone()
                        .ok_or("state")?
                        .msgpack,
                    &thing_type(),
                )
                .map_err(|e| e.to_string())?;
                ensure(v.get("id").as_str() == Some("x1"), "imported id")
            })
        }),
        ("MoveResourceState", |mut c| {
            Box::pin(async move {
                let r = c
                    .move_resource_state(pb::move_resource_state::Request {
                        source_provider_address: "registry.terraform.io/hashicorp/aws".into(),
                        source_type_name: "aws_vpc".into(),
                        source_schema_version: 1,
                        source_state: None,
                        target_type_name: "test_thing".into(),
                        source_private: vec![],
                    })
                    .await
                    .map_err(|e| e.to_string())?
                    .into_inner();
                ensure(
                    r.diagnostics
                        .first()
                        .is_some_and(|d| d.summary.contains("not supported")),
                    "clear refusal",
                )
            })
        }),
        ("ReadDataSource", |mut c| {
            Box::pin(async move {
                let ty = Type::Object(
                    [
                        ("input".to_string(), Type::String),
                        ("output".to_string(), Type::String),
                    ]
                    .into_iter()
                    .collect(),
                );
                let config = obj(&[("input", Value::string("hi")), ("output", Value::Null)]);
                let r = c
                    .read_data_source(pb::read_data_source::Request {
                        type_name: "test_echo".into(),
                        config: dv(&config, &ty),
                        provider_meta: None,
                        client_capabilities: None,
                    })
                    .await
                    .map_err(|e| e.to_string())?
                    .into_inner();
                let v = decode_msgpack(&r.state.ok_or("state")?.msgpack, &ty)
                    .map_err(|e| e.to_string())?;
                ensure(v.get("output").as_str() == Some("hi"), "echoed")
            })
        }),
        ("EphemeralResources", |mut c| {
            Box::pin(async move {
                let r = c
                    .validate_ephemeral_resource_config(
                        pb::validate_ephemeral_resource_config::Request {
                            type_name: "x".into(),
                            config: None,
                        },
                    )
                    .await
                    .map_err(|e| e.to_string())?
                    .into_inner();
                ensure(
                    !r.diagnostics.is_empty(),
                    "ephemeral validate answers with a diagnostic",
                )?;
                let r = c
                    .open_ephemeral_resource(pb::open_ephemeral_resource::Request {
                        type_name: "x".into(),
                        config: None,
                        client_capabilities: None,
                    })
                    .await
                    .map_err(|e| e.to_string())?
                    .into_inner();
                ensure(!r.diagnostics.is_empty(), "open")?;
                let r = c
                    .renew_ephemeral_resource(pb::renew_ephemeral_resource::Request {
                        type_name: "x".into(),
                        private: None,
                    })
                    .await
                    .map_err(|e| e.to_string())?
                    .into_inner();
                ensure(!r.diagnostics.is_empty(), "renew")?;
                let r = c
                    .close_ephemeral_resource(pb::close_ephemeral_resource::Request {
                        type_name: "x".into(),
                        private: None,
                    })
                    .await
                    .map_err(|e| e.to_string())?
                    .into_inner();
                ensure(!r.diagnostics.is_empty(), "close")
            })
        }),
        ("Functions", |mut c| {
            Box::pin(async move {
                let r = c
                    .get_functions(pb::get_functions::Request {})
                    .await
                    .map_err(|e| e.to_string())?
                    .into_inner();
                ensure(
                    r.functions.is_empty() && r.diagnostics.is_empty(),
                    "no functions",
                )?;
                let r = c
                    .call_function(pb::call_function::Request {
                        name: "f".into(),
                        arguments: vec![],
                    })
                    .await
                    .map_err(|e| e.to_string())?
                    .into_inner();
                ensure(r.error.is_some(), "unknown function error")
            })
        }),
        ("InvalidMsgpack", |mut c| {
            Box::pin(async move {
                let r = c
                    .read_resource(pb::read_resource::Request {
                        type_name: "test_thing".into(),
                        current_state: Some(pb::DynamicValue {
                            msgpack: vec![0x81],
                            json: vec![],
                        }),
                        private: vec![],
                        provider_meta: None,
                        client_capabilities: None,
                    })
                    .await
                    .map_err(|e| e.to_string())?
                    .into_inner();
                ensure(
                    r.diagnostics
                        .first()
                        .is_some_and(|d| d.summary.contains("Invalid current state")),
                    format!("{:?}", r.diagnostics),
                )
            })
        }),
    ]
}

#[tokio::test]
async fn every_rpc_answers() {
    let h = start().await;
    let mut failures = Vec::new();
    for (name, case) in cases() {
        if let Err(e) = case(h.client.clone()).await {
            failures.push(format!("{name}: {e}"));
        }
    }
    assert!(
        failures.is_empty(),
        "failed cases:\n{}",
        failures.join("\n")
    );
}

#[tokio::test]
async fn stop_provider_cancels_the_context() {
    let mut h = start().await;
    let ty = Type::Object([("region".to_string(), Type::String)].into_iter().collect());
    h.client
        .configure_provider(pb::configure_provider::Request {
            terraform_version: "1.11.4".into(),
            config: dv(&obj(&[("region", Value::string("us-east-1"))]), &ty),
            client_capabilities: None,
        })
        .await
        .unwrap();
    h.client
        .stop_provider(pb::stop_provider::Request {})
        .await
        .unwrap();
    for _ in 0..100 {
        if h.stop_seen.load(std::sync::atomic::Ordering::SeqCst) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("the stop token was not cancelled");
}

/// Connects to the harness's server over mTLS as `identity` and calls
/// GetMetadata. Ok only if the connection was accepted *and* the RPC was
/// answered: a refusal may show at connect or (TLS 1.3, where the server
/// checks the client certificate after the client's handshake is done) at
/// the first RPC, and either is an `Err` here.
async fn get_metadata_as(h: &Harness, identity: &ClientIdentity) -> Result<(), String> {
    let channel = connect_mtls(&h.address, &h.server_cert, identity)
        .await
        .map_err(|e| format!("connect: {e:?}"))?;
    provider_client(channel)
        .get_metadata(pb::get_metadata::Request {})
        .await
        .map(|_| ())
        .map_err(|status| format!("GetMetadata: {status}"))
}

#[tokio::test]
async fn a_foreign_client_certificate_is_refused() {
    let h = start().await;
    // Control: the same path with the pinned certificate gets an answer, so
    // a refusal below is the certificate's doing, not a broken harness.
    get_metadata_as(&h, &h.identity)
        .await
        .expect("the PLUGIN_CLIENT_CERT identity is accepted");
    let foreign = get_metadata_as(&h, &ClientIdentity::generate()).await;
    assert!(
        foreign.is_err(),
        "a client certificate other than PLUGIN_CLIENT_CERT was accepted"
    );
}

#[tokio::test]
async fn controller_shutdown_stops_the_server() {
    let h = start().await;
    let channel = connect_mtls(&h.address, &h.server_cert, &h.identity)
        .await
        .unwrap();
    let mut controller =
        tfplugin::proto::plugin::grpc_controller_client::GrpcControllerClient::new(channel);
    controller
        .shutdown(tfplugin::proto::plugin::Empty {})
        .await
        .unwrap();
    tokio::time::timeout(std::time::Duration::from_secs(5), h.shutdown.cancelled())
        .await
        .expect("shutdown within 5 s");
}

#[tokio::test]
async fn plaintext_clients_are_refused() {
    let mut h = start().await;
    // Control: the server is up and answers its mTLS client.
    h.client
        .get_metadata(pb::get_metadata::Request {})
        .await
        .expect("the mTLS client is answered");
    // A plaintext client must get no answer, whether the refusal shows at
    // connect or at the first RPC.
    let plaintext = async {
        let channel = tonic::transport::Endpoint::from_shared(format!("http://{}", h.address))
            .map_err(|e| format!("endpoint: {e:?}"))?
            .connect()
            .await
            .map_err(|e| format!("connect: {e:?}"))?;
        provider_client(channel)
            .get_metadata(pb::get_metadata::Request {})
            .await
            .map(|_| ())
            .map_err(|status| format!("GetMetadata: {status}"))
    }
    .await;
    assert!(
        plaintext.is_err(),
        "a plaintext client was answered by a server that requires mTLS"
    );
}

#[tokio::test]
async fn sensitive_values_received_are_redacted_from_logs() {
    let mut h = start().await;
    let validated = "pw-validate-probe-5c1e";
    let planned = "pw-plan-probe-93ab";
    let line = format!("values {validated} and {planned}");
    assert_eq!(tfplugin::logging::redacted(&line), line);
    let with_password = |password: &str| {
        let mut value = thing("plain-thing-name-77", Value::Null);
        if let Value::Object(m) = &mut value {
            m.insert("password".into(), Value::string(password));
        }
        value
    };
    let r = h
        .client
        .validate_resource_config(pb::validate_resource_config::Request {
            type_name: "test_thing".into(),
            config: dv(&with_password(validated), &thing_type()),
        })
        .await
        .unwrap()
        .into_inner();
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
    let config = with_password(planned);
    h.client
        .plan_resource_change(pb::plan_resource_change::Request {
            type_name: "test_thing".into(),
            prior_state: dv(&Value::Null, &thing_type()),
            proposed_new_state: dv(&config, &thing_type()),
            config: dv(&config, &thing_type()),
            prior_private: vec![],
            provider_meta: None,
            client_capabilities: None,
        })
        .await
        .unwrap();
    assert_eq!(
        tfplugin::logging::redacted(&line),
        "values [redacted] and [redacted]"
    );
    // The name is not sensitive.
    assert_eq!(
        tfplugin::logging::redacted("plain-thing-name-77"),
        "plain-thing-name-77"
    );
}
