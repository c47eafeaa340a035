import { describe, expect, it } from 'vitest';
import { isKnownEcosystem, osvEcosystem } from './index.js';

describe('osvEcosystem: OS family + release → OSV ecosystem (scanner and importers alike)', () => {
  it.each([
    // os-release IDs as the built-in scanner reads them
    ['debian', '12', 'Debian:12'],
    ['debian', '10.4', 'Debian:10'],
    ['debian', undefined, 'Debian'],
    ['ubuntu', '22.04', 'Ubuntu:22.04'],
    ['ubuntu', '18.04', 'Ubuntu:18.04'],
    ['ubuntu', '22.04.3', 'Ubuntu:22.04'],
    ['ubuntu', undefined, 'Ubuntu'],
    ['alpine', '3.18.4', 'Alpine:v3.18'],
    ['alpine', '3.10.2', 'Alpine:v3.10'],
    ['alpine', 'edge', 'Alpine'],
    ['almalinux', '8.9', 'AlmaLinux:8'],
    ['rocky', '9.3', 'Rocky Linux:9'],
    ['rhel', '9.2', 'Red Hat'],
    ['centos', '7.9.2009', 'Red Hat'],
    ['mariner', '2.0', 'Mariner:2.0'],
    ['azurelinux', '3.0', 'Azure Linux:3.0'],
    ['sles', '15.3', 'SUSE:Linux Enterprise Server 15 SP3'],
    ['sles', '15', 'SUSE:Linux Enterprise Server 15'],
    ['opensuse-leap', '15.5', 'openSUSE:Leap 15.5'],
    ['opensuse-tumbleweed', '20231010', 'openSUSE:Tumbleweed'],
    ['photon', '5.0', 'Photon OS:5.0'],
    ['wolfi', '20230201', 'Wolfi'],
    ['chainguard', undefined, 'Chainguard'],
    ['amzn', '2023', 'Amazon Linux:2023'],
    ['ol', '8.9', 'Oracle Linux:8'],
    ['fedora', '39', 'Fedora:39'],
    // family words as Trivy and Grype write them
    ['amazon', '2 (Karoo)', 'Amazon Linux:2'],
    ['redhat', '9.1', 'Red Hat'],
    ['alma', '8.5', 'AlmaLinux:8'],
    ['rockylinux', '8.5', 'Rocky Linux:8'],
    ['cbl-mariner', '2.0.20230126', 'Mariner:2.0'],
    ['suse linux enterprise server', '15.4', 'SUSE:Linux Enterprise Server 15 SP4'],
    ['opensuse.leap', '15.4', 'openSUSE:Leap 15.4'],
    ['Debian', '11', 'Debian:11'],
    // not an OS OSV knows
    ['plan9', '4', undefined],
    ['unknown', '1', undefined],
  ])('%s %s → %s', (family, release, ecosystem) => {
    expect(osvEcosystem(family, release)).toBe(ecosystem);
    // whatever name it gives, versions in it can be compared: matching never meets an unknown ecosystem
    if (ecosystem) expect(isKnownEcosystem(ecosystem)).toBe(true);
  });
});
