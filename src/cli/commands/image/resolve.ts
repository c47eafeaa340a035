// `runsight image resolve REF [--platform OS/ARCH[/VARIANT]|all] [--no-record]`: tag → digest, index
// → platform manifests, recorded in the identity graph — or, with --no-record, only printed: the
// store is not opened (nor its code loaded). REF may be a registry reference or oci:, oci-archive:,
// docker-archive: (docs/identity.md has the JSON schema).
import { type Command, Option } from 'commander';
import type { Platform } from '../../../core/types.js';
import { type ImageResolution, parsePlatform, resolveImageIdentity } from '../../../identity/index.js';
import { group, type Run } from '../../main.js';

type Row = ImageResolution['platforms'][number];

export function registerImageResolveCommand(program: Command, run: Run): void {
  const image = group(program, 'image', 'images: identity, scans, findings');
  image
    .command('resolve')
    .description('resolve an image reference to its digest and platform manifests, and record it')
    .argument(
      '<ref>',
      'registry reference (nginx:1.25, ghcr.io/org/app@sha256:…) or oci:DIR[:TAG], oci-archive:FILE, docker-archive:FILE[:REF]',
    )
    .addOption(
      new Option('--platform <platform>', 'OS/ARCH[/VARIANT] to pick from an index, or "all"').default(
        'linux/amd64',
      ),
    )
    .option('--no-record', 'only resolve and print: nothing is recorded, the store is not opened')
    .action(
      run(async (ctx, ref: string, opts: { platform: string; record: boolean }) => {
        const platform: Platform | 'all' = opts.platform === 'all' ? 'all' : parsePlatform(opts.platform);
        const store = opts.record ? await ctx.store() : undefined;
        const result = await resolveImageIdentity(ref, {
          platform,
          signal: ctx.signal,
          store,
          ...ctx.registryOptions,
        });
        // Posture follows what was recorded; imported here so that --no-record never loads it.
        if (store) await (await import('../../posture-format.js')).maintain(ctx);
        const recorded = (result as { recorded?: { drifted: boolean; previousDigest?: string } }).recorded;
        const footer = [`${result.reference} → ${result.digest} (${result.mediaType})`];
        if (recorded?.drifted)
          footer.push(`tag moved: it pointed to ${recorded.previousDigest} when last resolved`);
        return {
          json: { ...result },
          rows: result.platforms,
          columns: [
            {
              header: 'platform',
              value: (r: Row) => [r.os, r.architecture, r.variant].filter(Boolean).join('/'),
            },
            { header: 'digest', value: (r: Row) => r.digest },
            { header: 'config', value: (r: Row) => r.configDigest },
          ],
          footer,
        };
      }),
    );
}
