// The planner's journey through the dashboard in headless Chromium against a real service:
// a wrong key is refused, sign in, run a plan and read its settings, see its flows (clusters,
// stores, a product's, a store's) with city names, lakes and each cluster's reach on the map,
// filter and select, execute (the dialog keeps focus), receive, see stock change, a stale plan
// is flagged and refused (409) naming store and product, a backtest compares the policies and
// plans with the winner, a viewer sees Run and Execute disabled with the reason.
// Screenshots of each view land in web/test-results/.
//
// The steps share one service and one page, in this order (each area's module holds its tests;
// journey.mjs the shared state and steps).
import { viewerIsReadOnly, wrongKey } from "./dashboard/access.mjs";
import { chartsAndBacktest } from "./dashboard/insight.mjs";
import { openDashboard } from "./dashboard/journey.mjs";
import { flowsAndTooltips, offlineTiles, planOnTheMap } from "./dashboard/map.mjs";
import { executeAndReceive, stalePlan } from "./dashboard/stock.mjs";
import { smallScreens, transferTables } from "./dashboard/tables.mjs";

openDashboard();
wrongKey();
planOnTheMap();
flowsAndTooltips();
transferTables();
executeAndReceive();
smallScreens();
stalePlan();
chartsAndBacktest();
viewerIsReadOnly();
offlineTiles();
