/**
 * The journey map from its columns (docs/adr/0048). The figures are those of the on-read
 * statement over the touchpoints (`mapStatement`), exactly: columns.test compares the two over
 * ranges and filters.
 */
import {
  FLAG_NEGATIVE_FEEDBACK,
  FLAG_NO_SHOW,
  SANKEY_DEPTH,
  type TouchpointColumns,
} from './columns-format.js';

const WEEK_US = 7 * 86_400_000_000;

/** Who a drill-down lists: the patients behind one of the map's counts. */
export type ColumnarDrill =
  | 'no-show'
  | 'negative-feedback'
  | 'repeated-contact'
  | { from: string; to: string };

export interface ColumnarQuery {
  fromUs: number;
  /** Exclusive. */
  toUs: number;
  admits: ((patient: number) => boolean) | null;
  /** A definition's step types, and its first step's: each starter's path is returned. */
  definition?: { stepTypes: readonly string[]; firstTypes: readonly string[] };
  drill?: ColumnarDrill;
}

/** The map's figures before the funnel, as the on-read statement and the columns give them. */
export interface MapFigures {
  patients: number;
  touchpoints: number;
  links: { fromPosition: number; from: string; to: string; patients: number }[];
  transitions: {
    from: string;
    to: string;
    patients: number;
    medianDays: number | null;
    p90Days: number | null;
  }[];
  channelMix: { stage: string; channel: string; count: number }[];
  noShows: number;
  negativeFeedback: number;
  repeatedContacts: number;
}

export interface ColumnarMap extends MapFigures {
  /**
   * With a definition: each patient whose range holds an event of its first step, with the
   * events of any step from the first such on, oldest first (what `comparePath` reads).
   */
  paths: { patient: number; events: { type: string; atUs: number }[] }[];
  /** With a drill: its patients' numbers, ascending. */
  drill: number[];
}

const byCodeUnits = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function typeMatches(pattern: string, type: string): boolean {
  return pattern.endsWith('.*') ? type.startsWith(pattern.slice(0, -1)) : pattern === type;
}

/** Every wait of a map with its transition, in growing typed arrays (no garbage per wait). */
class Waits {
  private keys = new Int32Array(1024);
  private days = new Float64Array(1024);
  private n = 0;
  push(key: number, days: number): void {
    if (this.n === this.keys.length) {
      const keys = new Int32Array(this.n * 2);
      keys.set(this.keys);
      this.keys = keys;
      const grown = new Float64Array(this.n * 2);
      grown.set(this.days);
      this.days = grown;
    }
    this.keys[this.n] = key;
    this.days[this.n] = days;
    this.n++;
  }
  /** Each key's waits, grouped by key (a counting sort), in no particular order within a key. */
  groupedBy(keys: number): (key: number) => Float64Array {
    const starts = new Int32Array(keys + 1);
    for (let i = 0; i < this.n; i++) {
      const at = (this.keys[i] as number) + 1;
      starts[at] = (starts[at] as number) + 1;
    }
    for (let k = 0; k < keys; k++)
      starts[k + 1] = (starts[k + 1] as number) + (starts[k] as number);
    const next = starts.slice(0, keys);
    const grouped = new Float64Array(this.n);
    for (let i = 0; i < this.n; i++) {
      const k = this.keys[i] as number;
      grouped[next[k] as number] = this.days[i] as number;
      next[k] = (next[k] as number) + 1;
    }
    return (key) => grouped.subarray(starts[key], starts[key + 1]);
  }
}

/**
 * Puts the k-th smallest of `a` at `a[k]`, smaller ones before it and larger ones after
 * (Hoare's selection; `a` is reordered in place). Linear on average: a map's percentiles need
 * two order statistics of each transition's waits, not millions sorted.
 */
