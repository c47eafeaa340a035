// renderImageReport: one image's document in the format asked — read once (read.ts), rendered by
// the format's module. The CLI's `report --image` and the API's `/images/{digest}/report` call it.
import { UsageError } from '../../core/errors.js';
import type { Store } from '../../store/index.js';
import { toCycloneDx } from './cyclonedx.js';
import {
  IMAGE_REPORT_FORMATS,
  type ImageReportFormat,
  type ImageReportOptions,
  type RenderedReport,
} from './model.js';
import { toOpenVex } from './openvex.js';
import { readImageReportData } from './read.js';
import { toSarif } from './sarif.js';

const FORMATS: Record<ImageReportFormat, { contentType: string; extension: string; render: typeof toSarif }> =
  {
    sarif: { contentType: 'application/sarif+json', extension: 'sarif', render: toSarif },
    cyclonedx: {
      contentType: 'application/vnd.cyclonedx+json; version=1.6',
      extension: 'cdx.json',
      render: toCycloneDx,
    },
    openvex: { contentType: 'application/json', extension: 'openvex.json', render: toOpenVex },
  };

/** The document for one image (a reference resolved as `image show` does, or a digest). */
export async function renderImageReport(
  store: Store,
  reference: string,
  format: ImageReportFormat,
  opts: ImageReportOptions = {},
): Promise<RenderedReport> {
  const f = FORMATS[format];
  if (!f)
    throw new UsageError(
      `unknown report format "${String(format)}": expected one of ${IMAGE_REPORT_FORMATS.join(', ')}`,
    );
  const data = await readImageReportData(store, reference, opts);
  return {
    contentType: f.contentType,
    filename: `${data.digest.replace(':', '-').slice(0, 19)}.${f.extension}`,
    body: `${JSON.stringify(f.render(data), null, 2)}\n`,
  };
}
