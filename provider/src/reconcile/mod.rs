//! The generic reconciler: one component model for every AWS object kind.
//!
//! - [`kind`]: the trait every object kind implements (observe, create,
//!   converge, retag, delete, wait) and the typed keys between them;
//! - [`inventory`]: what exists, and which of it belongs to this stack
//!   instance (ownership, leftovers of interrupted creates);
//! - [`planner`]: inventory x desired x prior ids -> an action per object
//!   -> one checked graph of steps, create before destroy;
//! - [`runner`]: runs the graph concurrently under a deadline and
//!   StopProvider, recording each id as its create returns.
//!
//! Nothing here knows an object kind by name.

pub mod inventory;
pub mod kind;
pub mod planner;
pub mod runner;

pub use inventory::{Inventory, TAG_COMPLETE, TAG_CREATED, TAG_STACK_ID, Taken};
pub use kind::{
    AnyKind, Change, Dep, Desired, Erased, Expect, Ids, Key, Kind, Link, Meta, Observed, Progress,
    TAG_RETAIN, TAG_RETAINED, erase, released_tags,
};
pub use planner::{Action, GraphError, Node, Op, Plan, Removal, Tagging, plan};
pub use runner::{Limit, Outcome, Polling, Runner, StepFailure};
