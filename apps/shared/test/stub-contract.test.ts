// The local Twenty stub the app tests use must answer like the captured 2.21 server: same status,
// same envelope. Compared against the repository's capture, contract/twenty-2.21.0/examples.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';

import { StubTwenty } from '../src/testing';
import { TwentyApiError, TwentyClient } from '../src/twenty';

const EXAMPLES = fileURLToPath(new URL('../../../contract/twenty-2.21.0/examples', import.meta.url));
const skip = existsSync(EXAMPLES) ? false : `captured examples not found at ${EXAMPLES}`;
const example = (name: string) => JSON.parse(readFileSync(`${EXAMPLES}/${name}`, 'utf8'));
const keys = (value: unknown) => Object.keys(value as object).sort();

const stub = new StubTwenty();
let twenty: TwentyClient;

before(async () => {
  await stub.start();
  twenty = new TwentyClient(stub.url, stub.token);
});
after(() => stub.stop());

test('list envelope = example 001 (data.<plural>, pageInfo, totalCount)', { skip }, async () => {
  const captured = example('001-list-companies-filter-limit2.json');
  stub.seed('companies', [{ name: 'Acme' }]);
  const answer = (await twenty.request('GET', '/rest/companies?limit=2')) as Record<string, unknown>;
  assert.deepEqual(keys(answer), keys(captured.response_body));
  assert.deepEqual(keys((answer as { pageInfo: object }).pageInfo), keys(captured.response_body.pageInfo));
  assert.deepEqual(keys((answer as { data: object }).data), ['companies']);
});

test('create = example 050 (201, data.createNote)', { skip }, async () => {
  const captured = example('050-rest-create-note-bodyV2.json');
  const response = await fetch(`${stub.url}/rest/notes`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${stub.token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(captured.request_body),
  });
  assert.equal(response.status, captured.status);
  const body = (await response.json()) as { data: Record<string, { id: string; title: string }> };
  assert.deepEqual(keys(body.data), keys(captured.response_body.data));
  assert.equal(body.data.createNote.title, captured.request_body.title);
});

test('update = example 048 (200, data.updatePerson)', { skip }, async () => {
  const captured = example('048-rest-patch-person.json');
  const [person] = stub.seed('people', [{ emails: { primaryEmail: 'old@x.io' } }]);
  const updated = await twenty.update('people', person.id, captured.request_body);
  assert.deepEqual(updated.emails, { primaryEmail: 'ada@lovelace.example' });
  const raw = (await twenty.request('PATCH', `/rest/people/${person.id}`, captured.request_body)) as { data: object };
  assert.deepEqual(keys(raw.data), keys(captured.response_body.data));
});

test('unknown id = example 007d (404 {statusCode, error, messages})', { skip }, async () => {
  const captured = example('007d-error-unknown-id.json');
  await assert.rejects(twenty.request('GET', captured.path), (error: TwentyApiError) => {
    assert.equal(error.status, captured.status);
    assert.deepEqual(error.body, captured.response_body);
    return true;
  });
  assert.equal(await twenty.get('companies', '00000000-0000-4000-8000-000000000000'), null);
});

test('no token = 403 FORBIDDEN_EXCEPTION as in the README facts', async () => {
  const response = await fetch(`${stub.url}/rest/companies`);
  assert.equal(response.status, 403);
  assert.deepEqual(await response.json(), { statusCode: 403, messages: ['Missing authentication token'], error: 'FORBIDDEN_EXCEPTION' });
});

test('filters: the grammar of examples 026, 029, 030, 031, 032, 033', async () => {
  stub.store.clear();
  stub.seed('people', [
    { name: { firstName: 'Ada' }, jobTitle: 'Analyst', city: null, createdAt: '2026-02-01T00:00:00.000Z' },
    { name: { firstName: 'Bob' }, jobTitle: 'CEO', city: 'Paris', createdAt: '2025-02-01T00:00:00.000Z' },
  ]);
  const names = async (filter: string) =>
    (await twenty.list('people', { filter })).map((p) => (p.name as { firstName: string }).firstName).sort();
  assert.deepEqual(await names('and(name.firstName[eq]:"Ada",jobTitle[eq]:"Analyst")'), ['Ada']);
  assert.deepEqual(await names('jobTitle[in]:["CEO","CTO"]'), ['Bob']);
  assert.deepEqual(await names('city[is]:NULL'), ['Ada']);
  assert.deepEqual(await names('city[is]:NOT_NULL'), ['Bob']);
  assert.deepEqual(await names('createdAt[gte]:"2026-01-01T00:00:00.000Z"'), ['Ada']);
  assert.deepEqual(await names('or(name.firstName[eq]:"Ada",name.firstName[ilike]:"%o%")'), ['Ada', 'Bob']);
});
