import winston from 'winston';
import { currentLogContext } from './context';
import { REDACTED, isSensitiveKey, redact } from './redact';

export type Logger = winston.Logger;

export interface LoggerOptions {
  service: string;
  level?: string;
  /** @defaultValue `json` */
  format?: 'json' | 'pretty';
  /** For tests: where lines go instead of stdout. */
  stream?: NodeJS.WritableStream;
}

// winston keeps level/message/symbols on the info object; everything else is ours to redact.
const RESERVED = new Set(['level', 'message', 'timestamp', 'service']);

const contextAndRedaction = winston.format((info) => {
  const ctx = currentLogContext();
  for (const [k, v] of Object.entries(ctx)) if (info[k] === undefined && v !== undefined) info[k] = v;
  for (const key of Object.keys(info)) {
    if (!RESERVED.has(key)) info[key] = isSensitiveKey(key) ? REDACTED : redact(info[key]);
  }
  return info;
});

export function createLogger(opts: LoggerOptions): Logger {
  const pretty = opts.format === 'pretty';
  const level = opts.level ?? 'info';
  const transport = opts.stream ? new winston.transports.Stream({ stream: opts.stream }) : new winston.transports.Console();
  return winston.createLogger({
    level: level === 'silent' ? 'error' : level,
    silent: level === 'silent',
    defaultMeta: { service: opts.service },
    format: winston.format.combine(
      contextAndRedaction(),
      winston.format.timestamp(),
      winston.format.errors({ stack: false }),
      pretty
        ? winston.format.printf(({ timestamp, level: lvl, message, service, ...rest }) => {
            const extra = Object.keys(rest).length ? ` ${JSON.stringify(rest)}` : '';
            return `${String(timestamp)} ${lvl.padEnd(5)} [${String(service)}] ${String(message)}${extra}`;
          })
        : winston.format.json(),
    ),
    transports: [transport],
  });
}
