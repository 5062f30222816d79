import { SlowStart } from '../src/slow-start';

describe('SlowStart', () => {
  const settle = () => new Promise((r) => setImmediate(r));

  it('when a burst arrives, then it lets in the initial window and one more for each job that finishes, in arrival order', async () => {
    const gate = new SlowStart({ initial: 2, idleResetMs: 60_000 });
    const started: number[] = [];
    const releases: (() => void)[] = [];
    const runs = Array.from({ length: 6 }, (_, i) =>
      gate.run(
        () =>
          new Promise<void>((resolve) => {
            started.push(i);
            releases[i] = resolve;
          }),
      ),
    );
    await settle();
    expect(started).toEqual([0, 1]);
    expect(gate.load).toEqual({ inside: 2, waiting: 4, window: 2 });

    // One finishes: its place and one more, so two of the waiting come in.
    releases[0]!();
    await settle();
    expect(started).toEqual([0, 1, 2, 3]);
    expect(gate.load).toEqual({ inside: 3, waiting: 2, window: 3 });

    releases[1]!();
    await settle();
    expect(started).toEqual([0, 1, 2, 3, 4, 5]);
    for (const r of releases) r();
    await Promise.all(runs);
    expect(gate.load).toMatchObject({ inside: 0, waiting: 0 });
  });

  it('when a job fails, then it leaves like one that succeeded and the error reaches its caller', async () => {
    const gate = new SlowStart({ initial: 1, idleResetMs: 60_000 });
    await expect(gate.run(() => Promise.reject(new Error('MissionX answered 500')))).rejects.toThrow('MissionX answered 500');
    expect(gate.load).toEqual({ inside: 0, waiting: 0, window: 2 });
  });

  it('when no job was inside for the idle time, then the next burst starts from the initial window again', async () => {
    const gate = new SlowStart({ initial: 1, idleResetMs: 20 });
    for (let i = 0; i < 5; i++) await gate.run(async () => undefined);
    expect(gate.load.window).toBe(6);
    await new Promise((r) => setTimeout(r, 40));
    await gate.run(async () => undefined);
    // Reset to 1 on entry, then widened by the job that just finished.
    expect(gate.load.window).toBe(2);
  });
});
