// Opportunity Stage Change → Auto Tasks: the tasks each stage needs, and who hears about it.
// Input: the opportunity before/after the change, the people and workspace members found by the
// workflow (to turn the point of contact and the owner into e-mail addresses).

const DAY = 24 * 60 * 60 * 1000;
const PLAYBOOK = {
  NEW: [['Qualify {name}', 'Check fit, budget and timing.', 2]],
  SCREENING: [
    ['Discovery call with {name}', 'Book a 30-minute discovery call with the point of contact.', 2],
    ['Confirm budget and decision maker for {name}', 'Who signs, and with which budget?', 5],
  ],
  MEETING: [
    ['Prepare the demo for {name}', 'Tailor the demo to the pains heard in discovery.', 1],
    ['Send the meeting recap to {name}', 'Recap, next steps and owners, the same day.', 2],
  ],
  PROPOSAL: [
    ['Send the proposal to {name}', 'Pricing, scope and timeline.', 1],
    ['Follow up on the proposal with {name}', 'Answer questions, handle objections.', 4],
  ],
  CUSTOMER: [
    ['Hand {name} over to onboarding', 'Introduce the onboarding lead and share the notes.', 1],
    ['Schedule the kickoff with {name}', 'Kickoff within a week of signature.', 3],
  ],
};

const asList = (value) => {
  if (Array.isArray(value)) return value;
  if (typeof value === 'string') {
    try {
      const parsed = JSON.parse(value);
      return Array.isArray(parsed) ? parsed : [];
    } catch {
      return [];
    }
  }
  return [];
};

export const main = async (params) => {
  const stage = String(params?.stage ?? '').toUpperCase();
  const previous = String(params?.previousStage ?? '').toUpperCase();
  const name = String(params?.opportunityName ?? '').trim() || 'the opportunity';
  const now = Number.isFinite(Date.parse(params?.now)) ? Date.parse(params.now) : Date.now();
  const people = asList(params?.people);
  const members = asList(params?.members);
  const contact = people.find((p) => p?.id && p.id === params?.pointOfContactId);
  const owner = members.find((m) => m?.id && m.id === params?.ownerId);
  const recipients = [contact?.emails?.primaryEmail, owner?.userEmail]
    .filter((e) => typeof e === 'string' && e.includes('@'));
  const tasks = stage === previous ? [] : (PLAYBOOK[stage] ?? []).map(([title, body, days]) => ({
    title: title.replace('{name}', name),
    body: `${body}\n\nStage ${previous || '(none)'} → ${stage}.`,
    dueAt: new Date(now + days * DAY).toISOString(),
    assigneeId: params?.ownerId || null,
  }));
  return {
    stage,
    tasks,
    taskCount: tasks.length,
    recipients: [...new Set(recipients)].join(','),
    stakeholders: [...new Set(recipients)],
    subject: `${name}: now ${stage.toLowerCase()}`,
    body:
      `${name} moved from ${previous || '(none)'} to ${stage}.\n\n` +
      (tasks.length ? `Next steps:\n${tasks.map((t) => `- ${t.title} (due ${t.dueAt.slice(0, 10)})`).join('\n')}` : 'No new tasks.'),
  };
};
