// Bundles the built CLI (tsc's dist/cli/bin.js and everything it imports) with esbuild, so that a
// run loads a few files instead of hundreds of modules (kysely alone is 263 ES modules): the last
// step of `npm run build`. The library (dist/index.js, package "exports") stays tsc's output.
//
// - Output: dist/cli/bundle/ (bin.js and shared chunks); dist/cli/bin.js becomes a one-line stub
//   importing bundle/bin.js, so package.json "bin" is unchanged. With `splitting`, each dynamic
//   import stays a chunk: the lazy command loading (command-manifest.ts, commands.json) works as
//   before, and a new command in main.ts's COMMANDS needs no edit here.
// - `import.meta.url` in each bundled module is rewritten to the URL of its tsc-built file, so
//   files found beside a module (package.json, commands.json, dist/store/store-template.tgz) are
//   found from the bundle too.
// - Packages that find their own files at run time stay external (EXTERNAL): PGlite (wasm, data),
//   pg (optional pg-native), sql.js (wasm).
// - The store template's key hashes each migration's text (store-template.ts), and esbuild prints
//   that text differently from tsc: the bundle reads its key from store-template.bundle.json, which
//   this script writes with the key the bundled code computes (the template itself is shared).

import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(ROOT, 'dist/cli');
const OUT = join(CLI, 'bundle');
const STORE = join(ROOT, 'dist/store');
const EXTERNAL = ['@electric-sql/pglite', '@electric-sql/pglite/*', 'pg', 'pg-native', 'sql.js'];
const KEY_ENTRY = 'runsight-template-key';
const TEMPLATE_KEY_FROM = "'./store-template.json'";
const TEMPLATE_KEY_TO = "'./store-template.bundle.json'";

/** Rewrites import.meta.url to the module's tsc-built URL, relative to the bundle directory. */
const metaUrl = {
  name: 'import-meta-url',
  setup(b) {
    b.onResolve({ filter: new RegExp(`^${KEY_ENTRY}$`) }, () => ({ path: KEY_ENTRY, namespace: 'key' }));
    b.onLoad({ filter: /.*/, namespace: 'key' }, () => ({
      contents: `import { templateKey } from ${JSON.stringify(join(STORE, 'store-template.js'))};
process.stdout.write(JSON.stringify(templateKey()));`,
      resolveDir: ROOT,
      loader: 'js',
    }));
    b.onLoad({ filter: /\.js$/ }, (args) => {
      let contents = readFileSync(args.path, 'utf8');
      if (args.path === join(STORE, 'store-template.js')) {
        if (!contents.includes(TEMPLATE_KEY_FROM))
          throw new Error(`${args.path} no longer names ${TEMPLATE_KEY_FROM}: update scripts/bundle-cli.mjs`);
        contents = contents.replace(TEMPLATE_KEY_FROM, TEMPLATE_KEY_TO);
      }
      if (!contents.includes('import.meta.url')) return { contents, loader: 'js' };
      const rel = relative(OUT, args.path).split(sep).join('/');
      return {
        contents: contents.replaceAll(
          'import.meta.url',
          `new URL(${JSON.stringify(rel)}, import.meta.url).href`,
        ),
        loader: 'js',
      };
    });
  },
};

const STUB = `#!/usr/bin/env node
// The bundled CLI (scripts/bundle-cli.mjs): see bundle/bin.js.
import './bundle/bin.js';
`;
if (readFileSync(join(CLI, 'bin.js'), 'utf8') === STUB)
  throw new Error('dist/cli/bin.js is already the bundle stub: run tsc (npm run build) first');
rmSync(OUT, { recursive: true, force: true });
const result = await build({
  absWorkingDir: ROOT,
  entryPoints: { bin: join(CLI, 'bin.js'), [KEY_ENTRY]: KEY_ENTRY },
  outdir: OUT,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: EXTERNAL,
  chunkNames: '[name]-[hash]',
  // CommonJS packages bundled into ES modules (commander…) call require() for Node's built-ins.
  banner: {
    js: "import { createRequire as __runsightCreateRequire } from 'node:module'; const require = __runsightCreateRequire(import.meta.url);",
  },
  plugins: [metaUrl],
  metafile: true,
  logLevel: 'warning',
  legalComments: 'none',
});

// The key the bundled code computes, beside the shared template; then the stub bin.js.
const key = execFileSync(process.execPath, [join(OUT, `${KEY_ENTRY}.js`)], { encoding: 'utf8' });
rmSync(join(OUT, `${KEY_ENTRY}.js`));
writeFileSync(join(STORE, 'store-template.bundle.json'), `${JSON.stringify(JSON.parse(key), null, 1)}\n`);
writeFileSync(join(CLI, 'bin.js'), STUB);
const files = Object.keys(result.metafile.outputs).filter((f) => f.endsWith('.js'));
const bytes = files.reduce((n, f) => n + result.metafile.outputs[f].bytes, 0);
console.log(`dist/cli/bundle: ${files.length} files, ${(bytes / 1024 / 1024).toFixed(1)} MiB`);
