// readZip's direct path (one read and one synchronous inflate per entry, issue 15): the bytes are
// those Python's zipfile writes, from memory and from disk, and a lying or cut archive is an error.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readZip } from './zip.js';

const dir = mkdtempSync(join(tmpdir(), 'runsight-zip-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A zip written by Python: a deflated text entry, a stored one and a larger deflated one. */
function pythonZip(): Buffer {
  const path = join(dir, 'a.zip');
  execFileSync('python3', [
    '-c',
    [
      'import zipfile,sys',
      'z=zipfile.ZipFile(sys.argv[1],"w")',
      'z.writestr(zipfile.ZipInfo("META-INF/MANIFEST.MF"),"Manifest-Version: 1.0\\n"*3,compress_type=zipfile.ZIP_DEFLATED)',
      'z.writestr("lib/inner.jar",b"PK-not-really"*10,compress_type=zipfile.ZIP_STORED)',
      'z.writestr("big.txt","".join("line %d\\n"%i for i in range(20000)),compress_type=zipfile.ZIP_DEFLATED)',
      'z.close()',
    ].join('\n'),
    path,
  ]);
  return readFileSync(path);
}

async function entries(source: Buffer | string): Promise<Map<string, string>> {
  const got = new Map<string, string>();
  await readZip(
    source,
    () => true,
    async (name, c) => {
      got.set(name, c.data!.toString('latin1'));
    },
    { remaining: 1 << 30 },
    8 * 1024 * 1024,
  );
  return got;
}

describe('readZip', () => {
  it("reads stored and deflated entries as Python's zipfile wrote them, from memory and from disk", async () => {
    const zip = pythonZip();
    const expected = new Map([
      ['META-INF/MANIFEST.MF', 'Manifest-Version: 1.0\n'.repeat(3)],
      ['lib/inner.jar', 'PK-not-really'.repeat(10)],
      ['big.txt', Array.from({ length: 20000 }, (_, i) => `line ${i}\n`).join('')],
    ]);
    expect(await entries(zip)).toEqual(expected);
    const file = join(dir, 'copy.zip');
    writeFileSync(file, zip);
    expect(await entries(file)).toEqual(expected);
  });

  it('an entry that inflates past the size its central directory states is an error', async () => {
    const zip = Buffer.from(pythonZip());
    // Understate big.txt's uncompressed size in its central directory record (offset 24).
    const name = Buffer.from('big.txt');
    let at = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    while (at >= 0 && !zip.subarray(at + 46, at + 46 + name.length).equals(name))
      at = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]), at - 1);
    expect(at).toBeGreaterThan(0);
    zip.writeUInt32LE(1000, at + 24);
    await expect(entries(zip)).rejects.toThrow(/big\.txt/);
  });

  it('an archive whose entry data is cut off is an error, not a short entry', async () => {
    const zip = pythonZip();
    // Keep the central directory but drop the data before it: offsets now point past the end.
    const cd = zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    const cut = Buffer.concat([zip.subarray(0, 40), zip.subarray(cd)]);
    await expect(entries(cut)).rejects.toThrow();
  });

  it('the byte budget stops inflating', async () => {
    await expect(
      readZip(
        pythonZip(),
        () => true,
        async () => {},
        { remaining: 1000 },
        8 * 1024 * 1024,
      ),
    ).rejects.toThrow(/byte limit/);
  });
});
