// The arrays of a scanner report that grow with the image (vulnerabilities, packages, matches,
// components), by path, for each format — and what of each element to keep while the report is read
// (read-report.ts streams them): the element as the format's own item schema reads it (zod drops
// every field the parser does not use: descriptions, references, dates). An element the schema
// rejects is kept whole, so the parser reports it as a skipped entry exactly as before.
import type { z } from 'zod';
import { cdxComponentSchema, cdxVulnerabilitySchema } from './cyclonedx/schema.js';
import { grypeMatchSchema } from './grype/schema.js';
import type { ImportFormat } from './model.js';
import { osvRecordSchema } from './osv-scanner/schema.js';
import type { ArraySelector, JsonPathStep } from './stream-json.js';
import { trivyPackageSchema, trivyVulnerabilitySchema } from './trivy/schema.js';
import { operatorVulnerabilitySchema } from './trivy-operator/schema.js';

/** `*` is any index; `**` any key (trivy-operator's `<kind>.aquasecurity.github.io` map). */
type Pattern = readonly (string | '*')[];

interface ReportArray {
  format: ImportFormat;
  path: Pattern;
  schema: z.ZodType;
}

const TRIVY_RESULT_ARRAYS = (prefix: Pattern): ReportArray[] => [
  { format: 'trivy', path: [...prefix, 'Vulnerabilities'], schema: trivyVulnerabilitySchema },
  { format: 'trivy', path: [...prefix, 'Packages'], schema: trivyPackageSchema },
];

const OPERATOR_REPORT = (prefix: Pattern): ReportArray => ({
  format: 'trivy-operator',
  path: [...prefix, 'report', 'vulnerabilities'],
  schema: operatorVulnerabilitySchema,
});

export const REPORT_ARRAYS: readonly ReportArray[] = [
  ...TRIVY_RESULT_ARRAYS(['Results', '*']), // SchemaVersion 2
  ...TRIVY_RESULT_ARRAYS(['*']), // the pre-v2 list form
  ...TRIVY_RESULT_ARRAYS(['Vulnerabilities', '*', 'Results', '*']), // trivy k8s, older shape
  ...TRIVY_RESULT_ARRAYS(['Resources', '*', 'Results', '*']), // trivy k8s, newer shape
  { format: 'grype', path: ['matches'], schema: grypeMatchSchema },
  { format: 'cyclonedx', path: ['components'], schema: cdxComponentSchema },
  { format: 'cyclonedx', path: ['vulnerabilities'], schema: cdxVulnerabilitySchema },
  {
    format: 'osv-scanner',
    path: ['results', '*', 'packages', '*', 'vulnerabilities'],
    schema: osvRecordSchema,
  },
  OPERATOR_REPORT([]),
  OPERATOR_REPORT(['*']),
  OPERATOR_REPORT(['items', '*']),
  OPERATOR_REPORT(['**', '*']),
];

/** Which arrays to stream for a format (all of them for `auto`), and how to slim their elements. */
export function reportArraySelector(format: ImportFormat | 'auto'): ArraySelector {
  const arrays = REPORT_ARRAYS.filter((a) => format === 'auto' || a.format === format);
  const intern = interner();
  return (path) => {
    const hit = arrays.find((a) => matches(a.path, path));
    if (!hit) return undefined;
    const schema = hit.schema;
    return {
      // Members the schema does not read are never built (a Trivy entry's description, references,
      // dates: most of its bytes). An entry the schema rejects is still rejected for what it has.
      keys: 'shape' in schema ? new Set(Object.keys(schema.shape as object)) : undefined,
      each: (element) => {
        const r = schema.safeParse(element);
        // The round trip copies every kept string: the parser's strings are slices of the chunk
        // they were read from, and V8 keeps a whole chunk alive for one slice of it. Each copy is
        // interned: entries repeat their package name, purl, layer, vectors and versions.
        return r.success ? JSON.parse(JSON.stringify(r.data), (_key, value) => intern(value)) : element;
      },
    };
  };
}

/** Most entries of an image repeat a few hundred distinct strings; bounded, in case they do not. */
const INTERNED_MAX = 100_000;

/** One copy of each string seen (per report read), anything else returned as it is. */
function interner(): (value: unknown) => unknown {
  const seen = new Map<string, string>();
  return (value) => {
    if (typeof value !== 'string') return value;
    const known = seen.get(value);
    if (known !== undefined) return known;
    if (seen.size >= INTERNED_MAX) seen.clear();
    seen.set(value, value);
    return value;
  };
}

function matches(pattern: Pattern, path: readonly JsonPathStep[]): boolean {
  if (pattern.length !== path.length) return false;
  for (let i = 0; i < path.length; i++) {
    const p = pattern[i]!;
    const step = path[i]!;
    if (p === '*' ? typeof step !== 'number' : p === '**' ? typeof step !== 'string' : p !== step)
      return false;
  }
  return true;
}
