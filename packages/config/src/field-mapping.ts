import { permanent } from '@bridge/errors';

/**
 * Our names for the fields each flow reads or writes, mapped to the names in AITable.
 * The defaults are the deployment guide's names; `AITABLE_LEAD_FIELDS` / `AITABLE_ORDER_FIELDS` /
 * `AITABLE_AUDIT_FIELDS` override some of them (keys: our names below).
 */
export const DEFAULT_FIELDS = {
  lead: {
    clientName: 'Client Name',
    email: 'Email',
    company: 'Company',
    portalUrl: 'Portal URL',
    portalStatus: 'Portal Status',
    /** The projectStatus (open, completed, cancelled) of the client's latest MissionX project, written by the MissionX poll. */
    projectStatus: 'Project Status',
  },
  order: {
    status: 'Status',
    lead: 'Lead',
    portalUrl: 'Portal URL',
    portalStatus: 'Portal Status',
  },
  audit: {
    auditId: 'Audit ID',
    fileName: 'File Name',
    uploadDate: 'Upload Date',
    employeesProcessed: 'Employees Processed',
    correctionsMade: 'Corrections Made',
    correctedFileUrl: 'Corrected File URL',
    processingStatus: 'Processing Status',
    order: 'Order',
  },
} as const;

export type LeadFields = { [K in keyof (typeof DEFAULT_FIELDS)['lead']]: string };
export type OrderFields = { [K in keyof (typeof DEFAULT_FIELDS)['order']]: string };
export type AuditFields = { [K in keyof (typeof DEFAULT_FIELDS)['audit']]: string };

export interface FieldMapping {
  lead: LeadFields;
  order: OrderFields;
  audit: AuditFields;
}

/** Option names the bridge writes into the `Portal Status` single-select fields. */
export const PORTAL_STATUS = { active: 'Active', inactive: 'Inactive' } as const;

export interface FieldOverrides {
  AITABLE_LEAD_FIELDS: Record<string, string>;
  AITABLE_ORDER_FIELDS: Record<string, string>;
  AITABLE_AUDIT_FIELDS: Record<string, string>;
}

function apply<T extends Record<string, string>>(defaults: T, overrides: Record<string, string>, variable: string): T {
  const unknown = Object.keys(overrides).filter((k) => !(k in defaults));
  if (unknown.length > 0) {
    throw permanent(
      'field_mapping_invalid',
      `${variable} has unknown key${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k}"`).join(', ')}; ` +
        `the keys are our names: ${Object.keys(defaults).join(', ')}`,
      { details: { variable, unknown } },
    );
  }
  return { ...defaults, ...overrides };
}

/** The mapping from config; an override key that is none of our names is an error naming it. */
export function buildFieldMapping(config: FieldOverrides): FieldMapping {
  return {
    lead: apply(DEFAULT_FIELDS.lead, config.AITABLE_LEAD_FIELDS, 'AITABLE_LEAD_FIELDS'),
    order: apply(DEFAULT_FIELDS.order, config.AITABLE_ORDER_FIELDS, 'AITABLE_ORDER_FIELDS'),
    audit: apply(DEFAULT_FIELDS.audit, config.AITABLE_AUDIT_FIELDS, 'AITABLE_AUDIT_FIELDS'),
  };
}

/** Our names of the lead fields that hold personal data. */
const PERSONAL_LEAD_FIELDS = ['clientName', 'email', 'company'] as const;

/** The MissionX client's name, made from the lead's company or client name: shown in a record's story. */
const MISSIONX_PERSONAL_KEYS = ['title'] as const;

/**
 * The names of every field holding personal data: the mapped lead fields above, PERSONAL_DATA_FIELDS
 * and the MissionX client keys made from them. What the dashboard and the CLI mask by field.
 */
export function personalFieldNames(config: FieldOverrides & { PERSONAL_DATA_FIELDS: readonly string[] }): string[] {
  const lead = buildFieldMapping(config).lead;
  return [...new Set([...PERSONAL_LEAD_FIELDS.map((k) => lead[k]), ...MISSIONX_PERSONAL_KEYS, ...config.PERSONAL_DATA_FIELDS])];
}
