// Only the parts of ECharts the dashboard draws with: keeps the client bundle small.
import * as echarts from 'echarts/core';
import { BarChart, CustomChart, LineChart, ParallelChart, ScatterChart } from 'echarts/charts';
import {
  DataZoomComponent,
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  ParallelComponent,
  TooltipComponent,
  VisualMapContinuousComponent,
} from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import type { EChartsCoreOption } from 'echarts/core';

echarts.use([
  BarChart,
  LineChart,
  ScatterChart,
  CustomChart,
  ParallelChart,
  GridComponent,
  TooltipComponent,
  LegendComponent,
  DataZoomComponent,
  MarkLineComponent,
  ParallelComponent,
  VisualMapContinuousComponent,
  CanvasRenderer,
]);

export { echarts };
export type { EChartsCoreOption } from 'echarts/core';

/** What a custom series' renderItem receives from ECharts (the part we use). */
export interface RenderApi {
  value: (dim: number) => number;
  coord: (point: number[]) => number[];
}

/**
 * An error bar (vertical line with caps) for a custom series: x in data dimension `dims.x`, the
 * interval's ends in `dims.lo` and `dims.hi`.
 */
export function errorBarRenderer(dims: { x: number; lo: number; hi: number }, style: { stroke: string; lineWidth: number }, cap: number) {
  return (_params: unknown, api: RenderApi) => {
    const x = api.value(dims.x);
    const lo = api.coord([x, api.value(dims.lo)]);
    const hi = api.coord([x, api.value(dims.hi)]);
    return {
      type: 'group',
      children: [
        { type: 'line', shape: { x1: lo[0], y1: lo[1], x2: hi[0], y2: hi[1] }, style },
        { type: 'line', shape: { x1: lo[0] - cap, y1: lo[1], x2: lo[0] + cap, y2: lo[1] }, style },
        { type: 'line', shape: { x1: hi[0] - cap, y1: hi[1], x2: hi[0] + cap, y2: hi[1] }, style },
      ],
    };
  };
}

/**
 * The option with an id on every series that lacks one (type, name and rank among namesakes).
 * The dashboard updates charts with replaceMerge on `series`, and ECharts treats a series without
 * an id as brand new there: the old one is disposed and the new one animates in from nothing, so
 * a live chart blinked empty on every poll. With stable ids the series are updated in place.
 */
export function withSeriesIds(option: EChartsCoreOption): EChartsCoreOption {
  const series = (option as { series?: unknown }).series;
  if (!Array.isArray(series)) return option;
  const seen = new Map<string, number>();
  const withIds = series.map((s: Record<string, unknown>) => {
    if (!s || typeof s !== 'object' || s.id != null) return s;
    const base = `${String(s.type ?? 'series')}:${String(s.name ?? '')}`;
    const k = seen.get(base) ?? 0;
    seen.set(base, k + 1);
    return { ...s, id: `${base}:${k}` };
  });
  return { ...option, series: withIds };
}
