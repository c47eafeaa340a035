// A minimal Docker Engine API client over node:http: a unix socket, tcp, or tcp with TLS, chosen
// like the docker CLI does: --host, else $DOCKER_HOST (unix:///…, tcp://…), with $DOCKER_TLS_VERIFY
// / $DOCKER_CERT_PATH (ca.pem, cert.pem, key.pem) for TLS; default unix:///var/run/docker.sock.
// Unversioned paths: the daemon answers with its own API version (Docker 29 refuses old versions).
import { readFileSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { z } from 'zod';
import { ConfigError, RunsightError } from '../../../core/errors.js';
import {
  type ContainerInspect,
  type ContainerSummary,
  containerInspectSchema,
  containerListSchema,
  type DockerEvent,
  eventSchema,
  type ImageInspect,
  type Info,
  imageInspectSchema,
  infoSchema,
} from './schema.js';

export class DockerApiError extends RunsightError {
  override readonly name: string = 'DockerApiError';
  constructor(
    readonly status: number | undefined,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The Docker calls the inventory makes (a structural port: tests and other runtimes plug in). */
export interface DockerApi {
  readonly endpoint: string;
  info(): Promise<Info>;
  listContainers(): Promise<ContainerSummary[]>;
  inspectContainer(id: string): Promise<ContainerInspect | undefined>;
  inspectImage(id: string): Promise<ImageInspect | undefined>;
  /** Streams container events from `since` (unix seconds) until the signal aborts or the stream ends. */
  events(
    opts: { since?: number | undefined },
    onEvent: (e: DockerEvent) => void,
    signal: AbortSignal,
  ): Promise<void>;
}

export interface DockerEndpoint {
  /** For messages: `unix:///var/run/docker.sock`, `tcp://host:2376`. */
  url: string;
  base: RequestOptions;
  tls: boolean;
}

export function dockerEndpoint(host: string | undefined, env: NodeJS.ProcessEnv): DockerEndpoint {
  const url = host ?? env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
  if (url.startsWith('unix://'))
    return { url, base: { socketPath: url.slice('unix://'.length) }, tls: false };
  const m = /^(tcp|http|https):\/\/([^/:]+|\[[^\]]+\])(?::(\d+))?\/?$/.exec(url);
  if (!m) {
    throw new ConfigError(
      '',
      `unsupported Docker host "${url}": expected unix:///path/to/docker.sock, tcp://host:port or https://host:port`,
    );
  }
  const certPath =
    env.DOCKER_CERT_PATH || (env.DOCKER_TLS_VERIFY ? join(env.HOME ?? homedir(), '.docker') : undefined);
  const tls = m[1] === 'https' || (m[1] === 'tcp' && (!!env.DOCKER_TLS_VERIFY || !!env.DOCKER_CERT_PATH));
  const base: RequestOptions & Record<string, unknown> = {
    host: m[2]!.replace(/^\[|\]$/g, ''),
    port: Number(m[3] ?? (tls ? 2376 : 2375)),
  };
  if (tls && certPath) {
    const read = (f: string) => {
      try {
        return readFileSync(join(certPath, f));
      } catch {
        return undefined;
      }
    };
    base.ca = read('ca.pem');
    base.cert = read('cert.pem');
    base.key = read('key.pem');
    base.rejectUnauthorized = env.DOCKER_TLS_VERIFY !== '0' && env.DOCKER_TLS_VERIFY !== '';
  }
  return { url, base, tls };
}

export function dockerApi(endpoint: DockerEndpoint): DockerApi {
  const send = (path: string, signal?: AbortSignal) =>
    new Promise<IncomingMessage>((resolve, reject) => {
      const req = (endpoint.tls ? httpsRequest : httpRequest)({
        ...endpoint.base,
        path,
        method: 'GET',
        // Over a unix socket the Host header is arbitrary; over TCP it must stay the real host, which
        // TLS verifies the certificate against.
        headers: endpoint.base.socketPath
          ? { accept: 'application/json', host: 'docker' }
          : { accept: 'application/json' },
        signal,
      });
      req.on('response', resolve);
      req.on('error', (err) =>
        reject(
          new DockerApiError(
            undefined,
            `cannot reach the Docker Engine API at ${endpoint.url}: ${err.message} — is the daemon running, and is DOCKER_HOST / --host right?`,
            {
              cause: err,
            },
          ),
        ),
      );
      req.end();
    });

  const getJson = async <S extends z.ZodType>(path: string, schema: S, what: string, allow404 = false) => {
    const res = await send(path);
    const chunks: Buffer[] = [];
    for await (const c of res) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    if (res.statusCode === 404 && allow404) return undefined;
    if (res.statusCode !== 200) {
      let message = text.trim();
      try {
        message = JSON.parse(text).message ?? message;
      } catch {}
      throw new DockerApiError(
        res.statusCode,
        `Docker ${what} at ${endpoint.url} failed (HTTP ${res.statusCode}): ${message}`,
      );
    }
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      throw new DockerApiError(
        res.statusCode,
        `Docker ${what} at ${endpoint.url} returned non-JSON: ${text.slice(0, 120)}`,
      );
    }
    const r = schema.safeParse(data);
    if (!r.success) {
      const issue = r.error.issues[0];
      throw new DockerApiError(
        res.statusCode,
        `unexpected Docker ${what} response from ${endpoint.url}: ${issue?.path.join('.') || '(root)'}: ${issue?.message}`,
      );
    }
    return r.data as z.infer<S>;
  };

  return {
    endpoint: endpoint.url,
    info: () => getJson('/info', infoSchema, 'info') as Promise<Info>,
    listContainers: () =>
      getJson('/containers/json?all=1', containerListSchema, 'container list') as Promise<ContainerSummary[]>,
    inspectContainer: (id) =>
      getJson(
        `/containers/${encodeURIComponent(id)}/json`,
        containerInspectSchema,
        'container inspect',
        true,
      ),
    inspectImage: (id) =>
      getJson(`/images/${encodeURIComponent(id)}/json`, imageInspectSchema, 'image inspect', true),
    async events({ since }, onEvent, signal) {
      const filters = encodeURIComponent(JSON.stringify({ type: ['container'] }));
      let res: IncomingMessage;
      try {
        res = await send(`/events?filters=${filters}${since !== undefined ? `&since=${since}` : ''}`, signal);
      } catch (err) {
        if (signal.aborted) return;
        throw err;
      }
      if (res.statusCode !== 200) {
        res.resume();
        throw new DockerApiError(
          res.statusCode,
          `Docker events at ${endpoint.url} failed (HTTP ${res.statusCode})`,
        );
      }
      const lines = createInterface({ input: res, crlfDelay: Number.POSITIVE_INFINITY });
      try {
        for await (const line of lines) {
          if (!line.trim()) continue;
          let data: unknown;
          try {
            data = JSON.parse(line);
          } catch {
            continue;
          }
          const ev = eventSchema.safeParse(data);
          if (ev.success) onEvent(ev.data);
        }
      } catch (err) {
        if (!signal.aborted)
          throw new DockerApiError(
            undefined,
            `Docker events stream from ${endpoint.url} broke: ${(err as Error).message}`,
            { cause: err },
          );
      }
    },
  };
}
