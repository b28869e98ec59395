// kubectl's typed-client commands send protobuf bodies (application/vnd.kubernetes.protobuf);
// each must succeed with kubectl's usual output and store the fields it sent.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { startCluster, writeTemp, type Cluster } from './harness.js';

let c: Cluster;
before(async () => {
  c = await startCluster();
});
after(async () => {
  await c?.stop();
  c?.cleanup();
});

const getJson = async (args: string) => JSON.parse(await c.k(`${args} -o json`));

test('create namespace, configmap, secrets, serviceaccount', async () => {
  assert.equal((await c.k('create namespace pbx')).trim(), 'namespace/pbx created');
  assert.equal((await getJson('get ns pbx')).status.phase, 'Active');

  assert.equal((await c.k('create configmap cm1 --from-literal=a=b --from-literal=c=d')).trim(), 'configmap/cm1 created');
  assert.deepEqual((await getJson('get configmap cm1')).data, { a: 'b', c: 'd' });

  assert.equal((await c.k('create secret generic s1 --from-literal=k=v --type=Opaque')).trim(), 'secret/s1 created');
  const s1 = await getJson('get secret s1');
  assert.deepEqual(s1.data, { k: Buffer.from('v').toString('base64') });
  assert.equal(s1.type, 'Opaque');

  assert.equal((await c.k('create secret docker-registry dr --docker-username=u --docker-password=p --docker-server=r.example.com')).trim(), 'secret/dr created');
  const dr = await getJson('get secret dr');
  assert.equal(dr.type, 'kubernetes.io/dockerconfigjson');
  const cfg = JSON.parse(Buffer.from(dr.data['.dockerconfigjson'], 'base64').toString());
  assert.equal(cfg.auths['r.example.com'].username, 'u');

  const key = join(c.dir, 'tls.key');
  const crt = join(c.dir, 'tls.crt');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', crt, '-days', '1', '-subj', '/CN=pb.example.com'], { stdio: 'ignore' });
  assert.equal((await c.k(['create', 'secret', 'tls', 't1', `--cert=${crt}`, `--key=${key}`])).trim(), 'secret/t1 created');
  const t1 = await getJson('get secret t1');
  assert.equal(t1.type, 'kubernetes.io/tls');
  assert.match(Buffer.from(t1.data['tls.crt'], 'base64').toString(), /BEGIN CERTIFICATE/);

  assert.equal((await c.k('create serviceaccount sa1')).trim(), 'serviceaccount/sa1 created');
  assert.equal((await getJson('get sa sa1')).metadata.name, 'sa1');
});

test('create deployment, run, expose, autoscale', async () => {
  assert.equal((await c.k('create deployment web --image=nginx --replicas=0 --port=80')).trim(), 'deployment.apps/web created');
  const web = await getJson('get deploy web');
  assert.equal(web.spec.replicas, 0);
  assert.equal(web.spec.template.spec.containers[0].image, 'nginx');
  assert.equal(web.spec.template.spec.containers[0].ports[0].containerPort, 80);
  assert.deepEqual(web.spec.selector.matchLabels, { app: 'web' });

  assert.equal((await c.k('run p --image=busybox --restart=Never --env=A=B --labels=x=y --port=80 -- sleep 10')).trim(), 'pod/p created');
  const p = await getJson('get pod p');
  assert.deepEqual(p.metadata.labels, { x: 'y' });
  assert.equal(p.spec.restartPolicy, 'Never');
  const ct = p.spec.containers[0];
  assert.equal(ct.name, 'p');
  assert.equal(ct.image, 'busybox');
  assert.deepEqual(ct.args, ['sleep', '10']);
  assert.deepEqual(ct.env, [{ name: 'A', value: 'B' }]);
  assert.deepEqual(ct.ports, [{ containerPort: 80, protocol: 'TCP' }]);
  assert.deepEqual(ct.resources, {});
  assert.equal(p.metadata.creationTimestamp !== undefined, true);

  assert.equal((await c.k('expose deployment web --port=8080 --target-port=80 --name=websvc')).trim(), 'service/websvc exposed');
  const ws = await getJson('get svc websvc');
  assert.deepEqual(ws.spec.ports.map((x: any) => [x.port, x.targetPort, x.protocol]), [[8080, 80, 'TCP']]);
  assert.deepEqual(ws.spec.selector, { app: 'web' });

  assert.equal((await c.k('autoscale deployment web --min=2 --max=5 --cpu-percent=60')).trim(), 'horizontalpodautoscaler.autoscaling/web autoscaled');
  const hpa = await getJson('get hpa.v2.autoscaling web');
  assert.equal(hpa.spec.minReplicas, 2);
  assert.equal(hpa.spec.maxReplicas, 5);
  assert.equal(hpa.spec.scaleTargetRef.name, 'web');
});

