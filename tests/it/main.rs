//! Integration tests: the real `kfn` binary and a real local engine, over HTTPS.

mod api;
mod autoscale;
mod common;
mod completion;
mod controller;
mod function;
mod hardening;
mod kube;
mod kubectl;
mod limits;
mod local;
mod run;
mod triggers;
mod validation;
