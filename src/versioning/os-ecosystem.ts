// Operating-system family + release → OSV ecosystem name with its release (`Debian:12`,
// `Ubuntu:22.04`, `Alpine:v3.18`, `AlmaLinux:8`, `Rocky Linux:9`, `Mariner:2.0`,
// `SUSE:Linux Enterprise Server 15 SP3`, `openSUSE:Leap 15.5`, `Red Hat`…). The ONE mapping for the
// built-in scanner (os-release ID + VERSION_ID), SBOM input and imported reports (Trivy/Grype OS
// family words), so their findings key the same advisories and re-matching agrees with both.
// Spec: OSV schema ecosystem list (https://ossf.github.io/osv-schema/#affectedpackage-field); the
// families OSV does not publish itself (Amazon, Oracle, Fedora) follow the same `Name:release` form.

/** An OS family (os-release ID or a scanner's family word) and release → OSV ecosystem, or undefined. */
export function osvEcosystem(family: string, release?: string | undefined): string | undefined {
  const f = family.toLowerCase();
  const r = (release ?? '').trim().split(/\s+/)[0] ?? ''; // `2 (Karoo)` → `2`
  const major = r.split('.')[0] ?? '';
  const majorMinor = r.split('.').slice(0, 2).join('.');
  const withRelease = (name: string, rel: string) => (rel ? `${name}:${rel}` : name);
  switch (f) {
    case 'debian':
      return withRelease('Debian', major);
    case 'ubuntu':
      return withRelease('Ubuntu', majorMinor);
    case 'alpine': {
      const m = /^(\d+)\.(\d+)/.exec(r);
      return m ? `Alpine:v${m[1]}.${m[2]}` : 'Alpine';
    }
    case 'almalinux':
    case 'alma':
      return withRelease('AlmaLinux', major);
    case 'rocky':
    case 'rockylinux':
      return withRelease('Rocky Linux', major);
    case 'redhat':
    case 'rhel':
    // CentOS is a Red Hat Enterprise Linux rebuild; OSV publishes no CentOS ecosystem.
    case 'centos':
      return 'Red Hat';
    case 'amazon':
    case 'amzn':
      return withRelease('Amazon Linux', major);
    case 'oracle':
    case 'ol':
      return withRelease('Oracle Linux', major);
    case 'fedora':
      return withRelease('Fedora', major);
    case 'photon':
      return withRelease('Photon OS', majorMinor);
    case 'wolfi':
      return 'Wolfi';
    case 'chainguard':
      return 'Chainguard';
    case 'cbl-mariner':
    case 'mariner':
      return withRelease('Mariner', majorMinor);
    case 'azurelinux':
      return withRelease('Azure Linux', majorMinor);
    case 'sles':
    case 'sle_hpc':
    case 'sles_sap':
    case 'suse linux enterprise server': {
      const m = /^(\d+)(?:\.(\d+))?/.exec(r);
      if (!m) return 'SUSE';
      return `SUSE:Linux Enterprise Server ${m[1]}${m[2] && m[2] !== '0' ? ` SP${m[2]}` : ''}`;
    }
    case 'opensuse':
    case 'opensuse-leap':
    case 'opensuse.leap':
      return r ? `openSUSE:Leap ${r}` : 'openSUSE';
    case 'opensuse-tumbleweed':
    case 'opensuse.tumbleweed':
      return 'openSUSE:Tumbleweed';
    default:
      return undefined;
  }
}
