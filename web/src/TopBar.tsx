/** The bar above everything: which plan and product are shown, whether live updates flow, who is signed in. */
import type { Me, PlanListItem } from "./api/types";
import { fmtDateTime } from "./lib/format";
import { settingsDigest } from "./plan/settings";

interface Props {
  plans: readonly PlanListItem[];
  planId: string | null;
  onPlan: (planId: string | null) => void;
  products: readonly string[];
  productId: string | null;
  onProduct: (productId: string | null) => void;
  live: boolean;
  me: Me;
  onSignOut: () => void;
}

/** A plan in the picker: id, status, the settings that tell it from the others, and when it was made. */
export function planOption(p: PlanListItem): string {
  const digest = settingsDigest(p.parameters);
  return [`#${p.plan_id}`, p.status, digest, fmtDateTime(p.created_at)].filter((x) => x !== "").join(" · ");
}

export function TopBar({ plans, planId, onPlan, products, productId, onProduct, live, me, onSignOut }: Props) {
  return (
    <header className="topbar">
      <h1>stockshift</h1>
      <label className="inline">
        <span>Plan</span>
        <select aria-label="Plan shown" value={planId ?? ""} onChange={(e) => onPlan(e.target.value || null)}>
          {plans.length === 0 && <option value="">No plans yet</option>}
          {plans.map((p) => (
            <option key={p.plan_id} value={p.plan_id}>
              {planOption(p)}
            </option>
          ))}
        </select>
      </label>
      <label className="inline">
        <span>Product</span>
        <select aria-label="Product shown" value={productId ?? ""} onChange={(e) => onProduct(e.target.value || null)}>
          <option value="">All products (colour by cluster)</option>
          {products.map((p) => (
            <option key={p} value={p}>
              {p}
            </option>
          ))}
        </select>
      </label>
      <span
        className={`live ${live ? "on" : "off"}`}
        title={live ? "Live updates connected" : "Live updates disconnected"}
      >
        {live ? "live" : "offline"}
      </span>
      <span className="role" aria-label="Signed in as">
        {me.name ? `${me.name} · ` : ""}
        {me.role}
      </span>
      <button type="button" onClick={onSignOut}>
        Sign out
      </button>
    </header>
  );
}
