// GET /openapi.json (the OpenAPI 3.1 document generated from the routes' zod schemas) and GET /docs:
// a self-contained HTML reference rendered here from that document — no script, no CDN, no font
// from elsewhere (Runsight makes no network calls but those the user points it at). Every text
// taken from the document is HTML-escaped.
import { readFileSync } from 'node:fs';
import type { App } from './app.js';
import { escapeText } from './dashboard/html.js';
import { ROLE_EXTENSION } from './route-access.js';

/** HTML text escaping: the dashboard's one rule. */
export const escapeHtml = escapeText;

const VERSION: string = JSON.parse(
  readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
).version;

// biome-ignore lint/suspicious/noExplicitAny: the generated document is plain JSON.
type Doc = Record<string, any>;

export function openApiDocument(app: App): Doc {
  return app.getOpenAPI31Document({
    openapi: '3.1.0',
    info: {
      title: 'Runsight API',
      version: VERSION,
      description:
        'Container vulnerability posture: the documents the CLI prints with --format json, inside the caller’s access scope. See docs/api.md.',
    },
    servers: [{ url: '/' }],
  }) as Doc;
}

export function registerMetaRoutes(app: App, document: () => Doc): void {
  let cached: { json: string; html: string } | undefined;
  const get = () => {
    if (!cached) {
      const doc = document();
      cached = { json: JSON.stringify(doc), html: renderReference(doc) };
    }
    return cached;
  };
  app.get('/openapi.json', (c) =>
    c.body(get().json, 200, { 'content-type': 'application/json; charset=utf-8' }),
  );
  app.get('/docs', (c) => {
    // Only our own inline style: a stricter policy than the default for this one page.
    c.header('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; img-src 'none'");
    return c.html(get().html);
  });
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

/** The reference page: one section per tag, one card per operation, the schemas at the end. */
export function renderReference(doc: Doc): string {
  const ops: { tag: string; method: string; path: string; op: Doc }[] = [];
  for (const [path, item] of Object.entries<Doc>(doc.paths ?? {}))
    for (const method of METHODS)
      if (item[method]) ops.push({ tag: item[method].tags?.[0] ?? 'other', method, path, op: item[method] });
  const tags = [...new Set(ops.map((o) => o.tag))];
  const card = ({ method, path, op }: (typeof ops)[number]) => {
    const params = (op.parameters ?? []) as Doc[];
    const role = op[ROLE_EXTENSION] ?? 'viewer';
    const body = op.requestBody?.content as Doc | undefined;
    return `<section class="op" id="${escapeHtml(`${method}-${path}`)}">
<h3><span class="m ${method}">${method.toUpperCase()}</span> <code>${escapeHtml(path)}</code></h3>
<p>${escapeHtml(op.summary)} <span class="role">role: ${escapeHtml(role)}</span></p>
${
  params.length
    ? `<table><tr><th>parameter</th><th>in</th><th>schema</th><th>description</th></tr>${params
        .map(
          (p) =>
            `<tr><td><code>${escapeHtml(p.name)}</code>${p.required ? ' *' : ''}</td><td>${escapeHtml(p.in)}</td><td><code>${escapeHtml(schemaText(p.schema))}</code></td><td>${escapeHtml(p.description ?? p.schema?.description ?? '')}</td></tr>`,
        )
        .join('')}</table>`
    : ''
}
${
  body
    ? `<p>body: ${Object.entries<Doc>(body)
        .map(([type, c]) => `<code>${escapeHtml(type)}</code> ${escapeHtml(schemaText(c.schema))}`)
        .join(', ')}</p>`
    : ''
}
<ul class="responses">${Object.entries<Doc>(op.responses ?? {})
      .map(
        ([status, r]) =>
          `<li><code>${escapeHtml(status)}</code> ${escapeHtml(r.description)}${
            r.content?.['application/json']?.schema
              ? ` — ${escapeHtml(schemaText(r.content['application/json'].schema))}`
              : ''
          }</li>`,
      )
      .join('')}</ul>
</section>`;
  };
  const schemas = Object.entries<Doc>(doc.components?.schemas ?? {});
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(doc.info?.title)} ${escapeHtml(doc.info?.version)}</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem;color:#222}
code,pre{font-family:ui-monospace,monospace;font-size:13px}pre{background:#f6f6f6;padding:.6rem;overflow:auto}
.op{border:1px solid #ddd;border-radius:6px;padding:.2rem 1rem;margin:1rem 0}
.m{display:inline-block;min-width:3.5rem;text-align:center;border-radius:4px;color:#fff;font-size:13px;padding:0 .3rem}
.get{background:#2a7}.post{background:#27a}.role{color:#666;font-size:13px;margin-left:1rem}
table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:.2rem .5rem;text-align:left;vertical-align:top}
nav a{margin-right:1rem}
</style></head><body>
<h1>${escapeHtml(doc.info?.title)} <small>${escapeHtml(doc.info?.version)}</small></h1>
<p>${escapeHtml(doc.info?.description)}</p>
<p>Every route but <code>/healthz</code> and <code>/readyz</code> needs <code>Authorization: Bearer TOKEN</code>. The machine-readable document: <a href="/openapi.json">/openapi.json</a> (OpenAPI ${escapeHtml(doc.openapi)}).</p>
<nav>${tags.map((t) => `<a href="#tag-${escapeHtml(t)}">${escapeHtml(t)}</a>`).join('')}<a href="#schemas">schemas</a></nav>
${tags
  .map(
    (t) =>
      `<h2 id="tag-${escapeHtml(t)}">${escapeHtml(t)}</h2>\n${ops
        .filter((o) => o.tag === t)
        .map(card)
        .join('\n')}`,
  )
  .join('\n')}
<h2 id="schemas">Schemas</h2>
${schemas
  .map(
    ([name, s]) =>
      `<details id="schema-${escapeHtml(name)}"><summary><code>${escapeHtml(name)}</code> ${escapeHtml(s.description ?? '')}</summary><pre>${escapeHtml(JSON.stringify(s, null, 2))}</pre></details>`,
  )
  .join('\n')}
</body></html>
`;
}

/** A one-line rendering of a schema: its $ref name, its type, its enum. */
function schemaText(s: Doc | undefined): string {
  if (!s) return '';
  if (s.$ref) return String(s.$ref).replace('#/components/schemas/', '');
  if (s.enum) return s.enum.join(' | ');
  if (s.anyOf) return s.anyOf.map(schemaText).join(' | ');
  if (s.type === 'array') return `${schemaText(s.items)}[]`;
  const t = Array.isArray(s.type) ? s.type.join(' | ') : (s.type ?? 'any');
  return `${t}${s.format ? ` (${s.format})` : ''}${s.default !== undefined ? ` = ${JSON.stringify(s.default)}` : ''}`;
}
