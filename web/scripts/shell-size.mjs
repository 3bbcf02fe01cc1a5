// The app's shell — what index.html loads before anything else — stays light for
// cheap phones on weak networks: at most 100 KiB gzipped. Areas load on demand.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const LIMIT = 100 * 1024;
const html = readFileSync('dist/index.html', 'utf8');
const files = [...html.matchAll(/assets\/[^"]+/g)].map((m) => m[0]);
let total = 0;
for (const file of files) total += gzipSync(readFileSync(`dist/${file}`), { level: 9 }).length;
const kib = (total / 1024).toFixed(1);
if (total > LIMIT) {
  console.error(`the app shell is ${kib} KiB gzipped (${files.join(', ')}): over the 100 KiB budget`);
  process.exit(1);
}
console.log(`app shell: ${kib} KiB gzipped of 100 (${files.length} files)`);
