/**
 * Charts of a self-contained report page, as data: what the page builder (the load test's HTML
 * report) embeds and the report script (`client/report.ts`) draws with uPlot. Generic on purpose:
 * the UI layer knows charts, not load tests. Browser-safe: types only.
 */

/** A colour of the page's palette (CSS variables, light and dark). */
export type ChartColor = 'line' | 'ok' | 'warn' | 'bound' | 'muted' | 'fg';

export interface ChartSeries {
  readonly label: string;
  readonly values: ReadonlyArray<number | null>;
  readonly color: ChartColor;
  readonly dash?: boolean;
  readonly width?: number;
}

/** A stretch of the x axis shaded and named (a profile phase, a stress step). */
export interface ChartBand {
  readonly from: number;
  readonly to: number;
  readonly label: string;
}

/** A vertical line with a label (the breaking point). */
export interface ChartMark {
  readonly at: number;
  readonly label: string;
}

export interface ReportChart {
  /** Matches the `data-chart` of the `<figure>` it is drawn into. */
  readonly id: string;
  readonly yLabel: string;
  /** How y values are shown: milliseconds, bytes, or a plain number. */
  readonly unit: 'ms' | 'bytes' | 'count';
  /** Seconds from the start of the run. */
  readonly x: readonly number[];
  readonly series: readonly ChartSeries[];
  readonly bands: readonly ChartBand[];
  readonly marks: readonly ChartMark[];
}

/** The id of the `<script type="application/json">` element holding the charts. */
export const REPORT_DATA_ID = 'report-data';

/**
 * JSON that is safe inside a `<script>` element: no `<` (so no `</script>` or `<!--`), no `>`,
 * `&`, U+2028 or U+2029, all as \u escapes that JSON.parse reads back unchanged.
 */
export function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
