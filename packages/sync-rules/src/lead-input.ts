import { textValue } from '@bridge/aitable';
import { permanent } from '@bridge/errors';
import type { LeadFields } from '@bridge/config';
import { portalCells, type RecordView } from './record-view';
import { inputHash, type PortalCells } from './snapshot';

/** What the lead flow needs from a lead record, validated. */
export interface LeadInput {
  recordId: string;
  title: string;
  emailDomain: string;
  /** Hash of the inputs, to recognise an update that changed none of them. */
  hash: string;
  shown: PortalCells;
  /** Whence the values: the event as sent, or the record as AITable holds it now. */
  source: RecordView['source'];
  /** AITable's modification time of the record read (epoch ms); absent for values an event carried. */
  updatedAt?: number;
}

const EMAIL = /^[^@\s]+@([^@\s]+\.[^@\s]+)$/;

/** The names of the lead fields the flow reads; an event carrying all of them is not re-fetched. */
export const leadInputFields = (f: LeadFields) => [f.email, f.company, f.clientName];

/** Every lead field the flow reads: its inputs and the portal cells it compares with what it wrote. */
export const leadFlowFields = (f: LeadFields) => [...leadInputFields(f), f.portalUrl, f.portalStatus];

/**
 * Validates a lead. Missing or malformed values are permanent errors naming the AITable field
 * (never its value: it is personal data); a retry cannot fix them, a person editing the record can.
 */
export function leadInput(view: RecordView, f: LeadFields, datasheetId: string): LeadInput {
  const where = `Lead ${view.recordId} (datasheet ${datasheetId})`;
  const email = textValue(view.fields[f.email]);
  if (!email) {
    throw permanent('lead_missing_field', `${where} has no value in field "${f.email}"; a portal needs the client's email domain`, {
      details: { recordId: view.recordId, datasheetId, field: f.email },
    });
  }
  const domain = EMAIL.exec(email)?.[1]?.toLowerCase();
  if (!domain) {
    throw permanent('lead_invalid_field', `${where}: field "${f.email}" is not an email address`, {
      details: { recordId: view.recordId, datasheetId, field: f.email },
    });
  }
  const company = textValue(view.fields[f.company]);
  const clientName = textValue(view.fields[f.clientName]);
  const title = company ?? clientName;
  if (!title) {
    throw permanent(
      'lead_missing_field',
      `${where} has no value in field "${f.company}" nor in "${f.clientName}"; the portal needs a name`,
      {
        details: { recordId: view.recordId, datasheetId, field: [f.company, f.clientName] },
      },
    );
  }
  return {
    recordId: view.recordId,
    title,
    emailDomain: domain,
    hash: inputHash({ title, domain }),
    shown: portalCells(view, f),
    source: view.source,
    updatedAt: view.updatedAt,
  };
}
