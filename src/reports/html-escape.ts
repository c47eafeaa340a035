// Escaping for every HTML Runsight writes (scope reports, the dashboard, the API reference page):
// & < > " ' as entities, and a tagged template that escapes every interpolated value unless it is
// already built markup. The dashboard re-exports it as `html`/`Html`/`escapeText`.

/** Markup that is safe to insert as is (built by `markup` or a helper that escaped its input). */
export class Markup {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

export function escapeHtml(value: unknown): string {
  return String(value ?? '')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

type Part = Markup | string | number | boolean | null | undefined | readonly Part[];

function part(p: Part): string {
  if (p instanceof Markup) return p.text;
  if (Array.isArray(p)) return p.map(part).join('');
  if (p === null || p === undefined || p === false) return '';
  return escapeHtml(p);
}

/** `markup\`<td>${name}</td>\``: every value escaped, nested Markup (and arrays of it) kept. */
export function markup(strings: TemplateStringsArray, ...values: Part[]): Markup {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    out += part(v) + (strings[i + 1] ?? '');
  });
  return new Markup(out);
}
