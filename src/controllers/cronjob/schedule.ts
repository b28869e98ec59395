// Cron schedules as the CronJob controller evaluates them (github.com/robfig/cron/v3's standard
// parser and SpecSchedule.Next): five fields with lists, ranges, steps and month/day names, the
// @yearly/@annually/@monthly/@weekly/@daily/@midnight/@hourly descriptors and @every <duration>,
// evaluated as wall-clock time in an IANA time zone (DST gaps and overlaps handled as Go's
// time.Date does). Validation texts live in src/api/kinds/workloads/cron.ts.

export interface Schedule {
  /** The first activation strictly after t (ms since the epoch), or undefined if none within five years. */
  next(t: number): number | undefined;
}

interface Bounds {
  min: number;
  max: number;
  names?: Record<string, number>;
}
const MONTHS: Record<string, number> = { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 };
const DAYS: Record<string, number> = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 };
const MINUTES: Bounds = { min: 0, max: 59 };
const HOURS: Bounds = { min: 0, max: 23 };
const DOM: Bounds = { min: 1, max: 31 };
const MONTH: Bounds = { min: 1, max: 12, names: MONTHS };
const DOW: Bounds = { min: 0, max: 6, names: DAYS };

interface Field {
  bits: boolean[];
  /** The field was `*` or `?` (with step 1): day-of-month and day-of-week then both must match. */
  star: boolean;
}

function num(expr: string, names?: Record<string, number>): number {
  if (names) {
    const v = names[expr.toLowerCase()];
    if (v !== undefined) return v;
  }
  if (!/^[+-]?[0-9]+$/.test(expr)) throw new Error(`failed to parse int from ${expr}`);
  const n = Number(expr);
  if (n < 0) throw new Error(`negative number (${n}) not allowed: ${expr}`);
  return n;
}

function parseField(field: string, r: Bounds): Field {
  const f: Field = { bits: new Array(r.max + 1).fill(false), star: false };
  for (const expr of field.split(',')) {
    if (expr === '') continue;
    const [range, stepS, extra] = expr.split('/');
    if (extra !== undefined) throw new Error(`too many slashes: ${expr}`);
    const lh = range.split('-');
    let start: number;
    let end: number;
    let star = false;
    if (lh[0] === '*' || lh[0] === '?') {
      start = r.min;
      end = r.max;
      star = true;
    } else {
      start = num(lh[0], r.names);
      if (lh.length === 1) end = start;
      else if (lh.length === 2) end = num(lh[1], r.names);
      else throw new Error(`too many hyphens: ${expr}`);
    }
    let step = 1;
    if (stepS !== undefined) {
      step = num(stepS);
      if (lh.length === 1 && !star) end = r.max;
      if (step > 1) star = false;
    }
    if (start < r.min) throw new Error(`beginning of range (${start}) below minimum (${r.min}): ${expr}`);
    if (end > r.max) throw new Error(`end of range (${end}) above maximum (${r.max}): ${expr}`);
    if (start > end) throw new Error(`beginning of range (${start}) beyond end of range (${end}): ${expr}`);
    if (step === 0) throw new Error(`step of range should be a positive number: ${expr}`);
    for (let i = start; i <= end; i += step) f.bits[i] = true;
    if (star) f.star = true;
  }
  return f;
}
const all = (r: Bounds): Field => ({ bits: new Array(r.max + 1).fill(false).map((_, i) => i >= r.min), star: true });
const only = (r: Bounds, v: number): Field => ({ bits: new Array(r.max + 1).fill(false).map((_, i) => i === v), star: false });

// ---- wall-clock time in a zone ----

interface Wall {
  y: number;
  mo: number;
  d: number;
  h: number;
  mi: number;
  s: number;
  /** 0 = Sunday */
  wd: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formatters.set(zone, f);
  }
  return f;
}

/** The controller's own zone (Go's time.Local). */
export const localZone = (): string => process.env.TZ || Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

