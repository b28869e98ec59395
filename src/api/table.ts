// Helpers for server-side Table output (kubectl get), shared by every kind's table definition.
import type { TableColumn } from './descriptor.js';

export const nameColumn: TableColumn = { name: 'Name', type: 'string', format: 'name', description: 'Name must be unique within a namespace. Cannot be updated.', priority: 0 };
export const ageColumn: TableColumn = { name: 'Age', type: 'string', description: 'Time since the object was created (from metadata.creationTimestamp).', priority: 0 };
export const createdAtColumn: TableColumn = { name: 'Created At', type: 'date', description: 'When the object was created.', priority: 0 };

export const col = (name: string, description = '', type: TableColumn['type'] = 'string', priority = 0): TableColumn => ({ name, type, description, priority });
export const wideCol = (name: string, description = '', type: TableColumn['type'] = 'string'): TableColumn => ({ name, type, description, priority: 1 });

/** Kubernetes' HumanDuration: 5s, 3m53s, 7h, 2d, 3y... */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.floor(seconds / 3600);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const dy = Math.floor(hours / 24) % 365;
    return dy === 0 ? `${Math.floor(hours / 24 / 365)}y` : `${Math.floor(hours / 24 / 365)}y${dy}d`;
  }
  return `${Math.floor(hours / 24 / 365)}y`;
}

/** AGE cell from an RFC 3339 timestamp: "<unknown>" when missing. */
export function age(ts: string | undefined, now: Date): string {
  if (!ts) return '<unknown>';
  return humanDuration(now.getTime() - Date.parse(ts));
}

export const orNone = (s: string | undefined | null) => (s === undefined || s === null || s === '' ? '<none>' : s);
