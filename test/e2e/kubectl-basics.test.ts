// The kubectl forms of issue 2, against a live `sampan server`, with assertions on what kubectl prints.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, writeTemp, eventually, type Cluster } from './harness.js';

let c: Cluster;
before(async () => {
  c = await startCluster();
});
after(async () => {
  await c?.stop();
  c?.cleanup();
});

test('version, health, cluster-info, api-versions, api-resources', async () => {
  const v = JSON.parse(await c.k('version -o json'));
  assert.equal(v.serverVersion.major, '1');
  assert.match(v.serverVersion.gitVersion, /^v1\.\d+\.\d+/);
  assert.equal(await c.k('get --raw /healthz'), 'ok');
  assert.match(await c.k('get --raw /readyz?verbose'), /\[\+\]ping ok/);
  assert.match(await c.k('cluster-info'), /Kubernetes control plane.* is running at .*https:\/\/127\.0\.0\.1:\d+/);
  const versions = (await c.k('api-versions')).trim().split('\n');
  for (const gv of ['v1', 'apps/v1', 'batch/v1', 'autoscaling/v2', 'networking.k8s.io/v1', 'rbac.authorization.k8s.io/v1', 'storage.k8s.io/v1', 'coordination.k8s.io/v1', 'discovery.k8s.io/v1', 'policy/v1', 'apiextensions.k8s.io/v1', 'extensions/v1beta1']) {
    assert.ok(versions.includes(gv), `api-versions lacks ${gv}: ${versions.join(' ')}`);
  }
  const res = await c.k('api-resources');
  assert.match(res, /^pods\s+po\s+v1\s+true\s+Pod$/m);
  assert.match(res, /^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment$/m);
  assert.match(res, /^namespaces\s+ns\s+v1\s+false\s+Namespace$/m);
  const wide = await c.k('api-resources -o wide --api-group=apps');
  assert.match(wide, /deployments\s+deploy\s+apps\/v1\s+true\s+Deployment\s+create,delete,deletecollection,get,list,patch,update,watch\s+all/);
});

test('system namespaces and the kubernetes Service exist', async () => {
  const ns = await c.k('get ns -o name');
  for (const n of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) assert.match(ns, new RegExp(`^namespace/${n}$`, 'm'));
  const svc = await c.k('get svc kubernetes');
  assert.match(svc, /^NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE$/m);
  assert.match(svc, /^kubernetes\s+ClusterIP\s+10\.96\.0\.1\s+<none>\s+443\/TCP\s+\d+s$/m);
  const label = await c.k(['get', 'ns', 'kube-system', '-o', 'jsonpath={.metadata.labels.kubernetes\\.io/metadata\\.name}']);
  assert.equal(label, 'kube-system');
});

