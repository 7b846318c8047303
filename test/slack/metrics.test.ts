// /metrics as Prometheus scrapes it: requests by status, decisions by outcome, vendor calls with
// their latency, the executor's queue and oldest approved request, the outbox, reverts that
// failed, the database pool, and the process's own figures.
import { describe, expect, it } from "vitest";
import { revertId } from "../../src/requests/store/reverts.js";
import { ACTIONS } from "../../src/slack/action-ids.js";
import { forbidden } from "../support/fake-connector.js";
import { APPROVER, REQUESTER, useSlackHarness, waitFor } from "../support/slack-harness.js";

const h = useSlackHarness();

async function scrape(): Promise<string> {
  const response = await fetch(`${h.origin}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toContain("text/plain");
  return response.text();
}

/** The value of one series, by its exact name and labels as Prometheus writes them. */
function value(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe("/metrics", () => {
  it("counts a request applied, the approval that decided it and the vendor call that made it, with its latency", async () => {
    const id = await h.fileRequest("set dolfin-acme ada@example.com admin on call");
    await h.click(APPROVER, ACTIONS.approve, id);
    await waitFor(async () => (await h.rolegate.repo.find(id))?.status === "APPLIED", "the change");
    await h.noticesDelivered();

    const text = await scrape();
    expect(value(text, 'rolegate_requests{status="APPLIED"}')).toBe(1);
    expect(value(text, 'rolegate_requests{status="PENDING"}')).toBe(0);
    expect(value(text, 'rolegate_decisions_total{command="approve",outcome="ok"}')).toBe(1);
    expect(value(text, 'rolegate_vendor_calls_total{vendor="dolfin",operation="set_role",outcome="ok"}')).toBe(1);
    expect(value(text, 'rolegate_vendor_call_duration_seconds_count{vendor="dolfin",operation="set_role"}')).toBe(1);
    expect(value(text, "rolegate_executor_queue_depth")).toBe(0);
    expect(value(text, "rolegate_oldest_approved_age_seconds")).toBe(0);
    expect(value(text, "rolegate_notice_outbox_depth")).toBe(0);
    expect(value(text, 'rolegate_db_pool_connections{state="total"}')).toBeGreaterThan(0);
    expect(value(text, "rolegate_process_resident_memory_bytes")).toBeGreaterThan(0);
  });

  it("shows an approved request nobody has applied yet, refusals by their code, and notices Slack did not take", async () => {
    await h.rolegate.executor.stop(); // no executor: approved work waits
    const id = await h.fileRequest("set dolfin-acme ada@example.com admin on call");
    await h.click(REQUESTER, ACTIONS.approve, id); // the requester: refused
    // Decided before the approver clicks: a click is acknowledged first and decided after, and
    // one decided once the request is APPROVED would be refused for that instead.
    await waitFor(() => h.slack.ephemerals.some((e) => e.user === REQUESTER), "the requester's refusal");
    h.slack.on("chat.update", () => ({ ok: false, error: "ratelimited" }));
    await h.click(APPROVER, ACTIONS.approve, id);
    await waitFor(async () => (await h.rolegate.repo.find(id))?.status === "APPROVED", "the approval");

    await waitFor(
      async () => (value(await scrape(), 'rolegate_slack_notice_failures_total{notice="approved"}') ?? 0) >= 1,
      "a failed notice to be counted",
    );
    const text = await scrape();
    expect(value(text, 'rolegate_decisions_total{command="approve",outcome="self_approval"}')).toBe(1);
    expect(value(text, "rolegate_executor_queue_depth")).toBe(1);
    expect(value(text, "rolegate_oldest_approved_age_seconds")).toBeGreaterThanOrEqual(0);
    expect(value(text, "rolegate_notice_outbox_depth")).toBeGreaterThanOrEqual(1);
  });

  it("counts a grant whose access could not be taken back", async () => {
    const id = await h.fileRequest("set dolfin-acme ada@example.com admin for 1m incident");
    await h.click(APPROVER, ACTIONS.approve, id);
    await waitFor(async () => (await h.rolegate.repo.find(id))?.status === "APPLIED", "the grant");
    h.dolfin.nextWrites({ kind: "error", error: forbidden("Caller is not Admin or Owner of this organisation.") });
    await h.click(APPROVER, ACTIONS.endEarly, id);
    await waitFor(async () => (await h.rolegate.repo.find(revertId(id, 0)))?.status === "FAILED", "the revert to fail");

    const text = await scrape();
    expect(value(text, "rolegate_failed_reverts")).toBe(1);
    expect(value(text, 'rolegate_vendor_calls_total{vendor="dolfin",operation="set_role",outcome="forbidden"}')).toBe(
      1,
    );
  });

  it("reports the ledger: who holds each role per target, changes outside rolegate waiting, sync age and duration, a 🚨 counted", async () => {
    const synced = async () =>
      (await h.database.prisma.inventoryTarget.findUnique({ where: { target: "dolfin-acme" } }))?.lastOutcome ===
      "complete";
    await waitFor(synced, "the first sync at start");
    let text = await scrape();
    expect(value(text, 'rolegate_inventory_members{target="dolfin-acme",role="Member"}')).toBe(2);
    expect(value(text, 'rolegate_inventory_sync_age_seconds{target="dolfin-acme"}')).toBeLessThan(60);
    expect(value(text, 'rolegate_inventory_sync_duration_seconds_count{target="dolfin-acme"}')).toBe(1);
    expect(value(text, 'rolegate_vendor_calls_total{vendor="dolfin",operation="list_members",outcome="ok"}')).toBe(1);

    h.dolfin.addMember("usr_1", "ada@example.com", "owner");
    h.clock.advance(60_000);
    await h.rolegate.inventory.store.requestSync("dolfin-acme", APPROVER);
    h.rolegate.inventory.loop.wake();
    await waitFor(async () => (await h.database.prisma.outsideChange.count()) === 1, "the change outside rolegate");
    text = await scrape();
    expect(value(text, 'rolegate_outside_changes_open{target="dolfin-acme"}')).toBe(1);
    expect(value(text, 'rolegate_inventory_members{target="dolfin-acme",role="Owner"}')).toBe(1);
    expect(value(text, 'rolegate_inventory_members{target="dolfin-acme",role="Member"}')).toBe(1);
    expect(value(text, "rolegate_failed_reverts")).toBe(0);
  });

  it("without ROLEGATE_AUDIT_TOKEN there is no audit export at all, whatever is sent", async () => {
    const response = await fetch(`${h.origin}/audit/events`, { headers: { authorization: "Bearer anything" } });
    expect(response.status).toBe(404);
  });
});
