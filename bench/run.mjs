// npm run bench [-- <filter>]: runs every bench/*.bench.mjs (or those whose name contains <filter>)
// one after another, each in its own process so memory and JIT state do not leak between them.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const filter = process.argv[2] ?? '';
const benches = readdirSync(here)
  .filter((file) => file.endsWith('.bench.mjs') && file.includes(filter))
  .sort();
if (benches.length === 0) {
  console.error(`no benchmark matches "${filter}"`);
  process.exit(2);
}
let failed = 0;
for (const bench of benches) {
  console.log(`\n=== ${bench}`);
  const result = spawnSync(process.execPath, ['--expose-gc', join(here, bench)], {
    stdio: 'inherit',
  });
  if (result.status !== 0) {
    failed++;
    console.error(`${bench} failed with exit code ${result.status}`);
  }
}
process.exit(failed > 0 ? 1 : 0);