test('create generators print what kubectl prints and objects read back', async () => {
  assert.equal(await c.k('create namespace team-a'), 'namespace/team-a created\n');
  assert.equal(await c.k('create configmap cfg -n team-a --from-literal=a=1 --from-literal=b=two'), 'configmap/cfg created\n');
  assert.equal(await c.k(['get', 'cm', 'cfg', '-n', 'team-a', '-o', 'jsonpath={.data.a}/{.data.b}']), '1/two');
  const envFile = writeTemp(c.dir, 'app.env', 'X=1\nY=hello\n');
  assert.equal(await c.k(['create', 'configmap', 'envcfg', '-n', 'team-a', `--from-env-file=${envFile}`]), 'configmap/envcfg created\n');
  assert.equal(await c.k(['create', 'secret', 'generic', 'pw', '-n', 'team-a', '--from-literal=password=s3cr3t']), 'secret/pw created\n');
  assert.equal(Buffer.from(await c.k(['get', 'secret', 'pw', '-n', 'team-a', '-o', "jsonpath={.data['password']}"]), 'base64').toString(), 's3cr3t');
  assert.equal(await c.k('create secret docker-registry reg -n team-a --docker-server=r.example --docker-username=u --docker-password=p'), 'secret/reg created\n');
  assert.match(await c.k('get secret reg -n team-a'), /^reg\s+kubernetes\.io\/dockerconfigjson\s+1\s+\d+s$/m);
  assert.equal(await c.k('create deployment web -n team-a --image=nginx:1.25 --replicas=2'), 'deployment.apps/web created\n');
  const dep = JSON.parse(await c.k('get deploy web -n team-a -o json'));
  assert.equal(dep.spec.replicas, 2);
  assert.equal(dep.spec.strategy.type, 'RollingUpdate');
  assert.equal(dep.spec.strategy.rollingUpdate.maxSurge, '25%');
  assert.equal(dep.spec.template.spec.containers[0].imagePullPolicy, 'IfNotPresent');
  assert.equal(dep.spec.template.spec.restartPolicy, 'Always');
  assert.equal(dep.metadata.generation, 1);
  assert.match(await c.k('get deploy -n team-a'), /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\nweb\s+0\/2\s+[02]\s+0\s+\d+s\n$/);
  assert.match(await c.k('get deploy -n team-a -o wide'), /CONTAINERS\s+IMAGES\s+SELECTOR\nweb\s+0\/2\s+[02]\s+0\s+\d+s\s+nginx\s+nginx:1\.25\s+app=web/);
  assert.equal(await c.k('create service clusterip web -n team-a --tcp=80:8080'), 'service/web created\n');
  assert.match(await c.k('get svc web -n team-a'), /^web\s+ClusterIP\s+10\.(9[6-9]|1[01]\d)\.\d+\.\d+\s+<none>\s+80\/TCP\s+\d+s$/m);
  assert.equal(await c.k('create service nodeport np -n team-a --tcp=80:80 --node-port=30080'), 'service/np created\n');
  assert.match(await c.k('get svc np -n team-a'), /80:30080\/TCP/);
  const dup = await c.kubectl(['create', 'service', 'nodeport', 'np2', '-n', 'team-a', '--tcp=80:80', '--node-port=30080']);
  assert.notEqual(dup.code, 0);
  assert.match(dup.stderr, /spec\.ports\[0\]\.nodePort: Invalid value: 30080: provided port is already allocated/);
  assert.equal(await c.k('create serviceaccount robot -n team-a'), 'serviceaccount/robot created\n');
  assert.equal(await c.k('create job once -n team-a --image=busybox -- echo hi'), 'job.batch/once created\n');
  assert.equal(await c.k(['create', 'cronjob', 'tick', '-n', 'team-a', '--image=busybox', '--schedule=*/5 * * * *', '--', 'date']), 'cronjob.batch/tick created\n');
  assert.match(await c.k('get cj -n team-a'), /^tick\s+\*\/5 \* \* \* \*\s+<none>\s+False\s+0\s+<none>\s+\d+s$/m);
  assert.equal(await c.k('create role reader -n team-a --verb=get,list --resource=pods'), 'role.rbac.authorization.k8s.io/reader created\n');
  assert.equal(await c.k('create rolebinding rb -n team-a --role=reader --user=alice'), 'rolebinding.rbac.authorization.k8s.io/rb created\n');
  assert.match(await c.k('get rolebinding rb -n team-a -o wide'), /^rb\s+Role\/reader\s+\d+s\s+alice/m);
  assert.equal(await c.k('create clusterrole cr --verb=get --resource=nodes'), 'clusterrole.rbac.authorization.k8s.io/cr created\n');
  assert.equal(await c.k('create clusterrolebinding crb --clusterrole=cr --group=ops'), 'clusterrolebinding.rbac.authorization.k8s.io/crb created\n');
  assert.equal(await c.k('create quota q -n team-a --hard=pods=10'), 'resourcequota/q created\n');
  assert.equal(await c.k('create priorityclass high --value=1000'), 'priorityclass.scheduling.k8s.io/high created\n');
});

