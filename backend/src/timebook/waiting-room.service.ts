import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/config';
import { AppError, ErrorCode } from '../common/errors';
import { RedisService } from '../infra/redis.service';

export interface WaitingRoomState {
  /** admitted: go on booking until `admittedUntil` */
  admitted: boolean;
  /** people ahead of you (0 when admitted) */
  position: number;
  /** people admitted per second: what the booking pages can serve */
  ratePerSecond: number;
  estimatedWaitSeconds: number;
  admittedUntil: string | null;
}

/**
 * The rush waiting room (issue 3, R13/R14 under load). Citizens take a ticket; tickets are
 * admitted in order at the current admission rate (a token bucket with a burst of one second's
 * worth, so an idle system admits at once), shared by every API instance through Redis.
 * The rate is what the system serves, measured: every few seconds each API instance looks at how
 * fast its citizens' holds and bookings were answered; above WAITING_ROOM_TARGET_MS (p95) the
 * shared rate backs off (×0.7), comfortably below it the rate climbs (×1.25 + 1) towards
 * WAITING_ROOM_RATE — additive-increase/multiplicative-decrease, as TCP finds a link's capacity.
 * An admitted citizen may hold and book for `WAITING_ROOM_ADMISSION_MINUTES`. While nobody waits,
 * citizens need no ticket at all; while people wait, a citizen without admission is answered
 * 503 with Retry-After (the booking page never sees that: it goes through the room).
 */
const SCRIPT = `
local seqKey, frontKey, tokensKey, atKey, ticketKey, admittedKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local now, maxRate, admitSeconds, mode = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4]
local rate = tonumber(redis.call('GET', KEYS[7]) or tostring(maxRate))
local burst = math.max(1, rate)
local seq = tonumber(redis.call('GET', seqKey) or '0')
local front = tonumber(redis.call('GET', frontKey) or '0')
local tokens = tonumber(redis.call('GET', tokensKey) or tostring(burst))
local at = tonumber(redis.call('GET', atKey) or tostring(now))
tokens = math.min(burst, tokens + math.max(0, now - at) / 1000 * rate)
local admittedTtl = redis.call('PTTL', admittedKey)
if mode == 'check' then
  -- nobody waiting: no ticket needed
  local n = math.min(math.floor(tokens), seq - front)
  front = front + n
  tokens = tokens - n
  redis.call('SET', frontKey, front) redis.call('SET', tokensKey, tostring(tokens)) redis.call('SET', atKey, now)
  if admittedTtl > 0 then return {1, 0, admittedTtl, tostring(rate)} end
  if seq - front <= 0 then return {1, 0, -1, tostring(rate)} end
  return {0, seq - front, -1, tostring(rate)}
end
if admittedTtl > 0 then return {1, 0, admittedTtl, tostring(rate)} end
local ticket = tonumber(redis.call('GET', ticketKey) or '0')
if ticket == 0 then
  seq = redis.call('INCR', seqKey)
  ticket = seq
  redis.call('SET', ticketKey, ticket, 'EX', 3600)
end
local n = math.min(math.floor(tokens), seq - front)
front = front + n
tokens = tokens - n
redis.call('SET', frontKey, front) redis.call('SET', tokensKey, tostring(tokens)) redis.call('SET', atKey, now)
if ticket <= front then
  redis.call('DEL', ticketKey)
  redis.call('SET', admittedKey, '1', 'PX', admitSeconds * 1000)
  return {1, 0, admitSeconds * 1000, tostring(rate)}
end
return {0, ticket - front, -1, tostring(rate)}
`;

/** The controller's step on the shared rate: back off, or climb towards the maximum. */
const ADJUST = `
local maxRate, minRate, over = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3]
local rate = tonumber(redis.call('GET', KEYS[1]) or tostring(maxRate))
if over == '1' then rate = math.max(minRate, rate * 0.7) else rate = math.min(maxRate, rate * 1.25 + 1) end
redis.call('SET', KEYS[1], tostring(rate), 'EX', 3600)
return tostring(rate)
`;

