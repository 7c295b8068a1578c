/** Sizes per scale. `--quick` finishes in a few minutes, `--scale=full` in under half an hour. */
export interface Scale {
  name: 'quick' | 'full';
  /** free slots created for the bench unit; the rush attempts each one three times */
  slots: number;
  /** concurrent HTTP clients in the rush */
  rushClients: number;
  attemptsPerSlot: number;
  /** attempts made (and thrown away) before each measured rush, to warm JITs and caches */
  warmupAttempts: number;
  /** socket.io clients in the fan-out */
  fanoutClients: number;
  /** bookings (ours) or broadcasts (baseline) per second during the fan-out */
  fanoutRatePerSec: number;
  fanoutSeconds: number;
  /**
   * Rounds per scenario, ours and baseline alternating (ABBA): other work on these shared
   * machines comes in bursts, and the median of interleaved rounds is robust to one bad burst.
   */
  rounds: number;
  /** concurrent HTTP clients moving stock on the same few batches */
  stockClients: number;
  /** batches the stock clients share (fresh ones each run: the ledger cannot be reset) */
  stockBatches: number;
  /** measured movement requests per run */
  stockMovements: number;
  /** movement requests made (on their own batches) before each measured run */
  stockWarmup: number;
  /** people in the coverage region's population register */
  coveragePeople: number;
  /** doses loaded for them */
  coverageVaccinations: number;
  /** single doses inserted, with and without the coverage triggers, for the per-event cost */
  coverageEvents: number;
  /** measured coverage reads (municipality × age group) */
  coverageQueries: number;
  /** runs of the plain GROUP BY baseline */
  coverageBaselineRuns: number;
  /** doses in the NVR export row (R28) */
  nvrDoses: number;
  /** rounds of the NVR row (each one re-marks every dose unreported) */
  nvrRounds: number;
  /** recipients of the mass SMS campaign */
  smsRecipients: number;
}

export type ScenarioName = 'rush' | 'fanout' | 'instances' | 'stock' | 'coverage' | 'nvr' | 'sms';
export const SCENARIOS: readonly ScenarioName[] = [
  'rush',
  'fanout',
  'instances',
  'stock',
  'coverage',
  'nvr',
  'sms',
];

export const SCALES: Record<Scale['name'], Scale> = {
  quick: {
    name: 'quick',
    slots: 700,
    rushClients: 100,
    attemptsPerSlot: 3,
    warmupAttempts: 300,
    fanoutClients: 1000,
    fanoutRatePerSec: 50,
    fanoutSeconds: 6,
    rounds: 3,
    stockClients: 50,
    stockBatches: 5,
    stockMovements: 3000,
    stockWarmup: 300,
    coveragePeople: 37_000,
    coverageVaccinations: 100_000,
    coverageEvents: 200,
    coverageQueries: 60,
    coverageBaselineRuns: 6,
    nvrDoses: 100_000,
    nvrRounds: 3,
    smsRecipients: 10_000,
  },
  full: {
    name: 'full',
    slots: 3334, // × 3 attempts = 10,002
    rushClients: 200,
    attemptsPerSlot: 3,
    warmupAttempts: 600,
    fanoutClients: 1000,
    fanoutRatePerSec: 50,
    fanoutSeconds: 20,
    rounds: 3,
    stockClients: 50,
    stockBatches: 5,
    stockMovements: 15000,
    stockWarmup: 600,
    coveragePeople: 370_000,
    coverageVaccinations: 1_000_000,
    coverageEvents: 500,
    coverageQueries: 150,
    coverageBaselineRuns: 6,
    nvrDoses: 1_000_000,
    nvrRounds: 2,
    smsRecipients: 100_000,
  },
};

export interface Options {
  scale: Scale;
  /** which scenarios to run (all by default); e.g. `--only=stock` while developing */
  only: Set<ScenarioName>;
}

/**
 * Flags: `--quick` (= `--scale=quick`), `--scale=full` (the default), `--only=<scenarios>` (any of
 * SCENARIOS, comma-separated), and
 * `--clients=N` to override the fan-out client count (e.g. 500 on a struggling machine), and
 * `--rounds=N` to override the number of interleaved rounds.
 */
export function parseArgs(argv: string[]): Options {
  let name: Scale['name'] = 'full';
  let only = new Set<ScenarioName>(SCENARIOS);
  let fanoutClients: number | undefined;
  let rounds: number | undefined;
  for (const arg of argv) {
    if (arg === '--quick' || arg === '--scale=quick') name = 'quick';
    else if (arg === '--scale=full') name = 'full';
    else if (arg.startsWith('--only=')) {
      const picked = arg.slice('--only='.length).split(',');
      const known = (s: string): s is ScenarioName => (SCENARIOS as readonly string[]).includes(s);
      if (picked.length === 0 || !picked.every(known))
        throw new Error(`${arg}: expected a comma-separated list of ${SCENARIOS.join(', ')}`);
      only = new Set(picked.filter(known));
    } else if (arg.startsWith('--clients=')) {
      fanoutClients = Number(arg.slice('--clients='.length));
      if (!Number.isInteger(fanoutClients) || fanoutClients < 1)
        throw new Error(`${arg}: expected a positive integer`);
    } else if (arg.startsWith('--rounds=')) {
      rounds = Number(arg.slice('--rounds='.length));
      if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`${arg}: expected a positive integer`);
    } else if (arg !== '--') {
      throw new Error(
        `unknown flag ${arg} (known: --quick, --scale=quick|full, --only=${SCENARIOS.join(',')}, --clients=N, --rounds=N)`,
      );
    }
  }
  const scale = {
    ...SCALES[name],
    ...(fanoutClients ? { fanoutClients } : {}),
    ...(rounds ? { rounds } : {}),
  };
  return { scale, only };
}
