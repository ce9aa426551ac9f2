// The client matrix's scenario (tests/clients/README.md) with @kubernetes/client-node 1.x.
//
// Usage: KUBECONFIG=... KFN_NODE_MODULES=DIR/node_modules node tests/clients/node/scenario.mjs
// (the packages of package-lock.json are installed outside the clone, by .ci/run into
// /var/tmp/kfn-node). It prints one line per step; a step that fails or takes too long ends it
// with exit code 1 and the reason on stderr.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const modules = process.env.KFN_NODE_MODULES;
if (!modules) fail('set KFN_NODE_MODULES to the node_modules of tests/clients/node/package-lock.json');
const k8s = await import(pathToFileURL(join(modules, '@kubernetes/client-node/dist/index.js')).href);

const NAMESPACE = 'default';
const CONFIGMAP = 'matrix';
const FUNCTION = 'matrix-fn';

function fail(why) {
  process.stderr.write(`node client: ${why}\n`);
  process.exit(1);
}

function say(line) {
  process.stdout.write(`${line}\n`);
}

/** A watch whose events are read in order with `next(what, done)`. */
async function watch(kc, path, query) {
  const queue = [];
  let wake = () => {};
  let ended = null;
  const abort = await new k8s.Watch(kc).watch(
    path,
    query,
    (type, object) => {
      queue.push({ type, object });
      wake();
    },
    (err) => {
      ended = err || 'the watch ended';
      wake();
    },
  );
  return {
    async next(what, done) {
      const give_up = Date.now() + 120_000;
      for (;;) {
        while (queue.length) {
          const event = queue.shift();
          if (event.type === 'ERROR') fail(`${what}: the watch failed: ${JSON.stringify(event.object)}`);
          if (done(event)) return event;
        }
        if (ended) fail(`${what}: ${ended}`);
        if (Date.now() > give_up) fail(`${what}: not seen in time`);
        await new Promise((resolve) => {
          wake = resolve;
          setTimeout(resolve, 1000);
        });
      }
    },
    stop() {
      abort.abort();
    },
  };
}

const kc = new k8s.KubeConfig();
kc.loadFromFile(process.env.KUBECONFIG);
const core = kc.makeApiClient(k8s.CoreV1Api);
const custom = kc.makeApiClient(k8s.CustomObjectsApi);

try {
  await core.createNamespacedConfigMap({
    namespace: NAMESPACE,
    body: { metadata: { name: CONFIGMAP, labels: { app: 'matrix' } }, data: { k: 'v1' } },
  });
  say(`created configmap ${CONFIGMAP}`);
  const listed = await core.listNamespacedConfigMap({ namespace: NAMESPACE, labelSelector: 'app=matrix' });
  say(`listed app=matrix: ${listed.items.map((cm) => cm.metadata.name).join(' ')}`);

  const changes = await watch(kc, `/api/v1/namespaces/${NAMESPACE}/configmaps`, {
    labelSelector: 'app=matrix',
    resourceVersion: listed.metadata.resourceVersion,
    allowWatchBookmarks: true,
  });
  await core.patchNamespacedConfigMap(
    { name: CONFIGMAP, namespace: NAMESPACE, body: { data: { k: 'v2' } } },
    k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
  );
  say(`patched configmap ${CONFIGMAP}`);
  let event = await changes.next('MODIFIED', (e) => e.type === 'MODIFIED');
  say(`watch: MODIFIED ${event.object.metadata.name} k=${event.object.data.k}`);
  await core.deleteNamespacedConfigMap({ name: CONFIGMAP, namespace: NAMESPACE });
  say(`deleted configmap ${CONFIGMAP}`);
  event = await changes.next('DELETED', (e) => e.type === 'DELETED');
  say(`watch: DELETED ${event.object.metadata.name}`);
  changes.stop();

  const functions = await custom.listNamespacedCustomObject({
    group: 'kubeless.io',
    version: 'v1beta1',
    namespace: NAMESPACE,
    plural: 'functions',
  });
  const fnWatch = await watch(kc, `/apis/kubeless.io/v1beta1/namespaces/${NAMESPACE}/functions`, {
    resourceVersion: functions.metadata.resourceVersion,
  });
  say(`waiting for function ${FUNCTION}`);
  event = await fnWatch.next(
    "the function's status",
    (e) => e.object.metadata.name === FUNCTION && e.object.status?.observedGeneration !== undefined,
  );
  say(`function ${FUNCTION}: status observedGeneration=${event.object.status.observedGeneration}`);
  fnWatch.stop();

  const depWatch = await watch(kc, `/apis/apps/v1/namespaces/${NAMESPACE}/deployments`, {
    fieldSelector: `metadata.name=${FUNCTION}`,
  });
  event = await depWatch.next("the function's Deployment ready", (e) => {
    const want = e.object.spec.replicas ?? 1;
    return want > 0 && (e.object.status?.readyReplicas ?? 0) === want;
  });
  say(`deployment ${FUNCTION}: ready ${event.object.status.readyReplicas}/${event.object.spec.replicas}`);
  depWatch.stop();
} catch (err) {
  fail(`${err.message ?? err}${err.body ? `: ${typeof err.body === 'string' ? err.body : JSON.stringify(err.body)}` : ''}`);
}
