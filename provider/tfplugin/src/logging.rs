//! Logging in the hclog JSON line format on stderr. go-plugin parses these
//! lines, so `TF_LOG=DEBUG` or `TF_LOG_PROVIDER=TRACE` show provider logs
//! with the right levels inside Terraform's own log.
//!
//! Terraform logs end up in bug reports, so no line may carry a secret:
//! libraries never log at TRACE here (the AWS SDK's trace events print
//! whole HTTP requests and responses: session tokens, credentials returned
//! by STS, secret values), and every value registered with [`redact`] (the
//! server registers the values of sensitive and write-only attributes it
//! receives, see [`redact_sensitive`]) is replaced by `[redacted]`.

use std::io::Write;
use std::sync::RwLock;
use std::time::SystemTime;

use crate::schema::{Attribute, AttributeKind, Block, BlockNesting, ObjectNesting};
use crate::value::Value;

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::Layer;
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::registry::{LookupSpan, Registry};

/// The level Terraform asked for: `TF_LOG_PROVIDER`, else `TF_LOG`; warnings
/// and errors otherwise. `JSON` (a Terraform alias for TRACE) is accepted.
pub fn level_from_env() -> Option<Level> {
    let raw = std::env::var("TF_LOG_PROVIDER")
        .ok()
        .filter(|s| !s.is_empty())
        .or_else(|| std::env::var("TF_LOG").ok().filter(|s| !s.is_empty()));
    match raw.as_deref().map(str::to_ascii_uppercase).as_deref() {
        Some("TRACE" | "JSON") => Some(Level::TRACE),
        Some("DEBUG") => Some(Level::DEBUG),
        Some("INFO") => Some(Level::INFO),
        Some("WARN") => Some(Level::WARN),
        Some("ERROR") => Some(Level::ERROR),
        Some("OFF") => None,
        _ => Some(Level::WARN),
    }
}

/// Installs the hclog JSON logger as the global subscriber (once).
pub fn init(module: &'static str) {
    let Some(max) = level_from_env() else { return };
    let subscriber = Registry::default().with(HclogLayer {
        module,
        max,
        sink: Box::new(Stderr),
    });
    let _ = tracing::subscriber::set_global_default(subscriber);
}

/// What a redacted value is replaced with.
const REDACTED: &str = "[redacted]";

/// Values shorter than this are not redacted: replacing every occurrence of
/// a two-letter string would make the log unreadable, and no credential is
/// that short.
const MIN_REDACTED_CHARS: usize = 6;

/// The values to redact, longest first (so a value that contains another is
/// replaced whole).
static SECRETS: RwLock<Vec<String>> = RwLock::new(Vec::new());

/// Registers a secret: from now on it is replaced by `[redacted]` wherever
/// it appears in a log line (message, fields, span fields), also in the
/// escaped form `{:?}` gives it. Values under 6 characters are ignored.
pub fn redact(secret: &str) {
    if secret.chars().count() < MIN_REDACTED_CHARS {
        return;
    }
    let mut secrets = SECRETS.write().unwrap_or_else(|e| e.into_inner());
    if !secrets.iter().any(|s| s == secret) {
        secrets.push(secret.to_string());
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    }
}

/// Registers with [`redact`] every string inside the sensitive or
/// write-only attributes of `value`, a value of `block`'s type (a provider
/// configuration, a resource's configuration). Unknown and null values are
/// skipped.
pub fn redact_sensitive(block: &Block, value: &Value) {
    for attribute in &block.attributes {
        redact_attribute(attribute, value.get(&attribute.name));
    }
    for nested in &block.blocks {
        let inner = value.get(&nested.type_name);
        match nested.nesting {
            BlockNesting::Single | BlockNesting::Group => redact_sensitive(&nested.block, inner),
            BlockNesting::List | BlockNesting::Set | BlockNesting::Map => {
                for element in elements(inner) {
                    redact_sensitive(&nested.block, element);
                }
            }
        }
    }
}