/** How often each instance adjusts the shared rate, and the fewest samples that count. */
const ADJUST_EVERY_MS = 3000;
const MIN_SAMPLES = 5;

@Injectable()
export class WaitingRoomService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(WaitingRoomService.name);
  /** this instance's citizen hold/booking answer times since the last adjustment, in ms */
  private samples: number[] = [];
  private timer?: NodeJS.Timeout;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly redis: RedisService,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.runsApi) return;
    this.timer = setInterval(() => void this.adjust().catch(() => undefined), ADJUST_EVERY_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }

  private keys(patientId: string): string[] {
    const k = (...p: string[]) => this.redis.key('waiting-room', ...p);
    return [
      k('seq'),
      k('front'),
      k('tokens'),
      k('at'),
      k('ticket', patientId),
      k('admitted', patientId),
      this.rateKey(),
    ];
  }

  private rateKey(): string {
    return this.redis.key('waiting-room', 'rate');
  }

  private async run(patientId: string, mode: 'enter' | 'check'): Promise<[number, number, number, number]> {
    const [admitted, position, ttl, rate] = (await this.redis.client.eval(
      SCRIPT,
      7,
      ...this.keys(patientId),
      Date.now(),
      this.config.WAITING_ROOM_RATE,
      this.config.WAITING_ROOM_ADMISSION_MINUTES * 60,
      mode,
    )) as [number, number, number, string];
    return [admitted, position, ttl, Number(rate)];
  }

  /** A citizen's hold or booking was answered in `ms` (the controller's measure of capacity). */
  observe(ms: number): void {
    if (this.samples.length < 10_000) this.samples.push(ms);
  }

  /**
   * One controller step: p95 of the answers since the last step against the target. With too few
   * samples to judge (a quiet system) the rate climbs back towards the maximum.
   */
  async adjust(): Promise<{ rate: number; p95: number | null }> {
    const taken = this.samples;
    this.samples = [];
    let p95: number | null = null;
    if (taken.length >= MIN_SAMPLES) {
      taken.sort((a, b) => a - b);
      p95 = taken[Math.min(taken.length - 1, Math.floor(taken.length * 0.95))]!;
    }
    const over = p95 !== null && p95 > this.config.WAITING_ROOM_TARGET_MS;
    const rate = Number(
      await this.redis.client.eval(
        ADJUST,
        1,
        this.rateKey(),
        this.config.WAITING_ROOM_RATE,
        1,
        over ? '1' : '0',
      ),
    );
    if (over) this.logger.warn({ p95, rate }, 'citizen bookings slow: waiting room admits fewer');
    return { rate, p95 };
  }

  /** Take a ticket (or keep yours) and learn your place; admitted when your turn has come. */
  async enter(patientId: string): Promise<WaitingRoomState> {
    const [admitted, position, ttl, rate] = await this.run(patientId, 'enter');
    return {
      admitted: admitted === 1,
      position,
      ratePerSecond: Math.round(rate * 10) / 10,
      estimatedWaitSeconds: admitted ? 0 : Math.ceil(position / rate),
      admittedUntil: admitted && ttl > 0 ? new Date(Date.now() + ttl).toISOString() : null,
    };
  }

  /** Before a citizen holds or books: admitted, or nobody is waiting; else 503 with the queue. */
  async ensureAdmitted(patientId: string): Promise<void> {
    const [ok, waiting, , rate] = await this.run(patientId, 'check');
    if (ok === 1) return;
    throw new AppError(
      ErrorCode.WAITING_ROOM,
      'many people are booking right now: take a place in the waiting room (POST /api/citizen/waiting-room)',
      { waiting, retryAfterSeconds: Math.ceil(waiting / rate) },
    );
  }
}
