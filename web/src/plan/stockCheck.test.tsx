/** A plan whose stock moved since it was made is flagged before Execute (issue 11 part 3). */
import { render, screen, waitFor } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { planDoc, transferLine } from "../test/factories";
import { stubService, withQueries } from "../test/service";
import { ExecuteDialog } from "./ExecuteDialog";
import { PlanStatus } from "./PlanStatus";
import { type StockCheck, stockWarning, usePlanStockCheck } from "./stockCheck";

const fresh: StockCheck = {
  plan_id: 4,
  made_at: "2026-11-25T10:00:00Z",
  stale: false,
  changes: 0,
  more: false,
  last_change_at: null,
  short_count: 0,
  short: [],
};
const moved: StockCheck = { ...fresh, stale: true, changes: 3, last_change_at: "2026-11-25T11:00:00Z" };
const short = (n: number): StockCheck => ({
  ...moved,
  short_count: n,
  short: Array.from({ length: Math.min(n, 20) }, (_, i) => ({
    store_id: `S${i + 1}`,
    product_id: "P7",
    needed: 5,
    on_hand: 2,
  })),
});

describe("stock warning", () => {
  it("says nothing while the stock has not moved", () => {
    expect(stockWarning(fresh)).toBeNull();
  });

  it("says the stock moved but the lines still fit", () => {
    const w = stockWarning(moved);
    expect(w?.severity).toBe("moved");
    expect(w?.text).toMatch(
      /^The stock moved since this plan was made \(3 changes, the last at .+\)\. Its lines still fit/,
    );
    expect(stockWarning({ ...moved, changes: 1000, more: true })?.text).toMatch(/\(over 1,000 changes/);
  });

  it("names the stores and products that would make Execute be refused", () => {
    const w = stockWarning(short(5));
    expect(w?.severity).toBe("refused");
    expect(w?.text).toContain("store S1 holds 2 of P7, its lines take 5; store S2 holds 2 of P7");
    expect(w?.text).toContain("and 2 more.");
    expect(stockWarning(short(1))?.text).not.toContain("more");
  });
});

describe("before Execute", () => {
  it("the plan header flags a completed plan whose stock moved", () => {
    const { rerender } = render(
      <PlanStatus planId="4" plan={planDoc()} canExecute stockCheck={fresh} onExecute={vi.fn()} />,
    );
    expect(screen.queryByText(/Stock moved/)).toBeNull();
    rerender(<PlanStatus planId="4" plan={planDoc()} canExecute stockCheck={short(1)} onExecute={vi.fn()} />);
    expect(screen.getByRole("status")).toHaveTextContent(
      "Stock moved: execute would be refused. The stock moved since this plan was made and executing it would be refused: store S1 holds 2 of P7",
    );
    rerender(
      <PlanStatus
        planId="4"
        plan={planDoc({ status: "executed" })}
        canExecute={false}
        stockCheck={short(1)}
        onExecute={vi.fn()}
      />,
    );
    expect(screen.queryByText(/Stock moved/)).toBeNull(); // executed: nothing left to refuse
  });

  it("the execute dialog says it again", () => {
    render(
      <ExecuteDialog
        transfers={[transferLine(1, "P7", "S1", "S2", 5)]}
        busy={false}
        stockCheck={moved}
        onConfirm={vi.fn()}
        onCancel={vi.fn()}
      />,
    );
    expect(screen.getByRole("dialog")).toHaveTextContent(
      "Stock moved. The stock moved since this plan was made (3 changes",
    );
  });

  it("asks the service for the plan's stock check", async () => {
    const { api, fetch } = stubService({ "GET /api/v1/plans/4/stock-check": () => [200, moved] });
    function Probe() {
      const q = usePlanStockCheck(api, "4", true);
      return <p>{q.data ? `changes ${q.data.changes}` : "loading"}</p>;
    }
    const Wrapper = withQueries();
    render(
      <Wrapper>
        <Probe />
      </Wrapper>,
    );
    await waitFor(() => expect(screen.getByText("changes 3")).toBeInTheDocument());
    expect(fetch).toHaveBeenCalledOnce();
  });
});
