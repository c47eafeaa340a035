// A YAML report read in bounded memory (ADR 0029's amendment, session 20): kubectl exports of
// trivy-operator resources (`kubectl get vulnerabilityreports -A -o yaml`: one `kind: List`
// document whose `items` is a block sequence) and streams of several documents are split into
// units by their lines — each item of the List's `items`, each element of a top-level sequence, or
// each document — and each unit is parsed by itself, so the file is never one string or one tree.
// The splitting reads only column positions the YAML grammar fixes: document markers (`---`, `...`)
// at column 0, a sequence entry's `-` at its indentation, and every line of an entry indented
// deeper (or blank, or a comment). A layout it does not read (directives, `items` not a block
// sequence, an anchor used across units, a unit over MAX_YAML_BYTES) is given back to be read
// whole (YamlNotStreamable) when the whole path can read the file, and refused with the reason
// when the file is over the whole path's limit.
import { parseAllDocuments, parseDocument } from 'yaml';
import { ReportFormatError } from './errors.js';
import { MAX_YAML_BYTES, openReportChunks, reportReadError } from './read-report.js';
import type { JsonPathStep } from './stream-json.js';

/** The file's layout is not one this reader splits: read it whole (it is within MAX_YAML_BYTES). */
export class YamlNotStreamable extends Error {
  override readonly name = 'YamlNotStreamable';
}

/** What becomes of each streamed sequence: as JsonStreamParser's selector, a function per element
 * (or undefined: not streamed, which this reader cannot build otherwise). */
export type YamlRoute = (path: readonly JsonPathStep[]) => ((element: unknown) => void) | undefined;

export interface YamlSource {
  file: string;
  size: number;
  /** The file's lines (without their line breaks) in batches; a new pass each call. */
  lines(): AsyncIterable<string[]>;
}

/** Lines kept of the document outside its streamed items (a List's apiVersion, kind, metadata). */
const MAX_REST_BYTES = 1024 * 1024;

