// The Docker provider against Debian's podman system service (a real Docker-compatible Engine API).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selfSignedCertificate } from '../../../kubernetes/test-support/api-server.js';
import { listContainers, openStore, type Store, writeInventoryMutation } from '../../../store/index.js';
import { metadataKeys } from '../../metadata-keys.js';
import { dockerApi, dockerEndpoint } from './client.js';
import { collectDocker, REPO_DIGESTS_LABEL, watchDocker } from './collector.js';
import { createContainer, type PodmanService, removeContainer, startPodman } from './test-support/podman.js';

let podman: PodmanService | undefined;
let skipReason: string | undefined;
try {
  podman = await startPodman();
} catch (err) {
  if (process.env.CI === 'true')
    throw new Error(`CI=true and podman system service cannot start: ${(err as Error).message}`);
  skipReason = (err as Error).message;
  console.warn(
    `podman is unavailable; Docker provider integration tests are skipped outside CI: ${skipReason}`,
  );
}

async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined | false | null>,
  ms = 20_000,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.skipIf(!podman)('Docker provider against podman system service', () => {
  let store: Store;
  let webImage: string;
  let jobImage: string;
  const keys = metadataKeys();

  beforeAll(async () => {
    store = await openStore({ dataDir: 'memory://' });
    webImage = await podman!.makeImage('registry.example/shop/web:1.0', 'web 1.0\n');
    jobImage = await podman!.makeImage('registry.example/batch/job:2', 'job 2\n');
    await createContainer(podman!.socket, 'shop_web_1', {
      Image: 'registry.example/shop/web:1.0',
      Labels: {
        'com.docker.compose.project': 'shop',
        'com.docker.compose.service': 'web',
        team: 'storefront',
        env: 'prod',
      },
    });
    await createContainer(podman!.socket, 'mon_grafana.1.abc', {
      Image: 'registry.example/batch/job:2',
      Labels: { 'com.docker.stack.namespace': 'mon', 'com.docker.swarm.service.name': 'mon_grafana' },
    });
  }, 180_000);
  afterAll(async () => {
    await store?.close();
    await podman?.stop();
  });

  it('lists created containers with image identity, workloads and platform over the unix socket', async () => {
    const api = dockerApi(dockerEndpoint(undefined, { DOCKER_HOST: `unix://${podman!.socket}` }));
    const col = await collectDocker(api, { name: 'podman-host', keys });
    expect(col.errors).toEqual([]);
    const byName = new Map(col.mutation.containers.map((c) => [c.container, c]));
    const web = byName.get('shop_web_1')!;
    expect(web).toMatchObject({
      cluster: 'podman-host',
      namespace: 'shop',
      workloadKind: 'ComposeService',
      workloadName: 'web',
      image: 'registry.example/shop/web:1.0',
      digest: webImage,
      digestKind: 'config',
      state: 'created',
      owner: 'storefront',
      environment: 'prod',
      platform: { os: 'linux', architecture: 'amd64' },
    });
    expect(web.labels[REPO_DIGESTS_LABEL]).toMatch(/registry\.example\/shop\/web@sha256:[0-9a-f]{64}/);
    expect(byName.get('mon_grafana.1.abc')).toMatchObject({
      namespace: 'mon',
      workloadKind: 'SwarmService',
      workloadName: 'grafana',
      digest: jobImage,
    });
    const applied = await writeInventoryMutation(
      store,
      { name: 'podman-host', kind: 'docker' },
      col.mutation,
    );
    expect(applied.added).toHaveLength(2);
  });

  it('follows the events stream: a short-lived container is added, then closed', async () => {
    const api = dockerApi(dockerEndpoint(`unix://${podman!.socket}`, {}));
    const ac = new AbortController();
    const src = { name: 'podman-host', kind: 'docker' as const };
    let fulls = 0;
    const done = watchDocker(
      api,
      { name: 'podman-host', keys, signal: ac.signal, batchMs: 50 },
      {
        async onFull(c) {
          fulls++;
          await writeInventoryMutation(store, src, c.mutation);
        },
        async onDelta(m) {
          await writeInventoryMutation(store, src, m);
        },
      },
    );
    await waitFor('first list', async () => fulls === 1);
    await new Promise((r) => setTimeout(r, 1500)); // the events stream is open (since = list time)
    const id = await createContainer(podman!.socket, 'oneshot', { Image: 'registry.example/batch/job:2' });
    const rowId = `podman-host/${id}`;
    const row = await waitFor(
      'created container',
      async () => (await listContainers(store, { ids: [rowId] }))[0],
    );
    expect(row).toMatchObject({
      container: 'oneshot',
      digest: jobImage,
      workloadKind: 'Container',
      state: 'created',
    });
    await removeContainer(podman!.socket, id);
    const gone = await waitFor('removed container', async () => {
      const [r] = await listContainers(store, { ids: [rowId], includeRemoved: true });
      return r?.removedAt ? r : undefined;
    });
    expect(gone.firstSeen.getTime()).toBeLessThanOrEqual(gone.lastSeen.getTime());
    ac.abort();
    await done;
  });

  it('speaks tcp with mutual TLS from DOCKER_CERT_PATH, as the docker CLI does', async () => {
    // A TLS front for the podman socket that, like dockerd --tlsverify, requires a client certificate.
    const server = selfSignedCertificate();
    const client = selfSignedCertificate();
    const front = createServer(
      { ...server, ca: client.cert, requestCert: true, rejectUnauthorized: true },
      (req, res) => {
        const up = request(
          { socketPath: podman!.socket, path: req.url, method: req.method, headers: req.headers },
          (r) => {
            res.writeHead(r.statusCode ?? 502, r.headers);
            r.pipe(res);
          },
        );
        req.pipe(up);
      },
    );
    await new Promise<void>((r) => front.listen(0, '127.0.0.1', r));
    const certs = mkdtempSync(join(tmpdir(), 'runsight-docker-certs-'));
    writeFileSync(join(certs, 'ca.pem'), server.cert);
    writeFileSync(join(certs, 'cert.pem'), client.cert);
    writeFileSync(join(certs, 'key.pem'), client.key);
    const port = (front.address() as AddressInfo).port;
    try {
      const env = { DOCKER_HOST: `tcp://127.0.0.1:${port}`, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: certs };
      const endpoint = dockerEndpoint(undefined, env);
      expect(endpoint.tls).toBe(true);
      const col = await collectDocker(dockerApi(endpoint), { name: 'tls-host', keys });
      expect(col.mutation.containers.map((c) => c.container).sort()).toEqual([
        'mon_grafana.1.abc',
        'shop_web_1',
      ]);
      // Without the client certificate the daemon refuses the connection.
      const noCert = dockerEndpoint(undefined, { ...env, DOCKER_CERT_PATH: join(certs, 'missing') });
      await expect(collectDocker(dockerApi(noCert), { name: 'tls-host', keys })).rejects.toThrow(
        /cannot reach the Docker Engine API/,
      );
    } finally {
      front.closeAllConnections();
      await new Promise((r) => front.close(r));
    }
  });

  it('says what to do when the socket is wrong', async () => {
    const api = dockerApi(dockerEndpoint('unix:///nonexistent/docker.sock', {}));
    await expect(collectDocker(api, { name: 'x', keys })).rejects.toThrow(
      /cannot reach the Docker Engine API.*DOCKER_HOST/,
    );
  });
});