test('create services of every type', async () => {
  assert.equal((await c.k('create service clusterip cip --tcp=80:8080')).trim(), 'service/cip created');
  const cip = await getJson('get svc cip');
  assert.equal(cip.spec.type, 'ClusterIP');
  assert.deepEqual(cip.spec.ports, [{ name: '80-8080', port: 80, protocol: 'TCP', targetPort: 8080 }]);

  assert.equal((await c.k('create service nodeport np --tcp=80:http')).trim(), 'service/np created');
  const np = await getJson('get svc np');
  assert.equal(np.spec.type, 'NodePort');
  assert.equal(np.spec.ports[0].targetPort, 'http');
  assert.ok(np.spec.ports[0].nodePort >= 30000);

  assert.equal((await c.k('create service loadbalancer lb --tcp=443')).trim(), 'service/lb created');
  assert.equal((await getJson('get svc lb')).spec.type, 'LoadBalancer');

  assert.equal((await c.k('create service externalname ex --external-name=db.example.com')).trim(), 'service/ex created');
  const ex = await getJson('get svc ex');
  assert.equal(ex.spec.type, 'ExternalName');
  assert.equal(ex.spec.externalName, 'db.example.com');
});

test('create job, cronjob, job from cronjob', async () => {
  assert.equal((await c.k('create job j1 --image=busybox -- echo hi')).trim(), 'job.batch/j1 created');
  const j1 = await getJson('get job j1');
  assert.deepEqual(j1.spec.template.spec.containers[0].command, ['echo', 'hi']);
  assert.equal(j1.spec.template.spec.restartPolicy, 'Never');

  assert.equal((await c.k(['create', 'cronjob', 'cj', '--image=busybox', '--schedule=*/5 * * * *', '--', 'date'])).trim(), 'cronjob.batch/cj created');
  const cj = await getJson('get cronjob cj');
  assert.equal(cj.spec.schedule, '*/5 * * * *');
  assert.equal(cj.spec.jobTemplate.spec.template.spec.containers[0].image, 'busybox');

  assert.equal((await c.k('create job j2 --from=cronjob/cj')).trim(), 'job.batch/j2 created');
  const j2 = await getJson('get job j2');
  assert.equal(j2.metadata.annotations['cronjob.kubernetes.io/instantiate'], 'manual');
  assert.equal(j2.metadata.ownerReferences[0].kind, 'CronJob');
  assert.equal(j2.metadata.ownerReferences[0].controller, true);
});

test('create rbac objects', async () => {
  assert.equal((await c.k('create role r1 --verb=get,list --resource=pods')).trim(), 'role.rbac.authorization.k8s.io/r1 created');
  assert.deepEqual((await getJson('get role r1')).rules, [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }]);
  assert.equal((await c.k('create rolebinding rb1 --role=r1 --user=alice --serviceaccount=default:sa1')).trim(), 'rolebinding.rbac.authorization.k8s.io/rb1 created');
  const rb = await getJson('get rolebinding rb1');
  assert.deepEqual(rb.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'r1' });
  assert.equal(rb.subjects.length, 2);
  assert.equal((await c.k('create clusterrole cr1 --verb=get --non-resource-url=/healthz')).trim(), 'clusterrole.rbac.authorization.k8s.io/cr1 created');
  assert.deepEqual((await getJson('get clusterrole cr1')).rules, [{ nonResourceURLs: ['/healthz'], verbs: ['get'] }]);
  assert.equal((await c.k('create clusterrolebinding crb1 --clusterrole=cr1 --group=devs')).trim(), 'clusterrolebinding.rbac.authorization.k8s.io/crb1 created');
  assert.deepEqual((await getJson('get clusterrolebinding crb1')).subjects, [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'devs' }]);
});

