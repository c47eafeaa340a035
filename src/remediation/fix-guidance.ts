// Fix guidance per finding: the fixed version, the layer that introduced the package, and the
// action that removes it — "update base image X" when the layer belongs to the base image,
// "bump dependency" when it was added on top, "no fix available yet" when no fixed version exists.
import type { ImageFindingRow, Store } from '../store/index.js';
import { queryImageFindings } from '../store/index.js';
import { attributeLayers, type BaseImage } from './base-image.js';

export type FixAction = 'update-base-image' | 'bump-dependency' | 'no-fix-available';

export interface FixGuidance extends ImageFindingRow {
  action: FixAction;
  /** Human-readable instruction. */
  advice: string;
  inBaseImage: boolean;
}

export interface ImageRemediation {
  imageDigest: string;
  base: BaseImage | null;
  findings: FixGuidance[];
  summary: { updateBaseImage: number; bumpDependency: number; noFixAvailable: number };
}

export async function remediationFor(
  store: Store,
  digest: string,
  baseImages: string[] = [],
): Promise<ImageRemediation> {
  const [findings, attribution] = await Promise.all([
    queryImageFindings(store, digest),
    attributeLayers(store, digest, baseImages),
  ]);
  const baseName = attribution.base?.names[0] ?? attribution.base?.digest;
  const out = findings.map((f): FixGuidance => {
    const inBase = f.layerDiffId !== null && attribution.baseDiffIds.has(f.layerDiffId);
    if (!f.fixedVersion) {
      return {
        ...f,
        inBaseImage: inBase,
        action: 'no-fix-available',
        advice: `no fixed version of ${f.packageName} published yet`,
      };
    }
    if (inBase) {
      return {
        ...f,
        inBaseImage: true,
        action: 'update-base-image',
        advice: `update base image ${baseName} (its ${f.packageName} ${f.installedVersion} is fixed in ${f.fixedVersion}), then rebuild`,
      };
    }
    return {
      ...f,
      inBaseImage: false,
      action: 'bump-dependency',
      advice: `bump ${f.packageName} ${f.installedVersion} → ${f.fixedVersion}, then rebuild`,
    };
  });
  return {
    imageDigest: digest,
    base: attribution.base,
    findings: out,
    summary: {
      updateBaseImage: out.filter((f) => f.action === 'update-base-image').length,
      bumpDependency: out.filter((f) => f.action === 'bump-dependency').length,
      noFixAvailable: out.filter((f) => f.action === 'no-fix-available').length,
    },
  };
}
