#!/usr/bin/env bash
# The client matrix's scenario (tests/clients/README.md) with kubectl: $KUBECTL (any version
# from 1.20 on) against $KUBECONFIG. It prints one line per step; a step that fails or takes
# too long ends it with exit code 1 and the reason on stderr.
set -euo pipefail
: "${KUBECTL:?set KUBECTL to the kubectl to run}" "${KUBECONFIG:?set KUBECONFIG}"
export KUBECONFIG
work="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
k() { "$KUBECTL" "$@"; }
fail() { echo "kubectl.sh: $*" >&2; exit 1; }

# wait_for FILE REGEX WHAT: the first line of FILE (a background kubectl's output) matching REGEX.
wait_for() {
  local i line
  for i in $(seq 1 600); do
    line="$(grep -m1 -E "$2" "$1" || true)"
    if [ -n "$line" ]; then echo "$line"; return 0; fi
    sleep 0.2
  done
  fail "$3: not seen in 120 s; the watch printed: $(cat "$1" "$1.err" 2>/dev/null)"
}

k create -f - >/dev/null <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata:
  name: matrix
  labels:
    app: matrix
data:
  k: v1
YAML
echo "created configmap matrix"
echo "listed app=matrix: $(k get configmaps -l app=matrix -o jsonpath='{.items[*].metadata.name}')"

# --watch prints the objects listed first, then the changes after that list.
events='{.type} {.object.metadata.name} {.object.data.k}{"\n"}'
k get configmaps -l app=matrix --watch --output-watch-events -o jsonpath="$events" \
  >"$work/cm" 2>"$work/cm.err" &
wait_for "$work/cm" '^ADDED matrix v1$' "the watch's first ADDED" >/dev/null
k patch configmap matrix --type merge -p '{"data":{"k":"v2"}}' >/dev/null
echo "patched configmap matrix"
line="$(wait_for "$work/cm" '^MODIFIED ' MODIFIED)"
echo "watch: MODIFIED matrix k=${line##* }"
k delete configmap matrix >/dev/null
echo "deleted configmap matrix"
wait_for "$work/cm" '^DELETED ' DELETED >/dev/null
echo "watch: DELETED matrix"

events='{.type} {.object.metadata.name} {.object.status.observedGeneration}{"\n"}'
k get functions.kubeless.io --watch --output-watch-events -o jsonpath="$events" \
  >"$work/fn" 2>"$work/fn.err" &
echo "waiting for function matrix-fn"
line="$(wait_for "$work/fn" '^(ADDED|MODIFIED) matrix-fn [0-9]+$' "the function's status")"
echo "function matrix-fn: status observedGeneration=${line##* }"
k rollout status deployment/matrix-fn --timeout=120s >/dev/null || fail "rollout status deployment/matrix-fn failed"
echo "deployment matrix-fn: ready $(k get deployment matrix-fn -o jsonpath='{.status.readyReplicas}/{.spec.replicas}')"
