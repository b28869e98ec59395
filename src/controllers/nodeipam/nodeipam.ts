// The node IPAM controller (kube-controller-manager's range allocator): every Node without a
// spec.podCIDR gets the next free /nodeCIDRMaskSize subnet of the cluster CIDR in spec.podCIDR
// and spec.podCIDRs. Subnets already on Nodes are marked used at start (so allocations survive
// restarts) and released when a Node goes. When the range is full the node gets the event
// `CIDRNotAvailable` ("Node <n> status is now: CIDRNotAvailable") and is retried with back-off.
import type { KubeObject } from '../../api/types.js';
import { ApiError } from '../../api/errors.js';
import type { Component, ControllerContext } from '../manager.js';
import { workQueue } from '../../client/workqueue.js';
import { newCidrSet } from './cidr.js';

class RangeFull extends Error {}

export async function startNodeIpam(ctx: ControllerContext): Promise<{ stop(): void }> {
  const log = ctx.log('nodeipam');
  const set = newCidrSet(ctx.config.clusterCIDR, ctx.config.nodeCIDRMaskSize);
  const client = ctx.client('system:serviceaccount:kube-system:node-controller');
  const recorder = ctx.recorder('cidrAllocator');
  const nodes = ctx.informers.informer<KubeObject>('/api/v1/nodes');
  /** node name → the subnet it holds (from the API or allocated here and being written). */
  const held = new Map<string, string>();

  const podCIDRs = (n: KubeObject): string[] => (n.spec?.podCIDRs?.length ? n.spec.podCIDRs : n.spec?.podCIDR ? [n.spec.podCIDR] : []);

  function occupy(n: KubeObject) {
    const name = n.metadata.name!;
    for (const c of podCIDRs(n)) {
      if (held.get(name) === c) return;
      if (set.occupy(c)) {
        const prev = held.get(name);
        if (prev && prev !== c) set.release(prev);
        held.set(name, c);
        return;
      }
    }
  }

  const queue = workQueue(sync, {
    workers: 4,
    onError(name, e) {
      if (!(e instanceof RangeFull)) log('podCIDR allocation failed', { node: name, error: (e as Error).message });
      return undefined; // exponential back-off
    },
  });

  async function sync(name: string): Promise<boolean> {
    const node = nodes.get(undefined, name);
    if (!node) return true;
    if (podCIDRs(node).length) {
      occupy(node);
      return true;
    }
    let cidr = held.get(name);
    if (!cidr) {
      cidr = set.allocateNext();
      if (!cidr) {
        await recorder.event({ ...node, kind: 'Node', apiVersion: 'v1' }, 'Normal', 'CIDRNotAvailable', `Node ${name} status is now: CIDRNotAvailable`).catch(() => {});
        throw new RangeFull(`no free podCIDR in ${ctx.config.clusterCIDR}`);
      }
      held.set(name, cidr);
    }
    try {
      await client.patch(`/api/v1/nodes/${name}`, { spec: { podCIDR: cidr, podCIDRs: [cidr] } }, 'strategic');
    } catch (e) {
      // 404: the node is gone; 422: someone else set a podCIDR meanwhile (occupied on its update)
      if (e instanceof ApiError && (e.code === 404 || e.code === 422)) {
        if (held.get(name) === cidr) {
          set.release(cidr);
          held.delete(name);
        }
        return true;
      }
      await recorder.event({ ...node, kind: 'Node', apiVersion: 'v1' }, 'Normal', 'CIDRAssignmentFailed', `Node ${name} status is now: CIDRAssignmentFailed`).catch(() => {});
      throw e;
    }
    log('podCIDR assigned', { node: name, podCIDR: cidr });
    return true;
  }

  await nodes.synced();
  for (const n of nodes.list()) occupy(n);
  nodes.addEventHandler({
    add: (n) => (podCIDRs(n).length ? occupy(n) : void queue.add(n.metadata.name!)),
    update: (_o, n) => (podCIDRs(n).length ? occupy(n) : void queue.add(n.metadata.name!)),
    delete: (n) => {
      const name = n.metadata.name!;
      const c = held.get(name);
      if (c) set.release(c);
      held.delete(name);
    },
  });
  log('node IPAM started', { clusterCIDR: ctx.config.clusterCIDR, nodeCIDRMaskSize: ctx.config.nodeCIDRMaskSize, subnets: set.max, used: set.used() });
  return { stop: () => queue.stop() };
}

export const nodeIpamComponent: Component = {
  name: 'nodeipam',
  start: (ctx) => startNodeIpam(ctx),
};
