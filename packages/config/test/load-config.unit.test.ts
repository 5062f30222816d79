import { ConfigError, loadConfig, redactConfig } from '@bridge/config';

const valid = {
  DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/test',
  AITABLE_WEBHOOK_SECRET: 'first-secret-0123456789, second-secret-0123456789',
  AUDIT_API_TOKEN: 'audit-token-0123456789',
  AITABLE_LEADS_DATASHEET_ID: 'dstLeads',
  AITABLE_ORDERS_DATASHEET_ID: 'dstOrders',
  AITABLE_AUDIT_RESULTS_DATASHEET_ID: 'dstAudit',
};

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env, ['ingest', 'datasheets']);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('loadConfig', () => {
  it('when every variable is valid, then typed values and defaults come back', () => {
    const c = loadConfig(valid, ['ingest', 'datasheets']);
    expect(c.AITABLE_WEBHOOK_SECRET).toEqual(['first-secret-0123456789', 'second-secret-0123456789']);
    expect(c.INGEST_PORT).toBe(3000);
    expect(c.AITABLE_WEBHOOK_AUTH).toBe('any');
    expect(c.WEBHOOK_DEDUP_WINDOW_SECONDS).toBe(86_400);
  });

  it('when a required variable is missing, then the error names it', () => {
    const { AUDIT_API_TOKEN: _, ...env } = valid;
    expect(problems(env)).toEqual(['AUDIT_API_TOKEN is required but not set']);
  });

  it('when a variable is invalid, then the error names it without echoing its value', () => {
    const p = problems({ ...valid, INGEST_PORT: 'abc', AITABLE_LEADS_DATASHEET_ID: 'leads-sheet' });
    expect(p.some((l) => l.startsWith('INGEST_PORT '))).toBe(true);
    expect(p.some((l) => l.startsWith('AITABLE_LEADS_DATASHEET_ID ') && !l.includes('leads-sheet'))).toBe(true);
  });

  it('when only NEXT_PUBLIC_APP_URL is set, then it is read as APP_URL', () => {
    expect(loadConfig({ ...valid, NEXT_PUBLIC_APP_URL: 'https://bridge.example.com' }, []).APP_URL).toBe('https://bridge.example.com');
  });

  it('when the http section is read, then the timeouts default to a 10 s request and METRICS_TOKEN is optional', () => {
    const c = loadConfig(valid, ['http']);
    expect([c.HTTP_REQUEST_TIMEOUT_MS, c.HTTP_HEADERS_TIMEOUT_MS, c.HTTP_KEEPALIVE_TIMEOUT_MS, c.METRICS_TOKEN]).toEqual([
      10_000,
      5_000,
      5_000,
      undefined,
    ]);
    expect(() => loadConfig({ ...valid, METRICS_TOKEN: 'short' }, ['http'])).toThrow(/METRICS_TOKEN needs at least 16 characters/);
  });

  it('when the config is redacted, then no secret value remains', () => {
    const text = JSON.stringify(
      redactConfig(loadConfig({ ...valid, METRICS_TOKEN: 'metrics-token-0123456789' }, ['ingest', 'datasheets', 'http'])),
    );
    expect(text).not.toContain('metrics-token');
    expect(text).not.toContain('first-secret');
    expect(text).not.toContain('audit-token');
    expect(text).not.toContain('postgresql://');
  });
});
