// Keeps the small files that identify the distribution (os-release and the older release files)
// so that OS detection can run on the folded image. Spec: os-release(5).
import type { Extractor } from '../../../types.js';

export const RELEASE_FILES: readonly string[] = [
  'etc/os-release',
  'usr/lib/os-release',
  'etc/alpine-release',
  'etc/debian_version',
  'etc/redhat-release',
  'etc/lsb-release',
  'etc/mariner-release',
  'etc/system-release',
];

const MAX = 64 * 1024;

export const releaseExtractor: Extractor = {
  name: 'os/release',
  version: 1,
  fileRequired: (f) => f.size <= MAX && RELEASE_FILES.includes(f.path),
  async extract(input) {
    const text = (await input.bytes()).toString('utf8');
    return { packages: [], facts: { content: text } };
  },
};