export class Zone {
  readonly utc: boolean;
  constructor(readonly name: string) {
    this.utc = name === 'UTC' || name === 'Etc/UTC' || name === '';
    if (!this.utc) formatter(name);
  }
  /** Offset east of UTC in ms at instant t. */
  offset(t: number): number {
    if (this.utc) return 0;
    const w = this.wallFields(t);
    return Date.UTC(w.y, w.mo - 1, w.d, w.h, w.mi, w.s) - (t - (((t % 1000) + 1000) % 1000));
  }
  private wallFields(t: number) {
    const parts = formatter(this.name).formatToParts(new Date(t));
    const g = (type: string) => Number(parts.find((p) => p.type === type)!.value);
    let y = g('year');
    // years before 1 AD print as era years; controllers never see them
    if (parts.some((p) => p.type === 'era')) y = 1 - y;
    return { y, mo: g('month'), d: g('day'), h: g('hour'), mi: g('minute'), s: g('second') };
  }
  wall(t: number): Wall {
    const d = new Date(t + this.offset(t));
    return { y: d.getUTCFullYear(), mo: d.getUTCMonth() + 1, d: d.getUTCDate(), h: d.getUTCHours(), mi: d.getUTCMinutes(), s: d.getUTCSeconds(), wd: d.getUTCDay() };
  }
  /** Go's time.Date(y, mo, d, h, mi, s, 0, zone), fields normalized. */
  date(y: number, mo: number, d: number, h: number, mi: number, s: number): number {
    const asUTC = Date.UTC(y, mo - 1, d, h, mi, s);
    if (this.utc) return asUTC;
    const off1 = this.offset(asUTC);
    let t = asUTC - off1;
    const off2 = this.offset(t);
    if (off2 !== off1) t = asUTC - off2;
    return t;
  }
}

class SpecSchedule implements Schedule {
  constructor(
    private minute: Field,
    private hour: Field,
    private dom: Field,
    private month: Field,
    private dow: Field,
    private zone: Zone,
  ) {}
  private dayMatches(w: Wall): boolean {
    const domMatch = this.dom.bits[w.d];
    const dowMatch = this.dow.bits[w.wd];
    if (this.dom.star || this.dow.star) return domMatch && dowMatch;
    return domMatch || dowMatch;
  }
  next(from: number): number | undefined {
    const z = this.zone;
    // the upcoming second
    let t = from - (((from % 1000) + 1000) % 1000) + 1000;
    let added = false;
    let w = z.wall(t);
    const yearLimit = w.y + 5;
    wrap: for (;;) {
      w = z.wall(t);
      if (w.y > yearLimit) return undefined;
      while (!this.month.bits[w.mo]) {
        if (!added) {
          added = true;
          t = z.date(w.y, w.mo, 1, 0, 0, 0);
          w = z.wall(t);
        }
        t = z.date(w.y, w.mo + 1, w.d, w.h, w.mi, w.s);
        w = z.wall(t);
        if (w.mo === 1) continue wrap;
      }
      while (!this.dayMatches(w)) {
        if (!added) {
          added = true;
          t = z.date(w.y, w.mo, w.d, 0, 0, 0);
          w = z.wall(t);
        }
        t = z.date(w.y, w.mo, w.d + 1, w.h, w.mi, w.s);
        w = z.wall(t);
        // DST may have moved midnight: back to 0h
        if (w.h !== 0) {
          t += w.h > 12 ? (24 - w.h) * 3_600_000 : -w.h * 3_600_000;
          w = z.wall(t);
        }
        if (w.d === 1) continue wrap;
      }
      while (!this.hour.bits[w.h]) {
        if (!added) {
          added = true;
          t = z.date(w.y, w.mo, w.d, w.h, 0, 0);
          w = z.wall(t);
        }
        t += 3_600_000;
        w = z.wall(t);
        if (w.h === 0) continue wrap;
      }
      while (!this.minute.bits[w.mi]) {
        if (!added) {
          added = true;
          t -= ((t % 60_000) + 60_000) % 60_000;
          w = z.wall(t);
        }
        t += 60_000;
        w = z.wall(t);
        if (w.mi === 0) continue wrap;
      }
      while (w.s !== 0) {
        if (!added) {
          added = true;
          t -= ((t % 1000) + 1000) % 1000;
        }
        t += 1000;
        w = z.wall(t);
        if (w.s === 0) continue wrap;
      }
      return t;
    }
  }
}

