// Reads a report file into a JSON value with errors that say where it broke: malformed or truncated
// JSON (with the position), empty files, and YAML (trivy-operator resources exported with
// `kubectl get -o yaml`, possibly several documents).
// JSON is read in chunks through stream-json.ts, never as one string: the arrays that grow with the
// image (report-arrays.ts) keep only what the parser reads of each element, so a 200 MB report
// costs its parsed findings, not the file, its text and its full object tree (ADR 0021). YAML is
// read whole here, up to MAX_YAML_BYTES; a big trivy-operator export streams (stream-yaml.ts).
import { createReadStream, type ReadStream } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { parseAllDocuments } from 'yaml';
import { ReportFormatError } from './errors.js';
import type { ImportFormat } from './model.js';
import { reportArraySelector } from './report-arrays.js';
import { parseJsonStream, StreamJsonError } from './stream-json.js';

/** YAML (kubectl exports of trivy-operator resources) is parsed whole: larger files are refused. */
export const MAX_YAML_BYTES = 64 * 2 ** 20;
const CHUNK_BYTES = 256 * 1024;

export async function readReportFile(
  file: string,
  signal?: AbortSignal,
  format: ImportFormat | 'auto' = 'auto',
): Promise<unknown> {
  const head = await readHead(file, signal);
  const first = /^\uFEFF?\s*(\S)?/.exec(head.text)?.[1];
  if (first === undefined && head.whole)
    throw new ReportFormatError(file, 'the file is empty; expected a scanner report');
  if (first === '{' || first === '[') return streamJson(file, format, signal);
  if (head.size > MAX_YAML_BYTES)
    throw new ReportFormatError(
      file,
      `not JSON (it starts with ${JSON.stringify(first ?? '')}) and ${mib(head.size)} MiB is too large to read as YAML (limit ${mib(MAX_YAML_BYTES)} MiB); export the report as JSON`,
    );
  let text: string;
  try {
    text = await readFile(file, { encoding: 'utf8', signal });
  } catch (err) {
    throw readError(file, err);
  }
  return parseReportText(text, file);
}

