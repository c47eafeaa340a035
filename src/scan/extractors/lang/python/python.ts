// lang/python: installed Python distributions from core metadata — `*.dist-info/METADATA` (wheels,
// pip) and `*.egg-info/PKG-INFO` or a bare `*.egg-info` file (setuptools eggs).
// Spec: https://packaging.python.org/en/latest/specifications/core-metadata/
import { MalformedFileError } from '../../../errors.js';
import type { ExtractedPackage, Extractor } from '../../../types.js';

export const pythonExtractor: Extractor = {
  name: 'lang/python',
  version: 1,
  fileRequired: (f) =>
    f.path.endsWith('.dist-info/METADATA') ||
    f.path.endsWith('.egg-info/PKG-INFO') ||
    f.path.endsWith('EGG-INFO/PKG-INFO') ||
    f.path.endsWith('.egg-info'),
  async extract(input) {
    return { packages: parseCoreMetadata((await input.bytes()).toString('utf8'), input.path) };
  },
};

export function parseCoreMetadata(text: string, path: string): ExtractedPackage[] {
  const headers: Record<string, string> = {};
  for (const line of text.split('\n')) {
    if (line.trim() === '') break; // the body (description) starts after the first blank line
    const m = /^([A-Za-z0-9-]+):\s?(.*)$/.exec(line.replace(/\r$/, ''));
    if (m && !(m[1]!.toLowerCase() in headers)) headers[m[1]!.toLowerCase()] = m[2]!.trim();
  }
  const name = headers.name;
  const version = headers.version;
  if (!name || !version) throw new MalformedFileError(path, 'core metadata without Name or Version');
  return [{ kind: 'pypi', name, version, license: headers.license || undefined }];
}
