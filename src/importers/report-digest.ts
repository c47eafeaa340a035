// The content digest of one parsed image report: what makes a re-import of the same report
// recognisable (an import is idempotent per digest, source and report). Taken over everything the
// report says — scanner, scan time, identity, packages, findings, skips, workloads — but not the
// file it was read from, so the same report under another name is the same report.
import { createHash } from 'node:crypto';
import type { ParsedImageReport } from './model.js';

export function reportDigest(report: ParsedImageReport): string {
  const { origin: _origin, ...content } = report;
  return `sha256:${createHash('sha256').update(JSON.stringify(content)).digest('hex')}`;
}
