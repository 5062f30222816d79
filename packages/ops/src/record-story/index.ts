export * from './record-story';
export * from './story-rows';
