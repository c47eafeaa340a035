import { describe, expect, it } from 'vitest';
import { digestOfReference, normalizeDigest, parseImageId } from './image-id.js';

// The imageID strings below are copied from the recorded pods in testdata/inventory/k8s.
const NGINX_SLIM = 'sha256:8b4501fe0fe221df663c22e16539f399e89594552f400408303c42f3dd8d0e52';

describe('parseImageId', () => {
  it('reads the dockershim repository form', () => {
    expect(parseImageId(`docker-pullable://k8s.gcr.io/nginx-slim@${NGINX_SLIM}`)).toEqual({
      digest: NGINX_SLIM,
      digestKind: 'repo',
      repository: 'k8s.gcr.io/nginx-slim',
    });
  });
  it('reads the dockershim image-id form as a config digest', () => {
    expect(parseImageId(`docker://${NGINX_SLIM}`)).toEqual({ digest: NGINX_SLIM, digestKind: 'config' });
  });
  it('reads the containerd repository form', () => {
    const id =
      'docker.io/sonobuoy/sonobuoy@sha256:f950a9ed5e4a943dfb640be1c763919c5016b34c6ce067d9a27c9a50972bf5e4';
    expect(parseImageId(id)).toMatchObject({ digestKind: 'repo', repository: 'docker.io/sonobuoy/sonobuoy' });
  });
  it('reads a bare sha256 as a config digest and lowercases it', () => {
    expect(parseImageId(NGINX_SLIM.toUpperCase().replace('SHA256', 'sha256'))).toEqual({
      digest: NGINX_SLIM,
      digestKind: 'config',
    });
  });
  it('reads a registry with a port before the digest', () => {
    expect(parseImageId(`127.0.0.1:5000/app@${NGINX_SLIM}`).repository).toBe('127.0.0.1:5000/app');
  });
  it('yields nothing for empty, truncated or foreign ids', () => {
    expect(parseImageId('')).toEqual({});
    expect(parseImageId(undefined)).toEqual({});
    expect(parseImageId('sha256:8b4501fe')).toEqual({});
    expect(parseImageId('docker-pullable://nginx@md5:abc')).toEqual({});
    expect(parseImageId('nginx:1.25')).toEqual({});
  });
});

describe('digest helpers', () => {
  it('validates the hex length per algorithm', () => {
    expect(normalizeDigest(NGINX_SLIM)).toBe(NGINX_SLIM);
    expect(normalizeDigest(`sha512:${'a'.repeat(64)}`)).toBeUndefined();
  });
  it('finds the digest pinned in a reference', () => {
    expect(digestOfReference(`nginx:1.25@${NGINX_SLIM}`)).toBe(NGINX_SLIM);
    expect(digestOfReference('nginx:1.25')).toBeUndefined();
  });
});
