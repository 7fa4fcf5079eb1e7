//! Runs a graph of steps concurrently: a step starts as soon as every step it
//! depends on has finished, so an apply approaches its critical path. The
//! first failure stops new steps from starting; steps already running finish
//! (so what they create is recorded); every failure is reported.

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use futures::stream::{FuturesUnordered, StreamExt};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::cloud::{CloudError, CloudResult};

/// A step's work.
pub type StepFuture = Pin<Box<dyn Future<Output = Result<(), CloudError>> + Send>>;

/// One node of the graph.
pub struct Step {
    /// Unique key, e.g. `subnet-public-us-east-1a`.
    pub key: String,
    /// What it does, for error messages: `creating subnet-public-us-east-1a`.
    pub what: String,
    /// Keys of the steps that must finish first.
    pub deps: Vec<String>,
    /// The work.
    pub run: StepFuture,
}

impl Step {
    /// A step.
    pub fn new(
        key: impl Into<String>,
        what: impl Into<String>,
        deps: Vec<String>,
        run: impl Future<Output = Result<(), CloudError>> + Send + 'static,
    ) -> Step {
        Step {
            key: key.into(),
            what: what.into(),
            deps,
            run: Box::pin(run),
        }
    }
}

/// A running step: resolves to (key, what, result).
type Running = Pin<Box<dyn Future<Output = (String, String, Result<(), CloudError>)> + Send>>;

/// A step that failed (or never ran because of a timeout or cancellation).
#[derive(Debug, Clone, PartialEq)]
pub struct StepFailure {
    /// The step's key.
    pub key: String,
    /// What it was doing.
    pub what: String,
    /// Why it failed.
    pub error: CloudError,
}

/// Runs `steps`, honouring dependencies, until all are done, one fails, the
/// deadline passes or `stop` is cancelled. Steps whose dependencies are not
/// in the graph are treated as satisfied (they were done earlier).
pub async fn run_graph(
    steps: Vec<Step>,
    deadline: Instant,
    stop: &CancellationToken,
) -> Result<(), Vec<StepFailure>> {
    let keys: BTreeSet<String> = steps.iter().map(|s| s.key.clone()).collect();
    let mut waiting: BTreeMap<String, Step> =
        steps.into_iter().map(|s| (s.key.clone(), s)).collect();
    let mut done: BTreeSet<String> = BTreeSet::new();
    let mut running: FuturesUnordered<Running> = FuturesUnordered::new();
    let mut running_keys: BTreeMap<String, String> = BTreeMap::new();
    let mut failures = Vec::new();
    let mut stopping: Option<CloudError> = None;

    loop {
        if stopping.is_none() {
            let ready: Vec<String> = waiting
                .iter()
                .filter(|(_, s)| s.deps.iter().all(|d| done.contains(d) || !keys.contains(d)))
                .map(|(k, _)| k.clone())
                .collect();
            for key in ready {
                if let Some(step) = waiting.remove(&key) {
                    tracing::debug!(step = %step.key, "starting step");
                    running_keys.insert(step.key.clone(), step.what.clone());
                    let (k, w, fut) = (step.key, step.what, step.run);
                    running.push(Box::pin(async move { (k, w, fut.await) }));
                }
            }
        }
        if running.is_empty() {
            break;
        }
        let next = tokio::select! {
            biased;
            _ = stop.cancelled(), if stopping.is_none() => None,
            _ = tokio::time::sleep_until(deadline), if stopping.is_none() => Some(None),
            item = running.next() => item.map(Some),
        };
        match next {
            None => {
                stopping = Some(CloudError::Cancelled);
                // Running steps are dropped: what they created is tagged and
                // will be adopted by the next apply.
                break;
            }
            Some(None) => {
                stopping = Some(CloudError::Timeout("the operation's timeout passed".into()));
                break;
            }
            Some(Some((key, what, result))) => {
                running_keys.remove(&key);
                match result {
                    Ok(()) => {
                        tracing::debug!(step = %key, "step done");
                        done.insert(key);
                    }
                    Err(error) => {
                        tracing::warn!(step = %key, error = %error, "step failed");
                        failures.push(StepFailure {
                            key,
                            what,
                            error: error.clone(),
                        });
                        stopping.get_or_insert(error);
                    }
                }
            }
        }
    }
    if let Some(reason @ (CloudError::Cancelled | CloudError::Timeout(_))) = &stopping {
        for (key, what) in running_keys {
            failures.push(StepFailure {
                key,
                what,
                error: reason.clone(),
            });
        }
    }
    if failures.is_empty() && waiting.is_empty() {
        Ok(())
    } else {
        if failures.is_empty() {
            // Only possible with a dependency cycle: a bug in the graph.
            for (key, step) in waiting {
                failures.push(StepFailure {
                    key,
                    what: step.what,
                    error: CloudError::Service {
                        code: "Internal".into(),
                        message: "step never became ready".into(),
                    },
                });
            }
        }
        Err(failures)
    }
}

