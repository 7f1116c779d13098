import { InitialSchema1764064800000 } from './1764064800000-initial-schema';
import { CaptureJobs1764700000000 } from './1764700000000-capture-jobs';
import { Verification1764800000000 } from './1764800000000-verification';

export const MIGRATIONS = [InitialSchema1764064800000, CaptureJobs1764700000000, Verification1764800000000];
