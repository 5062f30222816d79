import type { MissionxClient } from './schemas';

/** The portal link written back to AITable: `{clientId}` and `{customId}` replaced, URL-encoded. */
export function buildPortalUrl(template: string, client: Pick<MissionxClient, '_id' | 'customId'>): string {
  return template.replace(/\{clientId\}/g, encodeURIComponent(client._id)).replace(/\{customId\}/g, encodeURIComponent(client.customId));
}
