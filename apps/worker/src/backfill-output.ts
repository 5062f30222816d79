import type { BackfillProgress, BackfillResult } from '@bridge/ops';
import { SingleBar } from 'cli-progress';

/**
 * What `npm run backfill` shows as it goes: on a terminal a progress bar on stderr (done/total,
 * rate, ETA); otherwise plain progress lines on stdout, at most one a second, or one JSON
 * object per line with --json. The result comes last, in the same form.
 */
export interface BackfillOutput {
  progress(p: BackfillProgress): void;
  /** The scan has waited this long for the workers to take its jobs. */
  paused(waiting: number, seconds: number): void;
  result(r: BackfillResult): void;
}

const pausedText = (waiting: number, seconds: number) =>
  `paused ${seconds} s: ${waiting} jobs wait in the queue (BACKFILL_MAX_AHEAD: backfill jobs, and jobs delayed by an outage); ` +
  'is a worker consuming this queue, and are Postgres, AITable and MissionX answering?\n';

interface Pace {
  rate: number;
  etaSeconds: number | null;
}

function pacer(): (p: BackfillProgress) => Pace {
  const started = Date.now();
  let first: number | null = null;
  return (p) => {
    // A resumed run starts from its checkpoint's count: the rate is of this run's records only.
    first ??= p.counts.examined;
    const seconds = Math.max(0.001, (Date.now() - started) / 1000);
    const rate = (p.counts.examined - first) / seconds;
    return { rate, etaSeconds: rate > 0 ? Math.max(0, (p.total - p.counts.examined) / rate) : null };
  };
}

const round = (n: number) => Math.round(n * 10) / 10;

export function createBackfillOutput(mode: 'tty' | 'lines' | 'json', dryRun: boolean): BackfillOutput {
  const pace = pacer();
  const enqueuedWord = dryRun ? 'would enqueue' : 'enqueued';
  if (mode === 'json') {
    const line = (o: object) => void process.stdout.write(`${JSON.stringify(o)}\n`);
    return {
      progress: (p) => {
        const { rate, etaSeconds } = pace(p);
        line({ event: 'progress', ...p, rate: round(rate), etaSeconds: etaSeconds === null ? null : Math.round(etaSeconds) });
      },
      paused: (waiting, seconds) => line({ event: 'paused', waiting, seconds }),
      result: (r) => line({ event: 'result', ...r }),
    };
  }
  const summary = (r: BackfillResult) =>
    `${r.target} (${r.datasheetId}): ${r.complete ? 'done' : 'stopped; run the same command again to continue'}: ` +
    `${r.counts.examined} examined, ${r.counts.enqueued} ${enqueuedWord}, ${r.counts.alreadyQueued} already queued, ` +
    `${r.counts.upToDate} up to date, ${r.counts.invalid} to fix by hand` +
    (r.invalid.length ? `\n${r.invalid.map((i) => `  to fix: ${i.recordId} (${i.code})`).join('\n')}` : '') +
    '\n';
  if (mode === 'lines') {
    let last = 0;
    return {
      progress: (p) => {
        const { rate, etaSeconds } = pace(p);
        if (Date.now() - last < 1000 && p.counts.examined < p.total) return;
        last = Date.now();
        const eta = etaSeconds === null ? '?' : `${Math.round(etaSeconds)} s`;
        process.stdout.write(
          `${p.counts.examined}/${p.total} examined, ${p.counts.enqueued} ${enqueuedWord}, ${round(rate)} records/s, ETA ${eta}\n`,
        );
      },
      paused: (waiting, seconds) => void process.stdout.write(pausedText(waiting, seconds)),
      result: (r) => void process.stdout.write(summary(r)),
    };
  }
  const bar = new SingleBar(
    {
      stream: process.stderr,
      format: `{bar} {value}/{total} | {rate} records/s | ETA {eta_formatted} | ${enqueuedWord} {enqueued}`,
      hideCursor: true,
      etaBuffer: 50,
    },
    undefined,
  );
  let started = false;
  return {
    progress: (p) => {
      const { rate } = pace(p);
      const payload = { rate: round(rate), enqueued: p.counts.enqueued };
      if (!started) {
        bar.start(p.total, p.counts.examined, payload);
        started = true;
      }
      bar.setTotal(p.total);
      bar.update(p.counts.examined, payload);
    },
    paused: (waiting, seconds) => void process.stderr.write(`\n${pausedText(waiting, seconds)}`),
    result: (r) => {
      if (started) bar.stop();
      process.stdout.write(summary(r));
    },
  };
}
