// An SBOM (CycloneDX or SPDX JSON, packages without vulnerabilities) landed as an image's findings:
// the packages are read as `runsight scan sbom:FILE` reads them (scan/sbom/read-sbom.ts), matched
// against the loaded advisories by the advisories stage's matcher, and stored through the same
// saveImportedScans as a scanner report — one transaction, all of it or none — under the image
// digest `image` names (else the SBOM's own subject: `repo@sha256:…` or a tag the store has seen),
// as source SBOM_SOURCE. Posture then reaches the containers running that digest once the caller
// runs maintainPosture (the faces do, as after an import). Docs: docs/importers.md, docs/api.md.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { matchPackages } from '../advisories/index.js';
import { InputError } from '../core/errors.js';
import type { Finding } from '../core/types.js';
import { cleanTree, describeTextChange, type TextChange } from '../core/untrusted-text.js';
import { parseSbom, type SbomInput } from '../scan/index.js';
import type { Store } from '../store/index.js';
import { saveImportedScans } from '../store/index.js';
import { identityConflict } from './check-identity.js';
import type { ImageHints, ParsedImageReport } from './model.js';
import { isDigest, parseImageReference, tryParseImageReference } from './reference.js';
import { type ImportMatchMethod, resolveReportImage } from './resolve-image.js';
import { tagObservationsOf } from './tag-observations.js';

/** The findings source an uploaded SBOM's matches are stored under (beside `runsight` and imports). */
export { SBOM_SOURCE } from '../core/types.js';

import { SBOM_SOURCE } from '../core/types.js';
/** The file is not a CycloneDX or SPDX JSON SBOM (not JSON, or neither shape). */
export class NotAnSbomError extends InputError {
  override readonly name: string = 'NotAnSbomError';
}

/** Skipped components named in the result; the rest are counted. */
const SKIPPED_LISTED = 50;

export interface SbomImportOptions {
  file: string;
  /** How messages name the file (the server says "request body"). Default: the file path. */
  origin?: string | undefined;
  /** The image (REF or DIGEST) the SBOM describes; else the SBOM's own subject. */
  image?: string | undefined;
  /** Land it on `image` even when the SBOM's own identity or OS says otherwise. */
  force?: boolean | undefined;
  signal?: AbortSignal | undefined;
}

export interface SbomImportResult {
  /** Whether it landed; when not, `reason` says why and nothing was written. */
  landed: boolean;
  reason?: string | undefined;
  format: 'cyclonedx' | 'spdx';
  reference: string | null;
  digest: string | null;
  matchMethod: ImportMatchMethod;
  confidence: string;
  source: typeof SBOM_SOURCE;
  status: 'complete' | 'partial';
  os: string | null;
  packages: number;
  /** Distinct (vulnerability, package, installed version) findings matched. */
  findings: number;
  /** Components not matched (no purl, unknown purl type, …): the first SKIPPED_LISTED, and how many. */
  skippedComponents: { component: string; reason: string }[];
  skippedCount: number;
  /** Text fields cleaned of control characters or invalid Unicode (kept, cleaned). */
  cleaned: string[];
  /** This digest already holds exactly this SBOM with these matches: nothing was added. */
  alreadyImported: boolean;
  /** Whether it is now what posture reads for (digest, SBOM_SOURCE). */
  current: boolean;
}

