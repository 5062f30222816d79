import type { FieldMapping } from './field-mapping';

/** Who may change a field: a person in AITable, the bridge (from MissionX), or the audit engine. */
export type FieldOwner = 'aitable' | 'bridge' | 'audit-engine';

/**
 * What happens when a field the bridge owns holds a value the bridge did not write:
 * `bridge-wins` writes ours back, `aitable-wins` adopts theirs and stops writing it for that
 * record, `manual` writes nothing to it until an operator takes one side.
 */
export type ConflictPolicy = 'bridge-wins' | 'aitable-wins' | 'manual';

export interface FieldOwnership {
  owner: FieldOwner;
  /** Only for fields the bridge owns: the others it never writes, so they never conflict. */
  policy?: ConflictPolicy;
  why: string;
}

type Ownership<T> = { [K in keyof T]: FieldOwnership };

/**
 * Every mapped field's owner, written down once (the runbook's field table shows it). The bridge
 * writes only fields it owns; audit fields are written by the worker on the audit engine's behalf.
 */
export const FIELD_OWNERSHIP: {
  lead: Ownership<FieldMapping['lead']>;
  order: Ownership<FieldMapping['order']>;
  audit: Ownership<FieldMapping['audit']>;
} = {
  lead: {
    clientName: { owner: 'aitable', why: 'typed by sales; the portal title when Company is empty' },
    email: { owner: 'aitable', why: "typed by sales; its domain is the portal's access" },
    company: { owner: 'aitable', why: 'typed by sales; the portal title' },
    portalUrl: {
      owner: 'bridge',
      policy: 'bridge-wins',
      why: 'the link to the MissionX client; a hand-edited link leads nowhere, so ours is restored',
    },
    portalStatus: {
      owner: 'bridge',
      policy: 'manual',
      why: 'mirrors the client archived or not in MissionX; a person marking it by hand may know something MissionX does not, so an operator decides',
    },
    projectStatus: {
      owner: 'bridge',
      policy: 'bridge-wins',
      why: "the latest MissionX project's status; MissionX is where projects change",
    },
  },
  order: {
    status: { owner: 'aitable', why: 'the sales stage; Won/Active activate the portal' },
    lead: { owner: 'aitable', why: 'the link to the lead whose portal the order uses' },
    portalUrl: { owner: 'bridge', policy: 'bridge-wins', why: "the lead's portal link, written when the order activates it" },
    portalStatus: { owner: 'bridge', policy: 'bridge-wins', why: 'Active once the order activated the portal' },
  },
  audit: {
    auditId: { owner: 'audit-engine', why: 'the audit engine names its runs' },
    fileName: { owner: 'audit-engine', why: 'from the submission' },
    uploadDate: { owner: 'audit-engine', why: 'from the submission' },
    employeesProcessed: { owner: 'audit-engine', why: 'from the submission' },
    correctionsMade: { owner: 'audit-engine', why: 'from the submission' },
    correctedFileUrl: { owner: 'audit-engine', why: 'from the submission' },
    processingStatus: { owner: 'audit-engine', why: 'from the submission' },
    order: { owner: 'audit-engine', why: 'the order the submission names' },
  },
};

/** The conflict policy of a lead field the bridge owns, by our name. */
export const leadPolicy = (field: keyof FieldMapping['lead']): ConflictPolicy | undefined => FIELD_OWNERSHIP.lead[field].policy;
