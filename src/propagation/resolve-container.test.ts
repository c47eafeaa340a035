import { describe, expect, it } from 'vitest';
import { parseImageName } from './image-name.js';
import { parseNodePlatform as parsePlatform, pickPlatformChild } from './platform.js';
import { type ContainerIdentity, type IdentityGraph, resolveContainer } from './resolve-container.js';

const D = (c: string) => `sha256:${c.repeat(64)}`;
const INDEX = D('1');
const AMD = D('2');
const ARM64 = D('3');
const ARMV7 = D('4');
const ATTEST = D('5');
const OLD = D('6');
const NEW = D('7');
const CONFIG = D('8');

function graph(): IdentityGraph {
  const kinds = new Map<string, 'index' | 'manifest'>([
    [INDEX, 'index'],
    [AMD, 'manifest'],
    [ARM64, 'manifest'],
    [ARMV7, 'manifest'],
    [OLD, 'manifest'],
    [NEW, 'manifest'],
  ]);
  const history = [
    { digest: OLD, at: Date.parse('2026-01-01T00:00:00Z') },
    { digest: NEW, at: Date.parse('2026-02-01T00:00:00Z') },
  ];
  return {
    kindOf: (d) => kinds.get(d),
    children: (d) =>
      d === INDEX
        ? [
            { digest: AMD, os: 'linux', architecture: 'amd64', variant: null },
            { digest: ARM64, os: 'linux', architecture: 'arm64', variant: 'v8' },
            { digest: ARMV7, os: 'linux', architecture: 'arm', variant: 'v7' },
            { digest: ATTEST, os: 'unknown', architecture: 'unknown', variant: null },
          ]
        : [],
    manifestsWithConfig: (c) => (c === CONFIG ? [AMD] : []),
    tagAt: (repo, tag, at) =>
      repo === 'docker.io/library/app' && tag === 'prod'
        ? history.filter((h) => h.at <= at.getTime()).at(-1)?.digest
        : repo === 'docker.io/library/multi' && tag === '1'
          ? INDEX
          : undefined,
    tagNow: (repo, tag) =>
      repo === 'docker.io/library/app' && tag === 'prod'
        ? NEW
        : repo === 'docker.io/library/multi' && tag === '1'
          ? INDEX
          : undefined,
  };
}

const base: ContainerIdentity = {
  id: 'c',
  image: 'app:prod',
  imageId: null,
  digest: null,
  digestKind: null,
  platform: 'linux/amd64',
  startedAt: null,
};

describe('resolveContainer', () => {
  it('a repo digest naming a platform manifest is exact', () => {
    const r = resolveContainer({ ...base, digest: OLD, digestKind: 'repo' }, graph());
    expect(r).toMatchObject({ imageDigest: OLD, matchMethod: 'manifest-digest', confidence: 'exact' });
  });

  it('an index digest picks the child for the node platform: arm64 node → arm64 manifest', () => {
    const r = resolveContainer(
      { ...base, digest: INDEX, digestKind: 'repo', platform: 'linux/arm64' },
      graph(),
    );
    expect(r).toMatchObject({
      imageDigest: ARM64,
      matchMethod: 'index-digest+platform',
      confidence: 'exact',
    });
    const amd = resolveContainer(
      { ...base, digest: INDEX, digestKind: 'repo', platform: 'linux/x86_64' },
      graph(),
    );
    expect(amd.imageDigest).toBe(AMD);
    const armv8 = resolveContainer(
      { ...base, digest: INDEX, digestKind: 'repo', platform: 'linux/arm/v8' },
      graph(),
    );
    expect(armv8.imageDigest).toBe(ARMV7); // a v8 arm node runs the v7 image
  });

  it('an index digest on an unknown platform is only inferred', () => {
    const r = resolveContainer({ ...base, digest: INDEX, digestKind: 'repo', platform: null }, graph());
    expect(r).toMatchObject({
      imageDigest: AMD,
      matchMethod: 'index-digest+platform',
      confidence: 'inferred',
    });
  });

  it('an index without the node platform falls back to the tag, else stays unresolved', () => {
    const r = resolveContainer(
      { ...base, image: 'multi@' + INDEX, digest: INDEX, digestKind: 'repo', platform: 'linux/s390x' },
      graph(),
    );
    expect(r.matchMethod).toBe('unresolved');
    expect(r.note).toMatch(/no manifest for linux\/s390x/);
  });

  it('a config digest (Docker ImageID) maps to the manifest with that config', () => {
    const r = resolveContainer({ ...base, digest: CONFIG, digestKind: 'config' }, graph());
    expect(r).toMatchObject({ imageDigest: AMD, matchMethod: 'config-digest', confidence: 'exact' });
  });

  it('a tag resolves through tag history at the start time (inferred), else now (weak)', () => {
    const jan = resolveContainer({ ...base, startedAt: new Date('2026-01-15T00:00:00Z') }, graph());
    expect(jan).toMatchObject({ imageDigest: OLD, matchMethod: 'tag-at-start', confidence: 'inferred' });
    const feb = resolveContainer({ ...base, startedAt: new Date('2026-02-15T00:00:00Z') }, graph());
    expect(feb.imageDigest).toBe(NEW);
    const before = resolveContainer({ ...base, startedAt: new Date('2025-12-01T00:00:00Z') }, graph());
    expect(before).toMatchObject({ imageDigest: NEW, matchMethod: 'tag-now', confidence: 'weak' });
    const noStart = resolveContainer(base, graph());
    expect(noStart).toMatchObject({ imageDigest: NEW, matchMethod: 'tag-now', confidence: 'weak' });
  });

  it('a tag naming an index goes through the platform', () => {
    const r = resolveContainer(
      { ...base, image: 'multi:1', platform: 'linux/arm64/v8', startedAt: new Date() },
      graph(),
    );
    expect(r).toMatchObject({ imageDigest: ARM64, matchMethod: 'tag-at-start', confidence: 'inferred' });
  });

  it('an unknown repo digest without tag history is unresolved, with the reason', () => {
    const r = resolveContainer({ ...base, image: 'other:1', digest: D('9'), digestKind: 'repo' }, graph());
    expect(r).toMatchObject({ imageDigest: null, matchMethod: 'unresolved', confidence: 'none' });
    expect(r.note).toMatch(/not in the identity graph/);
    expect(r.note).toMatch(/no tag history for docker.io\/library\/other:1/);
  });
});

