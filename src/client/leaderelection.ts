// Leader election on coordination.k8s.io/v1 Leases, as client-go's leaderelection package does
// it: a candidate creates or takes over the Lease when it is free or expired, the leader renews
// it every retry period, and a leader that cannot renew within the renew deadline stops leading.
// Every write carries the resourceVersion it read (optimistic concurrency), so two candidates
// never both win the same round. On stop the leader releases the Lease (holder cleared, duration
// 1 s) so a successor takes over at once.
//
// A Lease counts as expired when its record has not changed for leaseDuration as observed on
// this process's clock (client-go's rule), or when its renewTime is older than leaseDuration by
// the local clock: the second rule lets a restarted server take back a Lease its previous,
// killed process held without waiting a full duration after first seeing it.
import { ApiError } from '../api/errors.js';
import type { Client } from './local.js';

export interface LeaderElectionConfig {
  client: Client;
  namespace: string;
  name: string;
  identity: string;
  /** How long a non-leader waits after the last observed renewal before taking over (15 s). */
  leaseDurationMs?: number;
  /** How long the leader keeps retrying a failing renewal before giving up (10 s). */
  renewDeadlineMs?: number;
  /** Time between attempts to acquire or renew (2 s). */
  retryPeriodMs?: number;
  onStartedLeading(): void | Promise<void>;
  onStoppedLeading(): void;
  onNewLeader?(identity: string): void;
  log?(msg: string, o?: object): void;
  now?(): number;
}

export interface LeaderElector {
  /** Starts campaigning; resolves after the first attempt (and onStartedLeading if it won). */
  run(): Promise<void>;
  isLeader(): boolean;
  /** The holder last observed ('' when none). */
  leader(): string;
  /** Stops campaigning; a leader stops leading and releases the Lease. */
  stop(): Promise<void>;
}

interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

interface LeaseObject {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; namespace: string; resourceVersion?: string; [k: string]: unknown };
  spec?: LeaseSpec;
}

/** metav1.MicroTime as the API writes it: RFC 3339 with six fractional digits. */
export const microTime = (t: number) => new Date(t).toISOString().replace(/Z$/, '000Z');

const jitter = (ms: number) => ms + Math.random() * ms * 1.2;

