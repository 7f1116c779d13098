/** One measured figure, as every bench/*.bench.ts returns them and bench/run.ts prints them. */
export type BenchRow = { name: string; value: number; unit: string; note?: string };
