// Builds every app with the twenty-sdk CLI (`twenty dev:build <app dir>`), offline: manifest +
// esbuild bundles into <app>/.twenty/output. Usage: node scripts/build-apps.mjs [app ...]
//
// The app path is passed absolute and npm's INIT_CWD is removed: twenty-sdk 2.23 resolves a
// relative app path against INIT_CWD (the directory `npm run` was started from), so `twenty
// dev:build .` under `npm run build --prefix apps` built the repository root instead of the app.
// After each build the app's own output is checked: the CLI must name this app's folder as the app
// path and a manifest must be written by this build into it; "Build succeeded" alone is not trusted.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const { workspaces } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const apps = process.argv.length > 2 ? process.argv.slice(2) : workspaces.filter((w) => w !== 'shared');
// The CLI keeps remotes in $HOME/.twenty; a scratch HOME keeps the build from reading any.
const home = mkdtempSync(join(tmpdir(), 'twenty-build-'));
const env = { ...process.env, HOME: home };
delete env.INIT_CWD;

function ownOutputProblem(dir, stdout, startedMs) {
  const appPath = /App path: (.*)/.exec(stdout)?.[1]?.trim().replace(/\/+$/, '');
  if (appPath !== dir) return `the CLI built ${appPath ?? 'an unnamed path'}, not ${dir}`;
  const manifest = join(dir, '.twenty', 'output', 'manifest.json');
  if (!existsSync(manifest)) return `no ${manifest} after the build`;
  if (statSync(manifest).mtimeMs + 1000 < startedMs) return `${manifest} is older than this build`;
  return null;
}

let failed = 0;
for (const app of apps) {
  const dir = join(root, app).replace(/\/+$/, '');
  const started = Date.now();
  const result = spawnSync(join(root, 'node_modules/.bin/twenty'), ['dev:build', dir], {
    cwd: dir,
    env,
    encoding: 'utf8',
  });
  const succeeded = result.status === 0 && /Build succeeded/.test(result.stdout);
  const problem = succeeded ? ownOutputProblem(dir, result.stdout, started) : 'the twenty CLI failed';
  console.log(`${problem ? 'FAIL' : 'ok  '} ${app}${problem ? `: ${problem}` : ''}`);
  if (problem) {
    failed++;
    console.log(result.stdout, result.stderr);
  }
}
process.exit(failed ? 1 : 0);
