// Where registry credentials come from, first match wins: the Runsight config file
// (`registries.<host>`), the environment (RUNSIGHT_REGISTRY_AUTH JSON, REGISTRY_AUTH_FILE), then
// Docker's config.json (`credHelpers`, `auths`, `credsStore`), running `docker-credential-<name> get`
// per the docker-credential-helpers protocol (server URL on stdin, JSON on stdout).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../../core/errors.js';
import { AuthError } from '../errors.js';
import { credentialHelperSchema, dockerConfigSchema } from '../schema.js';

export type Credentials =
  | { kind: 'basic'; username: string; password: string; origin: string }
  /** A registry bearer token sent as is. */
  | { kind: 'token'; token: string; origin: string }
  /** An OAuth2 refresh token (Docker's identitytoken), exchanged at the token endpoint. */
  | { kind: 'identity'; username: string; identityToken: string; origin: string };

export interface RegistryAuthEntry {
  username?: string | undefined;
  password?: string | undefined;
  token?: string | undefined;
}

export interface CredentialSources {
  /** The `registries:` section of the Runsight config file. */
  config?: Record<string, RegistryAuthEntry> | undefined;
  env?: NodeJS.ProcessEnv | undefined;
  /** Path of Docker's config.json; default $DOCKER_CONFIG/config.json or ~/.docker/config.json. */
  dockerConfigPath?: string | undefined;
  /** Timeout for a credential helper, ms. */
  helperTimeoutMs?: number | undefined;
}

export type CredentialResolver = (registry: string) => Promise<Credentials | undefined>;

const envAuthSchema = z.record(
  z.string(),
  z.strictObject({
    username: z.string().optional(),
    password: z.string().optional(),
    token: z.string().optional(),
  }),
);

function fromEntry(e: RegistryAuthEntry | undefined, origin: string): Credentials | undefined {
  if (!e) return undefined;
  if (e.token) return { kind: 'token', token: e.token, origin };
  if (e.username !== undefined && e.password !== undefined)
    return { kind: 'basic', username: e.username, password: e.password, origin };
  return undefined;
}

/** Docker keys Hub credentials as https://index.docker.io/v1/; other hosts bare or with a scheme. */
function dockerKeysFor(registry: string): string[] {
  if (registry === 'docker.io' || registry === 'registry-1.docker.io' || registry === 'index.docker.io')
    return ['https://index.docker.io/v1/', 'index.docker.io', 'docker.io', 'registry-1.docker.io'];
  return [
    registry,
    `https://${registry}`,
    `http://${registry}`,
    `https://${registry}/v1/`,
    `https://${registry}/v2/`,
  ];
}

function helperServer(registry: string): string {
  return dockerKeysFor(registry)[0]!;
}

/** Runs `docker-credential-<helper> get`. Returns undefined when the helper has no credentials. */
export function runCredentialHelper(
  helper: string,
  server: string,
  timeoutMs = 10_000,
): Promise<Credentials | undefined> {
  const bin = `docker-credential-${helper}`;
  return new Promise((resolve, reject) => {
    const child = spawn(bin, ['get'], { stdio: ['pipe', 'pipe', 'pipe'], timeout: timeoutMs });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.on('error', (e) =>
      reject(
        new AuthError(
          `credential helper ${bin} could not run (${(e as NodeJS.ErrnoException).code ?? e}); install it or remove it from ~/.docker/config.json`,
          { registry: server, cause: e },
        ),
      ),
    );
    child.on('close', (code) => {
      if (code !== 0) {
        // The protocol's "not found" answer: credentials not found in native keychain.
        if (/not found/i.test(out + err)) return resolve(undefined);
        return reject(
          new AuthError(
            `credential helper ${bin} failed for ${server} (exit ${code}): ${(out + err).trim()}`,
            { registry: server },
          ),
        );
      }
      try {
        const c = credentialHelperSchema.parse(JSON.parse(out));
        if (c.Username === '<token>')
          return resolve({ kind: 'identity', username: c.Username, identityToken: c.Secret, origin: bin });
        resolve({ kind: 'basic', username: c.Username, password: c.Secret, origin: bin });
      } catch (e) {
        reject(
          new AuthError(
            `credential helper ${bin} answered for ${server} with something other than {Username, Secret}: ${(e as Error).message}`,
            { registry: server },
          ),
        );
      }
    });
    child.stdin.end(server);
  });
}