/// Retries `op` while it fails with `DependencyViolation` (AWS still
/// detaching something), with exponential backoff up to 15 s, until
/// `deadline`. `NotFound` counts as success: the object is gone.
pub async fn delete_with_retry<F, Fut>(
    what: &str,
    deadline: Instant,
    stop: &CancellationToken,
    mut op: F,
) -> CloudResult<()>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = CloudResult<()>>,
{
    let mut delay = Duration::from_secs(1);
    loop {
        match op().await {
            Ok(()) => return Ok(()),
            Err(e) if e.is_not_found() => return Ok(()),
            Err(CloudError::DependencyViolation(msg)) | Err(CloudError::Throttled(msg)) => {
                if Instant::now() + delay > deadline {
                    return Err(CloudError::Timeout(format!(
                        "{what}: still in use when the timeout passed: {msg}"
                    )));
                }
                tracing::debug!(what, delay = ?delay, "dependency violation, retrying");
                tokio::select! {
                    _ = stop.cancelled() => return Err(CloudError::Cancelled),
                    _ = tokio::time::sleep(delay) => {}
                }
                delay = (delay * 2).min(Duration::from_secs(15));
            }
            Err(e) => return Err(e),
        }
    }
}

/// Polls `check` until it returns `Some`, every `interval`, until `deadline`.
pub async fn wait_until<T, F, Fut>(
    what: &str,
    interval: Duration,
    deadline: Instant,
    stop: &CancellationToken,
    mut check: F,
) -> CloudResult<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = CloudResult<Option<T>>>,
{
    loop {
        if let Some(value) = check().await? {
            return Ok(value);
        }
        if Instant::now() + interval > deadline {
            return Err(CloudError::Timeout(format!("waiting for {what}")));
        }
        tokio::select! {
            _ = stop.cancelled() => return Err(CloudError::Cancelled),
            _ = tokio::time::sleep(interval) => {}
        }
    }
}

