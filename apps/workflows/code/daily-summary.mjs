// Daily Activity Summary: the last 24 h of timeline activity, per account, and a digest per owner.
// Input: timeline activities (newest first), companies, workspace members, the AI summary text.
// Output: `accounts` (one note each) and `owners` (one digest e-mail each); accounts whose owner
// has no e-mail still get their note.

const DAY = 24 * 60 * 60 * 1000;

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

const label = (activity) => {
  const what = String(activity?.name ?? 'activity').replace(/^linked-/, '').replace('.', ' ');
  const about = activity?.linkedRecordCachedName ? `: ${activity.linkedRecordCachedName}` : '';
  return `${String(activity?.happensAt ?? '').slice(11, 16)} ${what}${about}`;
};

export const main = async (params) => {
  const now = Number.isFinite(Date.parse(params?.now)) ? Date.parse(params.now) : Date.now();
  const since = now - DAY;
  const companies = new Map(asList(params?.companies).filter((c) => c?.id).map((c) => [c.id, c]));
  const members = new Map(asList(params?.members).filter((m) => m?.id).map((m) => [m.id, m]));
  const summary = typeof params?.summary === 'string' ? params.summary.trim() : '';

  const byCompany = new Map();
  for (const activity of asList(params?.activities)) {
    const at = Date.parse(activity?.happensAt ?? activity?.createdAt ?? '');
    const companyId = activity?.targetCompanyId;
    if (!companyId || !Number.isFinite(at) || at < since || at > now) continue;
    if (!byCompany.has(companyId)) byCompany.set(companyId, []);
    byCompany.get(companyId).push(activity);
  }

  const accounts = [...byCompany.entries()].map(([companyId, items]) => {
    const company = companies.get(companyId) ?? {};
    const owner = members.get(company.accountOwnerId) ?? {};
    const name = String(company.name ?? 'Unknown company');
    const lines = items.map((a) => `- ${label(a)}`).join('\n');
    return {
      companyId,
      name,
      ownerEmail: typeof owner.userEmail === 'string' ? owner.userEmail : '',
      activityCount: items.length,
      markdown: `**${items.length} activities in the last 24 h**\n\n${lines}` + (summary ? `\n\n**AI summary**\n\n${summary}` : ''),
    };
  }).sort((a, b) => b.activityCount - a.activityCount || a.name.localeCompare(b.name));

  const owners = new Map();
  for (const account of accounts) {
    if (!account.ownerEmail.includes('@')) continue;
    if (!owners.has(account.ownerEmail)) owners.set(account.ownerEmail, []);
    owners.get(account.ownerEmail).push(account);
  }
  return {
    accounts,
    accountCount: accounts.length,
    owners: [...owners.entries()].map(([email, mine]) => ({
      email,
      subject: `Your accounts yesterday: ${mine.length} with activity`,
      body: mine.map((a) => `${a.name}: ${a.activityCount} activities`).join('\n') + (summary ? `\n\n${summary}` : ''),
    })),
  };
};
