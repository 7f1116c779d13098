import { answerQuantile } from './api-process';

describe("the API's own answer times between two readings of its histogram", () => {
  const reading = (counts: [number, number][]) => new Map(counts);
  const before = reading([
    [2, 50],
    [5, 90],
    [10, 100],
    [Infinity, 100],
  ]);
  // 100 answers since: 10 within 2 ms, 60 within 5, 99 within 10, one slower.
  const after = reading([
    [2, 60],
    [5, 150],
    [10, 199],
    [Infinity, 200],
  ]);

  it("gives the bound of the bucket holding each quantile of the answers counted in between, not of the process's life", () => {
    expect(answerQuantile(before, after, 0.1)).toBe(2);
    expect(answerQuantile(before, after, 0.5)).toBe(5);
    expect(answerQuantile(before, after, 0.99)).toBe(10);
    expect(answerQuantile(before, after, 1)).toBe(Infinity);
  });

  it('reads a first reading without the route as no answers before', () => {
    expect(answerQuantile(new Map(), after, 0.5)).toBe(5);
  });
});
