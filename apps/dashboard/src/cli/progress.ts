import type { ReplayProgress } from '@bridge/ops';

/**
 * Progress of a bulk replay on stderr (stdout stays for results and --json): a bar redrawn in
 * place on a terminal, one plain line per job when stderr is a file or a pipe.
 */
export function createProgress(
  mask: (text: string) => string,
  stream: NodeJS.WriteStream = process.stderr,
): { update(p: ReplayProgress): void; done(): void } {
  const tty = Boolean(stream.isTTY);
  let counts = { replayed: 0, 'would-replay': 0, skipped: 0, error: 0 };
  let last = 0;
  return {
    update(p) {
      counts = { ...counts, [p.outcome]: counts[p.outcome] + 1 };
      if (!tty) {
        stream.write(mask(`${p.done}/${p.total} ${p.outcome} ${p.queue}/${p.jobId}${p.reason ? `: ${p.reason}` : ''}\n`));
        return;
      }
      // Redraw at most every 50 ms, and always for the last job.
      const now = Date.now();
      if (now - last < 50 && p.done < p.total) return;
      last = now;
      const width = 30;
      const filled = Math.round((p.done / Math.max(1, p.total)) * width);
      const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
      const done = counts.replayed + counts['would-replay'];
      stream.write(`\r${bar} ${p.done}/${p.total}  ok ${done}  skipped ${counts.skipped}  errors ${counts.error}\x1b[K`);
    },
    done() {
      if (tty) stream.write('\n');
    },
  };
}
