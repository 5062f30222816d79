import { permanent, throttled, toJobDecision, transient, type OutageContext } from '@bridge/errors';

describe('toJobDecision', () => {
  const policy = { budgetMs: 60_000, delayMs: 1000, maxDelayMs: 8000 };
  const outage = (over: Partial<OutageContext> = {}): OutageContext => ({ since: undefined, delays: 0, policy, now: 1_000_000, ...over });
  const dbDown = transient('db_unavailable', 'Database unavailable: connect ECONNREFUSED');

  it('when an error is permanent, then the job fails; when throttled, then it waits its retry-after without an attempt', () => {
    expect(toJobDecision(permanent('lead_missing_field', 'no Email'), outage())).toEqual({ action: 'fail' });
    expect(toJobDecision(throttled('aitable_throttled', '429', 3000), outage())).toEqual({ action: 'delay', delayMs: 3000 });
  });

  it('when a service is down for the first time, then the job waits the first outage delay and the outage starts now', () => {
    expect(toJobDecision(dbDown, outage())).toEqual({ action: 'delay', delayMs: 1000, outageSince: 1_000_000 });
  });

  it('when the outage goes on, then the wait doubles up to its cap and the outage keeps its start', () => {
    expect(toJobDecision(dbDown, outage({ since: 990_000, delays: 2 }))).toEqual({ action: 'delay', delayMs: 4000, outageSince: 990_000 });
    expect(toJobDecision(dbDown, outage({ since: 990_000, delays: 40 }))).toEqual({ action: 'delay', delayMs: 8000, outageSince: 990_000 });
  });

  it('when the budget is spent, then the outage error spends an attempt like any transient one', () => {
    expect(toJobDecision(dbDown, outage({ since: 1_000_000 - 60_000, delays: 9 }))).toEqual({ action: 'retry' });
  });

  it('when a transient error is not an outage, or no outage context is given, then it spends an attempt', () => {
    expect(toJobDecision(transient('missionx_bad_response', 'unreadable body'), outage())).toEqual({ action: 'retry' });
    expect(toJobDecision(dbDown)).toEqual({ action: 'retry' });
    expect(toJobDecision(new Error('a bug'), outage())).toEqual({ action: 'retry' });
  });

  it.each(['db_unavailable', 'queue_unavailable', 'lock_unavailable', 'aitable_unavailable', 'missionx_unavailable'])(
    'when the code is %s, then the error is an outage',
    (code) => {
      expect(transient(code, 'down').outage).toBe(true);
    },
  );
});
