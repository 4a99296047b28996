// Follow-up sequence, before touch k: send it, skip it, or stop the sequence.
// Input: touch k of `total`, the contact's id and e-mail, this run's key, when the sequence started,
// and what FIND_RECORDS read after the wait: the people most recently enrolled (the contact's
// stored state: followUpStep, followUpStatus, followUpRunKey), the newest message participants and
// calendar event participants (2.21's FIND_RECORDS ignores plain filters: this step picks the
// contact's own by person id or e-mail handle, created since the sequence started).
//
// - a reply (the contact as FROM of a message) or a meeting with the contact since the start → stop
//   (status REPLIED / MEETING_BOOKED): no further touch;
// - the contact cannot be read, or has no e-mail address → stop (STOPPED), never send blind;
// - another run owns the sequence (a newer run key), the sequence has ended, or touch k (or a later
//   one) is already recorded on the contact → skip: nothing sent, nothing written;
// - else send touch k: `send` holds one item (the ITERATOR's list); the workflow records the touch
//   on the contact before it sends, so a failed or repeated run cannot send it again.
// Opens are not tracked by Twenty 2.21: engagement is replies and meetings.

const ENDED = new Set(['COMPLETED', 'REPLIED', 'MEETING_BOOKED', 'STOPPED']);

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

const lower = (v) => String(v ?? '').trim().toLowerCase();

export const main = async (params) => {
  const k = Number(params?.touch) || 1;
  const total = Number(params?.total) || k;
  const id = String(params?.contactId ?? '');
  const now = Number.isFinite(Date.parse(params?.now)) ? new Date(params.now) : new Date();
  const contact = asList(params?.people).find((p) => p?.id && p.id === id);
  const base = { touch: k, total, stop: false, status: '', send: [], reason: '', engagement: '' };
  if (!contact) {
    return { ...base, stop: true, status: 'STOPPED', reason: 'contact not found among the most recently enrolled people' };
  }
  const email = lower(params?.email) || lower(contact?.emails?.primaryEmail);
  const since = Date.parse(contact.followUpStartedAt) || Date.parse(params?.startedAt) || 0;
  const mine = (p) => (p?.personId && p.personId === id) || (email && lower(p?.handle) === email);
  const after = (p) => (Date.parse(p?.createdAt) || 0) >= since;
  const replies = asList(params?.messageParticipants).filter((p) => mine(p) && lower(p?.role) === 'from' && after(p));
  const meetings = asList(params?.eventParticipants).filter((p) => mine(p) && after(p));
  const engagement = [
    replies.length ? `${replies.length} e-mail(s) from them since the sequence started` : 'no reply yet',
    meetings.length ? `${meetings.length} meeting(s) with them since the sequence started` : 'no meeting yet',
  ].join('; ');
  const status = String(contact.followUpStatus ?? '').toUpperCase();
  const sent = Number(contact.followUpStep ?? 0) || 0;
  const owner = !contact.followUpRunKey || contact.followUpRunKey === params?.runKey;
  if (!owner) return { ...base, engagement, reason: 'another run owns this sequence' };
  if (ENDED.has(status)) return { ...base, engagement, reason: `sequence ended (${status})` };
  if (replies.length) return { ...base, engagement, stop: true, status: 'REPLIED', reason: 'the contact replied' };
  if (meetings.length) {
    return { ...base, engagement, stop: true, status: 'MEETING_BOOKED', reason: 'a meeting with the contact' };
  }
  if (sent >= k) return { ...base, engagement, reason: `touch ${k} already sent (touches sent: ${sent})` };
  if (!email.includes('@')) return { ...base, engagement, stop: true, status: 'STOPPED', reason: 'the contact has no e-mail address' };
  const name = [contact?.name?.firstName, contact?.name?.lastName].filter(Boolean).join(' ');
  return {
    ...base,
    engagement,
    reason: `send touch ${k} of ${total}`,
    send: [{
      touch: k,
      to: email,
      name,
      firstName: contact?.name?.firstName || '',
      at: now.toISOString(),
      statusAfter: k >= total ? 'COMPLETED' : 'ACTIVE',
    }],
  };
};