fn redact_attribute(attribute: &Attribute, value: &Value) {
    if attribute.sensitive || attribute.write_only {
        redact_strings(value);
        return;
    }
    if let AttributeKind::Nested {
        nesting,
        attributes,
    } = &attribute.kind
    {
        let objects: Vec<&Value> = match nesting {
            ObjectNesting::Single => vec![value],
            ObjectNesting::List | ObjectNesting::Set | ObjectNesting::Map => elements(value),
        };
        for object in objects {
            for inner in attributes {
                redact_attribute(inner, object.get(&inner.name));
            }
        }
    }
}

/// The elements of a list, set, tuple or map (none for anything else).
fn elements(value: &Value) -> Vec<&Value> {
    match value {
        Value::List(items) | Value::Set(items) | Value::Tuple(items) => items.iter().collect(),
        Value::Map(entries) | Value::Object(entries) => entries.values().collect(),
        _ => Vec::new(),
    }
}

fn redact_strings(value: &Value) {
    match value {
        Value::String(s) => redact(s),
        other => {
            for element in elements(other) {
                redact_strings(element);
            }
        }
    }
}

/// `text` as a log line would carry it: every value registered with
/// [`redact`] replaced by `[redacted]`. For text written to stderr some
/// other way than through `tracing`.
pub fn redacted(text: &str) -> String {
    scrub(text.to_string())
}

/// `text` with every registered secret replaced.
fn scrub(text: String) -> String {
    let secrets = SECRETS.read().unwrap_or_else(|e| e.into_inner());
    let mut text = text;
    for secret in secrets.iter() {
        if text.contains(secret.as_str()) {
            text = text.replace(secret.as_str(), REDACTED);
        }
        // As `{:?}` writes it inside a quoted string (quotes, backslashes
        // and control characters escaped).
        let debug = format!("{secret:?}");
        let escaped = &debug[1..debug.len() - 1];
        if escaped != secret && text.contains(escaped) {
            text = text.replace(escaped, REDACTED);
        }
    }
    text
}

/// Where finished lines go: stderr in the provider, a buffer in tests.
trait Sink: Send + Sync + 'static {
    fn write_line(&self, line: &str);
}

struct Stderr;

impl Sink for Stderr {
    fn write_line(&self, line: &str) {
        // One write of the whole line under the lock: lines from different
        // threads never interleave.
        let _ = std::io::stderr().lock().write_all(line.as_bytes());
    }
}

/// Writes each event as one hclog JSON line.
struct HclogLayer {
    module: &'static str,
    max: Level,
    sink: Box<dyn Sink>,
}

/// Field values of an event or a span, as JSON.
#[derive(Default)]
struct Fields(serde_json::Map<String, serde_json::Value>);

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.insert(
            field.name().to_string(),
            serde_json::Value::String(format!("{value:?}")),
        );
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(
            field.name().to_string(),
            serde_json::Value::String(value.to_string()),
        );
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.0.insert(field.name().to_string(), value.into());
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.0.insert(field.name().to_string(), value.into());
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.0.insert(field.name().to_string(), value.into());
    }
}

/// The key of our own that is not hclog's: the event's tracing target.
const TARGET_KEY: &str = "target";

