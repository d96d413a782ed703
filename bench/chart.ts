/**
 * Draws `bench/results/peers.json` as an SVG bar chart (no dependency): one
 * group per workload, a bar per thing measured (its median, scaled to the
 * group's largest), lifeline's bar highlighted, lifeline's ratios in the
 * group's title. `deno run -A bench/chart.ts [in.json] [out.svg]`;
 * `deno task bench:peers` runs it after writing its results.
 *
 * @module
 */

import type { PeerFigure } from "./peers.ts";

const WIDTH = 760;
const LABEL = 190;
const BAR = 16;
const GAP = 6;
const TITLE = 22;
const GROUP_GAP = 14;

function escape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(
    />/g,
    "&gt;",
  );
}

function format(value: number): string {
  if (value >= 1000) return Math.round(value).toLocaleString("en-US");
  return value.toFixed(value < 10 ? 2 : 1);
}

/** The SVG of `figures`, with `caption` under the title. */
export function chartSvg(
  figures: readonly PeerFigure[],
  caption: string,
): string {
  const groups = new Map<string, PeerFigure[]>();
  for (const f of figures) {
    const list = groups.get(f.workload) ?? [];
    list.push(f);
    groups.set(f.workload, list);
  }
  const parts: string[] = [];
  let y = 48;
  for (const [workload, list] of groups) {
    const { unit, medians, higherIsBetter } = list[0];
    const ratios = list.map((f) => `${f.ratio.toFixed(2)}× ${f.against}`)
      .join(", ");
    parts.push(
      `<text x="8" y="${y + 14}" font-weight="bold">${
        escape(
          `${workload} (${unit}, ${
            higherIsBetter ? "higher" : "lower"
          } is better): lifeline = ${ratios}`,
        )
      }</text>`,
    );
    y += TITLE;
    const most = Math.max(...Object.values(medians));
    for (const [name, value] of Object.entries(medians)) {
      const width = most > 0 ? (value / most) * (WIDTH - LABEL - 90) : 0;
      const fill = name === "lifeline" ? "#2f7d32" : "#8a8f98";
      parts.push(
        `<text x="${LABEL - 8}" y="${y + BAR - 4}" text-anchor="end">${
          escape(name)
        }</text>`,
        `<rect x="${LABEL}" y="${y}" width="${
          width.toFixed(1)
        }" height="${BAR}" fill="${fill}"/>`,
        `<text x="${(LABEL + width + 6).toFixed(1)}" y="${y + BAR - 4}">${
          format(value)
        }</text>`,
      );
      y += BAR + GAP;
    }
    y += GROUP_GAP;
  }
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${y}" viewBox="0 0 ${WIDTH} ${y}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="8" y="18" font-size="15" font-weight="bold">lifeline and its peers (deno task bench:peers)</text>`,
    `<text x="8" y="36" fill="#555">${escape(caption)}</text>`,
    ...parts,
    "</svg>",
    "",
  ].join("\n");
}

/** Reads the results at `input` and writes their chart to `output`. */
export async function writeChart(input: string, output: string): Promise<void> {
  const results = JSON.parse(await Deno.readTextFile(input)) as {
    runs: number;
    date: string;
    machine: { summary: string };
    figures: PeerFigure[];
  };
  const caption = `medians of ${results.runs} alternating runs, ${
    results.date.slice(0, 10)
  }; ${results.machine.summary}`;
  await Deno.writeTextFile(output, chartSvg(results.figures, caption));
  console.log(`wrote ${output}`);
}

if (import.meta.main) {
  const [input = "bench/results/peers.json", output] = Deno.args;
  await writeChart(input, output ?? input.replace(/\.json$/, ".svg"));
}
