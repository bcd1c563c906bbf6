/** What the store holds: sources write these, the evaluator and the exporter read them. */

export type Labels = Readonly<Record<string, string>>;

/** One measured value. Counters are raw (as the system reports them); resets are handled by readers. */
export interface Point {
  readonly metric: string;
  readonly labels: Labels;
  /** Unix milliseconds. */
  readonly t: number;
  readonly value: number;
  /** `seriesId(metric, labels)`, when the source kept it from an earlier sample (the store then builds no id). */
  readonly id?: string;
}
