export * from './app-error';
export * from './decisions';
export * from './time-limit';
