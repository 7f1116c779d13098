import { ValueTransformer } from 'typeorm';

/** pg returns int8 as string; ids and block numbers stay far below 2^53, so numbers are safe and simpler. */
export const bigintToNumber: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | null) => (value === null ? null : Number(value)),
};
