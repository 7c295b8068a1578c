import type { Connection } from 'pg';
import { TextBatch } from './export-files';

/**
 * What a batch of rows hands on: one buffer per column, the rows' bytes end to end. The buffers
 * are reused once the returned promise resolves: a sink must be done with them by then.
 */
export type BatchSink = (columns: Buffer[], rows: number) => Promise<void>;

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
const HEADER_BYTES = SIGNATURE.length + 8; // signature, flags, header extension length (0)

/**
 * `COPY (SELECT <text columns>) TO STDOUT (FORMAT binary)` on a `pg` client, for the NVR export:
 * every column is text whose bytes go to a file as they are (no decoding into JavaScript
 * strings, no escaping to undo). Rows are collected per column into batches of `batchRows`; each
 * batch goes to `sink`, and the socket is paused while the sink works (backpressure: memory
 * holds a batch or two, however many rows the COPY has). Submitted with `client.query(copy)`;
 * `copy.done` settles when the COPY has finished and every batch is through the sink.
 *
 * This is the `Submittable` interface of `pg` (what pg-copy-streams uses), kept to the messages a
 * COPY TO sends: CopyOutResponse (ignored by the client), CopyData per row, CommandComplete,
 * ReadyForQuery, or an error.
 */
export class CopyOutBatches {
  readonly done: Promise<number>;
  private resolve!: (rows: number) => void;
  private reject!: (err: Error) => void;
  private readonly batches: TextBatch[];
  /** each batch's length at the end of the last complete row */
  private readonly marks: number[];
  private rowsInBatch = 0;
  private rows = 0;
  private headerLeft = HEADER_BYTES;
  /** bytes of a row split over two CopyData messages (PostgreSQL sends one per row; kept general) */
  private partial: Buffer | null = null;
  private flushing: Promise<void> = Promise.resolve();
  private failed: Error | null = null;
  private connection: Connection | null = null;
  private paused = 0;

  constructor(
    readonly text: string,
    private readonly columns: number,
    private readonly batchRows: number,
    private readonly sink: BatchSink,
  ) {
    this.batches = Array.from({ length: columns }, () => new TextBatch());
    this.marks = this.batches.map(() => 0);
    this.done = new Promise((res, rej) => {
      this.resolve = res;
      this.reject = rej;
    });
    // the caller awaits `done`; a failure before that must not be an unhandled rejection
    this.done.catch(() => undefined);
  }

  submit(connection: Connection): void {
    this.connection = connection;
    connection.query(this.text);
  }

  handleCopyData(msg: { chunk: Buffer }): void {
    let data = msg.chunk;
    if (this.partial) {
      data = Buffer.concat([this.partial, data]);
      this.partial = null;
    }
    let at = 0;
    if (this.headerLeft > 0) {
      const skip = Math.min(this.headerLeft, data.length);
      if (this.headerLeft === HEADER_BYTES && skip >= SIGNATURE.length) {
        if (!data.subarray(0, SIGNATURE.length).equals(SIGNATURE)) return this.fail('not a binary COPY');
      }
      this.headerLeft -= skip;
      at = skip;
    }
    while (at < data.length) {
      const start = at;
      if (data.length - at < 2) break;
      const fields = data.readInt16BE(at);
      at += 2;
      if (fields === -1) return; // trailer
      if (fields !== this.columns)
        return this.fail(`COPY row of ${fields} columns, ${this.columns} expected`);
      let complete = true;
      for (let f = 0; f < fields; f++) {
        if (data.length - at < 4) {
          complete = false;
          break;
        }
        const len = data.readInt32BE(at);
        at += 4;
        if (len < 0) continue; // NULL: nothing to write
        if (data.length - at < len) {
          complete = false;
          break;
        }
        this.batches[f]!.addBytes(data, at, at + len);
        at += len;
      }
      if (!complete) {
        // (never with PostgreSQL's one message per row; undo this row's partial copy and wait)
        for (let f = 0; f < this.columns; f++) this.batches[f]!.truncate(this.marks[f]!);
        this.partial = Buffer.from(data.subarray(start));
        return;
      }
      for (let f = 0; f < this.columns; f++) this.marks[f] = this.batches[f]!.bytes;
      this.rows++;
      if (++this.rowsInBatch >= this.batchRows) this.flush();
    }
  }

  /** Hands the batch to the sink, the socket paused until the sink is done with it. */
  private flush(): void {
    const rows = this.rowsInBatch;
    if (rows === 0) return;
    const columns = this.batches.map((b) => b.take());
    this.marks.fill(0);
    this.rowsInBatch = 0;
    this.pause();
    this.flushing = this.flushing
      .then(async () => {
        if (this.failed) return;
        await this.sink(columns, rows);
        // the sink is done with the bytes (it resolves once they are written): buffers for reuse
        columns.forEach((c, f) => this.batches[f]!.giveBack(c));
      })
      .catch((err: Error) => {
        this.failed ??= err;
      })
      .finally(() => this.resume());
  }

  private pause(): void {
    if (this.paused++ === 0) this.connection?.stream.pause();
  }

  private resume(): void {
    if (--this.paused === 0) this.connection?.stream.resume();
  }

  private fail(message: string): void {
    this.failed ??= new Error(message);
  }

  handleCommandComplete(): void {
    this.flush();
  }

  handleReadyForQuery(): void {
    void this.flushing.then(() => (this.failed ? this.reject(this.failed) : this.resolve(this.rows)));
  }

  handleError(err: Error): void {
    this.failed ??= err;
    void this.flushing.then(() => this.reject(this.failed!));
  }

  // Not sent for a COPY TO; present because `pg` calls them on any active query.
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handlePortalSuspended(): void {}
  handleEmptyQuery(): void {}
  handleCopyInResponse(): void {
    this.fail('COPY FROM STDIN is not supported here');
  }
}
