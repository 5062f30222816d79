import { z } from 'zod';

export const tokenSchema = z.object({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  /** Seconds; OAuth2 only recommends it, so a missing value is read as one hour. */
  expires_in: z.coerce.number().positive().optional(),
});

export const missionxClientSchema = z.object({
  _id: z.string().min(1),
  createdBy: z.string().optional(),
  /** "A custom identifier for internal reference by your system": ours is the AITable recordId; unique nowhere. */
  customId: z.string().default(''),
  title: z.string().default(''),
  emailDomains: z.array(z.string()).default([]),
  departments: z.array(z.string()).default([]),
  createdAt: z.string(),
  updatedAt: z.string(),
});
/** A MissionX client (a portal), with the fields MissionX documents. */
export type MissionxClient = z.infer<typeof missionxClientSchema>;

/**
 * A list answer: the documented envelope `{value, nextLink?, count?}`. A bare array is accepted
 * too, in case the live service sends one; anything else is an error, never an empty list.
 */
export const clientListSchema = z.union([
  z.object({
    value: z.array(missionxClientSchema),
    nextLink: z.string().nullish(),
    count: z.number().optional(),
  }),
  z.array(missionxClientSchema).transform((value) => ({ value, nextLink: undefined, count: undefined })),
]);
export type ClientListPage = z.output<typeof clientListSchema>;

/** A MissionX project, the fields the bridge reads (no `client` filter exists: the client is read from here). */
export const missionxProjectSchema = z.object({
  _id: z.string().min(1),
  /** A client `_id`, or null/absent for an internal project. */
  client: z.string().nullish(),
  projectStatus: z.string().default('open'),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type MissionxProject = z.infer<typeof missionxProjectSchema>;

export const projectListSchema = z.union([
  z.object({ value: z.array(missionxProjectSchema), nextLink: z.string().nullish(), count: z.number().optional() }),
  z.array(missionxProjectSchema).transform((value) => ({ value, nextLink: undefined, count: undefined })),
]);

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

/** The only fields `PATCH /v2/clients/{clientId}` accepts. */
export const clientPatchSchema = z
  .object({
    customId: z.string().trim().min(1),
    title: z.string().trim().min(1),
    emailDomains: z.array(domain),
    departments: z.array(z.string().trim().min(1)),
  })
  .partial()
  .strict()
  .refine((p) => Object.keys(p).length > 0, 'nothing to update');
export type MissionxClientPatch = z.input<typeof clientPatchSchema>;

/** MissionX error bodies: the documented `{message, code, data}`, or OAuth2's `{error, error_description}` from a token server. */
export const errorBodySchema = z
  .object({
    message: z.union([z.string(), z.array(z.string())]).optional(),
    code: z.union([z.string(), z.number()]).optional(),
    error: z.string().optional(),
    error_description: z.string().optional(),
  })
  .catch({});
