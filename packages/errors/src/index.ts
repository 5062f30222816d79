export * from './app-error';
export * from './decisions';
