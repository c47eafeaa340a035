// The scope report as JSON: the document itself, indented, with no raw control character.
import type { ScopeReport } from './document.js';

export function renderScopeReportJson(report: ScopeReport): string {
  // JSON.stringify escapes C0 controls; U+2028/2029 and DEL are escaped too so the text is safe anywhere.
  return `${JSON.stringify(report, null, 2).replace(/[\u007f\u2028\u2029]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`)}\n`;
}
