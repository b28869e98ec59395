// Server-side Table responses for `kubectl get` (meta.k8s.io/v1 Table).
import type { ResourceDescriptor, TableDef } from '../api/descriptor.js';
import type { KubeObject } from '../api/types.js';
import { nameColumn, createdAtColumn } from '../api/table.js';
import { partialMetadata } from './convert.js';

const defaultTable: TableDef = {
  columns: [nameColumn, createdAtColumn],
  row: (o) => [o.metadata.name, o.metadata.creationTimestamp ?? ''],
};

export function tableDef(d: ResourceDescriptor): TableDef {
  return d.table ?? defaultTable;
}

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export function tableRows(d: ResourceDescriptor, objs: KubeObject[], include: IncludeObject, now: Date, convert: (o: KubeObject) => KubeObject) {
  const def = tableDef(d);
  return objs.map((o) => {
    const row: Record<string, unknown> = { cells: def.row(o, now) };
    if (include === 'Metadata') row.object = partialMetadata(o);
    else if (include === 'Object') row.object = convert(o);
    return row;
  });
}

export function table(d: ResourceDescriptor, objs: KubeObject[], o: { include: IncludeObject; now: Date; rv?: string; cont?: string; remaining?: number; withColumns?: boolean; convert: (o: KubeObject) => KubeObject }) {
  const def = tableDef(d);
  const metadata: Record<string, unknown> = {};
  if (o.rv) metadata.resourceVersion = o.rv;
  if (o.cont) metadata.continue = o.cont;
  if (o.remaining) metadata.remainingItemCount = o.remaining;
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata,
    columnDefinitions: o.withColumns === false ? [] : def.columns.map((c) => ({ name: c.name, type: c.type, format: c.format ?? '', description: c.description, priority: c.priority })),
    rows: tableRows(d, objs, o.include, o.now, o.convert),
  };
}
