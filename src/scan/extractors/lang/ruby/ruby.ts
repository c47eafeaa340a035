// lang/ruby: installed gems from the generated gemspecs RubyGems writes under
// `…/specifications/<name>-<version>.gemspec`. The file is Ruby; only the literal `s.name` and
// `s.version` assignments RubyGems generates are read (no Ruby is evaluated).
// Spec: https://guides.rubygems.org/specification-reference/
import { MalformedFileError } from '../../../errors.js';
import type { ExtractedPackage, Extractor } from '../../../types.js';

export const rubyExtractor: Extractor = {
  name: 'lang/ruby',
  version: 1,
  fileRequired: (f) => f.path.endsWith('.gemspec') && f.path.includes('/specifications/'),
  async extract(input) {
    return { packages: parseGemspec((await input.bytes()).toString('utf8'), input.path) };
  },
};

export function parseGemspec(text: string, path: string): ExtractedPackage[] {
  const str = (field: string): string | undefined => {
    const re = new RegExp(`\\.${field}\\s*=\\s*(?:Gem::Version\\.new\\()?\\s*["']([^"']+)["']`);
    return re.exec(text)?.[1];
  };
  const name = str('name');
  const version = str('version');
  if (!name || !version) throw new MalformedFileError(path, 'gemspec without a literal name or version');
  const license = /\.licenses?\s*=\s*\[?\s*["']([^"']+)["']/.exec(text)?.[1];
  return [{ kind: 'gem', name, version, license }];
}
