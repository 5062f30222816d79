export * from './personal-data';
export * from './policy';
