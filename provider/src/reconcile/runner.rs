//! Runs a [`Plan`]'s graph concurrently: a step starts as soon as the steps
//! it depends on have finished, so an apply approaches its critical path.
//! The first failure stops new steps from starting; steps already running
//! finish (so what they create is recorded). The deadline and StopProvider
//! end everything at once: what a dropped step created is tagged and the
//! next apply adopts it.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use backon::BackoffBuilder;
use futures::stream::{FuturesUnordered, StreamExt};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::cloud::{CloudError, CloudResult, Tags};

use super::inventory::{TAG_COMPLETE, TAG_CREATED};
use super::kind::{AnyKind, Ids, Key, Observed, Progress};
use super::planner::{Action, Node, Op, Plan, Removal, Tagging};

/// The time limit of an operation and the setting it comes from, so a
/// timeout can say which setting to raise.
#[derive(Debug, Clone)]
pub struct Limit {
    /// When the operation must end.
    pub deadline: Instant,
    /// The setting, e.g. `timeouts.create = "90m"`.
    pub setting: String,
}

impl Limit {
    /// The error of this limit passing.
    pub fn passed(&self) -> CloudError {
        CloudError::Timeout(format!("the time limit passed ({})", self.setting))
    }
}

/// How long a failed apply may take to seal its anchor.
const SEAL_AFTER_FAILURE: Duration = Duration::from_secs(15);

/// How often waiters poll at most.
#[derive(Debug, Clone, Copy)]
pub struct Polling {
    /// The longest pause between two polls.
    pub interval: Duration,
}

impl Default for Polling {
    fn default() -> Self {
        Polling {
            interval: Duration::from_secs(10),
        }
    }
}

/// A step that failed, or was still running when the operation stopped.
#[derive(Debug, Clone, PartialEq)]
pub struct StepFailure {
    /// What it was doing: `creating NAT gateway nat-us-east-1a`.
    pub what: String,
    /// Why it failed.
    pub error: CloudError,
}

/// Races `fut` against the deadline and StopProvider.
pub async fn race<T>(
    limit: &Limit,
    stop: &CancellationToken,
    fut: impl Future<Output = CloudResult<T>>,
) -> CloudResult<T> {
    tokio::select! {
        biased;
        _ = stop.cancelled() => Err(CloudError::Cancelled),
        _ = tokio::time::sleep_until(limit.deadline) => Err(limit.passed()),
        r = fut => r,
    }
}

/// Runs `op` again while it fails with an error `retry` accepts, with
/// exponential backoff and jitter (from `min` up to 15 s), until the limit
/// or StopProvider. Returns the first other outcome, or the last retried
/// error when the next pause would pass the limit.
async fn backing_off<T, F, Fut>(
    limit: &Limit,
    stop: &CancellationToken,
    min: Duration,
    retry: impl Fn(&CloudError) -> bool,
    mut op: F,
) -> CloudResult<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = CloudResult<T>>,
{
    let mut delays = backon::ExponentialBuilder::default()
        .with_min_delay(min)
        .with_max_delay(Duration::from_secs(15))
        .with_jitter()
        .without_max_times()
        .build();
    loop {
        match op().await {
            Err(e) if retry(&e) => {
                let delay = delays.next().unwrap_or(Duration::from_secs(15));
                if Instant::now() + delay > limit.deadline {
                    return Err(e);
                }
                tracing::debug!(error = %e, delay = ?delay, "retrying");
                tokio::select! {
                    _ = stop.cancelled() => return Err(CloudError::Cancelled),
                    _ = tokio::time::sleep(delay) => {}
                }
            }
            other => return other,
        }
    }
}

/// Retries `op` while AWS answers that a dependency still holds the object
/// or throttles, with exponential backoff and jitter (1 s to 15 s), until
/// the limit. `NotFound` counts as success: the object is gone.
pub async fn delete_with_retry<F, Fut>(
    what: &str,
    limit: &Limit,
    stop: &CancellationToken,
    op: F,
) -> CloudResult<()>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = CloudResult<()>>,
{
    let busy = |e: &CloudError| {
        matches!(
            e,
            CloudError::DependencyViolation(_) | CloudError::Throttled(_)
        )
    };
    match backing_off(limit, stop, Duration::from_secs(1), busy, op).await {
        Err(e) if e.is_not_found() => Ok(()),
        Err(CloudError::DependencyViolation(msg) | CloudError::Throttled(msg)) => {
            Err(CloudError::Timeout(format!(
                "{what}: still in use when the time limit passed ({}): {msg}",
                limit.setting
            )))
        }
        other => other,
    }
}

