//! Logging in the hclog JSON line format on stderr. go-plugin parses these
//! lines, so `TF_LOG=DEBUG` or `TF_LOG_PROVIDER=TRACE` show provider logs
//! with the right levels inside Terraform's own log.

use std::io::Write;
use std::time::SystemTime;

use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::Layer;
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::registry::Registry;

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
    let subscriber = Registry::default().with(HclogLayer { module, max });
    let _ = tracing::subscriber::set_global_default(subscriber);
}

/// Writes each event as one hclog JSON line to stderr.
struct HclogLayer {
    module: &'static str,
    max: Level,
}

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

impl HclogLayer {
    /// Our own crates log at the level asked for; libraries (HTTP/2 frames,
    /// TLS, the AWS SDK's internals) only from INFO up, unless TRACE is asked.
    fn wants(&self, metadata: &tracing::Metadata<'_>) -> bool {
        let ours = [
            "tfplugin",
            "todo_provider",
            "terraform_provider_todo",
            "acceptance_tests",
        ]
        .iter()
        .any(|c| metadata.target().starts_with(c));
        let max = if ours || self.max == Level::TRACE {
            self.max
        } else {
            self.max.min(Level::INFO)
        };
        *metadata.level() <= max
    }
}

impl<S: Subscriber> Layer<S> for HclogLayer {
    fn enabled(&self, metadata: &tracing::Metadata<'_>, _ctx: Context<'_, S>) -> bool {
        self.wants(metadata)
    }

    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let metadata = event.metadata();
        if !self.wants(metadata) {
            return;
        }
        let mut fields = Fields(serde_json::Map::new());
        event.record(&mut fields);
        let mut line = serde_json::Map::new();
        let level = match *metadata.level() {
            Level::TRACE => "trace",
            Level::DEBUG => "debug",
            Level::INFO => "info",
            Level::WARN => "warn",
            Level::ERROR => "error",
        };
        line.insert("@level".into(), level.into());
        let message = fields.0.remove("message").unwrap_or_default();
        line.insert("@message".into(), message);
        line.insert("@module".into(), self.module.into());
        line.insert(
            "@timestamp".into(),
            humantime::format_rfc3339_micros(SystemTime::now())
                .to_string()
                .into(),
        );
        line.insert("target".into(), metadata.target().into());
        line.extend(fields.0);
        let mut text = serde_json::Value::Object(line).to_string();
        text.push('\n');
        let _ = std::io::stderr().lock().write_all(text.as_bytes());
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