export function leaderElector(cfg: LeaderElectionConfig): LeaderElector {
  const leaseDuration = cfg.leaseDurationMs ?? 15_000;
  const renewDeadline = cfg.renewDeadlineMs ?? 10_000;
  const retryPeriod = cfg.retryPeriodMs ?? 2_000;
  if (leaseDuration <= renewDeadline) throw new Error('leaseDuration must be greater than renewDeadline');
  if (renewDeadline <= retryPeriod * 1.2) throw new Error('renewDeadline must be greater than retryPeriod*JitterFactor');
  const now = cfg.now ?? Date.now;
  const path = `/apis/coordination.k8s.io/v1/namespaces/${cfg.namespace}/leases/${cfg.name}`;
  const log = cfg.log ?? (() => {});

  let observedRaw = '';
  let observedTime = 0;
  let observedHolder = '';
  let leading = false;
  let stopped = false;
  let lastRenew = 0;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  let done: Promise<void> = Promise.resolve();
  /** The Lease as this process last wrote it while holding it. */
  let held: LeaseObject | undefined;

  function observe(spec: LeaseSpec | undefined) {
    const raw = JSON.stringify(spec ?? {});
    if (raw !== observedRaw) {
      observedRaw = raw;
      observedTime = now();
    }
    const holder = spec?.holderIdentity ?? '';
    if (holder !== observedHolder) {
      observedHolder = holder;
      if (holder) cfg.onNewLeader?.(holder);
    }
  }

  function expired(spec: LeaseSpec, t: number): boolean {
    const d = (spec.leaseDurationSeconds ?? leaseDuration / 1000) * 1000;
    if (observedTime + d <= t) return true;
    const renewed = spec.renewTime ? Date.parse(spec.renewTime) : NaN;
    return !Number.isNaN(renewed) && renewed + d <= t;
  }

  /** One attempt; true when this process holds the Lease afterwards. */
  async function tryAcquireOrRenew(): Promise<boolean> {
    const t = now();
    const desired: LeaseSpec = {
      holderIdentity: cfg.identity,
      leaseDurationSeconds: Math.max(1, Math.round(leaseDuration / 1000)),
      acquireTime: microTime(t),
      renewTime: microTime(t),
      leaseTransitions: 0,
    };
    const cur = await cfg.client.getOrNull<LeaseObject>(path);
    if (!cur) {
      try {
        const made = await cfg.client.create<LeaseObject>(`/apis/coordination.k8s.io/v1/namespaces/${cfg.namespace}/leases`, {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { name: cfg.name, namespace: cfg.namespace },
          spec: desired,
        });
        observe(made.spec);
        held = made;
        return true;
      } catch (e) {
        if (e instanceof ApiError && e.code === 409) return false;
        throw e;
      }
    }
    const old = cur.spec ?? {};
    observe(old);
    const holder = old.holderIdentity ?? '';
    if (holder && holder !== cfg.identity && !expired(old, t)) return false;
    if (holder === cfg.identity) {
      desired.acquireTime = old.acquireTime ?? desired.acquireTime;
      desired.leaseTransitions = old.leaseTransitions ?? 0;
    } else {
      desired.leaseTransitions = (old.leaseTransitions ?? 0) + 1;
    }
    try {
      const updated = await cfg.client.update<LeaseObject>(path, { ...cur, metadata: { ...cur.metadata }, spec: { ...old, ...desired } });
      observe(updated.spec);
      held = updated;
      return true;
    } catch (e) {
      if (e instanceof ApiError && (e.code === 409 || e.code === 404)) return false;
      throw e;
    }
  }

  async function attempt(): Promise<boolean> {
    try {
      return await tryAcquireOrRenew();
    } catch (e) {
      log('error retrieving or updating lease', { lease: `${cfg.namespace}/${cfg.name}`, error: (e as Error).message });
      return false;
    }
  }

  function schedule(ms: number) {
    if (stopped) return;
    timer = setTimeout(() => {
      running = tick();
    }, ms);
    timer.unref?.();
  }

  async function tick(): Promise<void> {
    if (stopped) return;
    const ok = await attempt();
    if (stopped) return;
    if (ok) {
      lastRenew = now();
      if (!leading) {
        leading = true;
        log('successfully acquired lease', { lease: `${cfg.namespace}/${cfg.name}`, identity: cfg.identity });
        try {
          await cfg.onStartedLeading();
        } catch (e) {
          log('onStartedLeading failed', { error: (e as Error).message });
        }
      }
      schedule(retryPeriod);
      return;
    }
    if (leading) {
      // renewal failed: keep trying until the renew deadline, then give up, as client-go does
      if (now() - lastRenew < renewDeadline && observedHolder === cfg.identity) {
        schedule(retryPeriod);
        return;
      }
      leading = false;
      log('failed to renew lease', { lease: `${cfg.namespace}/${cfg.name}`, identity: cfg.identity });
      cfg.onStoppedLeading();
    }
    schedule(jitter(retryPeriod));
  }

  const released = (cur: LeaseObject): LeaseObject => {
    const t = now();
    return { ...cur, spec: { leaseDurationSeconds: 1, acquireTime: microTime(t), renewTime: microTime(t), leaseTransitions: cur.spec?.leaseTransitions ?? 0 } };
  };

  async function release(): Promise<void> {
    try {
      const cur = await cfg.client.getOrNull<LeaseObject>(path);
      if (!cur || cur.spec?.holderIdentity !== cfg.identity) return;
      await cfg.client.update(path, released(cur));
    } catch (e) {
      log('failed to release lease', { lease: `${cfg.namespace}/${cfg.name}`, error: (e as Error).message });
    }
  }

  return {
    async run() {
      running = tick();
      await running;
    },
    isLeader: () => leading,
    leader: () => observedHolder,
    stop() {
      if (stopped) return done;
      stopped = true;
      if (timer) clearTimeout(timer);
      // components stop now, and the release is sent at once from the Lease last written (a
      // server shutting down closes its store right after); if that write loses a race with a
      // renewal in flight, the release is retried once the renewal has settled
      const wasLeading = leading;
      if (leading) {
        leading = false;
        cfg.onStoppedLeading();
      }
      const quick = wasLeading && held && held.spec?.holderIdentity === cfg.identity ? cfg.client.update(path, released(held)).then(() => true, () => false) : Promise.resolve(false);
      done = (async () => {
        const ok = await quick;
        await running.catch(() => {});
        if (!ok) await release();
      })();
      return done;
    },
  };
}
