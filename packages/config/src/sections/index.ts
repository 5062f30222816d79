import { aitableApiSection, datasheetsSection } from './aitable';
import { backfillSection } from './backfill';
import { coreSection } from './core';
import { dashboardSection } from './dashboard';
import { httpSection } from './http';
import { jobsSection } from './jobs';
import { limitsSection } from './limits';
import { missionxSection } from './missionx';
import { reconcileSection } from './reconcile';
import { retentionSection } from './retention';
import { ingestSection } from './webhook';
import { workerSection } from './worker';

/** Every variable the service reads, split by concern; each app asks for the sections it uses. */
export const sections = {
  core: coreSection,
  datasheets: datasheetsSection,
  jobs: jobsSection,
  aitableApi: aitableApiSection,
  missionx: missionxSection,
  ingest: ingestSection,
  worker: workerSection,
  dashboard: dashboardSection,
  reconcile: reconcileSection,
  http: httpSection,
  retention: retentionSection,
  backfill: backfillSection,
  limits: limitsSection,
};
export type Sections = typeof sections;
export type SectionName = keyof Sections;
