// The ECharts we ship: only the charts and parts the dashboard draws (line and bar on a grid, with
// tooltip and a scrolling legend, on canvas), bundled by `make assets` with esbuild into
// static/vendor/echarts.min.js. A page that draws a new kind of chart adds its part here.
import * as echarts from "echarts/core";
import { BarChart, LineChart } from "echarts/charts";
import { GridComponent, LegendComponent, TooltipComponent } from "echarts/components";
import { CanvasRenderer } from "echarts/renderers";

echarts.use([BarChart, LineChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

window.echarts = echarts;
