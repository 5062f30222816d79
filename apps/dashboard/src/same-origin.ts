import type { Request, RequestHandler } from 'express';

const CHANGES_STATE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

const hostOf = (url: string): string | undefined => {
  try {
    return new URL(url).host;
  } catch {
    return undefined;
  }
};

/** Why a state-changing request may have come from another site's page, or undefined when it did not. */
function crossSiteReason(req: Request, publicHost: string | undefined): string | undefined {
  const ours = (host: string | undefined) => host !== undefined && (host === req.headers.host || host === publicHost);
  const fetchSite = req.get('sec-fetch-site');
  if (fetchSite !== undefined) return fetchSite === 'same-origin' ? undefined : `Sec-Fetch-Site is ${fetchSite.slice(0, 20)}`;
  const origin = req.get('origin');
  if (origin !== undefined) return ours(hostOf(origin)) ? undefined : 'its Origin is not this dashboard';
  const referer = req.get('referer');
  if (referer !== undefined) return ours(hostOf(referer)) ? undefined : 'its Referer is not this dashboard';
  return undefined;
}

const hasBody = (req: Request) => Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;

/**
 * Operator actions answer pages of this dashboard only. Browsers send cached Basic credentials
 * with any site's requests, so every POST/PUT/PATCH/DELETE (Bull Board's API included) is
 * refused with 403 when the browser says it came from elsewhere (Sec-Fetch-Site, else Origin,
 * else Referer, compared with the Host asked for and with APP_URL). A client that sends none of
 * them is not a browser (curl, scripts), which no other site can drive. A body must be JSON
 * (else 415): a form or a `text/plain` fetch, which another page can send without asking the
 * browser first (no CORS preflight), is never an operator action. The pages themselves have no
 * forms; their scripts and Bull Board's call the API with fetch, which sends these headers.
 */
export function sameOriginOnly(opts: { publicUrl?: string } = {}): RequestHandler {
  const publicHost = opts.publicUrl === undefined ? undefined : hostOf(opts.publicUrl);
  return (req, res, next) => {
    if (!CHANGES_STATE.has(req.method)) return next();
    const reason = crossSiteReason(req, publicHost);
    if (reason !== undefined) {
      res.status(403).json({
        error: 'cross_site_request',
        message: `${req.method} ${req.path.slice(0, 200)} was refused: ${reason}. Operator actions work only from this dashboard's own pages or from a non-browser client.`,
      });
      return;
    }
    if (hasBody(req) && !JSON_TYPE.test(req.get('content-type') ?? '')) {
      res.status(415).json({
        error: 'unsupported_media_type',
        message: `Content-Type must be application/json for ${req.method} ${req.path.slice(0, 200)}; got ${(req.get('content-type') ?? 'none').slice(0, 100)}.`,
      });
      return;
    }
    next();
  };
}
