// The load-test report's script: draws the charts embedded in the page as JSON (uPlot). The
// tables are complete without it. Text from the data (phase names) is drawn on the canvas or set
// as textContent, never parsed as markup.
import uPlot from 'uplot';
import { type ChartBand, type ChartMark, REPORT_DATA_ID, type ReportChart } from '../report-charts.js';
import { axes, bytes, COLORS, widthOf } from './chart-theme.js';

const fmt = (unit: ReportChart['unit']) => (v: number | null) =>
  v === null
    ? '–'
    : unit === 'ms'
      ? v < 1000
        ? `${+v.toPrecision(3)}ms`
        : `${+(v / 1000).toPrecision(3)}s`
      : unit === 'bytes'
        ? bytes(v)
        : `${+v.toPrecision(4)}`;

/** Tick spacings of the time axis, in seconds: whole seconds, then minutes and hours. */
const TIME_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14_400, 28_800, 43_200, 86_400];

const seconds = (v: number) => (v < 120 ? `${Math.round(v)}s` : v < 7200 ? `${+(v / 60).toFixed(1)}m` : `${+(v / 3600).toFixed(1)}h`);

/** Phases as alternating shaded stretches named at the top; the breaking point as a labelled line. */
function annotations(bands: readonly ChartBand[], marks: readonly ChartMark[]): uPlot.Plugin {
  const px = (n: number) => n * (window.devicePixelRatio || 1);
  return {
    hooks: {
      drawClear: [
        (u: uPlot) => {
          const { ctx, bbox } = u;
          ctx.save();
          ctx.font = `${px(11)}px sans-serif`;
          ctx.textAlign = 'left';
          ctx.textBaseline = 'top';
          bands.forEach((b, i) => {
            const x0 = Math.max(bbox.left, u.valToPos(b.from, 'x', true));
            const x1 = Math.min(bbox.left + bbox.width, u.valToPos(b.to, 'x', true));
            if (x1 <= x0) return;
            if (i % 2 === 0) {
              ctx.fillStyle = 'rgba(127,127,127,0.10)';
              ctx.fillRect(x0, bbox.top, Math.max(1, x1 - x0), bbox.height);
            }
            ctx.fillStyle = COLORS.muted();
            if (x1 - x0 > px(30)) ctx.fillText(b.label, x0 + px(3), bbox.top + px(2), x1 - x0 - px(6));
          });
          ctx.restore();
        },
      ],
      draw: [
        (u: uPlot) => {
          const { ctx, bbox } = u;
          ctx.save();
          ctx.strokeStyle = COLORS.bound();
          ctx.fillStyle = COLORS.bound();
          ctx.lineWidth = px(2);
          ctx.setLineDash([px(6), px(3)]);
          ctx.font = `bold ${px(12)}px sans-serif`;
          ctx.textAlign = 'left';
          ctx.textBaseline = 'top';
          for (const m of marks) {
            const x = u.valToPos(m.at, 'x', true);
            ctx.beginPath();
            ctx.moveTo(x, bbox.top);
            ctx.lineTo(x, bbox.top + bbox.height);
            ctx.stroke();
            ctx.fillText(m.label, x + px(4), bbox.top + px(16));
          }
          ctx.restore();
        },
      ],
    },
  };
}

function drawChart(chart: ReportChart, host: HTMLElement): uPlot {
  const show = fmt(chart.unit);
  const series: uPlot.Series[] = [
    { label: 'time', value: (_u, v) => (v === null ? '–' : seconds(v)) },
    ...chart.series.map((s) => ({
      label: s.label,
      stroke: COLORS[s.color](),
      width: s.width ?? 1.5,
      ...(s.dash ? { dash: [6, 4] } : {}),
      points: { show: false },
      value: (_u: uPlot, v: number | null) => show(v),
    })),
  ];
  const [xAxis, yAxis] = axes(chart.yLabel, (_u, vs) => vs.map((v) => show(v)));
  const options: uPlot.Options = {
    width: widthOf(host),
    height: 240,
    scales: { x: { time: false } },
    series,
    axes: [{ ...xAxis, label: 'time into the run', incrs: TIME_STEPS, values: (_u, vs) => vs.map(seconds) }, yAxis!],
    plugins: [annotations(chart.bands, chart.marks)],
  };
  const data = [chart.x, ...chart.series.map((s) => s.values)] as unknown as uPlot.AlignedData;
  return new uPlot(options, data, host);
}

function start(): void {
  const source = document.getElementById(REPORT_DATA_ID);
  if (!source?.textContent) return;
  const charts = JSON.parse(source.textContent) as ReportChart[];
  const plots: uPlot[] = [];
  for (const chart of charts) {
    const host = document.querySelector<HTMLElement>(`figure[data-chart="${CSS.escape(chart.id)}"]`);
    if (host && chart.x.length > 0) plots.push(drawChart(chart, host));
  }
  let resizeTimer: ReturnType<typeof setTimeout> | undefined;
  window.addEventListener('resize', () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => {
      for (const plot of plots) {
        const host = plot.root.parentElement;
        if (host) plot.setSize({ width: widthOf(host), height: plot.height });
      }
    }, 200);
  });
}

start();
