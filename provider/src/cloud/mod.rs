//! What the provider may ask of AWS.

pub mod aws;
