export { startSimulators, createSimulatorApp, type RunningSimulators } from './server';
export { defaultDatasheets } from './aitable/seeds';
export { SimControlClient } from './control/client';
export type { ControlRoute } from './control/routes';
export { SUPPORTED_FORMULA } from './aitable/formula';
export { MAX_RECORDS_PER_WRITE } from './aitable/handlers';
export { SimState } from './state';
export type { InFlight } from './in-flight';
export type { RequestFilter } from './request-log';
export type * from './types';
export {
  buildWebhookBody,
  hmacSignature,
  webhookHeaders,
  sampleFields,
  parseFieldArg,
  DEFAULT_DATASHEET,
  type EventKind,
  type WebhookEvent,
} from './webhook/event';
export { parseSendWebhookArgs, USAGE as SEND_WEBHOOK_USAGE, type SendWebhookOptions } from './webhook/cli';
export { sendWebhook, type SendResult } from './webhook/send';
