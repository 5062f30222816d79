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
