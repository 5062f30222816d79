export * from './funnel';
export * from './queue-health';
export * from './range';
export * from './series';
export * from './last-deliveries';
export * from './histogram';
export * from './single-flight';
