//! kfn: serverless functions on Kubernetes, compatible with Kubeless, with a local engine.

pub mod api;
pub mod cli;
pub mod client;
pub mod controller;
pub mod engine;
pub mod flows;
pub mod kafka;
pub mod local;
pub mod messaging;
pub mod output;
pub mod render;
pub mod runtime;
pub mod runtimes;
pub mod scaling;
pub mod source;

#[cfg(test)]
mod layers;
