import { SkipThrottle } from '@nestjs/throttler';

/** Exempt from every named limit: probes and scrapers call often, from one address, and must never be told to wait. */
export const NoRateLimit = () => SkipThrottle({ key: true, verify: true, ip: true });
