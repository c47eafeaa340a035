// WWW-Authenticate parsing over challenges as real registries send them (recorded from Docker
// Hub, GHCR, Quay, ECR, GCR/Artifact Registry, Harbor and distribution's own token auth).
import { describe, expect, it } from 'vitest';
import { nextLink } from './registry-client.js';
import { backoffMs, retryAfterMs } from './retry.js';
import { parseWwwAuthenticate } from './www-authenticate.js';

describe('parseWwwAuthenticate', () => {
  it.each([
    [
      'Docker Hub',
      'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull"',
      [
        {
          scheme: 'bearer',
          params: {
            realm: 'https://auth.docker.io/token',
            service: 'registry.docker.io',
            scope: 'repository:library/nginx:pull',
          },
        },
      ],
    ],
    [
      'GHCR',
      'Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:user/image:pull"',
      [
        {
          scheme: 'bearer',
          params: { realm: 'https://ghcr.io/token', service: 'ghcr.io', scope: 'repository:user/image:pull' },
        },
      ],
    ],
    [
      'Quay',
      'Bearer realm="https://quay.io/v2/auth",service="quay.io"',
      [{ scheme: 'bearer', params: { realm: 'https://quay.io/v2/auth', service: 'quay.io' } }],
    ],
    [
      'ECR',
      'Basic realm="https://123456789012.dkr.ecr.us-east-1.amazonaws.com/",service="ecr.amazonaws.com"',
      [
        {
          scheme: 'basic',
          params: {
            realm: 'https://123456789012.dkr.ecr.us-east-1.amazonaws.com/',
            service: 'ecr.amazonaws.com',
          },
        },
      ],
    ],
    [
      'distribution insufficient_scope',
      'Bearer realm="http://127.0.0.1:5001/token",service="svc",scope="repository:a/b:pull,push",error="insufficient_scope"',
      [
        {
          scheme: 'bearer',
          params: {
            realm: 'http://127.0.0.1:5001/token',
            service: 'svc',
            scope: 'repository:a/b:pull,push',
            error: 'insufficient_scope',
          },
        },
      ],
    ],
    [
      'distribution htpasswd',
      'Basic realm="basic-realm"',
      [{ scheme: 'basic', params: { realm: 'basic-realm' } }],
    ],
    [
      'two challenges, unquoted and escaped values',
      'Basic realm=simple, Bearer realm="https://x/token",service="a \\"quoted\\" svc"',
      [
        { scheme: 'basic', params: { realm: 'simple' } },
        { scheme: 'bearer', params: { realm: 'https://x/token', service: 'a "quoted" svc' } },
      ],
    ],
  ])('%s', (_name, header, expected) => {
    expect(parseWwwAuthenticate(header)).toEqual(expected);
  });
});

describe('retry timing', () => {
  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(retryAfterMs('3')).toBe(3000);
    expect(retryAfterMs('Wed, 21 Oct 2015 07:28:10 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT'))).toBe(
      10_000,
    );
    expect(retryAfterMs('soon')).toBeUndefined();
    expect(retryAfterMs(null)).toBeUndefined();
  });

  it('backs off exponentially with full jitter, capped', () => {
    const policy = { retries: 5, baseDelayMs: 100, maxDelayMs: 1000 };
    expect(backoffMs(0, policy, () => 0.999)).toBe(99);
    expect(backoffMs(3, policy, () => 0.999)).toBe(799);
    expect(backoffMs(10, policy, () => 0.999)).toBe(999);
    expect(backoffMs(3, policy, () => 0)).toBe(0);
  });
});

describe('Link pagination', () => {
  it('follows rel="next" relative to the current URL', () => {
    expect(nextLink('</v2/_catalog?last=b&n=2>; rel="next"', 'http://r/v2/_catalog?n=2')).toBe(
      '/v2/_catalog?last=b&n=2',
    );
    expect(nextLink(null, 'http://r/')).toBeUndefined();
    expect(nextLink('<http://r/v2/x/tags/list?n=1&last=1.0>; rel="prev"', 'http://r/')).toBeUndefined();
  });
});