test('create quota, priorityclass, poddisruptionbudget, ingress', async () => {
  assert.equal((await c.k('create quota q1 --hard=pods=3,requests.cpu=500m')).trim(), 'resourcequota/q1 created');
  assert.deepEqual((await getJson('get quota q1')).spec.hard, { pods: '3', 'requests.cpu': '500m' });
  assert.equal((await c.k('create priorityclass pc1 --value=0 --description=zero')).trim(), 'priorityclass.scheduling.k8s.io/pc1 created');
  const pc = await getJson('get priorityclass pc1');
  assert.equal(pc.value, 0);
  assert.equal(pc.description, 'zero');
  assert.equal((await c.k('create poddisruptionbudget pdb1 --selector=app=web --min-available=50%')).trim(), 'poddisruptionbudget.policy/pdb1 created');
  const pdb = await getJson('get pdb pdb1');
  assert.equal(pdb.spec.minAvailable, '50%');
  assert.deepEqual(pdb.spec.selector.matchLabels, { app: 'web' });
  assert.equal((await c.k(['create', 'ingress', 'ing1', '--rule=foo.example.com/bar=cip:80'])).trim(), 'ingress.networking.k8s.io/ing1 created');
  const ing = await getJson('get ingress ing1');
  assert.equal(ing.spec.rules[0].host, 'foo.example.com');
  assert.deepEqual(ing.spec.rules[0].http.paths[0], { backend: { service: { name: 'cip', port: { number: 80 } } }, path: '/bar', pathType: 'Exact' });
});

test('drain evicts through a protobuf Eviction', async () => {
  const manifest = writeTemp(c.dir, 'node.yaml', ['apiVersion: v1', 'kind: Node', 'metadata: {name: pbnode}', '---', 'apiVersion: v1', 'kind: Pod', 'metadata: {name: onnode, namespace: default}', 'spec:', '  nodeName: pbnode', '  containers: [{name: c, image: busybox}]', ''].join('\n'));
  await c.k(['apply', '-f', manifest]);
  const out = await c.k('drain pbnode --force --grace-period=0');
  assert.match(out, /node\/pbnode cordoned/);
  assert.match(out, /pod\/onnode evicted/);
  assert.match(out, /node\/pbnode drained/);
  assert.equal((await getJson('get node pbnode')).spec.unschedulable, true);
  const r = await c.kubectl(['get', 'pod', 'onnode']);
  assert.match(r.stderr, /NotFound/);
});

test('create token and certificate approve are not refused as unsupported media', async () => {
  // The request bodies decode (see test/unit/protobuf.test.ts); whether the endpoints exist is
  // up to the serviceaccounts/token and certificatesigningrequests/approval handlers.
  const tok = await c.kubectl(['create', 'token', 'default']);
  assert.doesNotMatch(tok.stderr, /415|nsupported media|protobuf/);
  if (tok.code === 0) assert.match(tok.stdout.trim(), /^[\w-]+\.[\w-]+\.[\w-]+$/);

  const key = join(c.dir, 'csr.key');
  const csrPem = join(c.dir, 'csr.pem');
  execFileSync('openssl', ['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-subj', '/CN=alice', '-out', csrPem], { stdio: 'ignore' });
  const request = execFileSync('base64', ['-w0', csrPem]).toString();
  const manifest = JSON.stringify({ apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest', metadata: { name: 'alice' }, spec: { request, signerName: 'kubernetes.io/kube-apiserver-client', usages: ['client auth'] } });
  await c.k(['apply', '-f', writeTemp(c.dir, 'csr.json', manifest)]);
  const appr = await c.kubectl(['certificate', 'approve', 'alice']);
  assert.doesNotMatch(appr.stderr, /415|nsupported media|protobuf/);
  if (appr.code === 0) {
    assert.match(appr.stdout, /certificatesigningrequest.certificates.k8s.io\/alice approved/);
    const conds = (await getJson('get csr alice')).status.conditions;
    assert.equal(conds[0].type, 'Approved');
    assert.equal(conds[0].reason, 'KubectlApprove');
  }
});
