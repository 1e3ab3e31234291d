/**
 * The backtest on the Backtest tab. It lives above the tabs so that a replay keeps running,
 * and its result stays, while the planner looks at the map or the tables. Until one is started
 * here, the tab shows the newest backtest the service has (run earlier, or by someone else).
 */
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { fetchLatestBacktestId } from "../api/backtests";
import type { ApiClient } from "../api/client";
import { useBacktest, useCreateBacktest } from "../api/queries";
import type { BacktestParameters } from "../api/types";
import { reported } from "../dashboard/reported";
import type { BannerControl } from "../dashboard/useBanner";

/** `live`: the event stream is connected, so the backtest follows its events instead of polling. */
export function useBacktestRun(api: ApiClient, banner: BannerControl, shown: boolean, live: boolean) {
  const [started, setStarted] = useState<string | null>(null);
  const [asked, setAsked] = useState<BacktestParameters | null>(null);
  const latest = useQuery({
    queryKey: ["backtests", "latest"],
    queryFn: () => fetchLatestBacktestId(api),
    enabled: shown && started === null,
    staleTime: Infinity,
  });
  const backtestId = started ?? latest.data ?? null;
  const create = useCreateBacktest(api);
  const query = useBacktest(api, backtestId, live);
  const submit = reported(create, banner, null, setStarted);
  return {
    start: (params: BacktestParameters) => {
      banner.clear();
      setAsked(params);
      submit(params);
    },
    starting: create.isPending,
    /** The parameters of the last backtest asked for: the form starts from them. */
    asked,
    backtestId,
    backtest: query.data,
    loadError: query.error ?? latest.error,
  };
}

export type BacktestRun = ReturnType<typeof useBacktestRun>;
