// The job catalog, payload schemas and input limits alone, for pure packages (config, parsing,
// validation): this entry point loads zod and nothing else, while the package's main entry also
// loads bullmq and ioredis.
export * from './catalog';
export * from './limits';
export * from './payloads';
export * from './redis-topology';
