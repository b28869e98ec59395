// The controller manager: starts every component of src/controllers/index.ts (controllers, the
// scheduler, in-process simulated nodes) with one shared informer factory, each acting as its
// own user through the same request path as any other client.
import type { KindRegistry } from '../api/registry.js';
import type { UserInfo } from '../api/types.js';
import type { Client } from '../client/local.js';
import { informerFactory, type InformerFactory } from '../client/informer.js';
import { createRecorder, type Recorder } from '../client/events.js';

export interface ManagerConfig {
  /** Pod network, a podCIDR per node is carved from it (default 10.244.0.0/16). */
  clusterCIDR: string;
  /** Prefix length of each node's podCIDR (default 24). */
  nodeCIDRMaskSize: number;
  serviceCIDR: string;
  clusterDomain: string;
  /** Simulated nodes run in this process (0 = none). */
  simNodes: number;
  /** Component names to leave out (`--controllers=-name`). */
  disabled: string[];
}

export interface ControllerContext {
  /** A client acting as `user` (defaults to the component's service account). */
  client(user?: string | UserInfo): Client;
  informers: InformerFactory;
  registry: KindRegistry;
  recorder(component: string, host?: string): Recorder;
  log(component: string): (msg: string, o?: object) => void;
  config: ManagerConfig;
}

export interface Component {
  /** Kubernetes' name for it: `deployment`, `replicaset`, `scheduler`, … */
  name: string;
  /** True when it runs only if asked (for example simulated nodes). */
  enabled?(config: ManagerConfig): boolean;
  start(ctx: ControllerContext): Promise<{ stop(): void }> | { stop(): void };
}

export interface ControllerManager {
  ctx: ControllerContext;
  stop(): void;
}

export async function startControllerManager(
  o: { makeClient(user: UserInfo): Client; registry: KindRegistry; log(component: string): (msg: string, x?: object) => void; config: ManagerConfig },
  components: Component[],
): Promise<ControllerManager> {
  const managerUser: UserInfo = { name: 'system:kube-controller-manager', groups: ['system:masters', 'system:authenticated'] };
  const informers = informerFactory(o.makeClient(managerUser), { log: o.log('informer') });
  const clients = new Map<string, Client>();
  const client = (user: string | UserInfo = managerUser) => {
    const u: UserInfo = typeof user === 'string' ? { name: user, groups: ['system:masters', 'system:authenticated'] } : user;
    let c = clients.get(u.name);
    if (!c) clients.set(u.name, (c = o.makeClient(u)));
    return c;
  };
  const ctx: ControllerContext = {
    client,
    informers,
    registry: o.registry,
    recorder: (component, host) => createRecorder(client(`system:serviceaccount:kube-system:${component}`), { component, host }),
    log: o.log,
    config: o.config,
  };
  const running: { stop(): void }[] = [];
  for (const c of components) {
    if (o.config.disabled.includes(c.name)) continue;
    if (c.enabled && !c.enabled(o.config)) continue;
    running.push(await c.start(ctx));
  }
  return {
    ctx,
    stop() {
      for (const r of running.reverse()) r.stop();
      informers.stop();
    },
  };
}