/// Builds one hclog JSON line (with its newline) that go-plugin can parse.
///
/// go-plugin's `parseJSON` type-asserts `@message`, `@level` and
/// `@timestamp` as strings and panics, taking Terraform down with it, on
/// anything else (`TF_LOG=TRACE` once crashed `terraform plan` on a library
/// event with no message, written as `"@message": null`). So: `@message`,
/// `@level`, `@module` and `@timestamp` are always present and always
/// strings (a missing message is `""`; a `message` field of another type is
/// its JSON text), and a field whose name starts with `@` or is `target`
/// never replaces ours: it is written as `field.NAME` instead. Secrets
/// registered with [`redact`] are replaced in the message and every string
/// field.
fn hclog_line(
    module: &str,
    level: Level,
    target: &str,
    message: Option<serde_json::Value>,
    fields: serde_json::Map<String, serde_json::Value>,
) -> String {
    let level = match level {
        Level::TRACE => "trace",
        Level::DEBUG => "debug",
        Level::INFO => "info",
        Level::WARN => "warn",
        Level::ERROR => "error",
    };
    let message = match message {
        None => String::new(),
        Some(serde_json::Value::String(text)) => text,
        Some(other) => other.to_string(),
    };
    let mut line = serde_json::Map::new();
    line.insert("@level".into(), level.into());
    line.insert("@message".into(), scrub(message).into());
    line.insert("@module".into(), module.into());
    line.insert(
        "@timestamp".into(),
        humantime::format_rfc3339_micros(SystemTime::now())
            .to_string()
            .into(),
    );
    line.insert(TARGET_KEY.into(), target.into());
    for (name, value) in fields {
        let mut key = name;
        while key.starts_with('@') || key == TARGET_KEY || line.contains_key(&key) {
            key = format!("field.{key}");
        }
        let value = match value {
            serde_json::Value::String(text) => serde_json::Value::String(scrub(text)),
            other => other,
        };
        line.insert(key, value);
    }
    let mut text = serde_json::Value::Object(line).to_string();
    text.push('\n');
    text
}

impl HclogLayer {
    /// Our own crates log at the level asked for; libraries (HTTP/2 frames,
    /// TLS, the AWS SDK's internals) only from INFO up, from DEBUG up when
    /// TRACE is asked, and never at TRACE: the AWS SDK's trace events print
    /// whole HTTP requests and responses, with session tokens, credentials
    /// returned by STS and secret values in them.
    fn wants(&self, metadata: &tracing::Metadata<'_>) -> bool {
        let ours = [
            "tfplugin",
            "todo_provider",
            "terraform_provider_todo",
            "acceptance_tests",
        ]
        .iter()
        .any(|c| metadata.target().starts_with(c));
        let max = if ours {
            self.max
        } else if self.max == Level::TRACE {
            Level::DEBUG
        } else {
            self.max.min(Level::INFO)
        };
        *metadata.level() <= max
    }
}

impl<S> Layer<S> for HclogLayer
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn enabled(&self, metadata: &tracing::Metadata<'_>, _ctx: Context<'_, S>) -> bool {
        self.wants(metadata)
    }

    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(id) else { return };
        let mut fields = Fields::default();
        attrs.record(&mut fields);
        span.extensions_mut().insert(fields);
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(id) else { return };
        let mut extensions = span.extensions_mut();
        if let Some(fields) = extensions.get_mut::<Fields>() {
            values.record(fields);
        } else {
            let mut fields = Fields::default();
            values.record(&mut fields);
            extensions.insert(fields);
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let metadata = event.metadata();
        if !self.wants(metadata) {
            return;
        }
        // The fields of the spans the event is in, outermost first so that
        // inner spans win; then the event's own fields, which win over all.
        let mut fields = serde_json::Map::new();
        if let Some(scope) = ctx.event_scope(event) {
            for span in scope.from_root() {
                if let Some(span_fields) = span.extensions().get::<Fields>() {
                    fields.extend(span_fields.0.clone());
                }
            }
        }
        let mut own = Fields::default();
        event.record(&mut own);
        let message = own.0.remove("message");
        fields.extend(own.0);
        let line = hclog_line(
            self.module,
            *metadata.level(),
            metadata.target(),
            message,
            fields,
        );
        self.sink.write_line(&line);
    }
}

