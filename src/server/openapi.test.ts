// The API's OpenAPI document passes the official OpenAPI 3.1 JSON Schema (testdata/server/SOURCES.md)
// under ajv's draft 2020-12 validator; every operation declares its role; /docs is self-contained
// HTML rendered from the document (no script, nothing fetched from elsewhere) with names escaped.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020Module from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../core/logger.js';
import type { Store } from '../store/index.js';
import { createApp } from './app.js';
import { escapeHtml, openApiDocument, renderReference } from './openapi-page.js';

// ajv resolves the schema's `$dynamicRef: "#meta"` to the document root (whose unevaluatedProperties
// then refuses every Schema Object); with no outer dialect the spec resolves it to `$defs/schema`
// (`$dynamicAnchor: meta`, type object or boolean), so the reference is made static here.
// ajv is CommonJS: its class is the module's default export's `default` under NodeNext.
const Ajv2020 = Ajv2020Module.default;

const SCHEMA = JSON.parse(
  readFileSync(join(import.meta.dirname, '../../testdata/server/openapi-3.1-schema.json'), 'utf8').replaceAll(
    '"$dynamicRef": "#meta"',
    '"$ref": "#/$defs/schema"',
  ),
);
// The document needs no store: routes are registered, none is called but the meta routes.
const app = createApp({
  store: {} as Store,
  config: {},
  authenticate: async (h) =>
    h === 'Bearer t'
      ? { subject: 'token:t', role: 'viewer', scope: {}, via: 'token' }
      : { status: 401, message: 'no' },
  logger: silentLogger,
});

describe('/openapi.json', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const res = await app.request('/openapi.json', { headers: { authorization: 'Bearer t' } });
    expect(res.status).toBe(200);
    const doc = (await res.json()) as Record<string, unknown>;
    const ajv = new Ajv2020({ strict: false, validateFormats: false });
    const validate = ajv.compile(SCHEMA);
    expect(validate(doc), JSON.stringify(validate.errors?.slice(0, 5))).toBe(true);
    expect(doc.openapi).toBe('3.1.0');
    // The validator does refuse: a document without info, or with a bad response code, fails.
    expect(validate({ ...doc, info: undefined })).toBe(false);
    expect(
      validate({
        openapi: '3.1.0',
        info: { title: 't', version: '1' },
        paths: { '/x': { get: { responses: { 999: {} } } } },
      }),
    ).toBe(false);
  });

  it('names every route of the contract, each with its least role', () => {
    const doc = openApiDocument(app);
    const roles = Object.fromEntries(
      Object.entries(doc.paths as Record<string, Record<string, Record<string, unknown>>>).flatMap(
        ([path, item]) =>
          Object.entries(item).map(([m, op]) => [`${m.toUpperCase()} ${path}`, op['x-runsight-role']]),
      ),
    );
    expect(roles).toEqual({
      'GET /healthz': 'public',
      'GET /readyz': 'public',
      'GET /api/v1/containers': 'viewer',
      'GET /api/v1/containers/{id}': 'viewer',
      'GET /api/v1/workloads/{key}': 'viewer',
      'GET /api/v1/posture': 'viewer',
      'GET /api/v1/vulnerabilities/{id}': 'viewer',
      'GET /api/v1/vulnerabilities/{id}/where': 'viewer',
      'GET /api/v1/images/{digest}': 'viewer',
      'GET /api/v1/images/{a}/diff/{b}': 'viewer',
      'GET /api/v1/validate': 'viewer',
      'GET /api/v1/history': 'viewer',
      'GET /api/v1/priorities': 'viewer',
      'GET /api/v1/coverage': 'viewer',
      'GET /api/v1/freshness': 'viewer',
      'GET /api/v1/reports': 'viewer',
      'GET /api/v1/images/{digest}/report': 'viewer',
      'GET /api/v1/audit': 'admin',
      'POST /api/v1/imports': 'operator',
      'POST /api/v1/inventory/{source}/batches': 'operator',
      'GET /api/v1/agents': 'viewer',
      'POST /api/v1/agents/heartbeat': 'operator',
      'POST /api/v1/scans': 'operator',
      'POST /api/v1/sboms': 'operator',
    });
  });
});

describe('/docs', () => {
  it('is self-contained HTML: no script, no external resource, a strict CSP', async () => {
    const res = await app.request('/docs', { headers: { authorization: 'Bearer t' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await res.text();
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//i);
    expect(html).toContain('<code>/api/v1/posture</code>');
    expect(html).toContain('role: operator');
  });

  it('escapes text from the document', () => {
    expect(escapeHtml(`<img src=x onerror="a">'`)).toBe('&lt;img src=x onerror=&quot;a&quot;&gt;&#39;');
    const html = renderReference({
      openapi: '3.1.0',
      info: { title: '<b>t</b>', version: '1' },
      paths: { '/x': { get: { summary: '<script>alert(1)</script>', responses: {} } } },
    });
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });
});