export async function importSbom(store: Store, opts: SbomImportOptions): Promise<SbomImportResult> {
  const origin = opts.origin ?? opts.file;
  if (opts.image && !isDigest(opts.image)) parseImageReference(opts.image);
  const bytes = await readFile(opts.file).catch((err: Error) => {
    throw new InputError(`cannot read the SBOM ${origin}: ${err.message}`);
  });
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new NotAnSbomError(
      `${origin}: expected a CycloneDX or SPDX JSON SBOM, but it is not JSON (${(err as Error).message})`,
    );
  }
  let parsed: SbomInput;
  try {
    parsed = parseSbom(json, origin);
  } catch (err) {
    if (err instanceof InputError) throw new NotAnSbomError(err.message);
    throw err;
  }
  const changes: TextChange[] = [];
  const sbom: SbomInput = cleanTree(parsed, '', changes);
  opts.signal?.throwIfAborted();
  const hints = hintsOf(sbom.subject);
  const reference = opts.image ?? sbom.subject ?? null;
  const base = {
    format: sbom.format,
    reference,
    source: SBOM_SOURCE,
    os: sbom.os ? [sbom.os.family, sbom.os.release].filter(Boolean).join(' ') : null,
    packages: sbom.packages.length,
    skippedComponents: sbom.skipped
      .slice(0, SKIPPED_LISTED)
      .map((s) => ({ component: s.component, reason: s.detail ? `${s.reason} ${s.detail}` : s.reason })),
    skippedCount: sbom.skipped.length,
    cleaned: changes.map(describeTextChange),
  } as const;
  const refuse = (matchMethod: 'unresolved' | 'refused', reason: string): SbomImportResult => ({
    ...base,
    landed: false,
    reason,
    digest: null,
    matchMethod,
    confidence: 'none',
    status: 'complete',
    findings: 0,
    alreadyImported: false,
    current: false,
  });
  if (!opts.image && !sbom.subject)
    return refuse(
      'unresolved',
      'the SBOM names no image (CycloneDX metadata.component.name, SPDX name): give the image digest (image=sha256:… / --image)',
    );
  const resolution = await resolveReportImage(store, hints, { explicit: opts.image });
  if (!resolution.resolved) return refuse('unresolved', resolution.reason);
  const os = sbom.os
    ? { family: sbom.os.family, release: sbom.os.release, ecosystem: sbom.os.ecosystem }
    : undefined;
  const target = resolution.targets[0]!;
  // The SBOM's identity (its subject's digest, its OS) must not contradict the image it lands on.
  const identity: Pick<ParsedImageReport, 'hints' | 'os'> = { hints, os };
  const refusal = opts.image
    ? await identityConflict(store, identity as ParsedImageReport, opts.image, target.named, target.digest)
    : undefined;
  if (refusal && !opts.force) return refuse('refused', refusal);

  let findings: Finding[] = [];
  const errors: { code: string; message: string }[] = [];
  try {
    findings = await matchPackages(store, sbom.packages, { osEcosystem: sbom.os?.ecosystem });
  } catch (err) {
    errors.push({
      code: 'match-failed',
      message: `matching against advisories failed: ${(err as Error).message}`,
    });
  }
  if (sbom.skipped.length)
    errors.push({
      code: 'sbom-components-skipped',
      message: `${sbom.skipped.length} components were not matched (no purl, unknown purl type, …)`,
    });
  const status = errors.some((e) => e.code === 'match-failed') ? 'partial' : 'complete';
  const sbomDigest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  // The same SBOM matched to the same findings is the same report: landing it again adds nothing.
  const digest = `sha256:${createHash('sha256')
    .update(JSON.stringify({ sbomDigest, findings, os }))
    .digest('hex')}`;
  const now = new Date();
  const saved = await saveImportedScans(
    store,
    resolution.targets.map((t) => ({
      imageDigest: t.digest,
      source: SBOM_SOURCE,
      scannerVersion: sbom.format,
      reference: reference ?? undefined,
      status,
      errors,
      os,
      startedAt: now,
      reportDigest: digest,
      stats: {
        import: {
          file: origin,
          matchMethod: t.matchMethod,
          confidence: t.confidence,
          via: t.via,
          repoDigests: hints.repoDigests.map((r) => tryParseImageReference(r)?.digest ?? r),
          ...(refusal ? { forced: refusal } : {}),
        },
        sbom: { format: sbom.format, digest: sbomDigest, subject: sbom.subject ?? null },
        findings: findings.length,
        packages: sbom.packages.length,
      },
      packages: sbom.packages,
      findings,
    })),
    tagObservationsOf(hints, now),
  );
  return {
    ...base,
    landed: true,
    digest: target.digest,
    matchMethod: target.matchMethod,
    confidence: target.confidence,
    status,
    findings: findings.length,
    alreadyImported: !!saved[0]?.alreadyStored,
    current: saved[0]?.current ?? false,
  };
}

/** What the SBOM's subject says of the image: a digest reference, or a tag to look up. */
function hintsOf(subject: string | undefined): ImageHints {
  const hints: ImageHints = { repoDigests: [], references: [] };
  if (!subject) return hints;
  if (isDigest(subject)) hints.repoDigests.push(subject);
  const ref = tryParseImageReference(subject);
  if (ref?.digest) hints.repoDigests.push(subject);
  if (ref?.tag) hints.references.push(subject);
  return hints;
}
