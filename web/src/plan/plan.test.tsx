import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import type { Plan } from "../api/types";
import { planDoc } from "../test/factories";
import { ExecuteDialog } from "./ExecuteDialog";
import { Kpis, needShare } from "./Kpis";
import openapi from "../../openapi.json";
import { ECONOMIC_DEFAULTS } from "./choices";
import { PlanForm } from "./PlanForm";
import { PlanStatus } from "./PlanStatus";
import { transfers } from "./testLines";

describe("PlanForm", () => {
  it("sends every parameter, with empty limits as null", async () => {
    const onSubmit = vi.fn();
    render(<PlanForm onSubmit={onSubmit} busy={false} roleNote={null} />);
    await userEvent.selectOptions(screen.getByLabelText("Target"), "cluster-mean");
    await userEvent.clear(screen.getByLabelText("Pack size"));
    await userEvent.type(screen.getByLabelText("Pack size"), "6");
    await userEvent.type(screen.getByLabelText("Distance limit (km)"), "50");
    await userEvent.click(screen.getByRole("button", { name: "Run plan" }));
    expect(onSubmit).toHaveBeenCalledWith({
      target: "cluster-mean",
      clusters: "auto",
      forecast: "moving-average",
      window: 28,
      cover_days: 7,
      service_level: null,
      max_distance_km: 50,
      max_transfers: null,
      pack_size: 6,
      min_transfer_units: 1,
      policy: "greedy",
    });
  });

  it("names the wrong field and sends nothing", async () => {
    const onSubmit = vi.fn();
    render(<PlanForm onSubmit={onSubmit} busy={false} roleNote={null} />);
    await userEvent.type(screen.getByLabelText("Service level"), "95");
    await userEvent.selectOptions(screen.getByLabelText("Clusters"), "fixed");
    await userEvent.clear(screen.getByLabelText("Number of clusters (k)"));
    await userEvent.click(screen.getByRole("button", { name: "Run plan" }));
    expect(onSubmit).not.toHaveBeenCalled();
    expect(screen.getByText(/Service level must be between 0 and 1/)).toBeInTheDocument();
    expect(screen.getByText(/Number of clusters must be a whole number/)).toBeInTheDocument();
    expect(screen.getByLabelText("Service level")).toHaveAttribute("aria-invalid", "true");
  });
});

describe("PlanForm policies", () => {
  it("shows the service's own defaults for the economics", () => {
    const props = openapi.components.schemas.PlanCreate.properties as Record<string, { default?: unknown }>;
    for (const [key, value] of Object.entries(ECONOMIC_DEFAULTS))
      expect([key, props[key]?.default]).toEqual([key, value]);
  });

  it("explains every policy in one line, and shows expected-benefit's settings only when chosen", async () => {
    render(<PlanForm onSubmit={vi.fn()} busy={false} roleNote={null} />);
    const policy = screen.getByRole("group", { name: "Policy" });
    expect(within(policy).getAllByRole("radio")).toHaveLength(3);
    expect(screen.getByRole("radio", { name: /Greedy/ })).toBeChecked();
    expect(screen.getByRole("radio", { name: /Optimal/ })).toHaveAccessibleDescription(/fewest unit-km/);
    expect(screen.getByRole("radio", { name: /Expected benefit/ })).toHaveAccessibleDescription(
      /expected to sell more than where it is/,
    );
    expect(screen.queryByLabelText("Warehouse lead (days)")).not.toBeInTheDocument();
    await userEvent.click(screen.getByRole("radio", { name: /Expected benefit/ }));
    expect(screen.getByLabelText("Warehouse lead (days)")).toHaveValue("7");
  });

  it("sends the expected-benefit settings given, leaving empty ones to the service", async () => {
    const onSubmit = vi.fn();
    render(<PlanForm onSubmit={onSubmit} busy={false} roleNote={null} />);
    await userEvent.click(screen.getByRole("radio", { name: /Expected benefit/ }));
    await userEvent.clear(screen.getByLabelText("Review every (days)"));
    await userEvent.type(screen.getByLabelText("Review every (days)"), "14");
    await userEvent.type(screen.getByLabelText("A unit-km costs"), "0.02");
    await userEvent.click(screen.getByRole("button", { name: "Run plan" }));
    expect(onSubmit).toHaveBeenCalledTimes(1);
    const body = onSubmit.mock.calls[0]?.[0] as Record<string, unknown>;
    expect(body).toMatchObject({
      policy: "expected-benefit",
      warehouse_lead_days: 7,
      review_days: 14,
      transfer_lead_days: 1,
      cost_per_unit_km: 0.02,
    });
    expect(body).not.toHaveProperty("sale_value");
    expect(body).not.toHaveProperty("cost_per_line");
  });

  it("names a wrong setting, and sends no setting of a policy not chosen", async () => {
    const onSubmit = vi.fn();
    render(<PlanForm onSubmit={onSubmit} busy={false} roleNote={null} />);
    await userEvent.click(screen.getByRole("radio", { name: /Expected benefit/ }));
    await userEvent.clear(screen.getByLabelText("Review every (days)"));
    await userEvent.type(screen.getByLabelText("Review every (days)"), "0");
    await userEvent.type(screen.getByLabelText("A line costs"), "-3");
    await userEvent.click(screen.getByRole("button", { name: "Run plan" }));
    expect(onSubmit).not.toHaveBeenCalled();
    expect(screen.getByText("Review period must be a whole number of days, at least 1.")).toBeInTheDocument();
    expect(screen.getByText("Cost of a line must be a number of 0 or more.")).toBeInTheDocument();
    await userEvent.click(screen.getByRole("radio", { name: /Optimal/ }));
    await userEvent.click(screen.getByRole("button", { name: "Run plan" }));
    const body = onSubmit.mock.calls[0]?.[0] as Record<string, unknown>;
    expect(body.policy).toBe("optimal");
    expect(body).not.toHaveProperty("review_days");
  });

  it("offers forecast auto with what it does", async () => {
    const onSubmit = vi.fn();
    render(<PlanForm onSubmit={onSubmit} busy={false} roleNote={null} />);
    await userEvent.selectOptions(screen.getByLabelText("Forecast method"), "auto");
    expect(screen.getByText("per series, the method that forecast its own history best")).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Run plan" }));
    expect(onSubmit.mock.calls[0]?.[0]).toMatchObject({ forecast: "auto" });
  });
});

