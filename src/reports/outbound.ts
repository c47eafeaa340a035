// Runsight's own outbound requests — notification webhooks and scheduled-report delivery
// (docs/notifications.md "Outbound guard"). Only http and https to the configured destination; the
// host is resolved once, every address it resolves to is checked (outbound-address.ts: private,
// loopback, link-local, CGNAT, metadata… are refused unless config `outbound.allowPrivateAddresses`
// or the host[:port] is in `outbound.allowHosts`), and the connection goes to the address that was
// checked (the agent's lookup is pinned to it: no second resolution, no DNS-rebinding window).
// Redirects are not followed (a 3xx fails the attempt). Each attempt has a timeout. With a secret
// the body is signed like Stripe's webhooks:
// `X-Runsight-Signature: t=TIMESTAMP,v1=HEX`, HEX = hex HMAC-SHA256(secret, `${TIMESTAMP}.${body}`).
import { createHmac } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { isIP } from 'node:net';
import type { OutboundConfig } from './config.js';
import { type AddressClass, classifyAddress, METADATA_HOSTS } from './outbound-address.js';

export interface OutboundRequest {
  url: string;
  /** HMAC-SHA256 key; no header without it. */
  secret?: string | undefined;
  body: string;
  contentType: string;
  outbound?: OutboundConfig | undefined;
  signal?: AbortSignal | undefined;
  /** Per-attempt timeout (default 10 s). */
  timeoutMs?: number | undefined;
}

export type OutboundFailure = 'invalid-url' | 'refused' | 'dns' | 'network' | 'timeout' | 'status';

/**
 * An outbound request that did not get a 2xx. `destination` is the host[:port] only: a webhook's
 * path and query often hold its secret (Slack's do), so neither reaches a message or a log.
 */
export class OutboundError extends Error {
  override name = 'OutboundError';
  constructor(
    readonly reason: OutboundFailure,
    readonly destination: string,
    message: string,
    readonly status?: number | undefined,
  ) {
    super(message);
  }
}

export const USER_AGENT = `runsight/${
  (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string })
    .version
}`;

export const SIGNATURE_HEADER = 'X-Runsight-Signature';

/** `t=TIMESTAMP,v1=HEX`: HEX = hex HMAC-SHA256(secret, `${TIMESTAMP}.${body}`), TIMESTAMP in Unix seconds. */
export function signatureHeader(secret: string, body: string, timestamp: number): string {
  const hex = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return `t=${timestamp},v1=${hex}`;
}

/** The destination's host[:port] as allowHosts names it (the port only when the URL gives one). */
function destinationOf(url: URL): { host: string; hostPort: string } {
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return { host, hostPort: url.port ? `${host}:${url.port}` : host };
}

function allowedByName(hostPort: string, host: string, url: URL, cfg: OutboundConfig | undefined): boolean {
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  const names = new Set([host, hostPort, `${host}:${port}`, `[${host}]:${port}`]);
  return (cfg?.allowHosts ?? []).some((h) => names.has(h.trim().toLowerCase()));
}

/**
 * Where `url` may be sent: the address to connect to, or an OutboundError saying why not. Every
 * address the host resolves to must pass (a name that also resolves to a private address is refused).
 */
