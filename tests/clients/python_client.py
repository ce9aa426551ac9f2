"""The client matrix's scenario (tests/clients/README.md) with the Python `kubernetes` client.

Usage: KUBECONFIG=... python3 tests/clients/python_client.py. It prints one line per step; a
step that fails or takes too long ends it with exit code 1 and the reason on stderr.
"""

import os
import sys

from kubernetes import client, config, watch

NAMESPACE = "default"
CONFIGMAP = "matrix"
FUNCTION = "matrix-fn"


def say(line):
    print(line, flush=True)


def fail(why):
    print(f"python_client: {why}", file=sys.stderr, flush=True)
    sys.exit(1)


def first(stream, what, done):
    """The first event of a watch stream that `done` accepts."""
    for event in stream:
        if event["type"] == "ERROR":
            fail(f"{what}: the watch failed: {event['raw_object']}")
        if done(event):
            return event
    fail(f"{what}: the watch ended without it")


def main():
    config.load_kube_config(config_file=os.environ["KUBECONFIG"])
    core = client.CoreV1Api()
    apps = client.AppsV1Api()
    custom = client.CustomObjectsApi()

    body = client.V1ConfigMap(
        metadata=client.V1ObjectMeta(name=CONFIGMAP, labels={"app": "matrix"}), data={"k": "v1"}
    )
    core.create_namespaced_config_map(NAMESPACE, body)
    say(f"created configmap {CONFIGMAP}")
    listed = core.list_namespaced_config_map(NAMESPACE, label_selector="app=matrix")
    say("listed app=matrix: " + " ".join(cm.metadata.name for cm in listed.items))

    w = watch.Watch()
    stream = w.stream(
        core.list_namespaced_config_map,
        NAMESPACE,
        label_selector="app=matrix",
        resource_version=listed.metadata.resource_version,
        timeout_seconds=60,
    )
    core.patch_namespaced_config_map(CONFIGMAP, NAMESPACE, {"data": {"k": "v2"}})
    say(f"patched configmap {CONFIGMAP}")
    event = first(stream, "MODIFIED", lambda e: e["type"] == "MODIFIED")
    say(f"watch: MODIFIED {event['object'].metadata.name} k={event['object'].data['k']}")
    core.delete_namespaced_config_map(CONFIGMAP, NAMESPACE)
    say(f"deleted configmap {CONFIGMAP}")
    event = first(stream, "DELETED", lambda e: e["type"] == "DELETED")
    say(f"watch: DELETED {event['object'].metadata.name}")
    w.stop()

    functions = custom.list_namespaced_custom_object("kubeless.io", "v1beta1", NAMESPACE, "functions")
    say(f"waiting for function {FUNCTION}")
    stream = watch.Watch().stream(
        custom.list_namespaced_custom_object,
        "kubeless.io",
        "v1beta1",
        NAMESPACE,
        "functions",
        resource_version=functions["metadata"]["resourceVersion"],
        timeout_seconds=120,
    )
    event = first(
        stream,
        "the function's status",
        lambda e: e["object"]["metadata"]["name"] == FUNCTION
        and "observedGeneration" in (e["object"].get("status") or {}),
    )
    say(f"function {FUNCTION}: status observedGeneration={event['object']['status']['observedGeneration']}")

    def ready(e):
        d = e["object"]
        want = d.spec.replicas if d.spec.replicas is not None else 1
        return (d.status.ready_replicas or 0) == want and want > 0

    stream = watch.Watch().stream(
        apps.list_namespaced_deployment,
        NAMESPACE,
        field_selector=f"metadata.name={FUNCTION}",
        timeout_seconds=120,
    )
    event = first(stream, "the function's Deployment ready", ready)
    d = event["object"]
    say(f"deployment {FUNCTION}: ready {d.status.ready_replicas}/{d.spec.replicas}")


if __name__ == "__main__":
    main()
