import express, { type Express } from 'express';
import helmet from 'helmet';
import type { IngestDeps } from './deps';
import { errorHandler, notFound } from './errors';
import { requestContext } from './request-context';
import { deliveryRoutes } from './routes/deliveries';
import { healthRoutes } from './routes/health';

/** The ingest HTTP app, without a port: `startIngest` listens, supertest drives it directly. */
export function createApp(deps: IngestDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  // TRUST_PROXY: whose address req.ip is, which the unauthenticated-request limit counts by.
  app.set('trust proxy', deps.config.TRUST_PROXY);
  app.use(helmet());
  app.use(requestContext);
  app.use(healthRoutes(deps));
  app.use(deliveryRoutes(deps));
  app.use(notFound);
  app.use(errorHandler(deps.logger));
  return app;
}
