import { z } from 'zod';

export const tokenSchema = z.object({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  /** Seconds; OAuth2 only recommends it, so a missing value is read as one hour. */
  expires_in: z.coerce.number().positive().optional(),
});

export const missionxClientSchema = z.object({
  _id: z.string().min(1),
  customId: z.string(),
  title: z.string(),
  emailDomains: z.array(z.string()).default([]),
  departments: z.array(z.string()).default([]),
  /** Not documented by MissionX; present when the API reports it. */
  status: z.enum(['active', 'inactive']).optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
/** A MissionX client (a portal). */
export type MissionxClient = z.infer<typeof missionxClientSchema>;

export const clientListSchema = z.array(missionxClientSchema);

const domain = z
  .string()
  .trim()
  .min(1)
  .regex(/^[^\s@]+\.[^\s@]+$/, 'must be a domain like example.com');

export const newClientSchema = z.object({
  /** Ours to choose: the AITable recordId, so a retried job finds the portal it made. */
  customId: z.string().trim().min(1),
  title: z.string().trim().min(1),
  emailDomains: z.array(domain).optional(),
  departments: z.array(z.string().trim().min(1)).optional(),
});
export type NewMissionxClient = z.input<typeof newClientSchema>;

export const clientPatchSchema = z
  .object({
    title: z.string().trim().min(1),
    status: z.enum(['active', 'inactive']),
    emailDomains: z.array(domain),
    departments: z.array(z.string().trim().min(1)),
  })
  .partial()
  .refine((p) => Object.keys(p).length > 0, 'nothing to update');
export type MissionxClientPatch = z.input<typeof clientPatchSchema>;

/** MissionX error bodies: `{statusCode, message}` (message may be a list) or OAuth2's `{error, error_description}`. */
export const errorBodySchema = z
  .object({
    message: z.union([z.string(), z.array(z.string())]).optional(),
    error: z.string().optional(),
    error_description: z.string().optional(),
  })
  .catch({});
