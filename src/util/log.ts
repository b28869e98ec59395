// Structured logs: one JSON line per event on stderr, with the component and object keys.
type Level = 'debug' | 'info' | 'warn' | 'error';
const order: Record<Level, number> = { debug: 0, info: 1, warn: 2, error: 3 };
const threshold = order[(process.env.SAMPAN_LOG_LEVEL as Level) ?? 'info'] ?? 1;

function emit(level: Level, msg: string, fields?: object) {
  if (order[level] < threshold) return;
  process.stderr.write(JSON.stringify({ ts: new Date().toISOString(), level, msg, ...fields }) + '\n');
}

export const log = {
  debug: (m: string, f?: object) => emit('debug', m, f),
  info: (m: string, f?: object) => emit('info', m, f),
  warn: (m: string, f?: object) => emit('warn', m, f),
  error: (m: string, f?: object) => emit('error', m, f),
};
