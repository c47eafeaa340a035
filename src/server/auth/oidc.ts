// OpenID Connect sign-in for the API: a JWT from the configured issuer, presented as a Bearer
// token, is verified and its groups mapped to a Runsight role and access scope (config
// `server.oidc`, docs/configuration.md; docs/api.md "Authentication and roles").
//
// - Discovery (OpenID Connect Discovery 1.0): `${issuer}/.well-known/openid-configuration`, fetched
//   on the first OIDC token (not at startup), with a timeout; the document's `issuer` must equal
//   the configured one. A failed discovery is retried by a later token (after retryAfterMs).
// - Keys: jose's createRemoteJWKSet over the document's `jwks_uri`. A token whose `kid` is not in
//   the cached set makes it refetch the set (at most once per jwksCooldownMs): a rotated-in key is
//   picked up, a removed key is refused once the set has been refetched.
// - Checks: signature with RS256, ES256, PS256 or EdDSA (Ed25519) only — never `none` or HS*;
//   `iss`, `aud`, `exp` (required) and `nbf`/`iat` with clockSkew (default 60 s); `sub` required.
// - Mapping: `mappings` in order; the first whose group is among the caller's groups gives the role
//   and scope. No mapping: the identity is valid but has no role (the server answers 403).
import { createRemoteJWKSet, errors, type JWTPayload, jwtVerify } from 'jose';
import { type AccessScope, type Principal, parseScope, type Role } from '../../core/access.js';
import { durationToMs } from '../../core/duration.js';
import { ConfigError } from '../../core/errors.js';

export interface OidcConfig {
  issuer: string;
  audience: string;
  clockSkew?: string | undefined;
  groupsClaim?: string | undefined;
  mappings: { group: string; role: Role; scopes?: string[] | undefined }[];
  /** Dashboard SSO (authorization code + PKCE, oidc-login.ts): the client registered at the issuer. */
  clientId?: string | undefined;
  /** Absent for a public client. */
  clientSecret?: string | undefined;
  /** Where the issuer sends the browser back: `https://<host>/login/oidc/callback`. */
  redirectUrl?: string | undefined;
  /** Dashboard SSO: ask for `offline_access` too (a refresh token on issuers that grant one only then). */
  offlineAccess?: boolean | undefined;
  /** Dashboard SSO: longest time between two re-checks of a session with its refresh token (default 300). */
  refreshSeconds?: number | undefined;
  /** Dashboard SSO: longest a session outlives an unreachable issuer since its last confirmation (default 900). */
  refreshGraceSeconds?: number | undefined;
}

export interface OidcVerifierOptions {
  /** Longest the discovery request may take (default 10 000 ms). */
  discoveryTimeoutMs?: number | undefined;
  /** Least time before a failed discovery is tried again (default 10 000 ms). */
  retryAfterMs?: number | undefined;
  /** Longest a key set request may take (default 5 000 ms). */
  jwksTimeoutMs?: number | undefined;
  /** Least time between two key set refetches caused by an unknown kid (default 30 000 ms). */
  jwksCooldownMs?: number | undefined;
  /** The clock (tests). */
  now?: (() => Date) | undefined;
}

/** The outcome of verifying one JWT; `reason` never holds the token. */
export type OidcResult =
  /** `sid`: the issuer's session id, when the token carries one (back-channel logout names it). */
  | { kind: 'ok'; principal: Principal; sid?: string | undefined }
  /** A valid identity that no mapping gives a role: 403. */
  | { kind: 'unmapped'; subject: string; reason: string }
  /** Not a valid token from this issuer for this audience: 401. */
  | { kind: 'invalid'; reason: string }
  /** The issuer's discovery or keys could not be fetched: the token could not be checked (503). */
  | { kind: 'unavailable'; reason: string };

export interface OidcVerifier {
  /** `nonce`: the ID token of a dashboard SSO sign-in must carry the one its request sent. */
  verify(jwt: string, expect?: { nonce?: string | undefined }): Promise<OidcResult>;
}

export interface OidcClaimsVerifier extends OidcVerifier {
  /** The role and scope of already-trusted claims (`sub`, groups), e.g. a UserInfo answer. */
  map(claims: Record<string, unknown>): OidcResult;
}

export const OIDC_ALGORITHMS = ['RS256', 'ES256', 'PS256', 'EdDSA', 'Ed25519'] as const;

interface Mapping {
  group: string;
  role: Role;
  scope: AccessScope;
}

