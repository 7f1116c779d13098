export * from './data-source';
export * from './entities';
export * from './persistence.error';
export * from './persistence.module';
export * from './repositories/anchor.repository';
export * from './repositories/event.repository';
export * from './repositories/organization.repository';
export * from './repositories/pack.repository';