/// Runs `op` again while AWS throttles it (the call was refused, so
/// repeating it cannot make a twin), with exponential backoff and jitter,
/// until the limit.
pub async fn unthrottled<T, F, Fut>(
    limit: &Limit,
    stop: &CancellationToken,
    op: F,
) -> CloudResult<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = CloudResult<T>>,
{
    let throttled = |e: &CloudError| matches!(e, CloudError::Throttled(_));
    backing_off(limit, stop, Duration::from_millis(500), throttled, op).await
}

/// Polls `check` until it is done: first near the expected completion
/// (40 % and 80 % of `expected`), then every 1/40 of `expected` (1 s at
/// least, `polling.interval` at most), until the limit.
pub async fn wait_for<F, Fut>(
    what: &str,
    expected: Duration,
    polling: Polling,
    limit: &Limit,
    stop: &CancellationToken,
    mut check: F,
) -> CloudResult<()>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = CloudResult<Progress>>,
{
    let start = Instant::now();
    let step = (expected / 40)
        .max(Duration::from_secs(1))
        .min(polling.interval);
    let mut at = [start + expected * 2 / 5, start + expected * 4 / 5].into_iter();
    loop {
        match unthrottled(limit, stop, &mut check).await? {
            Progress::Done => return Ok(()),
            Progress::Failed(why) => {
                return Err(CloudError::Service {
                    code: "Failed".into(),
                    message: format!("{what}: {why}"),
                });
            }
            Progress::Pending => {}
        }
        let now = Instant::now();
        let next = at.find(|t| *t > now).unwrap_or(now + step);
        if next > limit.deadline {
            return Err(CloudError::Timeout(format!(
                "waiting for {what}: the time limit passed ({})",
                limit.setting
            )));
        }
        tokio::select! {
            _ = stop.cancelled() => return Err(CloudError::Cancelled),
            _ = tokio::time::sleep_until(next) => {}
        }
    }
}

/// What an apply learnt: the ids of the desired objects that exist now.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// Ids by key (complete on success, what exists so far on failure).
    pub ids: Ids,
    /// What failed.
    pub failures: Vec<StepFailure>,
}

/// Everything the steps of one apply share.
pub struct Runner {
    /// The plan.
    pub plan: Plan,
    /// Tags of the stack.
    pub tagging: Tagging,
    /// Polling bounds.
    pub polling: Polling,
    /// The time limit.
    pub limit: Limit,
    /// StopProvider.
    pub stop: CancellationToken,
}

#[derive(Default)]
struct Progressed {
    ids: Ids,
    current: BTreeMap<Key, Observed>,
}

type Running = Pin<Box<dyn Future<Output = (usize, CloudResult<()>)> + Send>>;

impl Runner {
    /// Runs every step; see the module docs.
    pub async fn run(self) -> Outcome {
        let shared = Arc::new(Mutex::new(Progressed {
            ids: self.plan.ids.clone(),
            current: self.plan.kept.clone(),
        }));
        let this = Arc::new(self);
        let steps = this.plan.steps.clone();
        let mut started = vec![false; steps.len()];
        let mut finished = vec![false; steps.len()];
        let mut running: FuturesUnordered<Running> = FuturesUnordered::new();
        let mut failures = Vec::new();
        let mut stopping = false;
        loop {
            if !stopping {
                for (i, node) in steps.iter().enumerate() {
                    if !started[i] && node.deps.iter().all(|d| finished[*d]) {
                        started[i] = true;
                        let (runner, shared, node) = (this.clone(), shared.clone(), node.clone());
                        running.push(Box::pin(
                            async move { (i, runner.step(&node, &shared).await) },
                        ));
                    }
                }
            }
            if running.is_empty() {
                break;
            }
            let next = tokio::select! {
                biased;
                _ = this.stop.cancelled() => Err(CloudError::Cancelled),
                _ = tokio::time::sleep_until(this.limit.deadline) => Err(this.limit.passed()),
                item = running.next() => Ok(item),
            };
            match next {
                Err(reason) => {
                    for (i, node) in steps.iter().enumerate() {
                        if started[i] && !finished[i] {
                            failures.push(StepFailure {
                                what: this.what(&node.op),
                                error: reason.clone(),
                            });
                        }
                    }
                    break;
                }
                Ok(None) => break,
                Ok(Some((i, result))) => {
                    finished[i] = true;
                    if let Err(error) = result {
                        tracing::warn!(step = %this.what(&steps[i].op), error = %error, "step failed");
                        failures.push(StepFailure {
                            what: this.what(&steps[i].op),
                            error,
                        });
                        stopping = true;
                    }
                }
            }
        }
        drop(running);
        // A failed or interrupted apply still saves its state (Terraform keeps
        // it, tainted on a create): seal the anchor, so that no other create
        // of the name takes these objects for a killed run's leftovers.
        if !failures.is_empty()
            && let Some(seal) = steps.iter().position(|n| matches!(n.op, Op::Seal(_)))
            && !finished[seal]
        {
            let after = Runner {
                plan: this.plan.clone(),
                tagging: this.tagging.clone(),
                polling: this.polling,
                limit: Limit {
                    deadline: Instant::now() + SEAL_AFTER_FAILURE,
                    setting: "the 15 s allowed to record a failed apply".into(),
                },
                stop: CancellationToken::new(),
            };
            let sealed = race(&after.limit, &after.stop, after.step(&steps[seal], &shared)).await;
            if let Err(e) = sealed {
                tracing::warn!(error = %e, "could not mark the failed apply's objects as owned");
            }
        }
        let ids = shared.lock().map(|s| s.ids.clone()).unwrap_or_default();
        Outcome { ids, failures }
    }

