/** Run ids sort by start time: `run_20261125T120000Z_3f9a1c`. */
export function newRunId(startedAt: Date, random: () => string = () => crypto.randomUUID().replaceAll("-", "").slice(0, 6)): string {
  const stamp = startedAt.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
  return `run_${stamp}_${random()}`;
}
