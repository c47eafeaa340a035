// Image identity benchmarks on a local docker-registry (started here): resolving 500 tags with the
// per-registry concurrency limit (baseline: plain fetch GETs of the same manifests at the same
// concurrency), and verified blob download throughput against a plain HTTP GET of the same blob.
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RegistryClients } from '../src/identity/client/registry-client.js';
import { openRegistrySource } from '../src/identity/client/registry-source.js';
import { buildAndPush } from '../src/identity/test-support/build-image.js';
import { startRegistry } from '../src/identity/test-support/registry-server.js';
import type { Bench, BenchRow } from './harness.js';
import { percentile, timeIt } from './harness.js';

const CONCURRENCY = 8;

async function drain(body: AsyncIterable<Uint8Array>): Promise<number> {
  let n = 0;
  for await (const chunk of body) n += chunk.length;
  return n;
}

async function pool<T>(items: T[], limit: number, fn: (t: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

export const bench: Bench = {
  area: 'identity',
  async run({ quick, log }) {
    const reg = await startRegistry();
    if (!reg)
      return [
        {
          name: 'registry benchmarks',
          value: Number.NaN,
          unit: '',
          notes: 'docker-registry could not start',
        },
      ];
    const scratch = mkdtempSync(join(tmpdir(), 'runsight-bench-'));
    try {
      const blobMiB = quick ? 16 : 64;
      const big = join(scratch, 'big');
      mkdirSync(big);
      writeFileSync(join(big, 'random.bin'), randomBytes(blobMiB * 1024 * 1024));
      log(`building and pushing an image with a ${blobMiB} MiB layer`);
      const img = await buildAndPush({
        registry: reg.host,
        repository: 'bench/app',
        tag: 't0',
        platforms: [
          {
            os: 'linux',
            architecture: 'amd64',
            layers: [{ files: { 'etc/os-release': 'ID=bench\n' } }, { dir: big }],
          },
        ],
      });
      const m = img.manifests[0]!;
      const raw = await (
        await fetch(`${reg.url}/v2/bench/app/manifests/t0`, {
          headers: { accept: 'application/vnd.oci.image.manifest.v1+json' },
        })
      ).arrayBuffer();
      const tags = Array.from({ length: 500 }, (_, i) => `t${i}`);
      // Every tag gets its own config (a label) and manifest, so no request is answered from a cache.
      const baseManifest = JSON.parse(Buffer.from(raw).toString('utf8'));
      const baseConfig = JSON.parse(
        Buffer.from(
          await (await fetch(`${reg.url}/v2/bench/app/blobs/${m.configDigest}`)).arrayBuffer(),
        ).toString('utf8'),
      );
      const expected = new Map<string, string>();
      log('pushing 500 distinct configs and manifests');
      await pool(tags, 16, async (t) => {
        const config = Buffer.from(
          JSON.stringify({ ...baseConfig, config: { ...baseConfig.config, Labels: { tag: t } } }),
        );
        const configDigest = `sha256:${createHash('sha256').update(config).digest('hex')}`;
        const start = await fetch(`${reg.url}/v2/bench/app/blobs/uploads/`, { method: 'POST' });
        await start.arrayBuffer();
        const location = new URL(start.headers.get('location')!, reg.url);
        location.searchParams.set('digest', configDigest);
        const put = await fetch(location, {
          method: 'PUT',
          headers: { 'content-type': 'application/octet-stream' },
          body: config,
        });
        await put.arrayBuffer();
        if (put.status !== 201) throw new Error(`config for ${t}: HTTP ${put.status}`);
        const manifest = Buffer.from(
          JSON.stringify({
            ...baseManifest,
            config: { ...baseManifest.config, digest: configDigest, size: config.length },
          }),
        );
        const res = await fetch(`${reg.url}/v2/bench/app/manifests/${t}`, {
          method: 'PUT',
          headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' },
          body: manifest,
        });
        await res.arrayBuffer();
        if (res.status !== 201) throw new Error(`tagging ${t}: HTTP ${res.status}`);
        expected.set(t, `sha256:${createHash('sha256').update(manifest).digest('hex')}`);
      });
      const rows: BenchRow[] = [];

      // 1. Resolve 500 tags (manifest + config each, verified) through one client pool.
      const clients = new RegistryClients({ insecureRegistries: [reg.host], concurrency: CONCURRENCY });
      const resolveRun = await timeIt(() =>
        Promise.all(tags.map((t) => openRegistrySource(`${reg.host}/bench/app:${t}`, { clients }).resolve())),
      );
      if (!resolveRun.value.every((r, i) => r.digest === expected.get(tags[i]!)))
        throw new Error('a tag resolved to a digest other than the one pushed for it');
      const peak = clients.get(reg.host).limiter.peak;
      const plainRun = await timeIt(() =>
        pool(tags, CONCURRENCY, async (t) => {
          const res = await fetch(`${reg.url}/v2/bench/app/manifests/${t}`, {
            headers: { accept: 'application/vnd.oci.image.manifest.v1+json' },
          });
          const doc = JSON.parse(Buffer.from(await res.arrayBuffer()).toString('utf8'));
          await (await fetch(`${reg.url}/v2/bench/app/blobs/${doc.config.digest}`)).arrayBuffer();
        }),
      );
      const ours = 500 / (resolveRun.ms / 1000);
      const base = 500 / (plainRun.ms / 1000);
      rows.push({
        name: 'resolve 500 tags (manifest + config, verified)',
        value: ours,
        unit: 'tags/s',
        baseline: { name: 'plain GETs of the same manifests + configs', value: base },
        ratio: ours / base,
        notes: `peak in flight ${peak} (limit ${CONCURRENCY}); 500 distinct manifests and configs; baseline at the same concurrency, no verification; ${resolveRun.ms.toFixed(0)} ms total`,
      });

      // 2. Blob throughput: verified stream vs plain fetch of the same blob, alternating runs.
      const layer = m.layers[1]!;
      const client = clients.get(reg.host);
      const runs = quick ? 5 : 9;
      const oursMs: number[] = [];
      const plainMs: number[] = [];
      for (let i = 0; i < runs; i++) {
        const a = await timeIt(async () =>
          drain(await client.openBlob('bench/app', layer.digest, { expectedSize: layer.size })),
        );
        if (a.value !== layer.size) throw new Error('short blob');
        oursMs.push(a.ms);
        const b = await timeIt(async () => {
          const res = await fetch(`${reg.url}/v2/bench/app/blobs/${layer.digest}`);
          return drain(res.body as unknown as AsyncIterable<Uint8Array>);
        });
        plainMs.push(b.ms);
      }
      const mib = layer.size / 2 ** 20;
      const oursMiBs = mib / (percentile(oursMs, 50) / 1000);
      const plainMiBs = mib / (percentile(plainMs, 50) / 1000);
      // Each pair runs back to back, so its ratio is robust to the shared machine's load drifting.
      const pairRatio = percentile(
        oursMs.map((o, i) => plainMs[i]! / o),
        50,
      );
      rows.push({
        name: `blob download, ${mib.toFixed(0)} MiB (sha256-verified stream)`,
        value: oursMiBs,
        unit: 'MiB/s',
        baseline: { name: 'plain fetch GET, same blob', value: plainMiBs },
        ratio: pairRatio,
        goal: '>= 0.9 of baseline',
        notes: `medians of ${runs} alternating runs; ratio = median of back-to-back pair ratios; hashed in a worker thread`,
      });
      return rows;
    } finally {
      await reg.stop();
      rmSync(scratch, { recursive: true, force: true });
    }
  },
};
