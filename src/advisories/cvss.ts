// CVSS vectors → base score and qualitative rating, computed with ae-cvss-calculator (a maintained
// implementation of the FIRST specifications: https://www.first.org/cvss/).
import cvssLib from 'ae-cvss-calculator';

// The package is CommonJS: its classes come off the default export under ESM.
const { Cvss2, Cvss3P0, Cvss3P1, Cvss4P0 } = cvssLib;

import type { CvssVersion } from '../core/advisory.js';
import type { Severity } from '../core/types.js';

export interface CvssScore {
  version: CvssVersion;
  vector: string;
  score: number;
  rating: Severity;
}

const V2 = /^(?:\(?AV:[LAN]\/AC:[HML]\/Au:[MSN]\/C:[NPC]\/I:[NPC]\/A:[NPC](?:\/[A-Za-z]+:[A-Z]+)*\)?)$/;

/** Scores a vector; undefined when it is not a CVSS v2, v3.0, v3.1 or v4.0 base vector. */
export function scoreCvss(vector: string): CvssScore | undefined {
  const v = vector.trim();
  try {
    if (v.startsWith('CVSS:3.1/')) return result('3.1', v, new Cvss3P1(v).calculateScores().base);
    if (v.startsWith('CVSS:3.0/')) return result('3.0', v, new Cvss3P0(v).calculateScores().base);
    if (v.startsWith('CVSS:4.0/')) return result('4.0', v, new Cvss4P0(v).calculateScores().base);
    const v2 = v.replace(/^CVSS:2\.0\//, '');
    if (V2.test(v2)) return result('2.0', v, new Cvss2(v2.replace(/^\(|\)$/g, '')).calculateScores().base);
  } catch {
    return undefined;
  }
  return undefined;
}

function result(version: CvssVersion, vector: string, score: number | undefined): CvssScore | undefined {
  if (score === undefined || Number.isNaN(score)) return undefined;
  return { version, vector, score, rating: ratingFor(version, score) };
}

/** FIRST qualitative scale: v3/v4 None 0 (reported LOW), Low <4, Medium <7, High <9, Critical; v2 has no Critical. */
export function ratingFor(version: CvssVersion, score: number): Severity {
  if (version === '2.0') return score >= 7 ? 'HIGH' : score >= 4 ? 'MEDIUM' : 'LOW';
  return score >= 9 ? 'CRITICAL' : score >= 7 ? 'HIGH' : score >= 4 ? 'MEDIUM' : 'LOW';
}
