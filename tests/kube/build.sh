#!/usr/bin/env bash
# Builds the test control plane: kube-apiserver, kube-controller-manager and kubectl of the
# Kubernetes version pinned in go.mod, kfn-testcluster, which starts them, and kfn-client-go,
# the client matrix's client-go program (tests/it/clients.rs).
#
# The binaries go to $KFN_KUBE_BIN (default /var/tmp/kfn-kube/<version>/bin), outside the
# clone, so later runs reuse them: when they are there and were built from the same go.mod,
# go.sum and sources, nothing is built. The directory is printed on stdout; progress goes to
# stderr. Use the Go caches you like (GOCACHE, GOMODCACHE); .ci/run keeps them under /var/tmp.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"

version="$(awk '$1 == "k8s.io/kubernetes" { print $2 }' go.mod)"
[ -n "$version" ] || { echo "build.sh: no k8s.io/kubernetes version in $here/go.mod" >&2; exit 1; }
out="${KFN_KUBE_BIN:-/var/tmp/kfn-kube/$version/bin}"

# What each binary is built from: the module files, and for the programs of cmd/ their sources.
modules="$(cat go.mod go.sum | sha256sum | cut -c1-16)"
stamp() { case "$1" in kfn-*) cat go.mod go.sum "cmd/$1"/*.go | sha256sum | cut -c1-16 ;; *) echo "$modules" ;; esac; }

wanted=()
# kfn-client-go is the client matrix's client-go (tests/it/clients.rs).
for name in kube-apiserver kube-controller-manager kubectl kfn-testcluster kfn-client-go; do
  if [ -x "$out/$name" ] && [ "$(cat "$out/.$name.stamp" 2>/dev/null)" = "$(stamp "$name")" ]; then
    continue
  fi
  wanted+=("$name")
done
if [ "${#wanted[@]}" = 0 ]; then
  echo "$out"
  exit 0
fi

command -v go >/dev/null || { echo "build.sh: go is not installed; it is needed to build the test control plane" >&2; exit 1; }
packages=()
for name in "${wanted[@]}"; do
  case "$name" in
    kfn-*) packages+=("./cmd/$name") ;;
    *) packages+=("k8s.io/kubernetes/cmd/$name") ;;
  esac
done

major="${version#v}"; major="${major%%.*}"
minor="${version#v*.}"; minor="${minor%%.*}"
ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags+=" -X $pkg.gitVersion=$version -X $pkg.gitMajor=$major -X $pkg.gitMinor=$minor"
  ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
done

mkdir -p "$out"
tmp="$(mktemp -d "$out/.build.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
echo "build.sh: building ${wanted[*]} ($version) into $out" >&2
started=$SECONDS
export CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS="-mod=readonly -buildvcs=false"
go build -trimpath -ldflags="$ldflags" -o "$tmp/" "${packages[@]}" >&2
for name in "${wanted[@]}"; do
  mv -f "$tmp/$name" "$out/$name"
  stamp "$name" > "$out/.$name.stamp"
done
echo "build.sh: built in $((SECONDS - started)) s" >&2
echo "$out"
