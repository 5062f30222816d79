export * from './lead-input';
export * from './order-input';
export * from './record-view';
export * from './snapshot';
export * from './sync-need';
