import { deliveryRulesFromConfig, loadConfig } from '@bridge/config';
import { DASHBOARD_SECTIONS } from '../src/server';

const env = {
  DATABASE_URL: 'postgres://unused',
  AITABLE_LEADS_DATASHEET_ID: 'dstL',
  AITABLE_ORDERS_DATASHEET_ID: 'dstO',
  AITABLE_AUDIT_RESULTS_DATASHEET_ID: 'dstA',
  DASHBOARD_USERS: 'ops:operator-pass-1:operator',
};

describe('delivery rules', () => {
  // The dashboard and the replay CLI load no ingest section, yet re-check stored deliveries as ingest checked them.
  it.each([
    ['the dashboard', DASHBOARD_SECTIONS],
    ['the replay CLI', ['jobs', 'datasheets'] as const],
  ])('when AUDIT_FILE_URL_ALLOW_HTTP is set, then %s reads it into its delivery rules', (_, sections) => {
    expect(deliveryRulesFromConfig(loadConfig({ ...env, AUDIT_FILE_URL_ALLOW_HTTP: 'true' }, [...sections]))).toEqual({
      leads: 'dstL',
      orders: 'dstO',
      auditResults: 'dstA',
      allowHttpFileUrls: true,
    });
    expect(deliveryRulesFromConfig(loadConfig(env, [...sections])).allowHttpFileUrls).toBe(false);
  });
});
