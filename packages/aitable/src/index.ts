export { AitableClient, type RecordUpdate } from './client';
export { AITABLE_ERROR_CODES, type CallContext } from './errors';
export { missingFieldNames } from './field-mapping';
export {
  aitableOptionsFromConfig,
  type AitableClientOptions,
  type AitableConfigVars,
  type AitableHooks,
  type AitableOperation,
  type RateLimitWaitCause,
} from './options';
export { formulaString, type ListRecordsQuery } from './query';
export {
  SlidingWindowLimiter,
  type LimiterSlot,
  type SlidingWindowLimiterOptions,
  type TakePriority,
  type TakeResult,
} from './rate-limiter';
export type { AitableField, AitableRecord, FieldValues, RecordPage } from './schemas';
export { MAX_RECORDS_PER_READ, MAX_RECORDS_PER_WRITE } from './write-batcher';
export { linkIds, numberValue, selectValue, textValue, urlValue } from './values';
