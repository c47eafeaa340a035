// Build step (`npm run build`, after tsc): writes dist/cli/commands.json, the manifest that lets a
// run load only the command file it names (command-manifest.ts). Run as `node dist/cli/write-command-manifest.js`.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fingerprintOf, MANIFEST_FILE } from './command-manifest.js';
import { commandManifest } from './main.js';

const dir = fileURLToPath(new URL('.', import.meta.url));
const manifest = await commandManifest(fingerprintOf(dir));
writeFileSync(join(dir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 1)}\n`);
process.stdout.write(`${MANIFEST_FILE}: ${manifest.nodes.length} commands\n`);
