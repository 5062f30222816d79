import path from 'node:path';
import { Router } from 'express';

const ICON = path.resolve(__dirname, '../../public/favicon.svg');

/**
 * The dashboard's icon, before the login: browsers ask every page's origin for /favicon.ico on
 * their own (a 404 or 401 in the console otherwise), and our pages link /favicon.svg.
 */
export function faviconRoutes(): Router {
  const r = Router();
  r.get(['/favicon.ico', '/favicon.svg'], (_req, res) => {
    res.type('image/svg+xml').sendFile(ICON, { maxAge: '1d' });
  });
  return r;
}
