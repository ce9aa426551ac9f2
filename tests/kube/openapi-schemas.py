#!/usr/bin/env python3
"""Writes src/engine/apiserver/openapi/schemas.json.gz: the OpenAPI v3 schemas (the
`components.schemas` of /openapi/v3/...) of the built-in kinds the local engine serves, and of
everything they refer to, as a real API server of the test control plane's version publishes
them. The engine builds its /openapi/v2 and /openapi/v3 documents from them.

    $KFN_KUBE_BIN/kfn-testcluster --dir /tmp/kc &     # prints ready kubeconfig=...
    tests/kube/openapi-schemas.py /tmp/kc/admin.kubeconfig

Run it again when the engine serves another built-in kind (a unit test in
src/engine/apiserver/openapi/ says which one is missing) or follows another Kubernetes version.
"""

import gzip
import json
import os
import subprocess
import sys

# The group/version/kinds the engine serves (src/engine/resources.rs and the review resources),
# and the kinds a kubectl may be pointed at there.
KINDS = {
    "api/v1": ["Namespace", "ConfigMap", "Secret", "Service", "Pod", "Event", "ServiceAccount", "ResourceQuota", "LimitRange"],
    "apis/rbac.authorization.k8s.io/v1": ["ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"],
    "apis/apps/v1": ["Deployment", "ReplicaSet"],
    "apis/autoscaling/v2": ["HorizontalPodAutoscaler"],
    "apis/batch/v1": ["CronJob", "Job"],
    "apis/networking.k8s.io/v1": ["Ingress"],
    "apis/coordination.k8s.io/v1": ["Lease"],
    "apis/events.k8s.io/v1": ["Event"],
    "apis/apiextensions.k8s.io/v1": ["CustomResourceDefinition"],
    "apis/authorization.k8s.io/v1": ["SelfSubjectAccessReview", "SelfSubjectRulesReview"],
    "apis/authentication.k8s.io/v1": ["SelfSubjectReview"],
}


def refs(value, out):
    if isinstance(value, dict):
        ref = value.get("$ref")
        if isinstance(ref, str):
            out.add(ref.rsplit("/", 1)[-1])
        for v in value.values():
            refs(v, out)
    elif isinstance(value, list):
        for v in value:
            refs(v, out)


def main():
    kubeconfig = sys.argv[1]
    kubectl = os.path.join(os.environ.get("KFN_KUBE_BIN", ""), "kubectl")
    schemas = {}
    for path, kinds in KINDS.items():
        raw = subprocess.check_output([kubectl, "--kubeconfig", kubeconfig, "get", "--raw", f"/openapi/v3/{path}"])
        available = json.loads(raw)["components"]["schemas"]
        wanted = set()
        for name, schema in available.items():
            gvks = schema.get("x-kubernetes-group-version-kind", [])
            if any(g["kind"] in kinds or g["kind"] in [k + "List" for k in kinds] for g in gvks):
                wanted.add(name)
        missing = [k for k in kinds if not any(n.endswith("." + k) for n in wanted)]
        if missing:
            sys.exit(f"{path} has no schema for {missing}")
        todo = list(wanted)
        while todo:
            name = todo.pop()
            if name in schemas:
                continue
            schemas[name] = available[name]
            found = set()
            refs(available[name], found)
            todo.extend(found - schemas.keys())
    here = os.path.dirname(os.path.abspath(__file__))
    target = os.path.join(here, "../../src/engine/apiserver/openapi/schemas.json.gz")
    data = json.dumps(dict(sorted(schemas.items())), separators=(",", ":"), sort_keys=True).encode()
    with open(target, "wb") as f:
        f.write(gzip.compress(data, 9, mtime=0))
    print(f"{len(schemas)} schemas, {len(data)} bytes, written to {os.path.normpath(target)}")


if __name__ == "__main__":
    main()