    fn kind(&self, name: &str) -> CloudResult<&Arc<dyn AnyKind>> {
        self.plan
            .kinds
            .get(name)
            .ok_or_else(|| CloudError::Service {
                code: "Internal".into(),
                message: format!("no kind {name}"),
            })
    }

    fn noun(&self, kind: &str) -> &'static str {
        self.plan
            .kinds
            .get(kind)
            .map(|k| k.noun())
            .unwrap_or("object")
    }

    /// The step in words, for errors: `creating subnet public-us-east-1a`.
    pub fn what(&self, op: &Op) -> String {
        match op {
            Op::Create(k) => format!("creating {} {}", self.noun(k.kind), k.name_or_kind()),
            Op::Update(k) => format!("updating {} {}", self.noun(k.kind), k.name_or_kind()),
            Op::Delete(o, why) => {
                let key = o.key.as_ref().map(Key::tag).unwrap_or_default();
                let why = match why {
                    Removal::Unwanted => "no longer wanted",
                    Removal::Replaced => "replaced",
                    Removal::Twin { .. } => "a twin",
                };
                format!(
                    "deleting {} {} ({key}, {why})",
                    self.noun(o.kind),
                    o.meta.id
                )
            }
            Op::Seal(k) => format!("marking the stack complete on {}", k.tag()),
        }
    }

    /// Waits for `check` when the kind takes time (`expected` not zero).
    async fn wait<F, Fut>(&self, what: &str, expected: Duration, check: F) -> CloudResult<()>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = CloudResult<Progress>>,
    {
        if expected.is_zero() {
            return Ok(());
        }
        wait_for(what, expected, self.polling, &self.limit, &self.stop, check).await
    }

    async fn step(&self, node: &Node, shared: &Mutex<Progressed>) -> CloudResult<()> {
        let snapshot = || shared.lock().map(|s| (s.ids.clone(), s.current.clone()));
        let poisoned = || CloudError::Transport("engine state poisoned".into());
        match &node.op {
            Op::Create(key) => {
                let desired = &self.plan.desired[key];
                let kind = self.kind(key.kind)?;
                let (ids, _) = snapshot().map_err(|_| poisoned())?;
                let mut tags = self.tagging.tags_of(desired);
                tags.insert(
                    TAG_CREATED.into(),
                    humantime::format_rfc3339_seconds(SystemTime::now()).to_string(),
                );
                let created = unthrottled(&self.limit, &self.stop, || {
                    kind.create(desired, &ids, &tags)
                })
                .await?;
                let id = created.meta.id.clone();
                if let Ok(mut s) = shared.lock() {
                    s.ids.0.insert(key.clone(), id.clone());
                    s.current.insert(key.clone(), created);
                }
                tracing::info!(object = %key, id = %id, "created");
                let what = format!("{} {id} to become ready", kind.noun());
                self.wait(&what, kind.expect().ready, || kind.ready(&id))
                    .await
            }
            Op::Update(key) => {
                let desired = &self.plan.desired[key];
                let kind = self.kind(key.kind)?;
                let (ids, current) = snapshot().map_err(|_| poisoned())?;
                let Some(seen) = current.get(key) else {
                    return Err(CloudError::Service {
                        code: "Internal".into(),
                        message: format!("{key} does not exist to be updated"),
                    });
                };
                let changes = kind.diff(desired, seen, &ids);
                if !changes.is_empty() {
                    tracing::info!(object = %key, changes = ?changes, "converging");
                    unthrottled(&self.limit, &self.stop, || kind.update(desired, seen, &ids))
                        .await?;
                    let id = &seen.meta.id;
                    let what = format!("{} {id} to finish updating", kind.noun());
                    self.wait(&what, kind.expect().updated, || kind.ready(id))
                        .await?;
                }
                if let Some(Action::Update {
                    set_tags,
                    remove_tags,
                    ..
                }) = self.plan.actions.get(key)
                    && (!set_tags.is_empty() || !remove_tags.is_empty())
                {
                    unthrottled(&self.limit, &self.stop, || {
                        kind.retag(seen, set_tags, remove_tags)
                    })
                    .await?;
                }
                Ok(())
            }
            Op::Delete(observed, _) => {
                let kind = self.kind(observed.kind)?;
                let what = self.what(&node.op);
                delete_with_retry(&what, &self.limit, &self.stop, || kind.delete(observed)).await?;
                let id = &observed.meta.id;
                tracing::info!(id = %id, "deleted");
                let what = format!("{} {id} to be deleted", kind.noun());
                self.wait(&what, kind.expect().gone, || kind.gone(id)).await
            }
            Op::Seal(key) => {
                let kind = self.kind(key.kind)?;
                let (_, current) = snapshot().map_err(|_| poisoned())?;
                let Some(seen) = current.get(key) else {
                    return Ok(());
                };
                let mark: Tags = [(TAG_COMPLETE.to_string(), "true".to_string())].into();
                unthrottled(&self.limit, &self.stop, || kind.retag(seen, &mark, &[])).await
            }
        }
    }
}