describe("ExecuteDialog", () => {
  it("names what will move before dispatching", async () => {
    const onConfirm = vi.fn();
    const onCancel = vi.fn();
    render(<ExecuteDialog transfers={transfers} busy={false} onConfirm={onConfirm} onCancel={onCancel} />);
    const dialog = screen.getByRole("dialog");
    expect(dialog).toHaveTextContent("2 transfer lines");
    expect(dialog).toHaveTextContent("93 units");
    expect(dialog).toHaveTextContent("63 × P004: 505 → 502");
    expect(screen.getByRole("button", { name: "Cancel" })).toHaveFocus();
    await userEvent.keyboard("{Escape}");
    expect(onCancel).toHaveBeenCalled();
    await userEvent.click(screen.getByRole("button", { name: "Dispatch 2 lines" }));
    expect(onConfirm).toHaveBeenCalled();
  });
});

describe("Kpis", () => {
  it("shows the share of need met by transfers", () => {
    const summary = {
      transfers: 3,
      units_moved: 75,
      unit_km: 812.25,
      warehouse_units: 25,
      warehouse_orders: 2,
      products_analysed: 3,
      stores: 4,
      clusters: 2,
      skipped_clusters: [],
      need_units: 100,
      cap_reached: false,
    };
    expect(needShare(summary)).toBe(0.75);
    render(<Kpis summary={summary} />);
    expect(screen.getByText("Need met by transfers").nextSibling).toHaveTextContent("75%");
    expect(screen.getByText("Unit-km").nextSibling).toHaveTextContent("812.3");
  });
});

describe("PlanStatus", () => {
  const plan = (status: Plan["status"], extra: Partial<Plan> = {}): Plan =>
    planDoc({ status, target: "forecast", policy: null, parameters: {}, ...extra });

  it("shows the service's progress while the plan runs", () => {
    render(
      <PlanStatus
        planId="4"
        plan={plan("running", { progress: "forecasting 12/30 products" })}
        canExecute={false}
        onExecute={vi.fn()}
      />,
    );
    expect(screen.getByRole("status")).toHaveTextContent("Planning… forecasting 12/30 products");
  });

  it("says why a plan failed", () => {
    render(
      <PlanStatus
        planId="4"
        plan={plan("failed", { error: "no stock loaded" })}
        canExecute={false}
        onExecute={vi.fn()}
      />,
    );
    expect(screen.getByRole("alert")).toHaveTextContent("The plan failed. no stock loaded");
  });

  it("offers execution only when allowed", async () => {
    const onExecute = vi.fn();
    const { rerender } = render(
      <PlanStatus planId="4" plan={plan("executed")} canExecute={false} onExecute={onExecute} />,
    );
    expect(screen.getByRole("button", { name: "Execute plan…" })).toBeDisabled();
    rerender(<PlanStatus planId="4" plan={plan("completed")} canExecute onExecute={onExecute} />);
    await userEvent.click(screen.getByRole("button", { name: "Execute plan…" }));
    expect(onExecute).toHaveBeenCalledOnce();
  });

  it("names the policy that made the plan", () => {
    render(
      <PlanStatus
        planId="4"
        plan={plan("completed", { parameters: { policy: "expected-benefit" } })}
        canExecute
        onExecute={vi.fn()}
      />,
    );
    expect(screen.getByLabelText("Plan settings")).toHaveTextContent("PolicyExpected benefit");
  });

  it("invites a first plan when there is none", () => {
    render(<PlanStatus planId={null} plan={undefined} canExecute={false} onExecute={vi.fn()} />);
    expect(screen.getByText(/No plan yet/)).toBeInTheDocument();
  });
});
