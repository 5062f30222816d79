import type { Config } from './load';

/** The three datasheets the service serves, by role. */
export interface ConfiguredDatasheets {
  leads: string;
  orders: string;
  auditResults: string;
}

/** The datasheet ids of the `datasheets` config section, by role; built once at start-up. */
export function datasheetsFromConfig(c: Config<'datasheets'>): ConfiguredDatasheets {
  return { leads: c.AITABLE_LEADS_DATASHEET_ID, orders: c.AITABLE_ORDERS_DATASHEET_ID, auditResults: c.AITABLE_AUDIT_RESULTS_DATASHEET_ID };
}
