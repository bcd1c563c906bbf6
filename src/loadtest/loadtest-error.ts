/** An error that stops a load test before or while it runs (exit 2 in the CLI). */
export class LoadtestError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
