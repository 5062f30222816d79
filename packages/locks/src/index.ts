export * from './record-lock';