describe('image names and platforms', () => {
  it('normalises Docker Hub names and keeps registries with ports', () => {
    expect(parseImageName('nginx')).toEqual({
      registry: 'docker.io',
      repository: 'library/nginx',
      tag: 'latest',
      digest: undefined,
    });
    expect(parseImageName('docker.io/bitnami/redis:7')).toMatchObject({
      registry: 'docker.io',
      repository: 'bitnami/redis',
      tag: '7',
    });
    expect(parseImageName(`127.0.0.1:5000/app:1@${OLD}`)).toMatchObject({
      registry: '127.0.0.1:5000',
      repository: 'app',
      tag: '1',
      digest: OLD,
    });
    expect(parseImageName('docker-pullable://index.docker.io/library/busybox@' + OLD)).toMatchObject({
      registry: 'docker.io',
      repository: 'library/busybox',
      digest: OLD,
    });
    expect(parseImageName('Not A Ref')).toBeUndefined();
  });

  it('matches platforms with normalised names and skips attestations', () => {
    const children = [
      { digest: 'a', os: 'unknown', architecture: 'unknown', variant: null },
      { digest: 'b', os: 'linux', architecture: 'arm64', variant: null },
    ];
    expect(pickPlatformChild(children, parsePlatform('linux/aarch64')!)?.digest).toBe('b');
    expect(pickPlatformChild(children, parsePlatform('linux/amd64')!)).toBeUndefined();
  });
});

describe('a pinned reference resolves by its digest, never by its tag or name', () => {
  const KEYCLOAK_INDEX = D('a');
  const KEYCLOAK_AMD64 = D('b');
  const LIBRARY_TAG = D('c');
  // library/keycloak:21.0.2 observed at another digest; the pinned index is only known from a report
  // that read its linux/amd64 manifest (Grype repoDigests + manifestDigest).
  function withReport(): IdentityGraph {
    const g = graph();
    return {
      ...g,
      kindOf: (d) => (d === LIBRARY_TAG ? 'manifest' : g.kindOf(d)),
      tagAt: () => undefined,
      tagNow: (repo, tag) =>
        repo === 'docker.io/library/keycloak' && tag === '21.0.2' ? LIBRARY_TAG : g.tagNow(repo, tag),
      reportedManifests: (d) =>
        d === KEYCLOAK_INDEX
          ? [{ digest: KEYCLOAK_AMD64, os: 'linux', architecture: 'amd64', variant: null }]
          : [],
    };
  }
  const pinned: ContainerIdentity = {
    ...base,
    image: `keycloak:21.0.2@${KEYCLOAK_INDEX}`,
    digest: KEYCLOAK_INDEX,
    digestKind: 'repo',
  };

  it('an unknown pinned digest stays unresolved instead of following the tag (was tag-now, weak)', () => {
    const r = resolveContainer(pinned, { ...withReport(), reportedManifests: () => [] });
    expect(r).toMatchObject({ imageDigest: null, matchMethod: 'unresolved', confidence: 'none' });
    expect(r.note).toMatch(/pinned to sha256:aaaaaaaaaaaa.*never by its tag/);
  });

  it('an index a report read → the manifest for the node platform, exact, whatever the name', () => {
    for (const image of [
      `keycloak:21.0.2@${KEYCLOAK_INDEX}`,
      `mirror.example.com/cache/keycloak/keycloak@${KEYCLOAK_INDEX}`,
    ]) {
      const r = resolveContainer({ ...pinned, image, digest: null, digestKind: null }, withReport());
      expect(r).toMatchObject({
        imageDigest: KEYCLOAK_AMD64,
        matchMethod: 'index-digest+platform',
        confidence: 'exact',
      });
    }
  });

  it('without a node platform it is only inferred; another platform is not guessed', () => {
    const unknown = resolveContainer({ ...pinned, platform: null }, withReport());
    expect(unknown).toMatchObject({ imageDigest: KEYCLOAK_AMD64, confidence: 'inferred' });
    const arm = resolveContainer({ ...pinned, platform: 'linux/arm64' }, withReport());
    expect(arm).toMatchObject({ imageDigest: null, matchMethod: 'unresolved' });
    expect(arm.note).toMatch(/only as linux\/amd64, not linux\/arm64/);
  });

  it('a pinned platform manifest under a mirror name is exact (the name is an alias)', () => {
    const r = resolveContainer(
      { ...base, image: `registry.internal:5000/shop/app:prod@${OLD}`, digest: null, digestKind: null },
      graph(),
    );
    expect(r).toMatchObject({ imageDigest: OLD, matchMethod: 'manifest-digest', confidence: 'exact' });
  });
});
