// lang/rust: crates from Cargo.lock files, and from binaries built with cargo-auditable, which
// embed a zlib-compressed JSON dependency list in the ELF section `.dep-v0` (a large binary is read
// from disk: its section table, then that section alone).
// Spec: https://github.com/rust-secure-code/cargo-auditable (format of the audit data).
import { open } from 'node:fs/promises';
import { inflateSync } from 'node:zlib';
import { z } from 'zod';
import { elfSections, elfSectionsOfFile, isElf, readAt } from '../../../elf.js';
import { MalformedFileError } from '../../../errors.js';
import { SPOOL_BYTES, withLocalFile } from '../../../spool.js';
import type { ExtractedPackage, Extractor } from '../../../types.js';
import { isExecutableCandidate } from '../go/go.js';
import { parseCargoLock } from './cargo-lock.js';

const AuditData = z.object({
  packages: z.array(
    z.object({
      name: z.string(),
      version: z.string(),
      source: z.string().optional(),
      kind: z.string().optional(),
      root: z.boolean().optional(),
    }),
  ),
});

export const rustExtractor: Extractor = {
  name: 'lang/rust',
  version: 3,
  fileRequired: (f) => f.path.endsWith('Cargo.lock') || isExecutableCandidate(f),
  async extract(input) {
    if (input.path.endsWith('Cargo.lock'))
      return { packages: parseCargoLock((await input.bytes()).toString('utf8'), input.path) };
    // A large binary is read from disk (spool.ts): its section table, then `.dep-v0` alone.
    if (input.size > SPOOL_BYTES)
      return { packages: await withLocalFile(input, (file) => auditDataOfFile(file, input.path)) };
    return { packages: readAuditData(await input.bytes(), input.path) };
  },
};

/** Compressed audit data larger than this is not cargo-auditable's (it is a few KiB). */
const MAX_SECTION = 16 * 1024 * 1024;

async function auditDataOfFile(file: string, path: string): Promise<ExtractedPackage[]> {
  const f = await open(file, 'r');
  try {
    const { size } = await f.stat();
    const s = (await elfSectionsOfFile(f, size)).find((x) => x.name === '.dep-v0');
    if (!s) return [];
    if (s.size > MAX_SECTION)
      throw new MalformedFileError(path, 'cargo-auditable data unreadable: section too large');
    return auditPackages(await readAt(f, s.offset, s.size), path);
  } finally {
    await f.close();
  }
}

export function readAuditData(data: Buffer, path: string): ExtractedPackage[] {
  if (!isElf(data)) return [];
  const s = elfSections(data).find((x) => x.name === '.dep-v0');
  if (!s) return [];
  return auditPackages(data.subarray(s.offset, s.offset + s.size), path);
}

/** The packages of a `.dep-v0` section's content (zlib-compressed JSON). */
function auditPackages(section: Buffer, path: string): ExtractedPackage[] {
  let json: unknown;
  try {
    const raw = inflateSync(section, {
      maxOutputLength: 16 * 1024 * 1024,
    });
    json = JSON.parse(raw.toString('utf8'));
  } catch (err) {
    throw new MalformedFileError(path, `cargo-auditable data unreadable: ${(err as Error).message}`);
  }
  const parsed = AuditData.safeParse(json);
  if (!parsed.success)
    throw new MalformedFileError(path, `cargo-auditable data malformed: ${parsed.error.message}`);
  return parsed.data.packages
    .filter((p) => p.kind !== 'build')
    .map((p) => ({
      kind: 'cargo' as const,
      name: p.name,
      version: p.version,
      meta: p.source ? { source: p.source } : undefined,
    }));
}
