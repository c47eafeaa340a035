// The Authorization header → Principal or a 401/403/503 failure: routing `rs_…` to tokens and
// JWT-shaped bearers to OIDC, with fakes for both (the real ones: token-verifier.test.ts, oidc.test.ts).
import { describe, expect, it } from 'vitest';
import type { Principal } from '../../core/access.js';
import { authenticate, isAuthFailure } from './authenticate.js';
import type { OidcVerifier } from './oidc.js';
import type { TokenVerifier } from './token-verifier.js';

const GOOD = `rs_0123456789abcdef_${'A'.repeat(43)}`;
const tokenPrincipal: Principal = {
  subject: 'token:ci',
  role: 'operator',
  scope: {},
  via: 'token',
  tokenId: '0123456789abcdef',
};
const tokens: TokenVerifier = {
  verify: async (t) => (t === GOOD ? tokenPrincipal : null),
  forget: () => {},
  flush: async () => {},
};
const seen: string[] = [];
const oidc: OidcVerifier = {
  verify: async (jwt) => {
    seen.push(jwt);
    if (jwt === 'a.b.c')
      return { kind: 'ok', principal: { subject: 'oidc:a', role: 'viewer', scope: {}, via: 'oidc' } };
    if (jwt === 'a.b.unmapped') return { kind: 'unmapped', subject: 'oidc:b', reason: 'no mapping' };
    if (jwt === 'a.b.down') return { kind: 'unavailable', reason: 'issuer unreachable' };
    return { kind: 'invalid', reason: 'bad signature' };
  },
};

describe('authenticate', () => {
  it('sends rs_ tokens to the token verifier and JWTs to OIDC', async () => {
    expect(await authenticate({ tokens, oidc }, `Bearer ${GOOD}`)).toBe(tokenPrincipal);
    expect(await authenticate({ tokens, oidc }, `bearer ${GOOD}`)).toBe(tokenPrincipal);
    expect(await authenticate({ tokens, oidc }, 'Bearer a.b.c')).toMatchObject({ subject: 'oidc:a' });
    expect(seen).toEqual(['a.b.c']);
  });

  it('answers 401 for a missing, malformed, unknown or unsupported credential', async () => {
    for (const header of [
      undefined,
      null,
      '',
      'Basic dXNlcjpwYXNz',
      'Bearer',
      'Bearer two words',
      'Bearer nonsense',
    ]) {
      const r = await authenticate({ tokens, oidc }, header);
      expect(isAuthFailure(r) && r.status).toBe(401);
    }
    const wrong = `rs_0123456789abcdef_${'B'.repeat(43)}`;
    const r = await authenticate({ tokens, oidc }, `Bearer ${wrong}`);
    expect(r).toEqual({ status: 401, message: 'the API token is unknown, revoked or expired' });
    expect(await authenticate({ tokens, oidc }, `Bearer x.y.z`)).toEqual({
      status: 401,
      message: 'bad signature',
    });
    expect(await authenticate({ tokens }, 'Bearer a.b.c')).toMatchObject({ status: 401 });
    expect(await authenticate({ oidc }, `Bearer ${GOOD}`)).toMatchObject({ status: 401 });
    expect(await authenticate({ tokens, oidc }, `Bearer ${'a'.repeat(20_000)}`)).toMatchObject({
      status: 401,
    });
  });

  it('answers 403 for a valid identity without a mapping, 503 when the issuer cannot be reached', async () => {
    expect(await authenticate({ tokens, oidc }, 'Bearer a.b.unmapped')).toEqual({
      status: 403,
      message: 'no mapping',
      subject: 'oidc:b',
    });
    expect(await authenticate({ tokens, oidc }, 'Bearer a.b.down')).toMatchObject({ status: 503 });
  });

  it('never repeats the token in a failure', async () => {
    const secret = `rs_0123456789abcdef_${'Z'.repeat(43)}`;
    for (const header of [`Bearer ${secret}`, `Token ${secret}`, `Bearer ${secret} extra`]) {
      const r = await authenticate({ tokens, oidc }, header);
      expect(JSON.stringify(r)).not.toContain('ZZZZ');
    }
  });
});
