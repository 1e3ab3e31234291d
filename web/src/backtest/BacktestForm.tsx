/**
 * What to replay: the weeks (by default the last ones of the sales history), the policies to
 * compare against warehouse replenishment alone, the lead times, and the targets' settings.
 * Checked here, so a typo is pointed at its field before anything is sent.
 */
import { type FormEvent, useState } from "react";
import type { BacktestParameters, ForecastKind, Policy } from "../api/types";
import { ECONOMIC_DEFAULTS, ECONOMICS, FORECASTS, POLICIES } from "../plan/choices";
import { BASELINE } from "./verdict";

interface Props {
  initial: BacktestParameters | null;
  busy: boolean;
  onSubmit: (params: BacktestParameters) => void;
}

export const BACKTEST_DEFAULTS: BacktestParameters = {
  start: null,
  weeks: 8,
  policies: [BASELINE, ...POLICIES.map((p) => p.id)],
  review_days: 7,
  warehouse_lead_days: 7,
  transfer_lead_days: 1,
  forecast: "moving-average",
  window: 28,
  cover_days: 7,
  service_level: null,
  clusters: "auto",
  max_distance_km: null,
  pack_size: 1,
  min_transfer_units: 1,
};

type TextKey =
  | "weeks"
  | "review_days"
  | "warehouse_lead_days"
  | "transfer_lead_days"
  | "window"
  | "cover_days"
  | "service_level"
  | "max_distance_km"
  | "pack_size"
  | "min_transfer_units"
  | EconomicKey;
type EconomicKey = (typeof ECONOMICS)[number]["key"];
type Texts = Record<TextKey, string> & { start: string };
type Errors = Partial<Record<TextKey | "start" | "policies", string>>;

const text = (v: number | null) => (v === null ? "" : String(v));

/** Check the fields and build the request, or say which fields are wrong and why. */
export function toBacktestParameters(
  t: Texts,
  policies: readonly Policy[],
  forecast: ForecastKind,
  clusters: string,
): { params: BacktestParameters | null; errors: Errors } {
  const errors: Errors = {};
  const whole = (key: TextKey, label: string, least: number): number => {
    const s = t[key].trim();
    const v = /^\d+$/.test(s) ? Number(s) : null;
    if (v === null || v < least) errors[key] = `${label} must be a whole number, at least ${least}.`;
    return v ?? least;
  };
  const optional = (key: TextKey, ok: (n: number) => boolean, message: string): number | null => {
    const s = t[key].trim();
    if (s === "") return null;
    const n = Number(s);
    if (!Number.isFinite(n) || !ok(n)) errors[key] = message;
    return Number.isFinite(n) ? n : null;
  };
  const start = t.start.trim();
  if (start !== "" && !/^\d{4}-\d{2}-\d{2}$/.test(start)) errors.start = "Start must be a date (YYYY-MM-DD).";
  if (policies.length === 0) errors.policies = "Choose at least one policy to compare with the warehouse alone.";
  const params: BacktestParameters = {
    start: start === "" ? null : start,
    weeks: whole("weeks", "Weeks", 1),
    policies: [BASELINE, ...policies],
    review_days: whole("review_days", "Review period", 1),
    warehouse_lead_days: whole("warehouse_lead_days", "Warehouse lead time", 0),
    transfer_lead_days: whole("transfer_lead_days", "Transfer lead time", 0),
    forecast,
    window: whole("window", "Window", 1),
    cover_days: whole("cover_days", "Cover days", 1),
    service_level: optional("service_level", (n) => n > 0 && n < 1, "Service level must be between 0 and 1."),
    clusters,
    max_distance_km: optional("max_distance_km", (n) => n > 0, "Distance limit must be a positive number of km."),
    pack_size: whole("pack_size", "Pack size", 1),
    min_transfer_units: whole("min_transfer_units", "Minimum transfer", 1),
  };
  if (policies.includes("expected-benefit")) {
    for (const { key, name } of ECONOMICS) {
      const v = optional(key, (n) => n >= 0, `${name} must be a number of 0 or more.`);
      if (v !== null) params[key] = v;
    }
  }
  return { params: Object.keys(errors).length === 0 ? params : null, errors };
}

