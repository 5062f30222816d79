import { z } from 'zod';

/** Every AITable answer, success or not (errors usually arrive with HTTP 200). */
export const envelopeSchema = z.object({
  success: z.boolean(),
  code: z.number().int(),
  message: z.string().optional().default(''),
  data: z.unknown().optional(),
});
export type Envelope = z.infer<typeof envelopeSchema>;

/** Cell values as the REST API returns them; read them with the normalisers in `values.ts`. */
export type FieldValues = Record<string, unknown>;

export const recordSchema = z.object({
  recordId: z.string().min(1),
  /** Epoch milliseconds. */
  createdAt: z.number(),
  /** Epoch milliseconds. */
  updatedAt: z.number(),
  /** Empty cells are left out. */
  fields: z.record(z.string(), z.unknown()),
});
export type AitableRecord = z.infer<typeof recordSchema>;

export const recordPageSchema = z.object({
  total: z.number().int(),
  pageNum: z.number().int(),
  /** How many records came back on this page. */
  pageSize: z.number().int(),
  records: z.array(recordSchema),
});
export type RecordPage = z.infer<typeof recordPageSchema>;

export const recordsDataSchema = z.object({ records: z.array(recordSchema) });

export const fieldSchema = z.object({
  id: z.string(),
  name: z.string(),
  type: z.string(),
  property: z.unknown().optional(),
});
export type AitableField = z.infer<typeof fieldSchema>;

export const fieldsDataSchema = z.object({ fields: z.array(fieldSchema) });
