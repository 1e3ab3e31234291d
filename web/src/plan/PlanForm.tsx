/**
 * The plan parameters of SPEC sections 6 and 9 as a form: the policy first, each explained in
 * one line, then the targets, the limits, and the expected-benefit policy's own settings when it
 * is chosen. Empty optional fields mean "no limit", "no safety stock" or "the service's default",
 * as leaving the flag out does on the command line. Values are checked here so a typo is pointed
 * at its field before anything is sent.
 */
import { type FormEvent, useState } from "react";
import type { ForecastKind, PlanParameters, Policy, PolicySettings } from "../api/types";
import { ECONOMIC_DEFAULTS, ECONOMICS, FORECASTS, POLICIES } from "./choices";

interface Props {
  onSubmit: (params: PlanParameters) => void;
  busy: boolean;
  /** Why this key may not plan (a viewer key): Run is disabled and this says why. */
  roleNote: string | null;
}

interface Fields {
  policy: Policy;
  target: "" | "forecast" | "cluster-mean";
  clusterMode: "auto" | "column" | "fixed";
  k: string;
  forecast: ForecastKind;
  window: string;
  cover_days: string;
  service_level: string;
  max_distance_km: string;
  max_transfers: string;
  pack_size: string;
  min_transfer_units: string;
  warehouse_lead_days: string;
  review_days: string;
  transfer_lead_days: string;
  sale_value: string;
  cost_per_unit_km: string;
  cost_per_line: string;
  min_benefit: string;
}

const DEFAULTS: Fields = {
  policy: "greedy",
  target: "",
  clusterMode: "auto",
  k: "4",
  forecast: "moving-average",
  window: "28",
  cover_days: "7",
  service_level: "",
  max_distance_km: "",
  max_transfers: "",
  pack_size: "1",
  min_transfer_units: "1",
  warehouse_lead_days: "7",
  review_days: "7",
  transfer_lead_days: "1",
  sale_value: "",
  cost_per_unit_km: "",
  cost_per_line: "",
  min_benefit: "",
};

type Errors = Partial<Record<keyof Fields, string>>;

function positiveInt(text: string): number | null {
  return /^\d+$/.test(text.trim()) && Number(text) >= 1 ? Number(text) : null;
}

/** Check the fields and build the request body, or say which fields are wrong and why. */
export function toParameters(f: Fields): { params: PlanParameters | null; errors: Errors } {
  const errors: Errors = {};
  const int = (key: keyof Fields, label: string): number => {
    const v = positiveInt(f[key]);
    if (v === null) errors[key] = `${label} must be a whole number of at least 1.`;
    return v ?? 1;
  };
  const optional = (key: keyof Fields, check: (n: number) => boolean, message: string): number | null => {
    const text = f[key].trim();
    if (text === "") return null;
    const n = Number(text);
    if (!Number.isFinite(n) || !check(n)) {
      errors[key] = message;
      return null;
    }
    return n;
  };
  const days = (key: keyof Fields, label: string, least: number): number => {
    const text = f[key].trim();
    const v = /^\d+$/.test(text) ? Number(text) : null;
    if (v === null || v < least) errors[key] = `${label} must be a whole number of days, at least ${least}.`;
    return v ?? least;
  };
  const money = (key: keyof Fields, label: string): number | null =>
    optional(key, (n) => n >= 0, `${label} must be a number of 0 or more.`);
  const policy: PolicySettings = { policy: f.policy };
  if (f.policy === "expected-benefit") {
    policy.warehouse_lead_days = days("warehouse_lead_days", "Warehouse lead time", 0);
    policy.review_days = days("review_days", "Review period", 1);
    policy.transfer_lead_days = days("transfer_lead_days", "Transfer lead time", 0);
    for (const { key, name: label } of ECONOMICS) {
      const v = money(key, label);
      if (v !== null) policy[key] = v;
    }
  }
  const k = f.clusterMode === "fixed" ? int("k", "Number of clusters") : 0;
  const params: PlanParameters = {
    target: f.target === "" ? null : f.target,
    clusters: f.clusterMode === "fixed" ? String(k) : f.clusterMode,
    forecast: f.forecast,
    window: int("window", "Window"),
    cover_days: int("cover_days", "Cover days"),
    service_level: optional(
      "service_level",
      (n) => n > 0 && n < 1,
      "Service level must be between 0 and 1, e.g. 0.95.",
    ),
    max_distance_km: optional("max_distance_km", (n) => n > 0, "Distance limit must be a positive number of km."),
    max_transfers: optional(
      "max_transfers",
      (n) => Number.isInteger(n) && n >= 0,
      "Transfer cap must be a whole number (0 or more).",
    ),
    pack_size: int("pack_size", "Pack size"),
    min_transfer_units: int("min_transfer_units", "Minimum transfer"),
    ...policy,
  };
  return { params: Object.keys(errors).length === 0 ? params : null, errors };
}