test('get output forms: yaml, json, name, jsonpath, custom-columns, go-template, labels, selectors, several kinds, all', async () => {
  await c.k('create namespace out');
  await c.k('create configmap one -n out --from-literal=k=v');
  await c.k('create configmap two -n out --from-literal=k=w');
  await c.k('label cm one -n out tier=web');
  assert.match(await c.k('get cm one -n out -o yaml'), /^apiVersion: v1\ndata:\n  k: v\nkind: ConfigMap\nmetadata:\n/);
  assert.equal(await c.k('get cm -n out -l tier=web -o name'), 'configmap/one\n');
  assert.equal(await c.k('get cm -n out -l tier!=web -o name'), 'configmap/two\n');
  assert.equal(await c.k(["get", "cm", "-n", "out", "-l", "tier in (web,db)", "-o", "name"]), 'configmap/one\n');
  assert.equal(await c.k(['get', 'cm', '-n', 'out', '-l', '!tier', '-o', 'jsonpath={.items[*].metadata.name}']).then((s) => s.includes('two') && !s.includes('one')), true);
  assert.match(await c.k(['get', 'cm', 'one', '-n', 'out', '-o', 'custom-columns=NAME:.metadata.name,VAL:.data.k']), /^NAME\s+VAL\none\s+v\n$/);
  assert.equal(await c.k(['get', 'cm', 'one', '-n', 'out', '-o', 'go-template={{.data.k}}']), 'v');
  assert.match(await c.k('get cm one -n out --show-labels'), /^one\s+1\s+\d+s\s+tier=web$/m);
  assert.match(await c.k('get cm -n out -L tier'), /^NAME\s+DATA\s+AGE\s+TIER$/m);
  assert.equal(await c.k(['get', 'cm', '-n', 'out', '--field-selector', 'metadata.name=two', '-o', 'name']), 'configmap/two\n');
  const several = await c.k('get cm,svc -n default');
  assert.match(several, /service\/kubernetes/);
  const all = await c.k('get all -n default');
  assert.match(all, /service\/kubernetes\s+ClusterIP\s+10\.96\.0\.1/);
  const allNs = await c.k('get cm -A');
  assert.match(allNs, /^NAMESPACE\s+NAME\s+DATA\s+AGE$/m);
  assert.match(allNs, /^out\s+one\s+1\s+\d+s$/m);
  const bad = await c.kubectl(['get', 'pods', '--field-selector', 'spec.bogus=x']);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /field label not supported: spec\.bogus|"spec\.bogus" is not a known field selector/);
});

test('label, annotate, patch (strategic, merge, json), replace, edit-style updates', async () => {
  await c.k('create namespace p');
  await c.k('create deployment app -n p --image=nginx:1.25');
  assert.equal(await c.k('label deploy app -n p env=prod'), 'deployment.apps/app labeled\n');
  const again = await c.kubectl(['label', 'deploy', 'app', '-n', 'p', 'env=dev']);
  assert.notEqual(again.code, 0);
  assert.match(again.stderr, /'env' already has a value \(prod\), and --overwrite is false/);
  await c.k('label deploy app -n p env=dev --overwrite');
  await c.k('label deploy app -n p env-');
  assert.equal(await c.k(['get', 'deploy', 'app', '-n', 'p', '-o', 'jsonpath={.metadata.labels.env}']), '');
  assert.equal(await c.k('annotate deploy app -n p note=hello'), 'deployment.apps/app annotated\n');
  assert.equal(await c.k(['patch', 'deploy', 'app', '-n', 'p', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"nginx","image":"nginx:1.26"}]}}}}']), 'deployment.apps/app patched\n');
  const d1 = JSON.parse(await c.k('get deploy app -n p -o json'));
  assert.equal(d1.spec.template.spec.containers.length, 1, 'strategic merge keeps containers merged by name');
  assert.equal(d1.spec.template.spec.containers[0].image, 'nginx:1.26');
  assert.equal(d1.metadata.generation, 3, 'the annotation and the template change each bump a Deployment generation; the label did not');
  await c.k(['patch', 'deploy', 'app', '-n', 'p', '--type=merge', '-p', '{"spec":{"replicas":3}}']);
  await c.k(['patch', 'deploy', 'app', '-n', 'p', '--type=json', '-p', '[{"op":"replace","path":"/spec/revisionHistoryLimit","value":4}]']);
  const d2 = JSON.parse(await c.k('get deploy app -n p -o json'));
  assert.equal(d2.spec.replicas, 3);
  assert.equal(d2.spec.revisionHistoryLimit, 4);
  const same = await c.k(['patch', 'deploy', 'app', '-n', 'p', '--type=merge', '-p', '{"spec":{"replicas":3}}']);
  assert.equal(same, 'deployment.apps/app patched (no change)\n');
  assert.equal(await c.k('scale deploy app -n p --replicas=5'), 'deployment.apps/app scaled\n');
  assert.equal(await c.k(['get', 'deploy', 'app', '-n', 'p', '-o', 'jsonpath={.spec.replicas}']), '5');
  d2.spec.replicas = 1;
  delete d2.metadata.resourceVersion;
  const f = writeTemp(c.dir, 'replace.json', JSON.stringify(d2));
  assert.equal(await c.k(['replace', '-f', f]), 'deployment.apps/app replaced\n');
  // stale update: a resourceVersion that is no longer current
  const stale = { ...d2, metadata: { ...d2.metadata, resourceVersion: '1' } };
  const sf = writeTemp(c.dir, 'stale.json', JSON.stringify(stale));
  const r = await c.kubectl(['replace', '-f', sf]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /Operation cannot be fulfilled on deployments\.apps "app": the object has been modified; please apply your changes to the latest version and try again/);
  // edit with a scripted editor
  const editor = writeTemp(c.dir, 'editor.sh', '#!/bin/sh\nsed -i "s/replicas: 1/replicas: 7/" "$1"\n');
  const ed = await c.kubectl(['edit', 'deploy', 'app', '-n', 'p'], { env: { KUBE_EDITOR: `sh ${editor}` } });
  assert.equal(ed.code, 0, ed.stderr);
  assert.equal(ed.stdout, 'deployment.apps/app edited\n');
  assert.equal(await c.k(['get', 'deploy', 'app', '-n', 'p', '-o', 'jsonpath={.spec.replicas}']), '7');
});

