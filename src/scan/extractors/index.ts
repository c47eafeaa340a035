// The explicit, typed list of extractor plugins (no side-effect registration). Order matters only
// for reporting. Bump an extractor's `version` when its output changes: that invalidates exactly its
// per-layer cache entries.
import type { Extractor } from '../types.js';
import { goExtractor } from './lang/go/go.js';
import { javaExtractor } from './lang/java/java.js';
import { npmExtractor } from './lang/npm/npm.js';
import { pythonExtractor } from './lang/python/python.js';
import { rubyExtractor } from './lang/ruby/ruby.js';
import { rustExtractor } from './lang/rust/rust.js';
import { apkExtractor } from './os/apk/apk.js';
import { dpkgExtractor } from './os/dpkg/dpkg.js';
import { dpkgFilesExtractor } from './os/dpkg/dpkg-files.js';
import { releaseExtractor } from './os/release/release.js';
import { rpmExtractor } from './os/rpm/rpm.js';

export const EXTRACTORS: readonly Extractor[] = [
  releaseExtractor,
  dpkgExtractor,
  dpkgFilesExtractor,
  apkExtractor,
  rpmExtractor,
  npmExtractor,
  pythonExtractor,
  javaExtractor,
  goExtractor,
  rubyExtractor,
  rustExtractor,
];

export {
  apkExtractor,
  dpkgExtractor,
  dpkgFilesExtractor,
  goExtractor,
  javaExtractor,
  npmExtractor,
  pythonExtractor,
  releaseExtractor,
  rpmExtractor,
  rubyExtractor,
  rustExtractor,
};