class ConstantDelay implements Schedule {
  constructor(private delayMs: number) {}
  next(t: number): number {
    return t + this.delayMs - (((t % 1000) + 1000) % 1000);
  }
}

const UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, μs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
/** Go's time.ParseDuration, in ms. */
export function parseGoDuration(s: string): number {
  if (s === '0') return 0;
  const m = /^([-+]?)(.*)$/.exec(s)!;
  let rest = m[2];
  if (!rest) throw new Error(`time: invalid duration ${JSON.stringify(s)}`);
  let total = 0;
  while (rest) {
    const p = /^(([0-9]+(\.[0-9]*)?|\.[0-9]+))(ns|us|µs|μs|ms|s|m|h)/.exec(rest);
    if (!p) throw new Error(`time: invalid duration ${JSON.stringify(s)}`);
    total += Number(p[1]) * UNITS[p[4]];
    rest = rest.slice(p[0].length);
  }
  return m[1] === '-' ? -total : total;
}

/**
 * cron.ParseStandard: the schedule in `zone` (a `TZ=`/`CRON_TZ=` prefix wins). Throws the
 * parser's error for schedules it rejects.
 */
export function parseSchedule(spec: string, zoneName = localZone()): Schedule {
  let s = spec;
  if (s.length === 0) throw new Error('empty spec string');
  if (s.startsWith('TZ=') || s.startsWith('CRON_TZ=')) {
    const i = s.indexOf(' ');
    zoneName = s.slice(s.indexOf('=') + 1, i < 0 ? undefined : i);
    s = i < 0 ? '' : s.slice(i).trim();
  }
  let zone: Zone;
  try {
    zone = new Zone(zoneName);
  } catch {
    throw new Error(`provided bad location ${zoneName}: unknown time zone ${zoneName}`);
  }
  if (s.startsWith('@')) {
    switch (s) {
      case '@yearly':
      case '@annually':
        return new SpecSchedule(only(MINUTES, 0), only(HOURS, 0), only(DOM, 1), only(MONTH, 1), all(DOW), zone);
      case '@monthly':
        return new SpecSchedule(only(MINUTES, 0), only(HOURS, 0), only(DOM, 1), all(MONTH), all(DOW), zone);
      case '@weekly':
        return new SpecSchedule(only(MINUTES, 0), only(HOURS, 0), all(DOM), all(MONTH), only(DOW, 0), zone);
      case '@daily':
      case '@midnight':
        return new SpecSchedule(only(MINUTES, 0), only(HOURS, 0), all(DOM), all(MONTH), all(DOW), zone);
      case '@hourly':
        return new SpecSchedule(only(MINUTES, 0), all(HOURS), all(DOM), all(MONTH), all(DOW), zone);
    }
    if (s.startsWith('@every ')) {
      const d = parseGoDuration(s.slice('@every '.length));
      const ms = Math.max(1000, d);
      return new ConstantDelay(ms - (ms % 1000));
    }
    throw new Error(`unrecognized descriptor: ${s}`);
  }
  const fields = s.split(/\s+/).filter((f) => f.length > 0);
  if (fields.length !== 5) throw new Error(`expected exactly 5 fields, found ${fields.length}: [${fields.join(' ')}]`);
  return new SpecSchedule(parseField(fields[0], MINUTES), parseField(fields[1], HOURS), parseField(fields[2], DOM), parseField(fields[3], MONTH), parseField(fields[4], DOW), zone);
}

