import type { DatasheetSeed, FieldSeed } from '../types';

const PORTAL_STATUS: FieldSeed = { name: 'Portal Status', type: 'SingleSelect', options: ['Pending', 'Active', 'Inactive', 'Failed'] };

/**
 * The three datasheets of the deployment guide, with its field names (also the defaults of the
 * worker's field mapping), and no records.
 * @defaultValue ids `dstLeadsSim`, `dstOrdersSim`, `dstAuditSim`
 */
export function defaultDatasheets(ids: { leads?: string; orders?: string; auditResults?: string } = {}): DatasheetSeed[] {
  const leads = ids.leads ?? 'dstLeadsSim';
  const orders = ids.orders ?? 'dstOrdersSim';
  const audit = ids.auditResults ?? 'dstAuditSim';
  return [
    {
      id: leads,
      name: 'Leads',
      fields: [
        { name: 'Client Name', type: 'SingleText' },
        { name: 'Email', type: 'Email' },
        { name: 'Phone', type: 'Phone' },
        { name: 'Company', type: 'SingleText' },
        { name: 'Status', type: 'SingleSelect', options: ['New', 'Contacted', 'Qualified', 'Won', 'Lost'] },
        { name: 'Portal URL', type: 'URL' },
        PORTAL_STATUS,
        { name: 'Project Status', type: 'SingleText' },
      ],
    },
    {
      id: orders,
      name: 'Orders',
      fields: [
        { name: 'Order Number', type: 'SingleText' },
        { name: 'Status', type: 'SingleSelect', options: ['Pending', 'Won', 'Active', 'Cancelled'] },
        { name: 'Lead', type: 'Link', linkDatasheetId: leads },
        { name: 'Portal URL', type: 'URL' },
        PORTAL_STATUS,
      ],
    },
    {
      id: audit,
      name: 'Audit Results',
      fields: [
        { name: 'Audit ID', type: 'SingleText' },
        { name: 'File Name', type: 'SingleText' },
        { name: 'Upload Date', type: 'DateTime' },
        { name: 'Employees Processed', type: 'Number' },
        { name: 'Corrections Made', type: 'Number' },
        { name: 'Corrected File URL', type: 'URL' },
        { name: 'Processing Status', type: 'SingleSelect', options: ['Pending', 'Processing', 'Completed', 'Failed'] },
        { name: 'Order', type: 'Link', linkDatasheetId: orders },
      ],
    },
  ];
}
