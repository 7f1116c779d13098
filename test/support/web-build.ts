import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const SOURCES = path.join(ROOT, 'apps/web');
const BUILT = path.join(ROOT, 'dist/web/index.html');

function newestMtime(dir: string): number {
  return Math.max(
    0,
    ...readdirSync(dir, { withFileTypes: true }).map((e) => {
      const p = path.join(dir, e.name);
      return e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs;
    }),
  );
}

/** Builds the scan pages with Vite (as `npm run build:web` does) unless dist/web is newer than every source. */
export function ensureWebBuilt(): void {
  if (existsSync(BUILT) && statSync(BUILT).mtimeMs >= newestMtime(SOURCES)) return;
  execFileSync(path.join(ROOT, 'node_modules/.bin/vite'), ['build', '-c', 'apps/web/vite.config.mts'], { cwd: ROOT, stdio: 'pipe' });
}