/** A verifier for `config`; a mapping with a bad scope or a bad clockSkew is a ConfigError now. */
export function createOidcVerifier(config: OidcConfig, opts: OidcVerifierOptions = {}): OidcClaimsVerifier {
  const mappings: Mapping[] = config.mappings.map((m, i) => {
    try {
      return { group: m.group, role: m.role, scope: parseScope(m.scopes ?? []) };
    } catch (err) {
      throw new ConfigError(`server.oidc.mappings[${i}].scopes`, (err as Error).message);
    }
  });
  const skewMs = config.clockSkew === undefined ? 60_000 : durationToMs(config.clockSkew);
  if (skewMs === undefined)
    throw new ConfigError('server.oidc.clockSkew', 'expected a duration such as 30s, 1m or 5m');
  const groupsClaim = config.groupsClaim ?? 'groups';
  const retryAfter = opts.retryAfterMs ?? 10_000;
  let keys: Promise<ReturnType<typeof createRemoteJWKSet>> | undefined;
  let failedAt = Number.NEGATIVE_INFINITY;

  function keySet(): Promise<ReturnType<typeof createRemoteJWKSet>> {
    if (!keys) {
      keys = discover(config.issuer, opts.discoveryTimeoutMs ?? 10_000).then((jwksUri) =>
        createRemoteJWKSet(jwksUri, {
          timeoutDuration: opts.jwksTimeoutMs ?? 5_000,
          cooldownDuration: opts.jwksCooldownMs ?? 30_000,
        }),
      );
      keys.catch(() => {
        keys = undefined;
        failedAt = Date.now();
      });
    }
    return keys;
  }

  return {
    async verify(jwt, expect) {
      let jwks: ReturnType<typeof createRemoteJWKSet>;
      try {
        if (!keys && Date.now() - failedAt < retryAfter)
          return {
            kind: 'unavailable',
            reason: 'the OIDC issuer could not be reached recently; try again shortly',
          };
        jwks = await keySet();
      } catch (err) {
        return { kind: 'unavailable', reason: `OIDC discovery failed: ${(err as Error).message}` };
      }
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(jwt, jwks, {
          issuer: config.issuer,
          audience: config.audience,
          algorithms: [...OIDC_ALGORITHMS],
          clockTolerance: Math.round(skewMs / 1000),
          requiredClaims: ['exp', 'sub'],
          ...(opts.now ? { currentDate: opts.now() } : {}),
        }));
      } catch (err) {
        return failureOf(err);
      }
      if (expect?.nonce !== undefined && payload.nonce !== expect.nonce)
        return { kind: 'invalid', reason: 'the OIDC ID token does not carry the nonce of this sign-in' };
      return map(payload);
    },
    map,
  };

  function map(payload: JWTPayload): OidcResult {
    if (typeof payload.sub !== 'string' || payload.sub === '')
      return { kind: 'invalid', reason: 'the OIDC claims carry no "sub"' };
    const subject = `oidc:${payload.sub}`;
    const groups = groupsOf(payload, groupsClaim);
    const mapping = mappings.find((m) => groups.includes(m.group));
    if (!mapping)
      return {
        kind: 'unmapped',
        subject,
        reason: `no server.oidc mapping matches the caller's groups (claim "${groupsClaim}")`,
      };
    return {
      kind: 'ok',
      principal: { subject, role: mapping.role, scope: structuredClone(mapping.scope), via: 'oidc' },
      ...(typeof payload.sid === 'string' ? { sid: payload.sid } : {}),
    };
  }
}

/** The jwks_uri of the issuer's discovery document, checked. */
export async function discover(issuer: string, timeoutMs: number): Promise<URL> {
  const url = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
  let res: Response;
  try {
    res = await fetch(url, {
      signal: AbortSignal.timeout(timeoutMs),
      headers: { accept: 'application/json' },
    });
  } catch (err) {
    const e = err as Error;
    throw new Error(
      e.name === 'TimeoutError' ? `${url} did not answer within ${timeoutMs} ms` : `${url}: ${e.message}`,
    );
  }
  if (!res.ok) throw new Error(`${url} answered HTTP ${res.status}`);
  let doc: { issuer?: unknown; jwks_uri?: unknown };
  try {
    doc = (await res.json()) as typeof doc;
  } catch {
    throw new Error(`${url} did not answer a JSON document`);
  }
  if (doc.issuer !== issuer)
    throw new Error(
      `${url} names the issuer ${JSON.stringify(doc.issuer)}, expected exactly ${JSON.stringify(issuer)} (server.oidc.issuer)`,
    );
  if (typeof doc.jwks_uri !== 'string' || !URL.canParse(doc.jwks_uri))
    throw new Error(`${url} has no valid jwks_uri`);
  return new URL(doc.jwks_uri);
}

/** The caller's groups: the claim as an array of strings or one string; `a.b` reads a nested claim. */
function groupsOf(payload: JWTPayload, claim: string): string[] {
  let value: unknown = payload[claim];
  if (value === undefined && claim.includes('.')) {
    value = claim
      .split('.')
      .reduce<unknown>(
        (v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined),
        payload,
      );
  }
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((g): g is string => typeof g === 'string') : [];
}

function failureOf(err: unknown): OidcResult {
  if (err instanceof errors.JWTExpired) return { kind: 'invalid', reason: 'the OIDC token has expired' };
  if (err instanceof errors.JWTClaimValidationFailed)
    return {
      kind: 'invalid',
      reason: `the OIDC token's "${err.claim}" claim is not accepted (${err.reason})`,
    };
  if (err instanceof errors.JOSEAlgNotAllowed)
    return {
      kind: 'invalid',
      reason: `the OIDC token's algorithm is not accepted (${OIDC_ALGORITHMS.join(', ')})`,
    };
  if (err instanceof errors.JWKSNoMatchingKey)
    return { kind: 'invalid', reason: "no key of the OIDC issuer matches the token's key id" };
  if (err instanceof errors.JWSSignatureVerificationFailed)
    return { kind: 'invalid', reason: "the OIDC token's signature does not verify" };
  if (err instanceof errors.JWKSTimeout)
    return { kind: 'unavailable', reason: "the OIDC issuer's key set did not answer in time" };
  // jose raises its generic JOSEError when the key set answer is not 200 OK or not JSON.
  if (err instanceof errors.JOSEError && err.code !== 'ERR_JOSE_GENERIC')
    return { kind: 'invalid', reason: 'the OIDC token is malformed or cannot be verified' };
  // Not a JOSE error: fetch() of the key set failed (connection refused, DNS). Not the caller's fault.
  return { kind: 'unavailable', reason: "the OIDC issuer's key set could not be fetched" };
}
