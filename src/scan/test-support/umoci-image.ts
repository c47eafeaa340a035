// Test support: builds multi-layer OCI images with umoci — one `umoci insert` per layer, including
// `--whiteout` (a layer that deletes a path) and `--opaque` (an opaque directory) — and pushes them
// with skopeo. Digests and diffIDs are read back with `skopeo inspect`, independent of Runsight.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';

const run = promisify(execFile);

export type UmociStep =
  | { insert: string; at: string }
  | { whiteout: string }
  | { opaque: string; at: string };

export async function umociImage(
  layout: string,
  tag: string,
  steps: UmociStep[],
  from?: string,
): Promise<void> {
  const image = `${layout}:${tag}`;
  if (from === undefined) {
    await run('umoci', ['init', '--layout', layout]).catch(() => undefined);
    await run('umoci', ['new', '--image', image]);
    await run('umoci', ['config', '--image', image, '--os', 'linux', '--architecture', 'amd64']);
  }
  for (const [i, s] of steps.entries()) {
    const target = from !== undefined && i === 0 ? ['--tag', tag] : [];
    const img = from !== undefined && i === 0 ? `${layout}:${from}` : image;
    if ('insert' in s) await run('umoci', ['insert', '--image', img, ...target, s.insert, s.at]);
    else if ('whiteout' in s)
      await run('umoci', ['insert', '--image', img, ...target, '--whiteout', s.whiteout]);
    else await run('umoci', ['insert', '--image', img, ...target, '--opaque', s.opaque, s.at]);
  }
}

export interface Pushed {
  reference: string;
  digest: string;
  configDigest: string;
  diffIds: string[];
}

export async function pushImage(layout: string, tag: string, reference: string): Promise<Pushed> {
  await run('skopeo', [
    'copy',
    '-q',
    '--dest-tls-verify=false',
    `oci:${layout}:${tag}`,
    `docker://${reference}`,
  ]);
  const raw = await run('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${reference}`], {
    encoding: 'buffer',
  } as Parameters<typeof execFile>[2]);
  const manifestBytes = raw.stdout as unknown as Buffer;
  const manifest = JSON.parse(manifestBytes.toString('utf8'));
  const config = JSON.parse(
    (await run('skopeo', ['inspect', '--config', '--raw', '--tls-verify=false', `docker://${reference}`]))
      .stdout as string,
  );
  return {
    reference,
    digest: `sha256:${createHash('sha256').update(manifestBytes).digest('hex')}`,
    configDigest: manifest.config.digest,
    diffIds: config.rootfs.diff_ids,
  };
}
