// Go build information embedded in binaries (`go version -m`): the Go version and the module
// graph (path, main module, deps, `=>` replacements). Reads the Go 1.18+ inline format that starts
// with the 16-byte-aligned magic `\xff Go buildinf:` (in `.go.buildinfo` on ELF). Older binaries
// (pointer format) are reported as unsupported. Spec: Go `debug/buildinfo` and `runtime/debug`
// (BuildInfo.String format). A large binary is read from disk a window at a time (never whole).
import { open } from 'node:fs/promises';
import { elfSections, elfSectionsOfFile, isElf, readAt } from '../../../elf.js';

const MAGIC = Buffer.from('\xff Go buildinf:', 'latin1');

export interface GoModule {
  path: string;
  version: string;
  replace?: { path: string; version: string } | undefined;
}

export interface GoBuildInfo {
  goVersion: string;
  path?: string | undefined;
  main?: GoModule | undefined;
  deps: GoModule[];
}

export class UnsupportedBuildInfoError extends Error {
  override readonly name = 'UnsupportedBuildInfoError';
}

/** Returns the build info of an ELF Go binary, undefined when the file is not a Go binary. */
export function readGoBuildInfo(data: Buffer): GoBuildInfo | undefined {
  if (!isElf(data)) return undefined;
  const section = elfSections(data).find((s) => s.name === '.go.buildinfo');
  let at = section ? data.indexOf(MAGIC, section.offset) : data.indexOf(MAGIC);
  while (at >= 0) {
    const info = decodeAt(data, at);
    if (info) return info;
    at = data.indexOf(MAGIC, at + 1);
  }
  return undefined;
}

/** Search step and decode window for a binary on disk: build info is a few KiB, at most a few MiB. */
const CHUNK = 1024 * 1024;
const WINDOW = 4 * 1024 * 1024;

/** As readGoBuildInfo, for a file on disk: reads the section table, then searches a chunk at a time. */
export async function readGoBuildInfoFromFile(path: string): Promise<GoBuildInfo | undefined> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    if (!isElf(await readAt(file, 0, 64))) return undefined;
    const section = (await elfSectionsOfFile(file, size)).find((s) => s.name === '.go.buildinfo');
    for (let pos = section?.offset ?? 0; pos < size; pos += CHUNK - MAGIC.length) {
      const chunk = await readAt(file, pos, CHUNK);
      for (let at = chunk.indexOf(MAGIC); at >= 0; at = chunk.indexOf(MAGIC, at + 1)) {
        const info = decodeAt(await readAt(file, pos + at, WINDOW), 0);
        if (info) return info;
      }
    }
    return undefined;
  } finally {
    await file.close();
  }
}

function decodeAt(data: Buffer, at: number): GoBuildInfo | undefined {
  if (at + 32 > data.length) return undefined;
  const ptrSize = data[at + 14];
  const flags = data[at + 15]!;
  if (ptrSize !== 4 && ptrSize !== 8) return undefined;
  if ((flags & 2) === 0)
    throw new UnsupportedBuildInfoError('Go < 1.18 build info (pointer format) is not supported');
  let pos = at + 32;
  const readString = (): string | undefined => {
    let len = 0;
    let shift = 0;
    for (;;) {
      if (pos >= data.length || shift > 35) return undefined;
      const b = data[pos++]!;
      len |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) break;
      shift += 7;
    }
    if (len < 0 || pos + len > data.length) return undefined;
    const s = data.subarray(pos, pos + len).toString('utf8');
    pos += len;
    return s;
  };
  const goVersion = readString();
  let modinfo = readString();
  if (!goVersion?.startsWith('go') || modinfo === undefined) return undefined;
  // modinfo is framed by 16-byte sentinels.
  if (modinfo.length >= 33 && modinfo[modinfo.length - 17] === '\n') modinfo = modinfo.slice(16, -16);
  return { goVersion, ...parseModInfo(modinfo) };
}

export function parseModInfo(text: string): Omit<GoBuildInfo, 'goVersion'> {
  const out: Omit<GoBuildInfo, 'goVersion'> = { deps: [] };
  let last: GoModule | undefined;
  for (const line of text.split('\n')) {
    const f = line.split('\t');
    if (f[0] === 'path') out.path = f[1];
    else if (f[0] === 'mod') last = out.main = { path: f[1] ?? '', version: f[2] ?? '' };
    else if (f[0] === 'dep') {
      last = { path: f[1] ?? '', version: f[2] ?? '' };
      out.deps.push(last);
    } else if (f[0] === '=>' && last) last.replace = { path: f[1] ?? '', version: f[2] ?? '' };
  }
  return out;
}
