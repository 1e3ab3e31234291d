/** The small chain and plan lines the plan components' tests share: four stores in two clusters. */
import type { Store, Transfer } from "../api/types";
import { transferLine } from "../test/factories";

export const stores: Store[] = ["501", "502", "505", "509"].map((id, i) => ({
  store_id: id,
  name: `Store ${id}`,
  lat: 41 + i * 0.1,
  lon: -93,
  cluster: i < 2 ? "0" : "1",
}));

export function line(
  id: number,
  product: string,
  from: string,
  to: string,
  quantity: number,
  status: Transfer["status"] = "proposed",
): Transfer {
  return transferLine(id, product, from, to, quantity, { status });
}

export const transfers: Transfer[] = [
  line(1, "P004", "505", "502", 63),
  line(2, "P001", "501", "509", 12, "dispatched"),
  { ...line(3, "P002", "509", "501", 30), scope: "cross-cluster" },
];
