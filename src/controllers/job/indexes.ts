// Completion indexes of Indexed Jobs as ordered, disjoint intervals: status.completedIndexes and
// status.failedIndexes are written as "0-2,4,6,7" (a run of two is written "6,7", longer runs
// with a hyphen), as Kubernetes' orderedIntervals does.

export interface Interval {
  first: number;
  last: number;
}
export type Intervals = Interval[];

/** Parses "1,3-5" keeping only indexes below completions; malformed parts end the parse. */
export function parseIndexes(s: string | undefined, completions: number): Intervals {
  const out: Intervals = [];
  if (!s) return out;
  for (const part of s.split(',')) {
    const lim = part.split('-');
    const first = Number(lim[0]);
    if (lim[0] === '' || !Number.isInteger(first) || first < 0) return out;
    if (first >= completions) break;
    let last = first;
    if (lim.length > 1) {
      last = Number(lim[1]);
      if (lim[1] === '' || !Number.isInteger(last) || last < first) return out;
    }
    if (last >= completions) last = completions - 1;
    const prev = out[out.length - 1];
    if (prev && prev.last + 1 >= first) prev.last = Math.max(prev.last, last);
    else out.push({ first, last });
  }
  return out;
}

export function formatIndexes(iv: Intervals): string {
  let s = '';
  for (const v of iv) {
    if (s) s += ',';
    s += String(v.first);
    if (v.last > v.first) s += (v.last === v.first + 1 ? ',' : '-') + String(v.last);
  }
  return s;
}

export const totalIndexes = (iv: Intervals) => iv.reduce((n, v) => n + v.last - v.first + 1, 0);

export function hasIndex(iv: Intervals, ix: number): boolean {
  let lo = 0;
  let hi = iv.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (ix < iv[mid].first) hi = mid - 1;
    else if (ix > iv[mid].last) lo = mid + 1;
    else return true;
  }
  return false;
}

/** Adds indexes (in ascending order) to intervals, returning new intervals. */
export function withIndexes(iv: Intervals, sorted: number[]): Intervals {
  const add: Intervals = [];
  for (const ix of sorted) {
    const p = add[add.length - 1];
    if (p && p.last + 1 >= ix) p.last = Math.max(p.last, ix);
    else add.push({ first: ix, last: ix });
  }
  return mergeIntervals(iv, add);
}

export function mergeIntervals(a: Intervals, b: Intervals): Intervals {
  const all = [...a, ...b].sort((x, y) => x.first - y.first);
  const out: Intervals = [];
  for (const v of all) {
    const p = out[out.length - 1];
    if (p && p.last + 1 >= v.first) p.last = Math.max(p.last, v.last);
    else out.push({ first: v.first, last: v.last });
  }
  return out;
}