export async function checkDestination(
  rawUrl: string,
  cfg: OutboundConfig | undefined,
  resolve: (host: string) => Promise<{ address: string; family: number }[]> = (h) =>
    lookup(h, { all: true, verbatim: true }),
): Promise<{ url: URL; address: string; family: number; destination: string }> {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new OutboundError(
      'invalid-url',
      '?',
      'outbound URL is not a valid absolute URL (expected https://host/path)',
    );
  }
  const { host, hostPort } = destinationOf(url);
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new OutboundError(
      'invalid-url',
      hostPort,
      `outbound URL to ${hostPort} uses ${url.protocol.replace(/:$/, '')}: only http and https are allowed`,
    );
  if (url.username || url.password)
    throw new OutboundError(
      'invalid-url',
      hostPort,
      `outbound URL to ${hostPort} carries credentials: put a secret in the config's webhook.secret instead`,
    );
  const allowed = cfg?.allowPrivateAddresses === true || allowedByName(hostPort, host, url, cfg);
  const refuse = (what: string, cls: AddressClass) =>
    new OutboundError(
      'refused',
      hostPort,
      `refused outbound request to ${hostPort}: ${what} is a ${cls} address; allow it with outbound.allowHosts: ["${hostPort}"] (or outbound.allowPrivateAddresses: true) in the config`,
    );
  if (!allowed && METADATA_HOSTS.includes(host.replace(/\.$/, ''))) throw refuse(host, 'metadata');
  let addresses: { address: string; family: number }[];
  if (isIP(host)) addresses = [{ address: host, family: isIP(host) }];
  else {
    try {
      addresses = await resolve(host);
    } catch (err) {
      throw new OutboundError(
        'dns',
        hostPort,
        `cannot resolve ${host}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      );
    }
    if (!addresses.length) throw new OutboundError('dns', hostPort, `cannot resolve ${host}: no address`);
  }
  if (!allowed) {
    for (const a of addresses) {
      const cls = classifyAddress(a.address);
      if (cls !== 'public') throw refuse(a.address === host ? host : `${host} (${a.address})`, cls);
    }
  }
  const first = addresses[0]!;
  return { url, address: first.address, family: first.family, destination: hostPort };
}

/** POSTs once; throws OutboundError (with the status, or the refusal reason) unless a 2xx came back. */
export async function postOutbound(req: OutboundRequest): Promise<{ status: number }> {
  const timeoutMs = req.timeoutMs ?? 10_000;
  const ctl = new AbortController();
  const onAbort = () => ctl.abort(req.signal?.reason);
  req.signal?.addEventListener('abort', onAbort, { once: true });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    ctl.abort(new Error('timeout'));
  }, timeoutMs);
  let destination = '?';
  try {
    if (req.signal?.aborted) throw new OutboundError('network', destination, 'outbound request aborted');
    const target = await checkDestination(req.url, req.outbound);
    destination = target.destination;
    if (ctl.signal.aborted) throw new Error('aborted');
    const headers: Record<string, string> = {
      'content-type': req.contentType,
      'content-length': String(Buffer.byteLength(req.body)),
      'user-agent': USER_AGENT,
    };
    if (req.secret)
      headers[SIGNATURE_HEADER] = signatureHeader(req.secret, req.body, Math.floor(Date.now() / 1000));
    // Connect to the checked address, whatever the name would resolve to now.
    const pinned: LookupFunction = (_host, opts, cb) => {
      if ((opts as { all?: boolean }).all)
        (cb as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [
          { address: target.address, family: target.family },
        ]);
      else cb(null, target.address, target.family);
    };
    const mod = target.url.protocol === 'https:' ? https : http;
    const status = await new Promise<number>((resolve, reject) => {
      const r = mod.request(
        target.url,
        { method: 'POST', headers, lookup: pinned, signal: ctl.signal, agent: false },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
          res.on('error', reject);
        },
      );
      r.on('error', reject);
      r.end(req.body);
    });
    if (status >= 300 && status < 400)
      throw new OutboundError(
        'status',
        destination,
        `${destination} answered ${status} (a redirect): redirects are not followed; configure the final URL`,
        status,
      );
    if (status < 200 || status >= 300)
      throw new OutboundError('status', destination, `${destination} answered HTTP ${status}`, status);
    return { status };
  } catch (err) {
    if (err instanceof OutboundError) throw err;
    if (timedOut)
      throw new OutboundError('timeout', destination, `${destination} did not answer within ${timeoutMs} ms`);
    if (req.signal?.aborted) throw new OutboundError('network', destination, 'outbound request aborted');
    const e = err as NodeJS.ErrnoException;
    throw new OutboundError('network', destination, `cannot reach ${destination}: ${e.code ?? e.message}`);
  } finally {
    clearTimeout(timer);
    req.signal?.removeEventListener('abort', onAbort);
  }
}
