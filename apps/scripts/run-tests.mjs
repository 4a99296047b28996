// Runs every app's tests (<app>/test/**/*.test.ts) in one `node --test` run, TypeScript loaded by
// tsx. Node 20's --test does not expand globs, so the files are listed here.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;

const walk = (dir) =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules' || name === '.twenty') return [];
    return statSync(path).isDirectory() ? walk(path) : [path];
  });

const files = readdirSync(root)
  .filter((name) => statSync(join(root, name)).isDirectory() && name !== 'node_modules')
  .flatMap((name) => {
    const testDir = join(root, name, 'test');
    try {
      return walk(testDir).filter((file) => file.endsWith('.test.ts'));
    } catch {
      return [];
    }
  })
  .map((file) => relative(root, file))
  .sort();

if (files.length === 0) {
  console.error('no test files found under apps/*/test/');
  process.exit(1);
}

const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', ...process.argv.slice(2), ...files],
  { cwd: root, stdio: 'inherit' },
);
process.exit(result.status ?? 1);
