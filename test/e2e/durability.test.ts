// kill -9 during a write burst loses no acknowledged write; a restart keeps everything.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster } from './harness.js';
import { apiFromKubeconfig } from './api.js';

test('kill -9 during a burst of creates loses no acknowledged write', async () => {
  const c = await startCluster();
  try {
    let api = apiFromKubeconfig(c.kubeconfig);
    assert.equal((await api.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'burst' } })).status, 201);
    const acked: string[] = [];
    let stop = false;
    const worker = async (w: number) => {
      for (let i = 0; !stop; i++) {
        const name = `cm-${w}-${i}`;
        try {
          const r = await api.request('POST', '/api/v1/namespaces/burst/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { i: String(i) } });
          if (r.status === 201) acked.push(name);
          else if (r.status >= 500) throw new Error(`server error ${r.status}: ${r.body}`);
        } catch (e) {
          if (stop) return;
          if ((e as NodeJS.ErrnoException).code && ['ECONNRESET', 'ECONNREFUSED', 'EPIPE'].includes((e as NodeJS.ErrnoException).code!)) return;
          throw e;
        }
      }
    };
    const workers = Array.from({ length: 16 }, (_, w) => worker(w));
    await new Promise((r) => setTimeout(r, 1500));
    await c.kill9();
    stop = true;
    await Promise.allSettled(workers);
    api.close();
    assert.ok(acked.length > 50, `only ${acked.length} creates were acknowledged before the kill`);
    await c.restart();
    api = apiFromKubeconfig(c.kubeconfig);
    const list = (await api.request('GET', '/api/v1/namespaces/burst/configmaps')).json();
    const present = new Set(list.items.map((i: any) => i.metadata.name));
    const lost = acked.filter((n) => !present.has(n));
    assert.deepEqual(lost, [], `${lost.length} of ${acked.length} acknowledged writes were lost`);
    api.close();
  } finally {
    await c.stop();
    c.cleanup();
  }
});
