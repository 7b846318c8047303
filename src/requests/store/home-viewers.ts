// Who uses rolegate's App Home tab. A change redraws the tab of the people it concerns, but only
// of those who have opened it lately: publishing a view to every approver on every change would
// spend Slack's rate limit on tabs nobody looks at. A tab not redrawn is drawn when opened.
import type { PrismaClient } from "../../db/generated/client.js";

export class HomeViewers {
  constructor(private readonly prisma: PrismaClient) {}

  async opened(userId: string, now: Date): Promise<void> {
    await this.prisma.homeViewer.upsert({
      where: { userId },
      create: { userId, openedAt: now },
      update: { openedAt: now },
    });
  }

  /** Those of `userIds` who opened the tab since `since`. */
  async among(userIds: readonly string[], since: Date): Promise<string[]> {
    if (userIds.length === 0) return [];
    const rows = await this.prisma.homeViewer.findMany({
      where: { userId: { in: [...userIds] }, openedAt: { gte: since } },
      select: { userId: true },
    });
    return rows.map((r) => r.userId);
  }
}
