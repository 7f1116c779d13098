/** One dependency /health/ready asks about. `run` resolves with what it saw, or rejects saying what is wrong. */
export interface HealthCheck {
  readonly name: string;
  run(): Promise<Record<string, unknown>>;
}
