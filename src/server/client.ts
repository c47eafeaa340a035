// The one typed client of the Runsight HTTP API (docs/api.md), shared by the CLI's remote mode
// (`--server`) and the web dashboard: one method per read route, each returning the same JSON
// document the local view returns (`runsight <command> --format json`). HTTP failures become the
// CLI's typed errors: a refused token (401/403) and anything else the server rejects (4xx) are
// input errors (exit 2) with the server's message; a server failure (5xx), a network failure or a
// timeout is a RunsightError (exit 3). The token is sent only in the Authorization header and never
// appears in a message. Imports types only from the views, so a browser bundle stays small.
import { InputError, RunsightError } from '../core/errors.js';
import type { VulnerabilityDetail } from '../store/index.js';
import type {
  Check,
  ContainerDocument,
  ContainerListQuery,
  ContainerView,
  ImageShow,
  PostureQuery,
  PostureReport,
  ValidateInput,
  VulnWhere,
  VulnWhereContainers,
  WorkloadView,
} from '../views/index.js';

/** The filters of the container list (`runsight containers`); the client pages through all of it. */
export type ContainersQuery = Pick<
  ContainerListQuery,
  'source' | 'cluster' | 'namespaces' | 'includeRemoved'
>;

/** The posture query as it crosses HTTP (no clock: the server's time is the report's). */
export type PostureParams = Omit<PostureQuery, 'now'>;
/** `runsight vuln show --format json` and `GET /api/v1/vulnerabilities/{id}`. */
export type VulnerabilityShow = { id: string } & VulnerabilityDetail;

/**
 * The read side of Runsight with the view documents as results: the CLI's read commands call it,
 * locally (views over the store) or remotely (this client), through the same method names.
 */
export interface RunsightReader {
  containers(q: ContainersQuery): Promise<ContainerDocument[]>;
  posture(q: PostureParams): Promise<PostureReport>;
  container(id: string): Promise<ContainerView>;
  /** `NAMESPACE/KIND/NAME` or `CLUSTER/NAMESPACE/KIND/NAME`. */
  workload(key: string): Promise<WorkloadView>;
  vulnerability(id: string): Promise<VulnerabilityShow>;
  vulnerabilityWhere(id: string): Promise<VulnWhere>;
  /** A digest, or a reference resolved through tag history. */
  image(ref: string): Promise<ImageShow>;
  validate(input: ValidateInput): Promise<{ checks: Check[] }>;
  /** `runsight report`: a scope report (html, csv, json) or, with `image`, a per-image document. */
  report(q: ReportParams): Promise<ReportBody>;
}

/** `runsight report` as it crosses HTTP (GET /api/v1/reports, GET /api/v1/images/{ref}/report). */
export interface ReportParams {
  /** `KIND=VALUE` items (kinds AND, values OR); the server narrows its caller's scope with them. */
  scope: string[];
  by?: string | undefined;
  format: string;
  /** CSV: `scope` (a row per group) or `finding` (a row per container × vulnerability). */
  rows?: string | undefined;
  bom?: boolean | undefined;
  /** A per-image document of this reference or digest instead of a scope report. */
  image?: string | undefined;
}

/** A report as served: its body and what the server said it is. */
export interface ReportBody {
  contentType: string;
  /** From Content-Disposition, when the server named one. */
  filename: string | null;
  body: string;
}

export interface ClientOptions {
  /** The server's base URL, e.g. https://runsight.example:8080 (the API lives under /api/v1). */
  url: string;
  /** The Bearer token (an API token or an OIDC JWT); none sends no Authorization header. */
  token?: string | undefined;
  fetch?: typeof fetch | undefined;
  /** Aborts every request (e.g. on SIGINT); its reason is what the request throws. */
  signal?: AbortSignal | undefined;
  /** Longest one request may take (default 60 s). */
  timeoutMs?: number | undefined;
  /** Page size asked of list routes (default 1000) and of `vuln where`'s containers (default 10,000). */
  pageSize?: number | undefined;
}

export const DEFAULT_TIMEOUT_MS = 60_000;

