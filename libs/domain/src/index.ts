export * from './pack-state';
export * from './verdict';
export * from './vocabulary';
