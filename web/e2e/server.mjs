// A real `stockshift serve` for the end-to-end tests: a temporary SQLite database, migrated,
// filled with the shipped demo data (or, with `chain`, a chain the demo generator makes, planned
// once with `db plan`), an admin and a viewer key, on a free loopback port.
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "..", "..");
const stockshift = join(root, ".venv", "bin", "stockshift");
const demo = join(root, "examples", "demo");

function freePort() {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.once("error", fail);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => ok(port));
    });
  });
}

function cli(env, ...args) {
  return execFileSync(stockshift, args, { env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/** The key is alone on the last line of `stockshift keys create` (SPEC section 8). */
function createKey(env, role) {
  const lines = cli(env, "keys", "create", "--role", role, "--name", `e2e ${role}`).trim().split("\n");
  return lines[lines.length - 1].trim();
}

async function waitForHealth(url, child, log) {
  for (let i = 0; i < 150; i += 1) {
    if (child.exitCode !== null) throw new Error(`stockshift serve exited early:\n${log()}`);
    try {
      const r = await fetch(`${url}/api/v1/health`);
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`stockshift serve did not answer /api/v1/health within 30 s:\n${log()}`);
}

/**
 * `chain`: { stores, products, assortment } for a generated chain with no sales, planned with
 * the cluster-mean target before the service starts (the plan's line count is in `planned`).
 */
export async function startService({ chain = null } = {}) {
  for (const f of [stockshift, join(demo, "stores.csv")]) {
    if (!existsSync(f)) throw new Error(`${f} is missing: run \`make setup\` at the repository root first.`);
  }
  const dir = mkdtempSync(join(tmpdir(), "stockshift-e2e-"));
  const env = {
    ...process.env,
    STOCKSHIFT_DATABASE_URL: `sqlite:///${join(dir, "e2e.db")}`,
    // No tile server: the dashboard must fall back to its bundled outlines.
    STOCKSHIFT_TILE_URL: "",
    // Lower than the 300 km default: the demo chain's widest clusters then have lines to flag.
    STOCKSHIFT_INTRA_CLUSTER_WARN_KM: "100",
  };
  cli(env, "db", "upgrade");
  let planned = null;
  if (chain) {
    const data = join(dir, "chain");
    const size = ["--stores", chain.stores, "--products", chain.products, "--assortment", chain.assortment];
    cli(env, "demo", data, ...size.map(String), "--days", "0");
    cli(env, "db", "import", "--stores", join(data, "stores.csv"), "--inventory", join(data, "inventory.csv"));
    planned = cli(env, "db", "plan", "--target", "cluster-mean").trim();
  } else {
    cli(
      env,
      "db",
      "import",
      "--stores",
      join(demo, "stores.csv"),
      "--inventory",
      join(demo, "inventory.csv"),
      "--sales",
      join(demo, "sales.csv"),
    );
  }
  const adminKey = createKey(env, "admin");
  const viewerKey = createKey(env, "viewer");
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let output = "";
  const child = spawn(stockshift, ["serve", "--host", "127.0.0.1", "--port", String(port)], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  await waitForHealth(url, child, () => output);

  const api = async (method, path, body, key = adminKey) => {
    const r = await fetch(`${url}${path}`, {
      method,
      headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : null };
  };

  const stop = async () => {
    if (child.exitCode === null) {
      child.kill("SIGTERM");
      await new Promise((r) => {
        const t = setTimeout(() => {
          child.kill("SIGKILL");
          r();
        }, 5000);
        child.once("exit", () => {
          clearTimeout(t);
          r();
        });
      });
    }
    rmSync(dir, { recursive: true, force: true });
  };
  return { url, adminKey, viewerKey, api, stop, planned, log: () => output };
}
