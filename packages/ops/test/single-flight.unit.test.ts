import { singleFlight } from '../src';

/** A `work` that counts its runs and answers `run n`, or fails when told. */
function counted() {
  let runs = 0;
  const work = (fail = false) => {
    runs += 1;
    return fail ? Promise.reject(new Error(`run ${runs} failed`)) : Promise.resolve(`run ${runs}`);
  };
  return { work, runs: () => runs };
}

describe('singleFlight', () => {
  it('when callers ask for the same key while it runs, then the work runs once and all get its answer', async () => {
    const once = singleFlight();
    const c = counted();
    expect(await Promise.all([once('k', c.work), once('k', c.work), once('other', c.work)])).toEqual(['run 1', 'run 1', 'run 2']);
    expect(await once('k', c.work)).toBe('run 3');
  });

  it('when reuseMs is given, then a settled answer serves later callers for that long, and a new run follows it', async () => {
    let now = 1_000_000;
    const once = singleFlight({ reuseMs: 5000, now: () => now });
    const c = counted();
    expect(await once('k', c.work)).toBe('run 1');
    now += 4999;
    expect(await once('k', c.work)).toBe('run 1');
    now += 1;
    expect(await once('k', c.work)).toBe('run 2');
    expect(c.runs()).toBe(2);
  });

  it('when the work fails, then the failure is not reused: the next caller runs it again', async () => {
    const once = singleFlight({ reuseMs: 60_000 });
    const c = counted();
    await expect(once('k', () => c.work(true))).rejects.toThrow('run 1 failed');
    expect(await once('k', c.work)).toBe('run 2');
  });
});