/// The longest path through the steps when each takes `cost`: the lower
/// bound of any schedule's wall time.
pub fn critical_path(steps: &[Node], cost: impl Fn(&Op) -> Duration) -> Duration {
    let mut finish: Vec<Option<Duration>> = vec![None; steps.len()];
    fn at(
        i: usize,
        steps: &[Node],
        cost: &dyn Fn(&Op) -> Duration,
        finish: &mut Vec<Option<Duration>>,
    ) -> Duration {
        if let Some(d) = finish[i] {
            return d;
        }
        let start = steps[i]
            .deps
            .iter()
            .map(|d| at(*d, steps, cost, finish))
            .max()
            .unwrap_or_default();
        let total = start + cost(&steps[i].op);
        finish[i] = Some(total);
        total
    }
    (0..steps.len())
        .map(|i| at(i, steps, &cost, &mut finish))
        .max()
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limit(secs: u64) -> Limit {
        Limit {
            deadline: Instant::now() + Duration::from_secs(secs),
            setting: "timeouts.delete = \"60m\"".into(),
        }
    }

    #[tokio::test(start_paused = true)]
    async fn delete_retries_dependency_violations_with_jittered_backoff_until_the_limit() {
        let start = Instant::now();
        let mut calls = 0;
        let result = delete_with_retry("vpc-1", &limit(60), &CancellationToken::new(), || {
            calls += 1;
            let n = calls;
            async move {
                if n < 4 {
                    Err(CloudError::DependencyViolation("in use".into()))
                } else {
                    Ok(())
                }
            }
        })
        .await;
        assert_eq!(result, Ok(()));
        assert_eq!(calls, 4);
        // 1 + 2 + 4 s of backoff, each with up to as much jitter again.
        let waited = start.elapsed();
        assert!(
            waited >= Duration::from_secs(7) && waited <= Duration::from_secs(14),
            "{waited:?}"
        );
        let result = delete_with_retry("vpc-1", &limit(5), &CancellationToken::new(), || async {
            Err(CloudError::DependencyViolation("in use".into()))
        })
        .await;
        match result {
            Err(CloudError::Timeout(msg)) => assert!(msg.contains("timeouts.delete"), "{msg}"),
            other => panic!("{other:?}"),
        }
        let gone = delete_with_retry("vpc-1", &limit(0), &CancellationToken::new(), || async {
            Err(CloudError::NotFound {
                kind: "vpc",
                id: "vpc-1".into(),
            })
        })
        .await;
        assert_eq!(gone, Ok(()));
    }

    #[tokio::test(start_paused = true)]
    async fn waiters_poll_near_the_expected_completion() {
        let start = Instant::now();
        let ready_at = start + Duration::from_secs(120);
        let mut polls = 0;
        wait_for(
            "nat",
            Duration::from_secs(120),
            Polling::default(),
            &limit(600),
            &CancellationToken::new(),
            || {
                polls += 1;
                async move {
                    Ok(if Instant::now() >= ready_at {
                        Progress::Done
                    } else {
                        Progress::Pending
                    })
                }
            },
        )
        .await
        .unwrap();
        let late = start.elapsed() - Duration::from_secs(120);
        assert!(late <= Duration::from_secs(3), "{late:?}");
        assert!(polls <= 12, "{polls} polls");
    }

    #[tokio::test(start_paused = true)]
    async fn a_hung_call_ends_at_the_deadline_and_at_stop() {
        let hung = std::future::pending::<CloudResult<()>>();
        let r = race(&limit(5), &CancellationToken::new(), hung).await;
        assert!(matches!(r, Err(CloudError::Timeout(m)) if m.contains("timeouts.delete")));
        let stop = CancellationToken::new();
        let s2 = stop.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs(1)).await;
            s2.cancel();
        });
        let r = race(
            &limit(600),
            &stop,
            std::future::pending::<CloudResult<()>>(),
        )
        .await;
        assert_eq!(r, Err(CloudError::Cancelled));
    }
}
