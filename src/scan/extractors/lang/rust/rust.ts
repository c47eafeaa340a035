// lang/rust: crates from Cargo.lock files, and from binaries built with cargo-auditable, which
// embed a zlib-compressed JSON dependency list in the ELF section `.dep-v0`.
// Spec: https://github.com/rust-secure-code/cargo-auditable (format of the audit data).
import { inflateSync } from 'node:zlib';
import { z } from 'zod';
import { elfSections, isElf } from '../../../elf.js';
import { MalformedFileError } from '../../../errors.js';
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
  version: 2,
  fileRequired: (f) => f.path.endsWith('Cargo.lock') || isExecutableCandidate(f),
  async extract(input) {
    const data = await input.bytes();
    if (input.path.endsWith('Cargo.lock'))
      return { packages: parseCargoLock(data.toString('utf8'), input.path) };
    return { packages: readAuditData(data, input.path) };
  },
};

export function readAuditData(data: Buffer, path: string): ExtractedPackage[] {
  if (!isElf(data)) return [];
  const s = elfSections(data).find((x) => x.name === '.dep-v0');
  if (!s) return [];
  let json: unknown;
  try {
    const raw = inflateSync(data.subarray(s.offset, s.offset + s.size), {
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
