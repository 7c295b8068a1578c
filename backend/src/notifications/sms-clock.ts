import { Injectable } from '@nestjs/common';

/**
 * The time the sender judges quiet hours by (R18). Real time, except in tests, which set it to
 * e.g. 22:00 to see a reminder wait until 08:00.
 */
@Injectable()
export class SmsClock {
  private fixed?: () => Date;

  now(): Date {
    return this.fixed ? this.fixed() : new Date();
  }

  /** Tests only: a controlled clock (undefined restores real time). */
  set(fn?: () => Date): void {
    this.fixed = fn;
  }
}
