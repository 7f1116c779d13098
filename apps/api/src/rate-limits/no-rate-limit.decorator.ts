import { SetMetadata } from '@nestjs/common';
import { RATE_CLASS, RateClass } from './verification-rate.decorator';

/** Exempt from every limit: probes and scrapers call often, from one address, and must never be told to wait. */
export const NoRateLimit = () => SetMetadata(RATE_CLASS, 'none' satisfies RateClass);
