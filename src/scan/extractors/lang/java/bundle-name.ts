// The group id a Bundle-SymbolicName confirms for the artifact id a file name states. The Apache
// Felix maven-bundle-plugin names a bundle it builds from the coordinates (maven-shared-osgi
// DefaultMaven2OsgiConverter, dotted groupId): artifactId = last section of groupId → groupId;
// artifactId starting with that section → groupId + "." + the rest (one separator dropped);
// otherwise groupId + "." + artifactId. A one-section groupId (`commons-io`) is named after the
// jar's packages instead, and many projects set the name by hand (Apache Commons
// `org.apache.commons.cli` for `commons-cli:commons-cli`, Guice `com.google.inject.servlet` for
// `com.google.inject.extensions:guice-servlet`), so inverting the rule alone guesses wrong.
// A group counts only when (a) Implementation-Vendor-Id (Maven archiver writes the groupId there)
// is one the rule maps back to the name, or (b) without a vendor id, the name is literally
// `<group>.<artifact>` and the artifact holds a `-`, which no package name (the one-section rule,
// hand-set package-like names) can contain.

/** What maven-bundle-plugin would name the bundle of `group:artifact` (dotted groupId). */
export function defaultBundleSymbolicName(group: string, artifact: string): string {
  const last = group.slice(group.lastIndexOf('.') + 1);
  if (artifact === last) return group;
  if (artifact.startsWith(last)) {
    const rest = artifact.slice(last.length);
    return `${group}.${/^[\p{L}\p{N}]/u.test(rest) ? rest : rest.slice(1)}`;
  }
  return `${group}.${artifact}`;
}

/** Every dotted groupId that the default rule maps, with `artifact`, to `symbolicName`. */
export function groupsForBundle(symbolicName: string, artifact: string): string[] {
  const out: string[] = [];
  for (let i = symbolicName.indexOf('.'); i >= 0; i = symbolicName.indexOf('.', i + 1)) {
    const group = symbolicName.slice(0, i);
    // a one-section groupId is named after the jar's packages instead: not invertible
    if (group.includes('.') && defaultBundleSymbolicName(group, artifact) === symbolicName) out.push(group);
  }
  if (symbolicName.includes('.') && defaultBundleSymbolicName(symbolicName, artifact) === symbolicName)
    out.push(symbolicName);
  return out;
}

/** The groupId the manifest confirms for `artifact`, or undefined when it confirms none. */
export function confirmedGroup(
  symbolicName: string,
  artifact: string,
  vendorId: string | undefined,
): string | undefined {
  const groups = groupsForBundle(symbolicName, artifact);
  if (vendorId) return groups.includes(vendorId) ? vendorId : undefined;
  const suffix = `.${artifact}`;
  if (!artifact.includes('-') || !symbolicName.endsWith(suffix)) return undefined;
  const group = symbolicName.slice(0, -suffix.length);
  return groups.includes(group) ? group : undefined;
}
