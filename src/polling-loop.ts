// A background worker's loop: run a tick; when it found nothing to do, sleep until the next
// poll or until woken. A tick that throws (database down, shutting down) is logged and tried
// again after a pause: the work it was after stays where it was, in the database.
import type { Logger } from "./logger.js";

export class PollingLoop {
  private running = false;
  private loop: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;
  /** A wake that came while a tick ran: the next sleep is skipped, so the work is not left for a poll. */
  private wokenDuringTick = false;

  /** `tick` resolves true when it did some work and should run again at once. */
  constructor(
    private readonly tick: () => Promise<boolean>,
    private readonly pollMs: number,
    private readonly logger: Logger,
    private readonly what: string,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Stops after the tick under way, if any, has finished. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
  }

  /** Started and not stopped: a wake() will be acted on. */
  get isRunning(): boolean {
    return this.running;
  }

  wake(): void {
    if (this.wakeUp) this.wakeUp();
    else this.wokenDuringTick = true;
  }

  private async run(): Promise<void> {
    while (this.running) {
      let worked = false;
      this.wokenDuringTick = false; // this tick sees whatever an earlier wake was about
      try {
        worked = await this.tick();
      } catch (error) {
        this.logger.error(`${this.what} failed; trying again shortly`, { error });
      }
      // isRunning, not the field: stop() may have run during the tick.
      if (!worked && this.isRunning) await this.sleep();
    }
  }

  private sleep(): Promise<void> {
    if (this.wokenDuringTick) {
      this.wokenDuringTick = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        resolve();
      };
      const timer = setTimeout(done, this.pollMs);
      this.wakeUp = done;
    });
  }
}
