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

/**
 * What a delivery is checked against besides its shape: where its datasheet routes it and which
 * file links an audit result may carry. Ingest checks new deliveries by these; the re-validation,
 * correction and replay of stored ones must use the same, or a delivery ingest took is refused later.
 */
export interface DeliveryRules extends ConfiguredDatasheets {
  /** AUDIT_FILE_URL_ALLOW_HTTP. @defaultValue false */
  allowHttpFileUrls?: boolean;
}

/** The delivery rules of the `datasheets` config section; built once at start-up. */
export function deliveryRulesFromConfig(c: Config<'datasheets'>): DeliveryRules {
  return { ...datasheetsFromConfig(c), allowHttpFileUrls: c.AUDIT_FILE_URL_ALLOW_HTTP };
}
