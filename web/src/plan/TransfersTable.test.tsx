import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import type { ComponentProps } from "react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiContext } from "../api/context";
import type { Transfer } from "../api/types";
import { downloadCsv } from "../lib/csv";
import { planPages, stubService, withQueries } from "../test/service";
import { RowCount } from "./TableParts";
import { TransfersTable, matchesTransfer, transfersCsvName } from "./TransfersTable";
import { line, stores, transfers } from "./testLines";

vi.mock("../lib/csv", async (original) => ({
  ...(await original<typeof import("../lib/csv")>()),
  downloadCsv: vi.fn(),
}));

type TableProps = ComponentProps<typeof TransfersTable>;

describe("TransfersTable", () => {
  const names = Object.fromEntries(stores.map((s) => [s.store_id, s.name]));
  const renderTable = (lines: readonly Transfer[] = transfers, overrides: Partial<TableProps> = {}) => {
    const { api, fetch } = stubService(planPages(1, lines as unknown as Record<string, unknown>[], [], names));
    const props: TableProps = {
      planId: "1",
      productId: null,
      storeId: null,
      onClearStore: vi.fn(),
      withGain: false,
      inTransit: lines.filter((t) => t.status === "dispatched").length,
      stores,
      selectedKey: null,
      selectedLine: null,
      onSelect: vi.fn(),
      onReceive: vi.fn(),
      onCancel: vi.fn(),
      busyLine: null,
      onReceiveAll: vi.fn(),
      receivingAll: false,
      ...overrides,
    };
    const Wrapper = withQueries();
    render(
      <Wrapper>
        <ApiContext.Provider value={api}>
          <TransfersTable {...props} />
        </ApiContext.Provider>
      </Wrapper>,
    );
    return { props, fetch };
  };
  const bodyRows = () => within(screen.getByRole("table")).getAllByRole("row").slice(1);
  const firstCells = () => bodyRows().map((r) => (r as HTMLTableRowElement).cells[0]?.textContent);
  const table = () => screen.findByRole("table");
  const requested = (fetch: ReturnType<typeof vi.fn>) =>
    fetch.mock.calls.map(([r]) => new URL((r as Request).url)).filter((u) => u.pathname.endsWith("/transfers"));

  afterEach(() => vi.unstubAllGlobals());

  it("counts rows with thousands separators, like every other number", () => {
    render(<RowCount total={61690} noun="lines" loading={false} />);
    expect(screen.getByText("61,690 lines")).toBeInTheDocument();
  });

  it("names a filtered CSV after its filters", () => {
    expect(transfersCsvName("12", "", "", "")).toBe("transfers-12.csv");
    expect(transfersCsvName("12", " S030 ", "", "dispatched")).toBe("transfers-12-S030-dispatched.csv");
    expect(transfersCsvName("3", "Des Moines/2", "intra-cluster", "")).toBe(
      "transfers-3-Des_Moines_2-intra-cluster.csv",
    );
  });

  it("has a skip link whose target follows the table", async () => {
    renderTable();
    const link = screen.getByRole("link", { name: "Skip past the transfers table" });
    const target = document.getElementById("after-transfers");
    expect(link).toHaveAttribute("href", "#after-transfers");
    expect(target).not.toBeNull();
    expect((await table()).compareDocumentPosition(target as Node) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
  });

  it("shows the expected gain only for plans whose lines carry it, sorted by the service", async () => {
    renderTable();
    await table();
    expect(screen.queryByRole("columnheader", { name: /Expected gain/ })).not.toBeInTheDocument();
    cleanup();
    const gains = [0.4, 7.25, 2];
    const withGain = transfers.map((t, i) => ({ ...t, expected_gain: gains[i] ?? null }));
    const { fetch } = renderTable(withGain, { withGain: true });
    await table();
    expect(screen.getByRole("columnheader", { name: /Expected gain/ })).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: /Expected gain/ }));
    await userEvent.click(screen.getByRole("button", { name: /Expected gain/ }));
    await waitFor(() => expect(bodyRows()[0]).toHaveTextContent("7.3"));
    expect(bodyRows()[0]).toHaveTextContent("P001");
    expect(requested(fetch).at(-1)?.searchParams.get("sort")).toBe("-expected_gain");
  });

  it("shows the column for an expected-benefit plan from its header, even when no line is shown", async () => {
    // A product chosen before the plan was made can match none of its lines: the columns stay.
    renderTable(transfers, { withGain: true, productId: "P999" });
    expect(await screen.findByText("No transfer matches these filters.")).toBeInTheDocument();
    expect(screen.getByRole("columnheader", { name: /Expected gain/ })).toBeInTheDocument();
  });

  it("lists the largest lines first and sorts on a header click, by asking the service", async () => {
    const { fetch } = renderTable();
    await table();
    expect(bodyRows()[0]).toHaveTextContent("P004");
    expect(requested(fetch)[0]?.searchParams.get("sort")).toBe("-quantity");
    await userEvent.click(screen.getByRole("button", { name: /Product/ }));
    await waitFor(() => expect(firstCells()).toEqual(["P001", "P002", "P004"]));
    expect(requested(fetch).at(-1)?.searchParams.get("sort")).toBe("product_id");
  });

  it("filters by store and by scope on the service", async () => {
    const { fetch } = renderTable();
    await table();
    await userEvent.type(screen.getByLabelText("Filter transfers by product or store"), "509");
    await waitFor(() => expect(bodyRows()).toHaveLength(2));
    expect(requested(fetch).at(-1)?.searchParams.get("q")).toBe("509");
    await userEvent.selectOptions(screen.getByLabelText("Scope"), "cross-cluster");
    await waitFor(() => expect(bodyRows()).toHaveLength(1));
    expect(bodyRows()[0]).toHaveTextContent("P002");
    await userEvent.type(screen.getByLabelText("Filter transfers by product or store"), "zzz");
    expect(await screen.findByText("No transfer matches these filters.")).toBeInTheDocument();
  });

  it("finds a store by its name, as the map does", async () => {
    renderTable();
    await table();
    await userEvent.type(screen.getByLabelText("Filter transfers by product or store"), "store 505");
    await waitFor(() => expect(firstCells()).toEqual(["P004"]));
    const filter = { text: "store 505", scope: "", status: "", store: "" };
    expect(transfers.filter((t) => matchesTransfer(t, filter, new Map(Object.entries(names))))).toHaveLength(1);
  });

  it("tells the map which filters are in use, and nothing once they are cleared", async () => {
    const onFilter = vi.fn();
    renderTable(transfers, { onFilter });
    expect(onFilter).toHaveBeenLastCalledWith(null);
    await userEvent.selectOptions(screen.getByLabelText("Scope"), "cross-cluster");
    expect(onFilter).toHaveBeenLastCalledWith({ text: "", scope: "cross-cluster", status: "", store: "" });
    await userEvent.selectOptions(screen.getByLabelText("Scope"), "");
    expect(onFilter).toHaveBeenLastCalledWith(null);
  });

  it("narrows to the store chosen on the map, says so, and lets the planner show every store again", async () => {
    const onFilter = vi.fn();
    const { props, fetch } = renderTable(transfers, { storeId: "509", onFilter });
    await waitFor(() => expect(firstCells()).toEqual(["P002", "P001"]));
    expect(requested(fetch)[0]?.searchParams.get("store_id")).toBe("509");
    expect(onFilter).toHaveBeenLastCalledWith(null); // the map narrows to the store by itself
    await userEvent.selectOptions(screen.getByLabelText("Scope"), "cross-cluster");
    expect(onFilter).toHaveBeenLastCalledWith({ text: "", scope: "cross-cluster", status: "", store: "509" });
    const filter = { text: "", scope: "", status: "", store: "509" };
    expect(transfers.filter((t) => matchesTransfer(t, filter)).map((t) => t.transfer_id)).toEqual([2, 3]);
    await userEvent.click(screen.getByRole("button", { name: "Only lines of store 509: show every store's lines" }));
    expect(props.onClearStore).toHaveBeenCalledOnce();
    expect(transfersCsvName("12", "", "", "dispatched", "509")).toBe("transfers-12-dispatched-509.csv");
  });

  it("selects a line by click or keyboard, handing the row's own line to the map to highlight", async () => {
    const { props } = renderTable();
    await userEvent.click(await screen.findByText("P002"));
    expect(props.onSelect).toHaveBeenCalledWith(expect.objectContaining({ transfer_id: 3, product_id: "P002" }));
    const row = bodyRows()[0];
    if (!row) throw new Error("no rows");
    row.focus();
    fireEvent.keyDown(row, { key: "Enter" });
    expect(props.onSelect).toHaveBeenLastCalledWith(expect.objectContaining({ transfer_id: 1 }));
  });

  it("offers receive only on lines in transit", async () => {
    const { props } = renderTable();
    await table();
    const buttons = screen.getAllByRole("button", { name: "Receive" });
    expect(buttons).toHaveLength(1);
    await userEvent.click(buttons[0] as HTMLElement);
    expect(props.onReceive).toHaveBeenCalledWith(2);
  });

  it("cancels a line in transit only after naming what goes back where", async () => {
    const { props } = renderTable();
    await userEvent.click(await screen.findByRole("button", { name: "Cancel…" }));
    expect(screen.getByRole("group", { name: "Cancel transfer 2?" })).toHaveTextContent("Return 12 to 501?");
    expect(props.onSelect).not.toHaveBeenCalled();
    await userEvent.click(screen.getByRole("button", { name: "Keep" }));
    expect(props.onCancel).not.toHaveBeenCalled();
    await userEvent.click(screen.getByRole("button", { name: "Cancel…" }));
    await userEvent.click(screen.getByRole("button", { name: "Yes, cancel" }));
    expect(props.onCancel).toHaveBeenCalledWith(2);
  });

  it("draws a window of a long plan's rows and loads more pages as it scrolls", async () => {
    const many = Array.from({ length: 450 }, (_, i) => line(100 + i, `P${i}`, "501", "502", 1000 - i));
    const { fetch } = renderTable(many);
    await table();
    expect(screen.getByText("450 lines")).toBeInTheDocument();
    expect(bodyRows().length).toBeLessThan(60);
    expect(requested(fetch)).toHaveLength(1);
    const box = document.querySelector(".table-scroll") as HTMLElement;
    box.scrollTo({ top: 150 * 33 });
    await waitFor(() => expect(requested(fetch)).toHaveLength(2));
    expect(requested(fetch)[1]?.searchParams.get("cursor")).toBe("200");
    await waitFor(() => expect(screen.getByText("P160")).toBeInTheDocument());
  });

  it("brings the line chosen into view, or pins it when it is not loaded", async () => {
    const many = Array.from({ length: 300 }, (_, i) => line(100 + i, `P${i}`, "501", "502", 1000 - i));
    renderTable(many, { selectedKey: "t250", selectedLine: many[150] ?? null });
    await table();
    await waitFor(() => expect(screen.getByText("P150").closest("tr")).toHaveClass("selected"));
    cleanup();
    renderTable(many, { selectedKey: "t380", selectedLine: many[280] ?? null });
    await table();
    const pinned = screen.getByText("P280").closest("tr");
    expect(pinned).toHaveClass("selected");
    expect(pinned).toHaveClass("pinned");
  });

  it("receives only the lines arriving at the store filtered on, after naming store, lines and units", async () => {
    const { props } = renderTable([
      line(1, "P1", "501", "502", 5, "dispatched"),
      line(2, "P2", "505", "502", 7, "dispatched"),
      line(3, "P3", "502", "509", 9, "dispatched"), // leaving 502: never received there
      line(4, "P4", "501", "502", 2),
    ]);
    await table();
    await userEvent.type(screen.getByLabelText("Filter transfers by product or store"), "502");
    await userEvent.click(await screen.findByRole("button", { name: "Receive 2 arriving at 502…" }));
    expect(screen.getByRole("group", { name: "Receive the lines arriving at 502?" })).toHaveTextContent(
      "Receive 2 lines (12 units) arriving at 502?",
    );
    await userEvent.click(screen.getByRole("button", { name: "Yes, receive" }));
    await waitFor(() => expect(props.onReceiveAll).toHaveBeenCalledTimes(1));
    expect(props.onReceiveAll).toHaveBeenCalledWith([1, 2]);
  });

  it("asks which store receives when the lines shown arrive at several", async () => {
    const { props } = renderTable([
      line(1, "P1", "501", "502", 5, "dispatched"),
      line(3, "P3", "502", "509", 9, "dispatched"),
    ]);
    expect(await screen.findByRole("button", { name: "Receive…" })).toBeDisabled();
    await userEvent.selectOptions(screen.getByLabelText("Receive at store"), "509");
    await userEvent.click(screen.getByRole("button", { name: "Receive 1 arriving at 509…" }));
    expect(screen.getByRole("group", { name: "Receive the lines arriving at 509?" })).toHaveTextContent(
      "Receive 1 lines (9 units) arriving at 509?",
    );
    await userEvent.click(screen.getByRole("button", { name: "Yes, receive" }));
    await waitFor(() => expect(props.onReceiveAll).toHaveBeenCalledWith([3]));
  });

  it("downloads every line the filters match, not just those loaded", async () => {
    const many = Array.from({ length: 450 }, (_, i) => line(100 + i, `P${i}`, "501", "502", 1000 - i));
    const { fetch } = renderTable(many);
    await table();
    await userEvent.click(screen.getByRole("button", { name: "Download CSV" }));
    await waitFor(() => expect(downloadCsv).toHaveBeenCalledTimes(1));
    const [name, text] = vi.mocked(downloadCsv).mock.calls[0] ?? [];
    expect(name).toBe("transfers-1.csv");
    expect(text?.trim().split("\r\n")).toHaveLength(451);
    expect(requested(fetch).at(-1)?.searchParams.get("limit")).toBe("5000");
  });

  it("says so when a plan moves nothing", async () => {
    renderTable([]);
    expect(await screen.findByText(/This plan moves nothing/)).toBeInTheDocument();
  });
});
