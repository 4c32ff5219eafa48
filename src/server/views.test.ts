import { describe, expect, it } from "vitest";
import type { TokenRecord } from "../store/records.js";
import { tokenView } from "./views.js";

describe("tokenView", () => {
  it("clamps out-of-range stored times", () => {
    const token = {
      id: 1,
      scope: "user",
      description: "old",
      repositoryId: null,
      createdAt: 0,
      expiresAt: 1e9 * 86_400_000,
      lastUsedAt: null,
    } as unknown as TokenRecord;
    expect(tokenView(token).expiresAt).toBe("+275760-09-13T00:00:00.000Z");
  });
});
