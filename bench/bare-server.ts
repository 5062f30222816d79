/** The baseline of bench/ingest.ts: a bare Express handler answering 202, as its own process. */
import express from 'express';

const app = express();
app.post('/api/aitable/webhook', express.raw({ type: () => true }), (_req, res) => {
  res.status(202).json({ accepted: true });
});
const server = app.listen(0, '127.0.0.1', () => {
  const address = server.address();
  console.log(JSON.stringify({ message: 'bare listening', port: typeof address === 'object' && address ? address.port : 0 }));
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
