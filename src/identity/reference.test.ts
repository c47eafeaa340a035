// Table-driven tests over the examples documented by github.com/distribution/reference
// (reference_test.go TestReferenceParse, normalize_test.go TestValidateReferenceName,
// TestParseRepositoryInfo, TestNormalizedSplitHostname).
import { describe, expect, it } from 'vitest';
import { InvalidReferenceError } from './errors.js';
import {
  digestProblem,
  familiarReference,
  formatReference,
  normaliseReference,
  parseReference,
  withDefaultTag,
} from './reference.js';

const F64 = 'f'.repeat(64);
const F128 = 'f'.repeat(128);

// [input, registry, repository, tag, digest]
const VALID: [string, string, string, string | undefined, string | undefined][] = [
  ['test_com', 'docker.io', 'library/test_com', undefined, undefined],
  ['test.com:tag', 'docker.io', 'library/test.com', 'tag', undefined],
  ['test.com:5000', 'docker.io', 'library/test.com', '5000', undefined],
  ['test.com/repo:tag', 'test.com', 'repo', 'tag', undefined],
  ['test:5000/repo', 'test:5000', 'repo', undefined, undefined],
  ['test:5000/repo:tag', 'test:5000', 'repo', 'tag', undefined],
  [`test:5000/repo@sha256:${F64}`, 'test:5000', 'repo', undefined, `sha256:${F64}`],
  [`test:5000/repo:tag@sha256:${F64}`, 'test:5000', 'repo', 'tag', `sha256:${F64}`],
  ['lowercase:Uppercase', 'docker.io', 'library/lowercase', 'Uppercase', undefined],
  [
    `${'a/'.repeat(127)}a:tag-puts-this-over-max`,
    'docker.io',
    `${'a/'.repeat(127)}a`,
    'tag-puts-this-over-max',
    undefined,
  ],
  ['sub-dom1.foo.com/bar/baz/quux', 'sub-dom1.foo.com', 'bar/baz/quux', undefined, undefined],
  [
    'sub-dom1.foo.com/bar/baz/quux:some-long-tag',
    'sub-dom1.foo.com',
    'bar/baz/quux',
    'some-long-tag',
    undefined,
  ],
  [
    'b.gcr.io/test.example.com/my-app:test.example.com',
    'b.gcr.io',
    'test.example.com/my-app',
    'test.example.com',
    undefined,
  ],
  ['xn--n3h.com/myimage:xn--n3h.com', 'xn--n3h.com', 'myimage', 'xn--n3h.com', undefined],
  [
    `xn--7o8h.com/myimage:xn--7o8h.com@sha512:${F128}`,
    'xn--7o8h.com',
    'myimage',
    'xn--7o8h.com',
    `sha512:${F128}`,
  ],
  ['foo_bar.com:8080', 'docker.io', 'library/foo_bar.com', '8080', undefined],
  ['foo/foo_bar.com:8080', 'docker.io', 'foo/foo_bar.com', '8080', undefined],
  ['192.168.1.1', 'docker.io', 'library/192.168.1.1', undefined, undefined],
  ['192.168.1.1:tag', 'docker.io', 'library/192.168.1.1', 'tag', undefined],
  ['192.168.1.1:5000', 'docker.io', 'library/192.168.1.1', '5000', undefined],
  ['192.168.1.1/repo', '192.168.1.1', 'repo', undefined, undefined],
  ['192.168.1.1:5000/repo', '192.168.1.1:5000', 'repo', undefined, undefined],
  ['192.168.1.1:5000/repo:5050', '192.168.1.1:5000', 'repo', '5050', undefined],
  ['[2001:db8::1]/repo', '[2001:db8::1]', 'repo', undefined, undefined],
  ['[2001:db8::1]:5000/repo', '[2001:db8::1]:5000', 'repo', undefined, undefined],
  ['[2001:db8::1]:5000/repo:tag', '[2001:db8::1]:5000', 'repo', 'tag', undefined],
  [`[2001:db8::1]:5000/repo@sha256:${F64}`, '[2001:db8::1]:5000', 'repo', undefined, `sha256:${F64}`],
  ['[2001:db8::]:5000/repo', '[2001:db8::]:5000', 'repo', undefined, undefined],
  ['[::1]:5000/repo', '[::1]:5000', 'repo', undefined, undefined],
  ['localhost/foo', 'localhost', 'foo', undefined, undefined],
  ['localhost:5000/foo/bar:1', 'localhost:5000', 'foo/bar', '1', undefined],
  ['nginx', 'docker.io', 'library/nginx', undefined, undefined],
  ['docker.io/nginx', 'docker.io', 'library/nginx', undefined, undefined],
  ['index.docker.io/library/ubuntu:22.04', 'docker.io', 'library/ubuntu', '22.04', undefined],
  ['index.docker.io/docker/docker', 'docker.io', 'docker/docker', undefined, undefined],
  ['docker.io/library/debian', 'docker.io', 'library/debian', undefined, undefined],
  ['127.0.0.1:5000/docker/docker', '127.0.0.1:5000', 'docker/docker', undefined, undefined],
  ['Foo/bar', 'Foo', 'bar', undefined, undefined],
  ['a__b/c--d', 'docker.io', 'a__b/c--d', undefined, undefined],
  [
    'thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev',
    'docker.io',
    'library/thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev',
    undefined,
    undefined,
  ],
];

