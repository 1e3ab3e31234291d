/** What a planner asked for (issue 11 part 3): each plan's settings, a viewer told why it may not act, a dialog that keeps focus. */
import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { describe, expect, it, vi } from "vitest";
import { planDoc, planItem, transferLine } from "../test/factories";
import { TopBar, planOption } from "../TopBar";
import { ExecuteDialog } from "./ExecuteDialog";
import { PlanForm } from "./PlanForm";
import { PlanStatus } from "./PlanStatus";
import { planSettings, settingsDigest } from "./settings";

const greedy500 = {
  policy: "greedy",
  target: "cluster-mean",
  clusters: "auto",
  forecast: "moving-average",
  window: 28,
  cover_days: 7,
  service_level: null,
  max_distance_km: 500,
  max_transfers: null,
  pack_size: 6,
  min_transfer_units: 1,
};

describe("plan settings", () => {
  it("lists every setting with its unit, and 'none' for a limit left out", () => {
    const shown = Object.fromEntries(planSettings(greedy500).map((s) => [s.label, s.value]));
    expect(shown).toEqual({
      Policy: "Greedy",
      Target: "cluster-mean",
      Clusters: "auto (elbow)",
      "Distance limit": "500 km",
      "Transfer cap": "none",
      "Pack size": "6 units",
      "Minimum transfer": "1 units",
    });
  });

  it("shows the forecast only for forecast targets, and expected-benefit's economics only for that policy", () => {
    const forecast = planSettings({ ...greedy500, target: "forecast", service_level: 0.95, forecast: "auto" });
    expect(forecast.find((s) => s.key === "forecast")?.value).toBe(
      "Auto, 28-day window, 7 cover days, service level 95 %",
    );
    expect(planSettings(greedy500).some((s) => s.key === "sale_value")).toBe(false);
    const eb = planSettings({ ...greedy500, policy: "expected-benefit", sale_value: 12.5, cost_per_unit_km: 0.02 });
    expect(eb.find((s) => s.key === "sale_value")?.value).toBe("12.5");
    expect(eb.find((s) => s.key === "cost_per_unit_km")?.value).toBe("0.02");
  });

  it("leaves out what the service did not record instead of guessing", () => {
    expect(planSettings({})).toEqual([]);
    expect(settingsDigest({ pack_size: "six" })).toBe("");
  });

  it("digests the settings that tell plans apart", () => {
    expect(settingsDigest(greedy500)).toBe("Greedy, cluster-mean, ≤ 500 km, pack 6");
    expect(settingsDigest({ ...greedy500, max_distance_km: null, pack_size: 1, max_transfers: 2000 })).toBe(
      "Greedy, cluster-mean, ≤ 2,000 lines",
    );
  });
});

describe("plan picker and header", () => {
  it("names each plan's settings in the picker", () => {
    const plans = [planItem("7", greedy500), planItem("6", { ...greedy500, policy: "optimal", max_distance_km: null })];
    render(
      <TopBar
        plans={plans}
        planId="7"
        onPlan={vi.fn()}
        products={[]}
        productId={null}
        onProduct={vi.fn()}
        live
        me={{ role: "planner", name: null }}
        onSignOut={vi.fn()}
      />,
    );
    const options = within(screen.getByLabelText("Plan shown")).getAllByRole("option");
    expect(options.map((o) => o.textContent)).toEqual([
      "#7 · completed · Greedy, cluster-mean, ≤ 500 km, pack 6",
      "#6 · completed · Optimal, cluster-mean, pack 6",
    ]);
    expect(planOption(planItem("1", {}, "running"))).toBe("#1 · running");
  });

  it("shows the plan's settings in its header", () => {
    render(<PlanStatus planId="4" plan={planDoc({ parameters: greedy500 })} canExecute onExecute={vi.fn()} />);
    const settings = screen.getByLabelText("Plan settings");
    expect(within(settings).getByText("Distance limit").nextSibling).toHaveTextContent("500 km");
    expect(within(settings).getByText("Pack size").nextSibling).toHaveTextContent("6 units");
  });
});

describe("a viewer key", () => {
  it("sees Run disabled with the reason", async () => {
    const onSubmit = vi.fn();
    render(<PlanForm onSubmit={onSubmit} busy={false} roleNote="Run is off: your key is a viewer key." />);
    const run = screen.getByRole("button", { name: "Run plan" });
    expect(run).toBeDisabled();
    expect(run).toHaveAccessibleDescription("Run is off: your key is a viewer key.");
    await userEvent.type(screen.getByLabelText("Pack size"), "{Enter}");
    expect(onSubmit).not.toHaveBeenCalled();
  });

  it("sees Execute disabled with the reason", () => {
    render(
      <PlanStatus
        planId="4"
        plan={planDoc()}
        canExecute
        executeNote="Execute is off: your key is a viewer key."
        onExecute={vi.fn()}
      />,
    );
    const execute = screen.getByRole("button", { name: "Execute plan…" });
    expect(execute).toBeDisabled();
    expect(execute).toHaveAccessibleDescription("Execute is off: your key is a viewer key.");
  });
});

describe("the execute dialog", () => {
  const lines = [transferLine(1, "P1", "A", "B", 5)];

  function Harness() {
    const [open, setOpen] = useState(false);
    return (
      <>
        <button type="button" onClick={() => setOpen(true)}>
          Execute plan…
        </button>
        <button type="button">After</button>
        {open && <ExecuteDialog transfers={lines} busy={false} onConfirm={vi.fn()} onCancel={() => setOpen(false)} />}
      </>
    );
  }

  it("keeps Tab and Shift+Tab inside while open", async () => {
    render(<Harness />);
    await userEvent.click(screen.getByRole("button", { name: "Execute plan…" }));
    const cancel = screen.getByRole("button", { name: "Cancel" });
    const dispatch = screen.getByRole("button", { name: "Dispatch 1 lines" });
    expect(cancel).toHaveFocus();
    await userEvent.tab();
    expect(dispatch).toHaveFocus();
    await userEvent.tab();
    expect(cancel).toHaveFocus();
    await userEvent.tab({ shift: true });
    expect(dispatch).toHaveFocus();
  });

  it("gives focus back to the button that opened it, on Cancel and on Escape", async () => {
    render(<Harness />);
    const opener = screen.getByRole("button", { name: "Execute plan…" });
    await userEvent.click(opener);
    await userEvent.click(screen.getByRole("button", { name: "Cancel" }));
    expect(screen.queryByRole("dialog")).toBeNull();
    expect(opener).toHaveFocus();
    await userEvent.click(opener);
    await userEvent.keyboard("{Escape}");
    expect(screen.queryByRole("dialog")).toBeNull();
    expect(opener).toHaveFocus();
  });
});
