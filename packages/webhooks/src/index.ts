export { equalsAnySecret, sha256Hex } from './compare';
export { dedupKey, dedupOf, type Dedup, type DedupInput } from './dedup-key';
export { headerValue, type HeaderBag } from './headers';
export { parseJsonBody, type BodyRejection, type JsonBodyResult } from './json-body';
export { locateJsonError, type JsonSyntaxError } from './json-syntax';
export { parseAuditResult, type AuditResultOptions, type AuditResultParse } from './parse-audit-result';
export {
  datasheetsFromConfig,
  deliveryRulesFromConfig,
  describeIssues,
  parseDelivery,
  payloadRejection,
  webhookBodySchema,
  type ConfiguredDatasheets,
  type DeliveryEvent,
  type DeliveryRules,
  type DeliveryQueue,
  type ParseResult,
} from './parse-delivery';
export { STANDARD_TOLERANCE_SECONDS, signStandard, standardKey } from './standard-webhooks';
export {
  AITABLE_SIGNATURE_HEADER,
  signHmac,
  verifySignature,
  type AuthMode,
  type SignatureFailure,
  type SignatureMethod,
  type VerifyInput,
  type VerifyResult,
} from './verify-signature';
