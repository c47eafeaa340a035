// Minimal ELF reader: the section table of a 32- or 64-bit, little- or big-endian ELF file, enough
// to find `.go.buildinfo` and `.dep-v0` (cargo-auditable). Bounds-checked: a truncated or hostile
// file yields no sections rather than an out-of-range read. Spec: System V gABI, ELF header and
// section header table. `elfSectionsOfFile` reads the same table from a file on disk.
import type { FileHandle } from 'node:fs/promises';

export interface ElfSection {
  name: string;
  offset: number;
  size: number;
}

export function isElf(data: Uint8Array): boolean {
  return data.length >= 52 && data[0] === 0x7f && data[1] === 0x45 && data[2] === 0x4c && data[3] === 0x46;
}

export function elfSections(data: Uint8Array): ElfSection[] {
  if (!isElf(data)) return [];
  const is64 = data[4] === 2;
  const le = data[5] === 1;
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const inRange = (o: number, n: number) => o >= 0 && o + n <= data.length;
  const u16 = (o: number) => dv.getUint16(o, le);
  const u32 = (o: number) => dv.getUint32(o, le);
  const addr = (o: number) => (is64 ? Number(dv.getBigUint64(o, le)) : u32(o));
  if (!inRange(0, is64 ? 64 : 52)) return [];
  const shoff = addr(is64 ? 0x28 : 0x20);
  const shentsize = u16(is64 ? 0x3a : 0x2e);
  const shnum = u16(is64 ? 0x3c : 0x30);
  const shstrndx = u16(is64 ? 0x3e : 0x32);
  if (shnum === 0 || !inRange(shoff, shnum * shentsize) || shstrndx >= shnum) return [];
  const raw = [];
  for (let i = 0; i < shnum; i++) {
    const o = shoff + i * shentsize;
    raw.push({
      nameOff: u32(o),
      offset: addr(o + (is64 ? 0x18 : 0x10)),
      size: addr(o + (is64 ? 0x20 : 0x14)),
      type: u32(o + 4),
    });
  }
  const strtab = raw[shstrndx]!;
  if (!inRange(strtab.offset, strtab.size)) return [];
  const out: ElfSection[] = [];
  for (const s of raw) {
    let end = strtab.offset + s.nameOff;
    const start = end;
    while (end < strtab.offset + strtab.size && data[end] !== 0) end++;
    const name = Buffer.from(data.buffer, data.byteOffset + start, end - start).toString('latin1');
    // SHT_NOBITS (8) sections occupy no file bytes.
    if (s.type === 8 || !inRange(s.offset, s.size)) continue;
    out.push({ name, offset: s.offset, size: s.size });
  }
  return out;
}

/** Reads `length` bytes at `offset` of a file (fewer at its end). */
export async function readAt(file: FileHandle, offset: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  const { bytesRead } = await file.read(buf, 0, length, offset);
  return buf.subarray(0, bytesRead);
}

/**
 * The section table of an ELF file on disk, reading only its header, section header table and
 * section name table (not the whole file): for executables too large to hold in memory.
 */
export async function elfSectionsOfFile(file: FileHandle, size: number): Promise<ElfSection[]> {
  const head = await readAt(file, 0, 64);
  if (!isElf(head)) return [];
  const is64 = head[4] === 2;
  const le = head[5] === 1;
  const dv = new DataView(head.buffer, head.byteOffset, head.byteLength);
  if (head.length < (is64 ? 64 : 52)) return [];
  const shoff = is64 ? Number(dv.getBigUint64(0x28, le)) : dv.getUint32(0x20, le);
  const shentsize = dv.getUint16(is64 ? 0x3a : 0x2e, le);
  const shnum = dv.getUint16(is64 ? 0x3c : 0x30, le);
  const shstrndx = dv.getUint16(is64 ? 0x3e : 0x32, le);
  if (shentsize < (is64 ? 64 : 40) || shnum === 0 || shstrndx >= shnum) return [];
  if (shoff + shnum * shentsize > size) return [];
  const table = await readAt(file, shoff, shnum * shentsize);
  const t = new DataView(table.buffer, table.byteOffset, table.byteLength);
  const entry = (i: number) => {
    const o = i * shentsize;
    return {
      nameOff: t.getUint32(o, le),
      type: t.getUint32(o + 4, le),
      offset: is64 ? Number(t.getBigUint64(o + 0x18, le)) : t.getUint32(o + 0x10, le),
      size: is64 ? Number(t.getBigUint64(o + 0x20, le)) : t.getUint32(o + 0x14, le),
    };
  };
  const strtab = entry(shstrndx);
  // A section name table is a few KiB; a larger one is not trusted.
  if (strtab.offset + strtab.size > size || strtab.size > 1024 * 1024) return [];
  const names = await readAt(file, strtab.offset, strtab.size);
  const out: ElfSection[] = [];
  for (let i = 0; i < shnum; i++) {
    const s = entry(i);
    if (s.type === 8 || s.offset + s.size > size || s.nameOff >= names.length) continue;
    const end = names.indexOf(0, s.nameOff);
    out.push({
      name: names.toString('latin1', s.nameOff, end < 0 ? names.length : end),
      offset: s.offset,
      size: s.size,
    });
  }
  return out;
}
