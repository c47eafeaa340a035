// `--image` says which image a report describes; the report may say so too. When the report's own
// identity (its repo digests, the manifest it read, its image ID, its OS) contradicts what the
// store knows of the `--image` target, the import is refused unless forced: a Debian report must
// not land silently on an Alpine image. Only digests and known facts are compared, never names
// (mirrors and pull-through caches serve one digest under many names).
import type { Store } from '../store/index.js';
import { describeDigest } from '../store/index.js';
import type { ParsedImageReport } from './model.js';
import { isDigest, tryParseImageReference } from './reference.js';

/**
 * Why the report does not describe the target, or undefined when nothing it states disagrees.
 * `given` is the digest `--image` named (or its tag's digest), `target` the digest the report
 * would land on (the same, or the child of an index for the report's platform).
 */
export async function identityConflict(
  store: Store,
  report: ParsedImageReport,
  image: string,
  given: string | undefined,
  target: string,
): Promise<string | undefined> {
  const h = report.hints;
  const stated = [
    ...new Set(
      [
        h.manifestDigest,
        ...h.repoDigests.map((r) => (isDigest(r) ? r : tryParseImageReference(r)?.digest)),
      ].filter((d): d is string => !!d && isDigest(d)),
    ),
  ];
  const facts = [await describeDigest(store, target)];
  if (given && given !== target) facts.push(await describeDigest(store, given));
  const known = new Set(facts.flatMap((f) => [f.digest, ...f.related]));
  const configs = new Set(facts.flatMap((f) => f.configDigests));
  const oses = new Set(facts.flatMap((f) => f.osFamilies));
  const configAgrees = !!h.configDigest && configs.has(h.configDigest);

  const reasons: string[] = [];
  if (stated.length && !stated.some((d) => known.has(d)) && !configAgrees)
    reasons.push(
      `the report names ${list(stated)}, not ${target}${given && given !== target ? ` (nor ${given})` : ''}`,
    );
  if (h.configDigest && configs.size && !configAgrees)
    reasons.push(
      `the report's image ID is ${h.configDigest}; ${target} is known with image ID ${list([...configs])}`,
    );
  const family = report.os?.family.toLowerCase();
  if (family && oses.size && !oses.has(family))
    reasons.push(`the report found ${osText(report)}; ${target} was scanned as ${list([...oses])}`);
  if (!reasons.length) return undefined;
  return `--image ${image} does not match the report: ${reasons.join('; ')}. Nothing landed: check the file and the image, or pass --force to import it anyway${
    stated.length && !configs.size && !oses.size
      ? ` (if ${target} is a platform manifest of an index the report names, run \`runsight image resolve\` on that index first so the link is known)`
      : ''
  }`;
}

function list(items: string[]): string {
  return items.join(', ');
}

function osText(report: ParsedImageReport): string {
  return [report.os?.family, report.os?.release].filter(Boolean).join(' ');
}
