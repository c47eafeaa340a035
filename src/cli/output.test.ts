// Output safety: untrusted names never drive the terminal (table, footer), never become spreadsheet
// formulas (CSV), and stay exact in JSON.
import { describe, expect, it } from 'vitest';
import { createStderrLogger } from './logger.js';
import { type Printable, render, terminalText } from './output.js';

interface Row {
  name: string;
  n: number;
}

function printable(rows: Row[], footer?: string[]): Printable<Row> {
  return {
    json: rows,
    rows,
    columns: [
      { header: 'name', value: (r) => r.name },
      { header: 'n', value: (r) => r.n },
    ],
    ...(footer ? { footer } : {}),
  };
}

const CLEAR_SCREEN = '\x1b[2J\x1b[H\x1b[32mFAKE ALL CLEAR\x1b[0m';
const RETITLE = 'app\x1b]0;pwned\x07';
const HIDDEN = 'a\x1b[8mhidden\x1b[28m';
// Every C0 control, DEL, every C1 control (0x9b is the one-byte CSI), bidi override and separators.
const ALL_CONTROLS = [
  ...Array.from({ length: 0x20 }, (_, i) => String.fromCharCode(i)),
  '\x7f',
  ...Array.from({ length: 0x20 }, (_, i) => String.fromCharCode(0x80 + i)),
  '\u2028',
  '\u2029',
  '\u202e',
  '\u2066',
].join('');

describe('table output', () => {
  it('shows control characters in cells as visible escapes, never raw', () => {
    const out = render(
      'table',
      printable([
        { name: CLEAR_SCREEN, n: 1 },
        { name: RETITLE, n: 2 },
        { name: HIDDEN, n: 3 },
        { name: 'tab\there\nnew line', n: 4 },
      ]),
    );
    expect(out).toBe(
      [
        // widths by hand: the longest name is 34 visible characters, then two spaces
        `NAME${' '.repeat(30 + 2)}N`,
        '\\e[2J\\e[H\\e[32mFAKE ALL CLEAR\\e[0m  1',
        `app\\e]0;pwned\\x07${' '.repeat(17 + 2)}2`,
        `a\\e[8mhidden\\e[28m${' '.repeat(16 + 2)}3`,
        `tab\\there\\nnew line${' '.repeat(15 + 2)}4`,
        '',
      ].join('\n'),
    );
  });

  it('escapes every C0, DEL, C1, bidi and separator character; the only raw control is the line end', () => {
    const out = render('table', printable([{ name: ALL_CONTROLS, n: 1 }], [`footer ${ALL_CONTROLS}`]));
    expect(out.replace(/\n/g, '')).not.toMatch(
      /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/,
    );
    expect(out.split('\n')).toHaveLength(5); // header, row, blank, footer, final newline
    expect(terminalText('\x00\x07\x1b\x7f\x9b\u202e')).toBe('\\x00\\x07\\e\\x7f\\x9b\\u202e');
  });

  it('escapes footers, which carry names too', () => {
    const out = render('table', printable([], [`image ${CLEAR_SCREEN}`]));
    expect(out).toBe(`NAME  N\n(none)\n\nimage \\e[2J\\e[H\\e[32mFAKE ALL CLEAR\\e[0m\n`);
  });

  it('leaves ordinary text, including non-ASCII names, as it is', () => {
    expect(terminalText('café/app:1.0 → sha256:ab — ok')).toBe('café/app:1.0 → sha256:ab — ok');
  });
});

describe('csv output', () => {
  it('neutralises cells a spreadsheet would read as a formula; computed numbers stay numbers', () => {
    const out = render(
      'csv',
      printable([
        { name: '=HYPERLINK("http://evil","click")', n: -1 },
        { name: '+1+cmd|calc', n: 0 },
        { name: '-2+3', n: 2 },
        { name: '@SUM(A1)', n: 3 },
        { name: '\t=1', n: 4 },
        { name: '\r=1', n: 5 },
        { name: 'nginx:1.27', n: -7.5 },
      ]),
    );
    expect(out).toBe(
      [
        'name,n',
        `"'=HYPERLINK(""http://evil"",""click"")",-1`,
        `'+1+cmd|calc,0`,
        `'-2+3,2`,
        `'@SUM(A1),3`,
        `'\t=1,4`,
        `"'\r=1",5`,
        'nginx:1.27,-7.5',
        '',
      ].join('\n'),
    );
  });

  it('keeps tab and line breaks as quoted data but escapes terminal control sequences', () => {
    const out = render('csv', printable([{ name: `a,b\nc ${CLEAR_SCREEN}`, n: 1 }]));
    expect(out).toBe('name,n\n"a,b\nc \\e[2J\\e[H\\e[32mFAKE ALL CLEAR\\e[0m",1\n');
  });
});

describe('json output', () => {
  it('carries no raw control character (C0, DEL, C1, bidi) and the value round-trips exactly', () => {
    const rows = [{ name: `${CLEAR_SCREEN}${RETITLE}\t\n${ALL_CONTROLS}`, n: 1 }];
    const out = render('json', printable(rows));
    expect(out.replace(/\n/g, '')).not.toMatch(
      /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/,
    );
    expect(out).toContain('\\u009b');
    expect(out).toContain('\\u001b[2J');
    expect(JSON.parse(out)).toEqual(rows);
  });
});

describe('stderr log lines', () => {
  it('carry names with control characters as JSON escapes, one line per entry', () => {
    let written = '';
    const logger = createStderrLogger('info', (l) => {
      written += l;
    });
    logger.warn(`skipped ${CLEAR_SCREEN}`, { image: `x\x9b2J\n` });
    expect(written.slice(0, -1)).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    expect(written.endsWith('\n')).toBe(true);
    const entry = JSON.parse(written);
    expect(entry.msg).toBe(`skipped ${CLEAR_SCREEN}`);
    expect(entry.image).toBe('x\x9b2J\n');
  });
});
