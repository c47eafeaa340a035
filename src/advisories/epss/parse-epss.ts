// FIRST EPSS daily CSV (https://epss.cyentia.com/epss_scores-current.csv.gz): an optional first
// comment line `#model_version:…,score_date:2024-01-01T00:00:00+0000`, a header `cve,epss,percentile`,
// then one row per CVE. A bad row fails the whole file, naming its line.
import { AdvisoryFormatError } from '../errors.js';

export interface EpssRow {
  cve: string;
  score: number;
  percentile: number;
}

export interface EpssFile {
  scoreDate?: string | undefined;
  rows: EpssRow[];
}

export function parseEpss(text: string, origin: string): EpssFile {
  const lines = text.split(/\r?\n/);
  let scoreDate: string | undefined;
  let i = 0;
  if (lines[0]?.startsWith('#')) {
    scoreDate = /score_date:(\d{4}-\d{2}-\d{2})/.exec(lines[0])?.[1];
    i = 1;
  }
  const header = (lines[i] ?? '').split(',').map((h) => h.trim());
  const [ci, si, pi] = ['cve', 'epss', 'percentile'].map((h) => header.indexOf(h));
  if (ci === -1 || si === -1 || pi === -1) {
    throw new AdvisoryFormatError(
      `${origin}:${i + 1}`,
      `expected the header "cve,epss,percentile", got "${lines[i] ?? ''}"`,
    );
  }
  const rows: EpssRow[] = [];
  for (let n = i + 1; n < lines.length; n++) {
    const line = lines[n]!;
    if (!line.trim()) continue;
    const cells = line.split(',');
    const cve = cells[ci!]?.trim() ?? '';
    const score = Number(cells[si!]);
    const percentile = Number(cells[pi!]);
    if (
      !/^CVE-\d{4}-\d+$/.test(cve) ||
      !(score >= 0 && score <= 1) ||
      !(percentile >= 0 && percentile <= 1)
    ) {
      throw new AdvisoryFormatError(
        `${origin}:${n + 1}`,
        `expected "CVE-YYYY-N,<score 0..1>,<percentile 0..1>", got "${line}"`,
      );
    }
    rows.push({ cve, score, percentile });
  }
  return { scoreDate, rows };
}