const DOC_START = /^---(?:\s|$)/;
const DOC_END = /^\.\.\.(?:\s|$)/;
const BLANK_OR_COMMENT = /^\s*(?:#.*)?$/;
const ITEMS_KEY = /^items:\s*(?:#.*)?$/;
const ENTRY = /^( *)-(?:\s|$)/;

/**
 * Reads the YAML file unit by unit, each unit's value handed to the function `route` gives for its
 * sequence (`[]` for the documents of a stream or a top-level sequence, `['items']` for a List's
 * items); `afterEach` runs after each unit (the caller stages what it kept). Returns the rest of
 * the document as JsonStreamParser.end does: the List with `items: []`, or `[]` for a top-level
 * sequence or a stream of documents.
 */
export async function streamYaml(
  src: YamlSource,
  route: YamlRoute,
  afterEach: () => Promise<void>,
): Promise<unknown> {
  const cannot = (reason: string): never => {
    if (src.size <= MAX_YAML_BYTES) throw new YamlNotStreamable(reason);
    throw new ReportFormatError(src.file, reason);
  };
  const docs = await countDocuments(src);
  if (docs.directives) throw cannot('YAML directives (%…) are read whole only');
  if (docs.count === 0) throw cannot('no YAML document');
  if (docs.count > 1) return streamDocuments(src, route, afterEach, cannot);
  return streamOneDocument(src, route, afterEach, cannot);
}

/** Documents with content (not only blank lines and comments), and whether a directive comes. */
async function countDocuments(src: YamlSource): Promise<{ count: number; directives: boolean }> {
  let count = 0;
  let content = false;
  let directives = false;
  for await (const batch of src.lines()) {
    for (const line of batch) {
      if (DOC_START.test(line)) {
        if (content) count++;
        content = !BLANK_OR_COMMENT.test(line.slice(3));
      } else if (DOC_END.test(line)) {
        if (content) count++;
        content = false;
      } else if (line.startsWith('%')) directives = true;
      else if (!content && !BLANK_OR_COMMENT.test(line)) content = true;
    }
  }
  if (content) count++;
  return { count, directives };
}

/** A stream of several documents: each one an element of the top-level array, as the whole path
 * reads it (documents that are null dropped). */
async function streamDocuments(
  src: YamlSource,
  route: YamlRoute,
  afterEach: () => Promise<void>,
  cannot: (reason: string) => never,
): Promise<unknown> {
  const each = route([]);
  if (!each) throw cannot('the documents are not streamed');
  const unit = new Unit(cannot);
  let values = 0;
  const flush = async () => {
    if (!unit.lines.length) return;
    const v = unit.parse(0);
    if (v == null) return;
    values++;
    each(v);
    await afterEach();
  };
  let n = 0;
  for await (const batch of src.lines()) {
    for (const line of batch) {
      n++;
      if (DOC_START.test(line) || DOC_END.test(line)) {
        await flush();
        unit.start(n);
        // `--- value` starts a document on the marker's line.
        if (DOC_START.test(line)) unit.push(line);
      } else {
        if (!unit.lines.length) unit.start(n);
        unit.push(line);
      }
    }
  }
  await flush();
  // One value after all (the others null): the whole path reads it as that value, not an array.
  if (values < 2) throw cannot('fewer than two documents with a value');
  return [];
}

/** One document: a List's `items` (a block sequence under a top-level `items:`) or a top-level
 * block sequence streamed entry by entry; the rest of the document kept as text and parsed last. */
async function streamOneDocument(
  src: YamlSource,
  route: YamlRoute,
  afterEach: () => Promise<void>,
  cannot: (reason: string) => never,
): Promise<unknown> {
  const rest: string[] = [];
  let restBytes = 0;
  let restContent = false;
  // top: outside any sequence; items: after `items:`, before its first entry; sequence: in the
  // streamed sequence; after: past a top-level sequence (only markers, blanks and comments follow).
  let state: 'top' | 'items' | 'sequence' | 'after' = 'top';
  let indent = 0;
  let topLevel = false;
  let each: ((element: unknown) => void) | undefined;
  const unit = new Unit(cannot);
  const begin = (path: JsonPathStep[], at: number, lineNo: number, line: string): 'sequence' => {
    each = route(path);
    if (!each) throw cannot('the sequence is not streamed');
    indent = at;
    unit.start(lineNo);
    unit.push(line);
    return 'sequence';
  };
  const flush = async () => {
    each!(unit.parse(indent, true));
    await afterEach();
  };
  const keep = (line: string) => {
    restBytes += line.length + 1;
    if (restBytes > MAX_REST_BYTES) throw cannot('the document outside its items is too large to stream');
    if (!BLANK_OR_COMMENT.test(line) && !DOC_START.test(line)) restContent = true;
    rest.push(line);
  };
  let n = 0;
  for await (const batch of src.lines()) {
    for (const line of batch) {
      n++;
      if (state === 'sequence') {
        const entry = ENTRY.exec(line);
        if (entry && entry[1]!.length === indent) {
          await flush();
          unit.start(n);
          unit.push(line);
          continue;
        }
        if (BLANK_OR_COMMENT.test(line) || leadingSpaces(line) > indent) {
          unit.push(line);
          continue;
        }
        await flush();
        state = topLevel ? 'after' : 'top';
      }
      if (state === 'after') {
        if (!BLANK_OR_COMMENT.test(line) && !DOC_START.test(line) && !DOC_END.test(line))
          throw cannot('content after the top-level sequence');
      } else if (state === 'items') {
        if (BLANK_OR_COMMENT.test(line)) continue;
        const entry = ENTRY.exec(line);
        if (!entry) throw cannot('`items` is not a block sequence');
        state = begin(['items'], entry[1]!.length, n, line);
      } else if (!each && ITEMS_KEY.test(line)) {
        keep('items: []');
        state = 'items';
      } else if (!each && !restContent && ENTRY.exec(line)?.[1] === '') {
        topLevel = true;
        state = begin([], 0, n, line);
      } else keep(line);
    }
  }
  if (state === 'sequence') await flush();
  if (!each) throw cannot('no sequence to stream');
  if (topLevel) return [];
  const values = parseAllDocuments(rest.join('\n')).map((d) => {
    if (d.errors.length)
      throw cannot(yamlError(d.errors[0]!.message, () => ' in the document outside its items'));
    return toValue(d, ' in the document outside its items', cannot);
  });
  const [value, ...more] = values.filter((v) => v != null);
  if (!value || more.length) throw cannot('not one document outside its items');
  return value;
}

/** The lines of one unit (an entry or a document), parsed on its own. */
class Unit {
  lines: string[] = [];
  private bytes = 0;
  private first = 0;
  constructor(private readonly cannot: (reason: string) => never) {}
  start(lineNo: number): void {
    this.lines = [];
    this.bytes = 0;
    this.first = lineNo;
  }
  push(line: string): void {
    this.bytes += line.length + 1;
    if (this.bytes > MAX_YAML_BYTES)
      this.cannot(
        `an item or document from line ${this.first} is over ${MAX_YAML_BYTES / 2 ** 20} MiB: too large to read as YAML; export the report as JSON`,
      );
    this.lines.push(line);
  }
  /** The unit's value: a sequence entry's (`entry`, dedented by `indent`) or a document's. */
  parse(indent: number, entry = false): unknown {
    const text = (
      indent ? this.lines.map((l) => l.slice(Math.min(indent, leadingSpaces(l)))) : this.lines
    ).join('\n');
    const doc = parseDocument(text);
    if (doc.errors.length)
      this.cannot(
        yamlError(doc.errors[0]!.message, (l, c) => ` at line ${l + this.first - 1}, column ${c + indent}`),
      );
    const value = toValue(doc, ` in the unit from line ${this.first}`, this.cannot);
    if (!entry) return value;
    if (!Array.isArray(value) || value.length !== 1)
      this.cannot(`the sequence entry at line ${this.first} is not one value`);
    return value[0];
  }
}

/** The whole path's message for a YAML error, its position (` at line L, column C`) as `at` gives
 * it in the file. */
function yamlError(message: string, at: (line: number, column: number) => string): string {
  const first = message
    .split('\n')[0]!
    .replace(/ at line (\d+), column (\d+)/, (_, l: string, c: string) => at(Number(l), Number(c)));
  return `neither JSON nor valid YAML: ${first}`;
}

/** A unit's value; an alias whose anchor is in another unit (or none) is the reader's limit. */
function toValue(doc: { toJS(): unknown }, where: string, cannot: (reason: string) => never): unknown {
  try {
    return doc.toJS();
  } catch (err) {
    return cannot(`not valid YAML${where}: ${(err as Error).message.split('\n')[0]}`);
  }
}

function leadingSpaces(line: string): number {
  let i = 0;
  while (line.charCodeAt(i) === 32) i++;
  return i;
}

/** A YAML file as a YamlSource: its lines read in chunks (a leading BOM dropped, `\r\n` read as a
 * line break); a line is held whole only up to a unit's limit (the unit refuses it beyond). */
export function yamlFileSource(file: string, size: number, signal?: AbortSignal): YamlSource {
  return {
    file,
    size,
    async *lines() {
      const { stream, chunks } = openReportChunks(file, signal);
      try {
        let carry = '';
        for await (const chunk of chunks) {
          // A chunk without a line break only lengthens the line (no re-split of what was carried).
          if (!chunk.includes('\n')) {
            carry += chunk;
            if (carry.length > MAX_YAML_BYTES)
              throw new ReportFormatError(
                file,
                `a line over ${MAX_YAML_BYTES / 2 ** 20} MiB: too large to read as YAML`,
              );
            continue;
          }
          const parts = chunk.split('\n');
          parts[0] = carry + parts[0];
          carry = parts.pop()!;
          yield parts.map(withoutCr);
        }
        if (carry) yield [withoutCr(carry)];
      } catch (err) {
        throw reportReadError(file, err);
      } finally {
        stream.destroy();
      }
    },
  };
}

function withoutCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}
