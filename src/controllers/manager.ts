// The controller manager: starts every component of src/controllers/index.ts (controllers, the
// scheduler, in-process simulated nodes) with one shared informer factory, each acting as its
// own user through the same request path as any other client.
import type { KindRegistry } from '../api/registry.js';
import type { UserInfo } from '../api/types.js';
import type { Client } from '../client/local.js';
import { informerFactory, type InformerFactory } from '../client/informer.js';
import { createRecorder, type Recorder } from '../client/events.js';
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { leaderElector, type LeaderElector } from '../client/leaderelection.js';

export interface ManagerConfig {
  /** Pod network, a podCIDR per node is carved from it (default 10.244.0.0/16). */
  clusterCIDR: string;
  /** Prefix length of each node's podCIDR (default 24). */
  nodeCIDRMaskSize: number;
  serviceCIDR: string;
  clusterDomain: string;
  /** Simulated nodes run in this process (0 = none). */
  simNodes: number;
  /** Component names to leave out; '*' leaves out every one. */
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
  /**
   * The Lease in kube-system this component runs under: it runs only while this process holds
   * it (default `kube-controller-manager`; the scheduler uses `kube-scheduler`); false runs it
   * without leader election (simulated nodes).
   */
  lease?: string | false;
}

/** Leader-election timings (client-go's defaults: 15 s, 10 s, 2 s). */
export interface LeaderElectionTimings {
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
}

export interface ControllerManager {
  ctx: ControllerContext;
  /** This process's leader-election identity (`<hostname>_<uuid>`). */
  identity: string;
  /** Leases this process holds now. */
  leading(): string[];
  /** Stops every component and releases the Leases held. */
  stop(): Promise<void>;
}

export async function startControllerManager(
  o: {
    makeClient(user: UserInfo): Client;
    registry: KindRegistry;
    log(component: string): (msg: string, x?: object) => void;
    config: ManagerConfig;
    leaderElection?: LeaderElectionTimings & { identity?: string };
  },
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
  const identity = o.leaderElection?.identity ?? `${hostname()}_${randomUUID()}`;
  const enabled = o.config.disabled.includes('*') ? [] : components.filter((c) => !o.config.disabled.includes(c.name) && (!c.enabled || c.enabled(o.config)));

  // components without leader election start right away
  const unelected: { stop(): void }[] = [];
  for (const c of enabled) if (c.lease === false) unelected.push(await c.start(ctx));

  // the others start while this process holds their Lease, in order, and stop when it is lost
  const groups = new Map<string, Component[]>();
  for (const c of enabled) {
    if (c.lease === false) continue;
    const lease = c.lease ?? 'kube-controller-manager';
    let g = groups.get(lease);
    if (!g) groups.set(lease, (g = []));
    g.push(c);
  }
  const electors: LeaderElector[] = [];
  let stopping = false;
  const held = new Set<string>();
  const leLog = o.log('leader-election');
  for (const [lease, group] of groups) {
    let running: { stop(): void }[] = [];
    let starting: Promise<void> | undefined;
    let generation = 0;
    const stopGroup = () => {
      generation++;
      held.delete(lease);
      for (const r of running.reverse()) {
        try {
          r.stop();
        } catch (e) {
          leLog('component stop failed', { lease, error: (e as Error).message });
        }
      }
      running = [];
    };
    const elector = leaderElector({
      client: client('system:kube-controller-manager'),
      namespace: 'kube-system',
      name: lease,
      identity,
      ...o.leaderElection,
      log: leLog,
      async onStartedLeading() {
        const gen = ++generation;
        held.add(lease);
        starting = (async () => {
          for (const c of group) {
            if (gen !== generation) return;
            try {
              const r = await c.start(ctx);
              if (gen !== generation) r.stop();
              else running.push(r);
            } catch (e) {
              o.log(c.name)('component failed to start', { error: (e as Error).stack ?? String(e) });
            }
          }
        })();
        await starting;
      },
      onStoppedLeading() {
        if (!stopping) leLog('leader election lost', { lease, identity });
        stopGroup();
      },
    });
    electors.push(elector);
  }
  // the first attempt of each election runs before the manager is reported started, so a
  // free Lease starts its components without waiting a retry period
  await Promise.all(electors.map((e) => e.run()));

  return {
    ctx,
    identity,
    leading: () => [...held],
    stop() {
      stopping = true;
      const released = Promise.all(electors.map((e) => e.stop()));
      for (const r of unelected.reverse()) r.stop();
      informers.stop();
      return released.then(() => undefined);
    },
  };
}
