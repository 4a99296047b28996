// Follow-up sequence, step 1: enrol the contact. Input: the contact as the MANUAL trigger hands it
// (the selected record), the people most recently enrolled (FIND_RECORDS, to read the contact's
// stored sequence state: the trigger's copy may be stale or partial), optional per-run delays.
// Output: the run's key (it takes the sequence over: an older run of the same contact stops
// sending), the state to write back, and the waits before each touch in seconds.
//
// Delays: `followUpDelays` in the run's payload ("3d,4d,7d", "30s,1m,2m"; s/m/h/d, a bare number
// is seconds), else DEFAULT_DELAYS. A contact whose sequence has ended (COMPLETED, REPLIED,
// MEETING_BOOKED, STOPPED) keeps that status: clear Follow-up status and touches sent to restart.

const TOUCHES = 3;
const DEFAULT_DELAYS = '3d,4d,7d';
const UNIT = { s: 1, m: 60, h: 3600, d: 86400 };
const ENDED = new Set(['COMPLETED', 'REPLIED', 'MEETING_BOOKED', 'STOPPED']);
// 2.21 fails a DELAY of (near) zero: its resume job can run before the step is marked pending
// ("Step is not pending", resume-delayed-workflow.job.ts) — seen live. Every wait is at least this.
const MIN_WAIT = 5;

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

const parseDelays = (text) => {
  const parts = String(text ?? '').split(',').map((p) => p.trim()).filter(Boolean);
  const seconds = parts.map((p) => {
    const m = /^(\d+(?:\.\d+)?)\s*([smhd]?)$/i.exec(p);
    return m ? Math.max(MIN_WAIT, Math.round(Number(m[1]) * UNIT[(m[2] || 's').toLowerCase()])) : NaN;
  });
  return seconds.length === TOUCHES && seconds.every((s) => Number.isFinite(s) && s >= 0) ? seconds : null;
};

const randomKey = () =>
  globalThis.crypto?.randomUUID?.() ?? `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;

export const main = async (params) => {
  const contact = params?.contact && typeof params.contact === 'object' ? params.contact : {};
  const id = String(contact.id ?? params?.contactId ?? '');
  const stored = asList(params?.people).find((p) => p?.id && p.id === id) ?? contact;
  const now = Number.isFinite(Date.parse(params?.now)) ? new Date(params.now) : new Date();
  const requested = params?.delays === undefined || params?.delays === null || params?.delays === '' ? null : parseDelays(params.delays);
  const waits = requested ?? parseDelays(DEFAULT_DELAYS);
  const status = String(stored.followUpStatus ?? '').toUpperCase();
  const step = Number(stored.followUpStep ?? 0) || 0;
  const ended = ENDED.has(status) || step >= TOUCHES;
  const startedAt =
    status === 'ACTIVE' && Date.parse(stored.followUpStartedAt) ? stored.followUpStartedAt : now.toISOString();
  return {
    contactId: id,
    runKey: randomKey(),
    status: ended ? status || 'COMPLETED' : 'ACTIVE',
    startedAt: ended && stored.followUpStartedAt ? stored.followUpStartedAt : startedAt,
    ended,
    // nothing to send: do not wait long before finding that out again
    wait1: ended ? MIN_WAIT : waits[0],
    wait2: waits[1],
    wait3: waits[2],
    delaysNote: requested || params?.delays == null || params?.delays === '' ? '' : `ignored delays ${JSON.stringify(params.delays)}: give ${TOUCHES} like "3d,4d,7d"`,
  };
};
