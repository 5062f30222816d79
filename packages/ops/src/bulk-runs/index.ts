export * from './input';
export * from './runner';
export * from './runs';
export { IDS_PER_PART } from './select';
