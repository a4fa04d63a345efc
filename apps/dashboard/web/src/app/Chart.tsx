// One live chart: a uPlot line per node over the last 5 minutes, with its caption and the latest
// values as text (the canvas is hidden from screen readers; the list says the same).
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { unitSuffix } from '../lib/format';
import { colourOf, timeRange, type AlignedData, type Metric } from '../lib/series';
import type { NodeStatus } from '../lib/history';

const HEIGHT = 180;
/** Tick steps of an axis of counts (uPlot's default steps include fractions). */
const WHOLE_STEPS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000];
const AXIS = '#8b93a3';
const GRID = 'rgba(139, 147, 163, 0.18)';

function optionsOf(metric: Metric, nodes: readonly string[], width: number): uPlot.Options {
  return {
    width,
    height: HEIGHT,
    legend: { show: false },
    cursor: { drag: { x: false, y: false } },
    scales: {
      // Up to the newest sample, so the chart moves as samples arrive.
      x: { time: true, range: (_u, min, max) => timeRange(min, max) },
      y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.15 : 1] },
    },
    axes: [
      { stroke: AXIS, grid: { stroke: GRID }, ticks: { stroke: GRID } },
      {
        stroke: AXIS,
        grid: { stroke: GRID },
        ticks: { stroke: GRID },
        size: 64,
        ...(metric.whole ? { incrs: WHOLE_STEPS } : {}),
        values: (_u, splits) => splits.map((v) => `${+v.toFixed(2)}${unitSuffix(metric.unit)}`),
      },
    ],
    series: [
      {},
      ...nodes.map((node, i) => ({
        label: node,
        stroke: colourOf(i),
        width: 2,
        spanGaps: true,
        points: { show: false },
        // A count holds until the next sample changes it.
        ...(metric.whole && uPlot.paths.stepped ? { paths: uPlot.paths.stepped({ align: 1 }) } : {}),
      })),
    ],
  };
}

export interface ChartProps {
  metric: Metric;
  data: AlignedData;
  nodes: readonly NodeStatus[];
}

export function Chart({ metric, data, nodes }: ChartProps) {
  const holder = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const dataRef = useRef(data);
  dataRef.current = data;
  // A new chart when the set of nodes changes (each node is a series); otherwise only new data.
  const seriesKey = JSON.stringify(nodes.map((n) => n.node));

  useEffect(() => {
    const el = holder.current!;
    const names = JSON.parse(seriesKey) as string[];
    const u = new uPlot(optionsOf(metric, names, el.clientWidth || 300), dataRef.current as uPlot.AlignedData, el);
    plot.current = u;
    const resize = new ResizeObserver(() => {
      if (el.clientWidth > 0 && el.clientWidth !== u.width) u.setSize({ width: el.clientWidth, height: HEIGHT });
    });
    resize.observe(el);
    return () => {
      resize.disconnect();
      u.destroy();
      plot.current = null;
    };
  }, [metric, seriesKey]);

  useEffect(() => {
    plot.current?.setData(data as uPlot.AlignedData);
  }, [data]);

  const id = `db-chart-${metric.key}`;
  return (
    <figure className="db-chart" aria-labelledby={`${id}-title`} data-testid="chart" data-metric={metric.key} data-points={data[0].length}>
      <figcaption>
        <h2 id={`${id}-title`}>{metric.title}</h2>
        <p className="db-muted">{metric.caption}, over the last 5 minutes.</p>
      </figcaption>
      <div className="db-plot" ref={holder} aria-hidden="true" />
      <ul className="db-latest" aria-label={`${metric.title}: latest values`}>
        {nodes.map((n, i) => (
          <li
            key={n.node}
            data-testid="latest-value"
            data-node={n.node}
            data-value={n.last ? metric.value(n.last) : ''}
            className={n.up ? undefined : 'db-down'}
          >
            <span className="db-swatch" style={{ background: colourOf(i) }} aria-hidden="true" />
            <span className="db-latest-node">{n.node}</span>
            <strong>{n.last ? metric.format(n.last) : '–'}</strong>
            {!n.up && <span className="db-muted"> (down)</span>}
          </li>
        ))}
      </ul>
    </figure>
  );
}