/** Go's time.LoadLocation, as far as the controller needs it. */
export function validZone(name: string): boolean {
  if (name === '' || name === 'UTC' || name === 'Local') return true;
  try {
    new Zone(name);
    return true;
  } catch {
    return false;
  }
}

/** RFC 3339 (Go's time.RFC3339) of t as wall time in zone: `2024-01-02T03:04:05Z` or `…+01:00`. */
export function formatRFC3339(t: number, zoneName: string): string {
  const z = new Zone(zoneName === 'Local' ? localZone() : zoneName);
  const off = z.offset(t);
  const w = z.wall(t);
  const p = (n: number, l = 2) => String(n).padStart(l, '0');
  const base = `${p(w.y, 4)}-${p(w.mo)}-${p(w.d)}T${p(w.h)}:${p(w.mi)}:${p(w.s)}`;
  if (off === 0 && z.utc) return `${base}Z`;
  const sign = off < 0 ? '-' : '+';
  const a = Math.abs(off) / 60_000;
  return `${base}${sign}${p(Math.floor(a / 60))}:${p(a % 60)}`;
}

const DAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTH_NAMES = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** Go's time.RFC1123Z of t in UTC: `Mon, 02 Jan 2006 15:04:05 +0000`. */
export function formatRFC1123Z(t: number): string {
  const d = new Date(t);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${DAY_NAMES[d.getUTCDay()]}, ${p(d.getUTCDate())} ${MONTH_NAMES[d.getUTCMonth()]} ${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

export type Missed = 'none' | 'few' | 'many';

/**
 * mostRecentScheduleTime of Kubernetes' CronJob controller: the time it counts from (last
 * schedule, creation, or the starting deadline), the most recent schedule time not after now,
 * and how many were missed (an approximation from the interval between two activations).
 */
export function mostRecentScheduleTime(
  o: { creationTimestamp: number; lastScheduleTime?: number; startingDeadlineSeconds?: number },
  now: number,
  sched: Schedule,
  includeDeadline: boolean,
): { earliest: number; mostRecent?: number; missed: Missed; error?: string } {
  let earliest = o.lastScheduleTime ?? o.creationTimestamp;
  if (includeDeadline && o.startingDeadlineSeconds !== undefined) {
    const deadline = now - o.startingDeadlineSeconds * 1000;
    if (deadline > earliest) earliest = deadline;
  }
  const t1 = sched.next(earliest);
  if (t1 === undefined || now < t1) return { earliest, missed: 'none' };
  const t2 = sched.next(t1);
  if (t2 === undefined || now < t2) return { earliest, mostRecent: t1, missed: 'none' };
  const between = Math.round((t2 - t1) / 1000);
  if (between < 1) return { earliest, missed: 'none', error: 'time difference between two schedules is less than 1 second' };
  const elapsed = Math.trunc((now - t1) / 1000);
  const missedCount = Math.trunc(elapsed / between) + 1;
  let mostRecent: number | undefined;
  const potentialEarliest = t1 + (missedCount - 1 - 1) * between * 1000;
  for (let t = sched.next(potentialEarliest); t !== undefined && t <= now; t = sched.next(t)) mostRecent = t;
  const missed: Missed = missedCount > 100 ? 'many' : missedCount > 0 ? 'few' : 'none';
  return { earliest, mostRecent, missed };
}

/** nextScheduleTimeDuration: how long until the controller should look again (plus 100 ms of slack). */
export function nextScheduleDelay(o: { creationTimestamp: number; lastScheduleTime?: number; startingDeadlineSeconds?: number }, now: number, sched: Schedule): number | undefined {
  const r = mostRecentScheduleTime(o, now, sched, false);
  let from: number;
  if (r.error) from = now;
  else if (r.mostRecent === undefined) from = r.missed === 'none' ? r.earliest : now;
  else from = r.mostRecent;
  const next = sched.next(from);
  if (next === undefined) return undefined;
  return next + 100 - now;
}
