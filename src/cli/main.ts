// bin/sampan: one executable, several roles.
import { parseFlags, usage, type FlagSpec } from './flags.js';

const serverFlags: FlagSpec[] = [
  { name: 'data-dir', help: 'where state, certificates and the kubeconfig live', default: '/var/lib/sampan' },
  { name: 'port', help: 'HTTPS port of the API server', default: '6443' },
  { name: 'bind', help: 'address to listen on', default: '0.0.0.0' },
  { name: 'token-auth-file', help: 'CSV file of bearer tokens: token,user,uid,"group1,group2"' },
  { name: 'service-cluster-ip-range', help: 'CIDR for Service cluster IPs', default: '10.96.0.0/12' },
  { name: 'service-node-port-range', help: 'port range for NodePort Services', default: '30000-32767' },
  { name: 'watch-cache-size', help: 'events kept for watches that start at an older resourceVersion', default: '2000' },
  { name: 'cluster-cidr', help: 'pod network; each node gets a podCIDR from it', default: '10.244.0.0/16' },
  { name: 'node-cidr-mask-size', help: 'prefix length of each node\'s podCIDR', default: '24' },
  { name: 'sim-nodes', help: 'run this many simulated nodes in the server process', default: '0' },
  { name: 'disable-controllers', help: 'comma-separated controller-manager components to leave out (\'*\' for all): deployment, replicaset, scheduler, …' },
  { name: 'config', help: 'YAML file with flag values' },
  { name: 'help', help: 'show this help', boolean: true },
];

const simNodeFlags: FlagSpec[] = [
  { name: 'count', help: 'how many nodes to simulate' },
  { name: 'kubeconfig', help: 'kubeconfig of the API server (default $KUBECONFIG or ~/.kube/config)' },
  { name: 'name-prefix', help: 'node names are <prefix><index>', default: 'sim-node-' },
  { name: 'cpu', help: 'CPU capacity of each node', default: '32' },
  { name: 'memory', help: 'memory capacity of each node', default: '256Gi' },
  { name: 'pods', help: 'pod capacity of each node', default: '110' },
  { name: 'ephemeral-storage', help: 'ephemeral-storage capacity of each node', default: '100Gi' },
  { name: 'labels', help: 'extra node labels, k=v,...' },
  { name: 'taints', help: 'node taints, k=v:NoSchedule,...' },
  { name: 'run-seconds', help: 'run time of restartPolicy Never/OnFailure pods (annotation sim.sampan.io/run-seconds)', default: '1' },
  { name: 'max-grace-seconds', help: 'longest wait before a deleted pod is removed', default: '1' },
  { name: 'help', help: 'show this help', boolean: true },
];

const commands: Record<string, { summary: string; run(argv: string[]): Promise<void> }> = {
  server: {
    summary: 'Run the API server (Kubernetes-compatible control plane) on an embedded SQLite store.',
    async run(argv) {
      const { values } = parseFlags(argv, serverFlags);
      if (values.help) {
        console.log(usage('server', this.summary, serverFlags));
        return;
      }
      const { startServer } = await import('../apiserver/server.js');
      const { log } = await import('../util/log.js');
      // A bug in one request or controller must not take the whole control plane down.
      process.on('unhandledRejection', (e) => log.error('unhandled rejection', { component: 'apiserver', error: e instanceof Error ? e.stack : String(e) }));
      const s = await startServer({
        dataDir: values['data-dir']!,
        port: Number(values.port),
        bind: values.bind,
        tokenFile: values['token-auth-file'],
        serviceCIDR: values['service-cluster-ip-range'],
        nodePortRange: values['service-node-port-range'],
        watchCacheSize: Number(values['watch-cache-size']),
        clusterCIDR: values['cluster-cidr'],
        nodeCIDRMaskSize: Number(values['node-cidr-mask-size']),
        simNodes: Number(values['sim-nodes']),
        disabledControllers: values['disable-controllers'] ? values['disable-controllers'].split(',').map((x) => x.trim()).filter(Boolean) : [],
      });
      process.stdout.write(`Sampan API server listening on ${s.url}\nkubeconfig: ${s.kubeconfigPath}\nTry: kubectl --kubeconfig ${s.kubeconfigPath} get namespaces\n`);
      const stop = async () => {
        await s.close();
        process.exit(0);
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    },
  },
  'sim-nodes': {
    summary: 'Run simulated nodes (kubelets that run nothing) against an API server.',
    async run(argv) {
      const { values, rest } = parseFlags(argv, simNodeFlags);
      if (values.help) {
        console.log(usage('sim-nodes', this.summary, simNodeFlags));
        return;
      }
      if (rest.length) throw new Error(`unexpected argument: ${rest[0]}`);
      const { simNodesOptionsFromFlags, startSimNodes } = await import('../simnode/cli.js');
      const { httpClient } = await import('../client/http.js');
      const { log } = await import('../util/log.js');
      const opts = simNodesOptionsFromFlags(values);
      const client = httpClient(values.kubeconfig ?? (await import('../client/kubeconfig.js')).defaultKubeconfigPath());
      const sim = await startSimNodes(client, { ...opts, log: (m, x) => log.info(m, { component: 'sim-nodes', ...x }) });
      await sim.ready;
      process.stdout.write(`${sim.nodes.length} simulated nodes running against ${client.server}: ${sim.nodes.length > 5 ? `${sim.nodes.slice(0, 3).join(', ')}, …, ${sim.nodes[sim.nodes.length - 1]}` : sim.nodes.join(', ')}\n`);
      const stop = () => {
        sim.stop();
        client.close();
        process.exit(0);
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    },
  },
};

async function main() {
  const [cmd, ...argv] = process.argv.slice(2);
  if (!cmd || cmd === 'help' || cmd === '--help' || cmd === '-h') {
    console.log('Usage: sampan <command> [flags]\n\nCommands:');
    for (const [name, c] of Object.entries(commands)) console.log(`  ${name.padEnd(12)}${c.summary}`);
    return;
  }
  const c = commands[cmd];
  if (!c) {
    console.error(`sampan: unknown command "${cmd}" (see 'sampan help')`);
    process.exit(2);
  }
  try {
    await c.run(argv);
  } catch (e) {
    console.error(`sampan ${cmd}: ${(e as Error).message}`);
    process.exit(1);
  }
}

void main();
