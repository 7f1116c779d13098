export * from './alert-codes';
export * from './pack-state';
export * from './scan-correction';
export * from './verdict';
export * from './vocabulary';
export * from './custody';
export * from './read-policy';
export * from './audit';
