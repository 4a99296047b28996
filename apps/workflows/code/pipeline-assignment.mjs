// New Company → Auto Pipeline: where a new company enters the pipeline.
// Runs as a Twenty 2.21 workflow CODE step (main(params) = the step's input) and under node in
// tests (tests/manifests/test_workflow_code.py). The AI analysis is free text: the step reads
// `SEGMENT:` / `POTENTIAL:` / `INDUSTRY:` lines when the agent wrote them and falls back to the
// company's own numbers otherwise (a stub model answers `STUB: …`; the step still decides).

const SEGMENTS = ['ENTERPRISE', 'MID_MARKET', 'SMB'];
const POTENTIALS = ['HIGH', 'MEDIUM', 'LOW'];
// potential → the stage the deal starts at (Twenty's default opportunity stages)
const STAGE_BY_POTENTIAL = { HIGH: 'MEETING', MEDIUM: 'SCREENING', LOW: 'NEW' };

const pick = (text, key, allowed) => {
  const match = new RegExp(`${key}\\s*[:=]\\s*([A-Za-z_ -]+)`, 'i').exec(text || '');
  if (!match) return null;
  const value = match[1].trim().toUpperCase().replace(/[\s-]+/g, '_');
  return allowed ? (allowed.find((a) => value.startsWith(a)) ?? null) : value.split('_')[0];
};

const toNumber = (value) => {
  const n = typeof value === 'number' ? value : Number.parseFloat(String(value ?? ''));
  return Number.isFinite(n) ? n : null;
};

export const main = async (params) => {
  const analysis = typeof params?.analysis === 'string' ? params.analysis : '';
  const employees = toNumber(params?.employees);
  const arr = toNumber(params?.annualRecurringRevenueMicros);
  const arrUsd = arr === null ? null : arr / 1_000_000;

  const bySize =
    (employees ?? 0) >= 1000 || (arrUsd ?? 0) >= 50_000_000 ? 'ENTERPRISE'
    : (employees ?? 0) >= 100 || (arrUsd ?? 0) >= 5_000_000 ? 'MID_MARKET'
    : 'SMB';
  const segment = pick(analysis, 'SEGMENT', SEGMENTS) ?? bySize;
  const fromAi = pick(analysis, 'POTENTIAL', POTENTIALS);
  const potential =
    fromAi ?? (segment === 'ENTERPRISE' ? 'HIGH' : segment === 'MID_MARKET' ? 'MEDIUM' : 'LOW');
  const industry = pick(analysis, 'INDUSTRY') ?? 'UNKNOWN';
  const stage = STAGE_BY_POTENTIAL[potential];
  const name = String(params?.companyName ?? '').trim() || 'New company';
  const source = fromAi ? 'the AI analysis' : 'company size (no usable AI verdict)';
  return {
    stage,
    segment,
    potential,
    industry,
    dealName: `${name} — ${segment.replace('_', '-').toLowerCase()} deal`,
    ownerId: params?.accountOwnerId || null,
    reason:
      `Segment ${segment}, potential ${potential} (from ${source}); ` +
      `employees ${employees ?? 'unknown'}, pipeline stage ${stage}.`,
  };
};
