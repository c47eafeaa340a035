// NuGet package versions (NuGet.Versioning.NuGetVersion): 1–4 numeric parts (missing = 0, leading
// zeros allowed), an optional SemVer 2 pre-release compared case-insensitively, build metadata
// ignored. Spec: https://learn.microsoft.com/nuget/concepts/package-versioning.
import { compareDigits, compareStrings, defineScheme, type Ordering } from '../scheme.js';

interface NuGetVersion {
  parts: string[];
  pre: string[];
}

function parse(v: string): NuGetVersion | string {
  const m =
    /^(\d+(?:\.\d+){0,3})(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$/.exec(
      v.trim(),
    );
  if (!m) return 'not N[.N[.N[.N]]][-prerelease][+metadata]';
  const parts = m[1]!.split('.');
  while (parts.length < 4) parts.push('0');
  return { parts, pre: m[2] ? m[2].split('.') : [] };
}

function compare(a: NuGetVersion, b: NuGetVersion): Ordering {
  for (let i = 0; i < 4; i++) {
    const c = compareDigits(a.parts[i]!, b.parts[i]!);
    if (c) return c;
  }
  if (!a.pre.length || !b.pre.length) return a.pre.length === b.pre.length ? 0 : a.pre.length ? -1 : 1;
  for (let i = 0; i < Math.min(a.pre.length, b.pre.length); i++) {
    const x = a.pre[i]!;
    const y = b.pre[i]!;
    const xn = /^\d+$/.test(x);
    const yn = /^\d+$/.test(y);
    const c =
      xn && yn ? compareDigits(x, y) : xn ? -1 : yn ? 1 : compareStrings(x.toLowerCase(), y.toLowerCase());
    if (c) return c;
  }
  return a.pre.length === b.pre.length ? 0 : a.pre.length < b.pre.length ? -1 : 1;
}

export const nuget = defineScheme<NuGetVersion>('nuget', parse, compare);