export interface RunsightClient extends RunsightReader {
  /** GET `path` (under /api/v1, with its query) and the parsed JSON body; errors as the methods throw them. */
  get<T>(path: string, query?: Record<string, QueryValue>): Promise<T>;
}

type QueryValue = string | number | boolean | string[] | undefined;

/** A client of the server at `url`; nothing is sent until a method is called. */
export function createClient(opts: ClientOptions): RunsightClient {
  const base = parseBase(opts.url);
  const where = shownUrl(base);
  const doFetch = opts.fetch ?? globalThis.fetch;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const pageSize = opts.pageSize ?? 1000;
  // The server's largest `vuln where` page (schemas.ts WHERE_PAGE_MAX; not imported: no zod here).
  const wherePage = opts.pageSize ?? 10_000;
  // A server that echoes the token back (a proxy's error page) does not get it into a message.
  const hide = (text: string) =>
    opts.token && opts.token.length >= 8 ? text.split(opts.token).join('***') : text;

  async function get<T>(path: string, query: Record<string, QueryValue> = {}): Promise<T> {
    const { res, text, url } = await fetchText(path, query, 'application/json');
    const body = parseJson(text);
    if (!res.ok) throw errorFor(res.status, serverMessage(body, text, hide), where, url.pathname);
    if (body === undefined)
      throw new RunsightError(
        `the Runsight server at ${where} answered GET ${url.pathname} with something other than JSON (HTTP ${res.status}); is --server the address of "runsight serve"?`,
      );
    return body as T;
  }

  /** GET `path` and its body as text (a report: HTML, CSV, JSON or an image document). */
  async function getRaw(path: string, query: Record<string, QueryValue> = {}): Promise<ReportBody> {
    const { res, text, url } = await fetchText(path, query, '*/*');
    if (!res.ok) throw errorFor(res.status, serverMessage(parseJson(text), text, hide), where, url.pathname);
    const disposition = res.headers.get('content-disposition') ?? '';
    return {
      contentType: res.headers.get('content-type') ?? 'application/octet-stream',
      filename: /filename="([A-Za-z0-9._-]+)"/.exec(disposition)?.[1] ?? null,
      body: text,
    };
  }

  async function fetchText(
    path: string,
    query: Record<string, QueryValue>,
    accept: string,
  ): Promise<{ res: Response; text: string; url: URL }> {
    const url = new URL(`api/v1/${path.replace(/^\//, '')}`, base);
    for (const [k, v] of Object.entries(query)) {
      if (v === undefined || v === false) continue;
      for (const item of Array.isArray(v) ? v : [v]) url.searchParams.append(k, String(item));
    }
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
    const send = async () => {
      const res = await doFetch(url, {
        headers: {
          accept,
          ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
        },
        signal,
      });
      return { res, text: await res.text() };
    };
    let res: Response;
    let text: string;
    try {
      // A GET is safe to send again: once, when a kept-alive connection was closed by the server
      // just as it was reused (Node's server closes idle connections after 5 s).
      ({ res, text } = await send().catch((err: unknown) => {
        if (signal.aborted || !RESET_CODES.includes(networkReason(err))) throw err;
        return send();
      }));
    } catch (err) {
      if (opts.signal?.aborted) throw opts.signal.reason;
      if (timeout.aborted)
        throw new RunsightError(
          `the Runsight server at ${where} did not answer GET ${url.pathname} within ${timeoutMs / 1000} s`,
          { cause: err },
        );
      throw new RunsightError(
        `cannot reach the Runsight server at ${where} (${hide(networkReason(err))}); check --server or RUNSIGHT_SERVER and that "runsight serve" is running`,
        { cause: err },
      );
    }
    return { res, text, url };
  }

  const one = (kind: string, value: string) => `${kind}/${encodeURIComponent(value)}`;
  return {
    get,
    async containers(q) {
      const items: ContainerDocument[] = [];
      let after: string | undefined;
      // Follows the cursor to the end: the CLI prints the whole list, as in local mode.
      for (;;) {
        const page = await get<{ items: ContainerDocument[]; next: string | null }>('containers', {
          source: q.source,
          cluster: q.cluster,
          namespace: q.namespaces,
          all: q.includeRemoved,
          limit: pageSize,
          after,
        });
        items.push(...page.items);
        if (!page.next || page.items.length === 0) return items;
        after = page.next;
      }
    },
    posture: (q) =>
      get('posture', {
        by: q.by,
        severity: q.severity,
        kev: q.kev,
        fixable: q.fixable,
        cluster: q.cluster,
        namespace: q.namespace,
        top: q.top,
      }),
    container: (id) => get(one('containers', id)),
    workload: (key) => get(one('workloads', key)),
    vulnerability: (id) => get(one('vulnerabilities', id)),
    async vulnerabilityWhere(id) {
      // Pages of containers (keyset, `limit`/`after`; 10 000 a page unless `pageSize` is set): a CVE
      // that runs fleet-wide is hundreds of thousands of containers, not one body to hold twice.
      // The first page carries the whole `workloads` and `images`; later pages are asked without
      // them (`summary=false`: an aggregate over every carrier each time). The document is the
      // CLI's, key for key (an inventory change during the walk can show in it, as in any walk).
      const path = `${one('vulnerabilities', id)}/where`;
      const first = await get<VulnWhere>(path, { limit: wherePage });
      const containers = [...first.containers];
      for (let after = first.next; after; ) {
        const page = await get<VulnWhereContainers>(path, {
          limit: wherePage,
          after,
          summary: 'false',
        });
        for (const c of page.containers) containers.push(c);
        after = page.containers.length ? page.next : null;
      }
      const { next: _next, ...doc } = first;
      return { ...doc, containers };
    },
    image: (ref) => get(one('images', ref)),
    validate: (input) =>
      get('validate', {
        image: input.image,
        vulnerability: input.vulnerability,
        fixedImage: input.fixedImage,
      }),
    report: (q) =>
      q.image
        ? getRaw(`${one('images', q.image)}/report`, { format: q.format })
        : getRaw('reports', { scope: q.scope, by: q.by, format: q.format, rows: q.rows, bom: q.bom }),
  };
}