export function PlanForm({ onSubmit, busy, roleNote }: Props) {
  const [fields, setFields] = useState<Fields>(DEFAULTS);
  const [errors, setErrors] = useState<Errors>({});
  const set = <K extends keyof Fields>(key: K, value: Fields[K]) => setFields((f) => ({ ...f, [key]: value }));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (roleNote !== null) return;
    const { params, errors: found } = toParameters(fields);
    setErrors(found);
    if (params) onSubmit(params);
  };

  const number = (key: keyof Fields, label: string, hint: string, placeholder = "") => (
    <div className="field">
      <label htmlFor={`plan-${key}`}>{label}</label>
      <input
        id={`plan-${key}`}
        name={key}
        inputMode="decimal"
        value={fields[key]}
        placeholder={placeholder}
        aria-invalid={errors[key] ? true : undefined}
        aria-describedby={`${key}-hint`}
        onChange={(e) => set(key, e.target.value)}
      />
      <small id={`${key}-hint`} className={errors[key] ? "error-text" : "hint"}>
        {errors[key] ?? hint}
      </small>
    </div>
  );

  type ChoiceKey = "target" | "clusterMode" | "forecast";
  const choice = <K extends ChoiceKey>(
    key: K,
    label: string,
    options: readonly (readonly [Fields[K], string])[],
    hint: string,
  ) => (
    <div className="field">
      <label htmlFor={`plan-${key}`}>{label}</label>
      <select id={`plan-${key}`} name={key} value={fields[key]} onChange={(e) => set(key, e.target.value as Fields[K])}>
        {options.map(([value, text]) => (
          <option key={value} value={value}>
            {text}
          </option>
        ))}
      </select>
      <small className="hint">{hint}</small>
    </div>
  );

  return (
    <form className="plan-form" onSubmit={submit} aria-label="Plan parameters" noValidate>
      <fieldset className="choices">
        <legend>Policy</legend>
        {POLICIES.map((p) => (
          <label key={p.id} className="choice">
            <input
              type="radio"
              name="policy"
              value={p.id}
              checked={fields.policy === p.id}
              onChange={() => set("policy", p.id)}
              aria-describedby={`policy-${p.id}-line`}
            />
            <span>
              <strong>{p.name}</strong>{" "}
              <small id={`policy-${p.id}-line`} className="hint">
                {p.line}
              </small>
            </span>
          </label>
        ))}
      </fieldset>
      {fields.policy === "expected-benefit" && (
        <fieldset className="policy-settings">
          <legend>Expected benefit</legend>
          <div className="row2">
            {number("warehouse_lead_days", "Warehouse lead (days)", "order to arrival")}
            {number("review_days", "Review every (days)", "between warehouse orders")}
          </div>
          <div className="row2">
            {number("transfer_lead_days", "Transfer lead (days)", "store to store")}
            {number("sale_value", "A sale earns", "money per extra sale", String(ECONOMIC_DEFAULTS.sale_value))}
          </div>
          <div className="row2">
            {number(
              "cost_per_unit_km",
              "A unit-km costs",
              "moving 1 unit 1 km",
              String(ECONOMIC_DEFAULTS.cost_per_unit_km),
            )}
            {number("cost_per_line", "A line costs", "fixed, per line", String(ECONOMIC_DEFAULTS.cost_per_line))}
          </div>
          <div className="row2">
            {number(
              "min_benefit",
              "Least net benefit",
              "per unit, beyond its costs",
              String(ECONOMIC_DEFAULTS.min_benefit),
            )}
          </div>
        </fieldset>
      )}
      <div className="row2">
        {choice(
          "target",
          "Target",
          [
            ["", "Auto"],
            ["forecast", "Forecast"],
            ["cluster-mean", "Cluster mean"],
          ],
          "auto: forecast when sales are loaded",
        )}
        {choice(
          "clusterMode",
          "Clusters",
          [
            ["auto", "Auto (elbow)"],
            ["fixed", "Fixed k"],
            ["column", "Stores file"],
          ],
          "auto: k by the elbow method",
        )}
      </div>
      {fields.clusterMode === "fixed" && number("k", "Number of clusters (k)", "K-Means with this k")}
      <div className="row2">
        {choice(
          "forecast",
          "Forecast method",
          FORECASTS.map((m) => [m.id, m.name] as const),
          FORECASTS.find((m) => m.id === fields.forecast)?.line ?? "",
        )}
        {number("window", "Window (days)", "days of sales used")}
      </div>
      <div className="row2">
        {number("cover_days", "Cover days", "days the target covers")}
        {number("service_level", "Service level", "empty: no safety stock", "e.g. 0.95")}
      </div>
      <div className="row2">
        {number("max_distance_km", "Distance limit (km)", "empty: no limit", "no limit")}
        {number("max_transfers", "Transfer cap (lines)", "empty: no cap", "no cap")}
      </div>
      <div className="row2">
        {number("pack_size", "Pack size", "multiples moved")}
        {number("min_transfer_units", "Minimum transfer", "smallest line")}
      </div>
      {roleNote && (
        <p className="hint role-note" id="plan-role-note">
          {roleNote}
        </p>
      )}
      <button
        type="submit"
        className="primary"
        disabled={busy || roleNote !== null}
        aria-describedby={roleNote ? "plan-role-note" : undefined}
      >
        {busy ? "Planning…" : "Run plan"}
      </button>
    </form>
  );
}
