import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';

import { StubAi, StubTwenty, databaseEvent } from '@twenty-gcp/apps-shared/testing';

import logicFunction, { handler } from '../src/logic-functions/summarise-transcript';
import { matchAssignee, validateAnalysis } from '../src/lib/summarise';

const stub = new StubTwenty();
const ai = new StubAi(() => ({
  summary: 'Acme wants 20 seats.',
  decisions: ['Move to proposal'],
  actionItems: [
    { title: 'Send the proposal', assigneeEmail: 'tim@apple.dev', dueDate: '2026-12-01' },
    { title: 'Book a demo', assigneeName: 'Phil Schiller' },
    { title: 'Ask legal', assigneeName: 'Nobody Known' },
  ],
}));
let env: NodeJS.ProcessEnv;
let transcriptId: string;
let adaId: string;
let acmeId: string;

before(async () => {
  await stub.start();
  await ai.start();
  env = stub.env(ai.env());
});
after(async () => {
  await stub.stop();
  await ai.stop();
});
beforeEach(() => {
  stub.store.clear();
  stub.requests.length = 0;
  ai.requests.length = 0;
  stub.seed('workspaceMembers', [
    { name: { firstName: 'Tim', lastName: 'Apple' }, userEmail: 'tim@apple.dev' },
    { name: { firstName: 'Phil', lastName: 'Schiller' }, userEmail: 'phil@apple.dev' },
  ]);
  [{ id: acmeId }] = stub.seed('companies', [{ name: 'Acme' }]);
  [{ id: adaId }] = stub.seed('people', [{ name: { firstName: 'Ada', lastName: 'L' }, companyId: acmeId }]);
  [{ id: transcriptId }] = stub.seed('notes', [
    { title: 'Transcript: Discovery call', bodyV2: { markdown: 'Ada: we need 20 seats' }, transcriptStatus: 'READY' },
  ]);
  stub.seed('noteTargets', [
    { noteId: transcriptId, targetPersonId: adaId },
    { noteId: transcriptId, targetCompanyId: acmeId },
  ]);
});

const readyEvent = () => databaseEvent('note.updated', { id: transcriptId, transcriptStatus: 'READY' }, { id: transcriptId, transcriptStatus: 'RECEIVED' }, ['transcriptStatus']);

test('trigger: note.updated, only when transcriptStatus changes', () => {
  assert.equal(logicFunction.success, true);
  assert.deepEqual(logicFunction.config.databaseEventTriggerSettings, { eventName: 'note.updated', updatedFields: ['transcriptStatus'] });
});

describe('summarising', () => {
  test('creates a linked summary note and assigned, linked tasks, then marks PROCESSED', async () => {
    const result = (await handler(readyEvent(), env)) as { status: string; taskIds: string[] };
    assert.equal(result.status, 'processed');
    // the AI got the transcript text, with the model from the app variables
    assert.equal(ai.requests[0].model, 'test-model');
    assert.match(ai.requests[0].messages[1].content, /we need 20 seats/);
    const summary = stub.all('notes').find((n) => n.title === 'AI summary: Discovery call')!;
    assert.match((summary.bodyV2 as { markdown: string }).markdown, /Move to proposal/);
    const summaryTargets = stub.all('noteTargets').filter((t) => t.noteId === summary.id);
    assert.deepEqual(summaryTargets.map((t) => t.targetPersonId ?? t.targetCompanyId).sort(), [adaId, acmeId].sort());
    const tasks = stub.all('tasks');
    assert.equal(tasks.length, 3);
    const [tim, phil] = stub.all('workspaceMembers');
    const byTitle = (t: string) => tasks.find((x) => String(x.title).startsWith(t))!;
    assert.equal(byTitle('Send the proposal').assigneeId, tim.id);
    assert.equal(byTitle('Send the proposal').dueAt, '2026-12-01T00:00:00.000Z');
    assert.equal(byTitle('Book a demo').assigneeId, phil.id);
    assert.equal(byTitle('Ask legal').assigneeId, undefined);
    assert.equal(stub.all('taskTargets').length, 6);
    const transcript = stub.all('notes').find((n) => n.id === transcriptId)!;
    assert.equal(transcript.transcriptStatus, 'PROCESSED');
    assert.equal(transcript.aiSummaryNoteId, summary.id);
  });

  test('the same event twice = one summary and one set of tasks', async () => {
    await handler(readyEvent(), env);
    const second = (await handler(readyEvent(), env)) as { status: string };
    assert.equal(second.status, 'skipped');
    assert.equal(stub.all('notes').length, 2);
    assert.equal(stub.all('tasks').length, 3);
    assert.equal(ai.requests.length, 1);
  });

  test('a run that died after the summary resumes without a second summary or duplicate tasks', async () => {
    const [summary] = stub.seed('notes', [{ title: 'AI summary: Discovery call' }]);
    stub.table('notes').set(transcriptId, { ...stub.table('notes').get(transcriptId)!, aiSummaryNoteId: summary.id });
    stub.seed('tasks', [{ title: 'Send the proposal [Discovery call]' }]);
    await handler(readyEvent(), env);
    assert.equal(stub.all('notes').filter((n) => String(n.title).startsWith('AI summary')).length, 1);
    assert.equal(stub.all('tasks').length, 3);
  });

  test('events for notes that are not READY transcripts do nothing', async () => {
    const res = (await handler(databaseEvent('note.updated', { id: transcriptId, transcriptStatus: 'PROCESSED' }), env)) as { status: string };
    assert.equal(res.status, 'skipped');
    assert.equal(stub.requests.length, 0);
  });

  test('without AI settings the function fails clearly', async () => {
    await assert.rejects(handler(readyEvent(), stub.env()), /AI_BASE_URL, AI_MODEL and AI_API_KEY/);
  });
});

describe('helpers', () => {
  test('invalid AI answers are rejected or cleaned', () => {
    assert.throws(() => validateAnalysis({ decisions: [] }), /no summary/);
    const a = validateAnalysis({ summary: 'x', actionItems: [{ title: '' }, 'junk', { title: 'Do it', dueDate: 'someday' }] });
    assert.deepEqual(a.actionItems, [{ title: 'Do it', assigneeEmail: undefined, assigneeName: undefined, dueDate: undefined }]);
  });

  test('assignee matching: email, full name, unique first name, ambiguous → none', () => {
    const members = [
      { id: 'a', name: { firstName: 'Ann', lastName: 'Lee' }, userEmail: 'ann@x.io' },
      { id: 'b', name: { firstName: 'Bo', lastName: 'Ek' }, userEmail: 'bo@x.io' },
      { id: 'c', name: { firstName: 'Bo', lastName: 'Li' }, userEmail: 'bo2@x.io' },
    ];
    assert.equal(matchAssignee({ title: 't', assigneeEmail: 'ann@x.io' }, members), 'a');
    assert.equal(matchAssignee({ title: 't', assigneeName: 'bo li' }, members), 'c');
    assert.equal(matchAssignee({ title: 't', assigneeName: 'Ann' }, members), 'a');
    assert.equal(matchAssignee({ title: 't', assigneeName: 'Bo' }, members), undefined);
  });
});
