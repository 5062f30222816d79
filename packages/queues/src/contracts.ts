// The job payload schemas and input limits alone, for pure packages (parsing, validation): this
// entry point loads zod and nothing else, while the package's main entry also loads bullmq and ioredis.
export * from './limits';
export * from './payloads';
