// Cargo.lock reader: the `[[package]]` tables (name, version, source) of Cargo's lockfile, read
// without a TOML dependency (the lockfile is machine-written and uses only these forms). Unlike
// npm's, it is read in images: a Rust binary keeps no record of its crates unless built with
// cargo-auditable, so a Cargo.lock beside it is the best evidence there is — reported with
// evidence `lockfile` (docs/scan.md "Installed, not declared").
// Spec: https://doc.rust-lang.org/cargo/guide/cargo-toml-vs-cargo-lock.html
import { MalformedFileError } from '../../../errors.js';
import type { ExtractedPackage } from '../../../types.js';

export function parseCargoLock(text: string, path: string): ExtractedPackage[] {
  const out: ExtractedPackage[] = [];
  let cur: Record<string, string> | undefined;
  const flush = () => {
    if (cur?.name && cur.version)
      out.push({
        kind: 'cargo',
        name: cur.name,
        version: cur.version,
        evidence: 'lockfile',
        meta: cur.source ? { source: cur.source } : undefined,
      });
    cur = undefined;
  };
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('[')) {
      flush();
      if (line === '[[package]]') cur = {};
      continue;
    }
    const m = /^([a-z_-]+)\s*=\s*"([^"]*)"\s*$/.exec(line);
    if (cur && m) cur[m[1]!] = m[2]!;
  }
  flush();
  if (out.length === 0 && /\S/.test(text.replace(/#.*$/gm, '').replace(/version\s*=\s*\d+/, '')))
    throw new MalformedFileError(path, 'no [[package]] tables found; expected a Cargo.lock');
  return out;
}
