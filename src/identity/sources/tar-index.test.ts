// The tar header index over archives written by GNU tar in its three header dialects (ustar with
// prefix, GNU long names, PAX records): members are found by name and read in place.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readAll } from '../digest-stream.js';
import { ImageSourceError } from '../errors.js';
import { indexTar, openMember } from './tar-index.js';

const dir = mkdtempSync(join(tmpdir(), 'runsight-tar-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const longDir = `${'d'.repeat(60)}/${'e'.repeat(60)}`;
const longName = `${longDir}/${'f'.repeat(90)}.txt`;
mkdirSync(join(dir, 'src', longDir), { recursive: true });
writeFileSync(join(dir, 'src', longName), 'long\n');
writeFileSync(join(dir, 'src', 'small'), Buffer.alloc(1500, 7));
writeFileSync(join(dir, 'src', 'empty'), '');

describe('indexTar', () => {
  it.each(['gnu', 'pax', 'ustar'])('reads %s archives', async (format) => {
    const file = join(dir, `${format}.tar`);
    const members = format === 'ustar' ? ['small', 'empty'] : ['small', 'empty', longName];
    execFileSync('tar', [`--format=${format}`, '-cf', file, '-C', join(dir, 'src'), ...members]);
    const idx = await indexTar(file);
    expect((await readAll(openMember(idx, idx.members.get('small')!))).equals(Buffer.alloc(1500, 7))).toBe(
      true,
    );
    expect((await readAll(openMember(idx, idx.members.get('empty')!))).length).toBe(0);
    if (format !== 'ustar')
      expect((await readAll(openMember(idx, idx.members.get(longName)!))).toString()).toBe('long\n');
  });

  it('rejects files that are not tar archives, and truncated archives', async () => {
    const junk = join(dir, 'junk');
    writeFileSync(junk, Buffer.alloc(2048, 65));
    await expect(indexTar(junk)).rejects.toThrow(ImageSourceError);
    const full = join(dir, 'gnu.tar');
    const cut = join(dir, 'cut.tar');
    execFileSync('sh', ['-c', `head -c 1024 ${full} > ${cut}`]);
    await expect(indexTar(cut)).rejects.toThrow(/truncated/);
  });
});