/// The longest path through a graph whose steps take `cost` each: the lower
/// bound of any schedule's wall time.
pub fn critical_path(nodes: &[(String, Vec<String>)], cost: impl Fn(&str) -> Duration) -> Duration {
    let mut memo: BTreeMap<String, Duration> = BTreeMap::new();
    fn finish(
        key: &str,
        nodes: &BTreeMap<&str, &Vec<String>>,
        cost: &dyn Fn(&str) -> Duration,
        memo: &mut BTreeMap<String, Duration>,
    ) -> Duration {
        if let Some(d) = memo.get(key) {
            return *d;
        }
        let start = nodes
            .get(key)
            .map(|deps| {
                deps.iter()
                    .filter(|d| nodes.contains_key(d.as_str()))
                    .map(|d| finish(d, nodes, cost, memo))
                    .max()
                    .unwrap_or_default()
            })
            .unwrap_or_default();
        let total = start + cost(key);
        memo.insert(key.to_string(), total);
        total
    }
    let map: BTreeMap<&str, &Vec<String>> = nodes.iter().map(|(k, d)| (k.as_str(), d)).collect();
    nodes
        .iter()
        .map(|(k, _)| finish(k, &map, &cost, &mut memo))
        .max()
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    fn step(key: &str, deps: &[&str], ms: u64, log: Arc<Mutex<Vec<String>>>, fail: bool) -> Step {
        let k = key.to_string();
        Step::new(
            key,
            format!("doing {key}"),
            deps.iter().map(|d| d.to_string()).collect(),
            async move {
                tokio::time::sleep(Duration::from_millis(ms)).await;
                log.lock().unwrap().push(k.clone());
                if fail {
                    Err(CloudError::Service {
                        code: "Boom".into(),
                        message: k,
                    })
                } else {
                    Ok(())
                }
            },
        )
    }

    #[tokio::test(start_paused = true)]
    async fn independent_steps_run_concurrently() {
        let log = Arc::new(Mutex::new(Vec::new()));
        let start = Instant::now();
        let steps = vec![
            step("a", &[], 100, log.clone(), false),
            step("b", &["a"], 300, log.clone(), false),
            step("c", &["a"], 200, log.clone(), false),
            step("d", &["b", "c"], 100, log.clone(), false),
        ];
        run_graph(
            steps,
            start + Duration::from_secs(10),
            &CancellationToken::new(),
        )
        .await
        .unwrap();
        assert_eq!(start.elapsed(), Duration::from_millis(500));
        assert_eq!(*log.lock().unwrap(), vec!["a", "c", "b", "d"]);
    }

    #[tokio::test(start_paused = true)]
    async fn a_failure_stops_new_steps_but_running_ones_finish() {
        let log = Arc::new(Mutex::new(Vec::new()));
        let steps = vec![
            step("a", &[], 100, log.clone(), true),
            step("b", &[], 300, log.clone(), false),
            step("c", &["a"], 100, log.clone(), false),
        ];
        let err = run_graph(
            steps,
            Instant::now() + Duration::from_secs(10),
            &CancellationToken::new(),
        )
        .await
        .unwrap_err();
        assert_eq!(err.len(), 1);
        assert_eq!(err[0].key, "a");
        assert_eq!(*log.lock().unwrap(), vec!["a", "b"]);
    }

    #[tokio::test(start_paused = true)]
    async fn the_deadline_stops_the_graph() {
        let log = Arc::new(Mutex::new(Vec::new()));
        let start = Instant::now();
        let steps = vec![step("slow", &[], 10_000, log.clone(), false)];
        let err = run_graph(
            steps,
            start + Duration::from_secs(2),
            &CancellationToken::new(),
        )
        .await
        .unwrap_err();
        assert!(matches!(err[0].error, CloudError::Timeout(_)));
        assert_eq!(start.elapsed(), Duration::from_secs(2));
    }

    #[tokio::test(start_paused = true)]
    async fn delete_retries_dependency_violations_until_the_deadline() {
        let start = Instant::now();
        let mut calls = 0;
        let result = delete_with_retry(
            "vpc-1",
            start + Duration::from_secs(20),
            &CancellationToken::new(),
            || {
                calls += 1;
                let n = calls;
                async move {
                    if n < 4 {
                        Err(CloudError::DependencyViolation("in use".into()))
                    } else {
                        Ok(())
                    }
                }
            },
        )
        .await;
        assert_eq!(result, Ok(()));
        assert_eq!(calls, 4);
        assert_eq!(start.elapsed(), Duration::from_secs(1 + 2 + 4));
        let result = delete_with_retry(
            "vpc-1",
            Instant::now() + Duration::from_secs(5),
            &CancellationToken::new(),
            || async { Err(CloudError::DependencyViolation("in use".into())) },
        )
        .await;
        assert!(matches!(result, Err(CloudError::Timeout(_))));
        let gone = delete_with_retry(
            "vpc-1",
            Instant::now(),
            &CancellationToken::new(),
            || async {
                Err(CloudError::NotFound {
                    kind: "vpc",
                    id: "vpc-1".into(),
                })
            },
        )
        .await;
        assert_eq!(gone, Ok(()));
    }

    #[test]
    fn critical_path_is_the_longest_chain() {
        let nodes = vec![
            ("a".to_string(), vec![]),
            ("b".to_string(), vec!["a".to_string()]),
            ("c".to_string(), vec!["a".to_string()]),
        ];
        let cost = |k: &str| {
            Duration::from_secs(match k {
                "a" => 1,
                "b" => 5,
                _ => 2,
            })
        };
        assert_eq!(critical_path(&nodes, cost), Duration::from_secs(6));
    }
}
