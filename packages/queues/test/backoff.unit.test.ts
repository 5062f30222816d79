import { EVENT_JOBS, jobOptionsOf, legacyBackoffDelay } from '@bridge/queues';

describe('legacyBackoffDelay (jobs added before the catalog)', () => {
  it('when attempts grow, then the delay doubles between half and all of the exponential step', () => {
    expect(legacyBackoffDelay(1, 1000, () => 0)).toBe(500);
    expect(legacyBackoffDelay(1, 1000, () => 1)).toBe(1000);
    expect(legacyBackoffDelay(3, 1000, () => 0)).toBe(2000);
    expect(legacyBackoffDelay(3, 1000, () => 1)).toBe(4000);
  });

  it('when the exponential step passes 10 minutes, then the delay stays within them', () => {
    expect(legacyBackoffDelay(30, 1000, () => 1)).toBe(600_000);
    expect(legacyBackoffDelay(30, 1000, () => 0)).toBe(300_000);
  });
});

describe('jobOptionsOf', () => {
  it.each(EVENT_JOBS.map((d) => [d.name, d] as const))(
    'when %s jobs are added, then they use BullMQ’s exponential backoff with jitter, the last delay within 10 minutes',
    (_name, def) => {
      const opts = jobOptionsOf(def);
      expect(opts.backoff).toEqual({ type: 'exponential', delay: def.retry.backoffMs, jitter: def.retry.jitter });
      // BullMQ's exponential has no cap: the catalog's attempts and first delay keep the last wait bounded.
      expect(def.retry.backoffMs * 2 ** (def.retry.attempts - 2)).toBeLessThanOrEqual(600_000);
    },
  );

  it('when attempts or the first delay are overridden, then event queues take them and keep the catalog’s jitter', () => {
    const def = EVENT_JOBS[0]!;
    expect(jobOptionsOf(def, { attempts: 3, backoffMs: 50 })).toMatchObject({
      attempts: 3,
      backoff: { type: 'exponential', delay: 50, jitter: def.retry.jitter },
    });
  });
});
