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
  const hash = new ReportHasher();
  for (const [key, value] of Object.entries(content)) {
    if (!Array.isArray(value)) hash.member(key, value);
    else {
      hash.arrayStart(key);
      for (const item of value) hash.item(item);
      hash.arrayEnd();
    }
  }
  return hash.digest();
}

/** The same bytes fed member by member, for a report whose arrays are never in memory at once
 * (the streamed import feeds them batch by batch, in the report's order). */
export class ReportHasher {
  private readonly hash = createHash('sha256');
  private sep = '{';
  private items = 0;

  member(key: string, value: unknown): void {
    const json = JSON.stringify(value);
    if (json === undefined) return; // undefined members are left out, as JSON.stringify does
    this.hash.update(`${this.sep}${JSON.stringify(key)}:${json}`);
    this.sep = ',';
  }

  arrayStart(key: string): void {
    this.hash.update(`${this.sep}${JSON.stringify(key)}:[`);
    this.sep = ',';
    this.items = 0;
  }

  item(value: unknown): void {
    this.hash.update(`${this.items++ ? ',' : ''}${JSON.stringify(value) ?? 'null'}`);
  }

  arrayEnd(): void {
    this.hash.update(']');
  }

  digest(): string {
    this.hash.update(this.sep === '{' ? '{}' : '}');
    return `sha256:${this.hash.digest('hex')}`;
  }
}
