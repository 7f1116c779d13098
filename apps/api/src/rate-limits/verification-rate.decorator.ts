import { SetMetadata } from '@nestjs/common';

export const RATE_CLASS = 'pharmatrace:rate-class';

/** Which limits a handler counts against: a key's verification limit instead of its general one, or none at all. */
export type RateClass = 'verification' | 'none';

/** Counted against a key's verification limit (sized for scanning) instead of its general one. */
export const VerificationRate = () => SetMetadata(RATE_CLASS, 'verification' satisfies RateClass);
