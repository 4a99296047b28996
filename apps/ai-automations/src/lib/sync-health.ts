// Sync-health crons: read the sync state of connected accounts' message / calendar channels and
// raise one open alert task per failing channel. In 2.21 channels are not record objects; they are
// read on /metadata (myMessageChannels / myCalendarChannels, metadata-introspection.json). Those
// queries are scoped to a user: if the application token cannot read them, the run reports it
// (checked: false) instead of raising alerts.
import { type TwentyClient } from '@twenty-gcp/apps-shared/twenty';

import { ensureTask, memberByEmail } from './tasks';

export type Channel = { id: string; handle?: string; syncStatus?: string; syncStage?: string; isSyncEnabled?: boolean; syncedAt?: string | null };

const QUERIES = {
  messaging: { field: 'myMessageChannels', label: 'Email' },
  calendar: { field: 'myCalendarChannels', label: 'Calendar' },
} as const;

export const isFailing = (c: Channel): boolean =>
  c.isSyncEnabled !== false && (/^FAILED/.test(c.syncStatus ?? '') || /FAILED/.test(c.syncStage ?? ''));

export const checkSync = async (twenty: TwentyClient, kind: keyof typeof QUERIES, env: NodeJS.ProcessEnv) => {
  const { field, label } = QUERIES[kind];
  let channels: Channel[];
  try {
    const data = await twenty.graphql<Record<string, Channel[]>>(
      `query { ${field} { id handle syncStatus syncStage isSyncEnabled syncedAt } }`,
      {},
      '/metadata',
    );
    channels = data?.[field] ?? [];
  } catch (error) {
    console.warn(`${kind} sync check could not read channels:`, (error as Error).message);
    return { checked: false, error: (error as Error).message };
  }
  const failing = channels.filter(isFailing);
  const assigneeId = await memberByEmail(twenty, env.ALERT_ASSIGNEE_EMAIL);
  let alerts = 0;
  for (const channel of failing) {
    const { created } = await ensureTask(
      twenty,
      {
        title: `${label} sync failing: ${channel.handle ?? channel.id}`,
        body: `Status ${channel.syncStatus ?? '?'} / stage ${channel.syncStage ?? '?'}; last sync ${channel.syncedAt ?? 'never'}. Reconnect the account in Settings → Accounts.`,
        assigneeId,
      },
      {},
    );
    if (created) alerts++;
  }
  return { checked: true, channels: channels.length, failing: failing.length, alertsCreated: alerts };
};
