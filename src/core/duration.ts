// Durations as the config file writes them (`30s`, `15m`, `24h`, `7d`): one parser for every stage
// and face that reads one (SLAs, registry transfer limits).

/** Parses `15m`, `24h`, `7d`, `30s` into milliseconds; undefined (or unparseable) stays undefined. */
export function durationToMs(d: string | undefined): number | undefined {
  if (!d) return undefined;
  const m = /^(\d+)(s|m|h|d)$/.exec(d);
  if (!m) return undefined;
  return Number(m[1]) * { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3 }[m[2] as 's' | 'm' | 'h' | 'd'];
}
