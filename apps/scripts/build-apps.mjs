// Builds every app with the twenty-sdk CLI (`twenty dev:build <app>`), offline: manifest +
// esbuild bundles into <app>/.twenty/output. Usage: node scripts/build-apps.mjs [app ...]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const { workspaces } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const apps = process.argv.length > 2 ? process.argv.slice(2) : workspaces.filter((w) => w !== 'shared');
// The CLI keeps remotes in $HOME/.twenty; a scratch HOME keeps the build from reading any.
const home = mkdtempSync(join(tmpdir(), 'twenty-build-'));
let failed = 0;
for (const app of apps) {
  const result = spawnSync(join(root, 'node_modules/.bin/twenty'), ['dev:build', '.'], {
    cwd: join(root, app),
    env: { ...process.env, HOME: home },
    encoding: 'utf8',
  });
  const ok = result.status === 0 && /Build succeeded/.test(result.stdout);
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${app}`);
  if (!ok) {
    failed++;
    console.log(result.stdout, result.stderr);
  }
}
process.exit(failed ? 1 : 0);