function readDockerConfig(path: string) {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  const r = dockerConfigSchema.safeParse(JSON.parse(text));
  if (!r.success)
    throw new ConfigError('', `${path} is not a valid Docker config.json: ${r.error.issues[0]?.message}`);
  return r.data;
}

async function fromDockerConfig(
  path: string,
  registry: string,
  timeoutMs: number,
): Promise<Credentials | undefined> {
  const cfg = readDockerConfig(path);
  if (!cfg) return undefined;
  const keys = dockerKeysFor(registry);
  for (const k of keys) {
    const helper = cfg.credHelpers?.[k];
    if (helper) return runCredentialHelper(helper, helperServer(registry), timeoutMs);
  }
  for (const k of keys) {
    const a = cfg.auths?.[k];
    if (!a) continue;
    if (a.identitytoken)
      return {
        kind: 'identity',
        username: a.username ?? '<token>',
        identityToken: a.identitytoken,
        origin: path,
      };
    if (a.registrytoken) return { kind: 'token', token: a.registrytoken, origin: path };
    if (a.auth) {
      const decoded = Buffer.from(a.auth, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon === -1)
        throw new ConfigError('', `${path}: auths["${k}"].auth is not base64("user:password")`);
      return {
        kind: 'basic',
        username: decoded.slice(0, colon),
        password: decoded.slice(colon + 1),
        origin: path,
      };
    }
    if (a.username !== undefined && a.password !== undefined)
      return { kind: 'basic', username: a.username, password: a.password, origin: path };
  }
  if (cfg.credsStore) return runCredentialHelper(cfg.credsStore, helperServer(registry), timeoutMs);
  return undefined;
}

/** Builds the resolver; lookups are cached per registry for the resolver's lifetime. */
export function credentialResolver(sources: CredentialSources = {}): CredentialResolver {
  const env = sources.env ?? process.env;
  const cache = new Map<string, Promise<Credentials | undefined>>();
  return (registry) => {
    let hit = cache.get(registry);
    if (!hit) {
      hit = (async () => {
        const fromConfig = fromEntry(sources.config?.[registry], `config registries.${registry}`);
        if (fromConfig) return fromConfig;
        if (env.RUNSIGHT_REGISTRY_AUTH) {
          let parsed: z.infer<typeof envAuthSchema>;
          try {
            parsed = envAuthSchema.parse(JSON.parse(env.RUNSIGHT_REGISTRY_AUTH));
          } catch (err) {
            throw new ConfigError(
              'RUNSIGHT_REGISTRY_AUTH',
              `expected JSON {"host": {"username","password"} | {"token"}}: ${(err as Error).message}`,
            );
          }
          const c = fromEntry(parsed[registry], 'RUNSIGHT_REGISTRY_AUTH');
          if (c) return c;
        }
        if (env.REGISTRY_AUTH_FILE) {
          const c = await fromDockerConfig(
            env.REGISTRY_AUTH_FILE,
            registry,
            sources.helperTimeoutMs ?? 10_000,
          );
          if (c) return c;
        }
        const dockerPath =
          sources.dockerConfigPath ??
          join(env.DOCKER_CONFIG ?? join(env.HOME ?? homedir(), '.docker'), 'config.json');
        return fromDockerConfig(dockerPath, registry, sources.helperTimeoutMs ?? 10_000);
      })();
      cache.set(registry, hit);
    }
    return hit;
  };
}
