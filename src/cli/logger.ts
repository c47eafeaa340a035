// Structured logs on stderr (one JSON object per line), filtered by level. Any field whose name
// looks like a secret is replaced before it is written; URLs lose their passwords. Lines carry no raw
// control character (names in messages are untrusted): JSON escapes them.
import type { Logger, LogLevel } from '../core/logger.js';
import { jsonText } from './output.js';

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };
const SECRET_KEY = /pass(word)?|secret|token|authorization|auth|credential|cookie|api[-_]?key/i;

export function redact(value: unknown, key = ''): unknown {
  if (key && SECRET_KEY.test(key)) return value == null ? value : '***';
  if (typeof value === 'string') return value.replace(/(\/\/[^:/@\s]+:)[^@/\s]+@/g, '$1***@');
  if (Array.isArray(value)) return value.map((v) => redact(v));
  if (value instanceof Error) return { name: value.name, message: redact(value.message) };
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redact(v, k)]));
  }
  return value;
}

export function createStderrLogger(
  level: LogLevel,
  write: (line: string) => void = (l) => process.stderr.write(l),
): Logger {
  const min = ORDER[level];
  const log = (lvl: Exclude<LogLevel, 'silent'>) => (msg: string, fields?: Record<string, unknown>) => {
    if (ORDER[lvl] < min) return;
    const entry = {
      time: new Date().toISOString(),
      level: lvl,
      msg: redact(msg),
      ...(redact(fields ?? {}) as object),
    };
    write(`${jsonText(entry, 0)}\n`);
  };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}
