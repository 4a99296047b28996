// Every app's functions run with a least-privilege role: read all, write only named objects, never delete.
import assert from 'node:assert/strict';
import { readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

const apps = new URL('../..', import.meta.url).pathname;

for (const app of readdirSync(apps).filter((d) => existsSync(join(apps, d, 'src/roles/default-role.ts')))) {
  test(`${app}: role writes only the objects it maintains and never deletes`, async () => {
    const role = (await import(join(apps, app, 'src/roles/default-role.ts'))).default;
    assert.equal(role.success, true, String(role.errors));
    const config = role.config;
    assert.equal(config.canUpdateAllObjectRecords, false);
    assert.equal(config.canSoftDeleteAllObjectRecords, false);
    assert.equal(config.canDestroyAllObjectRecords, false);
    assert.ok(config.objectPermissions.length > 0);
    for (const permission of config.objectPermissions) {
      assert.equal(permission.canSoftDeleteObjectRecords, false);
      assert.equal(permission.canDestroyObjectRecords, false);
    }
  });
}