/** The base URL with a trailing slash; a URL that is not http(s) is an input error. */
function parseBase(text: string): URL {
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:'))
    throw new InputError(
      `--server expects the http(s) URL of "runsight serve", such as http://127.0.0.1:8080; got ${JSON.stringify(shownUrl(text))}`,
    );
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  url.search = '';
  url.hash = '';
  return url;
}

/** The URL as messages show it: never with user:password. */
function shownUrl(url: URL | string): string {
  if (typeof url === 'string') return url.replace(/\/\/[^/@\s]*@/, '//***@');
  const u = new URL(url);
  if (u.username || u.password) {
    u.username = '***';
    u.password = '';
  }
  return u.href.replace(/\/$/, '');
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** `{error: {code, message}}` as the server answers errors; else the start of the body. */
function serverMessage(body: unknown, text: string, hide: (s: string) => string): string {
  const e = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  const message = typeof e?.message === 'string' ? e.message : text.trim().slice(0, 200) || '(empty body)';
  return hide(message.replace(/\s*[\r\n]+\s*/g, ' '));
}

function errorFor(status: number, message: string, where: string, path: string): RunsightError {
  if (status === 401 || status === 403)
    return new InputError(
      `the Runsight server at ${where} refused the token (HTTP ${status}: ${message}); check RUNSIGHT_TOKEN (or --token-file): it must be a current token with access to ${path}`,
    );
  if (status === 404) return new InputError(`not found (HTTP 404): ${message}`);
  if (status >= 400 && status < 500)
    return new InputError(`the Runsight server refused the request (HTTP ${status}): ${message}`);
  return new RunsightError(`the Runsight server at ${where} failed (HTTP ${status}): ${message}`);
}

/** A connection that was closed under a request: sent again once. */
const RESET_CODES = ['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET'];

/** `ECONNREFUSED`, `ENOTFOUND`…: the cause code fetch wraps in "fetch failed". */
function networkReason(err: unknown): string {
  const cause = (err as { cause?: { code?: unknown; message?: unknown } })?.cause;
  if (cause && typeof cause.code === 'string') return cause.code;
  if (cause && typeof cause.message === 'string') return cause.message;
  return err instanceof Error ? err.message : String(err);
}