// [input, fragment of the reason]
const INVALID: [string, string][] = [
  ['', 'empty'],
  [':justtag', 'empty'],
  [`@sha256:${F64}`, 'empty'],
  ['repo@sha256:ffffffffffffffffffffffffffffffffff', 'hex digits'],
  [`validname@invaliddigest:${F64}`, 'unsupported digest algorithm'],
  [`repo@sha256:${'F'.repeat(64)}`, 'lowercase'],
  ['Uppercase:tag', 'lowercase'],
  ['test:5000/Uppercase/lowercase:tag', 'lowercase'],
  [`${'a/'.repeat(128)}a:tag`, 'longer than 255'],
  ['aa/asdf$$^/aa', 'invalid'],
  ['[2001:db8::1]', 'invalid'],
  ['[2001:db8::1]:5000', 'invalid'],
  ['[2001:db8::1]:tag', 'invalid'],
  ['[fe80::1%eth0]:5000/repo', 'not a valid host'],
  ['[2001:db8:3:4::192.0.2.33]:5000/repo', 'not a valid host'],
  ['1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a', 'image ID'],
  ['https://github.com/docker/docker', 'URL scheme'],
  ['docker/Docker', 'lowercase'],
  ['-docker', 'invalid'],
  ['-docker/docker', 'invalid'],
  ['-docker.io/docker/docker', 'not a valid host'],
  ['docker///docker', 'invalid'],
  ['docker.io/docker/Docker', 'lowercase'],
  ['docker.io/docker///docker', 'invalid'],
  ['repo:-tag', 'tag'],
  [`repo:${'a'.repeat(129)}`, 'tag'],
  [' nginx', 'whitespace'],
];

describe('parseReference', () => {
  it.each(VALID)('parses %s', (input, registry, repository, tag, digest) => {
    const ref = parseReference(input);
    expect(ref).toEqual({
      registry,
      repository,
      ...(tag !== undefined ? { tag } : {}),
      ...(digest !== undefined ? { digest } : {}),
    });
  });

  it.each(INVALID)('rejects %j', (input, reason) => {
    let caught: unknown;
    try {
      parseReference(input);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(InvalidReferenceError);
    expect((caught as Error).message).toContain(reason);
    expect((caught as InvalidReferenceError).exitCode).toBe(2);
  });
});

describe('canonical and familiar forms', () => {
  it.each([
    ['nginx', 'docker.io/library/nginx', 'nginx'],
    ['nginx:1.25', 'docker.io/library/nginx:1.25', 'nginx:1.25'],
    ['library/nginx:1.25', 'docker.io/library/nginx:1.25', 'nginx:1.25'],
    ['docker.io/library/foo/bar', 'docker.io/library/foo/bar', 'library/foo/bar'],
    ['index.docker.io/user/app:v1', 'docker.io/user/app:v1', 'user/app:v1'],
    [`ghcr.io/org/app:1@sha256:${F64}`, `ghcr.io/org/app:1@sha256:${F64}`, `ghcr.io/org/app:1@sha256:${F64}`],
    ['localhost:5000/app', 'localhost:5000/app', 'localhost:5000/app'],
  ])('%s → %s / %s', (input, canonical, familiar) => {
    expect(normaliseReference(input)).toBe(canonical);
    expect(formatReference(parseReference(input))).toBe(canonical);
    expect(familiarReference(parseReference(input))).toBe(familiar);
    // The familiar form parses back to the same reference.
    expect(parseReference(familiarReference(parseReference(input)))).toEqual(parseReference(input));
  });

  it('adds latest only when neither tag nor digest is given', () => {
    expect(withDefaultTag(parseReference('nginx')).tag).toBe('latest');
    expect(withDefaultTag(parseReference('nginx:1')).tag).toBe('1');
    expect(withDefaultTag(parseReference(`nginx@sha256:${F64}`)).tag).toBeUndefined();
  });
});

describe('digest validation', () => {
  it.each([
    [`sha256:${F64}`, undefined],
    [`sha512:${F128}`, undefined],
    [`sha384:${'a'.repeat(96)}`, undefined],
    [`sha256:${'f'.repeat(63)}`, 'hex digits'],
    [`md5:${'f'.repeat(32)}`, 'unsupported'],
    [`sha256:${'g'.repeat(64)}`, 'at least 32 hex'],
    ['sha256', 'at least 32 hex'],
  ])('%s', (digest, problem) => {
    const p = digestProblem(digest);
    if (problem === undefined) expect(p).toBeUndefined();
    else expect(p).toContain(problem);
  });
});
