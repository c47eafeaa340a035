// CONTRACT (the image-report helper replaces this file's body): per-image documents out of what
// Runsight holds for one image — SARIF 2.1.0, CycloneDX 1.6 (BOM + vulnerabilities + VEX analysis)
// and OpenVEX. `runsight report --image REF --format sarif|cyclonedx|openvex` and
// `GET /api/v1/images/{digest}/report?format=` call it.
import type { AccessScope } from '../../core/access.js';
import { UsageError } from '../../core/errors.js';
import type { Store } from '../../store/index.js';

export type ImageReportFormat = 'sarif' | 'cyclonedx' | 'openvex';
export const IMAGE_REPORT_FORMATS: readonly ImageReportFormat[] = ['sarif', 'cyclonedx', 'openvex'];

/** A rendered document: what to send or write. */
export interface RenderedReport {
  /** e.g. application/sarif+json, application/vnd.cyclonedx+json; version=1.6, application/json */
  contentType: string;
  /** File name suggestion, e.g. `sha256-ab12….sarif`. */
  filename: string;
  body: string;
}

export interface ImageReportOptions {
  /** The caller's access scope: an image no container in scope runs or ran is NotFound. */
  scope?: AccessScope | undefined;
  /** config posture.authoritativeSource. */
  authoritativeSource?: string | undefined;
  /** The clock (tests). */
  now?: Date | undefined;
}

/** The document for one image (a reference resolved as `image show` does, or a digest). */
export async function renderImageReport(
  _store: Store,
  _reference: string,
  format: ImageReportFormat,
  _opts: ImageReportOptions = {},
): Promise<RenderedReport> {
  throw new UsageError(`report --image --format ${format} is not built yet`);
}
