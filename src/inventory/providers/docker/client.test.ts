import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dockerEndpoint } from './client.js';

describe('dockerEndpoint', () => {
  it('defaults to the local socket and reads DOCKER_HOST', () => {
    expect(dockerEndpoint(undefined, {})).toMatchObject({
      url: 'unix:///var/run/docker.sock',
      base: { socketPath: '/var/run/docker.sock' },
      tls: false,
    });
    expect(dockerEndpoint(undefined, { DOCKER_HOST: 'tcp://10.0.0.5:2375' })).toMatchObject({
      base: { host: '10.0.0.5', port: 2375 },
      tls: false,
    });
    expect(
      dockerEndpoint('unix:///run/podman/podman.sock', { DOCKER_HOST: 'tcp://x:1' }).base.socketPath,
    ).toBe('/run/podman/podman.sock');
  });

  it('uses TLS with the certificates of DOCKER_CERT_PATH when DOCKER_TLS_VERIFY is set', () => {
    const dir = mkdtempSync(join(tmpdir(), 'runsight-certs-'));
    for (const f of ['ca.pem', 'cert.pem', 'key.pem']) writeFileSync(join(dir, f), f);
    const e = dockerEndpoint('tcp://build-01:2376', { DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: dir });
    expect(e.tls).toBe(true);
    expect(String((e.base as { ca?: Buffer }).ca)).toBe('ca.pem');
    expect((e.base as { rejectUnauthorized?: boolean }).rejectUnauthorized).toBe(true);
    expect(dockerEndpoint('https://[::1]', {})).toMatchObject({
      tls: true,
      base: { host: '::1', port: 2376 },
    });
  });

  it('refuses hosts it cannot speak to, saying which forms work', () => {
    expect(() => dockerEndpoint('npipe:////./pipe/docker_engine', {})).toThrow(
      /expected unix:\/\/\/path\/to\/docker.sock, tcp:\/\/host:port/,
    );
    expect(() => dockerEndpoint('ssh://user@host', {})).toThrow(/unsupported Docker host/);
  });
});
