// A time-series line chart on uPlot (small, fast canvas charts).
import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

const COLORS = ["#2563eb", "#dc2626", "#16a34a", "#d97706", "#7c3aed", "#0891b2", "#db2777", "#65a30d"];

export interface Series {
  label: string;
  values: (number | null)[];
}

export function Chart({ title, xs, series, width = 520, height = 200, fmt }: {
  title: string;
  xs: number[]; // unix seconds
  series: Series[];
  width?: number;
  height?: number;
  fmt?: (v: number) => string;
}) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!ref.current) return;
    const opts: uPlot.Options = {
      title,
      width,
      height,
      series: [
        {},
        ...series.map((s, i) => ({ label: s.label, stroke: COLORS[i % COLORS.length], width: 2, spanGaps: true, points: { show: xs.length < 40 } })),
      ],
      axes: [{}, { values: (_u, vals) => vals.map((v) => (fmt ? fmt(v) : String(v))), size: 60 }],
    };
    const plot = new uPlot(opts, [xs, ...series.map((s) => s.values)] as uPlot.AlignedData, ref.current);
    return () => plot.destroy();
  }, [title, xs, series, width, height, fmt]);
  return <div className="chart" ref={ref} aria-label={title} />;
}
