'use client';

import { useEffect, useRef } from 'react';
import { echarts, withSeriesIds, type EChartsCoreOption } from '../lib/echarts';

/**
 * One ECharts instance bound to a div: created on mount, resized with its box, disposed on
 * unmount. Option updates replace the series but keep the user's zoom; every series gets a
 * stable id (withSeriesIds), so an update redraws it in place instead of from empty.
 */
export function Chart({
  option,
  testId,
  className = 'chart',
  replace = ['series'],
  attrs,
}: {
  option: EChartsCoreOption;
  testId?: string;
  className?: string;
  /** Components replaced (not merged) on update: add axes that change with the data. */
  replace?: string[];
  /** Extra data-* attributes on the chart's box (what it shows, for tests). */
  attrs?: Record<`data-${string}`, string | number>;
}) {
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<ReturnType<typeof echarts.init> | null>(null);

  useEffect(() => {
    const div = el.current;
    if (!div) return;
    const instance = echarts.init(div, undefined, { renderer: 'canvas' });
    chart.current = instance;
    const ro = new ResizeObserver(() => instance.resize());
    ro.observe(div);
    return () => {
      ro.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, []);

  const replaceKey = replace.join(',');
  useEffect(() => {
    chart.current?.setOption(withSeriesIds(option), { replaceMerge: replaceKey.split(','), lazyUpdate: true });
  }, [option, replaceKey]);

  return <div ref={el} className={className} data-testid={testId} {...attrs} />;
}
