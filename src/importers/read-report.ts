// Reads a report file into a JSON value with errors that say where it broke: malformed or truncated
// JSON (with the position), empty files, and YAML (trivy-operator resources exported with
// `kubectl get -o yaml`, possibly several documents).
import { readFile } from 'node:fs/promises';
import { parseAllDocuments } from 'yaml';
import { ReportFormatError } from './errors.js';

export async function readReportFile(file: string, signal?: AbortSignal): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, { encoding: 'utf8', signal });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new ReportFormatError(file, `cannot read the file (${code ?? (err as Error).message})`);
  }
  return parseReportText(text, file);
}

export function parseReportText(text: string, file: string): unknown {
  const body = text.replace(/^\uFEFF/, '').trim();
  if (!body) throw new ReportFormatError(file, 'the file is empty; expected a scanner report');
  if (body.startsWith('{') || body.startsWith('[')) {
    try {
      return JSON.parse(body);
    } catch (err) {
      const msg = (err as Error).message;
      const pos = Number(/position (\d+)/.exec(msg)?.[1] ?? Number.NaN);
      const truncated = /end of JSON input|end of data/i.test(msg) || pos >= body.length - 1;
      throw new ReportFormatError(
        file,
        truncated
          ? `the JSON ends before the document is complete (truncated file?): ${msg}; re-export the report`
          : `malformed JSON: ${msg}`,
      );
    }
  }
  const docs = parseAllDocuments(body);
  const list = Array.isArray(docs) ? docs : [docs];
  const values: unknown[] = [];
  for (const d of list) {
    if (d.errors.length)
      throw new ReportFormatError(
        file,
        `neither JSON nor valid YAML: ${d.errors[0]!.message.split('\n')[0]}`,
      );
    const v = d.toJS();
    if (v != null) values.push(v);
  }
  if (!values.length || values.every((v) => typeof v !== 'object'))
    throw new ReportFormatError(file, 'expected a JSON or YAML scanner report, found plain text');
  return values.length === 1 ? values[0] : values;
}
