// Distinct vulnerabilities over several images, from their encoded vulnerability lists (the store's
// image_posture.vulns: per vulnerability, its number × 32 + its cell): per vulnerability number the
// highest severity and whether any image has it KEV-listed or fixable, then counted per cell.
import { mergeCells } from '../core/severity.js';
import { zeroCells } from './cells.js';

/** Stamps instead of clearing, so a union costs only the images' own list lengths. */
export class VulnUnion {
  private stamp = new Int32Array(1024);
  private merged = new Uint8Array(1024);
  private round = 0;

  cells(lists: Int32Array[]): number[] {
    this.round++;
    const touched: number[] = [];
    for (const list of lists) {
      for (let i = 0; i < list.length; i++) {
        const v = list[i]!;
        const num = v >>> 5;
        const cell = v & 31;
        if (num >= this.stamp.length) this.grow(num + 1);
        if (this.stamp[num] !== this.round) {
          this.stamp[num] = this.round;
          this.merged[num] = cell;
          touched.push(num);
        } else {
          this.merged[num] = mergeCells(this.merged[num]!, cell);
        }
      }
    }
    const out = zeroCells();
    for (const num of touched) out[this.merged[num]!]!++;
    return out;
  }

  private grow(n: number): void {
    const size = Math.max(n, this.stamp.length * 2);
    const stamp = new Int32Array(size);
    stamp.set(this.stamp);
    const merged = new Uint8Array(size);
    merged.set(this.merged);
    this.stamp = stamp;
    this.merged = merged;
  }
}