function select(a: Float64Array, k: number): void {
  let lo = 0;
  let hi = a.length - 1;
  while (hi > lo) {
    // The median of three as the pivot (sorted or reversed waits stay linear).
    const mid = (lo + hi) >>> 1;
    const x = a[lo] as number;
    const y = a[mid] as number;
    const z = a[hi] as number;
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while ((a[i] as number) < pivot) i++;
      while ((a[j] as number) > pivot) j--;
      if (i <= j) {
        const t = a[i] as number;
        a[i] = a[j] as number;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return;
  }
}

/** PostgreSQL's percentile_cont of `values` (reordered in place), by selection. */
export function percentileOf(values: Float64Array, p: number): number | null {
  if (values.length === 0) return null;
  const rank = p * (values.length - 1);
  const lo = Math.floor(rank);
  select(values, lo);
  const low = values[lo] as number;
  if (Math.ceil(rank) === lo) return low;
  // The next order statistic: the least of what selection left after `lo`.
  let high = Number.POSITIVE_INFINITY;
  for (let i = lo + 1; i < values.length; i++)
    if ((values[i] as number) < high) high = values[i] as number;
  return low + (high - low) * (rank - lo);
}

/** A dictionary shared by the months of one query, and each month's numbers in it. */
class Dictionary {
  readonly values: string[] = [];
  private readonly index = new Map<string, number>();
  of(value: string): number {
    let n = this.index.get(value);
    if (n === undefined) {
      n = this.values.length;
      this.values.push(value);
      this.index.set(value, n);
    }
    return n;
  }
  map(values: readonly string[]): Int32Array {
    return Int32Array.from(values, (v) => this.of(v));
  }
}

/**
 * The journey map of the touchpoints in `[fromUs, toUs)` of the admitted patients, from the
 * months that hold the range (in month order): as `mapStatement` computes it from the
 * touchpoints. Each patient's rows are read in order across the months (each month is sorted by
 * patient), once.
 */
export function columnarMap(months: readonly TouchpointColumns[], q: ColumnarQuery): ColumnarMap {
  const stages = new Dictionary();
  const channels = new Dictionary();
  const types = new Dictionary();
  const stageOf = months.map((m) => stages.map(m.stages));
  const channelOf = months.map((m) => channels.map(m.channels));
  const typeOf = months.map((m) => types.map(m.types));
  const S = stages.values.length;
  const C = channels.values.length;
  const T = types.values.length;
  const system = channels.values.indexOf('system');
  const isStep = new Uint8Array(T);
  const isFirst = new Uint8Array(T);
  if (q.definition)
    for (const [i, type] of types.values.entries()) {
      if (q.definition.stepTypes.some((p) => typeMatches(p, type))) isStep[i] = 1;
      if (q.definition.firstTypes.some((p) => typeMatches(p, type))) isFirst[i] = 1;
    }
  const drillWait =
    typeof q.drill === 'object'
      ? { from: stages.values.indexOf(q.drill.from), to: stages.values.indexOf(q.drill.to) }
      : null;
  const drill = new Set<number>();
  const drillWaits: { patient: number; days: number }[] = [];

  const mix = new Float64Array(S * C);
  const links = new Float64Array(SANKEY_DEPTH * S * S);
  const transitionPatients = new Float64Array(S * S);
  const transitionSeen = new Int32Array(S * S).fill(-1);
  const waits = new Waits();
  // Each type's two latest instants for the patient at hand (the repeated contacts' window).
  const typeSeen = new Int32Array(T).fill(-1);
  const last1 = new Float64Array(T);
  const last2 = new Float64Array(T);

  let patients = 0;
  let touchpoints = 0;
  let noShows = 0;
  let negativeFeedback = 0;
  let repeatedContacts = 0;
  const paths: ColumnarMap['paths'] = [];

  const M = months.length;
  const cursors = new Int32Array(M);
  // The patient number at each month's cursor (past the end: none).
  const heads = new Int32Array(M);
  const NONE = 2_147_483_647;
  for (let m = 0; m < M; m++)
    heads[m] = (months[m]?.rows ?? 0) > 0 ? (months[m]?.patient[0] ?? NONE) : NONE;
  // Step events at one instant before a patient's first start (a start may follow them).
  const pending = new Int32Array(64);
  const { fromUs, toUs, admits } = q;
  const definition = q.definition !== undefined;
  let serial = 0;
  for (;;) {
    let p = NONE;
    for (let m = 0; m < M; m++) {
      const h = heads[m] as number;
      if (h < p) p = h;
    }
    if (p === NONE) break;
    serial++;
    const admitted = admits === null || admits(p);
    let rows = 0;
    let prevStage = -1;
    let position = 0;
    let entryStage = -1;
    let entryAt = 0;
    let noShow = false;
    let negative = false;
    let repeated = false;
    let path: { type: string; atUs: number }[] | null = null;
    let pendingCount = 0;
    let pendingAt = Number.NaN;
    for (let m = 0; m < M; m++) {
      if (heads[m] !== p) continue;
      const month = months[m] as TouchpointColumns;
      const end = month.rows;
      const patient = month.patient;
      let c = cursors[m] as number;
      if (!admitted) {
        while (c < end && patient[c] === p) c++;
      } else {
        const atUs = month.atUs;
        const stageCodes = month.stage;
        const channelCodes = month.channel;
        const typeCodes = month.type;
        const flagCodes = month.flags;
        const stageMap = stageOf[m] as Int32Array;
        const channelMap = channelOf[m] as Int32Array;
        const typeMap = typeOf[m] as Int32Array;
        for (; c < end && patient[c] === p; c++) {
          const at = atUs[c] as number;
          if (at < fromUs || at >= toUs) continue;
          rows++;
          const stage = stageMap[stageCodes[c] as number] as number;
          const channel = channelMap[channelCodes[c] as number] as number;
          const type = typeMap[typeCodes[c] as number] as number;
          const flags = flagCodes[c] as number;
          mix[stage * C + channel] = (mix[stage * C + channel] as number) + 1;
          if (flags & FLAG_NO_SHOW) noShow = true;
          if (flags & FLAG_NEGATIVE_FEEDBACK) negative = true;
          if (channel !== system) {
            // Three of one type within seven days (the window includes its bounds and ties).
            if (typeSeen[type] !== serial) {
              typeSeen[type] = serial;
              last1[type] = Number.NaN;
              last2[type] = Number.NaN;
            } else if ((last2[type] as number) >= at - WEEK_US) repeated = true;
            last2[type] = last1[type] as number;
            last1[type] = at;
          }
          if (stage !== prevStage) {
            position++;
            if (position > 1) {
              const k = entryStage * S + stage;
              if (position <= SANKEY_DEPTH) {
                const l = (position - 2) * S * S + k;
                links[l] = (links[l] as number) + 1;
              }
              if (transitionSeen[k] !== serial) {
                transitionSeen[k] = serial;
                transitionPatients[k] = (transitionPatients[k] as number) + 1;
              }
              const days = (at - entryAt) / 1e6 / 86_400;
              waits.push(k, days);
              if (drillWait && entryStage === drillWait.from && stage === drillWait.to)
                drillWaits.push({ patient: p, days });
            }
            entryStage = stage;
            entryAt = at;
            prevStage = stage;
          }
          if (definition && isStep[type] === 1) {
            if (path !== null) path.push({ type: types.values[type] as string, atUs: at });
            else if (isFirst[type] === 1) {
              // From the first start's instant on: events at that instant ordered before it too.
              path = [];
              if (pendingAt === at)
                for (let i = 0; i < pendingCount; i++)
                  path.push({ type: types.values[pending[i] as number] as string, atUs: at });
              path.push({ type: types.values[type] as string, atUs: at });
            } else {
              if (pendingAt !== at) {
                pendingAt = at;
                pendingCount = 0;
              }
              if (pendingCount < pending.length) pending[pendingCount++] = type;
            }
          }
        }
      }
      cursors[m] = c;
      heads[m] = c < end ? (patient[c] as number) : NONE;
    }
    if (rows === 0) continue;
    patients++;
    touchpoints += rows;
    if (noShow) noShows++;
    if (negative) negativeFeedback++;
    if (repeated) repeatedContacts++;
    if (path) paths.push({ patient: p, events: path });
    if (
      (q.drill === 'no-show' && noShow) ||
      (q.drill === 'negative-feedback' && negative) ||
      (q.drill === 'repeated-contact' && repeated)
    )
      drill.add(p);
  }

  const stageOrder = stages.values.map((s, i) => ({ s, i })).sort((a, b) => byCodeUnits(a.s, b.s));
  const channelOrder = channels.values
    .map((s, i) => ({ s, i }))
    .sort((a, b) => byCodeUnits(a.s, b.s));
  const result: ColumnarMap = {
    patients,
    touchpoints,
    links: [],
    transitions: [],
    channelMix: [],
    noShows,
    negativeFeedback,
    repeatedContacts,
    paths,
    drill: [],
  };
  for (let position = 0; position < SANKEY_DEPTH; position++)
    for (const from of stageOrder)
      for (const to of stageOrder) {
        const n = links[position * S * S + from.i * S + to.i] as number;
        if (n > 0)
          result.links.push({ fromPosition: position + 1, from: from.s, to: to.s, patients: n });
      }
  const waitsOf = waits.groupedBy(S * S);
  for (const from of stageOrder)
    for (const to of stageOrder) {
      const k = from.i * S + to.i;
      const n = transitionPatients[k] as number;
      if (n === 0) continue;
      const values = waitsOf(k);
      result.transitions.push({
        from: from.s,
        to: to.s,
        patients: n,
        medianDays: percentileOf(values, 0.5),
        p90Days: percentileOf(values, 0.9),
      });
    }
  for (const stage of stageOrder)
    for (const channel of channelOrder) {
      const n = mix[stage.i * C + channel.i] as number;
      if (n > 0) result.channelMix.push({ stage: stage.s, channel: channel.s, count: n });
    }
  if (drillWait && drillWaits.length > 0) {
    const p90 =
      percentileOf(
        Float64Array.from(drillWaits, (w) => w.days),
        0.9,
      ) ?? 0;
    for (const w of drillWaits) if (w.days >= p90) drill.add(w.patient);
  }
  result.drill = [...drill].sort((a, b) => a - b);
  return result;
}
