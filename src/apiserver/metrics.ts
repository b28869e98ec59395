// A small Prometheus registry: counters, gauges and histograms with labels, rendered in the text
// exposition format. Metric names follow Kubernetes' where one exists.

type Labels = Record<string, string>;
const labelKey = (l: Labels) => Object.keys(l).sort().map((k) => `${k}="${String(l[k]).replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`).join(',');

interface Metric {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram';
  render(): string[];
}

const metrics: Metric[] = [];

export function counter(name: string, help: string) {
  const values = new Map<string, number>();
  const m: Metric = { name, help, type: 'counter', render: () => [...values].map(([k, v]) => `${name}${k ? `{${k}}` : ''} ${v}`) };
  metrics.push(m);
  return { inc(l: Labels = {}, by = 1) { const k = labelKey(l); values.set(k, (values.get(k) ?? 0) + by); } };
}

export function gauge(name: string, help: string, collect?: () => number | [Labels, number][]) {
  const values = new Map<string, number>();
  const m: Metric = {
    name,
    help,
    type: 'gauge',
    render: () => {
      if (collect) {
        const v = collect();
        if (typeof v === 'number') return [`${name} ${v}`];
        return v.map(([l, n]) => `${name}{${labelKey(l)}} ${n}`);
      }
      return [...values].map(([k, v]) => `${name}${k ? `{${k}}` : ''} ${v}`);
    },
  };
  metrics.push(m);
  return { set(l: Labels, v: number) { values.set(labelKey(l), v); } };
}

export function histogram(name: string, help: string, buckets: number[]) {
  const series = new Map<string, { counts: number[]; sum: number; count: number }>();
  const m: Metric = {
    name,
    help,
    type: 'histogram',
    render: () => {
      const out: string[] = [];
      for (const [k, s] of series) {
        const pre = k ? `${k},` : '';
        let cum = 0;
        buckets.forEach((b, i) => {
          cum += s.counts[i];
          out.push(`${name}_bucket{${pre}le="${b}"} ${cum}`);
        });
        out.push(`${name}_bucket{${pre}le="+Inf"} ${s.count}`);
        out.push(`${name}_sum${k ? `{${k}}` : ''} ${s.sum}`);
        out.push(`${name}_count${k ? `{${k}}` : ''} ${s.count}`);
      }
      return out;
    },
  };
  metrics.push(m);
  return {
    observe(l: Labels, v: number) {
      const k = labelKey(l);
      let s = series.get(k);
      if (!s) series.set(k, (s = { counts: buckets.map(() => 0), sum: 0, count: 0 }));
      const i = buckets.findIndex((b) => v <= b);
      if (i >= 0) s.counts[i]++;
      s.sum += v;
      s.count++;
    },
  };
}

export function renderMetrics(): string {
  const lines: string[] = [];
  for (const m of metrics) {
    lines.push(`# HELP ${m.name} ${m.help}`, `# TYPE ${m.name} ${m.type}`, ...m.render());
  }
  return lines.join('\n') + '\n';
}

export const requestTotal = counter('apiserver_request_total', 'Counter of apiserver requests broken out for each verb, group, version, resource, scope, component and HTTP response code.');
export const requestDuration = histogram('apiserver_request_duration_seconds', 'Response latency distribution in seconds for each verb, group, version, resource, subresource and scope.', [0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60]);
export const watchersGauge = gauge('apiserver_registered_watchers', 'Number of currently registered watchers for a given resource.');
export const storageObjects = gauge('apiserver_storage_objects', 'Number of stored objects at the time of last check split by kind.');
gauge('process_resident_memory_bytes', 'Resident memory size in bytes.', () => process.memoryUsage().rss);
gauge('process_start_time_seconds', 'Start time of the process since unix epoch in seconds.', () => Math.floor(Date.now() / 1000 - process.uptime()));
gauge('nodejs_heap_size_used_bytes', 'Process heap size used from Node.js in bytes.', () => process.memoryUsage().heapUsed);
gauge('nodejs_heap_size_total_bytes', 'Process heap size from Node.js in bytes.', () => process.memoryUsage().heapTotal);
gauge('nodejs_external_memory_bytes', 'Node.js external memory size in bytes.', () => process.memoryUsage().external);