test('apply: client-side three-way merge, server-side apply and conflicts, diff', async () => {
  await c.k('create namespace ap');
  const manifest = (replicas: number, image: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: ap
  labels: {app: web}
spec:
  replicas: ${replicas}
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: ${image}
        ports:
        - containerPort: 80
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: ap
data:
  mode: fast
`;
  assert.equal(await c.k(['apply', '-f', '-'], manifest(2, 'nginx:1.25')), 'deployment.apps/web created\nconfigmap/settings created\n');
  assert.equal(await c.k(['apply', '-f', '-'], manifest(2, 'nginx:1.25')), 'deployment.apps/web unchanged\nconfigmap/settings unchanged\n');
  assert.equal(await c.k(['apply', '-f', '-'], manifest(3, 'nginx:1.26')), 'deployment.apps/web configured\nconfigmap/settings unchanged\n');
  const d = JSON.parse(await c.k('get deploy web -n ap -o json'));
  assert.equal(d.spec.replicas, 3);
  assert.ok(d.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration'].includes('nginx:1.26'));
  const diff = await c.kubectl(['diff', '-f', '-'], { input: manifest(4, 'nginx:1.26') });
  assert.equal(diff.code, 1, diff.stderr);
  assert.match(diff.stdout, /-  replicas: 3\n\+  replicas: 4/);
  const ssa = `apiVersion: v1
kind: ConfigMap
metadata:
  name: ssa
  namespace: ap
data:
  owner: first
`;
  assert.equal(await c.k(['apply', '--server-side', '--field-manager=first', '-f', '-'], ssa), 'configmap/ssa serverside-applied\n');
  const cm = JSON.parse(await c.k('get cm ssa -n ap -o json --show-managed-fields'));
  assert.ok(cm.metadata.managedFields.some((m: any) => m.manager === 'first' && m.operation === 'Apply' && m.fieldsV1['f:data']['f:owner']));
  const conflict = await c.kubectl(['apply', '--server-side', '--field-manager=second', '-f', '-'], { input: ssa.replace('first', 'second') });
  assert.notEqual(conflict.code, 0);
  assert.match(conflict.stderr, /Apply failed with 1 conflict: conflict with "first": \.data\.owner|conflict with "first"/);
  assert.equal(await c.k(['apply', '--server-side', '--force-conflicts', '--field-manager=second', '-f', '-'], ssa.replace('first', 'second')), 'configmap/ssa serverside-applied\n');
  assert.equal(await c.k(['get', 'cm', 'ssa', '-n', 'ap', '-o', 'jsonpath={.data.owner}']), 'second');
});

test('dry runs create nothing', async () => {
  await c.k('create namespace dry');
  const out = await c.k('create configmap x -n dry --from-literal=a=b --dry-run=server -o yaml');
  assert.match(out, /name: x/);
  assert.match(out, /uid: /);
  const r = await c.kubectl(['get', 'cm', 'x', '-n', 'dry']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /Error from server \(NotFound\): configmaps "x" not found/);
  const client = await c.k('create deployment y -n dry --image=nginx --dry-run=client -o yaml');
  assert.match(client, /kind: Deployment/);
});

test('bad input gets Kubernetes errors and stores nothing', async () => {
  await c.k('create namespace bad');
  const cases: [string, RegExp][] = [
    [`apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Bad_Name\n  namespace: bad\n`, /The ConfigMap "Bad_Name" is invalid: metadata\.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '\.', and must start and end with an alphanumeric character \(e\.g\. 'example\.com', regex used for validation is '\[a-z0-9\]\(\[-a-z0-9\]\*\[a-z0-9\]\)\?\(\\\.\[a-z0-9\]\(\[-a-z0-9\]\*\[a-z0-9\]\)\?\)\*'\)/],
    [`apiVersion: v1\nkind: Pod\nmetadata:\n  name: noimage\n  namespace: bad\nspec:\n  containers:\n  - name: c\n`, /The Pod "noimage" is invalid: spec\.containers\[0\]\.image: Required value/],
    [`apiVersion: v1\nkind: Pod\nmetadata:\n  name: bogus\n  namespace: bad\nspec:\n  bogus: 1\n  containers:\n  - name: c\n    image: busybox\n`, /strict decoding error: unknown field "spec\.bogus"/],
    [`apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: nosel\n  namespace: bad\nspec:\n  template:\n    metadata:\n      labels: {a: b}\n    spec:\n      containers:\n      - name: c\n        image: busybox\n`, /spec\.selector: Required value/],
    [`apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: badlabel\n  namespace: bad\n  labels:\n    "bad key!": x\n`, /metadata\.labels: Invalid value: "bad key!"/],
    [`apiVersion: v1\nkind: Nonsense\nmetadata:\n  name: x\n`, /no matches for kind "Nonsense" in version "v1"|the server doesn't have a resource type/],
    [`apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  namespace: missing-ns\n`, /namespaces "missing-ns" not found/],
    [`{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x", "namespace": "bad"}, "data": {"a": 1`, /error (parsing|converting)|yaml|json/i],
  ];
  for (const [body, re] of cases) {
    const r = await c.kubectl(['create', '-f', '-'], { input: body });
    assert.notEqual(r.code, 0, `accepted: ${body}`);
    assert.match(r.stderr, re);
  }
  const exists = await c.kubectl(['create', 'namespace', 'bad']);
  assert.match(exists.stderr, /Error from server \(AlreadyExists\): namespaces "bad" already exists/);
  const nf = await c.kubectl(['get', 'pod', 'nope', '-n', 'bad']);
  assert.match(nf.stderr, /Error from server \(NotFound\): pods "nope" not found/);
  const warn = await c.kubectl(['create', '--validate=warn', '-f', '-'], { input: `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: warned\n  namespace: bad\nbogus: 1\n` });
  assert.equal(warn.code, 0, warn.stderr);
  assert.match(warn.stderr, /Warning: unknown field "bogus"/);
  const left = await c.k('get all,cm,secrets -n bad -o name');
  assert.equal(left.split('\n').filter((l) => l && !l.includes('kube-root-ca') && !l.includes('warned')).length, 0, left);
});

test('delete forms, finalizers, graceful pods, wait', async () => {
  await c.k('create namespace del');
  for (const n of ['a', 'b', 'c']) await c.k(`create configmap ${n} -n del --from-literal=x=y`);
  await c.k('label cm a b -n del group=g');
  assert.equal(await c.k('delete cm -n del -l group=g'), 'configmap "a" deleted\nconfigmap "b" deleted\n');
  assert.equal(await c.k('delete cm -n del --all'), 'configmap "c" deleted\n');
  await c.k(['apply', '-f', '-'], `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: held\n  namespace: del\n  finalizers: ["example.com/hold"]\n`);
  const r = await c.kubectl(['delete', 'cm', 'held', '-n', 'del', '--wait=false']);
  assert.equal(r.stdout, 'configmap "held" deleted\n');
  const held = JSON.parse(await c.k('get cm held -n del -o json'));
  assert.ok(held.metadata.deletionTimestamp, 'finalizer keeps the object with a deletionTimestamp');
  const wait = c.kubectl(['wait', '--for=delete', 'cm/held', '-n', 'del', '--timeout=20s']);
  await c.k(['patch', 'cm', 'held', '-n', 'del', '--type=merge', '-p', '{"metadata":{"finalizers":[]}}']);
  const w = await wait;
  assert.equal(w.code, 0, w.stderr);
  const gone = await c.kubectl(['get', 'cm', 'held', '-n', 'del']);
  assert.match(gone.stderr, /NotFound/);
  await c.k(['run', 'sleeper', '-n', 'del', '--image=busybox', '--', 'sleep', '3600']);
  assert.equal(await c.k('delete pod sleeper -n del --grace-period=0 --force'), 'pod "sleeper" force deleted\n');
  await c.k('create configmap w -n del --from-literal=x=y');
  await c.k('annotate cm w -n del ready=yes');
  assert.equal(await c.k(['wait', '--for=jsonpath={.metadata.annotations.ready}=yes', 'cm/w', '-n', 'del', '--timeout=10s']), 'configmap/w condition met\n');
});

test('namespace deletion: Terminating, contents removed, creation refused meanwhile', async () => {
  await c.k('create namespace doomed');
  await c.k(['apply', '-f', '-'], `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: blocker\n  namespace: doomed\n  finalizers: ["example.com/hold"]\n`);
  await c.k('create configmap other -n doomed --from-literal=a=b');
  await c.k('delete ns doomed --wait=false');
  await eventually(async () => {
    assert.match(await c.k('get ns doomed'), /^doomed\s+Terminating\s+/m);
  });
  const refused = await c.kubectl(['create', 'configmap', 'late', '-n', 'doomed', '--from-literal=a=b']);
  assert.match(refused.stderr, /configmaps "late" is forbidden: unable to create new content in namespace doomed because it is being terminated/);
  const refusedApply = await c.kubectl(['apply', '-f', '-'], { input: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: late\n  namespace: doomed\n' });
  assert.match(refusedApply.stderr, /Error from server \(Forbidden\).*configmaps "late" is forbidden: unable to create new content in namespace doomed because it is being terminated/s);
  await eventually(async () => {
    const r = await c.kubectl(['get', 'cm', 'other', '-n', 'doomed']);
    assert.match(r.stderr, /NotFound/);
  });
  await c.k(['patch', 'cm', 'blocker', '-n', 'doomed', '--type=merge', '-p', '{"metadata":{"finalizers":null}}']);
  await eventually(async () => {
    const r = await c.kubectl(['get', 'ns', 'doomed']);
    assert.match(r.stderr, /namespaces "doomed" not found/);
  });
  const sys = await c.kubectl(['delete', 'ns', 'kube-system']);
  assert.match(sys.stderr, /namespaces "kube-system" is forbidden: this namespace may not be deleted/);
});

test('watch: get -w sees changes', async () => {
  await c.k('create namespace wt');
  const { spawn } = await import('node:child_process');
  const p = spawn('kubectl', ['--kubeconfig', c.kubeconfig, 'get', 'cm', '-n', 'wt', '-w', '--output-watch-events']);
  let out = '';
  p.stdout.on('data', (d) => (out += d));
  await new Promise((r) => setTimeout(r, 1000));
  await c.k('create configmap seen -n wt --from-literal=a=b');
  await c.k('delete cm seen -n wt');
  await eventually(async () => {
    assert.match(out, /ADDED\s+seen/);
    assert.match(out, /DELETED\s+seen/);
  });
  p.kill();
});

test('explain reads the OpenAPI documents', async () => {
  const e = await c.k('explain deployment.spec.replicas');
  assert.match(e, /GROUP:\s+apps/);
  assert.match(e, /FIELD: replicas <integer>/);
  const pod = await c.k('explain pod.spec.containers');
  assert.match(pod, /image\s+<string>/);
  const rec = await c.k('explain pv --recursive');
  assert.match(rec, /accessModes\s+<\[\]string>/);
});

test('objects and certificates survive a restart', async () => {
  await c.k('create namespace keep');
  await c.k('create configmap kept -n keep --from-literal=a=b');
  const before = JSON.parse(await c.k('get cm kept -n keep -o json'));
  await c.restart();
  const afterObj = JSON.parse(await c.k('get cm kept -n keep -o json'));
  assert.equal(afterObj.metadata.uid, before.metadata.uid);
  assert.equal(afterObj.metadata.resourceVersion, before.metadata.resourceVersion);
  await c.k('create configmap later -n keep --from-literal=a=b');
  const later = JSON.parse(await c.k('get cm later -n keep -o json'));
  assert.ok(Number(later.metadata.resourceVersion) > Number(before.metadata.resourceVersion), 'revisions keep growing after a restart');
});
