import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { extractFile } from '../../../test-support/expected.js';
import { rubyExtractor } from './ruby.js';

function rubyGems(): [string, string][] | undefined {
  try {
    const out = execFileSync(
      'ruby',
      ['-e', 'Gem::Specification.each { |s| puts "#{s.loaded_from}\\t#{s.name}@#{s.version}" }'],
      {
        encoding: 'utf8',
      },
    );
    return out
      .split('\n')
      .filter((l) => l.includes('/specifications/'))
      .map((l) => l.split('\t') as [string, string]);
  } catch {
    if (process.env.CI === 'true') throw new Error('CI=true and ruby (Debian package ruby) is missing');
    return undefined;
  }
}

describe('lang/ruby', () => {
  it("this machine's installed gemspecs agree with RubyGems' own reading of them", async () => {
    const gems = rubyGems();
    if (!gems) {
      console.warn('ruby is not installed; skipping');
      return;
    }
    expect(gems.length).toBeGreaterThan(20);
    for (const [file, id] of gems) {
      const got = await extractFile(rubyExtractor, file.slice(1), readFileSync(file));
      expect(got.map((p) => `${p.name}@${p.version}`)).toEqual([id]);
    }
  });

  it('a gemspec without literal name/version is a clear error', async () => {
    await expect(
      extractFile(
        rubyExtractor,
        'usr/lib/ruby/gems/3.1.0/specifications/x.gemspec',
        Buffer.from('Gem::Specification.new do |s|\nend\n'),
      ),
    ).rejects.toThrow(/without a literal name or version/);
  });
});
