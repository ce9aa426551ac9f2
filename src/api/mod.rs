//! kubeless.io/v1beta1: the custom resources kfn keeps compatible with Kubeless.

pub mod crd;
pub mod flags;
pub mod function;
pub mod schedule;

/// The API group of every kfn (and Kubeless) custom resource.
pub const GROUP: &str = "kubeless.io";
/// The served and stored version.
pub const VERSION: &str = "v1beta1";
