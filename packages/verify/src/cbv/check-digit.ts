const DIGITS = /^[0-9]+$/;

/** GS1 mod-10 check digit of `digits` (the key without its check digit): weights 3,1,3… from the right. */
export function gs1CheckDigit(digits: string): number {
  if (!DIGITS.test(digits)) throw new TypeError('check digit input must be one or more digits 0-9');
  let sum = 0;
  for (let i = digits.length - 1, weight = 3; i >= 0; i--, weight = 4 - weight) {
    sum += (digits.charCodeAt(i) - 48) * weight;
  }
  return (10 - (sum % 10)) % 10;
}
