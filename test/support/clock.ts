/** A clock tests move by hand. */
export class ManualClock {
  private current: number;

  constructor(start = "2026-11-22T10:00:00.000Z") {
    this.current = Date.parse(start);
  }

  now = (): Date => new Date(this.current);

  advance(ms: number): void {
    this.current += ms;
  }
}
