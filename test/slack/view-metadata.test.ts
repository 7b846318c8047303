// A modal's private_metadata is read with zod: what rolegate wrote comes back as it was; anything
// else is treated as unknown, never trusted as a cast would trust it.
import { describe, expect, it } from "vitest";
import { readDenyMetadata, readFormMetadata } from "../../src/slack/view-metadata.js";

describe("view metadata", () => {
  it("reads back what rolegate wrote", () => {
    expect(readFormMetadata(JSON.stringify({ channel: "C0GENERAL", target: "dolfin-acme" }))).toEqual({
      channel: "C0GENERAL",
      target: "dolfin-acme",
    });
    expect(readDenyMetadata(JSON.stringify({ requestId: "7K2QXM", channel: "C0APPROVALS" }))).toEqual({
      requestId: "7K2QXM",
      channel: "C0APPROVALS",
    });
  });

  it("treats malformed or foreign metadata as unknown: a form with nothing picked, a deny form it cannot act on", () => {
    expect(readFormMetadata("not json")).toEqual({ channel: null, target: null });
    expect(readFormMetadata(JSON.stringify({ channel: 42, target: { $ne: null } }))).toEqual({
      channel: null,
      target: null,
    });
    expect(readDenyMetadata("")).toBeNull();
    expect(readDenyMetadata(JSON.stringify({ requestId: "", channel: "C0APPROVALS" }))).toBeNull();
  });
});
