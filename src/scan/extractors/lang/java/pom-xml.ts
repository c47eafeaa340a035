// The identity a `pom.xml` states: the project's groupId, artifactId and version, the parent's
// groupId and version standing in for absent ones (Maven's inheritance), `${…}` references resolved
// from the project's own coordinates and `<properties>`. Only the elements directly under `<project>`
// and `<project><parent>` count; a dependency's groupId deeper down never does.
// Spec: Maven POM reference (maven.apache.org/pom.html: Inheritance, Properties).

export interface PomIdentity {
  groupId?: string | undefined;
  artifactId?: string | undefined;
  /** Absent when missing or when a `${…}` in it cannot be resolved from the pom alone. */
  version?: string | undefined;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Reads a pom.xml; returns undefined when it has no `<project>` root. */
export function parsePomXml(text: string): PomIdentity | undefined {
  const xml = text
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<\?[\s\S]*?\?>/g, '')
    .replace(/<!DOCTYPE[^>]*>/gi, '');
  const own: Record<string, string> = {};
  const parent: Record<string, string> = {};
  const props: Record<string, string> = {};
  const stack: string[] = [];
  let textStart = 0;
  const tag = /<(\/?)([A-Za-z_][\w.:-]*)[^>]*?(\/?)>/g;
  for (let m = tag.exec(xml); m; m = tag.exec(xml)) {
    const [, close, name, selfClosing] = m;
    if (close) {
      if (stack[stack.length - 1] !== name) return undefined; // not well formed
      const value = decode(xml.slice(textStart, m.index));
      const path = stack.join('/');
      stack.pop();
      if (path === `project/${name}`) own[name!] = value;
      else if (path === `project/parent/${name}`) parent[name!] = value;
      else if (path === `project/properties/${name}`) props[name!] = value;
    } else if (!selfClosing) {
      if (stack.length === 0 && name !== 'project') return undefined;
      stack.push(name!);
      textStart = m.index + m[0].length;
    }
  }
  if (!own.artifactId && !parent.artifactId && !own.groupId) return undefined;
  const groupId = own.groupId ?? parent.groupId;
  const version = own.version ?? parent.version;
  const known: Record<string, string | undefined> = {
    'project.groupId': groupId,
    'pom.groupId': groupId,
    'project.artifactId': own.artifactId,
    'pom.artifactId': own.artifactId,
    'project.version': version,
    'pom.version': version,
    'project.parent.groupId': parent.groupId,
    'parent.groupId': parent.groupId,
    'project.parent.version': parent.version,
    'parent.version': parent.version,
  };
  const resolve = (v: string | undefined, depth = 0): string | undefined => {
    if (v === undefined || !v.includes('${')) return v;
    if (depth > 5) return undefined;
    const out = v.replace(/\$\{([^}]+)\}/g, (ref, key: string) => {
      const r = key in known ? known[key] : props[key];
      return r ?? ref;
    });
    return out === v ? undefined : resolve(out, depth + 1);
  };
  return {
    groupId: resolve(groupId),
    artifactId: resolve(own.artifactId),
    version: resolve(version),
  };
}

function decode(s: string): string {
  return s
    .replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, '$1')
    .replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (all, e: string) => {
      if (e[0] !== '#') return ENTITIES[e] ?? all;
      const n = e[1] === 'x' || e[1] === 'X' ? Number.parseInt(e.slice(2), 16) : Number(e.slice(1));
      return n > 0 && n <= 0x10ffff ? String.fromCodePoint(n) : all;
    })
    .trim();
}
