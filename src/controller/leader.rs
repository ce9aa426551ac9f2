//! Leader election through a coordination.k8s.io/v1 Lease: the holder renews it; another
//! replica takes it over once it has not been renewed for the lease duration.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::jiff::Timestamp;
use kube::api::{Api, PostParams};
use serde_json::json;

pub const LEASE: &str = "kfn-controller";
const DURATION: i32 = 15;

fn now() -> String {
    Timestamp::now().strftime("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// One round: whether this replica holds the lease afterwards.
async fn round(api: &Api<Lease>, identity: &str) -> Result<bool, kube::Error> {
    let fresh = |transitions: i32| -> Lease {
        serde_json::from_value(
            json!({"metadata": {"name": LEASE}, "spec": {"holderIdentity": identity, "leaseDurationSeconds": DURATION,
            "acquireTime": now(), "renewTime": now(), "leaseTransitions": transitions}}),
        )
        .expect("a valid Lease")
    };
    let Some(lease) = api.get_opt(LEASE).await? else {
        return match api.create(&PostParams::default(), &fresh(0)).await {
            Ok(_) => Ok(true),
            Err(kube::Error::Api(s)) if s.code == 409 => Ok(false),
            Err(e) => Err(e),
        };
    };
    let spec = lease.spec.clone().unwrap_or_default();
    let holder = spec.holder_identity.clone().unwrap_or_default();
    let renewed = spec.renew_time.as_ref().map(|t| t.0.as_second()).unwrap_or(0);
    let duration = i64::from(spec.lease_duration_seconds.unwrap_or(DURATION));
    let expired = Timestamp::now().as_second() > renewed + duration;
    if holder != identity && !expired {
        return Ok(false);
    }
    let mut next = if holder == identity {
        let mut l = lease.clone();
        let mut s = spec.clone();
        s.renew_time = fresh(0).spec.and_then(|s| s.renew_time);
        l.spec = Some(s);
        l
    } else {
        let mut l = fresh(spec.lease_transitions.unwrap_or(0) + 1);
        l.metadata = lease.metadata.clone();
        l
    };
    next.metadata.managed_fields = None;
    match api.replace(LEASE, &PostParams::default(), &next).await {
        Ok(_) => Ok(true),
        Err(kube::Error::Api(s)) if s.code == 409 => Ok(false),
        Err(e) => Err(e),
    }
}

/// Gives the lease up (on shutdown), as client-go's `ReleaseOnCancel` does: no holder, and a
/// duration of one second, so another replica takes over at its next round instead of waiting
/// for the lease to expire.
pub async fn release(client: kube::Client, namespace: &str, identity: &str) -> Result<(), kube::Error> {
    let api: Api<Lease> = Api::namespaced(client, namespace);
    let Some(mut lease) = api.get_opt(LEASE).await? else {
        return Ok(());
    };
    let spec = lease.spec.get_or_insert_with(Default::default);
    if spec.holder_identity.as_deref() != Some(identity) {
        return Ok(());
    }
    spec.holder_identity = None;
    spec.lease_duration_seconds = Some(1);
    spec.renew_time = Some(k8s_openapi::apimachinery::pkg::apis::meta::v1::MicroTime(
        Timestamp::now(),
    ));
    lease.metadata.managed_fields = None;
    api.replace(LEASE, &PostParams::default(), &lease).await?;
    Ok(())
}

pub async fn run(client: kube::Client, namespace: String, identity: String, leader: Arc<AtomicBool>) {
    let api: Api<Lease> = Api::namespaced(client, &namespace);
    // When the lease was last renewed by this replica: an API error (a 429 or 503 the client no
    // longer retries) keeps leadership until the lease would have expired, not a moment longer.
    let mut renewed_at: Option<std::time::Instant> = None;
    loop {
        let holds = match round(&api, &identity).await {
            Ok(h) => {
                renewed_at = h.then(std::time::Instant::now);
                h
            }
            Err(e) => {
                tracing::warn!("leader election: {e}");
                // Stop a little before another replica may take the lease over.
                renewed_at.is_some_and(|at| at.elapsed() < Duration::from_secs(DURATION as u64 - 5))
            }
        };
        if holds != leader.swap(holds, Ordering::SeqCst) {
            tracing::info!(
                "{identity} {} the lease {namespace}/{LEASE}",
                if holds { "holds" } else { "lost" }
            );
        }
        tokio::time::sleep(Duration::from_secs(if holds { 5 } else { 2 })).await;
    }
}
