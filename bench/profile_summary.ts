/**
 * Prints the functions with the most self time in a V8 CPU profile (the
 * `.cpuprofile` that `deno run --cpu-prof` writes), with their share of
 * the samples: `deno run -A bench/profile_summary.ts <file> [top]`, or as a
 * Markdown table with `--markdown` (as in `bench/results/profile_relay.md`).
 *
 * @module
 */

interface ProfileNode {
  id: number;
  callFrame: {
    functionName: string;
    url: string;
    lineNumber: number;
  };
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
}

/** One function's share of the samples. */
export interface SelfTime {
  name: string;
  percent: number;
}

/** The `top` functions by self time, program and idle included. */
export function summarize(profile: Profile, top = 20): SelfTime[] {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const counts = new Map<string, number>();
  for (const id of profile.samples) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const file = url.replace(/^.*\//, "");
    const name = file
      ? `${functionName || "(anonymous)"} ${file}:${lineNumber + 1}`
      : functionName;
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return [...counts]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, count]) => ({
      name,
      percent: (100 * count) / profile.samples.length,
    }));
}

if (import.meta.main) {
  const markdown = Deno.args.includes("--markdown");
  const [file, top] = Deno.args.filter((arg) => arg !== "--markdown");
  const profile: Profile = JSON.parse(await Deno.readTextFile(file));
  const rows = summarize(profile, Number(top ?? 20));
  if (markdown) console.log("| % of samples | function |\n|---:|---|");
  for (const { name, percent } of rows) {
    console.log(
      markdown
        ? `| ${percent.toFixed(1)} | \`${name}\` |`
        : `${percent.toFixed(1).padStart(5)} %  ${name}`,
    );
  }
}
