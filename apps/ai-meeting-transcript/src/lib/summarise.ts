// A READY transcript note → an AI summary note (summary, decisions, action items) linked like the
// transcript, and one task per action item assigned to the matching workspace member.
import { chatJson, type AiConfig } from '@twenty-gcp/apps-shared/ai';
import { and, eq, linkNote, linkTask, targetsOf, type FetchLike, type TwentyClient, type TwentyRecord } from '@twenty-gcp/apps-shared/twenty';

export type ActionItem = { title: string; assigneeEmail?: string; assigneeName?: string; dueDate?: string };
export type Analysis = { summary: string; decisions: string[]; actionItems: ActionItem[] };

export const SYSTEM_PROMPT = `You analyse meeting transcripts for a CRM. Answer with a JSON object:
{"summary": "<5 sentences at most>", "decisions": ["<decision>", ...],
 "actionItems": [{"title": "<imperative, under 80 chars>", "assigneeEmail": "<email or null>",
 "assigneeName": "<name or null>", "dueDate": "<YYYY-MM-DD or null>"}]}.
Only include what the transcript says; never invent people, dates or commitments.`;

export const validateAnalysis = (value: Record<string, unknown>): Analysis => {
  const summary = typeof value.summary === 'string' ? value.summary.trim() : '';
  if (!summary) throw new Error('AI answer has no summary');
  const decisions = Array.isArray(value.decisions) ? value.decisions.filter((d): d is string => typeof d === 'string') : [];
  const items = Array.isArray(value.actionItems) ? value.actionItems : [];
  const actionItems = items.flatMap((raw): ActionItem[] => {
    if (!raw || typeof raw !== 'object') return [];
    const item = raw as Record<string, unknown>;
    const title = typeof item.title === 'string' ? item.title.trim().slice(0, 200) : '';
    if (!title) return [];
    const text = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : undefined);
    const due = text(item.dueDate);
    return [{ title, assigneeEmail: text(item.assigneeEmail)?.toLowerCase(), assigneeName: text(item.assigneeName), dueDate: due && !Number.isNaN(Date.parse(due)) ? due : undefined }];
  });
  return { summary, decisions, actionItems };
};

/** Workspace member for an action item: exact email first, then full or first name. */
export const matchAssignee = (item: ActionItem, members: TwentyRecord[]): string | undefined => {
  if (item.assigneeEmail) {
    const byEmail = members.find((m) => String(m.userEmail ?? '').toLowerCase() === item.assigneeEmail);
    if (byEmail) return byEmail.id;
  }
  if (!item.assigneeName) return undefined;
  const wanted = item.assigneeName.toLowerCase();
  const full = (m: TwentyRecord) => {
    const n = (m.name ?? {}) as { firstName?: string; lastName?: string };
    return `${n.firstName ?? ''} ${n.lastName ?? ''}`.trim().toLowerCase();
  };
  const exact = members.filter((m) => full(m) === wanted);
  if (exact.length === 1) return exact[0].id;
  const first = members.filter((m) => full(m).split(' ')[0] === wanted.split(' ')[0]);
  return first.length === 1 ? first[0].id : undefined;
};

export const summaryMarkdown = (a: Analysis): string =>
  [
    '## Summary', '', a.summary, '',
    '## Decisions', '', ...(a.decisions.length ? a.decisions.map((d) => `- ${d}`) : ['- none recorded']), '',
    '## Action items', '', ...(a.actionItems.length ? a.actionItems.map((i) => `- ${i.title}${i.assigneeName || i.assigneeEmail ? ` (${i.assigneeName ?? i.assigneeEmail})` : ''}`) : ['- none']),
  ].join('\n');

export type Result = { status: 'skipped' | 'duplicate' | 'processed'; reason?: string; summaryNoteId?: string; taskIds?: string[] };

export const summariseTranscript = async (
  twenty: TwentyClient,
  ai: AiConfig,
  noteId: string,
  fetchImpl: FetchLike = fetch,
): Promise<Result> => {
  const note = await twenty.get('notes', noteId);
  if (!note) return { status: 'skipped', reason: 'note not found' };
  if (note.transcriptStatus !== 'READY') return { status: 'skipped', reason: `transcriptStatus is ${String(note.transcriptStatus)}` };
  const title = String(note.title ?? '').replace(/^Transcript:\s*/, '');
  const body = String((note.bodyV2 as { markdown?: string } | null)?.markdown ?? '');
  const targets = await targetsOf(twenty, 'noteTargets', 'noteId', noteId);

  let summaryNoteId = typeof note.aiSummaryNoteId === 'string' && note.aiSummaryNoteId ? note.aiSummaryNoteId : undefined;
  const analysis = validateAnalysis(
    await chatJson(ai, SYSTEM_PROMPT, `Meeting: ${title}\n\n${body.slice(0, 200_000)}`, fetchImpl),
  );
  if (!summaryNoteId) {
    const summary = await twenty.create('notes', { title: `AI summary: ${title}`, bodyV2: { markdown: summaryMarkdown(analysis) } });
    summaryNoteId = summary.id;
    await twenty.update('notes', noteId, { aiSummaryNoteId: summaryNoteId });
  }
  await linkNote(twenty, summaryNoteId, targets);

  const members = await twenty.list('workspaceMembers', { limit: 200 });
  const taskIds: string[] = [];
  for (const item of analysis.actionItems) {
    const taskTitle = `${item.title} [${title}]`;
    const existing = await twenty.findOne('tasks', and(eq('title', taskTitle)));
    const assigneeId = matchAssignee(item, members);
    const task =
      existing ??
      (await twenty.create<TwentyRecord>('tasks', {
        title: taskTitle,
        status: 'TODO',
        bodyV2: { markdown: `From the meeting "${title}".` },
        ...(assigneeId ? { assigneeId } : {}),
        ...(item.dueDate ? { dueAt: new Date(item.dueDate).toISOString() } : {}),
      }));
    await linkTask(twenty, task.id, { personIds: targets.personIds, companyIds: targets.companyIds });
    taskIds.push(task.id);
  }
  await twenty.update('notes', noteId, { transcriptStatus: 'PROCESSED' });
  return { status: 'processed', summaryNoteId, taskIds };
};
