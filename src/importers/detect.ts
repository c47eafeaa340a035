// `runsight import auto`: which scanner wrote a document, from the shape of its top level only
// (cheap tests, no full validation — the chosen parser validates).
import { ReportFormatError } from './errors.js';
import type { ImportFormat } from './model.js';

export function detectReportFormat(data: unknown, file: string): ImportFormat {
  const first = Array.isArray(data) ? data[0] : data;
  if (Array.isArray(data)) {
    if (isObj(first) && 'Target' in first) return 'trivy';
    if (isObj(first) && typeof first.kind === 'string') return 'trivy-operator';
  } else if (isObj(data)) {
    if ('SchemaVersion' in data || 'ClusterName' in data) return 'trivy';
    if (data.bomFormat === 'CycloneDX') return 'cyclonedx';
    if (Array.isArray(data.matches) && ('descriptor' in data || 'source' in data)) return 'grype';
    if (Array.isArray(data.results) && data.results.every((r) => isObj(r) && 'source' in r))
      return 'osv-scanner';
    if (typeof data.apiVersion === 'string' && data.apiVersion.startsWith('aquasecurity.github.io/'))
      return 'trivy-operator';
    if (typeof data.kind === 'string' && Array.isArray(data.items)) return 'trivy-operator';
    const keys = Object.keys(data);
    if (keys.length && keys.every((k) => k.endsWith('.aquasecurity.github.io'))) return 'trivy-operator';
  }
  throw new ReportFormatError(
    file,
    'cannot tell which scanner wrote this file: expected Trivy JSON, Grype JSON, CycloneDX JSON, trivy-operator resources or osv-scanner JSON; name the format instead of `auto`',
  );
}

function isObj(x: unknown): x is Record<string, unknown> {
  return !!x && typeof x === 'object' && !Array.isArray(x);
}
