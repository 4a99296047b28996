import { defineLogicFunction } from 'twenty-sdk/define';

import { aiConfigFromEnv } from '@twenty-gcp/apps-shared/ai';
import { recordIdOf, type DatabaseEvent } from '@twenty-gcp/apps-shared/events';
import { TwentyClient, type FetchLike } from '@twenty-gcp/apps-shared/twenty';

import { summariseTranscript } from '../lib/summarise';

/** note.updated (transcriptStatus) → summary, decisions and assigned tasks once a transcript is READY. */
export const handler = async (event: DatabaseEvent, env: NodeJS.ProcessEnv = process.env, fetchImpl: FetchLike = fetch) => {
  const after = event?.properties?.after ?? {};
  const noteId = recordIdOf(event);
  if (!noteId) return { status: 'skipped', reason: 'event has no record id' };
  if (after.transcriptStatus !== 'READY') return { status: 'skipped', reason: 'not a READY transcript' };
  return summariseTranscript(TwentyClient.fromEnv(env, fetchImpl), aiConfigFromEnv(env), noteId, fetchImpl);
};

export default defineLogicFunction({
  universalIdentifier: '38359b36-e6be-5816-95ea-ae12039c2fad',
  name: 'summarise-transcript',
  description: 'When a transcript note becomes READY: AI summary note, decisions, and tasks assigned to members',
  timeoutSeconds: 120,
  handler: (event: DatabaseEvent) => handler(event),
  databaseEventTriggerSettings: {
    eventName: 'note.updated',
    updatedFields: ['transcriptStatus'],
  },
});
