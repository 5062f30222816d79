export * from './record-story';
