// Draws the dashboard's posture trends (docs/api.md "Dashboard"). The page carries each chart's
// data in a <script type="application/json" class="trend-data" id="ID"> block (never executed) and
// an empty <div id="ID-chart">; this file, loaded from /static after uPlot, reads the block and
// draws into the div. The same numbers are in a table on the page for readers without script.
(() => {
  const COLOURS = {
    critical: '#a61e1e',
    high: '#d9480f',
    medium: '#b08800',
    low: '#2b8a3e',
    kev: '#5f3dc4',
  };
  const LABELS = { critical: 'critical', high: 'high', medium: 'medium', low: 'low', kev: 'KEV' };
  const HEIGHT = 260;

  function draw(block) {
    const el = document.getElementById(`${block.id}-chart`);
    if (!el || typeof uPlot !== 'function') return;
    let data;
    try {
      data = JSON.parse(block.textContent || 'null');
    } catch {
      return;
    }
    if (!data || !Array.isArray(data.times) || !data.times.length) return;
    const names = Object.keys(COLOURS).filter((n) => Array.isArray(data.series[n]));
    const width = () => Math.max(280, el.clientWidth || 600);
    const chart = new uPlot(
      {
        width: width(),
        height: HEIGHT,
        scales: {
          // The range asked for, so a lone snapshot sits at its time instead of filling the axis.
          x:
            data.from !== null && data.to !== null
              ? { time: true, auto: false, range: [data.from, data.to], min: data.from, max: data.to }
              : { time: true },
          y: { range: (_u, _min, max) => [0, Math.max(1, max)] },
        },
        series: [
          {},
          ...names.map((n) => ({
            label: LABELS[n],
            stroke: COLOURS[n],
            width: 2,
            points: { show: data.times.length < 60 },
          })),
        ],
        axes: [{}, { label: data.measure }],
      },
      [data.times, ...names.map((n) => data.series[n])],
      el,
    );
    // What uPlot holds (not what the page sent): the drawn series and each one's number of points.
    el.setAttribute('data-series', String(chart.series.length - 1));
    el.setAttribute('data-points', String(chart.data[0].length));
    el.setAttribute(
      'data-series-points',
      chart.data
        .slice(1)
        .map((d) => d.length)
        .join(','),
    );
    let pending = 0;
    window.addEventListener('resize', () => {
      cancelAnimationFrame(pending);
      pending = requestAnimationFrame(() => chart.setSize({ width: width(), height: HEIGHT }));
    });
  }

  for (const block of document.querySelectorAll('script.trend-data')) draw(block);
})();
