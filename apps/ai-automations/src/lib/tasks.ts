// Task helpers shared by the automations: a task is identified by its title (which names the
// record and the reason), so "ensure" = look up an open task with that title before creating one.
import { and, eq, linkTask, type TwentyClient, type TwentyRecord } from '@twenty-gcp/apps-shared/twenty';

export const memberByEmail = async (twenty: TwentyClient, email: string | undefined): Promise<string | undefined> => {
  if (!email) return undefined;
  const member = await twenty.findOne('workspaceMembers', eq('userEmail', email.toLowerCase()));
  return member?.id;
};

export const ensureTask = async (
  twenty: TwentyClient,
  task: { title: string; body?: string; assigneeId?: string | null; dueAt?: string },
  targets: { personIds?: string[]; companyIds?: string[]; opportunityIds?: string[] },
): Promise<{ created: boolean; task: TwentyRecord }> => {
  const open = await twenty.findOne('tasks', and(eq('title', task.title), `status[neq]:"DONE"`));
  if (open) return { created: false, task: open };
  const created = await twenty.create('tasks', {
    title: task.title,
    status: 'TODO',
    ...(task.body ? { bodyV2: { markdown: task.body } } : {}),
    ...(task.assigneeId ? { assigneeId: task.assigneeId } : {}),
    ...(task.dueAt ? { dueAt: task.dueAt } : {}),
  });
  await linkTask(twenty, created.id, targets);
  return { created: true, task: created };
};

export const inDays = (days: number, now = new Date()): string => new Date(now.getTime() + days * 86_400_000).toISOString();
