import { Writable } from 'node:stream';

/** One JSON log line as winston writes it. */
export type LogLine = Record<string, unknown> & { message: string; level: string };

/**
 * A stream to give a JSON logger, and the parsed lines it received, for assertions on logs.
 * Pass `lines` to collect the lines of several loggers (a process restarted in a test) in one array.
 */
export function captureLogs(lines: LogLine[] = []): { lines: LogLine[]; stream: Writable } {
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString('utf8').split('\n')) if (l.trim()) lines.push(JSON.parse(l) as LogLine);
      done();
    },
  });
  return { lines, stream };
}

/** A logger with `warn` and `error` that keeps what it was given, for code that takes only those two. */
export function collectingLogger() {
  const lines: { level: string; message: string; meta?: Record<string, unknown> }[] = [];
  return {
    lines,
    warn: (message: string, meta?: Record<string, unknown>) => lines.push({ level: 'warn', message, meta }),
    error: (message: string, meta?: Record<string, unknown>) => lines.push({ level: 'error', message, meta }),
  };
}
