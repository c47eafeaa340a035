import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { requireOrSkip } from '../../../../test-support/require-or-skip.js';
import { extractFile } from '../../../test-support/expected.js';
import { rubyExtractor } from './ruby.js';

/** RubyGems' own list of installed gemspecs, or the reason ruby could not give it. */
function rubyGems(): [string, string][] | Error {
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
  } catch (err) {
    return err as Error;
  }
}

describe('lang/ruby', () => {
  it("this machine's installed gemspecs agree with RubyGems' own reading of them", async (ctx) => {
    const gems = rubyGems();
    if (gems instanceof Error) {
      requireOrSkip(false, 'ruby (Debian package ruby)', gems.message);
      return ctx.skip('ruby is not on PATH');
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
