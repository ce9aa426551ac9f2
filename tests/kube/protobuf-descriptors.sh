#!/usr/bin/env bash
# Writes src/engine/apiserver/protobuf.desc.gz: the protobuf descriptors (a FileDescriptorSet)
# of the Kubernetes API groups the local engine serves, compiled by protoc from the .proto files
# of the Kubernetes release tests/kube/go.mod pins (k8s.io/api, k8s.io/apimachinery and
# k8s.io/apiextensions-apiserver, from the Go module cache). The engine reads protobuf request
# bodies with them. Run it again when the engine serves another API group or follows another
# Kubernetes version:
#
#     GOMODCACHE=/var/tmp/kfn-gomod tests/kube/protobuf-descriptors.sh
#
# Needs protoc (Debian's protobuf-compiler) and the modules in the cache (tests/kube/build.sh
# downloads them).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
version="$(awk '$1 == "k8s.io/api" && $2 ~ /^v/ {sub(/^v/, "", $2); print $2; exit}' "$here/go.mod")"
mods="${GOMODCACHE:-$(go env GOMODCACHE)}/k8s.io"
root="$(mktemp -d)"
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/k8s.io"
for m in api apimachinery apiextensions-apiserver; do
    ln -s "$mods/$m@v$version" "$root/k8s.io/$m"
done
files=()
for gv in core/v1 apps/v1 batch/v1 autoscaling/v1 autoscaling/v2 networking/v1 rbac/v1 coordination/v1 \
    policy/v1 discovery/v1 events/v1 authorization/v1 authentication/v1; do
    files+=("k8s.io/api/$gv/generated.proto")
done
files+=("k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1/generated.proto")
files+=("k8s.io/apimachinery/pkg/runtime/generated.proto")
out="$here/../../src/engine/apiserver/protobuf.desc.gz"
protoc --proto_path="$root" --include_imports --descriptor_set_out=/dev/stdout "${files[@]}" | gzip -9n > "$out"
echo "k8s.io/api v$version: $(gzip -dc "$out" | wc -c) bytes of descriptors written to $out"
