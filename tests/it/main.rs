//! Integration tests: the real `kfn` binary and a real local engine, over HTTPS.

mod activator;
mod api;
mod apiserver;
mod autoscale;
mod clients;
mod common;
mod completion;
mod controller;
mod differential;
mod flows_engine;
mod flows_lint;
mod function;
mod hardening;
mod kube;
mod kubectl;
mod limits;
mod local;
mod openapi;
mod run;
mod scale_to_zero;
mod simulate;
mod triggers;
mod validation;
mod watch;
mod workloads;
