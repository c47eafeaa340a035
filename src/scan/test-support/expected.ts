// Test support: reads the EXPECTED/*.tsv package lists (first line a comment, second the header)
// and feeds real files to an extractor the way the layer walker does.
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import type { ExtractedPackage, Extractor } from '../types.js';

export const PKGDB = new URL('../../../testdata/scan/pkgdb/', import.meta.url);

export function fixture(rel: string): Buffer {
  return readFileSync(new URL(rel, PKGDB));
}

export function expectedRows(name: string): Record<string, string>[] {
  const lines = fixture(`EXPECTED/${name}`).toString('utf8').split('\n').filter(Boolean);
  const body = lines.filter((l) => !l.startsWith('#'));
  const header = body[0]!.split('\t');
  return body.slice(1).map((l) => {
    const cells = l.split('\t');
    return Object.fromEntries(header.map((h, i) => [h, cells[i] ?? '']));
  });
}

export async function extractFile(
  x: Extractor,
  path: string,
  data: Buffer,
  mode = 0o644,
): Promise<ExtractedPackage[]> {
  const info = { path, mode, size: data.length };
  if (!x.fileRequired(info)) throw new Error(`${x.name} does not want ${path}`);
  const res = await x.extract({
    ...info,
    bytes: async () => data,
    stream: () => Readable.from([data]),
  });
  return res.packages;
}

/** Extracts one file from a txtar archive (`-- name --` sections). */
export function txtarFile(archive: string, name: string): string {
  const marker = `-- ${name} --\n`;
  const start = archive.indexOf(marker);
  if (start < 0) throw new Error(`${name} not in txtar`);
  const rest = archive.slice(start + marker.length);
  const end = rest.search(/^-- .+ --$/m);
  return end < 0 ? rest : rest.slice(0, end);
}
