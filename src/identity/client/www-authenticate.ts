// Parses HTTP authentication challenges (RFC 7235 §4.1; the registry token flow in
// distribution/docs/spec/auth/token.md): `Bearer realm="…",service="…",scope="…"` and `Basic realm="…"`.

export interface Challenge {
  scheme: string; // lower-cased: 'bearer' | 'basic' | …
  params: Record<string, string>;
}

/** Parses a WWW-Authenticate header value into its challenges (several may be comma-joined). */
export function parseWwwAuthenticate(header: string): Challenge[] {
  const out: Challenge[] = [];
  let i = 0;
  const s = header;
  const skipWs = () => {
    while (i < s.length && (s[i] === ' ' || s[i] === '\t' || s[i] === ',')) i++;
  };
  while (i < s.length) {
    skipWs();
    const m = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+/.exec(s.slice(i));
    if (!m) break;
    const scheme = m[0].toLowerCase();
    i += m[0].length;
    const params: Record<string, string> = {};
    // auth-params: key=value or key="quoted", comma separated, until the next scheme token.
    for (;;) {
      const save = i;
      while (i < s.length && (s[i] === ' ' || s[i] === '\t')) i++;
      if (s[i] === ',') i++;
      while (i < s.length && (s[i] === ' ' || s[i] === '\t')) i++;
      const km = /^([A-Za-z0-9!#$%&'*+.^_`|~-]+)[ \t]*=[ \t]*/.exec(s.slice(i));
      if (!km) {
        i = save;
        break;
      }
      i += km[0].length;
      let value = '';
      if (s[i] === '"') {
        i++;
        while (i < s.length && s[i] !== '"') {
          if (s[i] === '\\' && i + 1 < s.length) i++;
          value += s[i];
          i++;
        }
        i++; // closing quote
      } else {
        const vm = /^[^,\s]*/.exec(s.slice(i))!;
        value = vm[0];
        i += vm[0].length;
      }
      params[km[1]!.toLowerCase()] = value;
    }
    out.push({ scheme, params });
    if (i < s.length && s[i] !== ',' && s[i] !== ' ') break;
  }
  return out;
}
