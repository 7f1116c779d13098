import { InitialSchema1764064800000 } from './1764064800000-initial-schema';

export const MIGRATIONS = [InitialSchema1764064800000];
