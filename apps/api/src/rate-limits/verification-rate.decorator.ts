import { SetMetadata } from '@nestjs/common';

export const VERIFICATION_RATE = 'pharmatrace:verification-rate';

/** Counted against a key's verification limit (sized for scanning) instead of its general one. */
export const VerificationRate = () => SetMetadata(VERIFICATION_RATE, true);
