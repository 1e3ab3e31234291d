/**
 * A plan's settings as a planner reads them (SPEC sections 2-4 and 9): each setting with its
 * label and value, and a one-line digest for the plan picker. Parameters come from the
 * service as JSON; anything missing or of the wrong type is left out rather than guessed.
 */
import { fmtDecimal, fmtInt } from "../lib/format";
import { FORECASTS, policyName } from "./choices";

export interface Setting {
  key: string;
  label: string;
  value: string;
}

type Parameters = Readonly<Record<string, unknown>>;

const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);
const text = (v: unknown): string | null => (typeof v === "string" && v !== "" ? v : null);

function clustersText(v: unknown): string | null {
  const c = text(v);
  if (c === null) return null;
  if (c === "auto") return "auto (elbow)";
  if (c === "column") return "the stores' own column";
  return `${c} (K-Means)`;
}

function forecastText(p: Parameters): string | null {
  if (p.target !== "forecast") return null;
  const method = FORECASTS.find((f) => f.id === p.forecast)?.name ?? text(p.forecast);
  const window = num(p.window);
  const cover = num(p.cover_days);
  if (method === null) return null;
  const parts = [method];
  if (window !== null) parts.push(`${fmtInt(window)}-day window`);
  if (cover !== null) parts.push(`${fmtInt(cover)} cover days`);
  const level = num(p.service_level);
  if (level !== null) parts.push(`service level ${fmtDecimal(level * 100)} %`);
  return parts.join(", ");
}

/** Every setting the plan was made with, in the order the plan form asks for them. */
export function planSettings(p: Parameters): Setting[] {
  const out: Setting[] = [];
  const add = (key: string, label: string, value: string | null) => {
    if (value !== null) out.push({ key, label, value });
  };
  add("policy", "Policy", text(p.policy) === null ? null : policyName(p.policy as string));
  add("target", "Target", text(p.target));
  add("forecast", "Forecast", forecastText(p));
  add("clusters", "Clusters", clustersText(p.clusters));
  // A limit recorded as null is "none"; one not recorded at all is left out.
  const limit = (key: string, label: string, show: (v: number) => string) => {
    if (!(key in p)) return;
    const v = num(p[key]);
    add(key, label, v === null ? "none" : show(v));
  };
  limit("max_distance_km", "Distance limit", (v) => `${fmtDecimal(v)} km`);
  limit("max_transfers", "Transfer cap", (v) => `${fmtInt(v)} lines`);
  const pack = num(p.pack_size);
  add("pack_size", "Pack size", pack === null ? null : `${fmtInt(pack)} unit${pack === 1 ? "" : "s"}`);
  const least = num(p.min_transfer_units);
  add("min_transfer_units", "Minimum transfer", least === null ? null : `${fmtInt(least)} units`);
  if (p.policy === "expected-benefit") {
    const money = (k: string) => (num(p[k]) === null ? null : fmtDecimal(num(p[k]) as number));
    add("sale_value", "A sale earns", money("sale_value"));
    add("cost_per_unit_km", "A unit-km costs", num(p.cost_per_unit_km) === null ? null : String(p.cost_per_unit_km));
    add("cost_per_line", "A line costs", money("cost_per_line"));
    add("min_benefit", "Least net benefit", money("min_benefit"));
  }
  return out;
}

/** The few settings that tell plans apart, for the plan picker: "Greedy, cluster-mean, ≤ 500 km, pack 6". */
export function settingsDigest(p: Parameters): string {
  const parts: string[] = [];
  if (text(p.policy) !== null) parts.push(policyName(p.policy as string));
  if (text(p.target) !== null)
    parts.push(p.target === "forecast" ? `forecast ${text(p.forecast) ?? ""}`.trim() : String(p.target));
  const distance = num(p.max_distance_km);
  if (distance !== null) parts.push(`≤ ${fmtDecimal(distance)} km`);
  const cap = num(p.max_transfers);
  if (cap !== null) parts.push(`≤ ${fmtInt(cap)} lines`);
  const pack = num(p.pack_size);
  if (pack !== null && pack > 1) parts.push(`pack ${fmtInt(pack)}`);
  const least = num(p.min_transfer_units);
  if (least !== null && least > 1) parts.push(`min ${fmtInt(least)}`);
  return parts.join(", ");
}
