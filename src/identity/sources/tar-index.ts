// Indexes an uncompressed tar file (POSIX ustar, GNU long names, PAX path records) by reading
// only its headers, so members can be streamed straight from their byte ranges without
// extracting. Used for OCI archives and docker-save archives.
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { ImageSourceError } from '../errors.js';

export interface TarMember {
  name: string;
  offset: number;
  size: number;
  type: string;
}

export interface TarIndex {
  file: string;
  members: Map<string, TarMember>;
}

function cstr(buf: Buffer, start: number, length: number): string {
  const slice = buf.subarray(start, start + length);
  const nul = slice.indexOf(0);
  return slice.subarray(0, nul === -1 ? slice.length : nul).toString('utf8');
}

function octal(buf: Buffer, start: number, length: number): number {
  if ((buf[start]! & 0x80) !== 0) {
    // base-256 (GNU) for sizes over 8 GiB
    let n = 0;
    for (let i = start + 1; i < start + length; i++) n = n * 256 + buf[i]!;
    return n;
  }
  const s = cstr(buf, start, length).trim();
  return s ? Number.parseInt(s, 8) : 0;
}

function parsePax(data: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  while (i < data.length) {
    const space = data.indexOf(0x20, i);
    if (space === -1) break;
    const len = Number.parseInt(data.subarray(i, space).toString(), 10);
    if (!len) break;
    const record = data.subarray(space + 1, i + len - 1).toString('utf8');
    const eq = record.indexOf('=');
    if (eq !== -1) out[record.slice(0, eq)] = record.slice(eq + 1);
    i += len;
  }
  return out;
}

export function normaliseMemberName(name: string): string {
  return name.replace(/^(\.\/)+/, '').replace(/\/+$/, '');
}

/** Reads every header of `file`. Throws ImageSourceError for a compressed or corrupt tar. */
export async function indexTar(file: string): Promise<TarIndex> {
  let fh: Awaited<ReturnType<typeof open>>;
  try {
    fh = await open(file, 'r');
  } catch (err) {
    throw new ImageSourceError(`cannot open archive ${file}: ${(err as NodeJS.ErrnoException).code ?? err}`);
  }
  const members = new Map<string, TarMember>();
  try {
    const { size: total } = await fh.stat();
    const header = Buffer.alloc(512);
    let pos = 0;
    let longName: string | undefined;
    let pax: Record<string, string> = {};
    while (pos + 512 <= total) {
      await fh.read(header, 0, 512, pos);
      if (pos === 0 && header[0] === 0x1f && header[1] === 0x8b)
        throw new ImageSourceError(
          `${file} is gzip-compressed; expected an uncompressed tar — decompress it first (gunzip -k ${file})`,
        );
      if (header.every((b) => b === 0)) break;
      const magic = cstr(header, 257, 6);
      if (pos === 0 && !magic.startsWith('ustar'))
        throw new ImageSourceError(
          `${file} is not a tar archive (no ustar header); expected an OCI or docker-save archive`,
        );
      const size = octal(header, 124, 12);
      const type = String.fromCharCode(header[156] || 48);
      const dataOffset = pos + 512;
      if (dataOffset + size > total)
        throw new ImageSourceError(
          `${file} is truncated: member at offset ${pos} needs ${size} bytes, the file ends first`,
        );
      if (type === 'L' || type === 'x' || type === 'g') {
        const data = Buffer.alloc(size);
        await fh.read(data, 0, size, dataOffset);
        if (type === 'L') longName = cstr(data, 0, size);
        else if (type === 'x') pax = parsePax(data);
      } else {
        const prefix = magic.startsWith('ustar') ? cstr(header, 345, 155) : '';
        const short = cstr(header, 0, 100);
        const name = normaliseMemberName(pax.path ?? longName ?? (prefix ? `${prefix}/${short}` : short));
        const realSize = pax.size ? Number(pax.size) : size;
        members.set(name, { name, offset: dataOffset, size: realSize, type });
        longName = undefined;
        pax = {};
      }
      pos = dataOffset + Math.ceil(size / 512) * 512;
    }
  } finally {
    await fh.close();
  }
  return { file, members };
}

/** Streams one member's bytes. */
export function openMember(index: TarIndex, member: TarMember, signal?: AbortSignal): Readable {
  if (member.size === 0) return Readable.from([]);
  return createReadStream(index.file, { start: member.offset, end: member.offset + member.size - 1, signal });
}