export function BacktestForm({ initial, busy, onSubmit }: Props) {
  const from = initial ?? BACKTEST_DEFAULTS;
  const [texts, setTexts] = useState<Texts>({
    start: from.start ?? "",
    weeks: text(from.weeks),
    review_days: text(from.review_days),
    warehouse_lead_days: text(from.warehouse_lead_days),
    transfer_lead_days: text(from.transfer_lead_days),
    window: text(from.window),
    cover_days: text(from.cover_days),
    service_level: text(from.service_level),
    max_distance_km: text(from.max_distance_km),
    pack_size: text(from.pack_size),
    min_transfer_units: text(from.min_transfer_units),
    sale_value: text(from.sale_value ?? null),
    cost_per_unit_km: text(from.cost_per_unit_km ?? null),
    cost_per_line: text(from.cost_per_line ?? null),
    min_benefit: text(from.min_benefit ?? null),
  });
  const [policies, setPolicies] = useState<Policy[]>(
    POLICIES.map((p) => p.id).filter((id) => from.policies.includes(id)),
  );
  const [forecast, setForecast] = useState<ForecastKind>(from.forecast);
  const [clusters, setClusters] = useState(from.clusters);
  const [errors, setErrors] = useState<Errors>({});

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const { params, errors: found } = toBacktestParameters(texts, policies, forecast, clusters);
    setErrors(found);
    if (params) onSubmit(params);
  };
  const field = (key: TextKey | "start", label: string, hint: string, placeholder = "") => (
    <div className="field" key={key}>
      <label htmlFor={`backtest-${key}`}>{label}</label>
      <input
        id={`backtest-${key}`}
        type={key === "start" ? "date" : "text"}
        inputMode={key === "start" ? undefined : "decimal"}
        value={texts[key]}
        placeholder={placeholder}
        aria-invalid={errors[key] ? true : undefined}
        aria-describedby={`backtest-${key}-hint`}
        onChange={(e) => setTexts((t) => ({ ...t, [key]: e.target.value }))}
      />
      <small id={`backtest-${key}-hint`} className={errors[key] ? "error-text" : "hint"}>
        {errors[key] ?? hint}
      </small>
    </div>
  );

  return (
    <form className="backtest-form" onSubmit={submit} aria-label="Backtest parameters" noValidate>
      <fieldset className="backtest-policies" aria-describedby="backtest-policies-hint">
        <legend>Compare with warehouse only</legend>
        {POLICIES.map((p) => (
          <label key={p.id} className="inline" title={p.line}>
            <input
              type="checkbox"
              checked={policies.includes(p.id)}
              onChange={(e) =>
                setPolicies((now) =>
                  e.target.checked
                    ? POLICIES.map((q) => q.id).filter((id) => id === p.id || now.includes(id))
                    : now.filter((id) => id !== p.id),
                )
              }
            />
            {p.name}
          </label>
        ))}
        <small id="backtest-policies-hint" className={errors.policies ? "error-text" : "hint"}>
          {errors.policies ?? "each replayed on the same weeks; the warehouse alone is the baseline"}
        </small>
      </fieldset>
      <div className="backtest-fields">
        {field("start", "Start", "empty: the last weeks of sales")}
        {field("weeks", "Weeks", "weeks replayed")}
        {field("review_days", "Review every (days)", "plan and order")}
        {field("warehouse_lead_days", "Warehouse lead (days)", "order to arrival")}
        {field("transfer_lead_days", "Transfer lead (days)", "store to store")}
        {field("cover_days", "Cover days", "days the target covers")}
        {field("window", "Window (days)", "days of sales used")}
        {field("service_level", "Service level", "empty: no safety stock", "e.g. 0.95")}
        {field("max_distance_km", "Distance limit (km)", "empty: no limit", "no limit")}
        {field("pack_size", "Pack size", "multiples moved")}
        {field("min_transfer_units", "Minimum transfer", "smallest line")}
        {policies.includes("expected-benefit") &&
          ECONOMICS.map(({ key, label, hint }) =>
            field(key, label, `expected benefit: ${hint}`, String(ECONOMIC_DEFAULTS[key])),
          )}
        <div className="field">
          <label htmlFor="backtest-forecast">Forecast method</label>
          <select id="backtest-forecast" value={forecast} onChange={(e) => setForecast(e.target.value as ForecastKind)}>
            {FORECASTS.map((m) => (
              <option key={m.id} value={m.id}>
                {m.name}
              </option>
            ))}
          </select>
          <small className="hint">{FORECASTS.find((m) => m.id === forecast)?.line}</small>
        </div>
        <div className="field">
          <label htmlFor="backtest-clusters">Clusters</label>
          <select id="backtest-clusters" value={clusters} onChange={(e) => setClusters(e.target.value)}>
            <option value="auto">Auto (elbow)</option>
            <option value="column">Stores file</option>
          </select>
          <small className="hint">computed once, before day 0</small>
        </div>
      </div>
      <button type="submit" className="primary" disabled={busy}>
        {busy ? "Replaying…" : "Run backtest"}
      </button>
    </form>
  );
}