/// Routes panics to the log as one error line, without a backtrace: the
/// user sees a diagnostic, the log keeps the location for a bug report.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_string());
        let location = info.location().map(|l| l.to_string()).unwrap_or_default();
        tracing::error!(location = %location, "provider panicked: {message}");
    }));
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use serde_json::Value;
    use tracing::Level;
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::registry::Registry;

    use super::{HclogLayer, Sink};

    const MODULE: &str = "provider.test";

    /// The keys go-plugin's `parseJSON` (and hclog) treat as its own. go-plugin
    /// type-asserts `@message`, `@level` and `@timestamp` as strings and
    /// panics (taking Terraform down) on anything else.
    const RESERVED: [&str; 5] = ["@message", "@level", "@timestamp", "@module", "@caller"];

    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<String>>);

    impl Sink for Buffer {
        fn write_line(&self, line: &str) {
            self.0.lock().unwrap().push_str(line);
        }
    }

    /// Runs `f` under an hclog layer at `max` and returns the lines written,
    /// each checked to be one JSON object that go-plugin can parse.
    fn capture(max: Level, f: impl FnOnce()) -> Vec<serde_json::Map<String, Value>> {
        let buffer = Buffer::default();
        let subscriber = Registry::default().with(HclogLayer {
            module: MODULE,
            max,
            sink: Box::new(buffer.clone()),
        });
        tracing::subscriber::with_default(subscriber, f);
        let text = buffer.0.lock().unwrap().clone();
        assert!(
            text.is_empty() || text.ends_with('\n'),
            "every line ends with a newline: {text:?}"
        );
        text.lines().map(go_plugin_parses).collect()
    }

    /// What go-plugin's `parseJSON` requires of a line, and what hclog means
    /// by its `@` keys: all present ones are strings, the level is an hclog
    /// level, the timestamp has go-plugin's layout
    /// (`2006-01-02T15:04:05.000000Z07:00`).
    fn go_plugin_parses(line: &str) -> serde_json::Map<String, Value> {
        let value: Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("line is not JSON ({e}): {line}"));
        let Value::Object(map) = value else {
            panic!("line is not a JSON object: {line}")
        };
        for key in map.keys().filter(|k| k.starts_with('@')) {
            assert!(
                RESERVED.contains(&key.as_str()),
                "unknown hclog key {key}: {line}"
            );
        }
        for key in ["@message", "@level", "@timestamp", "@module"] {
            assert!(map.contains_key(key), "{key} missing: {line}");
        }
        for key in RESERVED {
            if let Some(v) = map.get(key) {
                assert!(v.is_string(), "{key} is not a string: {line}");
            }
        }
        assert!(
            ["trace", "debug", "info", "warn", "error"].contains(&map["@level"].as_str().unwrap()),
            "{line}"
        );
        assert_eq!(map["@module"], MODULE, "{line}");
        let ts = map["@timestamp"].as_str().unwrap().as_bytes();
        let shape = b"dddd-dd-ddTdd:dd:dd.ddddddZ";
        assert!(
            ts.len() == shape.len()
                && ts.iter().zip(shape).all(|(c, s)| match s {
                    b'd' => c.is_ascii_digit(),
                    s => c == s,
                }),
            "timestamp not in go-plugin's layout: {line}"
        );
        map
    }

    #[test]
    fn an_event_without_a_message_has_an_empty_string_message_at_every_level() {
        let lines = capture(Level::TRACE, || {
            tracing::trace!(answer = 42);
            tracing::debug!(answer = 42);
            tracing::info!(answer = 42);
            tracing::warn!(answer = 42);
            tracing::error!(answer = 42);
            tracing::debug!(target: "h2::codec", frame = "DATA");
        });
        assert_eq!(lines.len(), 6);
        for (line, level) in lines
            .iter()
            .zip(["trace", "debug", "info", "warn", "error", "debug"])
        {
            assert_eq!(line["@level"], level);
            assert_eq!(line["@message"], "");
        }
        assert_eq!(lines[0]["answer"], 42);
        assert_eq!(lines[5]["frame"], "DATA");
        assert_eq!(lines[5]["target"], "h2::codec");
    }

    #[test]
    fn every_level_with_a_message() {
        let lines = capture(Level::TRACE, || {
            tracing::trace!("t {}", 1);
            tracing::debug!("d");
            tracing::info!(n = 3, "i");
            tracing::warn!("w");
            tracing::error!("e");
        });
        let got: Vec<(&str, &str)> = lines
            .iter()
            .map(|l| {
                (
                    l["@level"].as_str().unwrap(),
                    l["@message"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("trace", "t 1"),
                ("debug", "d"),
                ("info", "i"),
                ("warn", "w"),
                ("error", "e")
            ]
        );
        assert_eq!(lines[2]["n"], 3);
    }

    #[test]
    fn a_message_field_of_another_type_becomes_a_string() {
        let lines = capture(Level::TRACE, || {
            tracing::info!(message = 5);
            tracing::info!(message = true);
            tracing::info!(message = -7i64);
            tracing::info!(message = ?vec![1, 2]);
            tracing::info!(message = 2.5f64);
        });
        let got: Vec<&str> = lines
            .iter()
            .map(|l| l["@message"].as_str().unwrap())
            .collect();
        assert_eq!(got, ["5", "true", "-7", "[1, 2]", "2.5"]);
    }

    #[test]
    fn fields_named_like_reserved_keys_do_not_replace_them() {
        let lines = capture(Level::TRACE, || {
            tracing::warn!(
                "@message" = 1,
                "@level" = false,
                "@timestamp" = 3,
                "@module" = 4,
                "@caller" = 5,
                "@other" = 6,
                target = 7,
                "hello"
            );
            tracing::info!("@message" = 1, "@timestamp" = "yesterday");
        });
        let first = &lines[0];
        assert_eq!(first["@message"], "hello");
        assert_eq!(first["@level"], "warn");
        assert_eq!(first["@module"], MODULE);
        assert_eq!(first["target"], module_path!());
        // The colliding fields are kept, under a key of their own.
        assert_eq!(first["field.@message"], 1);
        assert_eq!(first["field.@level"], false);
        assert_eq!(first["field.@timestamp"], 3);
        assert_eq!(first["field.@module"], 4);
        assert_eq!(first["field.@caller"], 5);
        assert_eq!(first["field.@other"], 6);
        assert_eq!(first["field.target"], 7);
        assert_eq!(lines[1]["@message"], "");
        assert_eq!(lines[1]["field.@timestamp"], "yesterday");
    }

    #[test]
    fn span_fields_are_written_and_never_replace_reserved_keys() {
        let lines = capture(Level::TRACE, || {
            let outer = tracing::info_span!(
                "invoke",
                service = "sts",
                message = 9,
                "@level" = 1,
                "@message" = true,
                late = tracing::field::Empty,
                attempt = 0
            );
            let _outer = outer.enter();
            outer.record("late", 11);
            let inner =
                tracing::debug_span!(target: "aws_smithy_runtime", "try_attempt", attempt = 2);
            inner.in_scope(|| {
                tracing::debug!(target: "aws_smithy_runtime", status = 200);
                tracing::info!(attempt = 3, "inside");
            });
        });
        assert_eq!(lines.len(), 2);
        let first = &lines[0];
        assert_eq!(first["@message"], "");
        assert_eq!(first["@level"], "debug");
        assert_eq!(first["service"], "sts");
        assert_eq!(first["late"], 11);
        assert_eq!(first["status"], 200);
        // The innermost span wins over outer ones, the event over spans.
        assert_eq!(first["attempt"], 2);
        assert_eq!(lines[1]["attempt"], 3);
        assert_eq!(lines[1]["@message"], "inside");
        assert_eq!(lines[1]["@level"], "info");
        // A span's fields named like reserved keys are kept aside.
        assert_eq!(first["field.@level"], 1);
        assert_eq!(first["field.@message"], true);
        assert_eq!(first["message"], 9);
    }

    #[test]
    fn libraries_log_from_info_up_and_at_debug_when_trace_is_asked() {
        let emit = || {
            tracing::trace!(target: "aws_smithy_runtime::client::orchestrator", "transmitting request");
            tracing::debug!(target: "h2::codec", "frame");
            tracing::info!(target: "h2::codec", "connection");
            tracing::trace!("our trace");
            tracing::debug!("our debug");
        };
        let messages = |lines: Vec<serde_json::Map<String, Value>>| -> Vec<String> {
            lines
                .iter()
                .map(|l| l["@message"].as_str().unwrap().to_string())
                .collect()
        };
        assert_eq!(
            messages(capture(Level::DEBUG, emit)),
            ["connection", "our debug"]
        );
        // A library's trace events never: the AWS SDK's print whole requests
        // and responses, credentials and secret values included.
        assert_eq!(
            messages(capture(Level::TRACE, emit)),
            ["frame", "connection", "our trace", "our debug"]
        );
    }

    #[test]
    fn redacted_values_never_reach_a_line() {
        super::redact("s3cr3t-Access-Key-0001");
        super::redact("tok\"en\\with-quotes-0002");
        let lines = capture(Level::TRACE, || {
            let span = tracing::info_span!("invoke", key = "s3cr3t-Access-Key-0001");
            let _span = span.enter();
            tracing::info!(
                header = "x-amz-security-token: tok\"en\\with-quotes-0002",
                debugged = ?"tok\"en\\with-quotes-0002",
                "Credential=s3cr3t-Access-Key-0001/20260101"
            );
            tracing::info!(message = ?"s3cr3t-Access-Key-0001");
        });
        let text = format!("{lines:?}");
        assert!(!text.contains("s3cr3t-Access-Key-0001"), "{text}");
        assert!(!text.contains("with-quotes-0002"), "{text}");
        assert_eq!(lines[0]["@message"], "Credential=[redacted]/20260101");
        assert_eq!(lines[0]["key"], "[redacted]");
        assert_eq!(lines[0]["header"], "x-amz-security-token: [redacted]");
        assert_eq!(lines[0]["debugged"], "\"[redacted]\"");
        assert_eq!(lines[1]["@message"], "\"[redacted]\"");
    }

    #[test]
    fn short_values_are_not_redacted() {
        super::redact("abc12");
        let lines = capture(Level::INFO, || tracing::info!("abc12 stays"));
        assert_eq!(lines[0]["@message"], "abc12 stays");
    }

    #[test]
    fn redact_sensitive_registers_sensitive_and_write_only_strings_only() {
        use crate::schema::{Attribute, Block, NestedBlock, ObjectNesting};
        use crate::value::{Type, Value as V};
        let block = Block::new("provider")
            .attribute(Attribute::string("region"))
            .attribute(Attribute::string("secret_key").sensitive())
            .attribute(Attribute::string("password").write_only())
            .attribute(Attribute::new("tokens", Type::list(Type::String)).sensitive())
            .attribute(Attribute::nested(
                "users",
                ObjectNesting::Map,
                vec![
                    Attribute::string("name"),
                    Attribute::string("pin").sensitive(),
                ],
            ))
            .block(NestedBlock::single(
                "assume_role",
                Block::new("role")
                    .attribute(Attribute::string("role_arn"))
                    .attribute(Attribute::string("external_id").sensitive()),
            ));
        let obj = |pairs: &[(&str, V)]| {
            V::Object(
                pairs
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.clone()))
                    .collect(),
            )
        };
        let value = obj(&[
            ("region", V::string("rsz-plain-region-1")),
            ("secret_key", V::string("rsz-secret-key-value")),
            ("password", V::string("rsz-write-only-value")),
            (
                "tokens",
                V::List(vec![V::string("rsz-token-one"), V::Unknown, V::Null]),
            ),
            (
                "users",
                V::Map(
                    [(
                        "a".to_string(),
                        obj(&[
                            ("name", V::string("rsz-plain-user-name")),
                            ("pin", V::string("rsz-user-pin-value")),
                        ]),
                    )]
                    .into_iter()
                    .collect(),
                ),
            ),
            (
                "assume_role",
                obj(&[
                    ("role_arn", V::string("rsz-plain-role-arn")),
                    ("external_id", V::string("rsz-external-id-value")),
                ]),
            ),
        ]);
        super::redact_sensitive(&block, &value);
        let lines = capture(Level::INFO, || {
            tracing::info!(
                "rsz-plain-region-1 rsz-secret-key-value rsz-write-only-value rsz-token-one \
                 rsz-plain-user-name rsz-user-pin-value rsz-plain-role-arn rsz-external-id-value"
            )
        });
        assert_eq!(
            lines[0]["@message"],
            "rsz-plain-region-1 [redacted] [redacted] [redacted] \
             rsz-plain-user-name [redacted] rsz-plain-role-arn [redacted]"
        );
    }
}
