// One entry point from a user's image spec to an ImageSource: `oci:DIR[:TAG|@DIGEST]`,
// `oci-archive:FILE[:TAG|@DIGEST]`, `docker-archive:FILE[:REF|:@N]`, or a registry reference
// (`[docker://]registry/repo[:tag][@digest]`). Transport prefixes follow containers-transports(5).

import { UsageError } from '../core/errors.js';
import type { ImageSource } from '../core/image-source.js';
import type { Logger } from '../core/logger.js';
import type { RegistrySourceOptions } from './client/registry-source.js';
import { openRegistrySource } from './client/registry-source.js';
import { openDockerArchive } from './sources/docker-archive.js';
import { openOciArchive, openOciLayout } from './sources/oci-layout.js';

export interface OpenImageSourceOptions extends RegistrySourceOptions {
  logger?: Logger | undefined;
}

export type SourceKind = 'registry' | 'oci' | 'oci-archive' | 'docker-archive';

/** Which transport a spec names. */
export function sourceKind(spec: string): SourceKind {
  for (const kind of ['oci-archive', 'docker-archive', 'oci'] as const)
    if (spec.startsWith(`${kind}:`)) return kind;
  return 'registry';
}

export async function openImageSource(spec: string, opts: OpenImageSourceOptions = {}): Promise<ImageSource> {
  const kind = sourceKind(spec);
  const rest = kind === 'registry' ? spec.replace(/^docker:\/\//, '') : spec.slice(kind.length + 1);
  if (rest === '')
    throw new UsageError(
      `image spec "${spec}" names nothing after the transport; expected e.g. oci:./layout:1.0`,
    );
  switch (kind) {
    case 'oci':
      return openOciLayout(rest);
    case 'oci-archive':
      return openOciArchive(rest);
    case 'docker-archive':
      return openDockerArchive(rest);
    default:
      return openRegistrySource(rest, opts);
  }
}
