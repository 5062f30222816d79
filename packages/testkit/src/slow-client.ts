import net from 'node:net';

export interface StallOptions {
  path?: string;
  headers?: Record<string, string>;
  /** `body` (default): all headers, then 5 of the 1000 bytes announced; `headers`: the headers never end. */
  stallIn?: 'headers' | 'body';
  deadlineMs?: number;
}

/**
 * A slowloris client on a raw socket: sends the headers of a POST announcing
 * `Content-Length: 1000`, then 5 bytes of body, and never the rest (or stops inside the headers).
 * Resolves with what the server wrote once it closes the connection; rejects if it is still
 * open after `deadlineMs`.
 */
export function stallRequest(
  port: number,
  { path = '/', headers = {}, stallIn = 'body', deadlineMs = 5000 }: StallOptions = {},
): Promise<string> {
  const extra = Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      const head = `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n${extra}Content-Length: 1000\r\n\r\n`;
      socket.write(stallIn === 'body' ? `${head}{"a":` : head.slice(0, -2));
    });
    let received = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server still held the stalled request open after ${deadlineMs} ms`));
    }, deadlineMs);
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    socket.on('error', () => undefined); // a reset is one way of closing
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(received);
    });
  });
}
