// Bundles the broker into dist/main.js for `node dist/main.js`: workspace packages (@writ/*) are
// bundled from source, npm dependencies stay external, and the Lua scripts are copied beside it
// (the store reads them relative to its own module URL).
import { copyFile, mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { build } from 'esbuild';

const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'));
const external = Object.keys(pkg.dependencies).filter((name) => !name.startsWith('@writ/'));
const dist = new URL('../dist/', import.meta.url);

await rm(dist, { recursive: true, force: true });
await mkdir(dist, { recursive: true });
await build({
  entryPoints: [new URL('../src/main.ts', import.meta.url).pathname],
  outfile: new URL('main.js', dist).pathname,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  external,
  // Workspace packages export their TypeScript under `source`: bundle it, no build order needed.
  conditions: ['source'],
  logLevel: 'warning',
});
const lua = new URL('../src/store/redis/lua/', import.meta.url);
for (const file of await readdir(lua)) {
  if (file.endsWith('.lua')) await copyFile(new URL(file, lua), new URL(file, dist));
}
console.log(`built dist/main.js (${external.length} external dependencies)`);
