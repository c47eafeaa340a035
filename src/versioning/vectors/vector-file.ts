// The shared vector format (osv-scanner semantic/testdata/*-versions.txt): one `A OP B` per line,
// OP in <, =, >; blank lines and lines starting with "#" or "//" are comments. Every comparator is
// tested by one runner over these files (vectors.test.ts).
import { readFileSync } from 'node:fs';
import type { Ordering } from '../scheme.js';

export interface Vector {
  file: string;
  line: number;
  a: string;
  b: string;
  expected: Ordering;
}

const OPS: Record<string, Ordering> = { '<': -1, '=': 0, '>': 1 };

export function parseVectors(text: string, file: string): Vector[] {
  const out: Vector[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith('//')) return;
    const m = /^(\S+)\s+([<=>])\s+(\S+)(?:\s+#.*)?$/.exec(line);
    if (!m) throw new Error(`${file}:${i + 1}: expected "A OP B", got ${JSON.stringify(raw)}`);
    out.push({ file, line: i + 1, a: m[1]!, b: m[3]!, expected: OPS[m[2]!]! });
  });
  return out;
}

export function readVectors(path: string): Vector[] {
  return parseVectors(readFileSync(path, 'utf8'), path);
}
