// Smoke tests with older and newer kubectl releases than the default 1.32.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, type Cluster } from './harness.js';

let c: Cluster;
before(async () => {
  c = await startCluster();
});
after(async () => {
  await c?.stop();
  c?.cleanup();
});

for (const version of ['1.27', '1.33']) {
  test(`kubectl ${version}: discovery, create, get, apply, patch, delete, explain`, async () => {
    const k = async (args: string[], input?: string) => {
      const r = await c.kubectl(args, { version, input });
      assert.equal(r.code, 0, `kubectl ${version} ${args.join(' ')}: ${r.stderr}`);
      return r.stdout;
    };
    const ns = `v${version.replace('.', '-')}`;
    assert.match(await k(['version', '-o', 'json']), /"gitVersion": "v1\.32/);
    assert.match(await k(['api-resources']), /deployments\s+deploy\s+apps\/v1\s+true\s+Deployment/);
    assert.equal(await k(['create', 'namespace', ns]), `namespace/${ns} created\n`);
    assert.equal(await k(['create', 'deployment', 'web', '-n', ns, '--image=nginx']), 'deployment.apps/web created\n');
    assert.match(await k(['get', 'deploy', '-n', ns]), /^web\s+0\/1\s+[01]\s+0\s+\d+s$/m);
    const cm = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: ${ns}\ndata:\n  a: "1"\n`;
    assert.equal(await k(['apply', '-f', '-'], cm), 'configmap/c created\n');
    assert.equal(await k(['apply', '-f', '-'], cm.replace('"1"', '"2"')), 'configmap/c configured\n');
    assert.equal(await k(['patch', 'cm', 'c', '-n', ns, '-p', '{"data":{"b":"3"}}']), 'configmap/c patched\n');
    assert.equal(await k(['get', 'cm', 'c', '-n', ns, '-o', 'jsonpath={.data.a}{.data.b}']), '23');
    assert.match(await k(['explain', 'deployment.spec.replicas']), /replicas/);
    assert.equal(await k(['delete', 'ns', ns, '--wait=false']), `namespace "${ns}" deleted\n`);
  });
}

test('legacy API versions from old tutorials apply unchanged', async () => {
  await c.k('create namespace legacy');
  const manifest = `apiVersion: extensions/v1beta1
kind: Deployment
metadata:
  name: old
  namespace: legacy
spec:
  replicas: 2
  template:
    metadata:
      labels: {app: old}
    spec:
      containers:
      - name: web
        image: nginx:1.7.9
        ports:
        - containerPort: 80
---
apiVersion: extensions/v1beta1
kind: Ingress
metadata:
  name: old
  namespace: legacy
spec:
  backend:
    serviceName: old
    servicePort: 80
  rules:
  - host: old.example.com
    http:
      paths:
      - path: /
        backend:
          serviceName: old
          servicePort: 80
---
apiVersion: batch/v1beta1
kind: CronJob
metadata:
  name: old
  namespace: legacy
spec:
  schedule: "*/1 * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
          - name: c
            image: busybox
---
apiVersion: rbac.authorization.k8s.io/v1beta1
kind: Role
metadata:
  name: old
  namespace: legacy
rules:
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["get"]
`;
  const r = await c.kubectl(['apply', '-f', '-'], { input: manifest });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /deployment\.extensions\/old created/);
  assert.match(r.stdout, /ingress\.extensions\/old created/);
  assert.match(r.stdout, /cronjob\.batch\/old created/);
  assert.match(r.stderr, /Warning: extensions\/v1beta1 Deployment is deprecated in v1\.9\+, unavailable in v1\.16\+; use apps\/v1 Deployment/);
  const d = JSON.parse(await c.k('get deployment.apps old -n legacy -o json'));
  assert.equal(d.apiVersion, 'apps/v1');
  assert.deepEqual(d.spec.selector, { matchLabels: { app: 'old' } }, 'the old default: selector from the template labels');
  const ing = JSON.parse(await c.k('get ingress.networking.k8s.io old -n legacy -o json'));
  assert.equal(ing.spec.defaultBackend.service.name, 'old');
  assert.equal(ing.spec.rules[0].http.paths[0].backend.service.port.number, 80);
  assert.equal(ing.spec.rules[0].http.paths[0].pathType, 'ImplementationSpecific');
  const again = await c.kubectl(['apply', '-f', '-'], { input: manifest });
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /deployment\.extensions\/old unchanged/);
});
