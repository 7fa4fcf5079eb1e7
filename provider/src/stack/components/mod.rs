//! The components of a stack. Each owns its part of the step graph.

pub mod network;
