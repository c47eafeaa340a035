// The content digest of one parsed image report: what makes a re-import of the same report
// recognisable (an import is idempotent per digest, source and report). Taken over everything the
// report says — scanner, scan time, identity, packages, findings, skips, workloads — but not the
// file it was read from, so the same report under another name is the same report.
// The hash is fed the bytes of JSON.stringify(content) member by member and array element by array
// element (the same bytes, so digests stored before ADR 0021 still match), never as one string.
import { createHash } from 'node:crypto';
import type { ParsedImageReport } from './model.js';

export function reportDigest(report: ParsedImageReport): string {
  const { origin: _origin, ...content } = report;
  const hash = createHash('sha256');
  let sep = '{';
  for (const [key, value] of Object.entries(content)) {
    if (!Array.isArray(value)) {
      const json = JSON.stringify(value);
      if (json === undefined) continue; // undefined members are left out, as JSON.stringify does
      hash.update(`${sep}${JSON.stringify(key)}:${json}`);
    } else {
      hash.update(`${sep}${JSON.stringify(key)}:[`);
      value.forEach((item, i) => {
        hash.update(`${i ? ',' : ''}${JSON.stringify(item) ?? 'null'}`);
      });
      hash.update(']');
    }
    sep = ',';
  }
  hash.update(sep === '{' ? '{}' : '}');
  return `sha256:${hash.digest('hex')}`;
}
