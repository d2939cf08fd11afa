// tsc compiles only TypeScript; the SQL migrations and data files beside the code are copied here.
import { cpSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const assetPattern = /\.(sql|json|csv|sdf|yaml)$/;
function copy(dir) {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) copy(path);
    else if (assetPattern.test(entry)) cpSync(path, join('dist', path));
  }
}
copy('src');
