/**
 * Everything a planner does to a plan and its lines — plan, execute, receive one or many, cancel —
 * each reported in the banner the same way: what it did on success, why not on failure.
 */
import type { UseMutationResult } from "@tanstack/react-query";
import { useCallback, useRef, useState } from "react";
import type { ApiClient } from "../api/client";
import { useCancelTransfer, useCreatePlan, useExecutePlan, useReceiveMany, useReceiveTransfer } from "../api/queries";
import type { PlanParameters } from "../api/types";
import { fmtInt } from "../lib/format";
import { reported } from "./reported";
import type { BannerControl } from "./useBanner";

function pendingLine(mutation: UseMutationResult<void, Error, number>): number | null {
  return mutation.isPending ? (mutation.variables ?? null) : null;
}

/** Plan and execute: a new plan is shown once the service has accepted it; executing asks first. */
export function usePlanActions(api: ApiClient, banner: BannerControl, onPlanned: (planId: string) => void) {
  const create = useCreatePlan(api);
  const executeMutation = useExecutePlan(api);
  const [confirming, setConfirming] = useState(false);
  const submit = reported(create, banner, null, onPlanned);
  const dispatch = reported(
    executeMutation,
    banner,
    (done) => [
      "Plan executed",
      `${fmtInt(done.lines)} lines dispatched, ${fmtInt(done.units)} units in transit; receive them as they arrive.`,
    ],
    undefined,
    () => setConfirming(false),
  );
  // The same functions from render to render, so the form and the plan's header are not drawn
  // again when a line or a product is chosen elsewhere on the page.
  const latest = useRef({ submit, banner });
  latest.current = { submit, banner };
  const runPlan = useCallback((params: PlanParameters) => {
    latest.current.banner.clear();
    latest.current.submit(params);
  }, []);
  const askExecute = useCallback(() => setConfirming(true), []);
  return {
    runPlan,
    planning: create.isPending,
    confirming,
    askExecute,
    dismissExecute: () => setConfirming(false),
    execute: (planId: string | null) => {
      if (planId !== null) dispatch(planId);
    },
    executing: executeMutation.isPending,
  };
}

/** Receive and cancel lines in transit, one at a time or a delivery at once. */
export function useLineActions(api: ApiClient, banner: BannerControl) {
  const receive = useReceiveTransfer(api);
  const cancel = useCancelTransfer(api);
  const receiveMany = useReceiveMany(api);
  return {
    receiveLine: reported(receive, banner, (_, id) => [
      "Received",
      `Transfer ${id} is now on hand at its destination.`,
    ]),
    cancelLine: reported(cancel, banner, (_, id) => [
      "Cancelled",
      `Transfer ${id} is cancelled; its units are back on hand at the source.`,
    ]),
    receiveLines: reported(receiveMany, banner, (done) => [
      "Received",
      `${fmtInt(done.lines)} lines (${fmtInt(done.units)} units) are now on hand at ${done.store_ids.join(", ")}.`,
    ]),
    receivingAll: receiveMany.isPending,
    /** The line whose receipt or cancellation is under way, for its row to show it. */
    busyLine: pendingLine(receive) ?? pendingLine(cancel),
  };
}