/** Whether the file is YAML (not JSON: its first character is neither `{` nor `[`), and its size. */
export async function reportSyntax(
  file: string,
  signal?: AbortSignal,
): Promise<{ yaml: boolean; size: number }> {
  const { text, size } = await readHead(file, signal);
  return { yaml: !/^\uFEFF?\s*[[{]/.test(text), size };
}

/** The first bytes of the file (enough to see past a BOM and leading whitespace), and its size. */
async function readHead(
  file: string,
  signal: AbortSignal | undefined,
): Promise<{ text: string; size: number; whole: boolean }> {
  signal?.throwIfAborted();
  try {
    const fh = await open(file, 'r');
    try {
      const { size } = await fh.stat();
      const buf = Buffer.alloc(Math.min(size, 64 * 1024));
      const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
      return { text: buf.subarray(0, bytesRead).toString('utf8'), size, whole: bytesRead >= size };
    } finally {
      await fh.close();
    }
  } catch (err) {
    throw readError(file, err);
  }
}

async function streamJson(
  file: string,
  format: ImportFormat | 'auto',
  signal?: AbortSignal,
): Promise<unknown> {
  const stream = createReadStream(file, { encoding: 'utf8', highWaterMark: CHUNK_BYTES, signal });
  try {
    return await parseJsonStream(reportChunks(stream), reportArraySelector(format));
  } catch (err) {
    throw reportReadError(file, err);
  } finally {
    stream.destroy();
  }
}

/** A report file as text chunks of bounded size, a leading BOM dropped (close `stream` when done). */
export function openReportChunks(
  file: string,
  signal?: AbortSignal,
): { stream: ReadStream; chunks: AsyncIterable<string> } {
  const stream = createReadStream(file, { encoding: 'utf8', highWaterMark: CHUNK_BYTES, signal });
  return { stream, chunks: reportChunks(stream) };
}

async function* reportChunks(stream: ReadStream): AsyncIterable<string> {
  let first = true;
  for await (const chunk of stream as AsyncIterable<string>) {
    yield first ? chunk.replace(/^\uFEFF/, '') : chunk;
    first = false;
  }
}

/** A read or JSON error of a streamed report as the ReportFormatError the CLI prints (exit 2). */
export function reportReadError(file: string, err: unknown): Error {
  if (err instanceof StreamJsonError) return jsonError(file, err.message, err.truncated);
  return readError(file, err);
}

/** The formats the streamed import reads (ADR 0029). */
export type StreamedFormatName = 'trivy' | 'grype' | 'cyclonedx' | 'osv-scanner';
/** The streamed formats whose files hold many image reports (ADR 0029's amendment). */
export type StreamedReportsFormatName = 'trivy-operator' | 'trivy-k8s';

/** A trivy-operator resource's `apiVersion` in YAML, or a CRD dump's plural as a top-level key. */
const YAML_OPERATOR =
  /^(?:[ -]*apiVersion:\s*["']?aquasecurity\.github\.io\/|["']?[\w.-]+\.aquasecurity\.github\.io["']?:)/m;

/**
 * Which streamed format the file's head says it is: a Trivy SchemaVersion 2 report starts
 * `{"SchemaVersion": 2, …`; Grype writes `{"matches": [` first, osv-scanner `{"results": [`; a
 * CycloneDX BOM says `"bomFormat": "CycloneDX"` near its start; a `trivy k8s` report starts
 * `{"ClusterName": …` (or `{"Resources": …` with `trivy` named); trivy-operator resources (a list,
 * an array or a CRD dump) name `"apiVersion": "aquasecurity.github.io/…"` or a CRD plural there,
 * in JSON or in YAML. A format named explicitly only needs a JSON object (trivy-operator: any file;
 * its parser judges the rest, as on the whole path). Undefined: read it whole.
 */
export async function sniffStreamedFormat(
  file: string,
  format: ImportFormat | 'auto',
  signal?: AbortSignal,
): Promise<StreamedFormatName | StreamedReportsFormatName | undefined> {
  const { text } = await readHead(file, signal);
  if (format === 'trivy-operator') return format;
  // YAML (stream-yaml.ts): kubectl's exports of trivy-operator resources.
  if (!/^\uFEFF?\s*[[{]/.test(text))
    return format === 'auto' && YAML_OPERATOR.test(text) ? 'trivy-operator' : undefined;
  const operator =
    /"apiVersion"\s*:\s*"aquasecurity\.github\.io\//.test(text) ||
    /^\uFEFF?\s*\{\s*"[\w.-]+\.aquasecurity\.github\.io"\s*:/.test(text);
  if (format === 'auto' && operator && /^\uFEFF?\s*\[/.test(text)) return 'trivy-operator';
  if (!/^\uFEFF?\s*\{/.test(text)) return undefined;
  const trivyV2 = /^\uFEFF?\s*\{\s*"SchemaVersion"\s*:\s*2\s*[,}]/.test(text);
  const k8s = /^\uFEFF?\s*\{\s*"ClusterName"\s*:/.test(text);
  if (format === 'trivy')
    return trivyV2 ? 'trivy' : k8s || /^\uFEFF?\s*\{\s*"Resources"\s*:/.test(text) ? 'trivy-k8s' : undefined;
  if (format === 'grype' || format === 'cyclonedx' || format === 'osv-scanner') return format;
  if (format !== 'auto') return undefined;
  if (trivyV2) return 'trivy';
  if (k8s) return 'trivy-k8s';
  if (/^\uFEFF?\s*\{\s*"matches"\s*:\s*\[/.test(text)) return 'grype';
  if (/^\uFEFF?\s*\{\s*"results"\s*:\s*\[/.test(text)) return 'osv-scanner';
  if (/"bomFormat"\s*:\s*"CycloneDX"/.test(text)) return 'cyclonedx';
  if (operator) return 'trivy-operator';
  return undefined;
}

function readError(file: string, err: unknown): Error {
  if ((err as Error).name === 'AbortError') return err as Error;
  if (err instanceof ReportFormatError) return err;
  const code = (err as NodeJS.ErrnoException).code;
  return new ReportFormatError(file, `cannot read the file (${code ?? (err as Error).message})`);
}

function jsonError(file: string, msg: string, truncated: boolean): ReportFormatError {
  return new ReportFormatError(
    file,
    truncated
      ? `the JSON ends before the document is complete (truncated file?): ${msg}; re-export the report`
      : `malformed JSON: ${msg}`,
  );
}

function mib(bytes: number): string {
  return (bytes / 2 ** 20).toFixed(0);
}

/** A parsed YAML document's value; an alias without its anchor, or too many aliases (yaml's guard
 * against expansion bombs), is the file's error (exit 2), not an unexpected failure. */
function yamlValue(doc: { toJS(): unknown }, file: string): unknown {
  try {
    return doc.toJS();
  } catch (err) {
    throw new ReportFormatError(file, `not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
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
      throw jsonError(file, msg, /end of JSON input|end of data/i.test(msg) || pos >= body.length - 1);
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
    const v = yamlValue(d, file);
    if (v != null) values.push(v);
  }
  if (!values.length || values.every((v) => typeof v !== 'object'))
    throw new ReportFormatError(file, 'expected a JSON or YAML scanner report, found plain text');
  return values.length === 1 ? values[0] : values;
}
