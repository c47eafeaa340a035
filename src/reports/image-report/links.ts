// Where a vulnerability is described: the OSV page of an advisory Runsight holds from an OSV
// source, else the home of the id's own database (CVE → cve.org, GHSA → GitHub advisories); none
// when neither is known. And the image as a URI for SARIF locations.
import type { ImageReportFacts } from '../../store/index.js';
import type { ImageReportData } from './model.js';

export function advisoryUrl(id: string, facts: ImageReportFacts | undefined): string | undefined {
  const a = facts?.advisory;
  if (a?.source.startsWith('osv')) return `https://osv.dev/vulnerability/${encodeURIComponent(a.id)}`;
  if (/^CVE-\d{4}-\d{4,}$/.test(id)) return `https://www.cve.org/CVERecord?id=${id}`;
  if (/^GHSA(-[23456789cfghjmpqrvwx]{4}){3}$/.test(id)) return `https://github.com/advisories/${id}`;
  return undefined;
}

/** `oci://registry/repository@sha256:…`, or the bare digest when no name is known. */
export function imageUri(name: ImageReportData['name'], digest: string): string {
  return name ? `oci://${name.registry}/${name.repository}@${digest}` : digest;
}
